"""IoU metrics and losses for a Keras 3 segmentation model, in one file to copy into your project.

Needs Keras 3 and nothing else: written in ``keras.ops``, so it runs on the TensorFlow, JAX and PyTorch
backends, eagerly and under ``jit_compile=True`` (XLA: Keras's default on a GPU). After ``import
iou_keras`` a model compiled with these pieces saves and reloads with ``keras.models.load_model(path)``.

Multi-class model: softmax output ``(B, H, W, C)``, ``C >= 2``; masks one-hot ``(B, H, W, C)`` or label
maps ``(B, H, W)`` / ``(B, H, W, 1)``.

- :class:`StreamingMeanIoU` (``num_classes``): the dataset's mean IoU, for ``metrics=[...]``.
- :func:`batch_mean_iou`: the ``mean_iou`` of the Stack Overflow question this course started from,
  corrected: right for the batch it sees, but in ``metrics=[...]`` Keras reports the mean of per-batch
  values, which moves with the batch size (logged as ``batch_mean_iou``, apart from ``mean_iou``).
- :data:`soft_jaccard_loss` (a :class:`SoftJaccardLoss`), or ``SoftJaccardLoss(ignore_index=255)``.

Typical compile lines::

    model.compile(optimizer, loss=soft_jaccard_loss, metrics=[StreamingMeanIoU(num_classes=5)])
    model.compile(optimizer, loss=SoftJaccardLoss(ignore_index=255),             # void pixels = 255
                  metrics=[StreamingMeanIoU(num_classes=5, ignore_index=255)])
    model.compile(optimizer, loss=BinaryCEJaccardLoss(), metrics=[ForegroundIoU()])   # one sigmoid channel

Binary model: one sigmoid channel ``(B, H, W, 1)``; masks of 0/1 ``(B, H, W, 1)`` or ``(B, H, W)``.

- :class:`ForegroundIoU`: IoU of the foreground (probability >= ``threshold``, 0.5).
  ``keras.metrics.BinaryIoU()`` averages the background's IoU in (its default ``target_class_ids=[0,
  1]``): a model that finds nothing still scores about 0.5 when the object is small.
- :class:`BinarySoftJaccardLoss`, :class:`BinarySoftDiceLoss`, :class:`BinaryCEJaccardLoss`.

Conventions:

- IoU = TP / (TP + FP + FN) from exact integer counts summed over **every pixel seen** since the
  last reset (dataset level; not a mean of per-image values). Mean IoU averages the classes present in
  the truth or the prediction (absent from both: left out). Nothing to measure gives 0.0, as
  ``keras.metrics.IoU`` does (for ``ForegroundIoU``: no foreground in any mask or prediction seen).
- Losses sum over the whole batch in float32, whatever the input dtype (a float16 sum stops growing at
  2048): ``1 -`` the mean soft IoU (or Dice) over the classes present in the batch's masks; 1.0, with
  no gradient, when none is. So a binary Jaccard or Dice loss learns nothing from a batch without
  foreground: if your data has empty images, use :class:`BinaryCEJaccardLoss`.
- Void pixels (label ``ignore_index`` in a label map; an all-zero one-hot row) are left out of every
  count and every sum, with zero gradient, when ``ignore_index`` is set (e.g. 255).
- Bad input is never dropped silently: labels outside ``[0, C)``, masks not 0/1 (e.g. 0/255), void
  pixels without ``ignore_index``, probabilities outside [0, 1] (logits?) in a loss or
  ``ForegroundIoU``. Eagerly, and on TensorFlow without XLA, the call raises with the fix. Under XLA
  or ``jax.jit`` nothing can raise: the value is NaN, and a metric counts the bad pixels
  (``invalid_pixels``) and raises when its result is read eagerly, as ``fit`` and ``evaluate`` do at
  the end of each epoch. A NaN loss stops nothing by itself: add ``keras.callbacks.TerminateOnNaN()``.
"""

import operator

import keras
from keras import ops

__all__ = [
    "batch_mean_iou",
    "StreamingMeanIoU",
    "soft_jaccard_loss",
    "SoftJaccardLoss",
    "ForegroundIoU",
    "BinarySoftJaccardLoss",
    "BinarySoftDiceLoss",
    "BinaryCEJaccardLoss",
]

