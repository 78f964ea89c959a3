"""Correct IoU metrics for TensorFlow / Keras 3.

- :class:`StreamingMeanIoU` accumulates one exact **integer** confusion matrix over every batch it
  sees, so its ``result()`` is the dataset-level mean IoU of :func:`helpers.metrics.mean_iou`, whatever
  the batch size. Use it in ``model.compile(metrics=[...])``.
- :func:`batch_mean_iou` is a correct *per-batch* function metric. Keras reports the **mean of its
  per-batch values**, which is a different number that moves with the batch size; the course keeps it
  to show exactly that.

Both take the argmax of ``y_pred`` over its last axis (probabilities or logits), and accept ``y_true``
as one-hot masks ``(..., C)``, label maps ``(...)`` or label maps with a channel ``(..., 1)``.

Where Keras runs them
---------------------
Both give the same numbers eagerly, inside ``tf.function``, under ``jit_compile=True`` (XLA: what
``model.compile`` chooses by itself when a GPU is visible, e.g. on a Colab GPU runtime) and under
``tf.distribute.MirroredStrategy``. Every op has a static output size (one ``DenseBincount`` with
``C * C + 1`` bins), and the counts are int64, exact beyond the 2**24 where a float32 counter stops.

Bad labels (a label outside ``[0, C)`` that is not ``ignore_index``, or an all-zero one-hot row
without ``ignore_index``) are never dropped silently:

- eagerly and in ``tf.function`` (Keras without XLA, e.g. on a CPU): ``update_state`` raises
  ``InvalidArgumentError`` with the fix, before counting anything;
- under XLA, where runtime assertions are compiled away, the metric counts the bad pixels in a
  variable of its own (``invalid_pixels``). Its ``result()`` is then **NaN** inside the compiled step
  (a learner sees ``mean_iou: nan`` in the progress bar), and reading it eagerly, as ``fit`` and
  ``evaluate`` do at the end of each epoch, or calling ``result()``, ``per_class_iou()`` or
  ``confusion_matrix()`` yourself, raises ``InvalidArgumentError`` naming the fix.
  ``batch_mean_iou`` has no state: under XLA it returns NaN for a batch with bad labels.

Both are registered with Keras (``iou_lab>StreamingMeanIoU``, ``iou_lab>batch_mean_iou``): a model
saved with ``model.save("m.keras")`` loads with ``keras.saving.load_model("m.keras")`` once
``helpers.keras`` (or any module in it) is imported; no ``custom_objects`` needed.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from helpers._validation import check_ignore_index, check_num_classes
from helpers.keras.registry import register, sparse_labels, y_true_layout

__all__ = ["StreamingMeanIoU", "ForegroundIoU", "batch_mean_iou"]


def _shapes(y_true, y_pred, num_classes):
    """Check the shapes; return (y_true, y_pred, num_classes, y_true_is_one_hot)."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    pred_shape = y_pred.shape
    if pred_shape.rank is None or y_true.shape.rank is None:
        raise ValueError("y_true and y_pred need a known rank; give the model a defined output shape.")
    c_pred = pred_shape[-1]
    if c_pred == 1:
        raise ValueError(
            f"y_pred has shape {pred_shape}: one sigmoid channel (a binary model). Its argmax is always class 0; "
            "use ForegroundIoU() (the IoU of the object), or keras.metrics.BinaryIoU(target_class_ids=[1])."
        )
    if c_pred is not None and num_classes is not None and c_pred != num_classes:
        raise ValueError(
            f"y_pred has {c_pred} channels on its last axis but num_classes={num_classes}; y_pred must "
            "hold one probability (or logit) per class on its last axis, and num_classes must match it."
        )
    if num_classes is None:
        if c_pred is None or c_pred < 2:
            raise ValueError(
                f"y_pred has shape {pred_shape}: its last axis must hold one score per class (>= 2 classes)."
            )
        num_classes = int(c_pred)

    kind, y_true = y_true_layout(y_true, pred_shape, num_classes)
    one_hot = kind == "one_hot"
    return y_true, y_pred, num_classes, one_hot


