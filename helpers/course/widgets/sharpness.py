"""The sharpness explorer (notebook 04): a temperature slider sharpens the softmax; the soft IoU
meets the hard one. The numbers come from :func:`helpers.course.scenarios.sharpness_stats`.

Examples
--------
>>> sorted(sharpness_explorer().controls)
['class', 'log_temperature']
>>> len(sharpness_explorer_static().axes)
5
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from helpers._validation import check_int
from helpers.course.data import CLASS_NAMES
from helpers.course.scenarios import (
    NUM_CLASSES,
    SHARPNESS_GRID,
    SHARPNESS_T_RANGE,
    check_temperature,
    sharpness_curve,
    sharpness_probs,
    sharpness_stats,
    sharpness_toy,
)
from helpers.plotting import LabFigure

from .base import Blitter, Explorer, fmt, row

__all__ = ["SharpnessExplorer", "sharpness_explorer", "sharpness_explorer_static"]

_SHARP_LOG_T = (-1.3, 0.7)  # log10 of the slider's ends: T = 0.0501 .. 5.01


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
    ax.annotate(
        "sharper",
        xy=(1.2, 0.96),
        xytext=(4.5, 0.96),
        fontsize=8,
        color="0.3",
        va="center",
        ha="right",
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )


class SharpnessExplorer(Explorer):
    """Temperature slider and class toggle for the sharpness toy. See :func:`sharpness_explorer`."""

    css_class = "iou-lab-sharpness-explorer"

    def __init__(self, *, temperature: float = 1.0, class_index: int = 1):
        t = check_temperature(temperature)
        log_t = float(np.clip(np.round(np.log10(t) / 0.05) * 0.05, *_SHARP_LOG_T))
        class_index = check_int(class_index, "class_index", 0, NUM_CLASSES - 1)
        style = {"description_width": "initial"}
        controls = {
            "log_temperature": widgets.FloatSlider(
                value=log_t,
                min=_SHARP_LOG_T[0],
                max=_SHARP_LOG_T[1],
                step=0.05,
                description="log₁₀ temperature",
                readout_format=".2f",
                style=style,
                continuous_update=True,
            ),
            "class": widgets.ToggleButtons(
                options=[(n, k) for k, n in enumerate(CLASS_NAMES)], value=class_index, description="probability of"
            ),
        }
        self.y_true, self.logits = sharpness_toy()
        self.curve = sharpness_curve(y_true=self.y_true, logits=self.logits)
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
        self._markers = [
            ax_c.plot([1.0], [0.5], "o", color=color, markersize=6, markeredgecolor="white")[0]
            for _, _, color, _ in _SHARP_CURVES
        ]
        self._ctitle = ax_c.set_title("", fontsize=9)
        self._fig.text(0.01, 0.015, "red outline: the true region of the class", fontsize=7, color="0.3")
        self._blit = Blitter(self._fig, [self._im, self._edge, self._ptitle, self._vline, *self._markers, self._ctitle])
        super().__init__(
            controls, "Soft versus hard IoU: sharpen the predictions", plot_width="608px", side_by_side=False
        )
        self.update()

    def temperature(self) -> float:
        """The temperature the slider selects, ``10 ** log_temperature``."""
        return float(10.0 ** self.controls["log_temperature"].value)

    def _compute(self) -> None:
        t = self.temperature()
        s = sharpness_stats(t, y_true=self.y_true, logits=self.logits)
        self.stats = s
        self._probs = sharpness_probs(t, logits=self.logits)
        rows = [
            row("temperature T", "temperature", f"{t:.3g}"),
            row("soft IoU (per class, present classes)", "soft_iou", fmt(s["soft_iou"]), bold=True),
            row("hard IoU (argmax, helpers.metrics)", "hard_iou", fmt(s["hard_iou"]), bold=True),
            row("gap = hard − soft", "gap", fmt(s["gap"]), bold=True),
            row("soft Dice (per class)", "soft_dice", fmt(s["soft_dice"])),
            row("pooled soft IoU (1 − question's iou_loss)", "pooled_soft_iou", fmt(s["pooled_soft_iou"])),
        ]
        self.readout.value = (
            '<table class="iou-lab-readout">' + "".join(rows) + "</table>"
            '<p style="font-size:90%">The argmax, hence the hard IoU, does not depend on T; '
            "as T → 0 the probabilities become one-hot and the soft IoU meets the hard one.</p>"
        )

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


def sharpness_explorer(*, temperature: float = 1.0, class_index: int = 1) -> SharpnessExplorer:
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


def sharpness_explorer_static(*, class_index: int = 1, temperatures=(2.0, 0.5, 0.1)) -> Figure:
    """Fallback of :func:`sharpness_explorer`: one class's probability map at three temperatures,
    and the scores against the temperature with the hard IoU as a line."""
    class_index = check_int(class_index, "class_index", 0, NUM_CLASSES - 1)
    y_true, logits = sharpness_toy()
    curve = sharpness_curve(y_true=y_true, logits=logits)
    fig = LabFigure(figsize=(11.0, 3.3), layout="constrained")
    n = len(temperatures)
    axes = fig.subplots(1, n + 1, width_ratios=[1] * n + [2.3])
    im = None
    for ax, t in zip(axes[:n], temperatures):
        s = sharpness_stats(t, y_true=y_true, logits=logits)
        im = ax.imshow(
            sharpness_probs(t, logits=logits)[..., class_index], cmap="viridis", vmin=0, vmax=1, interpolation="nearest"
        )
        ax.add_collection(LineCollection(_edge_segments(y_true == class_index), colors=_EDGE_COLOR, linewidths=1.0))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"T = {t:g}: p({CLASS_NAMES[class_index]})\nsoft IoU {s['soft_iou']:.3f}", fontsize=9)
    fig.colorbar(im, ax=list(axes[:n]), shrink=0.8, pad=0.01).ax.tick_params(labelsize=7)
    ax = axes[n]
    _draw_sharpness_curves(ax, curve, float(curve["hard_iou"][0]))
    for t in temperatures:
        s = sharpness_stats(t, y_true=y_true, logits=logits)
        ax.plot([t], [s["soft_iou"]], "o", color=_SHARP_CURVES[0][2], markeredgecolor="white", markersize=6)
    ax.legend(fontsize=7, loc="lower left", framealpha=0.9)
    ax.set_title(f"hard IoU {curve['hard_iou'][0]:.3f} whatever T; the soft IoU meets it as T → 0", fontsize=9)
    fig.suptitle("Sharpening the softmax: red outline = the true region of the class", fontsize=10)
    soft = ", ".join(
        f"T = {t:g}: soft IoU {sharpness_stats(t, y_true=y_true, logits=logits)['soft_iou']:.3f}" for t in temperatures
    )
    fig.alt_text = (
        f"Sharpening the softmax, {n + 1} panels: the probability of class '{CLASS_NAMES[class_index]}' at "
        f"temperatures {', '.join(f'{t:g}' for t in temperatures)}, with the class's true region outlined in red "
        f"({soft}); and the soft IoU, soft Dice and pooled soft IoU against the temperature, next to the hard "
        f"IoU of {curve['hard_iou'][0]:.3f}, which does not change: the soft IoU meets it as T goes to 0."
    )
    return fig
