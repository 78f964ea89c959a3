"""What the Keras metrics and losses share: the registry name, registration, and reading ``y_true``.

- :data:`PACKAGE` (``"iou_lab"``) and :func:`register`: every metric and loss is registered as
  ``iou_lab>Name``, so a saved model finds them again by that name; :data:`REGISTERED` lists them.
- :func:`y_true_layout`: is ``y_true`` one-hot ``(..., C)``, a label map ``(...)`` or a label map with a
  channel ``(..., 1)``, given ``y_pred`` ``(..., C)``? One answer (and one error message) for both.
- :func:`sparse_labels`: a label map as integers with the masks of valid, void and bad pixels, with
  the same rounding of float labels, the same ``bool`` reading and the same NaN handling everywhere.

The checks of plain Python options (``num_classes``, ``ignore_index``) are the NumPy reference's own
(:mod:`helpers._validation`): one input policy for NumPy and Keras.

>>> import numpy as np, tensorflow as tf
>>> kind, labels = y_true_layout(tf.zeros((2, 4, 4, 1), tf.int32), tf.zeros((2, 4, 4, 3)).shape, 3)
>>> kind, labels.shape
('labels', TensorShape([2, 4, 4]))
>>> lab, in_range, void, bad = sparse_labels(tf.constant([0, 2, 255, 7]), 3, ignore_index=255)
>>> lab.numpy().tolist(), bad.numpy().tolist()
([0, 2, 255, 7], [False, False, False, True])
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["PACKAGE", "REGISTERED", "register", "y_true_layout", "sparse_labels"]

PACKAGE = "iou_lab"
"""The package name under which every metric and loss is registered (``iou_lab>StreamingMeanIoU``)."""

REGISTERED: dict[str, object] = {}
"""Registered name -> object, for every metric and loss registered through :func:`register`."""


def register(obj):
    """Register ``obj`` (a class or function) with Keras as ``iou_lab>name`` (a decorator)."""
    keras.saving.register_keras_serializable(package=PACKAGE)(obj)
    REGISTERED[keras.saving.get_registered_name(obj)] = obj
    return obj


def y_true_layout(y_true, pred_shape, num_classes: int):
    """How ``y_true`` holds the truth, given ``y_pred``'s static shape with ``num_classes`` channels.

    Returns ``(kind, y_true)``: ``kind`` is ``"one_hot"`` (``(..., C)``, returned as is) or ``"labels"``
    (a label map, its channel axis of 1 squeezed away). Raises ``ValueError`` naming the three accepted
    layouts when ``y_true`` is none of them, and when the leading (batch and spatial) axes differ.
    """
    true_shape = y_true.shape
    if true_shape.rank is None or pred_shape.rank is None:
        raise ValueError("y_true and y_pred need a known rank; give the model a defined output shape.")
    r = pred_shape.rank
    if true_shape.rank == r and true_shape[-1] == num_classes:
        kind, spatial = "one_hot", true_shape[:-1]
    elif true_shape.rank == r and true_shape[-1] == 1:
        kind, spatial, y_true = "labels", true_shape[:-1], tf.squeeze(y_true, axis=-1)
    elif true_shape.rank == r - 1:
        kind, spatial = "labels", true_shape
    else:
        raise ValueError(
            f"y_true has shape {true_shape} and y_pred has shape {pred_shape}: expected y_true as one-hot "
            f"masks (..., {num_classes}), label maps (...) or label maps with a channel (..., 1), with "
            "the same leading axes as y_pred."
        )
    if not spatial.is_compatible_with(pred_shape[:-1]):
        raise ValueError(
            f"y_true has shape {true_shape} and y_pred has shape {pred_shape}: their batch and spatial "
            "axes differ; pass masks and predictions for the same images."
        )
    return kind, y_true


def _in_dtype_range(value: int, dtype) -> bool:
    return dtype.is_floating or dtype.min <= value <= dtype.max


def sparse_labels(labels, num_classes: int, *, ignore_index: int | None = None):
    """A label map as numbers, and which pixels are valid, void or bad.

    ``bool`` is read as 0/1; float labels are rounded (NaN stays NaN: neither in range nor void, so
    bad); other integer types become int64. Returns ``(labels, in_range, void, bad)``: ``in_range``
    marks labels in ``[0, num_classes)``, ``void`` those equal to ``ignore_index`` (``None`` without
    one), ``bad`` the rest, which the callers refuse (an assertion outside XLA, NaN under XLA).
    """
    if labels.dtype == tf.bool:
        labels = tf.cast(labels, tf.int32)
    elif labels.dtype.is_floating:
        labels = tf.round(labels)
    elif labels.dtype not in (tf.int32, tf.int64):
        labels = tf.cast(labels, tf.int64)
    dt = labels.dtype
    in_range = tf.logical_and(labels >= tf.zeros([], dt), labels < tf.constant(num_classes, dt))
    void = None
    if ignore_index is not None and _in_dtype_range(ignore_index, dt):
        void = tf.equal(labels, tf.constant(ignore_index, dt))
        bad = tf.logical_not(tf.logical_or(in_range, void))
    else:
        bad = tf.logical_not(in_range)
    return labels, in_range, void, bad
