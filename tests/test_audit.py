"""helpers.audit (the metric side, the report, the command line, the pytest bridge): every metric code catches a
deliberately wrong implementation with exactly that code (plus ``batch_dependent`` where a plain function returns
one number per batch, which Keras averages); the course's, the take-home module's and Keras's right metrics
pass; binary models and declared conventions (``expect=``) are audited. The loss side: test_audit_probes_loss.py;
real code from public repositories: test_audit_corpus.py."""

from pathlib import Path

import numpy as np
import pytest

from helpers import audit as A
from helpers import metrics as M

BD = "batch_dependent"
TAKE_HOME_PATH = Path(__file__).resolve().parents[1] / "take_home" / "iou_keras.py"


# ---------------------------------------------------------------------------------------------
# deliberately wrong metrics: NumPy, one defect each. Each scores the whole batch at once (one count), so the
# only other finding a plain function gets is batch_dependent (Keras averages its per-batch values).
# ---------------------------------------------------------------------------------------------
def _labels(y_true, y_pred):
    """Label maps from one-hot y_true (an all-zero row is void: 255) or label maps, and argmax of y_pred."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    t = np.where(y_true.max(-1) > 0, y_true.argmax(-1), 255) if y_true.ndim == y_pred.ndim else y_true
    return t, y_pred.argmax(-1), y_pred.shape[-1]


def _cm(t, p, c):
    keep = (t >= 0) & (t < c)
    return np.bincount((t[keep] * c + p[keep]).ravel(), minlength=c * c).reshape(c, c).astype(float)


def _scores(t, p, c, kind="iou"):
    cm = _cm(t, p, c)
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    with np.errstate(all="ignore"):
        return 2 * tp / (union + tp) if kind == "dice" else tp / union


def _batch(score):
    """A function metric: ``score(t, p, C)`` of the whole batch's label maps."""

    def metric(y_true, y_pred):
        return float(score(*_labels(y_true, y_pred)))

    return metric


correct_batch = _batch(lambda t, p, c: np.nanmean(_scores(t, p, c)))


def crashes(y_true, y_pred):
    return np.reshape(np.asarray(y_pred), (-1, 3)).mean()  # assumes 3 classes


def compares_truth_with_itself(y_true, y_pred):  # a typo: y_true twice
    return correct_batch(y_true, y_true)


def _overlap_twice(t, p, c):
    cm = _cm(t, p, c)
    tp, size = np.diag(cm), cm.sum(0) + cm.sum(1)
    return np.mean(tp[size > 0] / size[size > 0])


def _true_negatives(t, p, c):  # per class, (TP + TN) / N: accuracy of "is it class k?"
    present = [k for k in range(c) if ((t == k) | (p == k)).any()]
    return np.mean([np.mean((t == k) == (p == k)) for k in present])


def rounds_each_channel(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, np.float64), np.round(np.asarray(y_pred, np.float64))
    inter = (y_true * y_pred).sum(axis=(0, 1, 2))
    union = y_true.sum(axis=(0, 1, 2)) + y_pred.sum(axis=(0, 1, 2)) - inter
    return float(np.mean(inter[union > 0] / union[union > 0]))


def soft_per_class(y_true, y_pred):  # IoU of the probabilities
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    inter = (y_true * y_pred).sum(axis=(0, 1, 2))
    union = y_true.sum(axis=(0, 1, 2)) + y_pred.sum(axis=(0, 1, 2)) - inter
    return float(np.mean(inter[union > 1e-9] / union[union > 1e-9]))


def _pooled(t, p, c):  # micro: every class's TP over every class's union
    cm = _cm(t, p, c)
    tp = np.diag(cm)
    return tp.sum() / (cm.sum(0) + cm.sum(1) - tp).sum()


def per_image(y_true, y_pred):  # one value per image: Keras weighs it by batch size, but it is not the dataset's
    t, p, c = _labels(y_true, y_pred)
    return np.array([np.nanmean(_scores(t[i], p[i], c)) for i in range(len(t))])


def squared(y_true, y_pred):  # a value no convention gives: right at 0 and 1, off in between
    return correct_batch(y_true, y_pred) ** 2


def void_as_argmax(y_true, y_pred):  # all-zero one-hot rows become class 0 by argmax
    t, p, c = _labels(y_true, y_pred)
    return float(np.nanmean(_scores(np.where(t == 255, 0, t), p, c)))


def drops_out_of_range(y_true, y_pred):  # labels mode: like keras.metrics.MeanIoU >= 3.15
    t, p, c = _labels(y_true, y_pred)
    return float(np.nanmean(_scores(t, p, c)))


