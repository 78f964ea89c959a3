"""Toy scenarios behind the lessons and their explorers: small, fixed NumPy masks and predictions
whose answers are known, and the numbers each lesson reads off them. NumPy only (no TensorFlow, no
widgets, no plotting); every IoU comes from :mod:`helpers.metrics`.

================================= ============================================ ===========
scenario                          numbers                                      notebook
================================= ============================================ ===========
:func:`toy_shape_mask`            :func:`iou_dice_stats` (two masks)           02
:func:`imbalance_scenario`        :func:`imbalance_stats` (accuracy vs IoU)    02
:func:`convention_batch`          :func:`convention_mean_iou`,                 02
                                  :func:`convention_per_class_iou`
:func:`sharpness_toy`             :func:`sharpness_probs`,                     04
                                  :func:`sharpness_stats`, :func:`sharpness_curve`
:func:`label_probs`,              (inputs for the losses and metrics)          04
:func:`mediocre_logits`
================================= ============================================ ===========

The explorers in :mod:`helpers.course.widgets` display these numbers; they compute none of their own.

Examples
--------
>>> y_true, y_pred = convention_batch()
>>> round(convention_mean_iou(y_true, y_pred, absent="zero", level="per_image"), 4)
0.2971
"""

from __future__ import annotations

import numpy as np

from helpers._validation import ABSENT, as_labels, check_int, check_num_classes, check_range
from helpers.course.data import CLASS_NAMES
from helpers.metrics import iou_from_counts, mean_iou, per_class_iou, pixel_accuracy

__all__ = [
    "NUM_CLASSES",
    "toy_shape_mask",
    "iou_dice_stats",
    "IMBALANCE_GRID",
    "IMBALANCE_MAX_SIZE",
    "imbalance_scenario",
    "imbalance_stats",
    "ABSENT_CONVENTIONS",
    "LEVELS",
    "convention_batch",
    "convention_per_class_iou",
    "convention_mean_iou",
    "SHARPNESS_GRID",
    "SHARPNESS_T_RANGE",
    "sharpness_toy",
    "sharpness_probs",
    "sharpness_stats",
    "sharpness_curve",
    "check_temperature",
    "label_probs",
    "mediocre_logits",
]

NUM_CLASSES = len(CLASS_NAMES)
"""Classes of every scenario (those of the shapes dataset)."""


def toy_shape_mask(kind: str, cx: int, cy: int, size, grid=40) -> np.ndarray:
    """Boolean mask of one shape on a ``grid x grid`` toy image (parts outside the grid are cut off).

    Parameters
    ----------
    kind : {"square", "rectangle", "disc"}
        ``"square"``: ``size x size`` pixels, rows ``cy - size // 2 .. cy - size // 2 + size - 1``
        (columns likewise around ``cx``). ``"rectangle"``: ``size = (width, height)``, placed the
        same way. ``"disc"``: the pixels whose distance to ``(cx, cy)`` is at most ``size / 2``
        (``size`` = diameter).
    cx, cy : int
        Column and row of the centre (may lie outside the grid).
    size : int, or (width, height) for "rectangle"
    grid : int or (height, width), default 40

    Returns
    -------
    ndarray of bool, shape (grid, grid)

    Examples
    --------
    >>> int(toy_shape_mask("square", 5, 5, 4, grid=10).sum())
    16
    >>> int(toy_shape_mask("disc", 5, 5, 5, grid=10).sum())
    21
    """
    if isinstance(grid, (tuple, list)):
        h, w = (check_int(g, "grid", 1) for g in grid)
    else:
        h = w = check_int(grid, "grid", 1)
    cx = check_int(cx, "cx")
    cy = check_int(cy, "cy")
    rows, cols = np.ogrid[:h, :w]
    if kind in ("square", "rectangle"):
        if kind == "rectangle" and isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"size of a rectangle is (width, height), got {size!r}.")
            sw, sh = (check_int(s, "size", 0) for s in size)
        else:
            sw = sh = check_int(size, "size", 0)
        x0, y0 = cx - sw // 2, cy - sh // 2
        return (rows >= y0) & (rows < y0 + sh) & (cols >= x0) & (cols < x0 + sw)
    if kind == "disc":
        d = check_int(size, "size", 0)
        return (rows - cy) ** 2 + (cols - cx) ** 2 <= (d / 2.0) ** 2
    raise ValueError(f"kind must be 'square', 'rectangle' or 'disc', got {kind!r}.")