_UNROLL_MAX_CLASSES = 16


def _argmax_last(x, *, with_max=False):
    """``argmax`` over the last axis (first maximum wins, like ``tf.argmax``), int32; and the maximum.

    For up to 16 classes, a loop of elementwise comparisons over the class slices: about 1.7x faster
    than ``tf.argmax`` on a CPU without XLA (whose kernel is slow on a short last axis), fused into
    one pass under XLA, and the row maximum comes for free.
    """
    c = x.shape[-1]
    if c > _UNROLL_MAX_CLASSES:
        idx = tf.argmax(x, axis=-1, output_type=tf.int32)
        return (idx, tf.reduce_max(x, axis=-1)) if with_max else idx
    columns = tf.unstack(x, axis=-1)
    best, idx = columns[0], tf.zeros_like(columns[0], dtype=tf.int32)
    for k in range(1, c):
        better = columns[k] > best
        idx = tf.where(better, tf.constant(k, tf.int32), idx)
        best = tf.maximum(best, columns[k])
    return (idx, best) if with_max else idx


def _count_batch(y_true, y_pred, num_classes, ignore_index, zero_rows_are_void):
    """One batch's confusion counts with ops of static output size (XLA-compatible).

    Returns ``(counts, n_invalid, num_classes, message)``: ``counts`` int32 ``(C, C)`` (rows true,
    columns predicted) over the valid pixels; ``n_invalid`` the int32 number of bad pixels (left out of
    ``counts``); ``message`` what to tell the learner about them. Outside XLA a runtime assertion
    raises ``InvalidArgumentError`` with ``message`` when ``n_invalid > 0``.
    """
    y_true, y_pred, c, one_hot = _shapes(y_true, y_pred, num_classes)
    pred = tf.reshape(_argmax_last(y_pred), [-1])
    if one_hot:
        if y_true.dtype == tf.bool:
            y_true = tf.cast(y_true, tf.int8)
        true, row_max = _argmax_last(y_true, with_max=True)
        true = tf.reshape(true, [-1])
        zero_row = tf.reshape(row_max <= tf.zeros([], y_true.dtype), [-1])
        if ignore_index is not None or zero_rows_are_void:
            void, invalid = zero_row, None
        else:
            void, invalid = None, zero_row
        message = (
            "y_true (one-hot) has all-zero pixels; if they mark void pixels, pass ignore_index=255 "
            "(any label outside [0, num_classes)) to leave them out."
        )
    else:
        y_true, in_range, void, invalid = sparse_labels(tf.reshape(y_true, [-1]), c, ignore_index=ignore_index)
        dt = y_true.dtype
        true = tf.cast(tf.where(in_range, y_true, tf.zeros([], dt)), tf.int32)
        not_ignored = "" if ignore_index is None else f" that are not ignore_index={ignore_index}"
        message = (
            f"y_true has labels outside [0, {c}){not_ignored}: check "
            f"num_classes (={c}), or pass ignore_index=255 (the label of your void pixels) to leave "
            "void pixels out."
        )
        if c <= 255 and ignore_index != 255:  # the 0/255 trap: a binary mask saved as an image is not void
            zero_255 = tf.logical_or(tf.equal(y_true, tf.zeros([], dt)), tf.equal(y_true, tf.constant(255, dt)))
            looks_0_255 = tf.logical_and(tf.reduce_all(zero_255), tf.reduce_any(tf.equal(y_true, tf.constant(255, dt))))
            tf.debugging.assert_equal(  # eagerly / in a graph, first; XLA compiles it away, hence the line below
                looks_0_255,
                False,
                message="binary masks stored as 0/255: convert them with mask // 255 (not ignore_index)"
                + ("" if c == 2 else " and use num_classes=2")
                + f"; pass ignore_index=255 only if 255 marks void pixels. (y_true has labels outside [0, {c}): 255.)",
            )
            message += " (Binary masks stored as 0/255: convert them with mask // 255, not ignore_index.)"

    index = true * c + pred
    left_out = void
    if invalid is not None:
        left_out = invalid if left_out is None else tf.logical_or(left_out, invalid)
        n_invalid = tf.reduce_sum(tf.cast(invalid, tf.int32))
        # raises outside XLA; XLA compiles assertions away, hence n_invalid (the callers make it loud)
        tf.debugging.assert_equal(n_invalid, 0, message=message)
    else:
        n_invalid = tf.zeros([], tf.int32)
    if left_out is not None:
        index = tf.where(left_out, c * c, index)  # one extra bin for the pixels left out, dropped below
    counts = tf.raw_ops.DenseBincount(input=index, size=c * c + 1, weights=tf.zeros([0], tf.int32), binary_output=False)
    return tf.reshape(counts[: c * c], (c, c)), n_invalid, c, message


