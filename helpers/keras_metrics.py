"""Correct IoU metrics for TensorFlow / Keras 3.

- :class:`StreamingMeanIoU` accumulates one exact **integer** confusion matrix over every batch it
  sees, so its ``result()`` is the dataset-level mean IoU of :func:`helpers.metrics.mean_iou`, whatever
  the batch size. Use it in ``model.compile(metrics=[...])``.
- :func:`batch_mean_iou` is a correct *per-batch* function metric. Keras reports the **mean of its
  per-batch values**, which is a different number that moves with the batch size; the course keeps it
  to show exactly that.

Both take the argmax of ``y_pred`` over its last axis (probabilities or logits), and accept ``y_true``
as one-hot masks ``(..., C)``, label maps ``(...)`` or label maps with a channel ``(..., 1)``.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

__all__ = ["StreamingMeanIoU", "batch_mean_iou"]


def _static_check_num_classes(num_classes) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(
            f"num_classes must be an int >= 2, got {num_classes!r}; pass the number of classes, "
            "e.g. StreamingMeanIoU(num_classes=5)."
        )
    return int(num_classes)


def _labels_from_inputs(y_true, y_pred, num_classes):
    """Return (true labels, predicted labels, y_true_is_one_hot), both flat int64 tensors."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    pred_shape, true_shape = y_pred.shape, y_true.shape
    if pred_shape.rank is None or true_shape.rank is None:
        raise ValueError("y_true and y_pred need a known rank; give the model a defined output shape.")
    c_pred = pred_shape[-1]
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

    if true_shape.rank == pred_shape.rank and true_shape[-1] == num_classes and num_classes != 1:
        one_hot = True
        spatial_true = true_shape[:-1]
    elif true_shape.rank == pred_shape.rank and true_shape[-1] == 1:
        one_hot = False
        spatial_true = true_shape[:-1]
        y_true = tf.squeeze(y_true, axis=-1)
    elif true_shape.rank == pred_shape.rank - 1:
        one_hot = False
        spatial_true = true_shape
    else:
        raise ValueError(
            f"y_true has shape {true_shape} and y_pred has shape {pred_shape}: expected y_true as one-hot "
            f"masks (..., {num_classes}), label maps (...) or label maps with a channel (..., 1), with "
            "the same leading axes as y_pred."
        )
    if not spatial_true.is_compatible_with(pred_shape[:-1]):
        raise ValueError(
            f"y_true has shape {true_shape} and y_pred has shape {pred_shape}: their batch and spatial "
            "axes differ; pass masks and predictions for the same images."
        )

    pred_labels = tf.reshape(tf.argmax(y_pred, axis=-1, output_type=tf.int64), [-1])
    if one_hot:
        true_labels = tf.argmax(y_true, axis=-1, output_type=tf.int64)
        valid = tf.reduce_max(tf.cast(y_true, tf.float32), axis=-1) > 0
        return tf.reshape(true_labels, [-1]), pred_labels, tf.reshape(valid, [-1]), num_classes
    if y_true.dtype.is_floating:
        y_true = tf.cast(tf.round(y_true), tf.int64)
    return tf.reshape(tf.cast(y_true, tf.int64), [-1]), pred_labels, None, num_classes


