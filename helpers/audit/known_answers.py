"""The probes' inputs and their right answers, computed here in float64 with NumPy.

Inputs are deterministic (the same every run), every class is in every image, and the errors are
where we put them: a prediction is the truth shifted by one column, so each strip of a class has its
left edge wrong.

Examples
--------
>>> labels = strip_images(3, n=1)
>>> labels.shape, sorted(set(labels.ravel().tolist()))
((1, 16, 16), [0, 1, 2])
>>> mean_score(labels, labels, 3), mean_score(labels, shifted(labels), 3) < 1
(1.0, True)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "H",
    "TOL",
    "width",
    "strip_images",
    "shifted",
    "identical_images",
    "probs",
    "one_hot",
    "confusion",
    "mean_score",
]

H = 16
"""Height of every probe image, in pixels."""

TOL = 1e-4
"""float32 metrics on a few thousand pixels agree with the float64 answers to ~1e-6."""


def width(c: int) -> int:
    """Width of a probe image for ``c`` classes: 16 pixels, wider for more than 8 classes."""
    return max(H, 2 * c)


def strip_images(c: int, n: int = 4, seed: int = 0) -> np.ndarray:
    """``n`` label maps (n, 16, W) of vertical strips, one per class, widths differing by image."""
    w = width(c)
    rng = np.random.default_rng(seed)
    p = np.full(c, 0.5 / (c - 1))
    p[0] = 0.5  # background is the largest class, as in real data
    out = np.empty((n, H, w), dtype=np.int64)
    for i in range(n):
        widths = 1 + rng.multinomial(w - c, p)
        out[i] = np.repeat(np.arange(c), widths)[None, :]
    return out


def shifted(labels: np.ndarray, k: int = 1) -> np.ndarray:
    """A prediction with errors at the left edge of every strip (the truth rolled by k columns)."""
    return np.roll(labels, k, axis=-1)


def probs(labels: np.ndarray, c: int, confidence: float) -> np.ndarray:
    """Softmax-like float32 probabilities ``(..., c)``: ``confidence`` on each pixel's label, the rest shared."""
    p = np.full(labels.shape + (c,), (1.0 - confidence) / (c - 1), dtype=np.float32)
    np.put_along_axis(p, labels[..., None], np.float32(confidence), axis=-1)
    return p


def one_hot(labels: np.ndarray, c: int) -> np.ndarray:
    """One-hot float32; labels outside [0, c) (void) become all-zero rows."""
    valid = (labels >= 0) & (labels < c)
    out = np.zeros(labels.shape + (c,), dtype=np.float32)
    np.put_along_axis(out, np.where(valid, labels, 0)[..., None], 1.0, axis=-1)
    return out * valid[..., None]


def confusion(t: np.ndarray, p: np.ndarray, c: int) -> np.ndarray:
    """The ``c x c`` confusion matrix of label maps ``t`` (rows) and ``p`` (columns)."""
    return np.bincount((t * c + p).ravel(), minlength=c * c).reshape(c, c)


def _scores(cm: np.ndarray, kind: str = "iou") -> np.ndarray:
    cm = cm.astype(np.float64)
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    num, den = (2 * tp, union + tp) if kind == "dice" else (tp, union)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, num / np.where(union > 0, den, 1), np.nan)


def mean_score(t, p, c, *, kind="iou", absent="exclude") -> float:
    """Dataset-level mean IoU (or Dice) with a given absent-class convention, float64."""
    s = _scores(confusion(t, p, c), kind)
    if absent == "exclude":
        return float(np.nanmean(s))
    return float(np.mean(np.nan_to_num(s, nan=0.0 if absent == "zero" else 1.0)))


def identical_images(c: int) -> tuple[np.ndarray, np.ndarray]:
    """Two copies of the first strip image, and a prediction with each strip's left edge wrong.

    Per-image and batch-level metrics agree on two identical images, so a probe on them tests one
    thing only.
    """
    same = np.repeat(strip_images(c)[:1], 2, axis=0)
    return same, shifted(same)
