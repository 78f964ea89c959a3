"""helpers.audit.probes_loss: every loss code catches a deliberately wrong loss, with exactly that code; the
course's losses, the take-home module's and Keras's cross-entropies pass in every mode they support."""

from functools import partial
from pathlib import Path

import numpy as np
import pytest

from helpers import audit as A
from helpers.audit import probes_loss as P

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

C = 5
M5 = {"num_classes": C}
L5 = {"num_classes": C, "y_true": "labels", "ignore_index": 255}
B1 = {"binary": True}
TAKE_HOME_PATH = Path(__file__).resolve().parents[1] / "take_home" / "iou_keras.py"


def _take_home():
    from registry import take_home

    return take_home()


# ---------------------------------------------------------------------------------------------
# a correct soft IoU loss, and deliberately wrong ones: one defect each, float32 sums unless the defect is float16
# ---------------------------------------------------------------------------------------------
def _sums(y, p):
    axes = list(range(p.shape.rank - 1))  # every axis but the classes: one soft IoU per class over the batch
    inter = tf.reduce_sum(y * p, axes)
    return inter, tf.reduce_sum(y, axes) + tf.reduce_sum(p, axes) - inter, tf.reduce_sum(y, axes)


def _mean_present(score, size):
    present = tf.cast(size > 0, score.dtype)
    return tf.math.divide_no_nan(tf.reduce_sum(score * present), tf.reduce_sum(present))


def soft_iou_loss(y_true, y_pred):
    """Correct: 1 - the mean soft IoU over the classes present, in float32 (one sigmoid channel works too)."""
    return soft_iou_in_input_dtype(tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32))


def soft_iou_on_labels(y_true, y_pred):
    """Correct on label maps, void pixels (255) left out of truth and prediction."""
    p, labels = tf.cast(y_pred, tf.float32), tf.cast(y_true, tf.int32)
    keep = tf.cast(labels != 255, tf.float32)[..., None]
    return soft_iou_loss(tf.one_hot(tf.where(labels == 255, 0, labels), p.shape[-1]) * keep, p * keep)


def soft_iou_in_input_dtype(y_true, y_pred):  # float16_inaccurate: sums in float16 saturate at 2048
    y = tf.cast(y_true, y_pred.dtype)
    inter, union, size = _sums(y, y_pred)
    return 1.0 - _mean_present(tf.math.divide_no_nan(inter, union), size)


def reshape_crashes(y_true, y_pred):  # crashes
    return tf.reduce_mean(tf.reshape(y_pred, [-1, 3]))


def hard_iou_loss(y_true, y_pred):  # no_gradient: argmax inside
    return soft_iou_loss(y_true, tf.one_hot(tf.argmax(y_pred, axis=-1), y_pred.shape[-1]))


def numpy_iou_loss(y_true, y_pred):  # no_gradient: NumPy code returns an array
    y, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    inter = (y * p).sum((0, 1, 2))
    union = y.sum((0, 1, 2)) + p.sum((0, 1, 2)) - inter
    present = y.sum((0, 1, 2)) > 0
    return 1.0 - float(np.mean(inter[present] / union[present]))


def iou_not_loss(y_true, y_pred):  # not_minimised_by_truth: the IoU itself, not 1 - IoU
    return 1.0 - soft_iou_loss(y_true, y_pred)


def pooled_iou_loss(y_true, y_pred):  # pixel_weighted: one IoU over all classes pooled
    y, p = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
    inter = tf.reduce_sum(y * p)
    return 1.0 - inter / (tf.reduce_sum(y) + tf.reduce_sum(p) - inter)


def unguarded_iou_loss(y_true, y_pred):  # non_finite: 0/0 for a class absent from truth and prediction
    inter, union, _ = _sums(tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32))
    return 1.0 - tf.reduce_mean(inter / union)


