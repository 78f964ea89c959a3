"""The probes' inputs and their right answers, computed here in float64 with NumPy.

Inputs are deterministic (the same every run), and the errors are where we put them. Two families:

- the **strip images** of the loss probes (:func:`strip_images`; a prediction is the truth shifted by a
  column, :func:`shifted`);
- the **mixed batches** of the metric probes (:func:`mixed_batch`, :func:`binary_batch`): images of
  different composition (discs, diagonal bands, one small object, strips; an empty image), classes of
  very different sizes, a class absent from one image, and a different number of errors in each image,
  so that a mean of per-image IoUs, a pooled IoU, a soft IoU, Dice or a class counted as 0 or 1 each
  move the value their own way.

The right answer is the **dataset-level** mean IoU: one confusion matrix over every pixel of the batch,
per-class IoU, classes absent from truth and prediction left out (:data:`REFERENCE`). Each other way of
computing "an IoU" is a :class:`Convention`; :func:`value_of` computes what it gives on any input, and
:func:`value_table` what every one of :data:`CONVENTIONS` gives, so that an observed value can be matched
to the convention that explains it.

Examples
--------
>>> labels = strip_images(3, n=1)
>>> labels.shape, sorted(set(labels.ravel().tolist()))
((1, 16, 16), [0, 1, 2])
>>> mean_score(labels, labels, 3), mean_score(labels, shifted(labels), 3) < 1
(1.0, True)
>>> t, p = mixed_batch(5)
>>> t.shape, [int((t[i] != p[i]).sum()) for i in range(4)]        # errors per image, not the same in all
((4, 16, 16), [56, 56, 16, 80])
>>> y = probs(p, 5, 1.0)                                          # one-hot predictions
>>> round(value_of(REFERENCE, t, y), 4), round(value_of(REFERENCE._replace(scope="image"), t, y), 4)
(0.5925, 0.53)
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

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
    "mixed_batch",
    "absent_batch",
    "binary_batch",
    "binary_probs",
    "Convention",
    "REFERENCE",
    "DIMENSIONS",
    "CONVENTIONS",
    "counts",
    "summarise",
    "value_of",
    "value_table",
]

H = 16
"""Height of every probe image, in pixels."""

TOL = 1e-4
"""float32 metrics on a few thousand pixels agree with the float64 answers to ~1e-6."""


def width(c: int) -> int:
    """Width of a probe image for ``c`` classes: 16 pixels, wider for more than 8 classes."""
    return max(H, 2 * c)


# --------------------------------------------------------------------------------------------
# the strip images (the loss probes)
# --------------------------------------------------------------------------------------------
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


def mean_score(t, p, c, *, kind="iou", absent="exclude") -> float:
    """Dataset-level mean IoU (or Dice) of label maps with a given absent-class convention, float64."""
    convention = REFERENCE._replace(score=kind, absent=absent)
    return value_of(convention, t, one_hot(p, c))


def identical_images(c: int) -> tuple[np.ndarray, np.ndarray]:
    """Two copies of the first strip image, and a prediction with each strip's left edge wrong."""
    same = np.repeat(strip_images(c)[:1], 2, axis=0)
    return same, shifted(same)