def iou_dice_stats(a, b) -> dict:
    """Overlap numbers of two boolean masks of one shape.

    Returns
    -------
    dict
        ``size_a``, ``size_b``, ``intersection`` = ``|A∩B|``, ``union`` = ``|A∪B|`` (ints),
        ``iou`` = ``|A∩B| / |A∪B|`` and ``dice`` = ``2 |A∩B| / (|A| + |B|)`` (floats; NaN when both
        masks are empty: the overlap of nothing with nothing is undefined). Note ``dice = 2 iou / (1 + iou)``.

    Examples
    --------
    >>> a = toy_shape_mask("square", 5, 5, 4, grid=12)
    >>> b = toy_shape_mask("square", 7, 5, 4, grid=12)      # shifted 2 columns
    >>> s = iou_dice_stats(a, b)
    >>> s["intersection"], s["union"], round(s["iou"], 4), s["dice"]
    (8, 24, 0.3333, 0.5)
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; pass two masks of the same shape.")
    for name, m in (("a", a), ("b", b)):
        if m.dtype != bool and not np.all((m == 0) | (m == 1)):
            raise ValueError(f"{name} must be a boolean (or 0/1) mask; for a class k use (labels == k).")
    a = a.astype(bool)
    b = b.astype(bool)
    inter = int(np.count_nonzero(a & b))
    union = int(np.count_nonzero(a | b))
    sa, sb = int(np.count_nonzero(a)), int(np.count_nonzero(b))
    return {
        "size_a": sa,
        "size_b": sb,
        "intersection": inter,
        "union": union,
        "iou": float(iou_from_counts(inter, sa, sb)),
        "dice": 2.0 * inter / (sa + sb) if sa + sb else float("nan"),
    }


IMBALANCE_GRID = 64
"""Side of the :func:`imbalance_scenario` image (64 x 64 = 4096 pixels)."""
IMBALANCE_MAX_SIZE = 28
"""Longest "line" of :func:`imbalance_scenario` (2 x 28 = 56 pixels, 1.4 % of the image)."""
_LINE_ROW, _LINE_COL = 46, 34


def imbalance_scenario(small_class_size: int = IMBALANCE_MAX_SIZE, degrade: float = 0.0):
    """A toy 5-class mask with one small class, and a prediction of it.

    The 64 x 64 image holds a disc (class 1), a 20 x 20 square (class 2), a triangle (class 3) and
    a horizontal **line** (class 4, the small class) of 2 rows and ``small_class_size`` columns on a
    background (class 0). The prediction has small, fixed boundary errors on the big shapes (the disc
    is shifted one column right, the square one row down: a realistic "good" model) and misses a
    fraction ``degrade`` of the line: its ``round(degrade * n)`` leftmost pixels (of ``n = 2 *
    small_class_size``) are predicted as background. So the line's IoU is exactly
    ``1 - round(degrade * n) / n``, while the pixel accuracy barely moves.

    Parameters
    ----------
    small_class_size : int in [0, 28], default 28
        Length of the line in pixels (0: the class is absent, its IoU is NaN and not averaged).
    degrade : float in [0, 1], default 0
        Fraction of the line's pixels the prediction misses.

    Returns
    -------
    y_true, y_pred : ndarray of int64, shape (64, 64)
    """
    size = check_int(small_class_size, "small_class_size", 0, IMBALANCE_MAX_SIZE)
    try:
        degrade = float(degrade)
    except (TypeError, ValueError):
        raise ValueError(f"degrade must be a number in [0, 1], got {degrade!r}.") from None
    if not 0.0 <= degrade <= 1.0:
        raise ValueError(f"degrade must be in [0, 1] (fraction of the small class missed), got {degrade}.")
    g = IMBALANCE_GRID
    rows, cols = np.ogrid[:g, :g]

    def shapes(disc_col: int, square_row: int):
        m = np.zeros((g, g), dtype=np.int64)
        m[(rows - 16) ** 2 + (cols - disc_col) ** 2 <= 11**2] = 1
        m[square_row : square_row + 20, 36:56] = 2
        m[(rows >= 36) & (rows <= 57) & (cols >= 6) & (cols - 6 <= rows - 36)] = 3
        return m

    y_true = shapes(16, 8)
    y_pred = shapes(17, 9)
    y_true[_LINE_ROW : _LINE_ROW + 2, _LINE_COL : _LINE_COL + size] = 4
    n = 2 * size
    missed = int(round(degrade * n))
    # the line's pixels ordered left to right (column, then row); the first `missed` are lost
    order = [(r, c) for c in range(_LINE_COL, _LINE_COL + size) for r in (_LINE_ROW, _LINE_ROW + 1)]
    for i, (r, c) in enumerate(order):
        y_pred[r, c] = 0 if i < missed else 4
    return y_true, y_pred


def imbalance_stats(y_true, y_pred, *, num_classes: int = NUM_CLASSES) -> dict:
    """Pixel accuracy, per-class IoU and mean IoU of a prediction (with :mod:`helpers.metrics`).

    Returns
    -------
    dict
        ``pixel_accuracy`` (float), ``per_class_iou`` (ndarray (C,), NaN = absent),
        ``mean_iou`` (float, over present classes), ``class_share`` (ndarray (C,): fraction of
        the true mask's pixels in each class).
    """
    ious = per_class_iou(y_true, y_pred, num_classes=num_classes)  # validates both label maps
    y_true = np.asarray(y_true)
    share = np.bincount(y_true.ravel().astype(np.intp), minlength=num_classes)[:num_classes] / y_true.size
    return {
        "pixel_accuracy": pixel_accuracy(y_true, y_pred),
        "per_class_iou": ious,
        "mean_iou": mean_iou(y_true, y_pred, num_classes=num_classes),
        "class_share": share,
    }


ABSENT_CONVENTIONS = dict(zip(ABSENT, ("excluded from the mean", "counted as IoU 0", "counted as IoU 1")))
"""How a class absent from truth *and* prediction enters a mean IoU."""

LEVELS = {
    "dataset": "dataset: one confusion matrix over all images",
    "per_image": "per image: mean over images of each image's mean IoU",
}


def convention_batch():
    """A fixed batch of three 6 x 6 masks (5 classes) in which every image lacks some classes.

    ======= =============================== ===================================================
    image   truth                           prediction
    ======= =============================== ===================================================
    0       disc (2 x 2 = 4 px)             disc 2 x 3 (6 px): IoU 4/6; background 30/32
    1       square (3 x 3 = 9 px)           square exact (IoU 1) and one false "disc" pixel:
                                            disc IoU 0/1 = 0 (present, not absent); background 26/27
    2       triangle (2 x 2 = 4 px)         all background: triangle IoU 0; background 32/36
    ======= =============================== ===================================================

    "line" (class 4) is in no image; each image lacks 2 or 3 further classes.

    Returns
    -------
    y_true, y_pred : ndarray of int64, shape (3, 6, 6)
    """
    y_true = np.zeros((3, 6, 6), dtype=np.int64)
    y_pred = np.zeros((3, 6, 6), dtype=np.int64)
    y_true[0, 1:3, 1:3] = 1
    y_pred[0, 1:3, 1:4] = 1
    y_true[1, 2:5, 2:5] = 2
    y_pred[1, 2:5, 2:5] = 2
    y_pred[1, 0, 0] = 1
    y_true[2, 0:2, 4:6] = 3
    return y_true, y_pred


def _check_level(level: str) -> bool:
    """``level`` as metrics' ``per_image`` flag."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {list(LEVELS)}, got {level!r}.")
    return level == "per_image"


def convention_per_class_iou(
    y_true, y_pred, *, level: str = "dataset", num_classes: int = NUM_CLASSES, ignore_index: int | None = None
) -> np.ndarray:
    """Per-class IoU before any convention: NaN where a class is absent from truth and prediction.

    ``level="dataset"``: shape (C,), one confusion matrix over the batch; ``level="per_image"``:
    shape (N, C), one row per image (the first axis of ``y_true``). The lesson's name for
    :func:`helpers.metrics.per_class_iou` with ``per_image=(level == "per_image")``.
    """
    per_image = _check_level(level)
    return per_class_iou(y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index, per_image=per_image)


def convention_mean_iou(
    y_true,
    y_pred,
    *,
    absent: str = "exclude",
    level: str = "dataset",
    num_classes: int = NUM_CLASSES,
    ignore_index: int | None = None,
) -> float:
    """Mean IoU of a batch under one of the conventions for classes absent from truth and prediction.

    The lesson's name for :func:`helpers.metrics.mean_iou` with ``absent=absent`` and
    ``per_image=(level == "per_image")``.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N, H, W)
    absent : {"exclude", "zero", "one"}
        ``"exclude"``: an absent class has no IoU and is left out of the mean (Keras ``MeanIoU``,
        :func:`helpers.metrics.mean_iou`); ``"zero"``: it counts as 0 (pulls the mean down);
        ``"one"``: it counts as 1 (what a smoothed ``(I + 1) / (U + 1)`` gives: pushes the mean up).
    level : {"dataset", "per_image"}
        ``"dataset"``: one confusion matrix over the batch, so a class is absent only if it is in no
        image; ``"per_image"``: each image's mean over classes, then the mean over images (an image
        with every pixel ignored is skipped).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If every pixel is ignored (nothing to measure), as :func:`helpers.metrics.mean_iou`.

    Examples
    --------
    >>> y_true, y_pred = convention_batch()
    >>> round(convention_mean_iou(y_true, y_pred, absent="exclude", level="dataset"), 4)
    0.6244
    """
    per_image = _check_level(level)
    return mean_iou(
        y_true, y_pred, num_classes=num_classes, ignore_index=ignore_index, per_image=per_image, absent=absent
    )


SHARPNESS_GRID = 48
"""Side of the :func:`sharpness_toy` image (48 x 48 = 2304 pixels)."""
SHARPNESS_T_RANGE = (0.05, 5.0)
"""Temperatures the sharpness explorer covers (its slider moves log10 T)."""


def _sharpness_shapes(disc_dx: int = 0, square_dy: int = 0, line_missed: int = 0) -> np.ndarray:
    g = SHARPNESS_GRID
    m = np.zeros((g, g), dtype=np.int64)
    m[toy_shape_mask("disc", 13 + disc_dx, 13, 16, g)] = 1
    m[toy_shape_mask("square", 34, 14 + square_dy, 14, g)] = 2
    rows, cols = np.ogrid[:g, :g]
    m[(rows >= 26) & (rows <= 43) & (cols >= 4) & (cols - 4 <= rows - 26)] = 3
    m[38:40, 24:44] = 4  # the line: 2 x 20 pixels
    m[38:40, 24 : 24 + line_missed] = 0
    return m


def sharpness_toy():
    """A fixed 5-class toy mask and fixed logits of a decent but imperfect "model".

    The 48 x 48 truth holds a disc (class 1), a 14 x 14 square (2), a triangle (3) and a 2 x 20
    "line" (4) on background (0): **every class is present**, so "classes present in the truth"
    (the losses' convention) and "present in truth or prediction" (:func:`helpers.metrics.mean_iou`)
    agree. The logits believe a slightly wrong mask (disc one column right, square one row down, the
    line's 5 leftmost columns missed): ``4 * box_blur(one_hot(believed))`` plus Gaussian noise
    (sigma 0.6, seed 0), with the winning logit raised where needed so that it leads the runner-up by
    at least 0.5. That margin makes the argmax unambiguous, so the soft scores converge to the hard
    ones well inside the explorer's range of temperatures.

    Returns
    -------
    y_true : ndarray of int64, shape (48, 48)
    logits : ndarray of float64, shape (48, 48, 5)
    """
    y_true = _sharpness_shapes()
    believed = _sharpness_shapes(disc_dx=1, square_dy=1, line_missed=5)
    rng = np.random.default_rng(0)
    g = SHARPNESS_GRID
    logits = 4.0 * _box_blur(np.eye(NUM_CLASSES)[believed], 1) + rng.normal(0.0, 0.6, (g, g, NUM_CLASSES))
    top = logits.argmax(axis=-1)[..., None]
    ranked = np.sort(logits, axis=-1)
    lead = np.maximum(ranked[..., -1], ranked[..., -2] + 0.5)
    np.put_along_axis(logits, top, lead[..., None], axis=-1)
    return y_true, logits


def check_temperature(temperature) -> float:
    """``temperature`` as a positive finite float, else a ValueError."""
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}.") from None
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"temperature must be a positive number (e.g. 0.1 sharp, 5 flat), got {temperature!r}.")
    return t