def where_guarded_iou_loss(y_true, y_pred):  # nan_gradient: tf.where hides the 0/0 from the value only
    inter, union, size = _sums(tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32))
    return 1.0 - _mean_present(tf.where(union > 0, inter / union, 0.0), size)


def sqrt_iou_loss(y_true, y_pred):  # nan_gradient: sqrt at 0, the exact truth
    return tf.sqrt(soft_iou_loss(y_true, y_pred))


def labels_without_mask(y_true, y_pred):  # void_counted: one_hot(255) is an all-zero row, but p still counts
    return soft_iou_loss(tf.one_hot(tf.cast(y_true, tf.int32), y_pred.shape[-1]), y_pred)


def dice_without_smoothing(y_true, y_pred):  # binary non_finite: 0/0 on an empty batch with an empty prediction
    y, p = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
    return 1.0 - 2.0 * tf.reduce_sum(y * p) / (tf.reduce_sum(y) + tf.reduce_sum(p))


def where_guarded_dice(y_true, y_pred):  # binary nan_gradient: the value is 1 there, the gradient NaN
    y, p = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
    den = tf.reduce_sum(y) + tf.reduce_sum(p)
    return 1.0 - tf.where(den > 0, 2.0 * tf.reduce_sum(y * p) / den, 0.0)


def dice_in_float16(y_true, y_pred):  # float16_inaccurate even on float32 inputs: it casts to float16 itself
    y, p = tf.cast(y_true, tf.float16), tf.cast(y_pred, tf.float16)
    axes = list(range(p.shape.rank - 1))
    inter, total = tf.reduce_sum(y * p, axes), tf.reduce_sum(y + p, axes)
    return tf.cast(1.0 - tf.reduce_mean((2.0 * inter + 1.0) / (total + 1.0)), tf.float32)


WRONG = [
    ("crashes", reshape_crashes, M5),
    ("no_gradient", hard_iou_loss, M5),
    ("no_gradient", numpy_iou_loss, M5),
    ("not_minimised_by_truth", iou_not_loss, M5),
    ("pixel_weighted", pooled_iou_loss, M5),
    ("non_finite", unguarded_iou_loss, M5),
    ("non_finite", dice_without_smoothing, B1),
    ("nan_gradient", where_guarded_iou_loss, M5),
    ("nan_gradient", sqrt_iou_loss, M5),
    ("nan_gradient", where_guarded_dice, B1),
    ("float16_inaccurate", soft_iou_in_input_dtype, M5),
    ("float16_inaccurate", soft_iou_in_input_dtype, B1),
    ("float16_inaccurate", dice_in_float16, M5),
    ("void_counted", soft_iou_loss, {**M5, "ignore_index": 255}),  # all-zero one-hot rows in the union
    ("void_counted", labels_without_mask, L5),
    ("void_counted", soft_iou_loss, {**B1, "ignore_index": 255}),  # 255 in a 0/1 mask, counted as a weight
]


def test_every_loss_code_has_a_wrong_loss():
    assert {code for code, _, _ in WRONG} == set(A.LOSS_FINDINGS)
    assert {"void_counted", "float16_inaccurate", "nan_gradient"} <= set(A.LOSS_FINDINGS)


@pytest.mark.parametrize(
    "code, loss, options", WRONG, ids=[f"{c}-{f.__name__}-{'-'.join(map(str, o.values()))}" for c, f, o in WRONG]
)
def test_each_wrong_loss_gets_exactly_its_code(code, loss, options):
    report = A.audit_loss(loss, **options)
    assert report.findings == [code], str(report)


@pytest.mark.parametrize(
    "loss, options",
    [(soft_iou_loss, M5), (soft_iou_on_labels, L5), (soft_iou_loss, B1)],
    ids=["one_hot", "labels-255", "binary"],
)
def test_a_correct_soft_iou_passes(loss, options):
    report = A.audit_loss(loss, **options)
    assert report.passed, str(report)


