"""Differentiable IoU losses for softmax outputs (TensorFlow / Keras 3).

Every loss takes ``(y_true, y_pred)`` like any Keras loss: ``y_pred`` holds softmax probabilities
``(..., C)``; ``y_true`` is one-hot ``(..., C)``, a label map ``(...)`` or a label map with a channel
``(..., 1)``. Sums run over the whole batch and all pixels (one "soft confusion matrix" per batch).

Conventions ("present" = present in the batch's ground truth, as in Berman et al. 2018):

=========================  =====================================================================
``soft_jaccard_loss``      ``1 - mean_c (I_c / U_c)`` over present classes (default), or the
                           question's pooled ``1 - (I + 1) / (U + 1)`` over all classes at once
``soft_dice_loss``         ``1 - mean_c (2 I_c / (|y_c| + |p_c|))`` over present classes
``ce_jaccard_loss(alpha)`` ``alpha * cross-entropy + (1 - alpha) * soft_jaccard_loss``
``lovasz_softmax_loss``    mean over present classes of the Lovasz extension of ``1 - IoU_c``
=========================  =====================================================================

with ``I_c = sum(y_c * p_c)``, ``U_c = sum(y_c) + sum(p_c) - I_c``. On exact one-hot predictions each
loss equals ``1 -`` the hard IoU (or Dice) of its convention: the mean over the classes present in the
truth of ``TP / (TP + FP + FN)``.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = [
    "soft_jaccard_loss",
    "soft_dice_loss",
    "ce_jaccard_loss",
    "lovasz_softmax_loss",
    "lovasz_grad",
]


def _prepare(y_true, y_pred):
    """Return (one-hot y_true as float, y_pred) with matching shapes, or raise a clear ValueError."""
    y_pred = tf.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = tf.cast(y_pred, tf.float32)
    y_true = tf.convert_to_tensor(y_true)
    r, c = y_pred.shape.rank, y_pred.shape[-1]
    if c is None or c < 2:
        raise ValueError(
            f"y_pred has shape {y_pred.shape}: the losses need softmax probabilities with one channel per "
            "class (>= 2) on the last axis."
        )
    if y_true.shape.rank == r and y_true.shape[-1] == c:
        y = tf.cast(y_true, y_pred.dtype)
    elif y_true.shape.rank == r and y_true.shape[-1] == 1:
        y = tf.one_hot(tf.cast(tf.squeeze(y_true, -1), tf.int32), c, dtype=y_pred.dtype)
    elif y_true.shape.rank == r - 1:
        y = tf.one_hot(tf.cast(y_true, tf.int32), c, dtype=y_pred.dtype)
    else:
        raise ValueError(
            f"y_true has shape {y_true.shape} and y_pred has shape {y_pred.shape}: expected y_true one-hot "
            f"(..., {c}), a label map (...) or (..., 1) with the same leading axes as y_pred."
        )
    if not y.shape.is_compatible_with(y_pred.shape):
        raise ValueError(
            f"y_true (as one-hot: {y.shape}) and y_pred {y_pred.shape} differ in their batch or spatial axes."
        )
    return y, y_pred


def _class_sums(y, p):
    axes = list(range(p.shape.rank - 1))
    inter = tf.reduce_sum(y * p, axis=axes)
    return inter, tf.reduce_sum(y, axis=axes), tf.reduce_sum(p, axis=axes)


def _mean_over_present(values, sum_true):
    present = tf.cast(sum_true > 0, values.dtype)
    return tf.math.divide_no_nan(tf.reduce_sum(values * present), tf.reduce_sum(present))


def soft_jaccard_loss(y_true, y_pred, pooled: bool = False, smooth: float | None = None):
    """Soft Jaccard (IoU) loss on probabilities.

    Parameters
    ----------
    y_true, y_pred
        Truth (one-hot or labels) and softmax probabilities ``(..., C)``.
    pooled : bool, default False
        False: per-class soft IoU, averaged over the classes present in ``y_true`` (recommended).
        True: the question's ``iou_loss``, one IoU over all classes pooled together. With one-hot
        targets and softmax outputs ``sum(y) = sum(p) =`` number of pixels, so the pooled loss is a
        function of soft pixel accuracy alone, and background dominates it.
    smooth : float, optional
        Added to numerator and denominator. Defaults: 0 per class (absent classes are excluded, so no
        division by zero can happen), 1 pooled (as in the question).

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(soft_jaccard_loss(y, y)), 4)
    0.0
    >>> round(float(soft_jaccard_loss(y, tf.one_hot([0, 1, 0, 1], 2))), 4)   # 1 - mean(1/3, 1/3)
    0.6667
    """
    y, p = _prepare(y_true, y_pred)
    if pooled:
        s = 1.0 if smooth is None else float(smooth)
        inter = tf.reduce_sum(y * p)
        union = tf.reduce_sum(y) + tf.reduce_sum(p) - inter
        return 1.0 - (inter + s) / (union + s)
    s = 0.0 if smooth is None else float(smooth)
    inter, sum_y, sum_p = _class_sums(y, p)
    iou = tf.math.divide_no_nan(inter + s, sum_y + sum_p - inter + s)
    return 1.0 - _mean_over_present(iou, sum_y)


def soft_dice_loss(y_true, y_pred, smooth: float = 0.0):
    """Soft Dice loss, per class, averaged over the classes present in ``y_true``.

    Dice = 2|A∩B| / (|A| + |B|) = 2J / (1 + J): it is gentler than Jaccard on poor predictions.

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(soft_dice_loss(y, tf.one_hot([0, 1, 0, 1], 2))), 4)    # 1 - mean(1/2, 1/2)
    0.5
    """
    y, p = _prepare(y_true, y_pred)
    inter, sum_y, sum_p = _class_sums(y, p)
    dice = tf.math.divide_no_nan(2.0 * inter + smooth, sum_y + sum_p + smooth)
    return 1.0 - _mean_over_present(dice, sum_y)


def ce_jaccard_loss(alpha: float = 0.5):
    """Make ``alpha * categorical cross-entropy + (1 - alpha) * soft_jaccard_loss``.

    Cross-entropy gives every pixel a strong gradient early in training; the Jaccard term aligns the
    objective with the metric and counteracts class imbalance.

    Examples
    --------
    >>> loss = ce_jaccard_loss(alpha=0.25)
    >>> loss.__name__
    'ce_jaccard_loss_0.25'
    """
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}; alpha weights cross-entropy, 1 - alpha Jaccard.")

    def loss(y_true, y_pred):
        y, p = _prepare(y_true, y_pred)
        ce = tf.reduce_mean(keras.losses.categorical_crossentropy(y, p))
        return alpha * ce + (1.0 - alpha) * soft_jaccard_loss(y, p)

    loss.__name__ = f"ce_jaccard_loss_{alpha:g}"
    return loss


def lovasz_grad(gt_sorted):
    """Gradient of the Lovasz extension of the Jaccard loss w.r.t. sorted errors (Berman et al. 2018, Alg. 1).

    ``gt_sorted`` is the 0/1 foreground vector of one class, sorted by decreasing error.
    """
    gt_sorted = tf.convert_to_tensor(gt_sorted)
    gts = tf.reduce_sum(gt_sorted)
    intersection = gts - tf.cumsum(gt_sorted)
    union = gts + tf.cumsum(1.0 - gt_sorted)
    jaccard = 1.0 - intersection / union
    return tf.concat([jaccard[:1], jaccard[1:] - jaccard[:-1]], axis=0)


def lovasz_softmax_loss(y_true, y_pred):
    """Lovasz-softmax loss (Berman, Rannen Triki & Blaschko, CVPR 2018), classes present in ``y_true``.

    For each class, the pixel errors ``|y_c - p_c|`` are sorted in decreasing order and weighted by the
    gradient of the Jaccard loss (:func:`lovasz_grad`): a convex, piecewise-linear surrogate that equals
    ``1 - IoU_c`` exactly on one-hot predictions, so it optimises the IoU of the batch directly.

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(lovasz_softmax_loss(y, tf.one_hot([0, 1, 0, 1], 2))), 4)   # 1 - mean(1/3, 1/3)
    0.6667
    """
    y, p = _prepare(y_true, y_pred)
    c = p.shape[-1]
    y = tf.reshape(y, [-1, c])
    p = tf.reshape(p, [-1, c])
    n = tf.shape(p)[0]
    losses = []
    for k in range(c):  # C is small and static: a Python loop unrolls into the graph
        fg = y[:, k]
        errors = tf.abs(fg - p[:, k])
        errors_sorted, perm = tf.math.top_k(errors, k=n, sorted=True)
        grad = tf.stop_gradient(lovasz_grad(tf.gather(fg, perm)))
        losses.append(tf.tensordot(errors_sorted, grad, axes=1))
    losses = tf.stack(losses)
    return _mean_over_present(losses, tf.reduce_sum(y, axis=0))
