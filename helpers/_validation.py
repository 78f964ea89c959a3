"""Input checks shared by every NumPy-facing module of ``helpers`` (package-private, by design).

This is the one place where the course decides what it accepts. The modules ``metrics``, ``data``,
``scenarios``, ``soft_iou``, ``checks`` and the ``widgets`` package import these functions; nothing
outside ``helpers`` should (the module is private: its names may change without notice). The
``ValueError`` raised here reaches the learner unchanged, so each message names the problem *and*
the fix.

Input policy
------------
- **A label map** is an integer (or bool) array of any shape whose values are class indices in
  ``[0, num_classes)``. Bool arrays are read as 0/1.
- **Floats are refused** where a label map is expected, even integer-valued ones: probabilities and
  one-hot masks go through :func:`helpers.metrics.to_labels` first, integer-valued floats through
  ``.astype(int)``. NaN gets its own message (check the model's output or the data loader).
- **One-hot masks are never read as label maps.** An integer or bool array of at least 2 dimensions
  whose last axis has ``num_classes`` entries, all 0/1 with exactly one 1 per pixel, is refused with a
  pointer to ``to_labels(y, one_hot=True)``. A genuine label map that happens to look like that
  (e.g. a 2-class image 2 pixels wide) can be reshaped so that its last axis is not ``num_classes``.
- **``ignore_index``** is ``None`` or an int outside ``[0, num_classes)`` (e.g. 255, "void"). Only
  pixels of ``y_true`` equal to it are left out; ``y_pred`` may hold it only where ``y_true`` does.
- **Out-of-range labels are never dropped silently**: the error lists them. A mask stored as exactly
  {0, 255} with ``num_classes=2`` is a binary mask saved as an image: the first suggestion is
  ``mask // 255`` (or ``mask > 127``), not ``ignore_index=255``, which would drop every object pixel.
- **Empty inputs** are refused.

Undefined values
----------------
A value that is undefined for one part (the IoU of a class absent from truth and prediction, the
IoU of an image whose pixels are all ignored) is **NaN** in per-part arrays; how NaN classes enter
a mean is the caller's ``absent=`` choice. A single summary number with nothing at all to measure
(every pixel ignored) **raises** ``ValueError``.

Examples
--------
>>> as_labels([[0, 1], [2, 0]], "y_true")
array([[0, 1],
       [2, 0]])
>>> as_labels([0.0, 1.0], "y_true")  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
ValueError: y_true has float dtype float64; expected integer class labels. ... use y_true.astype(int).
>>> check_ignore_index(3, 5)  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
ValueError: ignore_index=3 is a real class (0..4); choose a label outside [0, num_classes), e.g. 255, ...
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "check_int",
    "check_num_classes",
    "check_ignore_index",
    "check_absent",
    "ABSENT",
    "as_labels",
    "looks_one_hot",
    "refuse_one_hot",
    "check_same_shape",
    "check_range",
    "validated_pair",
    "NOTHING_TO_MEASURE",
]

ABSENT = ("exclude", "zero", "one")
"""How a class absent from truth *and* prediction enters a mean IoU."""

NOTHING_TO_MEASURE = "every pixel is ignore_index, so there is nothing to measure; check the masks."


def check_int(value, name: str, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]`` (bounds optional), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int, got {value!r}.")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is None:
            rng = f">= {lo}"
        elif lo is None:
            rng = f"<= {hi}"
        else:
            rng = f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {rng}, got {value}.")
    return int(value)


def check_num_classes(num_classes) -> int:
    """``num_classes`` as an int >= 2."""
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


def check_ignore_index(ignore_index, num_classes: int | None):
    """``None``, or ``ignore_index`` as an int outside ``[0, num_classes)`` (any int while ``num_classes`` is None)."""
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise ValueError(
            f"ignore_index must be an int or None, got {ignore_index!r}; pass the label of void pixels, "
            "e.g. ignore_index=255."
        )
    if num_classes is not None and 0 <= ignore_index < num_classes:
        raise ValueError(
            f"ignore_index={ignore_index} is a real class (0..{num_classes - 1}); choose a label "
            "outside [0, num_classes), e.g. 255, or drop the class from num_classes."
        )
    return int(ignore_index)


def check_absent(absent) -> str:
    """One of :data:`ABSENT`."""
    if absent not in ABSENT:
        raise ValueError(
            f"absent must be one of {list(ABSENT)}, got {absent!r}: 'exclude' leaves a class absent "
            "from truth and prediction out of the mean, 'zero' counts it as 0, 'one' as 1."
        )
    return absent


def looks_one_hot(y: np.ndarray, num_classes: int | None) -> bool:
    """Whether the integer/bool array ``y`` (2+ dims) is one-hot over a last axis of ``num_classes``."""
    if num_classes is None or y.ndim < 2 or y.shape[-1] != num_classes:
        return False
    if not (y.dtype == bool or np.issubdtype(y.dtype, np.integer)):
        return False
    return bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=-1) == 1))


def refuse_one_hot(y: np.ndarray, name: str, num_classes: int | None) -> None:
    """Raise if the integer/bool array ``y`` is a one-hot mask over ``num_classes`` classes."""
    if looks_one_hot(y, num_classes):
        raise ValueError(
            f"{name} has shape {y.shape} and looks one-hot (its last axis holds {num_classes} values, "
            f"0/1 with a single 1 per pixel), but a label map is expected here. Convert it with "
            f"helpers.metrics.to_labels({name}, one_hot=True). If it really is a label map whose last "
            f"axis happens to have {num_classes} pixels, reshape it, e.g. {name}.reshape(len({name}), -1)."
        )


def as_labels(y, name: str, num_classes: int | None = None) -> np.ndarray:
    """``y`` as an integer label map (see the input policy above), or a ValueError that says how to get one.

    With ``num_classes`` given, integer and bool one-hot masks are refused (:func:`refuse_one_hot`).
    """
    y = np.asarray(y)
    if y.size == 0:
        raise ValueError(f"{name} is empty (shape {y.shape}); pass at least one pixel.")
    if y.dtype == bool or np.issubdtype(y.dtype, np.integer):
        refuse_one_hot(y, name, num_classes)
        return y.astype(np.int64) if y.dtype == bool else y
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


def check_same_shape(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Raise if the two label maps differ in shape, with a hint for the usual causes."""
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
        if b[-1] == 1:
            hint = (
                "y_pred ends in a channel of size 1: labels -> np.squeeze(y_pred, axis=-1); "
                "one sigmoid channel -> (y_pred[..., 0] > 0.5).astype(int)."
            )
        else:
            hint = "y_pred has an extra class axis: convert it with to_labels(y_pred)."
    elif len(b) + 1 == len(a) and b == a[:-1]:
        if a[-1] == 1:
            hint = "y_true ends in a channel of size 1: convert it with np.squeeze(y_true, axis=-1)."
        else:
            hint = "y_true has an extra class axis: convert it with to_labels(y_true, one_hot=True)."
    raise ValueError(f"y_true has shape {a} but y_pred has shape {b}; {hint}")


