"""Differentiable IoU losses for softmax outputs (TensorFlow / Keras 3).

Every loss takes ``(y_true, y_pred)`` like any Keras loss: ``y_pred`` holds softmax probabilities
``(..., C)``; ``y_true`` is one-hot ``(..., C)``, a label map ``(...)`` or a label map with a channel
``(..., 1)``. Sums run over the whole batch and all pixels (one "soft confusion matrix" per batch), so
each loss is one number per batch.

Conventions ("present" = present in the batch's ground truth, as in Berman et al. 2018):

==========================  =====================================================================
``soft_jaccard_loss``       ``1 - mean_c (I_c / U_c)`` over present classes (default), or the
                            question's pooled ``1 - (I + 1) / (U + 1)`` over all classes at once
``soft_dice_loss``          ``1 - mean_c (2 I_c / (|y_c| + |p_c|))`` over present classes
``ce_jaccard_loss(alpha)``  ``alpha * cross-entropy + (1 - alpha) * soft_jaccard_loss``
``lovasz_softmax_loss``     mean over present classes of the Lovasz extension of ``1 - IoU_c``
==========================  =====================================================================

with ``I_c = sum(y_c * p_c)``, ``U_c = sum(y_c) + sum(p_c) - I_c``. On exact one-hot predictions each
loss equals ``1 -`` the hard IoU (or Dice) of its convention: the mean over the classes present in the
truth of ``TP / (TP + FP + FN)``.

**Binary models** (one sigmoid channel, ``y_pred`` ``(..., 1)``; ``y_true`` 0/1 labels ``(...)`` or
``(..., 1)``): the overlap losses score the **foreground** alone (``1 -`` its soft IoU or Dice over the
batch; on a batch whose masks hold no foreground there is no class to score: Jaccard and Dice give 1.0
and Lovász 0.0, constant, with no gradient), and the cross-entropy of
``ce_jaccard_loss`` is the binary cross-entropy. ``ignore_index`` and the checks work as below.

Each loss also exists as a Keras ``Loss`` class with a config, registered with Keras (package
``iou_lab``) like the function forms, so that a compiled model saves to ``.keras`` and loads with
``keras.saving.load_model`` once ``helpers.keras.losses`` is imported:
``SoftJaccardLoss(pooled=False, smooth=None, ignore_index=None)``, ``SoftDiceLoss(smooth=0.0,
ignore_index=None)``, ``CEJaccardLoss(alpha=0.5, ignore_index=None)`` (what ``ce_jaccard_loss(alpha)``
returns) and ``LovaszSoftmaxLoss(ignore_index=None)``.

Common behaviour
----------------
- **float32 at least.** float16/bfloat16 inputs are computed in float32 (a float16 sum stops growing
  at 2048, so over 8 x 224 x 224 pixels it would give 0.0 or NaN); the result is float32 (float64
  inputs stay float64). Mixed precision (``mixed_float16``) is safe.
- **ignore_index** (e.g. 255) leaves void pixels out, exactly as Berman et al.'s reference
  ``lovasz_softmax(..., ignore=255)`` drops them: a sparse label equal to it, or an all-zero one-hot
  row, counts neither in the truth nor in the prediction (nor in the cross-entropy's mean).
- **Bad labels are an error, never a zero row**: a label outside ``[0, C)`` that is not
  ``ignore_index`` (or an all-zero one-hot row without ``ignore_index``) raises
  ``InvalidArgumentError`` eagerly and in ``tf.function``. Under ``jit_compile=True`` (XLA, Keras's
  default when a GPU is visible) assertions are compiled away: the loss and its gradients are NaN
  instead (as TensorFlow's sparse cross-entropy does on a GPU), so ``fit`` shows ``loss: nan``.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from helpers._validation import check_ignore_index
from helpers.keras.registry import register, sparse_labels, y_true_layout

__all__ = [
    "soft_jaccard_loss",
    "soft_dice_loss",
    "ce_jaccard_loss",
    "lovasz_softmax_loss",
    "lovasz_grad",
    "SoftJaccardLoss",
    "SoftDiceLoss",
    "CEJaccardLoss",
    "LovaszSoftmaxLoss",
]


class _Prepared:
    """y (one-hot, 0 on void rows), p (0 on void rows), p_raw, keep ((...,) 0/1 or None), n_bad (int32 or None).

    ``binary``: the model has one sigmoid channel, here as two columns ``[1 - p, p]``; the overlap
    losses score the foreground column alone (:func:`_scored`), the cross-entropy both (= BCE).
    """

    __slots__ = ("y", "p", "p_raw", "keep", "n_bad", "binary")

    def __init__(self, y, p, p_raw, keep, n_bad, binary=False):
        self.y, self.p, self.p_raw, self.keep, self.n_bad, self.binary = y, p, p_raw, keep, n_bad, binary


def _scored(d: _Prepared):
    """(y, p) of the classes the overlap losses score: all of them, or the foreground of a sigmoid model."""
    return (d.y[..., 1:], d.p[..., 1:]) if d.binary else (d.y, d.p)


def _prepare(y_true, y_pred, ignore_index=None) -> _Prepared:
    """Check shapes and labels; return one-hot truth and probabilities in float32 (at least)."""
    ignore_index = check_ignore_index(ignore_index, None)
    y_pred = tf.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating or y_pred.dtype.size < 4:  # ints, float16, bfloat16: float32
        y_pred = tf.cast(y_pred, tf.float32)
    y_true = tf.convert_to_tensor(y_true)
    c = y_pred.shape[-1]
    if c is None:
        raise ValueError(
            f"y_pred has shape {y_pred.shape}: the losses need a known last axis, softmax probabilities with one "
            "channel per class, or one sigmoid channel (..., 1) for a binary model."
        )
    binary = c == 1
    if binary:  # one sigmoid channel: background and foreground as two columns; y_true holds 0/1 labels
        y_pred, c = tf.concat([1.0 - y_pred, y_pred], axis=-1), 2
    if ignore_index is not None and 0 <= ignore_index < c:
        raise ValueError(
            f"ignore_index={ignore_index} is a real class (0..{c - 1}); choose a label outside "
            "[0, num_classes), e.g. 255."
        )
    dtype = y_pred.dtype
    void = bad = None
    kind, y_true = y_true_layout(y_true, y_pred.shape, c)
    if kind == "one_hot":  # one-hot (or soft) masks
        y = tf.cast(y_true, dtype)
        zero_row = tf.reduce_max(y, axis=-1) <= 0
        outside = tf.reduce_any(tf.logical_not(tf.logical_and(y >= 0, y <= 1)), axis=-1)  # 0/255 masks, NaN
        message = (
            "y_true (one-hot) has all-zero pixels or values outside [0, 1]. Masks saved as 0/255 need mask / 255; "
            "if all-zero pixels mark void pixels, pass ignore_index=255 (any label outside [0, num_classes)) to "
            "leave them out."
        )
        if ignore_index is None:
            bad = tf.logical_or(zero_row, outside)
        else:
            void, bad = tf.logical_and(zero_row, tf.logical_not(outside)), outside
    else:
        labels, in_range, void, bad = sparse_labels(y_true, c, ignore_index=ignore_index)
        message = (
            f"y_true has labels outside [0, {c}) that are not ignore_index={ignore_index}: "
            + (
                "a binary model's masks hold 0 and 1"
                if binary
                else f"check the number of classes (y_pred has {c} channels)"
            )
            + "; binary masks saved as 0/255 need mask // 255 (not ignore_index, which would drop every object "
            "pixel); pass ignore_index=255 only if 255 marks void pixels."
        )
        # out-of-range labels and void pixels become all-zero rows
        ldt = labels.dtype
        y = tf.one_hot(tf.cast(tf.where(in_range, labels, -tf.ones([], ldt)), tf.int32), c, dtype=dtype)
    n_bad = None
    if bad is not None:
        n_bad = tf.reduce_sum(tf.cast(bad, tf.int32))
        # raises outside XLA; under XLA assertions are compiled away and _finish makes the loss NaN
        tf.debugging.assert_equal(n_bad, 0, message=message)
    # probabilities, not logits: a soft IoU of logits is silently wrong (above 1, negative)
    n_not_prob = tf.reduce_sum(tf.cast(tf.logical_not(tf.logical_and(y_pred >= 0, y_pred <= 1)), tf.int32))
    tf.debugging.assert_equal(
        n_not_prob,
        0,
        message="y_pred must hold probabilities in [0, 1]: logits? End the model in a softmax (or a sigmoid for one "
        "channel), or apply it before the loss.",
    )
    n_bad = n_not_prob if n_bad is None else n_bad + n_not_prob
    keep, p = None, y_pred
    if void is not None:
        keep = 1.0 - tf.cast(void, dtype)
        p = y_pred * keep[..., None]  # void pixels count neither in the truth nor in the prediction
    return _Prepared(y, p, y_pred, keep, n_bad, binary)


def _finish(loss, prepared: _Prepared):
    """NaN loss (and NaN gradients) when bad labels were seen: what XLA leaves of the assertion."""
    if prepared.n_bad is None:
        return loss
    return loss * tf.where(prepared.n_bad > 0, tf.constant(np.nan, loss.dtype), tf.ones([], loss.dtype))


def _class_sums(y, p):
    axes = list(range(p.shape.rank - 1))
    inter = tf.reduce_sum(y * p, axis=axes)
    return inter, tf.reduce_sum(y, axis=axes), tf.reduce_sum(p, axis=axes)


def _mean_over_present(values, sum_true):
    present = tf.cast(sum_true > 0, values.dtype)
    return tf.math.divide_no_nan(tf.reduce_sum(values * present), tf.reduce_sum(present))


def _soft_jaccard(d: _Prepared, pooled, smooth):
    y, p = _scored(d)
    if pooled:
        s = 1.0 if smooth is None else float(smooth)
        inter = tf.reduce_sum(y * p)
        union = tf.reduce_sum(y) + tf.reduce_sum(p) - inter
        return 1.0 - (inter + s) / (union + s)
    s = 0.0 if smooth is None else float(smooth)
    inter, sum_y, sum_p = _class_sums(y, p)
    iou = tf.math.divide_no_nan(inter + s, sum_y + sum_p - inter + s)
    return 1.0 - _mean_over_present(iou, sum_y)


@register
def soft_jaccard_loss(y_true, y_pred, *, pooled: bool = False, smooth: float | None = None, ignore_index=None):
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
    ignore_index : int, optional
        Label of void pixels (e.g. 255), left out of truth and prediction; with one-hot ``y_true``, the
        all-zero rows. See the module notes for bad labels.

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(soft_jaccard_loss(y, y)), 4)
    0.0
    >>> round(float(soft_jaccard_loss(y, tf.one_hot([0, 1, 0, 1], 2))), 4)   # 1 - mean(1/3, 1/3)
    0.6667
    >>> # the void pixel (255) is left out: 1 - mean(1/2, 1/2) over the three others
    >>> round(float(soft_jaccard_loss([0, 0, 1, 255], tf.one_hot([0, 1, 1, 0], 2), ignore_index=255)), 4)
    0.5
    """
    d = _prepare(y_true, y_pred, ignore_index)
    return _finish(_soft_jaccard(d, pooled, smooth), d)