def _iou_from_counts(cm):
    """Per-class IoU (float64, NaN for absent classes) and their mean over present classes."""
    cm = tf.cast(cm, tf.float64)
    tp = tf.linalg.diag_part(cm)
    denom = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
    present = denom > 0
    ious = tf.where(present, tf.math.divide_no_nan(tp, denom), tf.constant(np.nan, tf.float64))
    n_present = tf.reduce_sum(tf.cast(present, tf.float64))
    mean = tf.math.divide_no_nan(tf.reduce_sum(tf.where(present, ious, tf.zeros_like(ious))), n_present)
    return ious, mean


@register
class StreamingMeanIoU(keras.metrics.Metric):
    """Dataset-level mean IoU from one exact int64 confusion matrix accumulated over batches.

    Parameters
    ----------
    num_classes : int
        Number of classes ``C`` (>= 2); ``y_pred`` must have ``C`` channels on its last axis.
    ignore_index : int, optional
        Label of void pixels in sparse ``y_true`` (e.g. 255); such pixels are left out. With one-hot
        ``y_true``, all-zero pixels are void when ``ignore_index`` is set, and an error otherwise.
    name : str
        Name shown in Keras logs (default ``"mean_iou"``).

    Notes
    -----
    - Higher is better (``_direction = "up"``): ``EarlyStopping`` and ``ModelCheckpoint`` with
      ``monitor="val_mean_iou"`` and the default ``mode="auto"`` maximise it: Keras 3's
      ``EarlyStopping`` reads ``_direction`` in every release, ``ModelCheckpoint`` from Keras 3.11 on
      (checked in Keras's sources at v3.0.0, v3.10.0, v3.11.0). tf.keras (both callbacks) and
      ``ModelCheckpoint`` before 3.11 guess from the name and minimise it: pass ``mode="max"`` there.
    - Labels outside ``[0, C)`` that are not ``ignore_index`` are never silently dropped: eagerly and in
      ``tf.function``, ``update_state`` raises ``InvalidArgumentError``. Under ``jit_compile=True``
      (XLA, Keras's default on a GPU) assertions are compiled away, so the bad pixels are counted in
      the ``invalid_pixels`` variable: ``result()`` is NaN, and reading it (or ``per_class_iou()``,
      ``confusion_matrix()``) eagerly raises ``InvalidArgumentError`` until ``reset_state()``.
      (Keras >= 3.15's ``MeanIoU`` drops such labels silently.)
    - ``result()`` is the mean over classes present in truth or prediction (absent classes excluded),
      equal to ``helpers.metrics.mean_iou`` on all the data seen (0.0 before any pixel is counted);
      ``per_class_iou()`` gives each class (NaN where absent) and ``confusion_matrix()`` the counts
      (rows true, columns predicted).
    - Sample weights are not supported: the counts are exact pixel counts. Use ``ignore_index``.

    Examples
    --------
    >>> m = StreamingMeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [[.9, .1], [.2, .8], [.6, .4], [.3, .7]])
    >>> round(float(m.result()), 4)
    0.3333
    >>> m.confusion_matrix().numpy().tolist()
    [[1, 1], [1, 1]]
    """

    def __init__(self, num_classes: int, *, ignore_index: int | None = None, name: str = "mean_iou", dtype=None):
        super().__init__(name=name, dtype=dtype or "float32")
        self.num_classes = check_num_classes(num_classes)
        self.ignore_index = check_ignore_index(ignore_index, self.num_classes)
        self._direction = "up"
        self.total_cm = self.add_variable(
            shape=(self.num_classes, self.num_classes),
            initializer="zeros",
            dtype="int64",
            name="confusion_matrix",
        )
        self.invalid_pixels = self.add_variable(shape=(), initializer="zeros", dtype="int64", name="invalid_pixels")
        self._invalid_message = ""

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "StreamingMeanIoU counts pixels exactly and does not take sample_weight; to leave pixels "
                "out, label them with ignore_index (e.g. 255) and pass StreamingMeanIoU(..., ignore_index=255)."
            )
        counts, n_invalid, _, message = _count_batch(
            y_true, y_pred, self.num_classes, self.ignore_index, zero_rows_are_void=False
        )
        self._invalid_message = message
        self.total_cm.assign_add(tf.cast(counts, tf.int64))
        self.invalid_pixels.assign_add(tf.cast(n_invalid, tf.int64))

    def _raise_if_invalid(self):
        """Eagerly: raise if bad labels were counted (this only happens where assertions were compiled away)."""
        if not tf.executing_eagerly():
            return
        n = int(tf.convert_to_tensor(self.invalid_pixels))
        if n:
            raise tf.errors.InvalidArgumentError(
                None,
                None,
                f"StreamingMeanIoU(num_classes={self.num_classes}, ignore_index={self.ignore_index}) saw {n} "
                f"pixel{'s' if n != 1 else ''} with a bad label in a run where runtime checks are compiled away "
                "(jit_compile=True, XLA: Keras's default when a GPU is visible), so its mean IoU is NaN, not a "
                "number to report. "
                f"{self._invalid_message or 'Check the labels.'} Then call reset_state() (Keras does at the "
                "start of each epoch and evaluation). To see the first bad batch fail, compile with "
                "jit_compile=False.",
            )

    def confusion_matrix(self):
        """The accumulated confusion matrix, int64 ``(C, C)``, rows true, columns predicted."""
        self._raise_if_invalid()
        return tf.convert_to_tensor(self.total_cm)

    def per_class_iou(self):
        """IoU of each class over all data seen, float64 ``(C,)``; NaN for absent classes (all NaN after bad labels)."""
        self._raise_if_invalid()
        ious, _ = _iou_from_counts(self.total_cm)
        return tf.where(self.invalid_pixels > 0, tf.constant(np.nan, tf.float64), ious)

    def result(self):
        self._raise_if_invalid()
        _, mean = _iou_from_counts(self.total_cm)
        mean = tf.where(self.invalid_pixels > 0, tf.constant(np.nan, tf.float64), mean)
        return tf.cast(mean, self.dtype)

    def reset_state(self):
        self.total_cm.assign(tf.zeros((self.num_classes, self.num_classes), dtype=tf.int64))
        self.invalid_pixels.assign(tf.zeros((), dtype=tf.int64))

    def get_config(self):
        return {
            "num_classes": self.num_classes,
            "ignore_index": self.ignore_index,
            "name": self.name,
            "dtype": self.dtype,
        }