def channels_first(y_true, y_pred):  # PyTorch's (B, C, H, W): the classes on axis 1
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    t, p, c = y_true.argmax(1), y_pred.argmax(1), y_pred.shape[1]
    return float(np.nanmean(_scores(t, p, c)))


def truth_classes_only(y_true, y_pred):  # leaves out classes absent from the truth, even where predicted
    t, p, c = _labels(y_true, y_pred)
    present = np.isin(np.arange(c), t)
    return float(np.mean(_scores(t, p, c)[present]))


def correct_labels_reference(y_true, y_pred):  # the NumPy reference, void 255 left out, raises on bad labels
    return M.mean_iou(np.asarray(y_true), M.to_labels(np.asarray(y_pred)), num_classes=5, ignore_index=255)


WRONG_METRICS = [
    ("crashes", crashes, {}, {"crashes"}),
    ("constant_output", compares_truth_with_itself, {}, {"constant_output"}),
    ("perfect_not_one", _batch(_overlap_twice), {}, {"perfect_not_one", BD}),
    ("all_wrong_not_zero", _batch(_true_negatives), {}, {"all_wrong_not_zero", BD}),
    ("threshold_not_argmax", rounds_each_channel, {}, {"threshold_not_argmax", BD}),
    ("absent_class_as_zero", _batch(lambda t, p, c: np.mean(np.nan_to_num(_scores(t, p, c)))), {}, None),
    ("absent_class_as_one", _batch(lambda t, p, c: np.mean(np.nan_to_num(_scores(t, p, c), nan=1.0))), {}, None),
    ("dice_not_iou", _batch(lambda t, p, c: np.nanmean(_scores(t, p, c, "dice"))), {}, None),
    ("batch_dependent", correct_batch, {}, {BD}),
    ("ignore_label_counted", void_as_argmax, {"ignore_index": 255}, None),
    ("out_of_range_dropped", drops_out_of_range, {"y_true": "labels", "ignore_index": 255}, None),
    ("non_finite", _batch(lambda t, p, c: np.mean(_scores(t, p, c))), {}, None),
    ("wrong_value", squared, {}, None),
    ("wrong_value", truth_classes_only, {}, None),  # false positives of a class absent from the truth never count
    ("pooled_over_classes", _batch(_pooled), {}, None),
    ("per_image_not_dataset", per_image, {}, {"per_image_not_dataset"}),
    ("soft_not_hard", soft_per_class, {}, None),
    ("channels_first", channels_first, {}, None),
]


def test_a_numpy_metric_gets_a_note_that_it_cannot_be_compiled():
    report = A.audit_metric(correct_batch, num_classes=5)
    assert report.findings == [BD]
    assert "symbolic" in report.graph_error.lower() or "numpy" in report.graph_error.lower(), report.graph_error
    assert any(n.startswith("NumPy only") for n in report.notes) and "NumPy only" in str(report)
    from helpers.keras.metrics import StreamingMeanIoU, batch_mean_iou

    assert A.audit_metric(batch_mean_iou, num_classes=5).graph_error is None
    assert A.audit_metric(StreamingMeanIoU(num_classes=5), num_classes=5).graph_error is None


def test_a_value_off_is_explained_by_the_rule_that_makes_it():
    def per_image_smoothed(y_true, y_pred):  # notebook 07's tutorial metric, in NumPy
        t, p, c = _labels(y_true, y_pred)
        return float(np.mean([np.mean(np.nan_to_num(_scores(t[i], p[i], c), nan=1.0)) for i in range(len(t))]))

    report = A.audit_metric(per_image_smoothed, num_classes=5)
    assert set(report.findings) == {"per_image_not_dataset", "absent_class_as_one", BD}, str(report)
    all_wrong = next(c for c in report.checks if c.name == "all-wrong prediction scores 0")
    assert all_wrong.code == "absent_class_as_one", str(report)  # classes absent from an image score 1


def test_every_metric_code_has_a_wrong_implementation_in_the_table():
    assert {w[0] for w in WRONG_METRICS} == set(A.METRIC_FINDINGS)


@pytest.mark.parametrize("code, metric, kwargs, expected", WRONG_METRICS, ids=[w[0] for w in WRONG_METRICS])
def test_each_defect_trips_exactly_its_code(code, metric, kwargs, expected):
    report = A.audit_metric(metric, num_classes=5, **kwargs)
    assert set(report.findings) == (expected or {code, BD}), str(report)
    failed = [c for c in report.checks if not c.ok]
    assert failed and all(c.hint for c in failed)


