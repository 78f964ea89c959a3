"""The class-imbalance explorer (notebook 02): pixel accuracy stays high while mean IoU falls.
The numbers come from :func:`helpers.course.scenarios.imbalance_scenario` and
:func:`helpers.course.scenarios.imbalance_stats`.

Examples
--------
>>> sorted(imbalance_explorer().controls)
['degrade', 'size']
>>> len(imbalance_explorer_static().axes)
3
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from helpers.course.data import CLASS_NAMES
from helpers.course.scenarios import (
    IMBALANCE_GRID,
    IMBALANCE_MAX_SIZE,
    NUM_CLASSES,
    imbalance_scenario,
    imbalance_stats,
)
from helpers.plotting import CLASS_COLORS, LabFigure, class_legend_handles, colorize_mask

from .base import Blitter, Explorer, fmt, row

__all__ = ["ImbalanceExplorer", "imbalance_explorer", "imbalance_explorer_static"]


class ImbalanceExplorer(Explorer):
    """Shrink the small class and degrade its prediction. See :func:`imbalance_explorer`."""

    css_class = "iou-lab-imbalance-explorer"

    def __init__(self, *, small_class_size: int = IMBALANCE_MAX_SIZE, degrade: float = 0.0):
        style = {"description_width": "initial"}
        controls = {
            "size": widgets.IntSlider(
                value=small_class_size,
                min=1,
                max=IMBALANCE_MAX_SIZE,
                step=1,
                description="'line' length (px)",
                style=style,
            ),
            "degrade": widgets.FloatSlider(
                value=degrade,
                min=0.0,
                max=1.0,
                step=0.05,
                description="'line' pixels missed",
                readout_format=".2f",
                style=style,
            ),
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
            handles=[
                Line2D([], [], color="0.2", linestyle=":", label="pixel accuracy"),
                Line2D([], [], color="0.2", linestyle="--", label="mean IoU"),
            ],
            loc="lower left",
            fontsize=7,
            framealpha=0.9,
        )
        self._fig.legend(
            handles=class_legend_handles(CLASS_NAMES),
            loc="lower left",
            ncol=5,
            fontsize=7,
            frameon=False,
            bbox_to_anchor=(0.0, -0.02),
        )
        self._blit = Blitter(
            self._fig,
            [self._im_t, self._im_p, *self._bars, self._acc_line, self._miou_line, self._title, self._line_legend],
        )
        super().__init__(
            controls, "Class imbalance: pixel accuracy vs mean IoU", plot_width="608px", side_by_side=False
        )
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
                f"<td class='iou-lab-iou-{k}'>{fmt(s['per_class_iou'][k])}</td></tr>"
            )
        per_class = (
            "<table class='iou-lab-per-class'><tr><th>class</th><th>share of pixels</th>"
            "<th>IoU</th></tr>" + "".join(cells) + "</table>"
        )
        summary = (
            '<table class="iou-lab-readout">'
            + row("pixel accuracy", "pixel_accuracy", fmt(s["pixel_accuracy"]), bold=True)
            + row("mean IoU", "mean_iou", fmt(s["mean_iou"]), bold=True)
            + "</table>"
        )
        self.readout.value = f'<div style="display:flex;gap:2em;align-items:flex-start">{summary}{per_class}</div>'

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


def imbalance_explorer(*, small_class_size: int = IMBALANCE_MAX_SIZE, degrade: float = 0.0) -> ImbalanceExplorer:
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
        ax.plot(
            degrades,
            [s["pixel_accuracy"] for s in st],
            color=color,
            linestyle=":",
            marker=".",
            label=f"pixel accuracy, line {size} px long",
        )
        ax.plot(
            degrades,
            [s["mean_iou"] for s in st],
            color=color,
            linestyle="-",
            marker=".",
            label=f"mean IoU, line {size} px long",
        )
    ax.set_xlabel("fraction of 'line' pixels missed")
    ax.set_ylabel("score")
    ax.set_ylim(0.7, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("accuracy stays high, mean IoU falls (whatever the size)", fontsize=10)
    fig.legend(handles=class_legend_handles(CLASS_NAMES), loc="outside lower center", ncol=5, fontsize=8, frameon=False)
    ends = {size: (imbalance_stats(*imbalance_scenario(size, 1.0)), size) for size in (IMBALANCE_MAX_SIZE, 6)}
    fig.alt_text = (
        "Pixel accuracy against mean IoU under class imbalance, 3 panels: the true mask with a thin 'line'; a "
        "prediction that misses every 'line' pixel; and both scores against the fraction of 'line' pixels "
        "missed, from 0 to 1. With every 'line' pixel missed, "
        + " and ".join(
            f"a line {size} px long gives pixel accuracy {s['pixel_accuracy']:.3f} but mean IoU {s['mean_iou']:.3f}"
            for s, size in ends.values()
        )
        + ": accuracy stays high while mean IoU falls."
    )
    return fig
