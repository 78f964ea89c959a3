"""helpers.audit: each finding code catches a deliberately wrong implementation and nothing else fires on it;
the course's metrics and losses, Keras's OneHotMeanIoU, and the question's functions get the right codes."""

import numpy as np
import pytest

from helpers import audit as A
from helpers import metrics as M


# ---------------------------------------------------------------------------------------------
# deliberately wrong metrics: NumPy, one defect each. They average over images, so that Keras's mean
# over batches of equal size gives the same number for every batch size (only the batch-level one differs).
# ---------------------------------------------------------------------------------------------
def _labels(y_true, y_pred):
    """Label maps from one-hot y_true (an all-zero row is void: 255) or label maps, and argmax of y_pred."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    t = np.where(y_true.max(-1) > 0, y_true.argmax(-1), 255) if y_true.ndim == y_pred.ndim else y_true
    return t, y_pred.argmax(-1), y_pred.shape[-1]


def _per_image(score):
    """A function metric: the mean over images of score(t_image, p_image, C)."""

    def metric(y_true, y_pred):
        t, p, c = _labels(y_true, y_pred)
        return float(np.mean([score(t[i], p[i], c) for i in range(len(t))]))

    return metric


def _cm(t, p, c):
    keep = (t >= 0) & (t < c)
    return np.bincount((t[keep] * c + p[keep]).ravel(), minlength=c * c).reshape(c, c).astype(float)


def _iou(t, p, c, absent=None, kind="iou"):
    cm = _cm(t, p, c)
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    with np.errstate(all="ignore"):
        s = 2 * tp / (union + tp) if kind == "dice" else tp / union
    if absent is None:
        return np.nanmean(s)
    return np.mean(np.nan_to_num(s, nan=absent))


correct_per_image = _per_image(lambda t, p, c: M.mean_iou(t, p, num_classes=c, ignore_index=255))


def crashes(y_true, y_pred):
    return np.reshape(np.asarray(y_pred), (-1, 3)).mean()  # assumes 3 classes


def compares_truth_with_itself(y_true, y_pred):  # a typo: y_true twice
    return correct_per_image(y_true, y_true)


def union_counts_overlap_twice(y_true, y_pred):
    def score(t, p, c):
        cm = _cm(t, p, c)
        tp, size = np.diag(cm), cm.sum(0) + cm.sum(1)
        return np.mean(tp[size > 0] / size[size > 0])

    return _per_image(score)(y_true, y_pred)


def counts_true_negatives(y_true, y_pred):
    def score(t, p, c):
        present = [k for k in range(c) if ((t == k) | (p == k)).any()]
        return np.mean([np.mean((t == k) == (p == k)) for k in present])

    return _per_image(score)(y_true, y_pred)


def rounds_each_channel(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, np.float64), np.round(np.asarray(y_pred, np.float64))
    inter = (y_true * y_pred).sum(axis=(1, 2))
    union = y_true.sum(axis=(1, 2)) + y_pred.sum(axis=(1, 2)) - inter
    with np.errstate(all="ignore"):
        iou = np.where(union > 0, inter / union, np.nan)
    return float(np.mean(np.nanmean(iou, axis=1)))


absent_as_zero = _per_image(lambda t, p, c: _iou(t, p, c, absent=0.0))
absent_as_one = _per_image(lambda t, p, c: _iou(t, p, c, absent=1.0))
dice = _per_image(lambda t, p, c: _iou(t, p, c, kind="dice"))


def pooled_over_the_batch(y_true, y_pred):  # correct for one batch; Keras averages batches
    t, p, c = _labels(y_true, y_pred)
    return _iou(t, p, c)


def void_as_argmax(y_true, y_pred):  # all-zero one-hot rows become class 0 by argmax
    return correct_per_image(np.eye(y_pred.shape[-1])[np.asarray(y_true).argmax(-1)], y_pred)


def drops_out_of_range(y_true, y_pred):  # labels mode: like keras.metrics.MeanIoU >= 3.15
    t, p, c = _labels(y_true, y_pred)
    return float(np.mean([_iou(t[i], p[i], c) for i in range(len(t))]))


def nan_on_absent(y_true, y_pred):
    def score(t, p, c):
        cm = _cm(t, p, c)
        tp = np.diag(cm)
        return np.mean(tp / (cm.sum(0) + cm.sum(1) - tp))

    return _per_image(score)(y_true, y_pred)


def correct_labels_reference(y_true, y_pred):  # the NumPy reference, void 255 left out, raises on bad labels
    return M.mean_iou(
        np.asarray(y_true), M.to_labels(np.asarray(y_pred)), num_classes=5, ignore_index=255, per_image=True
    )


WRONG_METRICS = [
    ("crashes", crashes, {}),
    ("constant_output", compares_truth_with_itself, {}),
    ("perfect_not_one", union_counts_overlap_twice, {}),
    ("all_wrong_not_zero", counts_true_negatives, {}),
    ("threshold_not_argmax", rounds_each_channel, {}),
    ("absent_class_as_zero", absent_as_zero, {}),
    ("absent_class_as_one", absent_as_one, {}),
    ("dice_not_iou", dice, {}),
    ("batch_dependent", pooled_over_the_batch, {}),
    ("ignore_label_counted", void_as_argmax, {"ignore_index": 255}),
    ("out_of_range_dropped", drops_out_of_range, {"y_true": "labels"}),
    ("non_finite", nan_on_absent, {}),
]


def test_every_metric_code_has_a_wrong_implementation_in_the_table():
    assert {code for code, _, _ in WRONG_METRICS} == set(A.METRIC_FINDINGS)


@pytest.mark.parametrize("code, metric, kwargs", WRONG_METRICS, ids=[w[0] for w in WRONG_METRICS])
def test_each_defect_trips_exactly_its_code(code, metric, kwargs):
    report = A.audit_metric(metric, num_classes=5, **kwargs)
    assert report.findings == [code], str(report)
    assert not report.passed
    failed = [c for c in report.checks if not c.ok]
    assert failed and all(c.hint for c in failed)


@pytest.mark.parametrize("kwargs", [{}, {"ignore_index": 255}, {"y_true": "labels", "ignore_index": 255}])
def test_a_correct_per_image_metric_passes(kwargs):
    metric = correct_labels_reference if kwargs.get("y_true") == "labels" else correct_per_image
    report = A.audit_metric(metric, num_classes=5, **kwargs)
    assert report.passed and report.findings == [], str(report)
    assert any(name.startswith("void") for name, _ in report.skipped) is ("ignore_index" not in kwargs)


@pytest.mark.parametrize("c", [2, 3, 12])
def test_other_numbers_of_classes(c):
    assert A.audit_metric(correct_per_image, num_classes=c).passed
    assert A.audit_metric(dice, num_classes=c).findings == ["dice_not_iou"]
    assert A.audit_metric(pooled_over_the_batch, num_classes=c).findings == ["batch_dependent"]


# ---------------------------------------------------------------------------------------------
# the course, Keras and the question
# ---------------------------------------------------------------------------------------------
def test_the_questions_mean_iou():
    from helpers.course.buggy import mean_iou

    report = A.audit_metric(mean_iou, num_classes=5)
    # cast-before-round makes every softmax output all zeros: constant; on exact one-hot it moves: not argmax.
    # It is a mean over equal-sized (image, column, class) cells, so Keras's batch mean does not move it.
    assert report.findings == ["constant_output", "threshold_not_argmax"]


def test_streaming_mean_iou_passes_in_every_mode():
    from helpers.keras.metrics import StreamingMeanIoU

    assert A.audit_metric(StreamingMeanIoU(num_classes=5), num_classes=5).passed
    for mode in ("one_hot", "labels"):
        report = A.audit_metric(
            StreamingMeanIoU(num_classes=5, ignore_index=255), num_classes=5, y_true=mode, ignore_index=255
        )
        assert report.passed, str(report)


def test_batch_mean_iou_is_only_batch_dependent():
    from helpers.keras.metrics import batch_mean_iou

    assert A.audit_metric(batch_mean_iou, num_classes=5).findings == ["batch_dependent"]


def test_numpy_reference_passes_in_labels_mode():
    report = A.audit_metric(correct_labels_reference, num_classes=5, y_true="labels", ignore_index=255)
    assert report.passed
    assert any(c.code == "out_of_range_dropped" and c.ok and "ValueError" in c.got for c in report.checks)


def test_keras_one_hot_mean_iou_passes_and_mean_iou_misused_is_caught():
    import keras

    assert A.audit_metric(keras.metrics.OneHotMeanIoU(num_classes=5), num_classes=5).passed
    misused = A.audit_metric(keras.metrics.MeanIoU(num_classes=5), num_classes=5)
    assert misused.findings == ["constant_output", "threshold_not_argmax"]
    right = keras.metrics.MeanIoU(num_classes=5, sparse_y_true=False, sparse_y_pred=False)
    assert A.audit_metric(right, num_classes=5).passed


def test_constant_output_hint_for_keras_mean_iou_names_its_flags_not_a_cast():
    import keras

    def hint(report):
        return next(c.hint for c in report.checks if c.code == "constant_output" and not c.ok)

    misused = hint(A.audit_metric(keras.metrics.MeanIoU(num_classes=5), num_classes=5))
    assert "OneHotMeanIoU(num_classes=C)" in misused and "sparse_y_true=False, sparse_y_pred=False" in misused
    assert "tf.round" not in misused
    from helpers.course.buggy import mean_iou  # a function that casts before rounding keeps the cast hint

    assert "tf.round(tf.cast(p, tf.int32))" in hint(A.audit_metric(mean_iou, num_classes=5))


def test_keras_mean_iou_drops_out_of_range_labels():
    import keras

    metric = keras.metrics.MeanIoU(num_classes=5, sparse_y_pred=False, ignore_class=255)
    report = A.audit_metric(metric, num_classes=5, y_true="labels", ignore_index=255)
    from packaging.version import Version

    if Version(keras.__version__) >= Version("3.15"):
        assert report.findings == ["out_of_range_dropped"]
    else:  # Keras < 3.15 (Colab's 3.13) raises on such labels, which is right
        assert report.passed, str(report)


def test_auditing_a_keras_metric_leaves_it_reset():
    from helpers.keras.metrics import StreamingMeanIoU

    m = StreamingMeanIoU(num_classes=5)
    A.audit_metric(m, num_classes=5)
    assert int(np.asarray(m.confusion_matrix()).sum()) == 0


# ---------------------------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------------------------
def _tf():
    import tensorflow as tf

    return tf


def loss_crashes(y_true, y_pred):
    return _tf().reduce_mean(_tf().reshape(y_pred, [-1, 3]))


def hard_iou_loss(y_true, y_pred):  # argmax inside: no gradient
    tf = _tf()
    p = tf.one_hot(tf.argmax(y_pred, axis=-1), y_pred.shape[-1], dtype=y_pred.dtype)
    return soft_iou_loss(y_true, p)


def soft_iou_loss(y_true, y_pred):  # per class over the classes present, like soft_jaccard_loss
    tf = _tf()
    axes = [0, 1, 2]
    inter = tf.reduce_sum(y_true * y_pred, axes)
    union = tf.reduce_sum(y_true, axes) + tf.reduce_sum(y_pred, axes) - inter
    present = tf.cast(tf.reduce_sum(y_true, axes) > 0, y_pred.dtype)
    return 1.0 - tf.reduce_sum(tf.math.divide_no_nan(inter, union) * present) / tf.reduce_sum(present)


def forgot_one_minus(y_true, y_pred):
    return 1.0 - soft_iou_loss(y_true, y_pred)


def cross_entropy(y_true, y_pred):
    tf = _tf()
    return -tf.reduce_mean(tf.reduce_sum(y_true * tf.math.log(tf.clip_by_value(y_pred, 1e-7, 1.0)), -1))


def unguarded_division(y_true, y_pred):
    tf = _tf()
    inter = tf.reduce_sum(y_true * y_pred, [0, 1, 2])
    union = tf.reduce_sum(y_true, [0, 1, 2]) + tf.reduce_sum(y_pred, [0, 1, 2]) - inter
    return 1.0 - tf.reduce_mean(inter / union)


WRONG_LOSSES = [
    ("crashes", loss_crashes),
    ("no_gradient", hard_iou_loss),
    ("not_minimised_by_truth", forgot_one_minus),
    ("pixel_weighted", cross_entropy),
    ("non_finite", unguarded_division),
]


def test_every_loss_code_has_a_wrong_implementation_in_the_table():
    assert {code for code, _ in WRONG_LOSSES} == set(A.LOSS_FINDINGS)


@pytest.mark.parametrize("code, loss", WRONG_LOSSES, ids=[w[0] for w in WRONG_LOSSES])
def test_each_loss_defect_trips_exactly_its_code(code, loss):
    report = A.audit_loss(loss, num_classes=5)
    assert report.findings == [code], str(report)


def test_a_correct_soft_iou_loss_passes():
    assert A.audit_loss(soft_iou_loss, num_classes=5).passed


def test_the_questions_iou_loss_is_pixel_weighted():
    from helpers.course.buggy import iou_loss

    assert A.audit_loss(iou_loss, num_classes=5).findings == ["pixel_weighted"]


def _course_losses():
    from helpers.keras import losses as L

    classes = [
        pytest.param(getattr(L, name)(), id=name)
        for name in ("SoftJaccardLoss", "SoftDiceLoss", "LovaszSoftmaxLoss")
        if hasattr(L, name)
    ]
    return classes + [
        pytest.param(L.soft_jaccard_loss, id="soft_jaccard_loss"),
        pytest.param(L.soft_dice_loss, id="soft_dice_loss"),
        pytest.param(L.lovasz_softmax_loss, id="lovasz_softmax_loss"),
        pytest.param(L.ce_jaccard_loss(0.5), id="ce_jaccard_loss"),
    ]


@pytest.mark.parametrize("loss", _course_losses())
def test_the_course_losses_pass(loss):
    report = A.audit_loss(loss, num_classes=5)
    assert report.passed, str(report)


def test_pooled_jaccard_is_pixel_weighted():
    from functools import partial

    from helpers.keras.losses import soft_jaccard_loss

    pooled = partial(soft_jaccard_loss, pooled=True)
    assert A.audit_loss(pooled, num_classes=5).findings == ["pixel_weighted"]


# ---------------------------------------------------------------------------------------------
# the report, validation, determinism, the command line
# ---------------------------------------------------------------------------------------------
def test_report_reads_as_text_and_html():
    report = A.audit_metric(dice, num_classes=5)
    text = str(report)
    assert "dice_not_iou" in text and A.FAIL in text and A.PASS in text and "not run" in text
    page = report._repr_html_()
    assert page.startswith("<div>") and "<table>" in page and "dice_not_iou" in page
    for c in report.checks:
        assert c.status in (A.PASS, A.FAIL) and c.name and c.expected is not None and c.got is not None
    assert report.passed is (report.findings == [])


def test_audit_is_deterministic():
    from helpers.course.buggy import mean_iou

    assert str(A.audit_metric(mean_iou, num_classes=5)) == str(A.audit_metric(mean_iou, num_classes=5))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_classes": 1}, "num_classes must be at least 2"),
        ({"num_classes": 5, "y_true": "sparse"}, "'one_hot' or 'labels'"),
        ({"num_classes": 5, "ignore_index": 3}, "is a real class"),
    ],
)
def test_bad_arguments_name_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        A.audit_metric(correct_per_image, **kwargs)


def test_a_metric_class_instead_of_an_instance_is_explained():
    from helpers.keras.metrics import StreamingMeanIoU

    with pytest.raises(ValueError, match=r"StreamingMeanIoU\(num_classes=5\)"):
        A.audit_metric(StreamingMeanIoU, num_classes=5)


def test_command_line(tmp_path, capsys):
    f = tmp_path / "mine.py"
    f.write_text(
        "import numpy as np\n\n"
        "def my_iou(y_true, y_pred):\n"
        "    t, p = y_true.argmax(-1), y_pred.argmax(-1)\n"
        "    return np.mean([(((t == k) & (p == k)).sum() + 1e-6) / (((t == k) | (p == k)).sum() + 1e-6)\n"
        "                    for k in range(5)])\n"
    )
    assert A.main([f"{f}:my_iou"]) == 1
    out = capsys.readouterr().out
    assert "Audit of metric `my_iou`" in out and "absent_class_as_one" in out
    with pytest.raises(SystemExit, match="has no 'nope'"):
        A.main([f"{f}:nope"])
    g = tmp_path / "loss.py"
    g.write_text("from helpers.course.buggy import iou_loss\n")
    assert A.main([f"{g}:iou_loss", "--loss"]) == 1
    assert "pixel_weighted" in capsys.readouterr().out


def test_docstring_examples():
    import doctest

    result = doctest.testmod(A, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
