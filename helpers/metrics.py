"""A framework-free NumPy reference for segmentation IoU.

Conventions (the ones Keras, torchmetrics' macro average and scikit-learn use; the course explains each):

- Predictions become classes by **argmax** over the class axis (:func:`to_labels`).
- One **integer confusion matrix**, rows = true class, columns = predicted class, counted in int64
  (a float32 counter stops counting at 2**24 pixels).
- ``IoU_c = TP_c / (TP_c + FP_c + FN_c)``; a class absent from both truth and prediction has no IoU
  (NaN) and is **excluded** from the mean.
- Pixels whose true label is ``ignore_index`` (e.g. 255, "void") are dropped from every count.
- ``mean_iou`` is **dataset-level** by default (one confusion matrix over everything);
  ``per_image=True`` gives the mean over images of each image's mean IoU, a different number.

Every function validates its input and raises ``ValueError`` naming the problem and the fix:
nothing is silently dropped, cast or broadcast.

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

__all__ = [
    "to_labels",
    "confusion_matrix",
    "iou_from_confusion_matrix",
    "per_class_iou",
    "mean_iou",
    "per_image_iou",
    "pixel_accuracy",
]


# --------------------------------------------------------------------------------------------
# validation at the boundary
# --------------------------------------------------------------------------------------------
def _check_num_classes(num_classes) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(
            f"num_classes must be an int, got {num_classes!r} ({type(num_classes).__name__}); "
            "pass the number of classes, e.g. num_classes=5."
        )
    if num_classes < 2:
        raise ValueError(
            f"num_classes must be at least 2, got {num_classes}; IoU needs at least a background "
            "and one object class (for one object class use num_classes=2)."
        )
    return int(num_classes)


def _check_ignore_index(ignore_index, num_classes: int):
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise ValueError(
            f"ignore_index must be an int or None, got {ignore_index!r}; e.g. ignore_index=255."
        )
    if 0 <= ignore_index < num_classes:
        raise ValueError(
            f"ignore_index={ignore_index} is a real class (0..{num_classes - 1}); choose a label "
            "outside [0, num_classes), e.g. 255, or drop the class from num_classes."
        )
    return int(ignore_index)


def _as_labels(y, name: str) -> np.ndarray:
    """Return ``y`` as an integer ndarray, or raise a ValueError that says how to get one."""
    y = np.asarray(y)
    if y.size == 0:
        raise ValueError(f"{name} is empty (shape {y.shape}); pass at least one pixel.")
    if y.dtype == bool:
        return y.astype(np.int64)
    if np.issubdtype(y.dtype, np.integer):
        return y
    if np.issubdtype(y.dtype, np.floating):
        if np.isnan(y).any():
            raise ValueError(
                f"{name} contains NaN; labels must be integers. Check the model's output or the "
                "data loader for NaNs before computing IoU."
            )
        raise ValueError(
            f"{name} has float dtype {y.dtype}; expected integer class labels. For probabilities or "
            f"one-hot masks over the last axis use helpers.metrics.to_labels({name}); for "
            f"integer-valued floats use {name}.astype(int)."
        )
    raise ValueError(f"{name} has dtype {y.dtype}; expected integer class labels.")


def _check_same_shape(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape == y_pred.shape:
        return
    hint = "pass two label maps of the same shape, e.g. to_labels(y_true) and to_labels(y_pred)."
    a, b = y_true.shape, y_pred.shape
    if len(a) == len(b) and a[:-1] == b[:-1] and 1 in (a[-1], b[-1]):
        hint = (
            "one input ends in a channel of size 1 and the other in several channels: this looks "
            "like integer labels (B, H, W, 1) against one-hot or probability masks (B, H, W, C), "
            "which would broadcast silently. Convert both to label maps: "
            "np.squeeze(labels, axis=-1) and to_labels(probabilities)."
        )
    elif len(a) + 1 == len(b) and a == b[:-1]:
        hint = "y_pred has an extra class axis: convert it with to_labels(y_pred)."
    elif len(b) + 1 == len(a) and b == a[:-1]:
        hint = "y_true has an extra class axis: convert it with to_labels(y_true, one_hot=True)."
    raise ValueError(f"y_true has shape {a} but y_pred has shape {b}; {hint}")


def _check_range(y: np.ndarray, name: str, num_classes: int, ignore_index) -> None:
    lo, hi = y.min(), y.max()
    if lo >= 0 and hi < num_classes:
        return
    bad = y[(y < 0) | (y >= num_classes)]
    if ignore_index is not None:
        bad = bad[bad != ignore_index]
    if bad.size == 0:
        return
    values = np.unique(bad)
    shown = ", ".join(str(v) for v in values[:5]) + (", ..." if values.size > 5 else "")
    v = int(values[0])
    if values.size == 1 and v == num_classes:
        fix = (f"labels may run 1..{num_classes} instead of 0..{num_classes - 1} (subtract 1), or "
               f"num_classes is too small")
    elif values.size == 1 and ignore_index is None and (v < 0 or v >= 255):
        fix = f"pass ignore_index={v} if that value marks void pixels"
    else:
        fix = "check num_classes and the label encoding"
    raise ValueError(
        f"{name} has {bad.size} label(s) outside [0, {num_classes}): {shown}. These are not dropped "
        f"silently; {fix}."
    )


def _validated_pair(y_true, y_pred, num_classes, ignore_index):
    num_classes = _check_num_classes(num_classes)
    ignore_index = _check_ignore_index(ignore_index, num_classes)
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred")
    _check_same_shape(y_true, y_pred)
    _check_range(y_true, "y_true", num_classes, ignore_index)
    if ignore_index is not None and np.any(y_pred == ignore_index):
        # a prediction of `ignore_index` is only harmless where the truth is ignored too
        keep = y_true != ignore_index
        _check_range(y_pred[keep], "y_pred (at pixels that are not ignored)", num_classes, None)
    else:
        _check_range(y_pred, "y_pred", num_classes, None)
    return y_true, y_pred, num_classes, ignore_index


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def to_labels(y, one_hot: bool = False) -> np.ndarray:
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


def confusion_matrix(y_true, y_pred, num_classes: int, ignore_index: int | None = None) -> np.ndarray:
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
    c = _check_num_classes(num_classes)
    ignore = _check_ignore_index(ignore_index, c)
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred")
    _check_same_shape(y_true, y_pred)
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
        pp = p[start:start + _CHUNK]
        if pp.min() < 0 or pp.max() >= c:
            break
        idx = t[start:start + _CHUNK].astype(np.intp)
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
    _validated_pair(y_true, y_pred, c, ignore)  # a label is out of range: raise the full explanation
    raise AssertionError("unreachable: out-of-range labels were detected but not explained")


_CHUNK = 1 << 15  # pixels per bincount call in confusion_matrix (fits in L2 cache)


def iou_from_confusion_matrix(cm) -> np.ndarray:
    """Per-class IoU from a confusion matrix (rows true, columns predicted).

    ``IoU_c = cm[c, c] / (row_c + col_c - cm[c, c])``; NaN where the class is absent from both
    truth and prediction (the denominator is 0).

    Examples
    --------
    >>> iou_from_confusion_matrix(np.array([[1, 1], [1, 1]]))
    array([0.33333333, 0.33333333])
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square (C, C) matrix, got shape {cm.shape}.")
    tp = np.diag(cm).astype(np.float64)
    denom = cm.sum(axis=0).astype(np.float64) + cm.sum(axis=1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, tp / np.where(denom > 0, denom, 1.0), np.nan)


