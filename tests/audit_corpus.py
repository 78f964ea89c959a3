"""The audit corpus of issue 22: real IoU / Dice metrics and losses, re-implemented in our own words.

Each function below re-implements the *pattern* of one metric or loss found in a public repository
(``benchmarks/audit/corpus.md`` gives the source, a one-line description and the verdict). No code was
copied: the originals' licences differ. PyTorch and TF1 originals are ported to TensorFlow 2 / Keras 3,
channels-last, unless the entry is about channels-first input; NumPy originals stay NumPy.

:data:`CORPUS` lists one :class:`Entry` per function: how to audit it (``kind`` and the ``options`` of
``helpers.audit.audit_metric`` / ``audit_loss``) and the exact set of finding codes that a correct audit
reports (``expected``). Settings: ``M5`` one-hot ``(B, H, W, 5)`` with softmax; ``L5`` int label maps
``(B, H, W)``; ``B1`` one sigmoid channel ``(B, H, W, 1)`` with 0/1 truth.

This module stands alone (TensorFlow, Keras, NumPy): it imports nothing from ``helpers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

__all__ = ["Entry", "CORPUS"]


@dataclass(frozen=True)
class Entry:
    """One corpus entry: ``target`` is the function, or a factory returning a fresh Keras metric (``factory``)."""

    id: str
    target: object
    kind: str  # "metric" or "loss"
    options: dict = field(default_factory=dict)
    expected: frozenset = frozenset()
    source: str = ""  # "owner/repo path@commit7"
    factory: bool = False

    def make(self):
        """What is audited: the function itself, or a fresh instance from the factory."""
        return self.target() if self.factory else self.target

    @property
    def name(self) -> str:
        return getattr(self.target, "__name__", self.id)


def _f32(x):
    return tf.cast(x, tf.float32)


# =============================================================================================
# metrics
# =============================================================================================
def c01_sm_iou_score_threshold(y_true, y_pred):
    """Per-class IoU over the whole batch of the prediction cut at > 0.5, 1e-5 on both sides, mean of classes (C01)."""
    t, p = _f32(y_true), _f32(_f32(y_pred) > 0.5)
    inter = tf.reduce_sum(t * p, axis=[0, 1, 2])
    union = tf.reduce_sum(t + p, axis=[0, 1, 2]) - inter
    return tf.reduce_mean((inter + 1e-5) / (union + 1e-5))


def c02_keras_unet_iou(y_true, y_pred):
    """One soft IoU of the flattened batch (probabilities, not a mask), +1 in numerator and denominator (C02)."""
    t, p = tf.reshape(_f32(y_true), [-1]), tf.reshape(_f32(y_pred), [-1])
    inter = tf.reduce_sum(t * p)
    return (inter + 1.0) / (tf.reduce_sum(t) + tf.reduce_sum(p) - inter + 1.0)


def c03_keras_unet_iou_thresholded(y_true, y_pred):
    """One IoU of the flattened batch after binarising the prediction at >= 0.5, +1 on both sides (C03)."""
    t = tf.reshape(_f32(y_true), [-1])
    p = tf.reshape(tf.where(_f32(y_pred) >= 0.5, 1.0, 0.0), [-1])
    inter = tf.reduce_sum(t * p)
    return (inter + 1.0) / (tf.reduce_sum(t) + tf.reduce_sum(p) - inter + 1.0)


def c04_keras_unet_iou_np_imgwise(y_true, y_pred):
    """NumPy: per-image IoU vector (rows of length H*H: square single-channel images), cut at > 0.5, +1 (C04)."""
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    n, side = y_true.shape[0], y_true.shape[1]
    t = y_true.reshape((n, side * side))
    p = (y_pred.reshape((n, side * side)) > 0.5) * 1.0
    inter = t * p
    return (inter.sum(axis=1) + 1.0) / ((t + p - inter).sum(axis=1) + 1.0)


class c05_isk_evaluate_mean_iu(keras.metrics.Metric):
    """Per-class TP/FP/FN accumulated over the dataset; mean of TP/(TP+FP+FN+1e-12) over *all* classes (C05)."""

    def __init__(self, num_classes=5, name="c05_isk_evaluate_mean_iu", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        self.tp = self.add_variable(shape=(num_classes,), initializer="zeros", name="tp")
        self.fp = self.add_variable(shape=(num_classes,), initializer="zeros", name="fp")
        self.fn = self.add_variable(shape=(num_classes,), initializer="zeros", name="fn")

    def update_state(self, y_true, y_pred, sample_weight=None):
        gt = tf.one_hot(tf.argmax(y_true, axis=-1), self.num_classes)
        pr = tf.one_hot(tf.argmax(y_pred, axis=-1), self.num_classes)
        axes = [0, 1, 2]
        self.tp.assign_add(tf.reduce_sum(pr * gt, axis=axes))
        self.fp.assign_add(tf.reduce_sum(pr * (1.0 - gt), axis=axes))
        self.fn.assign_add(tf.reduce_sum((1.0 - pr) * gt, axis=axes))

    def result(self):
        return tf.reduce_mean(self.tp / (self.tp + self.fp + self.fn + 1e-12))


def c06_pytorch_unet_evaluate_dice(y_true, y_pred):
    """Hard Dice per (image, class) of argmax masks, background dropped; an empty pair scores 1; mean (C06)."""
    c = y_pred.shape[-1]
    t = tf.one_hot(tf.argmax(y_true, axis=-1), c)[..., 1:]
    p = tf.one_hot(tf.argmax(y_pred, axis=-1), c)[..., 1:]
    inter2 = 2.0 * tf.reduce_sum(t * p, axis=[1, 2])
    sets = tf.reduce_sum(t, axis=[1, 2]) + tf.reduce_sum(p, axis=[1, 2])
    sets = tf.where(sets == 0, inter2, sets)
    return tf.reduce_mean((inter2 + 1e-6) / (sets + 1e-6))


def c07_keras_mean_iou_defaults():
    """keras.metrics.MeanIoU(num_classes=5) with its sparse defaults, fed one-hot truth and probabilities (C07)."""
    return keras.metrics.MeanIoU(num_classes=5, name="c07_keras_mean_iou_defaults")


def c08_keras_mean_iou_labels():
    """keras.metrics.MeanIoU on label maps and probabilities, ignore_class=255 (Keras >= 3.15 masks range) (C08)."""
    return keras.metrics.MeanIoU(
        num_classes=5, sparse_y_true=True, sparse_y_pred=False, ignore_class=255, name="c08_keras_mean_iou_labels"
    )


def c09_keras_one_hot_mean_iou():
    """keras.metrics.OneHotMeanIoU(num_classes=5): streaming confusion matrix of argmaxes, the reference (C09)."""
    return keras.metrics.OneHotMeanIoU(num_classes=5, name="c09_keras_one_hot_mean_iou")


def c10_keras_one_hot_mean_iou_ignore():
    """OneHotMeanIoU(ignore_class=255) on one-hot truth whose void rows are all zero: they argmax to class 0 (C10)."""
    return keras.metrics.OneHotMeanIoU(num_classes=5, ignore_class=255, name="c10_keras_one_hot_mean_iou_ignore")


def c11_keras_binary_iou_default():
    """keras.metrics.BinaryIoU() with its default target_class_ids=(0, 1): background IoU averaged in (C11)."""
    return keras.metrics.BinaryIoU(name="c11_keras_binary_iou_default")


def c12_keras_binary_iou_foreground():
    """keras.metrics.BinaryIoU(target_class_ids=[1]): foreground IoU at >= 0.5, streamed (C12)."""
    return keras.metrics.BinaryIoU(target_class_ids=[1], name="c12_keras_binary_iou_foreground")


class _ConfusionMetric(keras.metrics.Metric):
    """A streaming C x C confusion matrix of argmax labels taken over ``axis`` (tf.math.confusion_matrix
    raises on labels outside [0, C))."""

    axis = -1

    def __init__(self, num_classes=5, name=None, **kwargs):
        super().__init__(name=name or type(self).__name__, **kwargs)
        self.num_classes = num_classes
        self.cm = self.add_variable(shape=(num_classes, num_classes), initializer="zeros", name="cm")

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = tf.reshape(tf.argmax(y_true, axis=self.axis), [-1])
        p = tf.reshape(tf.argmax(y_pred, axis=self.axis), [-1])
        self.cm.assign_add(tf.math.confusion_matrix(t, p, num_classes=self.num_classes, dtype=tf.float32))

    def _tp_union(self):
        tp = tf.linalg.diag_part(self.cm)
        return tp, tf.reduce_sum(self.cm, 0) + tf.reduce_sum(self.cm, 1) - tp


class c13_torchmetrics_jaccard_channels_first(_ConfusionMetric):
    """MulticlassJaccardIndex(average="macro") as written: argmax over axis 1 (B, C, H, W); classes seen (C13)."""

    axis = 1

    def result(self):
        tp, union = self._tp_union()
        valid = union > 0
        return tf.reduce_mean(tf.boolean_mask(tp, valid) / tf.boolean_mask(union, valid))


class c14_torchmetrics_jaccard_micro(_ConfusionMetric):
    """MulticlassJaccardIndex(average="micro"): every class's TP over every class's union, pooled (C14)."""

    def result(self):
        tp, union = self._tp_union()
        return tf.reduce_sum(tp) / tf.reduce_sum(union)


class c15_torchmetrics_segmentation_mean_iou(keras.metrics.Metric):
    """segmentation.MeanIoU: IoU of each (image, class) with a non-empty union, averaged over those pairs (C15)."""

    def __init__(self, num_classes=5, name="c15_torchmetrics_segmentation_mean_iou", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        self.score = self.add_variable(shape=(), initializer="zeros", name="score")
        self.pairs = self.add_variable(shape=(), initializer="zeros", name="pairs")

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = tf.one_hot(tf.argmax(y_true, axis=-1), self.num_classes)
        p = tf.one_hot(tf.argmax(y_pred, axis=-1), self.num_classes)
        inter = tf.reduce_sum(t * p, axis=[1, 2])
        union = tf.reduce_sum(t, axis=[1, 2]) + tf.reduce_sum(p, axis=[1, 2]) - inter
        valid = union > 0
        self.score.assign_add(tf.reduce_sum(tf.where(valid, inter / tf.where(valid, union, 1.0), 0.0)))
        self.pairs.assign_add(tf.reduce_sum(tf.cast(valid, tf.float32)))

    def result(self):
        return self.score / self.pairs


def c16_unetpp_mean_iou_tf1(y_true, y_pred):
    """TF1 idiom: streaming tf.metrics.mean_iou over thresholds 0.5..0.95, local variables via the session (C16)."""
    scores = []
    for threshold in np.arange(0.5, 1.0, 0.05):
        binarised = tf.cast(_f32(y_pred) > threshold, tf.int32)
        # TF1-only: raises under eager TensorFlow 2 (the original's tf.to_int32 / K.get_session fail the same way)
        score, update = tf.compat.v1.metrics.mean_iou(tf.cast(y_true, tf.int32), binarised, 2)
        with tf.control_dependencies([update]):
            scores.append(tf.identity(score))
    return tf.reduce_mean(tf.stack(scores))


def c17_unetpp_dice_coef(y_true, y_pred):
    """Soft Dice of the flattened batch with +1 smoothing on both sides (C17)."""
    t, p = tf.reshape(_f32(y_true), [-1]), tf.reshape(_f32(y_pred), [-1])
    return (2.0 * tf.reduce_sum(t * p) + 1.0) / (tf.reduce_sum(t) + tf.reduce_sum(p) + 1.0)


def c18_unetpp_compute_iou(y_true, y_pred):
    """NumPy: overlap count over union count of both arrays cut at > 0.5, no guard against 0/0 (C18)."""
    a, b = np.asarray(y_true) > 0.5, np.asarray(y_pred) > 0.5
    return (a & b).sum() / float((a | b).sum())


def c19_eye_in_the_sky_iou(y_true, y_pred):
    """Soft IoU of each pixel across its channels with smoothing 100, returned as a map (Keras averages) (C19)."""
    t, p = _f32(y_true), _f32(y_pred)
    inter = tf.reduce_sum(tf.abs(t * p), axis=-1)
    union = tf.reduce_sum(t, axis=-1) + tf.reduce_sum(p, axis=-1) - inter
    return (inter + 100.0) / (union + 100.0)


def c20_tds_iou_coef(y_true, y_pred):
    """Soft IoU per image summed over height, width and channels (classes pooled), +1, mean over images (C20)."""
    t, p = _f32(y_true), _f32(y_pred)
    inter = tf.reduce_sum(tf.abs(t * p), axis=[1, 2, 3])
    union = tf.reduce_sum(t, axis=[1, 2, 3]) + tf.reduce_sum(p, axis=[1, 2, 3]) - inter
    return tf.reduce_mean((inter + 1.0) / (union + 1.0), axis=0)


def c21_defect_detect_iou_calc(y_true, y_pred):
    """Named IoU, computes 2*(intersection + 1) / (|A| + |B| + 1) on the flattened soft batch (C21)."""
    t, p = tf.reshape(_f32(y_true), [-1]), tf.reshape(_f32(y_pred), [-1])
    return 2.0 * (tf.reduce_sum(t * p) + 1.0) / (tf.reduce_sum(t) + tf.reduce_sum(p) + 1.0)


# =============================================================================================
# losses
# =============================================================================================
def c22_keras_dice_loss():
    """keras.losses.Dice() with the default axis=None: one soft Dice over batch, pixels and channels (C22)."""
    return keras.losses.Dice(name="c22_keras_dice_loss")


def c23_keras_contrib_jaccard_distance(y_true, y_pred, smooth=100):
    """Per-pixel Jaccard across channels (smooth 100) written with keras.backend.sum/abs, gone in Keras 3 (C23)."""
    from keras import backend as K  # the original imports it so: Keras 3's backend has no sum or abs

    intersection = K.sum(K.abs(y_true * y_pred), axis=-1)
    total = K.sum(K.abs(y_true) + K.abs(y_pred), axis=-1)
    jac = (intersection + smooth) / (total - intersection + smooth)
    return (1 - jac) * smooth


def c24_sm_dice_loss(y_true, y_pred):
    """1 - soft Dice per class over the whole batch (1e-5 both sides), mean of classes, sums in input dtype (C24)."""
    y_true = tf.cast(y_true, y_pred.dtype)
    tp = tf.reduce_sum(y_true * y_pred, axis=[0, 1, 2])
    fp = tf.reduce_sum(y_pred, axis=[0, 1, 2]) - tp
    fn = tf.reduce_sum(y_true, axis=[0, 1, 2]) - tp
    return 1.0 - tf.reduce_mean((2.0 * tp + 1e-5) / (2.0 * tp + fn + fp + 1e-5))


class c25_patternflow_dice(keras.losses.Loss):
    """A Loss subclass: 1 - 2*sum(y*p) / (sum(y) + sum(p)) over the whole batch, no epsilon (C25)."""

    def __init__(self, name="c25_patternflow_dice", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return 1.0 - 2.0 * tf.reduce_sum(y_true * y_pred) / (tf.reduce_sum(y_true) + tf.reduce_sum(y_pred))


def c26_mobilenetv3_dice_multilabel(y_true, y_pred):
    """Per channel, 1 - soft Dice over the whole batch with no smoothing, averaged over the classes (C26)."""
    y_true = tf.cast(y_true, y_pred.dtype)
    num_labels = y_pred.shape[-1]
    loss = 0.0
    for k in range(num_labels):
        t, p = tf.reshape(y_true[..., k], [-1]), tf.reshape(y_pred[..., k], [-1])
        dice = 2.0 * tf.reduce_sum(t * p) / (tf.reduce_sum(t) + tf.reduce_sum(p))
        loss += (1.0 - dice) / num_labels
    return loss


def c27_focal_tversky(y_true, y_pred):
    """(1 - Tversky)^0.75 of the flattened batch, alpha 0.7, +1 smoothing: infinite slope where Tversky is 1 (C27)."""
    y_true = tf.cast(y_true, y_pred.dtype)
    t, p = tf.reshape(y_true, [-1]), tf.reshape(y_pred, [-1])
    tp = tf.reduce_sum(t * p)
    fn = tf.reduce_sum(t * (1.0 - p))
    fp = tf.reduce_sum((1.0 - t) * p)
    tversky = (tp + 1.0) / (tp + 0.7 * fn + 0.3 * fp + 1.0)
    return tf.pow(1.0 - tversky, 0.75)


def c28_dice_coef_as_loss(y_true, y_pred):
    """The Dice coefficient itself (pooled, +1 smoothing) compiled as the loss: the truth is its maximum (C28)."""
    y_true = tf.cast(y_true, y_pred.dtype)
    t, p = tf.reshape(y_true, [-1]), tf.reshape(y_pred, [-1])
    return (2.0 * tf.reduce_sum(t * p) + 1.0) / (tf.reduce_sum(t) + tf.reduce_sum(p) + 1.0)


def c29_echotrain_iou_coef_loss(y_true, y_pred):
    """1 - per-image IoU of the prediction cut at > 0.5 (smooth 1e-3): the cut stops every gradient (C29)."""
    t = _f32(y_true)
    p = _f32(_f32(y_pred) > 0.5)
    inter = tf.reduce_sum(tf.abs(t * p), axis=[1, 2])
    union = tf.reduce_sum(t, axis=[1, 2]) + tf.reduce_sum(p, axis=[1, 2]) - inter
    return 1.0 - tf.reduce_mean((inter + 1e-3) / (union + 1e-3), axis=0)


def _lovasz_grad(fg_sorted):
    total = tf.reduce_sum(fg_sorted)
    intersection = total - tf.cumsum(fg_sorted)
    union = total + tf.cumsum(1.0 - fg_sorted)
    jaccard = 1.0 - intersection / union
    return tf.concat((jaccard[0:1], jaccard[1:] - jaccard[:-1]), 0)


def c30_lovasz_softmax(y_true, y_pred, ignore=255):
    """Lovasz-Softmax on label maps: per present class, sorted errors dotted with the Jaccard extension (C30)."""
    c = y_pred.shape[-1]
    probas = tf.reshape(y_pred, (-1, c))
    labels = tf.reshape(tf.cast(y_true, tf.int32), (-1,))
    valid = tf.not_equal(labels, ignore)
    probas, labels = tf.boolean_mask(probas, valid), tf.boolean_mask(labels, valid)
    losses, present = [], []
    for k in range(c):
        fg = tf.cast(tf.equal(labels, k), probas.dtype)  # in the input dtype, as the original
        present.append(tf.reduce_sum(fg) > 0)
        errors = tf.abs(fg - probas[:, k])
        errors_sorted, perm = tf.nn.top_k(errors, k=tf.shape(errors)[0])
        grad = _lovasz_grad(tf.gather(fg, perm))
        losses.append(tf.tensordot(errors_sorted, tf.stop_gradient(grad), 1))
    return tf.reduce_mean(tf.boolean_mask(tf.stack(losses), tf.stack(present)))


def c31_nnunet_soft_dice_masked(y_true, y_pred):
    """-Dice per (image, foreground class), void masked out, sums in float32, smooth 1e-5, denominator clamped (C31)."""
    t, p = _f32(y_true), _f32(y_pred)
    keep = tf.cast(tf.reduce_sum(t, axis=-1, keepdims=True) > 0, tf.float32)  # void: an all-zero one-hot row
    t, p = t[..., 1:], p[..., 1:] * keep  # do_bg=False, as nnU-Net's trainer builds it for softmax outputs
    intersect = tf.reduce_sum(p * t, axis=[1, 2])
    sum_pred, sum_gt = tf.reduce_sum(p, axis=[1, 2]), tf.reduce_sum(t, axis=[1, 2])
    dc = (2.0 * intersect + 1e-5) / tf.maximum(sum_gt + sum_pred + 1e-5, 1e-8)
    return -tf.reduce_mean(dc)


# =============================================================================================
# the corpus: how to audit each entry and the verdict of a correct audit
# =============================================================================================
M5 = {"num_classes": 5}
L5 = {"num_classes": 5, "y_true": "labels", "ignore_index": 255}
B1 = {"num_classes": 2, "binary": True}
BD = "batch_dependent"  # every plain function used as a Keras metric


def _e(id_, target, kind, options, expected, source, factory=False):
    return Entry(id_, target, kind, dict(options), frozenset(expected), source, factory)


CORPUS = [
    # --- metrics ---------------------------------------------------------------------------------
    _e(
        "C01",
        c01_sm_iou_score_threshold,
        "metric",
        M5,
        {"threshold_not_argmax", "absent_class_as_one", BD},
        "qubvel/segmentation_models segmentation_models/base/functional.py@5d24bbf",
    ),
    _e(
        "C02",
        c02_keras_unet_iou,
        "metric",
        B1,
        {"soft_not_hard", "absent_class_as_one", BD},
        "karolzak/keras-unet keras_unet/metrics.py@2b1c6d5",
    ),
    _e(
        "C03",
        c03_keras_unet_iou_thresholded,
        "metric",
        B1,
        {"absent_class_as_one", BD},
        "karolzak/keras-unet keras_unet/metrics.py@2b1c6d5",
    ),
    _e(
        "C04",
        c04_keras_unet_iou_np_imgwise,
        "metric",
        B1,
        {"per_image_not_dataset", "absent_class_as_one"},  # a vector (B,): Keras weighs it by B
        "karolzak/keras-unet keras_unet/metrics_np.py@2b1c6d5",
    ),
    _e(
        "C05",
        c05_isk_evaluate_mean_iu,
        "metric",
        M5,
        {"absent_class_as_zero"},
        "divamgupta/image-segmentation-keras keras_segmentation/predict.py@1b2ba53",
        factory=True,
    ),
    _e(
        "C06",
        c06_pytorch_unet_evaluate_dice,
        "metric",
        {**M5, "expect": "foreground_only"},
        {"dice_not_iou", "per_image_not_dataset", "absent_class_as_one", BD},
        "milesial/Pytorch-UNet utils/dice_score.py@21d7850",
    ),
    _e(
        "C07",
        c07_keras_mean_iou_defaults,
        "metric",
        M5,
        {"constant_output"},
        "keras-team/keras keras/src/metrics/iou_metrics.py@3422977",
        factory=True,
    ),
    _e(
        "C08",
        c08_keras_mean_iou_labels,
        "metric",
        L5,
        {"out_of_range_dropped"},
        "keras-team/keras keras/src/metrics/iou_metrics.py@3422977",
        factory=True,
    ),
    _e(
        "C09",
        c09_keras_one_hot_mean_iou,
        "metric",
        M5,
        set(),
        "keras-team/keras keras/src/metrics/iou_metrics.py@3422977",
        factory=True,
    ),
    _e(
        "C10",
        c10_keras_one_hot_mean_iou_ignore,
        "metric",
        {**M5, "ignore_index": 255},
        {"ignore_label_counted"},
        "keras-team/keras keras/src/metrics/iou_metrics.py@3422977",
        factory=True,
    ),
    _e(
        "C11",
        c11_keras_binary_iou_default,
        "metric",
        B1,
        {"wrong_value"},
        "keras-team/keras keras/src/metrics/iou_metrics.py@3422977",
        factory=True,
    ),
    _e(
        "C12",
        c12_keras_binary_iou_foreground,
        "metric",
        B1,
        set(),
        "keras-team/keras keras/src/metrics/iou_metrics.py@3422977",
        factory=True,
    ),
    _e(
        "C13",
        c13_torchmetrics_jaccard_channels_first,
        "metric",
        M5,
        {"channels_first"},
        "Lightning-AI/torchmetrics src/torchmetrics/functional/classification/jaccard.py@dab0333",
        factory=True,
    ),
    _e(
        "C14",
        c14_torchmetrics_jaccard_micro,
        "metric",
        M5,
        {"pooled_over_classes"},
        "Lightning-AI/torchmetrics src/torchmetrics/functional/classification/jaccard.py@dab0333",
        factory=True,
    ),
    _e(
        "C15",
        c15_torchmetrics_segmentation_mean_iou,
        "metric",
        M5,
        {"per_image_not_dataset"},
        "Lightning-AI/torchmetrics src/torchmetrics/segmentation/mean_iou.py@dab0333",
        factory=True,
    ),
    _e(
        "C16",
        c16_unetpp_mean_iou_tf1,
        "metric",
        B1,
        {"crashes"},
        "MrGiovanni/UNetPlusPlus keras/helper_functions.py@2659ddc",
    ),
    _e(
        "C17",
        c17_unetpp_dice_coef,
        "metric",
        {**B1, "expect": "dice"},
        {"soft_not_hard", "absent_class_as_one", BD},
        "MrGiovanni/UNetPlusPlus keras/helper_functions.py@2659ddc",
    ),
    _e(
        "C18",
        c18_unetpp_compute_iou,
        "metric",
        B1,
        {"non_finite", BD},
        "MrGiovanni/UNetPlusPlus keras/helper_functions.py@2659ddc",
    ),
    _e(
        "C19",
        c19_eye_in_the_sky_iou,
        "metric",
        M5,
        {"soft_not_hard", "all_wrong_not_zero", "wrong_value"},  # a per-pixel map: Keras weighs it by B
        "manideep2510/eye-in-the-sky iou.py@bd7069a",
    ),
    _e(
        "C20",
        c20_tds_iou_coef,
        "metric",
        M5,
        {"soft_not_hard", "pooled_over_classes", "per_image_not_dataset", BD},
        "umd-fire-coml/2020-Object-Detection-In-Aerial-Images accuracy.py@a4902c0",
    ),
    _e(
        "C21",
        c21_defect_detect_iou_calc,
        "metric",
        B1,
        {"wrong_value", "soft_not_hard", "perfect_not_one", BD},
        "yangmengche/defectDetect method2/uNet/iou.py@4d2d874",
    ),
    # --- losses ----------------------------------------------------------------------------------
    _e(
        "C22",
        c22_keras_dice_loss,
        "loss",
        M5,
        {"pixel_weighted"},
        "keras-team/keras keras/src/losses/losses.py@3422977",
        factory=True,
    ),
    _e(
        "C23",
        c23_keras_contrib_jaccard_distance,
        "loss",
        M5,
        {"crashes"},
        "keras-team/keras-contrib keras_contrib/losses/jaccard.py@3fc5ef7",
    ),
    _e(
        "C24",
        c24_sm_dice_loss,
        "loss",
        {**M5, "ignore_index": 255},
        {"void_counted", "float16_inaccurate"},
        "qubvel/segmentation_models segmentation_models/losses.py@5d24bbf",
    ),
    _e(
        "C25",
        c25_patternflow_dice,
        "loss",
        B1,
        {"non_finite"},
        "shakes76/PatternFlow recognition/s4482727/dice.py@a1fe754",
        factory=True,
    ),
    _e(
        "C26",
        c26_mobilenetv3_dice_multilabel,
        "loss",
        {**M5, "ignore_index": 255},
        {"non_finite", "void_counted", "float16_inaccurate"},
        "Belval/MobileNetV3 src/loss.py@6cd564f",
    ),
    _e(
        "C27",
        c27_focal_tversky,
        "loss",
        B1,
        {"nan_gradient", "float16_inaccurate"},
        "nabsabraham/focal-tversky-unet losses.py@94fa7f7",
    ),
    _e(
        "C28",
        c28_dice_coef_as_loss,
        "loss",
        B1,
        {"not_minimised_by_truth", "float16_inaccurate"},
        "jocicmarko/ultrasound-nerve-segmentation train.py@2a54113",
    ),
    _e(
        "C29",
        c29_echotrain_iou_coef_loss,
        "loss",
        B1,
        {"no_gradient"},
        "iamsoroush/echotrain model/loss.py@b20b885",
    ),
    _e(
        "C30",
        c30_lovasz_softmax,
        "loss",
        L5,
        {"float16_inaccurate"},
        "bermanmaxim/LovaszSoftmax tensorflow/lovasz_losses_tf.py@7d48792",
    ),
    _e(
        "C31",
        c31_nnunet_soft_dice_masked,
        "loss",
        {**M5, "ignore_index": 255},
        set(),
        "MIC-DKFZ/nnUNet nnunetv2/training/loss/dice.py@0e49508",
    ),
]
"""The corpus, in the order of ``benchmarks/audit/corpus.md``."""