# ---------------------------------------------------------------------------------------------
# one root cause, one finding; no finding hides another; never a pass while a value is off
# ---------------------------------------------------------------------------------------------
def test_two_defects_give_two_findings():
    def unguarded_in_float16(y_true, y_pred):
        inter, union, _ = _sums(tf.cast(y_true, y_pred.dtype), y_pred)
        return 1.0 - tf.reduce_mean(inter / union)

    def unclipped_cross_entropy(y_true, y_pred):
        y, p = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
        return -tf.reduce_mean(tf.reduce_sum(y * tf.math.log(p), axis=-1))

    assert A.audit_loss(unguarded_in_float16, **M5).findings == ["non_finite", "float16_inaccurate"]
    assert A.audit_loss(unclipped_cross_entropy, **M5).findings == ["pixel_weighted", "non_finite"]


def test_a_nan_value_is_non_finite_and_never_passes_a_check():
    report = A.audit_loss(lambda y_true, y_pred: tf.constant(np.nan) * tf.reduce_sum(y_pred), **M5)
    assert report.findings == ["non_finite"], str(report)
    assert not any(check.ok for check in report.checks), str(report)


def test_a_nan_value_is_not_also_a_nan_gradient():
    """A per-class Dice without smoothing: the same 0/0 makes value and gradient NaN, one finding (non_finite)."""

    def dice_per_class(y_true, y_pred):
        y, p = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
        inter, _, size = _sums(y, p)
        return 1.0 - tf.reduce_mean(2.0 * inter / (size + tf.reduce_sum(p, [0, 1, 2])))

    assert A.audit_loss(dice_per_class, **M5).findings == ["non_finite"]


# ---------------------------------------------------------------------------------------------
# crashes: the hint names the cause
# ---------------------------------------------------------------------------------------------
def tf1_loss(y_true, y_pred):
    return -tf.reduce_mean(y_true * tf.log(y_pred))  # tf.log: TensorFlow 1


def tf1_cast_loss(y_true, y_pred):
    return tf.reduce_mean(tf.to_float(y_true) * y_pred)  # tf.to_float: TensorFlow 1


def keras2_backend_loss(y_true, y_pred):
    from keras import backend as K

    return 1.0 - K.sum(y_true * y_pred) / K.sum(y_true + y_pred)


def dice_with_smooth(y_true, y_pred, smooth):
    return soft_iou_loss(y_true, y_pred) + 0 * smooth


def make_loss(smooth=1.0):
    return lambda y_true, y_pred: soft_iou_loss(y_true, y_pred)


def channels_first_loss(y_true, y_pred):
    return tf.reduce_mean(y_true * tf.transpose(y_pred, [0, 3, 1, 2]))


def numpy_methods_loss(y_true, y_pred):
    return float((y_true.argmax(-1) == y_pred.argmax(-1)).mean())


@pytest.mark.parametrize(
    "loss, words",
    [
        (tf1_loss, "TensorFlow 1"),
        (tf1_cast_loss, "TF1 code"),
        (keras2_backend_loss, "Keras 2 code: keras.backend.sum"),
        (dice_with_smooth, "'smooth' is a required argument"),
        (make_loss, "factory"),
        (channels_first_loss, "channels first"),
        (numpy_methods_loss, "NumPy methods on tensors"),
        (reshape_crashes, "as Keras passes them"),
    ],
    ids=["tf1", "tf1_cast", "keras2", "extra_argument", "factory", "channels_first", "numpy", "unknown"],
)
def test_a_crash_is_explained_by_its_cause(loss, words):
    report = A.audit_loss(loss, **M5)
    assert report.findings == ["crashes"] and len(report.checks) == 1, str(report)
    assert words in report.checks[0].hint, report.checks[0].hint


def test_numpy_code_is_no_gradient_with_its_own_words():
    check = next(c for c in A.audit_loss(numpy_iou_loss, **M5).checks if c.code == "no_gradient")
    assert "NumPy" in check.hint and "argmax" not in check.hint


