"""helpers.course.checks (nb01 ... nb07): each exercise check rejects the stub and a plausible wrong answer, and
accepts the solution."""

import importlib.util
import sys
from pathlib import Path

import numpy as np

from helpers.course import checks

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def _solutions(n):
    spec = importlib.util.spec_from_file_location(f"solutions_{n:02d}", SOLUTIONS / f"solutions_{n:02d}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stub(*args):
    raise NotImplementedError


def _assert_verdict(result, ok, capsys, hint=None):
    out = capsys.readouterr().out
    assert bool(result) is ok, out
    assert out.startswith("✅" if ok else "❌"), out
    if hint:
        assert hint in out, out


# --- 01 ------------------------------------------------------------------------------------
def test_labels_from_probabilities(capsys):
    import tensorflow as tf

    _assert_verdict(checks.check_labels_from_probabilities(stub), False, capsys, "Not done yet")
    cast_then_round = lambda p: tf.round(tf.cast(p, tf.int32))
    _assert_verdict(checks.check_labels_from_probabilities(cast_then_round), False, capsys, "class axis")
    rounded_then_argmax = lambda p: np.argmax(np.round(p), -1)
    _assert_verdict(checks.check_labels_from_probabilities(rounded_then_argmax), False, capsys, "lost their class")
    wrong_axis = lambda p: np.argmax(p, axis=0)
    _assert_verdict(checks.check_labels_from_probabilities(wrong_axis), False, capsys)
    _assert_verdict(checks.check_labels_from_probabilities(_solutions(1).labels_from_probabilities), True, capsys)


def test_region_sums(capsys):
    def axis1_only(t, p):
        i = np.sum(t * p, axis=1)
        return (i + 1) / (np.sum(t, 1) + np.sum(p, 1) - i + 1)

    def smoothed(t, p):
        i = np.sum(t * p, axis=(1, 2))
        return (i + 1) / (np.sum(t, (1, 2)) + np.sum(p, (1, 2)) - i + 1)

    def absent_as_one(t, p):
        i = np.sum(t * p, axis=(1, 2))
        u = np.sum(t, (1, 2)) + np.sum(p, (1, 2)) - i
        return np.where(u > 0, i / np.maximum(u, 1), 1.0)

    _assert_verdict(checks.check_region_sums(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_region_sums(axis1_only), False, capsys, "axis 1")
    _assert_verdict(checks.check_region_sums(smoothed), False, capsys, "no +1")
    _assert_verdict(checks.check_region_sums(absent_as_one), False, capsys, "reward for nothing")
    _assert_verdict(checks.check_region_sums(_solutions(1).iou_per_image_and_class), True, capsys)


# --- 02 ------------------------------------------------------------------------------------
def test_iou_of_masks(capsys):
    def dice(a, b):
        return 2 * np.sum(a & b) / (np.sum(a) + np.sum(b))

    def empty_is_one(a, b):
        u = np.sum(a | b)
        return 1.0 if u == 0 else np.sum(a & b) / u

    _assert_verdict(checks.check_iou_of_masks(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_iou_of_masks(dice), False, capsys, "Dice")
    _assert_verdict(checks.check_iou_of_masks(empty_is_one), False, capsys, "counting absent classes")
    _assert_verdict(checks.check_iou_of_masks(_solutions(2).iou_of_masks), True, capsys)


def test_mean_iou_from_confusion_matrix(capsys):
    def absent_as_zero(cm):
        cm = np.asarray(cm, float)
        tp = np.diag(cm)
        u = cm.sum(0) + cm.sum(1) - tp
        return float(np.mean(np.where(u > 0, tp / np.maximum(u, 1), 0.0)))

    def recall(cm):
        cm = np.asarray(cm, float)
        rows = cm.sum(1)
        return float(np.mean(np.diag(cm)[rows > 0] / rows[rows > 0]))

    def truth_present_only(cm):
        cm = np.asarray(cm, float)
        tp = np.diag(cm)
        u = cm.sum(0) + cm.sum(1) - tp
        keep = cm.sum(1) > 0
        return float(np.mean(tp[keep] / u[keep]))

    _assert_verdict(checks.check_mean_iou_from_confusion_matrix(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_mean_iou_from_confusion_matrix(absent_as_zero), False, capsys, "counted it as 0")
    _assert_verdict(checks.check_mean_iou_from_confusion_matrix(recall), False, capsys, "recall")
    _assert_verdict(checks.check_mean_iou_from_confusion_matrix(truth_present_only), False, capsys, "never appears")
    _assert_verdict(
        checks.check_mean_iou_from_confusion_matrix(_solutions(2).mean_iou_from_confusion_matrix), True, capsys
    )


# --- 03 ------------------------------------------------------------------------------------
def test_accumulate_confusion_matrix(capsys):
    def last_batch_only(cm, t, p):
        c = cm.shape[0]
        return np.bincount(t.ravel() * c + p.ravel(), minlength=c * c).reshape(c, c)

    def transposed(cm, t, p):
        c = cm.shape[0]
        return cm + np.bincount(p.ravel() * c + t.ravel(), minlength=c * c).reshape(c, c)

    def floats(cm, t, p):
        c = cm.shape[0]
        return cm + np.bincount(t.ravel() * c + p.ravel(), minlength=c * c).reshape(c, c).astype(np.float32)

    _assert_verdict(checks.check_accumulate_confusion_matrix(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_accumulate_confusion_matrix(last_batch_only), False, capsys, "last batch")
    _assert_verdict(checks.check_accumulate_confusion_matrix(transposed), False, capsys, "swapped")
    _assert_verdict(checks.check_accumulate_confusion_matrix(floats), False, capsys, "integers")
    _assert_verdict(checks.check_accumulate_confusion_matrix(_solutions(3).accumulate_confusion_matrix), True, capsys)


def test_keras_metric_for_one_hot(capsys):
    import keras

    _assert_verdict(checks.check_keras_metric_for_one_hot(stub), False, capsys, "Not done yet")
    _assert_verdict(
        checks.check_keras_metric_for_one_hot(lambda: keras.metrics.MeanIoU(num_classes=3)),
        False,
        capsys,
        "sparse_y_true=False",
    )
    _assert_verdict(checks.check_keras_metric_for_one_hot(lambda: 0.5), False, capsys, "metric OBJECT")
    _assert_verdict(checks.check_keras_metric_for_one_hot(_solutions(3).make_metric), True, capsys)
    sparse_flags = lambda: keras.metrics.MeanIoU(3, sparse_y_true=False, sparse_y_pred=False)
    _assert_verdict(checks.check_keras_metric_for_one_hot(sparse_flags), True, capsys)
    too_many = lambda: keras.metrics.OneHotMeanIoU(num_classes=5)  # same value here: classes 3, 4 never occur
    _assert_verdict(checks.check_keras_metric_for_one_hot(too_many), False, capsys, "3 classes: num_classes=3")


# --- 05 ------------------------------------------------------------------------------------
def test_best_epoch(capsys):
    _assert_verdict(checks.check_best_epoch(stub), False, capsys, "Not done yet")
    _assert_verdict(
        checks.check_best_epoch(lambda h: int(np.argmin(h["val_loss"]))), False, capsys, "lowest validation loss"
    )
    _assert_verdict(checks.check_best_epoch(lambda h: int(np.argmax(h["mean_iou"]))), False, capsys, "TRAINING")
    _assert_verdict(checks.check_best_epoch(_solutions(5).best_epoch), True, capsys)


def test_pooled_loss_from_accuracy(capsys):
    _assert_verdict(checks.check_pooled_loss_from_accuracy(stub), False, capsys, "Not done yet")
    _assert_verdict(
        checks.check_pooled_loss_from_accuracy(lambda a, n: 1 - (a * n + 1) / (n + 1)), False, capsys, "union is not n"
    )
    _assert_verdict(
        checks.check_pooled_loss_from_accuracy(lambda a, n: 1 - a * n / (2 * n - a * n)), False, capsys, "smoothing"
    )
    _assert_verdict(checks.check_pooled_loss_from_accuracy(_solutions(5).pooled_loss_from_accuracy), True, capsys)


# --- 06 ------------------------------------------------------------------------------------
def test_worst_images(capsys):
    _assert_verdict(checks.check_worst_images(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_worst_images(lambda v, k: np.argsort(-v)[:k]), False, capsys)
    _assert_verdict(
        checks.check_worst_images(lambda v, k: np.argsort(np.nan_to_num(v, nan=-1))[:k]), False, capsys, "NaN"
    )
    _assert_verdict(checks.check_worst_images(lambda v, k: sorted(np.argsort(v)[:k])), False, capsys, "wrong order")
    _assert_verdict(checks.check_worst_images(_solutions(6).worst_images), True, capsys)


def test_void_band(capsys):
    def in_place(m, b):
        m[b] = 255
        return m

    _assert_verdict(checks.check_void_band(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_void_band(in_place), False, capsys, "changed the input")
    _assert_verdict(checks.check_void_band(lambda m, b: np.where(b, 0, m)), False, capsys, "Void is not background")
    _assert_verdict(checks.check_void_band(_solutions(6).with_void_band), True, capsys)


# --- 04 ------------------------------------------------------------------------------------
def test_soft_iou(capsys):
    def hard(y, p):
        b = p > 0.5
        return (y * b).sum() / ((y + b) > 0).sum()

    _assert_verdict(checks.check_soft_iou(stub), False, capsys, "Not done yet")
    _assert_verdict(checks.check_soft_iou(hard), False, capsys, "no gradient")
    _assert_verdict(checks.check_soft_iou(lambda y, p: 2 * (y * p).sum() / (y.sum() + p.sum())), False, capsys, "Dice")
    _assert_verdict(checks.check_soft_iou(lambda y, p: (y * p).sum() / (y.sum() + p.sum())), False, capsys, "twice")
    _assert_verdict(checks.check_soft_iou(_solutions(4).soft_iou), True, capsys)


def test_dice_from_jaccard(capsys):
    _assert_verdict(checks.check_dice_from_jaccard(stub), False, capsys, "Not done yet")
    _assert_verdict(
        checks.check_dice_from_jaccard(lambda j: j / (2 - j)), False, capsys, "invert it: solve J = D/(2-D) for D"
    )
    _assert_verdict(checks.check_dice_from_jaccard(lambda j: 2 * j), False, capsys)
    _assert_verdict(checks.check_dice_from_jaccard(_solutions(4).dice_from_jaccard), True, capsys)


# ---------------------------------------------------------------------------------------------
# notebook 07
# ---------------------------------------------------------------------------------------------
def test_check_fixed_metric(capsys):
    sys.path.insert(0, "notebooks/solutions")
    from solutions_07 import fixed_mean_iou

    from helpers.course.checks.nb07 import check_fixed_metric

    assert not check_fixed_metric(stub)
    assert "Not done yet" in capsys.readouterr().out

    def smoothed(y_true, y_pred):
        import tensorflow as tf

        y_pred = tf.one_hot(tf.argmax(y_pred, -1), 5)
        inter = tf.reduce_sum(y_true * y_pred, axis=[1, 2])
        union = tf.reduce_sum(y_true, axis=[1, 2]) + tf.reduce_sum(y_pred, axis=[1, 2]) - inter
        return tf.reduce_mean((inter + 1e-6) / (union + 1e-6))

    assert not check_fixed_metric(smoothed)
    assert "absent_class_as_one" in capsys.readouterr().out

    def per_image(y_true, y_pred):  # right per image, but a mean over images: a different quantity
        import tensorflow as tf

        y_pred = tf.one_hot(tf.argmax(y_pred, -1), 5)
        inter = tf.reduce_sum(y_true * y_pred, axis=[1, 2])
        union = tf.reduce_sum(y_true, axis=[1, 2]) + tf.reduce_sum(y_pred, axis=[1, 2]) - inter
        present = tf.cast(union > 0, tf.float32)
        iou = tf.math.divide_no_nan(inter, union)
        return tf.reduce_mean(tf.reduce_sum(iou * present, -1) / tf.reduce_sum(present, -1))

    def numpy_only(y_true, y_pred):  # right values, but it cannot run inside model.compile
        import numpy as np

        t, p = np.asarray(y_true).argmax(-1), np.asarray(y_pred).argmax(-1)
        cm = np.bincount((t * 5 + p).ravel(), minlength=25).reshape(5, 5)
        tp, union = np.diag(cm), cm.sum(0) + cm.sum(1) - np.diag(cm)
        return float(np.mean(tp[union > 0] / union[union > 0]))

    assert not check_fixed_metric(numpy_only)
    assert "NumPy code" in capsys.readouterr().out
    assert not check_fixed_metric(per_image)
    out = capsys.readouterr().out
    assert "A different quantity" in out and "mean of per-image IoUs" in out and "Right" not in out
    assert check_fixed_metric(fixed_mean_iou)
    from helpers.keras.metrics import batch_mean_iou

    assert check_fixed_metric(batch_mean_iou)
    assert "StreamingMeanIoU" in capsys.readouterr().out


def test_check_palette_to_labels(capsys):
    sys.path.insert(0, "notebooks/solutions")
    from solutions_07 import palette_to_labels

    from helpers.course.checks.nb07 import check_palette_to_labels

    assert not check_palette_to_labels(stub)

    def red_channel_only(mask, palette, void_colour):
        reds = {c[0]: k for k, c in enumerate(palette)}
        return np.vectorize(lambda r: reds.get(r, 255))(mask[..., 0])

    assert not check_palette_to_labels(red_channel_only)
    assert "ALL three channels" in capsys.readouterr().out

    def silent(mask, palette, void_colour):
        labels = np.zeros(mask.shape[:2], int)
        for k, c in enumerate(palette):
            labels[np.all(mask == c, -1)] = k
        labels[np.all(mask == void_colour, -1)] = 255
        return labels

    assert not check_palette_to_labels(silent)
    assert "raise" in capsys.readouterr().out
    assert check_palette_to_labels(palette_to_labels)