def _soft_dice(d: _Prepared, smooth):
    inter, sum_y, sum_p = _class_sums(*_scored(d))
    dice = tf.math.divide_no_nan(2.0 * inter + smooth, sum_y + sum_p + smooth)
    return 1.0 - _mean_over_present(dice, sum_y)


@register
def soft_dice_loss(y_true, y_pred, *, smooth: float = 0.0, ignore_index=None):
    """Soft Dice loss, per class, averaged over the classes present in ``y_true``.

    Dice = ``2|A∩B| / (|A| + |B|) = 2J / (1 + J)``: it is gentler than Jaccard on poor predictions.
    ``smooth`` is added to numerator and denominator; ``ignore_index`` as in :func:`soft_jaccard_loss`.

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(soft_dice_loss(y, tf.one_hot([0, 1, 0, 1], 2))), 4)    # 1 - mean(1/2, 1/2)
    0.5
    """
    d = _prepare(y_true, y_pred, ignore_index)
    return _finish(_soft_dice(d, float(smooth)), d)


def _ce_jaccard(d: _Prepared, alpha):
    # Keras divides the prediction by its sum: an all-zero row would give 0 / 0 = NaN. Such rows read as
    # uniform instead (loss log C); every other row is passed on unchanged, so the numbers are Keras's.
    p = tf.where(tf.reduce_sum(d.p_raw, axis=-1, keepdims=True) > 0, d.p_raw, tf.ones_like(d.p_raw))
    ce = keras.losses.categorical_crossentropy(d.y, p)  # 0 on void rows (y = 0 there)
    if d.keep is None:
        ce = tf.reduce_mean(ce)
    else:  # the mean over the pixels kept
        ce = tf.math.divide_no_nan(tf.reduce_sum(ce), tf.reduce_sum(d.keep))
    return alpha * ce + (1.0 - alpha) * _soft_jaccard(d, False, None)


