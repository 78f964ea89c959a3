"""The IoU explorer (notebook 02): two shapes, A fixed and B moved and resized; IoU and Dice live.
The numbers come from :func:`helpers.course.scenarios.iou_dice_stats`.

Examples
--------
>>> explorer = iou_explorer()  # in a notebook, the explorer displays itself as the cell's value
>>> sorted(explorer.controls)
['kind', 'size', 'x', 'y']
>>> len(iou_explorer_static(kind="disc").axes)  # the static fallback: a figure of the same lesson
5
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers._validation import check_int
from helpers.course.scenarios import iou_dice_stats, toy_shape_mask
from helpers.plotting import IU_COLORS, LabFigure, colorize_intersection_union, show_intersection_union

from .base import Blitter, Explorer, fmt, row

__all__ = ["IOU_GRID", "IoUExplorer", "iou_explorer", "iou_explorer_static"]

IOU_GRID = 40
_A = {"cx": 15, "cy": 17, "size": 14}


class IoUExplorer(Explorer):
    """Shape A fixed, shape B moved and resized by sliders; IoU and Dice live. See :func:`iou_explorer`."""

    css_class = "iou-lab-iou-explorer"

    def __init__(self, *, grid: int = IOU_GRID, x: int = 22, y: int = 21, size: int = 14, kind: str = "square"):
        self.grid = check_int(grid, "grid", 8, 200)
        g = self.grid
        style = {"description_width": "initial"}
        controls = {
            "x": widgets.IntSlider(value=x, min=0, max=g - 1, step=1, description="B: x (column)", style=style),
            "y": widgets.IntSlider(value=y, min=0, max=g - 1, step=1, description="B: y (row)", style=style),
            "size": widgets.IntSlider(value=size, min=1, max=g - 4, step=1, description="B: size", style=style),
            "kind": widgets.ToggleButtons(options=["square", "disc"], value=kind, description="shapes"),
        }
        self.a_params = {
            "cx": round(_A["cx"] * g / IOU_GRID),
            "cy": round(_A["cy"] * g / IOU_GRID),
            "size": round(_A["size"] * g / IOU_GRID),
        }
        self._fig = Figure(figsize=(4.6, 3.2))
        self._ax = self._fig.add_axes((0.02, 0.04, 0.56, 0.8))
        self._ax.set_xticks([])
        self._ax.set_yticks([])
        self._im = self._ax.imshow(np.zeros((g, g, 3)), interpolation="nearest")
        self._title = self._fig.text(0.3, 0.97, "", ha="center", va="top", fontsize=10)
        self._blit = Blitter(self._fig, [self._im, self._title])
        self._fig.legend(
            handles=[
                Patch(facecolor=IU_COLORS["A∩B"], edgecolor="0.3", label="A∩B"),
                Patch(facecolor=IU_COLORS["A only"], edgecolor="0.3", label="A only"),
                Patch(facecolor=IU_COLORS["B only"], edgecolor="0.3", label="B only"),
                Patch(facecolor=IU_COLORS["neither"], edgecolor="0.3", label="neither"),
            ],
            loc="upper left",
            bbox_to_anchor=(0.6, 0.84),
            fontsize=9,
            frameon=False,
        )
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
            row("|A| (pixels)", "size_a", fmt(s["size_a"])),
            row("|B| (pixels)", "size_b", fmt(s["size_b"])),
            row("|A∩B| intersection", "intersection", fmt(s["intersection"])),
            row("|A∪B| union", "union", fmt(s["union"])),
            row("IoU = |A∩B| / |A∪B|", "iou", fmt(s["iou"]), bold=True),
            row("Dice = 2|A∩B| / (|A|+|B|)", "dice", fmt(s["dice"]), bold=True),
        ]
        self.readout.value = (
            '<table class="iou-lab-readout">' + "".join(rows) + "</table>"
            '<p style="font-size:90%">Dice = 2·IoU / (1 + IoU) ≥ IoU</p>'
        )

    def _render(self) -> None:
        s = self.stats
        self._im.set_data(colorize_intersection_union(self._a, self._b))
        self._title.set_text(
            f"|A∩B| = {s['intersection']}, |A∪B| = {s['union']}\nIoU = {fmt(s['iou'])}, Dice = {fmt(s['dice'])}"
        )
        self.plot.value = self._blit.png()


def iou_explorer(
    *, grid: int = IOU_GRID, x: int = 22, y: int = 21, size: int = 14, kind: str = "square"
) -> IoUExplorer:
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


def iou_explorer_static(*, kind: str = "square", grid: int = 24) -> Figure:
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
    fig.legend(
        handles=[
            Patch(facecolor=IU_COLORS[k], edgecolor="0.3", label=lab)
            for k, lab in (
                ("A∩B", "A∩B (intersection)"),
                ("A only", "A only"),
                ("B only", "B only"),
                ("neither", "neither"),
            )
        ],
        loc="outside lower center",
        ncol=4,
        fontsize=9,
        frameon=False,
    )
    fig.suptitle("IoU of a fixed shape A and a shape B (IoU = |A∩B| / |A∪B|)")
    fig.get_layout_engine().set(h_pad=0.08)  # else the suptitle touches the 3-line panel titles
    return fig
