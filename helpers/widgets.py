"""Interactive explorers for IoU Lab (ipywidgets 7.7 on Colab and 8.x on JupyterLab), and the pure
functions behind them.

Three explorers, each with a static fallback figure for readers on GitHub or nbviewer (where widgets
do not run):

====================== ================================ ===============================================
explorer               static fallback                  the lesson
====================== ================================ ===============================================
:func:`iou_explorer`   :func:`iou_explorer_static`      IoU and Dice of two shapes as B moves/resizes
:func:`imbalance_explorer` :func:`imbalance_explorer_static` pixel accuracy stays high while mean IoU falls
:func:`convention_explorer` :func:`convention_explorer_static` absent classes: excluded, 0 or 1; dataset
                                                        or per-image mean
====================== ================================ ===============================================

The numbers come from the pure functions (tested directly): :func:`toy_shape_mask`,
:func:`iou_dice_stats`, :func:`imbalance_scenario`, :func:`imbalance_stats`,
:func:`convention_batch`, :func:`convention_per_class_iou`, :func:`convention_mean_iou`.

Each explorer is an ``ipywidgets.VBox`` (display it, or put it last in a cell) with attributes for
driving it from code or a browser test:

- ``.controls``: dict name -> control widget (``IntSlider``, ``FloatSlider``, ``ToggleButtons``);
  set ``.value`` and the explorer updates (``observe(..., names="value")``);
- ``.readout``: an ``HTML`` widget whose ``value`` is a table of the current numbers; each number
  sits in ``<td class="iou-lab-KEY">`` (``KEY`` as in ``.stats``);
- ``.stats``: dict of the current numbers (plain Python floats/ints, NumPy arrays per class);
- ``.plot``: an ``Image`` widget holding the current picture as PNG bytes;
- ``.update()``: recompute now (the observers call it).

Only widgets common to ipywidgets 7.7 and 8 are used; callbacks never print (an error is shown in
the readout instead), and creating an explorer needs no frontend (plain Python and pytest work).
"""

from __future__ import annotations

import html
import io
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import CLASS_NAMES
from .metrics import mean_iou, per_class_iou, pixel_accuracy
from .plotting import (
    CLASS_COLORS,
    IU_COLORS,
    LabFigure,
    class_legend_handles,
    colorize_intersection_union,
    colorize_mask,
    show_intersection_union,
)

__all__ = [
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
    "Explorer",
    "iou_explorer",
    "iou_explorer_static",
    "imbalance_explorer",
    "imbalance_explorer_static",
    "convention_explorer",
    "convention_explorer_static",
]

NUM_CLASSES = len(CLASS_NAMES)


# ============================================================================================
# pure functions
# ============================================================================================
def _check_int(value, name: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int, got {value!r}.")
    if value < lo or (hi is not None and value > hi):
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be in {rng}, got {value}.")
    return int(value)


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
        h, w = (_check_int(g, "grid", 1) for g in grid)
    else:
        h = w = _check_int(grid, "grid", 1)
    cx = _check_int(cx, "cx", -10**6)
    cy = _check_int(cy, "cy", -10**6)
    rows, cols = np.ogrid[:h, :w]
    if kind in ("square", "rectangle"):
        if kind == "rectangle" and isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"size of a rectangle is (width, height), got {size!r}.")
            sw, sh = (_check_int(s, "size", 0) for s in size)
        else:
            sw = sh = _check_int(size, "size", 0)
        x0, y0 = cx - sw // 2, cy - sh // 2
        return (rows >= y0) & (rows < y0 + sh) & (cols >= x0) & (cols < x0 + sw)
    if kind == "disc":
        d = _check_int(size, "size", 0)
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
        "iou": inter / union if union else float("nan"),
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
    size = _check_int(small_class_size, "small_class_size", 0, IMBALANCE_MAX_SIZE)
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


def imbalance_stats(y_true, y_pred, num_classes: int = NUM_CLASSES) -> dict:
    """Pixel accuracy, per-class IoU and mean IoU of a prediction (with :mod:`helpers.metrics`).

    Returns
    -------
    dict
        ``pixel_accuracy`` (float), ``per_class_iou`` (ndarray (C,), NaN = absent),
        ``mean_iou`` (float, over present classes), ``class_share`` (ndarray (C,): fraction of
        the true mask's pixels in each class).
    """
    y_true = np.asarray(y_true)
    ious = per_class_iou(y_true, y_pred, num_classes)
    share = np.bincount(y_true.ravel().astype(np.intp), minlength=num_classes)[:num_classes] / y_true.size
    return {
        "pixel_accuracy": pixel_accuracy(y_true, y_pred),
        "per_class_iou": ious,
        "mean_iou": mean_iou(y_true, y_pred, num_classes),
        "class_share": share,
    }


ABSENT_CONVENTIONS = {
    "exclude": "excluded from the mean",
    "zero": "counted as IoU 0",
    "one": "counted as IoU 1",
}
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


def _check_convention(absent: str, level: str) -> None:
    if absent not in ABSENT_CONVENTIONS:
        raise ValueError(f"absent must be one of {list(ABSENT_CONVENTIONS)}, got {absent!r}.")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {list(LEVELS)}, got {level!r}.")


def convention_per_class_iou(y_true, y_pred, level: str = "dataset", num_classes: int = NUM_CLASSES,
                             ignore_index: int | None = None) -> np.ndarray:
    """Per-class IoU before any convention: NaN where a class is absent from truth and prediction.

    ``level="dataset"``: shape (C,), one confusion matrix over the batch; ``level="per_image"``:
    shape (N, C), one row per image (the first axis of ``y_true``).
    """
    _check_convention("exclude", level)
    if level == "dataset":
        return per_class_iou(y_true, y_pred, num_classes, ignore_index=ignore_index)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim < 2 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"per_image needs two batches of the same shape (N, H, W), got {y_true.shape} and {y_pred.shape}."
        )
    return np.stack([per_class_iou(t, p, num_classes, ignore_index=ignore_index) for t, p in zip(y_true, y_pred)])


