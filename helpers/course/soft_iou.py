"""Soft versus hard IoU: the analysis tools behind notebook 04 (TensorFlow for gradients).

The losses themselves live in :mod:`helpers.keras.losses`; this module only calls them through the
``loss_fn`` you pass. Its own arithmetic is the soft IoU ``I_c / U_c`` with ``I_c = sum(y_c p_c)``.

- Predictions to study: :func:`label_probs` (a fixed confidence on given labels) and
  :func:`mediocre_logits` (the truth shifted, blurred and noisy, as logits); both are NumPy toys of
  :mod:`helpers.course.scenarios`, re-exported here.
- What the question's pooled ``iou_loss`` really measures: :func:`soft_pixel_accuracy` and
  :func:`pooled_loss_from_accuracy` (with one-hot targets and softmax outputs the pooled loss is
  ``1 - (aN + 1) / (2N - aN + 1)``, ``a`` the soft pixel accuracy, ``N`` the number of pixels).
- Per-class soft IoU of **every** class, absent ones included, with an optional smoothing constant:
  :func:`soft_iou_per_class` (``helpers.keras.losses.soft_jaccard_loss`` averages the present ones only).
- Where a loss pushes: :func:`logit_gradient` (the loss and its gradient w.r.t. the logits of a
  softmax) and :func:`boundary_mask` (pixels next to another class).

Examples
--------
>>> import numpy as np
>>> p = label_probs(np.array([[0, 1], [1, 1]]), confidence=0.7, num_classes=3)
>>> [round(float(v), 2) for v in p[0, 0]]
[0.7, 0.15, 0.15]
>>> round(soft_pixel_accuracy(np.array([[0, 1], [1, 1]]), p), 4)
0.7
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers._validation import as_labels

from .scenarios import label_probs, mediocre_logits

__all__ = [
    "label_probs",
    "mediocre_logits",
    "boundary_mask",
    "soft_pixel_accuracy",
    "pooled_loss_from_accuracy",
    "soft_iou_per_class",
    "logit_gradient",
]


def _one_hot_and_probs(y_true, y_pred):
    """(one-hot ``y_true`` in ``y_pred``'s float dtype, ``y_pred``): ``y_true`` is one-hot ``(..., C)``,
    a label map ``(...)`` or ``(..., 1)``; ``y_pred`` holds ``C >= 2`` scores on its last axis."""
    p = tf.convert_to_tensor(y_pred)
    if not p.dtype.is_floating:
        p = tf.cast(p, tf.float32)
    y = tf.convert_to_tensor(y_true)
    r, c = p.shape.rank, p.shape[-1]
    if c is None or c < 2:
        raise ValueError(f"y_pred has shape {p.shape}: expected probabilities with one channel per class (>= 2).")
    if y.shape.rank == r and y.shape[-1] == c:
        y = tf.cast(y, p.dtype)
    elif y.shape.rank in (r, r - 1) and (y.shape.rank == r - 1 or y.shape[-1] == 1):
        labels = tf.squeeze(y, -1) if y.shape.rank == r else y
        y = tf.one_hot(tf.cast(labels, tf.int32), c, dtype=p.dtype)
    else:
        raise ValueError(
            f"y_true has shape {y.shape} and y_pred has shape {p.shape}: expected y_true one-hot (..., {c}), "
            "a label map (...) or (..., 1) with the same leading axes as y_pred."
        )
    if not y.shape.is_compatible_with(p.shape):
        raise ValueError(f"y_true (as one-hot: {y.shape}) and y_pred {p.shape} differ in their batch or spatial axes.")
    return y, p


def boundary_mask(labels) -> np.ndarray:
    """Pixels with at least one of their 8 neighbours in another class (per image; the image border
    is not a boundary).

    Parameters
    ----------
    labels : array_like of int, shape (H, W) or (B, H, W)

    Returns
    -------
    ndarray of bool, same shape

    Examples
    --------
    >>> m = np.zeros((4, 4), int); m[1:3, 1:3] = 1
    >>> int(boundary_mask(m).sum())     # all 16: every pixel touches the 2 x 2 square or its outside
    16
    >>> m = np.zeros((5, 5), int); m[2, 2] = 1
    >>> int(boundary_mask(m).sum())     # the pixel and its 8 neighbours
    9
    """
    labels = as_labels(labels, "labels")
    if labels.ndim < 2:
        raise ValueError(f"labels must be a label map (H, W) or a batch (B, H, W), got shape {labels.shape}.")
    h, w = labels.shape[-2:]
    p = np.pad(labels, [(0, 0)] * (labels.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    out = np.zeros(labels.shape, dtype=bool)
    for i in range(3):
        for j in range(3):
            out |= p[..., i : i + h, j : j + w] != labels
    return out


def soft_pixel_accuracy(y_true, y_pred) -> float:
    """Soft pixel accuracy ``a = sum(y * p) / N``: the mean probability given to the true class.

    ``y_true`` is one-hot ``(..., C)`` or a label map; ``y_pred`` holds probabilities ``(..., C)``;
    ``N`` is the number of pixels. On one-hot predictions it is the pixel accuracy.
    """
    y, p = _one_hot_and_probs(y_true, y_pred)
    n_pixels = tf.cast(tf.size(p) // p.shape[-1], p.dtype)
    return float(tf.reduce_sum(y * p) / n_pixels)


def pooled_loss_from_accuracy(accuracy, n_pixels, *, smooth: float = 1.0):
    """The question's pooled ``iou_loss`` written as a function of the soft pixel accuracy alone.

    With one-hot targets and softmax outputs, ``sum(y) = sum(p) = N`` (one unit per pixel), so the
    intersection is ``I = a N`` and the union ``2N - I``::

        iou_loss = 1 - (a N + smooth) / (2 N - a N + smooth)

    which only falls when ``a`` rises, whichever class the accuracy comes from.

    Examples
    --------
    >>> round(pooled_loss_from_accuracy(1.0, 100), 4), round(pooled_loss_from_accuracy(0.5, 100), 4)
    (0.0, 0.6623)
    """
    a = np.asarray(accuracy, dtype=np.float64)
    n = np.asarray(n_pixels, dtype=np.float64)
    if np.any(a < 0) or np.any(a > 1) or np.any(n <= 0):
        raise ValueError(f"accuracy must be in [0, 1] and n_pixels > 0, got {accuracy!r} and {n_pixels!r}.")
    value = 1.0 - (a * n + smooth) / (2.0 * n - a * n + smooth)
    return float(value) if value.ndim == 0 else value


def soft_iou_per_class(y_true, y_pred, *, smooth: float = 0.0):
    """Soft IoU of every class, ``(I_c + smooth) / (U_c + smooth)``, summed over all pixels given.

    ``I_c = sum(y_c * p_c)``, ``U_c = sum(y_c) + sum(p_c) - I_c``. Unlike
    ``helpers.keras.losses.soft_jaccard_loss`` nothing is dropped: a class absent from ``y_true`` gets
    ``smooth / (sum(p_c) + smooth)`` (0 without smoothing, and 0 also when ``0 / 0``), so with
    ``smooth = 1`` it scores about 1 exactly when the prediction puts (almost) no probability on it.

    Returns
    -------
    tf.Tensor, shape (C,)
    """
    y, p = _one_hot_and_probs(y_true, y_pred)
    axes = list(range(p.shape.rank - 1))
    inter = tf.reduce_sum(y * p, axis=axes)
    union = tf.reduce_sum(y, axis=axes) + tf.reduce_sum(p, axis=axes) - inter
    return tf.math.divide_no_nan(inter + smooth, union + smooth)


def logit_gradient(loss_fn, y_true, logits):
    """A loss of ``softmax(logits)`` and its gradient with respect to the logits.

    Parameters
    ----------
    loss_fn : callable ``(y_true, probabilities) -> scalar tensor``
        e.g. ``helpers.keras.losses.soft_jaccard_loss`` or ``helpers.course.buggy.iou_loss``.
    y_true : one-hot ``(..., C)`` or label map, as the loss accepts it
    logits : array_like, shape (..., C)

    Returns
    -------
    loss : float
    grad : ndarray of float32, shape of ``logits``
        ``d loss / d logits``; ``np.linalg.norm(grad, axis=-1)`` is the per-pixel push.
    """
    z = tf.Variable(tf.convert_to_tensor(logits, dtype=tf.float32))
    with tf.GradientTape() as tape:
        loss = loss_fn(y_true, tf.nn.softmax(z, axis=-1))
    grad = tape.gradient(loss, z)
    if grad is None:
        raise ValueError("the loss does not depend differentiably on the logits (its gradient is None).")
    return float(loss), grad.numpy()