@pytest.mark.parametrize("code, metric, kwargs, expected", WRONG_METRICS, ids=[w[0] for w in WRONG_METRICS])
def test_no_value_off_the_reference_passes(code, metric, kwargs, expected):
    report = A.audit_metric(metric, num_classes=5, **kwargs)
    for check in report.checks:
        if check.ok and isinstance(check.expected, float) and isinstance(check.got, float):
            assert abs(check.expected - check.got) <= 1e-4, (check, str(report))
    assert "value is off" not in str(report)


@pytest.mark.parametrize("c", [2, 3, 12])
def test_other_numbers_of_classes(c):
    assert A.audit_metric(correct_batch, num_classes=c).findings == [BD]
    dice = _batch(lambda t, p, k: np.nanmean(_scores(t, p, k, "dice")))
    assert A.audit_metric(dice, num_classes=c).findings == ["dice_not_iou", BD]
    assert A.audit_metric(per_image, num_classes=c).findings == ["per_image_not_dataset"]


# ---------------------------------------------------------------------------------------------
# declared conventions: expect=
# ---------------------------------------------------------------------------------------------
def test_expect_turns_the_matching_finding_into_a_note():
    report = A.audit_metric(per_image, num_classes=5, expect="per_image")
    assert report.passed, str(report)
    assert any("per_image" in n for n in report.notes)
    dice = _batch(lambda t, p, c: np.nanmean(_scores(t, p, c, "dice")))
    assert A.audit_metric(dice, num_classes=5, expect="dice").findings == [BD]
    # declaring a convention the metric does not follow is no free pass
    assert "per_image_not_dataset" not in A.audit_metric(correct_batch, num_classes=5, expect="per_image").findings
    assert not A.audit_metric(correct_batch, num_classes=5, expect="per_image").passed


def test_foreground_only_is_declared_not_guessed():
    def foreground(y_true, y_pred):
        t, p, c = _labels(y_true, y_pred)
        return np.array([np.nanmean(_scores(t[i], p[i], c)[1:]) for i in range(len(t))])

    assert "wrong_value" in A.audit_metric(foreground, num_classes=5, expect="per_image").findings
    assert A.audit_metric(foreground, num_classes=5, expect=("per_image", "foreground_only")).passed


def test_bad_expect_names_the_choices():
    with pytest.raises(ValueError, match="'dice', 'per_image', 'foreground_only'"):
        A.audit_metric(correct_batch, num_classes=5, expect="micro")


# ---------------------------------------------------------------------------------------------
# binary models: one sigmoid channel
# ---------------------------------------------------------------------------------------------
def _fg(y_true, y_prob):
    return np.asarray(y_true)[..., 0] > 0.5, np.asarray(y_prob)[..., 0] >= 0.5


def binary_correct(y_true, y_prob):  # foreground IoU of the batch; nothing in truth and prediction: 0
    t, p = _fg(y_true, y_prob)
    union = (t | p).sum()
    return float((t & p).sum() / union) if union else 0.0


def binary_hard_dice_nan(y_true, y_prob):  # 0 / 0 on an empty batch
    t, p = _fg(y_true, y_prob)
    with np.errstate(all="ignore"):
        return float(2 * (t & p).sum() / (t.sum() + p.sum()))


def binary_soft_pooled_plus_one(y_true, y_prob):
    t, p = np.asarray(y_true, np.float64), np.asarray(y_prob, np.float64)
    inter = (t * p).sum()
    return float((inter + 1) / (t.sum() + p.sum() - inter + 1))


def binary_per_image(y_true, y_prob):
    t, p = _fg(y_true, y_prob)
    return np.array([binary_correct(t[i, ..., None], p[i, ..., None].astype(np.float32)) for i in range(len(t))])


@pytest.mark.parametrize(
    "metric, expected",
    [
        (binary_correct, {BD}),
        (binary_hard_dice_nan, {"dice_not_iou", "non_finite", BD}),
        (binary_soft_pooled_plus_one, {"soft_not_hard", "absent_class_as_one", BD}),
        (binary_per_image, {"per_image_not_dataset", "absent_class_as_zero"}),  # an empty image scores 0
    ],
    ids=["correct", "hard_dice_nan_on_empty", "soft_pooled_plus_one", "per_image"],
)
def test_binary_metrics(metric, expected):
    report = A.audit_metric(metric, binary=True)
    assert set(report.findings) == expected, str(report)


def test_binary_keras_metrics():
    import keras

    default = A.audit_metric(keras.metrics.BinaryIoU(), binary=True)  # averages the background in
    assert default.findings == ["wrong_value"], str(default)
    assert A.audit_metric(keras.metrics.BinaryIoU(target_class_ids=[1]), binary=True).passed
    from helpers.keras.metrics import ForegroundIoU

    assert A.audit_metric(ForegroundIoU(), binary=True).passed