@register
class ForegroundIoU(StreamingMeanIoU):
    """IoU of the foreground of a binary model (one sigmoid channel), over every pixel seen.

    ``y_pred`` is ``(..., 1)`` sigmoid probabilities, thresholded at ``threshold`` (foreground when
    ``>= threshold``, as ``keras.metrics.BinaryIoU`` does); ``y_true`` holds 0/1 labels ``(...)`` or
    ``(..., 1)`` (``ignore_index``, e.g. 255, marks void pixels). ``result()`` is ``TP / (TP + FP + FN)``
    of the foreground over all batches since the last reset, the number of
    :func:`helpers.metrics.foreground_iou` and of ``keras.metrics.IoU(num_classes=2,
    target_class_ids=[1])``; 0.0 while no foreground was seen in truth or prediction (as Keras's).
    ``keras.metrics.BinaryIoU()`` averages the background's IoU in (``target_class_ids=[0, 1]``).
    Bad labels (0/255 masks, labels other than 0/1) and predictions outside [0, 1] (logits, NaN)
    behave as bad labels in :class:`StreamingMeanIoU`: an error, or under XLA a NaN result.

    Examples
    --------
    >>> m = ForegroundIoU()
    >>> m.update_state([[0], [1], [1], [0]], [[0.2], [0.9], [0.4], [0.7]])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, *, threshold: float = 0.5, ignore_index: int | None = None, name="foreground_iou", dtype=None):
        threshold = float(threshold)
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1) (a probability), got {threshold}.")
        super().__init__(num_classes=2, ignore_index=ignore_index, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = tf.convert_to_tensor(y_pred)
        if y_pred.shape.rank is None or y_pred.shape.rank < 1 or y_pred.shape[-1] != 1:
            raise ValueError(
                f"ForegroundIoU takes one sigmoid channel, y_pred (..., 1); got {y_pred.shape}. For a softmax "
                "over classes use StreamingMeanIoU(num_classes=...)."
            )
        p = tf.cast(y_pred, tf.float32)  # compare in float32: float16(0.1) < 0.1
        not_probability = tf.logical_not(tf.logical_and(p >= 0.0, p <= 1.0))  # logits, NaN
        n_bad = tf.reduce_sum(tf.cast(not_probability, tf.int64))
        tf.debugging.assert_equal(  # raises outside XLA; under XLA the count below makes the result NaN
            n_bad,
            tf.zeros([], tf.int64),
            message="y_pred must be sigmoid probabilities in [0, 1] (logits? end the model in a sigmoid or apply "
            "one; a logit would be thresholded at sigmoid(threshold), silently).",
        )
        fg = tf.cast(p >= self.threshold, tf.float32)
        super().update_state(y_true, tf.concat([1.0 - fg, fg], axis=-1), sample_weight)
        self.invalid_pixels.assign_add(n_bad)
        self._invalid_message += " Or y_pred is not in [0, 1] (logits?): end the model in a sigmoid."

    def result(self):
        self._raise_if_invalid()
        ious, _ = _iou_from_counts(self.total_cm)
        fg = tf.where(tf.math.is_nan(ious[1]), tf.zeros([], tf.float64), ious[1])
        fg = tf.where(self.invalid_pixels > 0, tf.constant(np.nan, tf.float64), fg)
        return tf.cast(fg, self.dtype)

    def get_config(self):
        return {"threshold": self.threshold, "ignore_index": self.ignore_index, "name": self.name, "dtype": self.dtype}


@register
def batch_mean_iou(y_true, y_pred):
    """Mean IoU of one batch: argmax, per-class IoU over the whole batch, absent classes excluded.

    Correct for the batch it sees. Used as ``metrics=[batch_mean_iou]``, Keras reports the *mean of the
    per-batch values*, which is not the dataset's mean IoU and changes with the batch size; use
    :class:`StreamingMeanIoU` for the dataset-level number. All-zero one-hot rows are left out; labels
    outside ``[0, C)`` raise ``InvalidArgumentError`` (under XLA, where that check is compiled away,
    the batch's value is NaN instead).

    Examples
    --------
    >>> y_true = tf.one_hot([0, 0, 1, 1], 2)
    >>> y_pred = tf.constant([[.9, .1], [.2, .8], [.6, .4], [.3, .7]])
    >>> round(float(batch_mean_iou(y_true, y_pred)), 4)
    0.3333
    """
    counts, n_invalid, _, _ = _count_batch(y_true, y_pred, None, None, zero_rows_are_void=True)
    _, mean = _iou_from_counts(counts)
    mean = tf.where(n_invalid > 0, tf.constant(np.nan, tf.float64), mean)
    return tf.cast(mean, tf.float32)