def test_a_sparse_loss_that_raises_on_void_labels_is_told_about_ignore_class():
    report = A.audit_loss(keras.losses.SparseCategoricalCrossentropy(), **L5)
    assert report.findings == ["crashes"], str(report)
    assert "ignore_class=255" in report.checks[-1].hint


# ---------------------------------------------------------------------------------------------
# what passes: the course's losses, the take-home module's, Keras's cross-entropies
# ---------------------------------------------------------------------------------------------
def _course(ignore_index=None):
    from helpers.keras import losses as L

    void = {} if ignore_index is None else {"ignore_index": ignore_index}
    return {
        "soft_jaccard_loss": partial(L.soft_jaccard_loss, **void) if void else L.soft_jaccard_loss,
        "soft_dice_loss": partial(L.soft_dice_loss, **void) if void else L.soft_dice_loss,
        "ce_jaccard_loss(0.5)": L.ce_jaccard_loss(0.5, **void),
        "lovasz_softmax_loss": partial(L.lovasz_softmax_loss, **void) if void else L.lovasz_softmax_loss,
        "SoftJaccardLoss()": L.SoftJaccardLoss(**void),
        "SoftDiceLoss()": L.SoftDiceLoss(**void),
        "CEJaccardLoss(0.5)": L.CEJaccardLoss(0.5, **void),
        "LovaszSoftmaxLoss()": L.LovaszSoftmaxLoss(**void),
    }


COURSE = list(_course())
MODES = {"one_hot": (M5, None), "labels-255": (L5, 255), "binary": (B1, None), "binary-255": (B1, 255)}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", COURSE)
def test_the_course_losses_pass_in_every_mode(name, mode):
    options, ignore_index = MODES[mode]
    options = {**options, "ignore_index": ignore_index} if ignore_index is not None else options
    report = A.audit_loss(_course(ignore_index)[name], **options)
    assert report.passed, str(report)


@pytest.mark.parametrize("options", [M5, {**M5, "y_true": "labels"}], ids=["one_hot", "labels"])
def test_the_pooled_course_loss_keeps_pixel_weighted(options):
    from helpers.keras.losses import soft_jaccard_loss

    assert A.audit_loss(partial(soft_jaccard_loss, pooled=True), **options).findings == ["pixel_weighted"]


def _take_home_cases():
    th = _take_home()
    void = {"ignore_index": 255}
    return [
        pytest.param(th.soft_jaccard_loss, M5, id="soft_jaccard_loss-one_hot"),
        pytest.param(th.soft_jaccard_loss, {**M5, "y_true": "labels"}, id="soft_jaccard_loss-labels"),
        pytest.param(th.SoftJaccardLoss(**void), L5, id="SoftJaccardLoss-labels-255"),
        pytest.param(th.SoftJaccardLoss(**void), {**M5, **void}, id="SoftJaccardLoss-one_hot-255"),
        pytest.param(th.BinarySoftJaccardLoss(), B1, id="BinarySoftJaccardLoss"),
        pytest.param(th.BinarySoftDiceLoss(), B1, id="BinarySoftDiceLoss"),
        pytest.param(th.BinaryCEJaccardLoss(), B1, id="BinaryCEJaccardLoss"),
        pytest.param(th.BinaryCEJaccardLoss(**void), {**B1, **void}, id="BinaryCEJaccardLoss-255"),
    ]


@pytest.mark.parametrize("loss, options", _take_home_cases())
def test_the_take_home_losses_pass(loss, options):
    report = A.audit_loss(loss, **options)
    assert report.passed, str(report)