def _fix_for(y: np.ndarray, values: np.ndarray, num_classes: int, ignore_index, may_ignore: bool) -> str:
    v = int(values[0])
    if values.size == 1 and v == 255 and set(np.unique(y).tolist()) <= {0, 255}:
        # the trap: a binary mask saved as 0/255 (a PNG) is not "void"; ignoring 255 drops every object
        two = "" if num_classes == 2 else " and num_classes=2"
        fix = (
            f"the values are exactly 0 and 255, as in a binary mask saved as an image: convert it "
            f"with mask // 255 (or mask > 127){two} first"
        )
        if may_ignore:
            fix += "; pass ignore_index=255 only if 255 marks void pixels to leave out"
        return fix
    if values.size == 1 and v == num_classes:
        if y.min() >= 1:
            return f"labels run 1..{num_classes} instead of 0..{num_classes - 1}: subtract 1 (mask - 1)"
        return f"the labels run 0..{num_classes}, {num_classes + 1} classes: pass num_classes={num_classes + 1}" + (
            f" (or ignore_index={num_classes} if it marks void pixels)" if may_ignore else ""
        )
    if values.size == 1 and may_ignore and ignore_index is None and (v < 0 or v >= 255):
        return f"pass ignore_index={v} if that value marks void pixels to leave out"
    return "check num_classes and the label encoding"


def check_range(y: np.ndarray, name: str, num_classes: int, ignore_index=None, *, may_ignore: bool = True) -> None:
    """Raise if a label of ``y`` lies outside ``[0, num_classes)`` (``ignore_index`` excepted).

    ``may_ignore``: whether ``ignore_index`` is a possible fix for ``y`` (it is for truths).
    """
    if y.size == 0:
        return
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
    fix = _fix_for(y, values, num_classes, ignore_index, may_ignore)
    raise ValueError(
        f"{name} has {bad.size} label(s) outside [0, {num_classes}): {shown}. These are not dropped silently; {fix}."
    )


def validated_pair(y_true, y_pred, num_classes, ignore_index):
    """Validate a (truth, prediction) pair of label maps.

    Returns
    -------
    y_true, y_pred : ndarray of int
    num_classes : int
    ignore_index : int or None
        Four values: both label maps, then the checked ``num_classes`` and ``ignore_index``.
    """
    num_classes = check_num_classes(num_classes)
    ignore_index = check_ignore_index(ignore_index, num_classes)
    y_true = as_labels(y_true, "y_true", num_classes)
    y_pred = as_labels(y_pred, "y_pred", num_classes)
    check_same_shape(y_true, y_pred)
    check_range(y_true, "y_true", num_classes, ignore_index)
    if ignore_index is not None and np.any(y_pred == ignore_index):
        # a prediction of `ignore_index` is only harmless where the truth is ignored too
        keep = y_true != ignore_index
        check_range(y_pred[keep], "y_pred (at pixels that are not ignored)", num_classes, None, may_ignore=False)
    else:
        check_range(y_pred, "y_pred", num_classes, None, may_ignore=False)
    return y_true, y_pred, num_classes, ignore_index