_register = keras.saving.register_keras_serializable(package="iou_keras")
_VOID_FIX = "if they mark void pixels, pass ignore_index=255 (any label outside the classes) to leave them out"


# --- input checks -------------------------------------------------------------------------------------
def _value(x):
    """``x`` as a NumPy value, or None while Keras traces a graph (tf.function, XLA, jax.jit)."""
    try:
        return ops.convert_to_numpy(x)
    except Exception:  # a symbolic tensor or a tracer has no value yet
        return None


def _raise_if_bad(n_bad, message):
    """Raise when bad pixels were counted, where anything can raise; under XLA the callers return NaN."""
    value = _value(n_bad)
    if value is not None:
        if value > 0:
            raise ValueError(f"{message} ({int(value)} bad pixel{'s' if value != 1 else ''})")
    elif keras.backend.backend() == "tensorflow":  # a graph without XLA can still fail at run time
        import tensorflow as tf  # keras.ops has no run-time assertion

        tf.debugging.assert_equal(n_bad, 0, message=message)


def _nan_if(n_bad, x):
    """``x``, or NaN (with NaN gradients) when ``n_bad > 0``: what is left of a check that cannot raise."""
    return x * ops.where(n_bad > 0, float("nan"), 1.0)


def _check_ignore_index(ignore_index, num_classes):
    if ignore_index is None:
        return None
    try:
        ignore_index = operator.index(ignore_index)  # int or NumPy integer
    except TypeError:
        raise ValueError(f"ignore_index must be an int or None, e.g. 255; got {ignore_index!r}.") from None
    if isinstance(ignore_index, bool):
        raise ValueError(f"ignore_index must be an int or None, e.g. 255; got {ignore_index!r}.")
    if 0 <= ignore_index < num_classes:
        raise ValueError(
            f"ignore_index={ignore_index} is a real class; use a label outside [0, {num_classes}), e.g. 255."
        )
    return ignore_index


def _channels(y_pred):
    c = tuple(y_pred.shape)[-1] if len(y_pred.shape) else None
    if c is None or c < 2:
        raise ValueError(
            f"y_pred {tuple(y_pred.shape)} has one channel (a sigmoid?): its argmax is always class 0. For a binary "
            "model use ForegroundIoU() and the Binary* losses of this file (IoU of the foreground); "
            "keras.metrics.BinaryIoU() averages the background's IoU in."
        )
    return c


def _same_shape(a, b, what):
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sa) != len(sb) or any(x is not None and y is not None and x != y for x, y in zip(sa, sb)):
        raise ValueError(f"y_true {sa} and y_pred {sb} do not match: {what}.")


def _multiclass_truth(y_true, y_pred, ignore_index):
    """One-hot truth ``(..., C)`` in float32 (0 on void and bad pixels), kept pixels, bad count, message."""
    c = _channels(y_pred)
    ignore_index = _check_ignore_index(ignore_index, c)
    y = ops.cast(y_true, "float32")
    if len(y.shape) == len(y_pred.shape) and y.shape[-1] is None:
        raise ValueError(
            f"y_true {tuple(y.shape)}: its last axis has no static size, so one-hot masks (..., {c}) and label maps "
            f"(..., 1) cannot be told apart. Give the dataset static shapes, e.g. mask = tf.ensure_shape(mask, "
            f"(H, W, {c})) or (H, W, 1), in your tf.data map function."
        )
    if len(y.shape) == len(y_pred.shape) and y.shape[-1] == c:  # one-hot masks
        _same_shape(y, y_pred, "one-hot masks need the same shape as the predictions")
        zero_row = ops.max(y, axis=-1) <= 0
        # (rows summing to more than 1, multi-label masks, are not refused: Keras's PyTorch trainer builds its
        # metrics on all-ones tensors; a multi-label mask is read as its first class, by argmax)
        outside = ops.any((y < 0) | (y > 1) | ops.isnan(y), axis=-1)
        void = zero_row if ignore_index is not None else ops.zeros_like(zero_row)
        bad = outside | (zero_row & ~void)
        message = (
            "y_true (one-hot) must hold values in [0, 1], one class per pixel: divide 0/255 masks by 255; "
            f"for all-zero rows, {_VOID_FIX}"
        )
        return ops.where(bad[..., None], 0.0, y), ~(void | bad), ops.sum(ops.cast(bad, "int32")), message
    if len(y.shape) == len(y_pred.shape) and y.shape[-1] == 1:
        y = ops.squeeze(y, axis=-1)  # label maps with a channel, (B, H, W, 1)
    if len(y.shape) != len(y_pred.shape) - 1:
        raise ValueError(
            f"y_true {tuple(y_true.shape)} does not fit y_pred {tuple(y_pred.shape)}: pass one-hot masks "
            f"(..., {c}) or integer label maps (...) or (..., 1)."
        )
    _same_shape(y, y_pred[..., 0], "label maps need the batch and image size of the predictions")
    in_range = (y >= 0) & (y < c) & (ops.round(y) == y)
    void = (y == ignore_index) if ignore_index is not None else ops.zeros_like(in_range)
    bad = ~(in_range | void)
    message = f"y_true has labels outside [0, {c}): check the number of classes; {_VOID_FIX}"
    if ignore_index != 255:
        message += "; binary masks saved as 0/255 need mask // 255"
    one_hot = ops.one_hot(ops.cast(ops.where(in_range, y, 0), "int32"), c) * ops.cast(in_range, "float32")[..., None]
    return one_hot, in_range, ops.sum(ops.cast(bad, "int32")), message