@pytest.mark.parametrize(
    "make, options",
    [
        (lambda: keras.losses.CategoricalCrossentropy(), M5),
        (lambda: keras.losses.SparseCategoricalCrossentropy(), {**M5, "y_true": "labels"}),
        (lambda: keras.losses.SparseCategoricalCrossentropy(ignore_class=255), L5),
        (lambda: keras.losses.BinaryCrossentropy(), B1),
    ],
    ids=["CategoricalCrossentropy", "SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy-255", "BCE"],
)
def test_keras_cross_entropies_pass(make, options):
    report = A.audit_loss(make(), **options)
    assert report.passed, str(report)


def test_keras_cross_entropy_gets_a_note_not_a_finding_for_pixel_weighting():
    check = next(
        c for c in A.audit_loss(keras.losses.CategoricalCrossentropy(), **M5).checks if c.code == "pixel_weighted"
    )
    assert check.ok and "by design" in check.hint


# ---------------------------------------------------------------------------------------------
# the probes, the arguments, the report
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", P.MODES)
def test_every_probe_returns_checks_or_why_not(mode):
    from helpers.keras.losses import SoftJaccardLoss

    subject = P.LossUnderAudit(SoftJaccardLoss(ignore_index=255), 2 if mode == "binary" else C, mode, 255)
    for probe in P.LOSS_PROBES:
        outcome = probe(subject)
        assert isinstance(outcome, (list, P.Skipped)), probe.__name__
        for check in outcome if isinstance(outcome, list) else []:
            assert check.code in A.LOSS_FINDINGS and check.ok, (probe.__name__, check)


def test_a_channels_first_loss_is_said_to_be_one():
    def dice_loss_channels_first(y_true, y_pred):  # PyTorch's (B, C, H, W): sums over the batch and the pixels
        inter = tf.reduce_sum(y_true * y_pred, [0, 2, 3])
        total = tf.reduce_sum(y_true + y_pred, [0, 2, 3])
        return 1.0 - tf.reduce_mean((2.0 * inter + 1.0) / (total + 1.0))

    report = A.audit_loss(dice_loss_channels_first, num_classes=5)
    assert "pixel_weighted" in report.findings, str(report)
    hint = next(c.hint for c in report.checks if c.code == "pixel_weighted")
    assert "axis 1" in hint and "(B, C, H, W)" in hint
    from helpers.course.buggy import iou_loss  # pixel-weighted in any layout: no word about channels

    assert "axis 1" not in next(c.hint for c in A.audit_loss(iou_loss, num_classes=5).checks if not c.ok)


def test_the_float16_probe_is_realistic():
    labels, _ = P._large_inputs(C)
    assert all((labels == k).sum() >= 10**5 for k in range(C))
    labels, _ = P._large_inputs(2)
    assert all((labels == k).sum() >= 10**5 for k in range(2))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "num_classes is required"),
        ({"num_classes": 1}, "num_classes must be at least 2"),
        ({"num_classes": 5, "binary": True}, "leave num_classes out"),
        ({"binary": True, "y_true": "labels"}, "leave y_true out"),
        ({"num_classes": 5, "y_true": "sparse"}, "'one_hot' or 'labels'"),
        ({"num_classes": 5, "ignore_index": 3}, "is a real class"),
    ],
)
def test_bad_arguments_name_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        A.audit_loss(soft_iou_loss, **kwargs)


def test_a_loss_class_instead_of_an_instance_is_explained():
    with pytest.raises(ValueError, match=r"BinaryCrossentropy\(\), binary=True"):
        A.audit_loss(keras.losses.BinaryCrossentropy, binary=True)


def test_the_setting_says_how_the_loss_is_fed():
    assert "int32 label maps" in A.audit_loss(soft_iou_on_labels, **L5).setting
    assert A.audit_loss(soft_iou_loss, **B1).setting.startswith("binary; y_true 0/1 float32 (B, H, W, 1)")


def test_the_loss_audit_is_deterministic():
    assert str(A.audit_loss(where_guarded_iou_loss, **M5)) == str(A.audit_loss(where_guarded_iou_loss, **M5))