def per_class_iou(y_true, y_pred, num_classes: int, ignore_index: int | None = None) -> np.ndarray:
    """IoU of each class over all pixels given (one confusion matrix).

    Returns
    -------
    ndarray of float64, shape (C,)
        NaN for a class absent from both ``y_true`` and ``y_pred``.

    Examples
    --------
    >>> per_class_iou([0, 0, 1, 1], [0, 1, 1, 1], num_classes=3)
    array([0.5       , 0.66666667,        nan])
    """
    return iou_from_confusion_matrix(confusion_matrix(y_true, y_pred, num_classes, ignore_index))


def mean_iou(
    y_true, y_pred, num_classes: int, ignore_index: int | None = None, per_image: bool = False
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

    Returns
    -------
    float

    Examples
    --------
    >>> y_true = np.array([[0, 0, 1, 1], [0, 0, 0, 0]])
    >>> y_pred = np.array([[0, 0, 1, 0], [0, 0, 0, 0]])
    >>> round(mean_iou(y_true, y_pred, num_classes=2), 4)       # one matrix over both images
    0.6786
    >>> round(mean_iou(y_true, y_pred, num_classes=2, per_image=True), 4)
    0.7917
    """
    if not per_image:
        ious = per_class_iou(y_true, y_pred, num_classes, ignore_index)
        if np.isnan(ious).all():
            raise ValueError(
                "every pixel is ignore_index, so there is nothing to measure; check the masks."
            )
        return float(np.nanmean(ious))

    values = per_image_iou(y_true, y_pred, num_classes, ignore_index)
    if np.isnan(values).all():
        raise ValueError("every pixel is ignore_index, so there is nothing to measure; check the masks.")
    return float(np.nanmean(values))


def per_image_iou(y_true, y_pred, num_classes: int, ignore_index: int | None = None) -> np.ndarray:
    """Mean IoU of each image (first axis), over the classes present in that image.

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
    y_true, y_pred, c, ignore_index = _validated_pair(y_true, y_pred, num_classes, ignore_index)
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
    cms = np.bincount(idx.ravel(), minlength=n * c * c).reshape(n, c, c)
    tp = np.diagonal(cms, axis1=1, axis2=2).astype(np.float64)
    denom = cms.sum(axis=1) + cms.sum(axis=2) - tp
    present = denom > 0
    iou = np.where(present, tp / np.where(present, denom, 1.0), 0.0)
    counted = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counted > 0, iou.sum(axis=1) / np.maximum(counted, 1), np.nan)


def pixel_accuracy(y_true, y_pred, ignore_index: int | None = None) -> float:
    """Fraction of (non-ignored) pixels whose predicted label equals the true label.

    Examples
    --------
    >>> pixel_accuracy([0, 0, 1, 255], [0, 1, 1, 0], ignore_index=255)
    0.6666666666666666
    """
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred")
    _check_same_shape(y_true, y_pred)
    if ignore_index is not None:
        keep = y_true != ignore_index
        if not keep.any():
            raise ValueError("every pixel is ignore_index, so there is nothing to measure; check the masks.")
        return float(np.mean(y_true[keep] == y_pred[keep]))
    return float(np.mean(y_true == y_pred))