def _binary_pair(y_true, y_pred, ignore_index):
    """Flat 0/1 truth and probabilities (float32), kept pixels, bad count, message."""
    ignore_index = _check_ignore_index(ignore_index, 2)
    y, p = ops.cast(y_true, "float32"), ops.cast(y_pred, "float32")
    if len(p.shape) == len(y.shape) + 1 and p.shape[-1] not in (1, None):
        raise ValueError(
            f"y_pred {tuple(y_pred.shape)} has {p.shape[-1]} channels: the binary pieces take one sigmoid channel "
            "(B, H, W, 1); for a softmax over classes use StreamingMeanIoU and soft_jaccard_loss."
        )
    if len(p.shape) == len(y.shape) + 1:  # (B, H, W, 1) predictions, (B, H, W) masks
        p = ops.squeeze(p, axis=-1)
    elif len(y.shape) == len(p.shape) + 1 and y.shape[-1] == 1:  # (B, H, W, 1) masks, (B, H, W) predictions
        y = ops.squeeze(y, axis=-1)
    _same_shape(y, p, "binary masks and sigmoid predictions: (B, H, W, 1) or (B, H, W), the same images")
    void = (y == ignore_index) if ignore_index is not None else ops.zeros_like(y, "bool")
    bad = ~((y == 0) | (y == 1) | void)
    message = "y_true must hold 0 and 1 (masks saved as 0/255: use mask // 255)"
    message += f"; {_VOID_FIX}" if ignore_index is None else f" or ignore_index={ignore_index}"
    keep = ~(void | bad)
    return ops.where(keep, y, 0.0), p, keep, ops.sum(ops.cast(bad, "int32")), message


def _check_probabilities(p, keep):
    """Count kept pixels whose prediction is not a probability (a loss on logits is silently wrong)."""
    outside = ((p < 0) | (p > 1) | ops.isnan(p)) & keep
    return ops.sum(ops.cast(outside, "int32"))


_PROBABILITY_FIX = "y_pred must be probabilities in [0, 1]: end the model in a softmax or sigmoid (or apply it)"


# --- metrics ----------------------------------------------------------------------------------------
def _confusion_matrix(t, p, keep, c):
    """(C, C) int32 counts, rows true, columns predicted; one extra bin takes the pixels left out."""
    index = ops.where(keep, ops.cast(t, "int32") * c + ops.cast(p, "int32"), c * c)
    ones = ops.ones_like(index, dtype="int32")
    counts = ops.segment_sum(ops.reshape(ones, (-1,)), ops.reshape(index, (-1,)), num_segments=c * c + 1)
    return ops.reshape(counts[: c * c], (c, c))


def _mean_iou_from_counts(cm):
    """Mean of TP / (TP + FP + FN) over the classes present in the truth or the prediction (0.0 if none)."""
    cm = ops.cast(cm, "float32")
    tp = ops.diagonal(cm)
    union = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - tp
    return ops.divide_no_nan(ops.sum(ops.divide_no_nan(tp, union)), ops.sum(ops.cast(union > 0, "float32")))


