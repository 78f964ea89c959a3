"""A framework-free NumPy reference for segmentation IoU.

Conventions (the ones Keras, torchmetrics' macro average and scikit-learn use; the course explains each):

- Predictions become classes by **argmax** over the class axis (:func:`to_labels`).
- One **integer confusion matrix**, rows = true class, columns = predicted class, counted in int64
  (a float32 counter stops counting at 2**24 pixels).
- ``IoU_c = TP_c / (TP_c + FP_c + FN_c)``; a class absent from both truth and prediction has no IoU
  (NaN) and is **excluded** from the mean by default (``absent="exclude"``; ``"zero"`` and ``"one"``
  count it as 0 or 1 instead, as scikit-learn's ``zero_division`` chooses a value for 0 / 0).
- Pixels whose true label is ``ignore_index`` (e.g. 255, "void") are dropped from every count.
- ``mean_iou`` is **dataset-level** by default (one confusion matrix over everything);
  ``per_image=True`` gives the mean over images of each image's mean IoU, a different number.

Options come after the data as keyword arguments: ``mean_iou(y_true, y_pred, num_classes=5)``.

Every function validates its input (the input policy is in ``helpers/_validation.py`` and
``docs/architecture.md``) and raises ``ValueError`` naming the problem and the fix: nothing is
silently dropped, cast or broadcast. Undefined per-part values are NaN; a summary number with
nothing at all to measure raises.

Examples
--------
>>> import numpy as np
>>> y_true = np.array([0, 0, 1, 1])
>>> y_pred = np.array([0, 1, 0, 1])
>>> confusion_matrix(y_true, y_pred, num_classes=2)
array([[1, 1],
       [1, 1]])
>>> round(mean_iou(y_true, y_pred, num_classes=2), 4)
0.3333
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    NOTHING_TO_MEASURE,
    as_labels,
    check_absent,
    check_ignore_index,
    check_num_classes,
    check_same_shape,
    looks_one_hot,
    refuse_one_hot,
    validated_pair,
)

__all__ = [
    "to_labels",
    "confusion_matrix",
    "iou_from_counts",
    "iou_from_confusion_matrix",
    "average_iou",
    "per_class_iou",
    "mean_iou",
    "per_image_iou",
    "per_image_confusion_matrices",
    "pixel_accuracy",
    "foreground_iou",
]

_CHUNK = 1 << 15  # pixels per bincount call in confusion_matrix (fits in L2 cache)


def to_labels(y, *, one_hot: bool = False) -> np.ndarray:
    """Turn one-hot masks or class probabilities into integer label maps (argmax, last axis).

    Parameters
    ----------
    y : array_like
        A float array of probabilities, logits or one-hot vectors over the **last** axis,
        e.g. ``(B, H, W, C)``; or an integer label map, e.g. ``(B, H, W)``.
    one_hot : bool, default False
        Integer arrays are label maps and pass through unchanged, unless ``one_hot=True``:
        then they are integer one-hot masks (each pixel's last-axis vector has a single 1)
        and are converted by argmax.

    Returns
    -------
    ndarray of int
        Label map with the last axis removed (float or ``one_hot=True`` input), or ``y`` itself.

    Examples
    --------
    >>> to_labels(np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]]))
    array([1, 0])
    >>> to_labels(np.array([[0, 0, 1], [1, 0, 0]]), one_hot=True)
    array([2, 0])
    """
    y = np.asarray(y)
    if y.size == 0:
        raise ValueError(f"y is empty (shape {y.shape}); pass at least one pixel.")
    is_int = y.dtype == bool or np.issubdtype(y.dtype, np.integer)
    if is_int and not one_hot:
        return y
    if not is_int and not np.issubdtype(y.dtype, np.floating):
        raise ValueError(f"y has dtype {y.dtype}; expected a float or integer array.")
    if y.ndim == 0 or y.shape[-1] < 2:
        raise ValueError(
            f"y has shape {y.shape}: its last axis must hold one score per class (size >= 2), "
            "so argmax can pick a class. For labels stored as (B, H, W, 1) use "
            "np.squeeze(y, axis=-1).astype(int); for one sigmoid channel use (y > 0.5).astype(int)."
        )
    if not is_int and np.isnan(y).any():
        raise ValueError("y contains NaN; check the model's output before taking the argmax.")
    if one_hot:
        if not np.all((y == 0) | (y == 1)) or not np.all(y.sum(axis=-1) == 1):
            raise ValueError(
                "one_hot=True but y is not one-hot (each last-axis vector must hold a single 1 "
                "and zeros); for probabilities pass a float array with one_hot=False."
            )
    return np.argmax(y, axis=-1)


def confusion_matrix(y_true, y_pred, *, num_classes: int, ignore_index: int | None = None) -> np.ndarray:
    """Count pixels by (true class, predicted class).

    Parameters
    ----------
    y_true, y_pred : array_like of int
        Label maps of the same shape, any rank (e.g. ``(B, H, W)``).
    num_classes : int
        Number of classes ``C`` (at least 2). Labels must lie in ``[0, C)``.
    ignore_index : int, optional
        A label outside ``[0, C)`` (e.g. 255) marking pixels of ``y_true`` to leave out.

    Returns
    -------
    ndarray of int64, shape (C, C)
        ``cm[i, j]`` = number of pixels of true class ``i`` predicted as class ``j``.

    Examples
    --------
    >>> confusion_matrix([0, 1, 2, 255], [0, 1, 1, 1], num_classes=3, ignore_index=255)
    array([[1, 0, 0],
           [0, 1, 0],
           [0, 1, 0]])
    """
    c = check_num_classes(num_classes)
    ignore = check_ignore_index(ignore_index, c)
    y_true = as_labels(y_true, "y_true", c)
    y_pred = as_labels(y_pred, "y_pred", c)
    check_same_shape(y_true, y_pred)
    t = y_true.ravel()
    p = y_pred.ravel()
    if ignore is not None:
        keep = t != ignore
        if not keep.all():
            t, p = t[keep], p[keep]
    # Encode each (true, pred) pair as one index t*C + p and count all pairs with np.bincount, in
    # chunks that stay in the CPU cache. Validation rides along: with p checked to lie in [0, C),
    # t*C + p lies in [0, C*C) exactly when t does, and np.bincount already finds the index range.
    n_bins = c * c
    counts = np.zeros(n_bins, dtype=np.int64)
    for start in range(0, t.size, _CHUNK):
        pp = p[start : start + _CHUNK]
        if pp.min() < 0 or pp.max() >= c:
            break
        idx = t[start : start + _CHUNK].astype(np.intp)
        idx *= c
        idx += pp
        try:
            chunk_counts = np.bincount(idx, minlength=n_bins)
        except ValueError:  # a negative index: some t < 0
            break
        if chunk_counts.size > n_bins:  # some t >= C
            break
        counts += chunk_counts
    else:
        return counts.reshape(c, c)
    validated_pair(y_true, y_pred, c, ignore)  # a label is out of range: raise the full explanation
    raise AssertionError("unreachable: out-of-range labels were detected but not explained")


def iou_from_counts(intersection, size_true, size_pred) -> np.ndarray:
    """``I / (|T| + |P| - I)`` elementwise, NaN where the denominator is 0 (both sets empty).

    The one place the IoU arithmetic is written: hard counts (from a confusion matrix or two masks)
    and soft sums (``I = sum(y * p)``) alike.

    Examples
    --------
    >>> iou_from_counts([1, 0, 0], [2, 0, 1], [1, 0, 0])
    array([0.5, nan, 0. ])
    """
    i = np.asarray(intersection, dtype=np.float64)
    denom = np.asarray(size_true, dtype=np.float64) + np.asarray(size_pred, dtype=np.float64) - i
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, i / np.where(denom > 0, denom, 1.0), np.nan)


def iou_from_confusion_matrix(cm) -> np.ndarray:
    """Per-class IoU from a confusion matrix (rows true, columns predicted).

    ``IoU_c = cm[c, c] / (row_c + col_c - cm[c, c])``; NaN where the class is absent from both
    truth and prediction (the denominator is 0). A stack of matrices ``(..., C, C)`` gives ``(..., C)``.

    Examples
    --------
    >>> iou_from_confusion_matrix(np.array([[1, 1], [1, 1]]))
    array([0.33333333, 0.33333333])
    """
    cm = np.asarray(cm)
    if cm.ndim < 2 or cm.shape[-1] != cm.shape[-2]:
        raise ValueError(f"cm must be a square (C, C) matrix (or a stack (..., C, C)), got shape {cm.shape}.")
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    return iou_from_counts(tp, cm.sum(axis=-1), cm.sum(axis=-2))


def average_iou(ious, *, absent: str = "exclude") -> np.ndarray | float:
    """Mean over the last axis (the classes) of per-class IoUs in which NaN marks an absent class.

    Parameters
    ----------
    ious : array_like of float, shape (..., C)
    absent : {"exclude", "zero", "one"}, default "exclude"
        ``"exclude"``: an absent class is left out of the mean (Keras ``MeanIoU``, this module);
        ``"zero"``: it counts as 0 (pulls the mean down); ``"one"``: it counts as 1 (what a smoothed
        ``(I + 1) / (U + 1)`` gives: pushes the mean up).

    Returns
    -------
    float, or ndarray of shape (...)
        NaN where every class is NaN and ``absent="exclude"``.

    Examples
    --------
    >>> ious = np.array([0.5, np.nan, 1.0])
    >>> float(average_iou(ious)), float(average_iou(ious, absent="zero")), float(average_iou(ious, absent="one"))
    (0.75, 0.5, 0.8333333333333334)
    """
    absent = check_absent(absent)
    v = np.asarray(ious, dtype=np.float64)
    if absent == "zero":
        v = np.nan_to_num(v, nan=0.0)
    elif absent == "one":
        v = np.nan_to_num(v, nan=1.0)
    present = ~np.isnan(v)
    counted = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(counted > 0, np.where(present, v, 0.0).sum(axis=-1) / np.maximum(counted, 1), np.nan)
    return float(out) if out.ndim == 0 else out


def per_image_confusion_matrices(y_true, y_pred, *, num_classes: int, ignore_index: int | None = None) -> np.ndarray:
    """One confusion matrix per image, shape (N, C, C): per-image IoU, and the unit an image bootstrap resamples.

    ``y_true`` and ``y_pred`` are label maps ``(N, H, W)`` (the first axis is the image), validated as
    :func:`confusion_matrix` validates them; pixels where ``y_true == ignore_index`` are left out.

    >>> per_image_confusion_matrices([[0, 1], [1, 1]], [[0, 0], [1, 1]], num_classes=2).tolist()
    [[[1, 0], [1, 0]], [[0, 0], [0, 2]]]
    """
    y_true, y_pred, c, ignore_index = validated_pair(y_true, y_pred, num_classes, ignore_index)
    if y_true.ndim < 2:
        raise ValueError(
            f"per-image IoU needs a batch axis first, e.g. (N, H, W); got shape {y_true.shape}. "
            "For a single image use per_image=False (or add an axis: y[None])."
        )
    n = y_true.shape[0]
    t = y_true.reshape(n, -1).astype(np.intp)
    p = y_pred.reshape(n, -1)
    # one bincount for all images: index = image * C*C + true * C + pred
    idx = (np.arange(n, dtype=np.intp)[:, None] * (c * c)) + t * c + p
    if ignore_index is not None:
        idx = idx[t != ignore_index]
    return np.bincount(idx.ravel(), minlength=n * c * c).reshape(n, c, c)


def per_class_iou(
    y_true, y_pred, *, num_classes: int, ignore_index: int | None = None, per_image: bool = False
) -> np.ndarray:
    """IoU of each class over all pixels given (one confusion matrix), or of each image's classes.

    Parameters
    ----------
    y_true, y_pred, num_classes, ignore_index
        As in :func:`mean_iou`.
    per_image : bool, default False
        False: one confusion matrix over everything. True: the first axis indexes images, and each
        image gets its own row.

    Returns
    -------
    ndarray of float64, shape (C,), or (N, C) with ``per_image=True``
        NaN for a class absent from both ``y_true`` and ``y_pred`` (of that image).

    Examples
    --------
    >>> per_class_iou([0, 0, 1, 1], [0, 1, 1, 1], num_classes=3)
    array([0.5       , 0.66666667,        nan])
    """
    if per_image:
        return iou_from_confusion_matrix(
            per_image_confusion_matrices(y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index)
        )
    cm = confusion_matrix(y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index)
    return iou_from_confusion_matrix(cm)


def mean_iou(
    y_true,
    y_pred,
    *,
    num_classes: int,
    ignore_index: int | None = None,
    per_image: bool = False,
    absent: str = "exclude",
) -> float:
    """Mean IoU over the classes present in truth or prediction.

    Parameters
    ----------
    y_true, y_pred : array_like of int
        Label maps of the same shape (use :func:`to_labels` for one-hot or probability masks).
    num_classes : int
        Number of classes (at least 2).
    ignore_index : int, optional
        Label of void pixels in ``y_true`` (outside ``[0, num_classes)``), left out of all counts.
    per_image : bool, default False
        False: **dataset level**, one confusion matrix over everything, then the mean over classes
        that are present. True: the first axis indexes images; each image gets its own mean IoU
        (over the classes present in that image), and the result is the mean over images.
        Images whose pixels are all ignored have no IoU and are left out of that mean.
    absent : {"exclude", "zero", "one"}, default "exclude"
        How a class absent from truth *and* prediction (of the image, with ``per_image=True``)
        enters the mean: left out, counted as 0, or counted as 1 (see :func:`average_iou`).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        On invalid input, or when every pixel is ``ignore_index`` (nothing to measure).

    Examples
    --------
    >>> y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 0]])
    >>> y_pred = np.array([[0, 0, 1, 0], [0, 0, 0, 0]])
    >>> round(mean_iou(y_true, y_pred, num_classes=2), 4)       # one matrix over both images
    0.6786
    >>> round(mean_iou(y_true, y_pred, num_classes=2, per_image=True), 4)
    0.7917
    >>> round(mean_iou(y_true, y_pred, num_classes=3, absent="zero"), 4)   # class 2 counted as 0
    0.4524
    """
    check_absent(absent)
    if not per_image:
        cm = confusion_matrix(y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index)
        if cm.sum() == 0:
            raise ValueError(NOTHING_TO_MEASURE)
        return float(average_iou(iou_from_confusion_matrix(cm), absent=absent))
    values = per_image_iou(y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index, absent=absent)
    if np.isnan(values).all():
        raise ValueError(NOTHING_TO_MEASURE)
    return float(np.nanmean(values))


def per_image_iou(
    y_true, y_pred, *, num_classes: int, ignore_index: int | None = None, absent: str = "exclude"
) -> np.ndarray:
    """Mean IoU of each image (first axis), over the classes present in that image.

    Parameters
    ----------
    y_true, y_pred, num_classes, ignore_index, absent
        As in :func:`mean_iou`.

    Returns
    -------
    ndarray of float64, shape (N,)
        NaN for an image whose pixels are all ``ignore_index``.

    Examples
    --------
    >>> y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 0]])
    >>> y_pred = np.array([[0, 0, 1, 0], [0, 0, 0, 0]])
    >>> per_image_iou(y_true, y_pred, num_classes=2)
    array([0.58333333, 1.        ])
    """
    check_absent(absent)
    cms = per_image_confusion_matrices(y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index)
    values = average_iou(iou_from_confusion_matrix(cms), absent=absent)
    return np.where(cms.sum(axis=(1, 2)) > 0, values, np.nan)


def pixel_accuracy(y_true, y_pred, *, ignore_index: int | None = None) -> float:
    """Fraction of (non-ignored) pixels whose predicted label equals the true label.

    Examples
    --------
    >>> pixel_accuracy([0, 0, 1, 255], [0, 1, 1, 0], ignore_index=255)
    0.6666666666666666
    """
    y_true = as_labels(y_true, "y_true")
    y_pred = as_labels(y_pred, "y_pred")
    check_same_shape(y_true, y_pred)
    c = y_true.shape[-1] if y_true.ndim >= 2 else None
    if looks_one_hot(y_pred, c):  # two one-hot masks would compare channels, not pixels
        refuse_one_hot(y_true, "y_true", c)
    if ignore_index is not None:
        keep = y_true != ignore_index
        if not keep.any():
            raise ValueError(NOTHING_TO_MEASURE)
        return float(np.mean(y_true[keep] == y_pred[keep]))
    return float(np.mean(y_true == y_pred))


def foreground_iou(y_true, y_prob, *, threshold: float = 0.5, ignore_index: int | None = None) -> float:
    """IoU of the foreground of a binary model (one sigmoid channel), over all pixels given.

    The reference for binary segmentation: a pixel is predicted foreground when its probability is
    ``>= threshold`` (as ``keras.metrics.BinaryIoU`` thresholds), and ``TP / (TP + FP + FN)`` of class 1
    is counted over everything at once (dataset level). The background's IoU is *not* averaged in:
    ``keras.metrics.BinaryIoU()`` (default ``target_class_ids=[0, 1]``) does, so a model that finds
    nothing still scores about 0.5 there when objects are small.

    Parameters
    ----------
    y_true : array_like of int or bool
        0/1 masks, e.g. ``(B, H, W)`` or ``(B, H, W, 1)``; ``ignore_index`` marks void pixels.
    y_prob : array_like of float
        Sigmoid probabilities of the same shape (a trailing channel of 1 on either side is squeezed).
    threshold : float, default 0.5
    ignore_index : int, optional
        Label of void pixels in ``y_true`` (e.g. 255), left out.

    Returns
    -------
    float
        NaN when neither truth nor prediction holds any foreground (0 / 0; the Keras metrics
        ``ForegroundIoU`` and ``keras.metrics.IoU(num_classes=2, target_class_ids=[1])`` report 0.0).

    Examples
    --------
    >>> foreground_iou([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.7])   # TP 1, FN 1, FP 1
    0.3333333333333333
    """
    threshold = float(threshold)
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1) (a probability), got {threshold}.")
    y_prob = np.asarray(y_prob)
    if not np.issubdtype(y_prob.dtype, np.floating):
        raise ValueError(f"y_prob has dtype {y_prob.dtype}; pass the sigmoid probabilities (floats in [0, 1]).")
    if np.isnan(y_prob).any() or y_prob.min(initial=0) < 0 or y_prob.max(initial=0) > 1:
        raise ValueError(
            "y_prob must hold probabilities in [0, 1]: logits? apply a sigmoid first (or end the model in one)."
        )
    y_true = np.asarray(y_true)
    if y_true.ndim == y_prob.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    elif y_prob.ndim == y_true.ndim + 1 and y_prob.shape[-1] == 1:
        y_prob = y_prob[..., 0]
    y_pred = (y_prob >= threshold).astype(np.int64)
    y_true = as_labels(y_true, "y_true")
    check_same_shape(y_true, y_pred)  # then flat: a 0/1 mask two pixels wide is not one-hot
    return float(per_class_iou(y_true.ravel(), y_pred.ravel(), num_classes=2, ignore_index=ignore_index)[1])