def test_binary_takes_no_num_classes():
    with pytest.raises(ValueError, match="leave num_classes out"):
        A.audit_metric(binary_correct, binary=True, num_classes=5)
    with pytest.raises(ValueError, match="binary=True"):
        A.audit_metric(binary_correct)


# ---------------------------------------------------------------------------------------------
# the course, the take-home module, Keras, the question
# ---------------------------------------------------------------------------------------------
def test_the_questions_mean_iou():
    from helpers.course.buggy import mean_iou

    report = A.audit_metric(mean_iou, num_classes=5)
    # bug 1 (cast before round: constant), bug 3 (per column: no known convention), bug 4 (+1 smoothing),
    # bug 5 (one number per batch); bug 2 (rounding per channel) hides behind bug 1: one root cause, one finding
    assert report.findings == ["constant_output", "absent_class_as_one", "wrong_value", BD], str(report)


def test_numpy_reference_passes_in_labels_mode():
    report = A.audit_metric(correct_labels_reference, num_classes=5, y_true="labels", ignore_index=255)
    assert report.findings == [BD], str(report)
    assert any(c.code == "out_of_range_dropped" and c.ok and "ValueError" in c.got for c in report.checks)


def test_keras_one_hot_mean_iou_passes_and_mean_iou_misused_is_caught():
    import keras

    assert A.audit_metric(keras.metrics.OneHotMeanIoU(num_classes=5), num_classes=5).passed
    misused = A.audit_metric(keras.metrics.MeanIoU(num_classes=5), num_classes=5)
    assert misused.findings == ["constant_output"], str(misused)
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
    from packaging.version import Version

    metric = keras.metrics.MeanIoU(num_classes=5, sparse_y_pred=False, ignore_class=255)
    report = A.audit_metric(metric, num_classes=5, y_true="labels", ignore_index=255)
    if Version(keras.__version__) >= Version("3.15"):
        assert report.findings == ["out_of_range_dropped"], str(report)
    else:  # Keras < 3.15 (Colab's 3.13) raises on such labels, which is right
        assert report.passed, str(report)


def test_auditing_a_keras_metric_leaves_it_reset():
    from helpers.keras.metrics import StreamingMeanIoU

    m = StreamingMeanIoU(num_classes=5)
    A.audit_metric(m, num_classes=5)
    assert int(np.asarray(m.confusion_matrix()).sum()) == 0


def _take_home():
    from registry import take_home

    return take_home()


def _course_and_take_home_metrics():
    """(id, metric, options, allowed findings): every IoU metric the course and take_home/ ship."""
    from helpers.keras import metrics as K

    th = _take_home()
    cases = []
    for where, mod in (("helpers.keras", K), ("take_home", th)):
        cases += [
            (f"{where}.StreamingMeanIoU", mod.StreamingMeanIoU(num_classes=5), {"num_classes": 5}, ()),
            (
                f"{where}.StreamingMeanIoU-labels-255",
                mod.StreamingMeanIoU(num_classes=5, ignore_index=255),
                {"num_classes": 5, "y_true": "labels", "ignore_index": 255},
                (),
            ),
            (
                f"{where}.StreamingMeanIoU-one_hot-255",
                mod.StreamingMeanIoU(num_classes=5, ignore_index=255),
                {"num_classes": 5, "ignore_index": 255},
                (),
            ),
            (f"{where}.batch_mean_iou", mod.batch_mean_iou, {"num_classes": 5}, (BD,)),
            (f"{where}.ForegroundIoU", mod.ForegroundIoU(), {"binary": True}, ()),
        ]
    return cases


def _probe_params():
    params = []
    for case_id, metric, options, allow in _course_and_take_home_metrics():
        for probe_name, run in A.probe_cases(metric, allow=allow, **options):
            params.append(pytest.param(run, id=f"{case_id}-{probe_name}"))
    return params


@pytest.mark.parametrize("probe", _probe_params())
def test_the_course_and_take_home_metrics_pass_every_probe(probe):
    probe()


def test_the_course_and_take_home_metrics_get_only_what_is_allowed():
    for case_id, metric, options, allow in _course_and_take_home_metrics():
        report = A.audit_metric(metric, **options)
        assert set(report.findings) == set(allow), (case_id, str(report))


# ---------------------------------------------------------------------------------------------
# the pytest bridge
# ---------------------------------------------------------------------------------------------
@A.parametrize_with_probes([correct_batch], num_classes=5, allow=(BD,))
def test_parametrize_with_probes_runs_each_probe(subject, probe):
    assert subject is correct_batch
    probe()