def _check_alpha(alpha):
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}; alpha weights cross-entropy, 1 - alpha Jaccard.")
    return alpha


def ce_jaccard_loss(alpha: float = 0.5, *, ignore_index=None):
    """Make ``alpha * categorical cross-entropy + (1 - alpha) * soft_jaccard_loss``: a :class:`CEJaccardLoss`.

    Cross-entropy gives every pixel a strong gradient early in training; the Jaccard term aligns the
    objective with the metric and counteracts class imbalance. The result is called like a function,
    ``loss(y_true, y_pred)``, and saves with the model.

    Examples
    --------
    >>> loss = ce_jaccard_loss(alpha=0.25)
    >>> loss.name, loss.alpha
    ('ce_jaccard_loss_0.25', 0.25)
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(loss(y, y)), 4)
    0.0
    """
    alpha = _check_alpha(alpha)
    return CEJaccardLoss(alpha, ignore_index=ignore_index, name=f"ce_jaccard_loss_{alpha:g}")


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


def _lovasz(d: _Prepared):
    y, p = _scored(d)
    c = p.shape[-1]
    y = tf.reshape(y, [-1, c])
    p = tf.reshape(p, [-1, c])  # void pixels: y = p = 0, error 0, sorted last: they add nothing
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


@register
def lovasz_softmax_loss(y_true, y_pred, *, ignore_index=None):
    """Lovasz-softmax loss (Berman, Rannen Triki & Blaschko, CVPR 2018), classes present in ``y_true``.

    For each class, the pixel errors ``|y_c - p_c|`` are sorted in decreasing order and weighted by the
    gradient of the Jaccard loss (:func:`lovasz_grad`): a convex, piecewise-linear surrogate that equals
    ``1 - IoU_c`` exactly on one-hot predictions, so it optimises the IoU of the batch directly.
    ``ignore_index`` drops void pixels as the reference's ``lovasz_softmax(probas, labels, ignore=...)``.

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(lovasz_softmax_loss(y, tf.one_hot([0, 1, 0, 1], 2))), 4)   # 1 - mean(1/3, 1/3)
    0.6667
    """
    d = _prepare(y_true, y_pred, ignore_index)
    return _finish(_lovasz(d), d)