def _apply_absent(ious: np.ndarray, absent: str) -> np.ndarray:
    if absent == "zero":
        return np.nan_to_num(ious, nan=0.0)
    if absent == "one":
        return np.nan_to_num(ious, nan=1.0)
    return ious


def convention_mean_iou(y_true, y_pred, absent: str = "exclude", level: str = "dataset",
                        num_classes: int = NUM_CLASSES, ignore_index: int | None = None) -> float:
    """Mean IoU of a batch under one of the conventions for classes absent from truth and prediction.

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
    float (NaN if no class is present anywhere and ``absent="exclude"``)

    Examples
    --------
    >>> y_true, y_pred = convention_batch()
    >>> round(convention_mean_iou(y_true, y_pred, "exclude", "dataset"), 4)
    0.6244
    """
    _check_convention(absent, level)
    raw = convention_per_class_iou(y_true, y_pred, level, num_classes, ignore_index)
    if level == "dataset":
        vals = _apply_absent(raw, absent)
        return float(np.nanmean(vals)) if not np.isnan(vals).all() else float("nan")
    per_image = []
    for row in raw:
        if np.isnan(row).all():  # every pixel ignored: no IoU for this image
            continue
        per_image.append(float(np.nanmean(_apply_absent(row, absent))))
    return float(np.mean(per_image)) if per_image else float("nan")


# ============================================================================================
# explorers
# ============================================================================================
def _fmt(v, digits: int = 3) -> str:
    if v is None:
        return "–"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return "undefined" if np.isnan(v) else f"{v:.{digits}f}"


def _row(label: str, key: str, value: str, bold: bool = False) -> str:
    style = ' style="font-weight:bold"' if bold else ""
    return (f'<tr><th style="text-align:left;padding-right:1em">{html.escape(label)}</th>'
            f'<td class="iou-lab-{key}"{style}>{html.escape(value)}</td></tr>')


def _png(fig: Figure, dpi: int = 80) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class _Blitter:
    """Fast redraws of a figure whose only changing parts are ``artists`` (blitting on Agg).

    The first :meth:`png` draws everything else once and keeps that background; later calls restore
    it, draw only the changing artists and encode the pixels as PNG (Pillow, fast compression):
    a few milliseconds instead of a full ``savefig``.
    """

    def __init__(self, fig: Figure, artists, dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        fig.set_dpi(dpi)
        self.canvas = FigureCanvasAgg(fig)
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)
        self._background = None

    def png(self) -> bytes:
        from PIL import Image as PILImage

        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for a in self.artists:
            self.fig.draw_artist(a)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        PILImage.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