def _assert_labels_in_range(t, c):
    """Fail loudly (InvalidArgumentError) on true labels outside [0, c): never drop them silently."""
    tf.debugging.assert_non_negative(
        t, message=f"y_true has labels < 0 that are not ignore_index; labels must be in [0, {c})."
    )
    tf.debugging.assert_less(
        t, tf.constant(c, tf.int64),
        message=f"y_true has labels >= num_classes={c} that are not ignore_index; check num_classes "
        "or pass ignore_index for void pixels.",
    )


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
    - Labels outside ``[0, C)`` that are not ``ignore_index`` raise ``InvalidArgumentError``: they are
      never silently dropped (Keras >= 3.15's ``MeanIoU`` drops them).
    - ``result()`` is the mean over classes present in truth or prediction (absent classes excluded),
      equal to ``helpers.metrics.mean_iou`` on all the data seen; ``per_class_iou()`` gives each class
      (NaN where absent) and ``confusion_matrix()`` the counts (rows true, columns predicted).
    - Sample weights are not supported: the counts are exact pixel counts. Use ``ignore_index``.

    Examples
    --------
    >>> m = StreamingMeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [[.9, .1], [.2, .8], [.6, .4], [.3, .7]])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes: int, ignore_index: int | None = None, name: str = "mean_iou", dtype=None):
        super().__init__(name=name, dtype=dtype or "float32")
        self.num_classes = _static_check_num_classes(num_classes)
        if ignore_index is not None:
            if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
                raise ValueError(f"ignore_index must be an int or None, got {ignore_index!r}.")
            if 0 <= ignore_index < num_classes:
                raise ValueError(
                    f"ignore_index={ignore_index} is a real class (0..{num_classes - 1}); choose a label "
                    "outside [0, num_classes), e.g. 255."
                )
            ignore_index = int(ignore_index)
        self.ignore_index = ignore_index
        self.total_cm = self.add_variable(
            shape=(self.num_classes, self.num_classes),
            initializer="zeros",
            dtype="int64",
            name="confusion_matrix",
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "StreamingMeanIoU counts pixels exactly and does not take sample_weight; to leave pixels "
                "out, label them with ignore_index (e.g. 255) and pass StreamingMeanIoU(..., ignore_index=255)."
            )
        c = self.num_classes
        t, p, valid, _ = _labels_from_inputs(y_true, y_pred, c)
        if valid is not None:  # one-hot y_true: all-zero pixels are void
            if self.ignore_index is None:
                tf.debugging.assert_equal(
                    tf.reduce_all(valid), True,
                    message="y_true (one-hot) has all-zero pixels; if they mark void pixels, pass "
                    "ignore_index=255 (any label outside [0, num_classes)) to leave them out.",
                )
            else:
                t, p = tf.boolean_mask(t, valid), tf.boolean_mask(p, valid)
        elif self.ignore_index is not None:
            keep = tf.not_equal(t, self.ignore_index)
            t, p = tf.boolean_mask(t, keep), tf.boolean_mask(p, keep)
        _assert_labels_in_range(t, c)
        counts = tf.math.bincount(t * c + p, minlength=c * c, maxlength=c * c, dtype=tf.int64)
        self.total_cm.assign_add(tf.reshape(counts, (c, c)))

    def confusion_matrix(self):
        """The accumulated confusion matrix, int64 ``(C, C)``, rows true, columns predicted."""
        return tf.convert_to_tensor(self.total_cm)

    def per_class_iou(self):
        """IoU of each class over all data seen, float64 ``(C,)``; NaN for absent classes."""
        cm = tf.cast(self.confusion_matrix(), tf.float64)
        tp = tf.linalg.diag_part(cm)
        denom = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
        nan = tf.constant(np.nan, tf.float64)
        return tf.where(denom > 0, tf.math.divide_no_nan(tp, denom), nan)

    def result(self):
        ious = self.per_class_iou()
        present = tf.logical_not(tf.math.is_nan(ious))
        n_present = tf.reduce_sum(tf.cast(present, tf.float64))
        total = tf.reduce_sum(tf.where(present, ious, tf.zeros_like(ious)))
        return tf.cast(tf.math.divide_no_nan(total, n_present), self.dtype)

    def reset_state(self):
        self.total_cm.assign(tf.zeros((self.num_classes, self.num_classes), dtype=tf.int64))

    def get_config(self):
        return {"num_classes": self.num_classes, "ignore_index": self.ignore_index,
                "name": self.name, "dtype": self.dtype}


def batch_mean_iou(y_true, y_pred):
    """Mean IoU of one batch: argmax, per-class IoU over the whole batch, absent classes excluded.

    Correct for the batch it sees. Used as ``metrics=[batch_mean_iou]``, Keras reports the *mean of the
    per-batch values*, which is not the dataset's mean IoU and changes with the batch size; use
    :class:`StreamingMeanIoU` for the dataset-level number.

    Examples
    --------
    >>> y_true = tf.one_hot([0, 0, 1, 1], 2)
    >>> y_pred = tf.constant([[.9, .1], [.2, .8], [.6, .4], [.3, .7]])
    >>> round(float(batch_mean_iou(y_true, y_pred)), 4)
    0.3333
    """
    t, p, valid, c = _labels_from_inputs(y_true, y_pred, None)
    if valid is not None:
        t, p = tf.boolean_mask(t, valid), tf.boolean_mask(p, valid)
    _assert_labels_in_range(t, c)
    cm = tf.cast(
        tf.reshape(tf.math.bincount(t * c + p, minlength=c * c, maxlength=c * c, dtype=tf.int64), (c, c)),
        tf.float32,
    )
    tp = tf.linalg.diag_part(cm)
    denom = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
    present = tf.cast(denom > 0, tf.float32)
    return tf.math.divide_no_nan(tf.reduce_sum(tf.math.divide_no_nan(tp, denom)), tf.reduce_sum(present))