# --------------------------------------------------------------------------------------------
# the mixed batches (the metric probes)
# --------------------------------------------------------------------------------------------
def _disc(h: int, w: int, cy: float, cx: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r


def _discs(c: int, grow: float) -> np.ndarray:
    """Background with one disc of each class 1..max(1, c-2) (so class c-1 is absent for c >= 3)."""
    w, k = width(c), max(1, c - 2)
    cols = int(np.ceil(np.sqrt(k * w / H)))
    rows = int(np.ceil(k / cols))
    ch, cw = H / rows, w / cols
    out = np.zeros((H, w), dtype=np.int64)
    for j in range(k):
        cy, cx = ch * (j // cols + 0.5) - 0.5, cw * (j % cols + 0.5) - 0.5
        r = max(1.0, min(ch, cw) / 2 - 1.0 - 0.7 * (j % 2))
        out[_disc(H, w, cy, cx, r + grow)] = j + 1
    return out


def mixed_batch(c: int) -> tuple[np.ndarray, np.ndarray]:
    """Four label maps ``(4, 16, W)`` of ``c`` classes and a prediction of each, with errors.

    0. discs on background (class ``c-1`` absent for ``c >= 3``), predicted one pixel too large;
    1. diagonal bands of every class (class 0 twice), predicted one pixel off;
    2. heavily imbalanced: background and one 3 x 3 object, predicted two columns off, and a
       2 x 2 false positive of a class absent from this image's truth;
    3. vertical strips of every class, predicted one column off.
    """
    w = width(c)
    i, j = np.mgrid[:H, :w]
    truth = np.zeros((4, H, w), dtype=np.int64)
    pred = np.zeros_like(truth)
    truth[0], pred[0] = _discs(c, 0.0), _discs(c, 1.0)
    truth[1], pred[1] = (((i + j) // 4) % (c + 1)) % c, (((i + j + 1) // 4) % (c + 1)) % c  # 2 bands of class 0
    truth[2, 3:6, 3:6] = 1
    pred[2, 3:6, 5:8] = 1
    pred[2, 11:13, 11:13] = min(2, c - 1)
    truth[3] = strip_images(c, n=1, seed=3)[0]
    pred[3] = shifted(truth[3])
    return truth, pred


def absent_batch(c: int) -> tuple[np.ndarray, np.ndarray]:
    """Two label maps with classes 0 and 1 only (classes 2.. absent from truth *and* prediction), and a prediction."""
    w = width(c)
    truth = np.zeros((2, H, w), dtype=np.int64)
    truth[0, :, (10 * w) // 16 :] = 1
    truth[1][_disc(H, w, 7.5, w / 2 - 0.5, 4)] = 1
    pred = truth.copy()
    pred[0] = shifted(truth[0])
    pred[1][_disc(H, w, 7.5, w / 2 - 0.5, 5)] = 1
    return truth, pred


def binary_batch(kind: str = "mixed") -> tuple[np.ndarray, np.ndarray]:
    """0/1 masks ``(B, 16, 16)`` and a 0/1 prediction of each, for a binary model.

    ``"mixed"``: a disc (predicted too large), a diagonal band (predicted one pixel off), an image with an
    empty truth and a false positive, an image with a small object and an empty prediction;
    ``"empty_image"``: the disc, and an image empty in truth and prediction;
    ``"all_empty"``: two images empty in truth and prediction.
    """
    i, j = np.mgrid[:H, :H]
    truth = np.zeros((4, H, H), dtype=np.int64)
    pred = np.zeros_like(truth)
    truth[0], pred[0] = _disc(H, H, 7.5, 7.5, 4), _disc(H, H, 7.5, 7.5, 5)
    truth[1], pred[1] = np.abs(i - j) <= 2, np.abs(i - j - 1) <= 2
    pred[2, 2:4, 9:12] = 1
    truth[3, 10:13, 2:5] = 1
    if kind == "mixed":
        return truth, pred
    if kind == "empty_image":
        return truth[[0, 2]] * [[[1]], [[0]]], pred[[0, 2]] * [[[1]], [[0]]]
    if kind == "all_empty":
        return np.zeros_like(truth[:2]), np.zeros_like(pred[:2])
    raise ValueError(f"kind must be 'mixed', 'empty_image' or 'all_empty', got {kind!r}")


def binary_probs(pred: np.ndarray, confidence: float) -> np.ndarray:
    """Two-channel float32 ``(..., 2)`` = ``[1 - p, p]``, with ``p = confidence`` where ``pred`` is 1, else ``1 - p``.

    The probes give the metric ``[..., 1:]`` (one sigmoid channel); the answers use both channels.
    """
    p = np.where(pred == 1, confidence, 1.0 - confidence).astype(np.float32)
    return np.stack([1.0 - p, p], axis=-1)


# --------------------------------------------------------------------------------------------
# conventions: every way of computing "an IoU" that the audit recognises
# --------------------------------------------------------------------------------------------
class Convention(NamedTuple):
    """How a metric turns (truth, probabilities) into one number; :data:`REFERENCE` is right.

    - ``hard``: a pixel's class is the ``"argmax"``; or ``"soft"`` (probabilities used as they are),
      ``"threshold"`` (each channel > 0.5 on its own), ``"cast"`` (probabilities cast to int: only 1.0 counts);
    - ``score``: ``"iou"`` or ``"dice"``; or ``"overlap_twice"`` (|A∩B| / (|A| + |B|), a union that counts the
      overlap twice), ``"accuracy"`` (per class (TP + TN) / N: true negatives counted);
    - ``scope``: ``"dataset"`` (one count over the batch), ``"image"`` (the mean of per-image means),
      ``"image_class"`` (the mean over (image, class) pairs), ``"column"`` (over (image, column, class) cells:
      sums over one spatial axis only);
    - ``classes``: the ``"mean"`` over classes, ``"pooled"`` (all classes summed into one IoU),
      ``"foreground"`` (class 0 left out of the mean);
    - ``absent``: a class (or image) with an empty union is ``"exclude"``-d, counted as ``"zero"`` or ``"one"``,
      ``"smooth"``-ed (+1 on both sides of every fraction), left ``"nan"`` (0/0), or ``"truth"``: every class
      absent from the truth is left out, even where it is predicted.
    """

    hard: str = "argmax"
    score: str = "iou"
    scope: str = "dataset"
    classes: str = "mean"
    absent: str = "exclude"


DIMENSIONS = {
    "hard": ("argmax", "soft", "threshold", "cast"),
    "score": ("iou", "dice", "overlap_twice", "accuracy"),
    "scope": ("dataset", "image", "image_class", "column"),
    "classes": ("mean", "pooled", "foreground"),
    "absent": ("exclude", "zero", "one", "smooth", "nan", "truth"),
}
"""The values of each field of :class:`Convention`, the right one first."""

REFERENCE = Convention()
"""The dataset-level mean IoU: argmax, IoU, one count over the batch, mean over classes, absent classes left out."""

CONVENTIONS = [Convention(*values) for values in itertools.product(*DIMENSIONS.values())]
"""Every combination (1152): :func:`value_table` computes what each gives."""

_GROUPING = {"dataset": "dataset", "image": "image", "image_class": "image", "column": "column"}


def _hard(p: np.ndarray, hard: str) -> np.ndarray:
    p = p.astype(np.float64)
    if hard == "argmax":
        return np.eye(p.shape[-1])[p.argmax(-1)]
    if hard == "soft":
        return p
    if hard == "threshold":
        return (p > 0.5).astype(np.float64)
    if hard == "cast":
        return (p >= 1.0).astype(np.float64)
    raise ValueError(f"hard must be one of {DIMENSIONS['hard']}, got {hard!r}")


def counts(t: np.ndarray, p: np.ndarray, *, hard: str, grouping: str, void="drop"):
    """Per group and class: intersection, truth size, prediction size and pixels, float64 arrays ``(G, C)``.

    ``t``: label maps ``(B, H, W)`` (-1: void); ``p``: probabilities ``(B, H, W, C)``. ``grouping``: ``"dataset"``
    (G = 1), ``"image"`` (G = B) or ``"column"`` (G = B * W). ``void``: void pixels are ``"drop"``-ped, counted
    as ``"fp"`` (truth an all-zero row, prediction kept), or as class ``k`` (an int).
    """
    c = p.shape[-1]
    q = _hard(p, hard)
    void_mask = t < 0
    y = np.eye(c)[np.where(void_mask, 0, t)] * ~void_mask[..., None]
    if void == "drop":
        q = q * ~void_mask[..., None]
    elif void != "fp":
        y = np.where(void_mask[..., None], np.eye(c)[int(void)], y)
    axes = {"dataset": (0, 1, 2), "image": (1, 2), "column": (1,)}[grouping]
    pixels = np.broadcast_to((~void_mask if void == "drop" else np.ones_like(void_mask))[..., None], y.shape)
    tp, a, b, n = ((y * q).sum(axes), y.sum(axes), q.sum(axes), pixels.sum(axes).astype(np.float64))
    return tuple(x.reshape(-1, c) for x in (tp, a, b, n))


def summarise(tp, a, b, n, *, score: str, classes: str, absent: str, cells: bool) -> tuple[float, bool, bool]:
    """One number from per-group, per-class counts, and two flags: (value, nothing_defined, some_undefined).

    ``cells``: the mean over every (group, class) cell rather than over groups of per-group means.
    ``nothing_defined``: every cell had an empty union (the value is then 0.0, as Keras reports it).
    """
    if classes == "foreground":
        tp, a, b, n = tp[:, 1:], a[:, 1:], b[:, 1:], n[:, 1:]
    elif classes == "pooled":
        tp, a, b, n = (x.sum(1, keepdims=True) for x in (tp, a, b, n))
    union = a + b - tp
    num, den = {
        "iou": (tp, union),
        "dice": (2 * tp, a + b),
        "overlap_twice": (tp, a + b),
        "accuracy": (n - (a + b - 2 * tp), n),
    }[score]
    defined = (a > 0) if absent == "truth" else (union > 0)
    some_undefined = bool((union <= 0).any())
    with np.errstate(invalid="ignore", divide="ignore"):
        if absent == "smooth":
            s = (num + 1.0) / (den + 1.0)
        else:
            s = np.where(defined, num / np.where(den > 0, den, 1.0), np.nan)
            if absent in ("zero", "one"):
                s = np.where(defined, s, 0.0 if absent == "zero" else 1.0)
        if absent in ("exclude", "truth"):
            if not defined.any():
                return 0.0, True, some_undefined
            if cells:
                return float(np.nanmean(s)), False, some_undefined
            per_group = np.nanmean(np.where(defined.any(1, keepdims=True), s, 0.0), axis=1)
            return float(per_group[defined.any(1)].mean()), False, some_undefined
        if cells:
            return float(s.mean()), False, some_undefined
        return float(s.mean(1).mean()), False, some_undefined


def value_of(convention: Convention, t: np.ndarray, p: np.ndarray, void="drop") -> float:
    """What a metric following ``convention`` gives on label maps ``t`` and probabilities ``p`` (float64)."""
    stats = counts(t, p, hard=convention.hard, grouping=_GROUPING[convention.scope], void=void)
    cells = convention.scope in ("image_class", "column")
    value, _, _ = summarise(
        *stats, score=convention.score, classes=convention.classes, absent=convention.absent, cells=cells
    )
    return value


def value_table(t: np.ndarray, p: np.ndarray):
    """What every one of :data:`CONVENTIONS` gives on ``(t, p)``: three arrays in that order.

    ``values`` (float64), ``nothing_defined`` (bool: no class or image had anything to measure) and
    ``some_undefined`` (bool: some class or image had an empty union).
    """
    n = len(CONVENTIONS)
    values, nothing, some = np.empty(n), np.zeros(n, bool), np.zeros(n, bool)
    stats = {}
    for k, conv in enumerate(CONVENTIONS):
        key = (conv.hard, _GROUPING[conv.scope])
        if key not in stats:
            stats[key] = counts(t, p, hard=conv.hard, grouping=key[1])
        cells = conv.scope in ("image_class", "column")
        values[k], nothing[k], some[k] = summarise(
            *stats[key], score=conv.score, classes=conv.classes, absent=conv.absent, cells=cells
        )
    return values, nothing, some