def test_a_probe_case_fails_with_the_finding_and_its_hint():
    cases = dict(A.probe_cases(per_image, num_classes=5))
    with pytest.raises(AssertionError, match=r"\[per_image_not_dataset\].*declare expect='per_image'"):
        cases["conventions"]()
    with pytest.raises(ValueError, match="num_classes is required"):
        A.probe_cases(per_image)
    with pytest.raises(ValueError, match="'metric' or 'loss'"):
        A.probe_cases(per_image, kind="score", num_classes=5)


def test_probe_cases_for_a_loss():
    from helpers.course.buggy import iou_loss
    from helpers.keras.losses import soft_jaccard_loss

    for _, run in A.probe_cases(soft_jaccard_loss, kind="loss", num_classes=5):
        run()
    failing = [n for n, run in A.probe_cases(iou_loss, kind="loss", num_classes=5) if _raises(run)]
    assert failing == ["class_weighting"]


def _raises(run) -> bool:
    try:
        run()
    except AssertionError:
        return True
    return False


# ---------------------------------------------------------------------------------------------
# the report, validation, determinism, speed, the command line
# ---------------------------------------------------------------------------------------------
def test_report_reads_as_text_and_html():
    dice = _batch(lambda t, p, c: np.nanmean(_scores(t, p, c, "dice")))
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
        A.audit_metric(correct_batch, **kwargs)


def test_a_metric_class_instead_of_an_instance_is_explained():
    from helpers.keras.metrics import StreamingMeanIoU

    with pytest.raises(ValueError, match=r"StreamingMeanIoU\(num_classes=5\)"):
        A.audit_metric(StreamingMeanIoU, num_classes=5)


@pytest.mark.parametrize(
    "source, words",
    [
        ("import tensorflow as tf\ndef f(y_true, y_pred):\n    return tf.to_int32(y_pred)\n", "TF1 code"),
        ("def f(y_true, y_pred, n_classes):\n    return 0.0\n", "functools.partial"),
        (
            "def f(y_true, y_pred):\n    return float(y_pred.argmax(-1).astype('int32').mean())\n"
            "f = __import__('tensorflow').function(f)\n",
            "NumPy code given tensors",
        ),
    ],
    ids=["tf1", "extra_argument", "numpy_on_tensors"],
)
def test_a_crash_is_explained_by_its_cause(tmp_path, source, words):
    import importlib

    f = tmp_path / "crashing.py"
    f.write_text(source)
    spec = importlib.util.spec_from_file_location("crashing_metric", f)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = A.audit_metric(module.f, num_classes=5)
    assert report.findings == ["crashes"], str(report)
    assert words in report.checks[0].hint


def test_command_line(tmp_path, capsys):
    f = tmp_path / "mine.py"
    f.write_text(
        "import numpy as np\n\n"
        "def my_iou(y_true, y_pred):\n"
        "    t, p = y_true.argmax(-1), y_pred.argmax(-1)\n"
        "    return np.mean([(((t == k) & (p == k)).sum() + 1e-6) / (((t == k) | (p == k)).sum() + 1e-6)\n"
        "                    for k in range(5)])\n\n"
        "def my_dice(y_true, y_pred):\n"
        "    t, p = y_true[..., 0] > 0.5, y_pred[..., 0] >= 0.5\n"
        "    return np.array([2 * (a & b).sum() / max(a.sum() + b.sum(), 1) for a, b in zip(t, p)])\n"
    )
    assert A.main([f"{f}:my_iou"]) == 1
    out = capsys.readouterr().out
    assert "Audit of metric `my_iou`" in out and "absent_class_as_one" in out
    assert A.main([f"{f}:my_dice", "--binary"]) == 1
    assert "dice_not_iou" in capsys.readouterr().out
    A.main([f"{f}:my_dice", "--binary", "--expect", "dice", "--expect", "per_image"])
    out = capsys.readouterr().out
    assert "dice_not_iou" not in out.split("\n")[2] and "Declared" in out
    with pytest.raises(SystemExit, match="has no 'nope'"):
        A.main([f"{f}:nope"])
    with pytest.raises(SystemExit):
        A.main([f"{f}:my_dice", "--binary", "--num-classes", "5"])
    g = tmp_path / "loss.py"
    g.write_text("from helpers.course.buggy import iou_loss\n")
    assert A.main([f"{g}:iou_loss", "--loss"]) == 1
    assert "pixel_weighted" in capsys.readouterr().out


def test_docstring_examples():
    import doctest

    from helpers.audit import cli, pytest_probes

    for module in (A, cli, pytest_probes):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