def sharpness_probs(temperature: float, *, logits=None) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis (default logits: :func:`sharpness_toy`).

    ``temperature < 1`` sharpens the probabilities towards the one-hot argmax, ``> 1`` flattens them
    towards uniform; the argmax itself never changes.
    """
    t = check_temperature(temperature)
    z = np.asarray(sharpness_toy()[1] if logits is None else logits, dtype=np.float64) / t
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _soft_scores(y_onehot: np.ndarray, p: np.ndarray):
    axes = tuple(range(p.ndim - 1))
    inter = (y_onehot * p).sum(axis=axes)
    sum_y = y_onehot.sum(axis=axes)
    sum_p = p.sum(axis=axes)
    present = sum_y > 0
    soft_iou = iou_from_counts(inter, sum_y, sum_p)
    soft_dice = 2.0 * inter / (sum_y + sum_p)
    pooled = (inter.sum() + 1.0) / (sum_y.sum() + sum_p.sum() - inter.sum() + 1.0)
    return soft_iou, soft_dice, pooled, present


def sharpness_stats(temperature: float, *, y_true=None, logits=None) -> dict:
    """Soft and hard scores of ``softmax(logits / temperature)`` against ``y_true``.

    Parameters
    ----------
    temperature : float > 0
    y_true, logits : optional
        Integer label map ``(H, W)`` and logits ``(H, W, C)``; default :func:`sharpness_toy`.

    Returns
    -------
    dict
        ``temperature``;
        ``soft_iou``: mean over the classes present in ``y_true`` of ``I_c / U_c`` with
        ``I_c = sum(y_c p_c)``, ``U_c = sum(y_c) + sum(p_c) - I_c`` (= ``1 -
        helpers.keras.losses.soft_jaccard_loss``); ``per_class_soft_iou`` (ndarray (C,));
        ``hard_iou``: :func:`helpers.metrics.mean_iou` of the argmax (its convention: classes present
        in truth *or* prediction; the same as the soft one when every class is in the truth, as in
        the toy); ``gap`` = ``hard_iou - soft_iou``;
        ``soft_dice``: mean over present classes of ``2 I_c / (sum(y_c) + sum(p_c))`` (= ``1 -
        soft_dice_loss``); ``pooled_soft_iou``: the question's ``(I + 1) / (U + 1)`` over all
        classes at once (= ``1 - iou_loss``).

    Examples
    --------
    >>> s = sharpness_stats(0.05)
    >>> abs(s["gap"]) < 1e-4           # sharp predictions: soft IoU = hard IoU
    True
    >>> sharpness_stats(1.0)["gap"] > 0.2
    True
    """
    t = check_temperature(temperature)
    if (y_true is None) != (logits is None):
        raise ValueError("pass both y_true and logits, or neither (then the sharpness_toy() is used).")
    if y_true is None:
        y_true, logits = sharpness_toy()
    y_true = np.asarray(y_true)
    logits = np.asarray(logits, dtype=np.float64)
    c = logits.shape[-1]
    if logits.ndim != y_true.ndim + 1 or logits.shape[:-1] != y_true.shape or c < 2:
        raise ValueError(
            f"expected integer labels (H, W) and logits (H, W, C) with C >= 2, got shapes {y_true.shape} "
            f"and {logits.shape}."
        )
    p = sharpness_probs(t, logits=logits)
    soft_iou, soft_dice, pooled, present = _soft_scores(np.eye(c)[y_true], p)
    hard = mean_iou(y_true, p.argmax(axis=-1), num_classes=c)
    soft = float(soft_iou[present].mean())
    return {
        "temperature": t,
        "soft_iou": soft,
        "hard_iou": hard,
        "gap": hard - soft,
        "soft_dice": float(soft_dice[present].mean()),
        "pooled_soft_iou": float(pooled),
        "per_class_soft_iou": np.where(present, soft_iou, np.nan),
    }


def sharpness_curve(temperatures=None, *, y_true=None, logits=None) -> dict:
    """:func:`sharpness_stats` over many temperatures (default: 81 log-spaced in
    :data:`SHARPNESS_T_RANGE`), as arrays: ``temperature``, ``soft_iou``, ``hard_iou``, ``gap``,
    ``soft_dice``, ``pooled_soft_iou``."""
    if temperatures is None:
        temperatures = np.logspace(np.log10(SHARPNESS_T_RANGE[0]), np.log10(SHARPNESS_T_RANGE[1]), 81)
    if y_true is None and logits is None:
        y_true, logits = sharpness_toy()
    rows = [sharpness_stats(t, y_true=y_true, logits=logits) for t in np.atleast_1d(temperatures)]
    keys = ("temperature", "soft_iou", "hard_iou", "gap", "soft_dice", "pooled_soft_iou")
    return {k: np.array([r[k] for r in rows]) for k in keys}


def _label_map(labels, num_classes) -> tuple[np.ndarray, int]:
    c = check_num_classes(num_classes)
    labels = as_labels(labels, "labels", c)
    check_range(labels, "labels", c, may_ignore=False)
    return labels.astype(np.int64), c


def label_probs(labels, confidence: float, *, num_classes: int = NUM_CLASSES) -> np.ndarray:
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
    labels, c = _label_map(labels, num_classes)
    confidence = float(confidence)
    if not 1.0 / c <= confidence <= 1.0:
        raise ValueError(f"confidence must be in [1/{c}, 1] (the labelled class is the most likely), got {confidence}.")
    p = np.full(labels.shape + (c,), (1.0 - confidence) / (c - 1), dtype=np.float32)
    np.put_along_axis(p, labels[..., None], np.float32(confidence), axis=-1)
    return p


def _box_blur(x: np.ndarray, k: int = 1) -> np.ndarray:
    """Mean over (2k+1) x (2k+1) windows on the axes (-3, -2) of a (..., H, W, C) array, edges repeated."""
    if k == 0:
        return x
    h, w = x.shape[-3], x.shape[-2]
    pad = [(0, 0)] * (x.ndim - 3) + [(k, k), (k, k), (0, 0)]
    p = np.pad(x, pad, mode="edge")
    out = np.zeros_like(x)
    for i in range(2 * k + 1):
        for j in range(2 * k + 1):
            out += p[..., i : i + h, j : j + w, :]
    return out / (2 * k + 1) ** 2


def mediocre_logits(
    labels,
    *,
    strength: float = 3.0,
    noise: float = 0.5,
    shift: int = 1,
    blur: int = 1,
    num_classes: int = NUM_CLASSES,
    seed: int = 0,
) -> np.ndarray:
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
    labels, c = _label_map(labels, num_classes)
    if labels.ndim < 2:
        raise ValueError(f"labels must be a label map (H, W) or a batch (B, H, W), got shape {labels.shape}.")
    blur = int(blur)
    if blur < 0:
        raise ValueError(f"blur must be >= 0, got {blur}.")
    believed = np.roll(labels, int(shift), axis=-1)
    logits = float(strength) * _box_blur(np.eye(c)[believed], blur)
    logits += float(noise) * np.random.default_rng(seed).normal(size=logits.shape)
    return logits.astype(np.float32)