class Explorer(widgets.VBox):
    """Base of the explorers: a VBox of controls, picture and readout, with attributes for code.

    Attributes
    ----------
    controls : dict[str, Widget]
    readout : ipywidgets.HTML
    plot : ipywidgets.Image (PNG)
    stats : dict
    last_update_s : float
        Seconds the last :meth:`update` took (compute + render).
    """

    css_class = "iou-lab-explorer"

    def __init__(self, controls: dict, title: str, plot_width: str, side_by_side: bool = True, **kwargs):
        self.controls = dict(controls)
        self.readout = widgets.HTML(value="")
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width=plot_width, height="auto"))
        self.stats = {}
        self.last_update_s = 0.0
        header = widgets.HTML(value=f"<b>{html.escape(title)}</b>")
        body = (widgets.HBox([self.plot, self.readout]) if side_by_side
                else widgets.VBox([self.plot, self.readout]))
        super().__init__(children=[header, widgets.VBox(list(self.controls.values())), body], **kwargs)
        self.add_class(self.css_class)
        for w in self.controls.values():
            w.observe(self._on_change, names="value")

    # the observers' target: never prints; an error shows in the readout
    def _on_change(self, change=None) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the numbers and the picture from the controls' current values."""
        t0 = time.perf_counter()
        try:
            self._compute()
            self._render()
        except Exception as exc:  # noqa: BLE001 - show, don't print or raise into the frontend
            self.readout.value = (f'<span class="iou-lab-error" style="color:#D55E00">'
                                  f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>")
        self.last_update_s = time.perf_counter() - t0

    def values(self) -> dict:
        """The controls' current values, by name."""
        return {k: w.value for k, w in self.controls.items()}

    def _compute(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _render(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# 1. IoU of two shapes
# --------------------------------------------------------------------------------------------
IOU_GRID = 40
_A = {"cx": 15, "cy": 17, "size": 14}


class IoUExplorer(Explorer):
    """Shape A fixed, shape B moved and resized by sliders; IoU and Dice live. See :func:`iou_explorer`."""

    css_class = "iou-lab-iou-explorer"

    def __init__(self, grid: int = IOU_GRID, x: int = 22, y: int = 21, size: int = 14, kind: str = "square"):
        self.grid = _check_int(grid, "grid", 8, 200)
        g = self.grid
        style = {"description_width": "initial"}
        controls = {
            "x": widgets.IntSlider(value=x, min=0, max=g - 1, step=1, description="B: x (column)", style=style),
            "y": widgets.IntSlider(value=y, min=0, max=g - 1, step=1, description="B: y (row)", style=style),
            "size": widgets.IntSlider(value=size, min=1, max=g - 4, step=1, description="B: size", style=style),
            "kind": widgets.ToggleButtons(options=["square", "disc"], value=kind, description="shapes"),
        }
        self.a_params = {"cx": round(_A["cx"] * g / IOU_GRID), "cy": round(_A["cy"] * g / IOU_GRID),
                         "size": round(_A["size"] * g / IOU_GRID)}
        self._fig = Figure(figsize=(4.6, 3.2))
        self._ax = self._fig.add_axes((0.02, 0.04, 0.56, 0.8))
        self._ax.set_xticks([])
        self._ax.set_yticks([])
        self._im = self._ax.imshow(np.zeros((g, g, 3)), interpolation="nearest")
        self._title = self._fig.text(0.3, 0.97, "", ha="center", va="top", fontsize=10)
        self._blit = _Blitter(self._fig, [self._im, self._title])
        self._fig.legend(
            handles=[Patch(facecolor=IU_COLORS["A∩B"], edgecolor="0.3", label="A∩B"),
                     Patch(facecolor=IU_COLORS["A only"], edgecolor="0.3", label="A only"),
                     Patch(facecolor=IU_COLORS["B only"], edgecolor="0.3", label="B only"),
                     Patch(facecolor=IU_COLORS["neither"], edgecolor="0.3", label="neither")],
            loc="upper left", bbox_to_anchor=(0.6, 0.84), fontsize=9, frameon=False)
        super().__init__(controls, "IoU explorer: move and resize shape B", plot_width="368px")  # 4.6 in x 80 dpi
        self.update()

    def masks(self):
        """(A, B) boolean masks for the current control values."""
        v = self.values()
        a = toy_shape_mask(v["kind"], self.a_params["cx"], self.a_params["cy"], self.a_params["size"], self.grid)
        b = toy_shape_mask(v["kind"], v["x"], v["y"], v["size"], self.grid)
        return a, b

    def _compute(self) -> None:
        self._a, self._b = self.masks()
        s = iou_dice_stats(self._a, self._b)
        self.stats = s
        rows = [
            _row("|A| (pixels)", "size_a", _fmt(s["size_a"])),
            _row("|B| (pixels)", "size_b", _fmt(s["size_b"])),
            _row("|A∩B| intersection", "intersection", _fmt(s["intersection"])),
            _row("|A∪B| union", "union", _fmt(s["union"])),
            _row("IoU = |A∩B| / |A∪B|", "iou", _fmt(s["iou"]), bold=True),
            _row("Dice = 2|A∩B| / (|A|+|B|)", "dice", _fmt(s["dice"]), bold=True),
        ]
        self.readout.value = ('<table class="iou-lab-readout">' + "".join(rows) + "</table>"
                              '<p style="font-size:90%">Dice = 2·IoU / (1 + IoU) ≥ IoU</p>')

    def _render(self) -> None:
        s = self.stats
        self._im.set_data(colorize_intersection_union(self._a, self._b))
        self._title.set_text(f"|A∩B| = {s['intersection']}, |A∪B| = {s['union']}\n"
                             f"IoU = {_fmt(s['iou'])}, Dice = {_fmt(s['dice'])}")
        self.plot.value = self._blit.png()


def iou_explorer(grid: int = IOU_GRID, x: int = 22, y: int = 21, size: int = 14, kind: str = "square") -> IoUExplorer:
    """Two shapes on a ``grid x grid`` toy image: A fixed, B moved (``x``, ``y``) and resized (``size``)
    by sliders, a toggle for squares or discs; the picture and ``|A∩B|``, ``|A∪B|``, IoU and Dice
    update live.

    Returns
    -------
    IoUExplorer (an ``ipywidgets.VBox``)
        ``.controls``: ``"x"``, ``"y"``, ``"size"`` (IntSlider), ``"kind"`` (ToggleButtons:
        "square", "disc"); ``.readout`` cells ``iou-lab-size_a``, ``-size_b``, ``-intersection``,
        ``-union``, ``-iou``, ``-dice``; ``.stats`` = :func:`iou_dice_stats` of ``.masks()``.
    """
    return IoUExplorer(grid=grid, x=x, y=y, size=size, kind=kind)


def iou_explorer_static(kind: str = "square", grid: int = 24) -> Figure:
    """Small multiples of :func:`iou_explorer` for readers without widgets: A fixed, B in five places."""
    c, s = grid // 2, grid // 4
    settings = [
        ("B = A", c, c, s),
        ("B shifted 2 px right", c + 2, c, s),
        (f"B shifted {s // 2} px right, {s // 2} down", c + s // 2, c + s // 2, s),
        ("B inside A, half as wide", c, c, s // 2),
        ("B apart from A", c + s + 1, c, s),
    ]
    a = toy_shape_mask(kind, c, c, s, grid)
    fig = LabFigure(figsize=(2.3 * len(settings), 3.2), layout="constrained")
    axes = fig.subplots(1, len(settings))
    for ax, (label, bx, by, bs) in zip(axes, settings):
        show_intersection_union(a, toy_shape_mask(kind, bx, by, bs, grid), ax=ax, title=label, legend=False)
    fig.legend(handles=[Patch(facecolor=IU_COLORS[k], edgecolor="0.3", label=lab) for k, lab in
                        (("A∩B", "A∩B (intersection)"), ("A only", "A only"), ("B only", "B only"),
                         ("neither", "neither"))],
               loc="outside lower center", ncol=4, fontsize=9, frameon=False)
    fig.suptitle("IoU of a fixed shape A and a shape B (IoU = |A∩B| / |A∪B|)")
    fig.get_layout_engine().set(h_pad=0.08)  # else the suptitle touches the 3-line panel titles
    return fig


# --------------------------------------------------------------------------------------------
# 2. class imbalance: pixel accuracy vs mean IoU
# --------------------------------------------------------------------------------------------
class ImbalanceExplorer(Explorer):
    """Shrink the small class and degrade its prediction. See :func:`imbalance_explorer`."""

    css_class = "iou-lab-imbalance-explorer"

    def __init__(self, small_class_size: int = IMBALANCE_MAX_SIZE, degrade: float = 0.0):
        style = {"description_width": "initial"}
        controls = {
            "size": widgets.IntSlider(value=small_class_size, min=1, max=IMBALANCE_MAX_SIZE, step=1,
                                      description="'line' length (px)", style=style),
            "degrade": widgets.FloatSlider(value=degrade, min=0.0, max=1.0, step=0.05,
                                           description="'line' pixels missed", readout_format=".2f", style=style),
        }
        c = NUM_CLASSES
        self._fig = Figure(figsize=(7.6, 2.9))
        ax_t = self._fig.add_axes((0.01, 0.2, 0.25, 0.66))
        ax_p = self._fig.add_axes((0.27, 0.2, 0.25, 0.66))
        self._ax_b = self._fig.add_axes((0.6, 0.2, 0.38, 0.66))
        g = IMBALANCE_GRID
        self._im_t = ax_t.imshow(np.zeros((g, g, 3)), interpolation="nearest")
        self._im_p = ax_p.imshow(np.zeros((g, g, 3)), interpolation="nearest")
        for ax, t in ((ax_t, "truth"), (ax_p, "prediction")):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(t, fontsize=9)
        ab = self._ax_b
        self._bars = ab.bar(np.arange(c), np.zeros(c), color=CLASS_COLORS[:c], edgecolor="0.25", linewidth=0.5)
        self._acc_line = ab.axhline(1.0, color="0.2", linestyle=":", linewidth=1.5)
        self._miou_line = ab.axhline(1.0, color="0.2", linestyle="--", linewidth=1.5)
        ab.set_xticks(np.arange(c))
        ab.set_xticklabels(CLASS_NAMES, fontsize=8, rotation=30, ha="right")
        ab.set_ylim(0, 1.05)
        ab.set_ylabel("IoU", fontsize=9)
        ab.tick_params(axis="y", labelsize=8)
        self._title = ab.set_title("", fontsize=9)
        self._line_legend = ab.legend(
            handles=[Line2D([], [], color="0.2", linestyle=":", label="pixel accuracy"),
                     Line2D([], [], color="0.2", linestyle="--", label="mean IoU")],
            loc="lower left", fontsize=7, framealpha=0.9)
        self._fig.legend(handles=class_legend_handles(CLASS_NAMES), loc="lower left", ncol=5, fontsize=7,
                         frameon=False, bbox_to_anchor=(0.0, -0.02))
        self._blit = _Blitter(self._fig, [self._im_t, self._im_p, *self._bars, self._acc_line,
                                          self._miou_line, self._title, self._line_legend])
        super().__init__(controls, "Class imbalance: pixel accuracy vs mean IoU", plot_width="608px",
                         side_by_side=False)
        self.update()

    def _compute(self) -> None:
        v = self.values()
        self._t, self._p = imbalance_scenario(int(v["size"]), float(v["degrade"]))
        s = imbalance_stats(self._t, self._p)
        self.stats = s
        cells = []
        for k, name in enumerate(CLASS_NAMES):
            cells.append(
                f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(name)}</th>"
                f"<td class='iou-lab-share-{k}' style='padding-right:1em'>{100 * s['class_share'][k]:.1f} %</td>"
                f"<td class='iou-lab-iou-{k}'>{_fmt(s['per_class_iou'][k])}</td></tr>")
        per_class = ("<table class='iou-lab-per-class'><tr><th>class</th><th>share of pixels</th>"
                     "<th>IoU</th></tr>" + "".join(cells) + "</table>")
        summary = ('<table class="iou-lab-readout">'
                   + _row("pixel accuracy", "pixel_accuracy", _fmt(s["pixel_accuracy"]), bold=True)
                   + _row("mean IoU", "mean_iou", _fmt(s["mean_iou"]), bold=True) + "</table>")
        self.readout.value = (f'<div style="display:flex;gap:2em;align-items:flex-start">{summary}{per_class}</div>')

    def _render(self) -> None:
        s = self.stats
        self._im_t.set_data(colorize_mask(self._t))
        self._im_p.set_data(colorize_mask(self._p))
        for bar, v in zip(self._bars, s["per_class_iou"]):
            bar.set_height(0.0 if np.isnan(v) else v)
        self._acc_line.set_ydata([s["pixel_accuracy"]] * 2)
        self._miou_line.set_ydata([s["mean_iou"]] * 2)
        self._title.set_text(f"accuracy {s['pixel_accuracy']:.3f}, mean IoU {s['mean_iou']:.3f}")
        self.plot.value = self._blit.png()


def imbalance_explorer(small_class_size: int = IMBALANCE_MAX_SIZE, degrade: float = 0.0) -> ImbalanceExplorer:
    """Sliders shrink the small class ("line") and make the prediction miss part of it; pixel accuracy,
    per-class IoU and mean IoU update side by side: accuracy stays near 99 % while mean IoU falls.

    Returns
    -------
    ImbalanceExplorer (an ``ipywidgets.VBox``)
        ``.controls``: ``"size"`` (IntSlider 1..28), ``"degrade"`` (FloatSlider 0..1, step 0.05);
        ``.readout`` cells ``iou-lab-pixel_accuracy``, ``iou-lab-mean_iou``, ``iou-lab-iou-K`` and
        ``iou-lab-share-K`` (class K); ``.stats`` = :func:`imbalance_stats` of
        :func:`imbalance_scenario` (size, degrade).
    """
    return ImbalanceExplorer(small_class_size=small_class_size, degrade=degrade)


def imbalance_explorer_static() -> Figure:
    """Fallback of :func:`imbalance_explorer`: masks at one setting, and accuracy / mean IoU vs. degrade."""
    fig = LabFigure(figsize=(10.5, 3.4), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 1.6])
    t, p = imbalance_scenario(IMBALANCE_MAX_SIZE, 1.0)
    for ax, m, ttl in ((axes[0], t, "truth"), (axes[1], p, "prediction: every 'line' pixel missed")):
        ax.imshow(colorize_mask(m), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(ttl, fontsize=9)
    degrades = np.linspace(0, 1, 11)
    ax = axes[2]
    for size, color in ((IMBALANCE_MAX_SIZE, "#0072B2"), (6, "#D55E00")):
        st = [imbalance_stats(*imbalance_scenario(size, d)) for d in degrades]
        ax.plot(degrades, [s["pixel_accuracy"] for s in st], color=color, linestyle=":", marker=".",
                label=f"pixel accuracy, line {size} px long")
        ax.plot(degrades, [s["mean_iou"] for s in st], color=color, linestyle="-", marker=".",
                label=f"mean IoU, line {size} px long")
    ax.set_xlabel("fraction of 'line' pixels missed")
    ax.set_ylabel("score")
    ax.set_ylim(0.7, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("accuracy stays high, mean IoU falls (whatever the size)", fontsize=10)
    fig.legend(handles=class_legend_handles(CLASS_NAMES), loc="outside lower center", ncol=5, fontsize=8,
               frameon=False)
    return fig


# --------------------------------------------------------------------------------------------
# 3. conventions for absent classes
# --------------------------------------------------------------------------------------------
_ABSENT_LABELS = [("excluded", "exclude"), ("counted as 0", "zero"), ("counted as 1", "one")]
_LEVEL_LABELS = [("dataset (one confusion matrix)", "dataset"), ("per image (mean over images)", "per_image")]


def _draw_batch(fig, axes_true, axes_pred, y_true, y_pred):
    for i, (at, ap) in enumerate(zip(axes_true, axes_pred)):
        for ax, m in ((at, y_true[i]), (ap, y_pred[i])):
            ax.imshow(colorize_mask(m), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        at.set_title(f"image {i}", fontsize=9)
    axes_true[0].set_ylabel("truth", fontsize=9)
    axes_pred[0].set_ylabel("prediction", fontsize=9)


class ConventionExplorer(Explorer):
    """Toggles for the absent-class convention and the level. See :func:`convention_explorer`."""

    css_class = "iou-lab-convention-explorer"

    def __init__(self, absent: str = "exclude", level: str = "dataset", batch=None):
        _check_convention(absent, level)
        self.y_true, self.y_pred = convention_batch() if batch is None else (np.asarray(batch[0]), np.asarray(batch[1]))
        controls = {
            "absent": widgets.ToggleButtons(options=_ABSENT_LABELS, value=absent, description="absent class"),
            "level": widgets.ToggleButtons(options=_LEVEL_LABELS, value=level, description="mean over"),
        }
        n = self.y_true.shape[0]
        fig = Figure(figsize=(1.3 * n + 1.6, 3.0), layout="constrained")
        axes = fig.subplots(2, n, squeeze=False)
        _draw_batch(fig, axes[0], axes[1], self.y_true, self.y_pred)
        fig.legend(handles=class_legend_handles(CLASS_NAMES), loc="outside right upper", fontsize=8, frameon=False)
        super().__init__(controls, "Absent classes: which mean IoU is reported?", plot_width=f"{round(80 * (1.3 * n + 1.6))}px")
        self.plot.value = _png(fig)  # the batch never changes: drawn once
        self.all_conventions = {(a, lv): convention_mean_iou(self.y_true, self.y_pred, a, lv)
                                for _, a in _ABSENT_LABELS for _, lv in _LEVEL_LABELS}
        self.update()

    def _compute(self) -> None:
        v = self.values()
        absent, level = v["absent"], v["level"]
        value = convention_mean_iou(self.y_true, self.y_pred, absent, level)
        raw = convention_per_class_iou(self.y_true, self.y_pred, level)
        self.stats = {"mean_iou": value, "absent": absent, "level": level,
                      "per_class_iou": _apply_absent(raw, absent), "all": dict(self.all_conventions)}

        def cell(x):
            if np.isnan(x):
                return {"exclude": "–", "zero": "0 (absent)", "one": "1 (absent)"}[absent]
            return f"{x:.3f}"

        head = "".join(f"<th>{html.escape(nm)}</th>" for nm in CLASS_NAMES)
        rows_raw = [raw] if level == "dataset" else list(raw)
        labels = ["whole batch"] if level == "dataset" else [f"image {i}" for i in range(len(rows_raw))]
        body = ""
        for lab, row in zip(labels, rows_raw):
            vals = _apply_absent(row, absent)
            m = float(np.nanmean(vals)) if not np.isnan(vals).all() else float("nan")
            body += (f"<tr><th style='text-align:left'>{lab}</th>"
                     + "".join(f"<td>{cell(x)}</td>" for x in row) + f"<td><b>{_fmt(m)}</b></td></tr>")
        per_class = (f"<table class='iou-lab-per-class'><tr><th></th>{head}<th>mean</th></tr>{body}</table>")
        grid = "<tr><th></th>" + "".join(f"<th>{html.escape(lab)}</th>" for lab, _ in _ABSENT_LABELS) + "</tr>"
        for llab, lv in _LEVEL_LABELS:
            grid += f"<tr><th style='text-align:left'>{html.escape(llab)}</th>"
            for _, a in _ABSENT_LABELS:
                x = self.all_conventions[(a, lv)]
                on = a == absent and lv == level
                style = " style='font-weight:bold;background:#F0E442;color:black'" if on else ""
                grid += f"<td class='iou-lab-{a}-{lv}'{style}>{_fmt(x)}</td>"
            grid += "</tr>"
        self.readout.value = (
            f'<p style="font-size:120%">reported mean IoU = <b><span class="iou-lab-mean_iou">{_fmt(value)}'
            f"</span></b> (absent classes {html.escape(ABSENT_CONVENTIONS[absent])}; "
            f"{html.escape(LEVELS[level])})</p>"
            f"{per_class}<p>All six conventions on this batch:</p><table class='iou-lab-readout'>{grid}</table>"
        )

    def _render(self) -> None:
        pass  # the picture (the batch) does not depend on the toggles


def convention_explorer(absent: str = "exclude", level: str = "dataset") -> ConventionExplorer:
    """Toggles for "absent class = excluded / 0 / 1" and "dataset vs per-image" on the
    :func:`convention_batch`; the reported mean IoU, the per-class IoUs behind it and all six
    numbers side by side update live; the batch's masks are shown.

    Returns
    -------
    ConventionExplorer (an ``ipywidgets.VBox``)
        ``.controls``: ``"absent"`` (ToggleButtons, values "exclude", "zero", "one"),
        ``"level"`` (ToggleButtons, values "dataset", "per_image"); ``.readout`` cells
        ``iou-lab-mean_iou`` (current) and ``iou-lab-ABSENT-LEVEL`` (all six);
        ``.stats["mean_iou"]`` = :func:`convention_mean_iou`.
    """
    return ConventionExplorer(absent=absent, level=level)


def convention_explorer_static() -> Figure:
    """Fallback of :func:`convention_explorer`: the batch and the six mean IoUs as bars."""
    y_true, y_pred = convention_batch()
    n = y_true.shape[0]
    fig = LabFigure(figsize=(1.4 * n + 5.2, 3.4), layout="constrained")
    gs = fig.add_gridspec(2, n + 3)
    at = [fig.add_subplot(gs[0, i]) for i in range(n)]
    ap = [fig.add_subplot(gs[1, i]) for i in range(n)]
    _draw_batch(fig, at, ap, y_true, y_pred)
    ax = fig.add_subplot(gs[:, n:])
    width = 0.38
    for j, ((llab, lv), color) in enumerate(zip(_LEVEL_LABELS, ("#0072B2", "#D55E00"))):
        vals = [convention_mean_iou(y_true, y_pred, a, lv) for _, a in _ABSENT_LABELS]
        pos = np.arange(3) + (j - 0.5) * width
        ax.bar(pos, vals, width=width * 0.95, color=color, label=llab)
        for x, v in zip(pos, vals):
            ax.text(x, v + 0.01, f"{v:.3f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(np.arange(3))
    ax.set_xticklabels([f"absent class\n{lab}" for lab, _ in _ABSENT_LABELS], fontsize=8)
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("reported mean IoU")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("one batch, six 'mean IoU's", fontsize=10)
    fig.legend(handles=class_legend_handles(CLASS_NAMES), loc="outside lower center", ncol=5, fontsize=8, frameon=False)
    return fig


# ============================================================================================
# 4. soft versus hard IoU: sharpening the predictions (notebook 04)
# ============================================================================================
# Appended section: a fixed toy prediction whose softmax is sharpened by a temperature, the pure
# functions behind it (NumPy; tests check them against helpers.losses) and its explorer.
__all__ += [
    "SHARPNESS_GRID",
    "SHARPNESS_T_RANGE",
    "sharpness_toy",
    "sharpness_probs",
    "sharpness_stats",
    "sharpness_curve",
    "sharpness_explorer",
    "sharpness_explorer_static",
]

from matplotlib.collections import LineCollection  # noqa: E402  (this section's only extra import)

SHARPNESS_GRID = 48
"""Side of the :func:`sharpness_toy` image (48 x 48 = 2304 pixels)."""
SHARPNESS_T_RANGE = (0.05, 5.0)
"""Temperatures the sharpness explorer covers (its slider moves log10 T)."""
_SHARP_LOG_T = (-1.3, 0.7)  # log10 of the slider's ends: T = 0.0501 .. 5.01


def _box_blur(x: np.ndarray, k: int = 1) -> np.ndarray:
    """Mean over a (2k+1) x (2k+1) window of an (H, W, C) array (edges repeated)."""
    h, w = x.shape[:2]
    p = np.pad(x, ((k, k), (k, k), (0, 0)), mode="edge")
    out = np.zeros_like(x)
    for i in range(2 * k + 1):
        for j in range(2 * k + 1):
            out += p[i:i + h, j:j + w]
    return out / (2 * k + 1) ** 2


def _sharpness_shapes(disc_dx: int = 0, square_dy: int = 0, line_missed: int = 0) -> np.ndarray:
    g = SHARPNESS_GRID
    m = np.zeros((g, g), dtype=np.int64)
    m[toy_shape_mask("disc", 13 + disc_dx, 13, 16, g)] = 1
    m[toy_shape_mask("square", 34, 14 + square_dy, 14, g)] = 2
    rows, cols = np.ogrid[:g, :g]
    m[(rows >= 26) & (rows <= 43) & (cols >= 4) & (cols - 4 <= rows - 26)] = 3
    m[38:40, 24:44] = 4  # the line: 2 x 20 pixels
    m[38:40, 24:24 + line_missed] = 0
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


def _check_temperature(temperature) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}.") from None
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"temperature must be a positive number (e.g. 0.1 sharp, 5 flat), got {temperature!r}.")
    return t


def sharpness_probs(temperature: float, logits=None) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis (default logits: :func:`sharpness_toy`).

    ``temperature < 1`` sharpens the probabilities towards the one-hot argmax, ``> 1`` flattens them
    towards uniform; the argmax itself never changes.
    """
    t = _check_temperature(temperature)
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
    soft_iou = inter / (sum_y + sum_p - inter)
    soft_dice = 2.0 * inter / (sum_y + sum_p)
    pooled = (inter.sum() + 1.0) / (sum_y.sum() + sum_p.sum() - inter.sum() + 1.0)
    return soft_iou, soft_dice, pooled, present


def sharpness_stats(temperature: float, y_true=None, logits=None) -> dict:
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
        helpers.losses.soft_jaccard_loss``); ``per_class_soft_iou`` (ndarray (C,));
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
    t = _check_temperature(temperature)
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
            f"and {logits.shape}.")
    p = sharpness_probs(t, logits)
    soft_iou, soft_dice, pooled, present = _soft_scores(np.eye(c)[y_true], p)
    hard = mean_iou(y_true, p.argmax(axis=-1), c)
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


def sharpness_curve(temperatures=None, y_true=None, logits=None) -> dict:
    """:func:`sharpness_stats` over many temperatures (default: 81 log-spaced in
    :data:`SHARPNESS_T_RANGE`), as arrays: ``temperature``, ``soft_iou``, ``hard_iou``, ``gap``,
    ``soft_dice``, ``pooled_soft_iou``."""
    if temperatures is None:
        temperatures = np.logspace(np.log10(SHARPNESS_T_RANGE[0]), np.log10(SHARPNESS_T_RANGE[1]), 81)
    if y_true is None and logits is None:
        y_true, logits = sharpness_toy()
    rows = [sharpness_stats(t, y_true, logits) for t in np.atleast_1d(temperatures)]
    keys = ("temperature", "soft_iou", "hard_iou", "gap", "soft_dice", "pooled_soft_iou")
    return {k: np.array([r[k] for r in rows]) for k in keys}


def _edge_segments(mask: np.ndarray) -> list:
    """Unit segments along the pixel edges between ``mask`` and the rest (image border included),
    in imshow's data coordinates (pixel centres at integers)."""
    m = np.pad(np.asarray(mask, dtype=bool), 1)
    segs = []
    rows, cols = np.nonzero(m[1:, 1:-1] != m[:-1, 1:-1])  # between padded rows r and r+1
    segs += [((c - 0.5, r - 0.5), (c + 0.5, r - 0.5)) for r, c in zip(rows, cols)]
    rows, cols = np.nonzero(m[1:-1, 1:] != m[1:-1, :-1])  # between padded columns c and c+1
    segs += [((c - 0.5, r - 0.5), (c - 0.5, r + 0.5)) for r, c in zip(rows, cols)]
    return segs


_EDGE_COLOR = "#FF3B30"  # red: visible on both ends of viridis


_SHARP_CURVES = (  # key, label, colour, line style
    ("soft_iou", "soft IoU (per class)", "#0072B2", "-"),
    ("soft_dice", "soft Dice (per class)", "#009E73", "--"),
    ("pooled_soft_iou", "pooled soft IoU (1 − question's iou_loss)", "#D55E00", ":"),
)


def _draw_sharpness_curves(ax, curve: dict, hard: float) -> None:
    for key, label, color, ls in _SHARP_CURVES:
        ax.plot(curve["temperature"], curve[key], color=color, linestyle=ls, linewidth=1.6, label=label)
    ax.axhline(hard, color="0.15", linewidth=1.2, label="hard IoU (argmax)")
    ax.set_xscale("log")
    ax.set_xlim(SHARPNESS_T_RANGE)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("temperature T  (probabilities = softmax(logits / T))", fontsize=8)
    ax.set_ylabel("score", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.annotate("sharper", xy=(1.2, 0.96), xytext=(4.5, 0.96), fontsize=8, color="0.3", va="center", ha="right",
                arrowprops={"arrowstyle": "->", "color": "0.3"})


class SharpnessExplorer(Explorer):
    """Temperature slider and class toggle for the sharpness toy. See :func:`sharpness_explorer`."""

    css_class = "iou-lab-sharpness-explorer"

    def __init__(self, temperature: float = 1.0, class_index: int = 1):
        t = _check_temperature(temperature)
        log_t = float(np.clip(np.round(np.log10(t) / 0.05) * 0.05, *_SHARP_LOG_T))
        class_index = _check_int(class_index, "class_index", 0, NUM_CLASSES - 1)
        style = {"description_width": "initial"}
        controls = {
            "log_temperature": widgets.FloatSlider(value=log_t, min=_SHARP_LOG_T[0], max=_SHARP_LOG_T[1], step=0.05,
                                                   description="log₁₀ temperature", readout_format=".2f",
                                                   style=style, continuous_update=True),
            "class": widgets.ToggleButtons(options=[(n, k) for k, n in enumerate(CLASS_NAMES)], value=class_index,
                                           description="probability of"),
        }
        self.y_true, self.logits = sharpness_toy()
        self.curve = sharpness_curve(None, self.y_true, self.logits)
        hard = float(self.curve["hard_iou"][0])
        g = SHARPNESS_GRID
        self._fig = Figure(figsize=(7.6, 3.1))
        ax_p = self._fig.add_axes((0.01, 0.1, 0.3, 0.74))
        ax_c = self._fig.add_axes((0.47, 0.17, 0.51, 0.67))
        ax_p.set_xticks([])
        ax_p.set_yticks([])
        self._im = ax_p.imshow(np.zeros((g, g)), cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        self._edge = LineCollection([], colors=_EDGE_COLOR, linewidths=1.2)
        ax_p.add_collection(self._edge)
        self._ptitle = ax_p.set_title("", fontsize=9)
        cax = self._fig.add_axes((0.315, 0.1, 0.015, 0.74))
        self._fig.colorbar(self._im, cax=cax).ax.tick_params(labelsize=7)
        _draw_sharpness_curves(ax_c, self.curve, hard)
        ax_c.legend(fontsize=7, loc="lower left", framealpha=0.9)
        self._vline = ax_c.axvline(1.0, color="0.4", linewidth=0.8, linestyle="--")
        self._markers = [ax_c.plot([1.0], [0.5], "o", color=color, markersize=6, markeredgecolor="white")[0]
                         for _, _, color, _ in _SHARP_CURVES]
        self._ctitle = ax_c.set_title("", fontsize=9)
        self._fig.text(0.01, 0.015, "red outline: the true region of the class", fontsize=7, color="0.3")
        self._blit = _Blitter(self._fig, [self._im, self._edge, self._ptitle, self._vline, *self._markers,
                                          self._ctitle])
        super().__init__(controls, "Soft versus hard IoU: sharpen the predictions", plot_width="608px",
                         side_by_side=False)
        self.update()

    def temperature(self) -> float:
        """The temperature the slider selects, ``10 ** log_temperature``."""
        return float(10.0 ** self.controls["log_temperature"].value)

    def _compute(self) -> None:
        t = self.temperature()
        s = sharpness_stats(t, self.y_true, self.logits)
        self.stats = s
        self._probs = sharpness_probs(t, self.logits)
        rows = [
            _row("temperature T", "temperature", f"{t:.3g}"),
            _row("soft IoU (per class, present classes)", "soft_iou", _fmt(s["soft_iou"]), bold=True),
            _row("hard IoU (argmax, helpers.metrics)", "hard_iou", _fmt(s["hard_iou"]), bold=True),
            _row("gap = hard − soft", "gap", _fmt(s["gap"]), bold=True),
            _row("soft Dice (per class)", "soft_dice", _fmt(s["soft_dice"])),
            _row("pooled soft IoU (1 − question's iou_loss)", "pooled_soft_iou", _fmt(s["pooled_soft_iou"])),
        ]
        self.readout.value = ('<table class="iou-lab-readout">' + "".join(rows) + "</table>"
                              '<p style="font-size:90%">The argmax, hence the hard IoU, does not depend on T; '
                              "as T → 0 the probabilities become one-hot and the soft IoU meets the hard one.</p>")

    def _render(self) -> None:
        s = self.stats
        k = int(self.controls["class"].value)
        t = s["temperature"]
        self._im.set_data(self._probs[..., k])
        self._edge.set_segments(_edge_segments(self.y_true == k))
        self._ptitle.set_text(f"p({CLASS_NAMES[k]}) at T = {t:.3g}")
        self._vline.set_xdata([t, t])
        for marker, (key, _, _, _) in zip(self._markers, _SHARP_CURVES):
            marker.set_data([t], [s[key]])
        self._ctitle.set_text(f"soft IoU {s['soft_iou']:.3f}, hard IoU {s['hard_iou']:.3f}, gap {s['gap']:.3f}")
        self.plot.value = self._blit.png()


def sharpness_explorer(temperature: float = 1.0, class_index: int = 1) -> SharpnessExplorer:
    """A temperature slider sharpens or flattens the toy model's softmax (:func:`sharpness_toy`);
    the probability map of one class (toggle) and the soft IoU, soft Dice and pooled soft IoU
    against the fixed hard IoU update live: the soft IoU meets the hard IoU as T → 0.

    Returns
    -------
    SharpnessExplorer (an ``ipywidgets.VBox``)
        ``.controls``: ``"log_temperature"`` (FloatSlider -1.3..0.7, step 0.05: T = 10 ** value,
        about 0.05..5), ``"class"`` (ToggleButtons, values 0..4); ``.readout`` cells
        ``iou-lab-temperature``, ``-soft_iou``, ``-hard_iou``, ``-gap``, ``-soft_dice``,
        ``-pooled_soft_iou``; ``.stats`` = :func:`sharpness_stats` at ``.temperature()``.
    """
    return SharpnessExplorer(temperature=temperature, class_index=class_index)


def sharpness_explorer_static(class_index: int = 1, temperatures=(2.0, 0.5, 0.1)) -> Figure:
    """Fallback of :func:`sharpness_explorer`: one class's probability map at three temperatures,
    and the scores against the temperature with the hard IoU as a line."""
    class_index = _check_int(class_index, "class_index", 0, NUM_CLASSES - 1)
    y_true, logits = sharpness_toy()
    curve = sharpness_curve(None, y_true, logits)
    fig = LabFigure(figsize=(11.0, 3.3), layout="constrained")
    n = len(temperatures)
    axes = fig.subplots(1, n + 1, width_ratios=[1] * n + [2.3])
    im = None
    for ax, t in zip(axes[:n], temperatures):
        s = sharpness_stats(t, y_true, logits)
        im = ax.imshow(sharpness_probs(t, logits)[..., class_index], cmap="viridis", vmin=0, vmax=1,
                       interpolation="nearest")
        ax.add_collection(LineCollection(_edge_segments(y_true == class_index), colors=_EDGE_COLOR, linewidths=1.0))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"T = {t:g}: p({CLASS_NAMES[class_index]})\nsoft IoU {s['soft_iou']:.3f}", fontsize=9)
    fig.colorbar(im, ax=list(axes[:n]), shrink=0.8, pad=0.01).ax.tick_params(labelsize=7)
    ax = axes[n]
    _draw_sharpness_curves(ax, curve, float(curve["hard_iou"][0]))
    for t in temperatures:
        s = sharpness_stats(t, y_true, logits)
        ax.plot([t], [s["soft_iou"]], "o", color=_SHARP_CURVES[0][2], markeredgecolor="white", markersize=6)
    ax.legend(fontsize=7, loc="lower left", framealpha=0.9)
    ax.set_title(f"hard IoU {curve['hard_iou'][0]:.3f} whatever T; the soft IoU meets it as T → 0", fontsize=9)
    fig.suptitle("Sharpening the softmax: red outline = the true region of the class", fontsize=10)
    return fig