# --- Keras Loss classes ----------------------------------------------------------------------------
class _BatchIoULoss(keras.losses.Loss):
    """A loss computed over the whole batch at once (one number per batch): no sample weights."""

    def __init__(self, *, ignore_index=None, name=None, reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.ignore_index = check_ignore_index(ignore_index, None)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                f"{type(self).__name__} is one number per batch (sums over all its pixels) and takes no "
                "sample_weight or class_weight; to leave pixels out, label them with ignore_index (e.g. 255) "
                f"and pass {type(self).__name__}(ignore_index=255)."
            )
        return super().__call__(y_true, y_pred)

    def get_config(self):
        return {**super().get_config(), "ignore_index": self.ignore_index}


@register
class SoftJaccardLoss(_BatchIoULoss):
    """:func:`soft_jaccard_loss` as a Keras ``Loss`` (saves with the model).

    Examples
    --------
    >>> y = tf.one_hot([0, 0, 1, 1], 2)
    >>> round(float(SoftJaccardLoss()(y, tf.one_hot([0, 1, 0, 1], 2))), 4)
    0.6667
    """

    def __init__(
        self,
        *,
        pooled: bool = False,
        smooth: float | None = None,
        ignore_index=None,
        name="soft_jaccard_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(ignore_index=ignore_index, name=name, reduction=reduction, dtype=dtype)
        self.pooled = bool(pooled)
        self.smooth = None if smooth is None else float(smooth)

    def call(self, y_true, y_pred):
        return soft_jaccard_loss(y_true, y_pred, pooled=self.pooled, smooth=self.smooth, ignore_index=self.ignore_index)

    def get_config(self):
        return {**super().get_config(), "pooled": self.pooled, "smooth": self.smooth}


@register
class SoftDiceLoss(_BatchIoULoss):
    """:func:`soft_dice_loss` as a Keras ``Loss`` (saves with the model)."""

    def __init__(
        self,
        *,
        smooth: float = 0.0,
        ignore_index=None,
        name="soft_dice_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(ignore_index=ignore_index, name=name, reduction=reduction, dtype=dtype)
        self.smooth = float(smooth)

    def call(self, y_true, y_pred):
        return soft_dice_loss(y_true, y_pred, smooth=self.smooth, ignore_index=self.ignore_index)

    def get_config(self):
        return {**super().get_config(), "smooth": self.smooth}


@register
class CEJaccardLoss(_BatchIoULoss):
    """``alpha * categorical cross-entropy + (1 - alpha) * soft_jaccard_loss`` as a Keras ``Loss``.

    With ``ignore_index``, void pixels are left out of both terms (the cross-entropy is the mean over
    the pixels kept).
    """

    def __init__(
        self,
        alpha: float = 0.5,
        *,
        ignore_index=None,
        name="ce_jaccard_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(ignore_index=ignore_index, name=name, reduction=reduction, dtype=dtype)
        self.alpha = _check_alpha(alpha)

    def call(self, y_true, y_pred):
        d = _prepare(y_true, y_pred, self.ignore_index)
        return _finish(_ce_jaccard(d, self.alpha), d)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@register
class LovaszSoftmaxLoss(_BatchIoULoss):
    """:func:`lovasz_softmax_loss` as a Keras ``Loss`` (saves with the model)."""

    def __init__(self, *, ignore_index=None, name="lovasz_softmax_loss", reduction="sum_over_batch_size", dtype=None):
        super().__init__(ignore_index=ignore_index, name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return lovasz_softmax_loss(y_true, y_pred, ignore_index=self.ignore_index)