def _batch_counts(y_true, y_pred, ignore_index):
    one_hot, keep, n_bad, message = _multiclass_truth(y_true, y_pred, ignore_index)
    t = ops.argmax(one_hot, axis=-1)
    c = one_hot.shape[-1]
    return _confusion_matrix(t, ops.argmax(y_pred, axis=-1), keep, c), n_bad, message


@_register
def batch_mean_iou(y_true, y_pred, *, ignore_index=None):
    """Mean IoU of one batch: argmax, one confusion matrix over all its pixels, absent classes left out.

    Fixes the question's metric (argmax instead of cast-and-round; all axes, not ``axis=[1]``; no ``+ 1``).
    Caveat: in ``metrics=[batch_mean_iou]`` Keras reports the mean of the per-batch values, which is not the
    dataset's mean IoU and changes with the batch size. Use it to check one batch; in ``compile`` use
    :class:`StreamingMeanIoU`.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    cm, n_bad, message = _batch_counts(ops.convert_to_tensor(y_true), y_pred, ignore_index)
    _raise_if_bad(n_bad, message)
    return _nan_if(n_bad, _mean_iou_from_counts(cm))


_WORD = 2**20  # the low word of a count holds 20 bits


class _CountingMetric(keras.metrics.Metric):
    """Exact integer counts over every batch, plus the number of bad pixels seen (see the module's notes)."""

    def __init__(self, shape, *, ignore_index, name, dtype):
        super().__init__(name=name, dtype=dtype or "float32")
        self.ignore_index = ignore_index
        self._direction = "up"  # EarlyStopping / ModelCheckpoint with mode="auto" maximise it
        # counts = high * 2**20 + low in two int32 words (JAX has no int64 by default; one int32 would
        # wrap after 2**31 pixels, less than one epoch of Cityscapes): exact up to 2**51 pixels
        self.counts_low = self.add_variable(shape=shape, initializer="zeros", dtype="int32", name="counts_low")
        self.counts_high = self.add_variable(shape=shape, initializer="zeros", dtype="int32", name="counts_high")
        self.invalid_pixels = self.add_variable(shape=(), initializer="zeros", dtype="int32", name="invalid_pixels")
        self._message = ""

    def _add(self, counts, n_bad, message, sample_weight):
        if sample_weight is not None:
            raise ValueError(
                f"{type(self).__name__} counts pixels exactly: instead of sample_weight, label the pixels to "
                "leave out with ignore_index (e.g. 255)."
            )
        self._message = message
        _raise_if_bad(n_bad, message)
        low = self.counts_low + ops.cast(counts, "int32")  # < 2**31 while one batch has < 2**31 - 2**20 pixels
        self.counts_high.assign_add(low // _WORD)
        self.counts_low.assign(low % _WORD)
        self.invalid_pixels.assign(ops.minimum(self.invalid_pixels + ops.cast(n_bad, "int32"), 2**30))

    @property
    def counts(self):
        """The counts accumulated so far, as float32 (exact below 2**24, then to 7 significant digits)."""
        return ops.cast(self.counts_high, "float32") * float(_WORD) + ops.cast(self.counts_low, "float32")

    def _finish(self, value):
        n = _value(self.invalid_pixels)
        if n is not None and n > 0:
            raise ValueError(
                f"{self.name} saw {int(n)} bad pixel{'s' if n != 1 else ''} where checks cannot raise "
                f"(jit_compile=True or jax.jit), so its value is NaN: {self._message}. Then call reset_state()."
            )
        return ops.cast(_nan_if(self.invalid_pixels, value), self.dtype)

    def reset_state(self):
        for variable in (self.counts_low, self.counts_high, self.invalid_pixels):
            variable.assign(ops.zeros(variable.shape, "int32"))


@_register
class StreamingMeanIoU(_CountingMetric):
    """Dataset-level mean IoU: one exact confusion matrix accumulated over every batch.

    ``model.compile(..., metrics=[StreamingMeanIoU(num_classes=5)])`` logs ``mean_iou`` and
    ``val_mean_iou`` (higher is better), the same number whatever the batch size.
    """

    def __init__(self, num_classes, *, ignore_index=None, name="mean_iou", dtype=None):
        try:
            num_classes = None if isinstance(num_classes, bool) else operator.index(num_classes)
        except TypeError:
            num_classes = None
        if num_classes is None or num_classes < 2:
            raise ValueError("num_classes must be an int >= 2 (one per softmax channel), e.g. StreamingMeanIoU(5).")
        ignore_index = _check_ignore_index(ignore_index, num_classes)
        super().__init__((num_classes, num_classes), ignore_index=ignore_index, name=name, dtype=dtype)
        self.num_classes = num_classes

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred)
        if _channels(y_pred) != self.num_classes:
            raise ValueError(f"y_pred has {y_pred.shape[-1]} channels but num_classes={self.num_classes}.")
        self._add(*_batch_counts(ops.convert_to_tensor(y_true), y_pred, self.ignore_index), sample_weight)

    def result(self):
        return self._finish(_mean_iou_from_counts(self.counts))

    def get_config(self):
        return {"num_classes": self.num_classes, "ignore_index": self.ignore_index, "name": self.name}


@_register
class ForegroundIoU(_CountingMetric):
    """IoU of the foreground of a one-channel sigmoid model: TP / (TP + FP + FN) over every pixel seen.

    A pixel is predicted foreground when its probability is ``>= threshold``. For the same number from
    Keras: ``keras.metrics.IoU(num_classes=2, target_class_ids=[1])`` on thresholded predictions.
    """

    def __init__(self, *, threshold=0.5, ignore_index=None, name="foreground_iou", dtype=None):
        if not 0 < float(threshold) < 1:
            raise ValueError(f"threshold must be in (0, 1) (a probability), got {threshold!r}.")
        super().__init__((3,), ignore_index=_check_ignore_index(ignore_index, 2), name=name, dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y, p, keep, n_bad, message = _binary_pair(y_true, y_pred, self.ignore_index)
        n_bad_p = _check_probabilities(p, keep)  # logits would be thresholded at sigmoid(0.5), silently
        _raise_if_bad(n_bad_p, _PROBABILITY_FIX)
        n_bad, keep = n_bad + n_bad_p, keep & ~((p < 0) | (p > 1) | ops.isnan(p))
        message = f"{message}; or: {_PROBABILITY_FIX}"
        hard = ops.cast(p >= self.threshold, "int32")
        t, k = ops.cast(y, "int32"), ops.cast(keep, "int32")
        counts = ops.stack([ops.sum(t * hard * k), ops.sum((1 - t) * hard * k), ops.sum(t * (1 - hard) * k)])
        self._add(counts, n_bad, message, sample_weight)

    def result(self):
        tp, fp, fn = (self.counts[i] for i in range(3))
        return self._finish(ops.divide_no_nan(tp, tp + fp + fn))

    def get_config(self):
        return {"threshold": self.threshold, "ignore_index": self.ignore_index, "name": self.name}


# --- losses -----------------------------------------------------------------------------------------
def _mean_over_present(y, p, *, dice):
    """``1 -`` the mean soft IoU (or Dice) over the classes present in ``y`` (1.0 if none).

    Sums run over every axis but the last (the classes): one soft IoU per class over the whole batch."""
    axes = tuple(range(len(p.shape) - 1))
    inter, size_y, size_p = ops.sum(y * p, axis=axes), ops.sum(y, axis=axes), ops.sum(p, axis=axes)
    score = ops.divide_no_nan(2 * inter, size_y + size_p) if dice else ops.divide_no_nan(inter, size_y + size_p - inter)
    present = ops.cast(size_y > 0, "float32")
    return 1.0 - ops.divide_no_nan(ops.sum(score * present), ops.sum(present))


def _soft_jaccard(y_true, y_pred, ignore_index):
    p = ops.cast(y_pred, "float32")  # float32 sums whatever the input dtype
    y, keep, n_bad, message = _multiclass_truth(y_true, p, ignore_index)
    n_bad_p = _check_probabilities(p, keep[..., None])
    _raise_if_bad(n_bad, message)
    _raise_if_bad(n_bad_p, _PROBABILITY_FIX)
    p = p * ops.cast(keep, "float32")[..., None]  # void pixels: no false positives, zero gradient
    return _nan_if(n_bad + n_bad_p, _mean_over_present(y, p, dice=False))


class _Loss(keras.losses.Loss):
    """One number per batch (sums over all its pixels); ``ignore_index`` leaves void pixels out."""

    def __init__(self, *, ignore_index=None, name=None, reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.ignore_index = _check_ignore_index(ignore_index, 0)  # checked against the classes when called

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                f"{type(self).__name__} is one number per batch and takes no sample_weight or class_weight; "
                f"label the pixels to leave out with ignore_index (e.g. 255): {type(self).__name__}(ignore_index=255)."
            )
        return super().__call__(y_true, y_pred)

    def get_config(self):
        return {**super().get_config(), "ignore_index": self.ignore_index}


@_register
class SoftJaccardLoss(_Loss):
    """Per-class soft Jaccard loss: ``1 -`` the mean of ``I_c / U_c`` over the classes in the batch's masks.

    ``I_c = sum(y_c * p_c)`` and ``U_c = sum(y_c) + sum(p_c) - I_c`` over all pixels of the batch (the
    question's ``iou_loss`` pools all classes into one IoU: a soft pixel accuracy in disguise). On a
    one-hot prediction it is ``1 -`` the hard IoU averaged over those classes. ``ignore_index`` (e.g.
    255) leaves void pixels out, label ``ignore_index`` or all-zero one-hot rows; without it they are an
    error. One number per batch: ``sample_weight`` and ``class_weight`` are refused.
    """

    def __init__(self, *, ignore_index=None, name="soft_jaccard_loss", **kwargs):
        super().__init__(ignore_index=ignore_index, name=name, **kwargs)

    def call(self, y_true, y_pred):
        return _soft_jaccard(y_true, y_pred, self.ignore_index)


soft_jaccard_loss = SoftJaccardLoss()
"""``SoftJaccardLoss()``: use it like a function, ``loss=soft_jaccard_loss``; it saves with the model."""


def _binary_terms(y_true, y_pred, ignore_index, *, dice, alpha=0.0):
    y, p, keep, n_bad, message = _binary_pair(y_true, y_pred, ignore_index)
    n_bad_p = _check_probabilities(p, keep)
    _raise_if_bad(n_bad, message)
    _raise_if_bad(n_bad_p, _PROBABILITY_FIX)
    k = ops.cast(keep, "float32")
    overlap = _mean_over_present(ops.reshape(y, (-1, 1)), ops.reshape(p * k, (-1, 1)), dice=dice)
    if alpha:
        bce = ops.binary_crossentropy(y, ops.where(keep, p, 0.5))  # clipped by Keras: finite at 0 and 1
        overlap = alpha * ops.divide_no_nan(ops.sum(bce * k), ops.sum(k)) + (1 - alpha) * overlap
    return _nan_if(n_bad + n_bad_p, overlap)


@_register
class BinarySoftJaccardLoss(_Loss):
    """``1 - I / U`` of the foreground over the batch, on sigmoid probabilities (1.0 if no foreground)."""

    def __init__(self, *, ignore_index=None, name="binary_soft_jaccard_loss", **kwargs):
        super().__init__(ignore_index=ignore_index, name=name, **kwargs)

    def call(self, y_true, y_pred):
        return _binary_terms(y_true, y_pred, self.ignore_index, dice=False)


@_register
class BinarySoftDiceLoss(_Loss):
    """``1 - 2 I / (sum(y) + sum(p))`` of the foreground over the batch (1.0 if no foreground)."""

    def __init__(self, *, ignore_index=None, name="binary_soft_dice_loss", **kwargs):
        super().__init__(ignore_index=ignore_index, name=name, **kwargs)

    def call(self, y_true, y_pred):
        return _binary_terms(y_true, y_pred, self.ignore_index, dice=True)


@_register
class BinaryCEJaccardLoss(_Loss):
    """``alpha * binary cross-entropy + (1 - alpha) * BinarySoftJaccardLoss``: learns from empty images too."""

    def __init__(self, *, alpha=0.5, ignore_index=None, name="binary_ce_jaccard_loss", **kwargs):
        if not 0 < float(alpha) < 1:
            raise ValueError(f"alpha must be in (0, 1) (the weight of the cross-entropy), got {alpha!r}.")
        super().__init__(ignore_index=ignore_index, name=name, **kwargs)
        self.alpha = float(alpha)

    def call(self, y_true, y_pred):
        return _binary_terms(y_true, y_pred, self.ignore_index, dice=False, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
