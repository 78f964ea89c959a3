"""Soft versus hard IoU: the small tools behind notebook 04 (TensorFlow for gradients, NumPy for data).

- Predictions to study: :func:`label_probs` (a fixed confidence on given labels) and
  :func:`mediocre_logits` (the truth shifted, blurred and noisy, as logits).
- What the question's pooled ``iou_loss`` really measures: :func:`soft_pixel_accuracy` and
  :func:`pooled_loss_from_accuracy` (with one-hot targets and softmax outputs the pooled loss is
  ``1 - (aN + 1) / (2N - aN + 1)``, ``a`` the soft pixel accuracy, ``N`` the number of pixels).
- Per-class soft IoU of **every** class, absent ones included, with an optional smoothing constant:
  :func:`soft_iou_per_class` (``helpers.losses.soft_jaccard_loss`` averages the present ones only).
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

from .losses import _prepare

__all__ = [
    "label_probs",
    "mediocre_logits",
    "boundary_mask",
    "soft_pixel_accuracy",
    "pooled_loss_from_accuracy",
    "soft_iou_per_class",
    "logit_gradient",
]


def _labels(labels) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.size == 0 or not (labels.dtype == bool or np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(
            f"labels must be a non-empty integer label map (..., H, W), got dtype {labels.dtype} and shape "
            f"{labels.shape}; for one-hot masks use labels.argmax(-1)."
        )
    return labels.astype(np.int64)


def _check_classes(labels: np.ndarray, num_classes: int) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}), got values {labels.min()}..{labels.max()}.")
    return int(num_classes)


def label_probs(labels, confidence: float, num_classes: int = 5) -> np.ndarray:
    """Softmax-like probabilities: ``confidence`` on each pixel's label, the rest shared equally.

    Parameters
    ----------
    labels : array_like of int, shape (...)
    confidence : float in [1 / num_classes, 1]
        Probability of the labelled class; every other class gets ``(1 - confidence) / (C - 1)``.
    num_classes : int

    Returns
    -------
    ndarray of float32, shape (..., C); each pixel sums to 1 and its argmax is ``labels``
    (for ``confidence > 1 / C``).
    """
    labels = _labels(labels)
    c = _check_classes(labels, num_classes)
    confidence = float(confidence)
    if not 1.0 / c <= confidence <= 1.0:
        raise ValueError(f"confidence must be in [1/{c}, 1] (the labelled class is the most likely), got {confidence}.")
    p = np.full(labels.shape + (c,), (1.0 - confidence) / (c - 1), dtype=np.float32)
    np.put_along_axis(p, labels[..., None], np.float32(confidence), axis=-1)
    return p


def _box_blur(x: np.ndarray, k: int) -> np.ndarray:
    """Mean over (2k+1) x (2k+1) windows on the axes (-3, -2) of a (..., H, W, C) array, edges repeated."""
    if k == 0:
        return x
    h, w = x.shape[-3], x.shape[-2]
    pad = [(0, 0)] * (x.ndim - 3) + [(k, k), (k, k), (0, 0)]
    p = np.pad(x, pad, mode="edge")
    out = np.zeros_like(x)
    for i in range(2 * k + 1):
        for j in range(2 * k + 1):
            out += p[..., i:i + h, j:j + w, :]
    return out / (2 * k + 1) ** 2


def mediocre_logits(labels, strength: float = 3.0, noise: float = 0.5, shift: int = 1, blur: int = 1,
                    num_classes: int = 5, seed: int = 0) -> np.ndarray:
    """Logits of a mediocre "model" of ``labels``: the truth shifted, blurred and noisy.

    ``strength * box_blur(one_hot(roll(labels, shift, axis=-1)), blur) + noise * N(0, 1)``: the
    objects are found but ``shift`` pixels to the right, boundaries are uncertain over ``blur``
    pixels, and the noise (``np.random.default_rng(seed)``) scatters a few wrong pixels. Deterministic.

    Parameters
    ----------
    labels : array_like of int, shape (H, W) or (B, H, W)
    strength : float
        Height of the true class's logit away from boundaries (sharper predictions for larger values).
    noise : float
        Standard deviation of the Gaussian noise added to every logit.
    shift : int
        Columns the believed mask is shifted to the right (wrapping round, as ``np.roll``).
    blur : int
        Radius of the box blur (0: none).

    Returns
    -------
    ndarray of float32, shape labels.shape + (num_classes,)
    """
    labels = _labels(labels)
    if labels.ndim < 2:
        raise ValueError(f"labels must be a label map (H, W) or a batch (B, H, W), got shape {labels.shape}.")
    c = _check_classes(labels, num_classes)
    blur = int(blur)
    if blur < 0:
        raise ValueError(f"blur must be >= 0, got {blur}.")
    believed = np.roll(labels, int(shift), axis=-1)
    logits = float(strength) * _box_blur(np.eye(c)[believed], blur)
    logits += float(noise) * np.random.default_rng(seed).normal(size=logits.shape)
    return logits.astype(np.float32)


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
    labels = _labels(labels)
    if labels.ndim < 2:
        raise ValueError(f"labels must be a label map (H, W) or a batch (B, H, W), got shape {labels.shape}.")
    h, w = labels.shape[-2:]
    p = np.pad(labels, [(0, 0)] * (labels.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    out = np.zeros(labels.shape, dtype=bool)
    for i in range(3):
        for j in range(3):
            out |= p[..., i:i + h, j:j + w] != labels
    return out


def soft_pixel_accuracy(y_true, y_pred) -> float:
    """Soft pixel accuracy ``a = sum(y * p) / N``: the mean probability given to the true class.

    ``y_true`` is one-hot ``(..., C)`` or a label map; ``y_pred`` holds probabilities ``(..., C)``;
    ``N`` is the number of pixels. On one-hot predictions it is the pixel accuracy.
    """
    y, p = _prepare(y_true, y_pred)
    n_pixels = tf.cast(tf.size(p) // p.shape[-1], p.dtype)
    return float(tf.reduce_sum(y * p) / n_pixels)


def pooled_loss_from_accuracy(accuracy, n_pixels, smooth: float = 1.0):
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


def soft_iou_per_class(y_true, y_pred, smooth: float = 0.0):
    """Soft IoU of every class, ``(I_c + smooth) / (U_c + smooth)``, summed over all pixels given.

    ``I_c = sum(y_c * p_c)``, ``U_c = sum(y_c) + sum(p_c) - I_c``. Unlike
    ``helpers.losses.soft_jaccard_loss`` nothing is dropped: a class absent from ``y_true`` gets
    ``smooth / (sum(p_c) + smooth)`` (0 without smoothing, and 0 also when ``0 / 0``), so with
    ``smooth = 1`` it scores about 1 exactly when the prediction puts (almost) no probability on it.

    Returns
    -------
    tf.Tensor, shape (C,)
    """
    y, p = _prepare(y_true, y_pred)
    axes = list(range(p.shape.rank - 1))
    inter = tf.reduce_sum(y * p, axis=axes)
    union = tf.reduce_sum(y, axis=axes) + tf.reduce_sum(p, axis=axes) - inter
    return tf.math.divide_no_nan(inter + smooth, union + smooth)


def logit_gradient(loss_fn, y_true, logits):
    """A loss of ``softmax(logits)`` and its gradient with respect to the logits.

    Parameters
    ----------
    loss_fn : callable ``(y_true, probabilities) -> scalar tensor``
        e.g. ``helpers.losses.soft_jaccard_loss`` or ``helpers.buggy.iou_loss``.
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
