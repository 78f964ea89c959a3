"""The absent-class convention explorer (notebook 02): excluded, 0 or 1; dataset or per-image mean.
The numbers come from :func:`helpers.metrics.mean_iou` (``absent=``, ``per_image=``) on
:func:`helpers.course.scenarios.convention_batch`.

Examples
--------
>>> sorted(convention_explorer().controls)
['absent', 'level']
>>> len(convention_explorer_static().axes)
7
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from helpers._validation import check_absent
from helpers.course.data import CLASS_NAMES
from helpers.course.scenarios import (
    ABSENT_CONVENTIONS,
    LEVELS,
    convention_batch,
    convention_mean_iou,
    convention_per_class_iou,
)
from helpers.metrics import average_iou
from helpers.plotting import LabFigure, class_legend_handles, colorize_mask

from .base import Explorer, fmt, png

__all__ = ["ConventionExplorer", "convention_explorer", "convention_explorer_static"]


def _as_counted(ious, absent: str):
    """The per-class IoUs as the convention counts them (NaN = left out)."""
    return np.nan_to_num(ious, nan={"exclude": np.nan, "zero": 0.0, "one": 1.0}[absent])


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

    def __init__(self, *, absent: str = "exclude", level: str = "dataset", batch=None):
        check_absent(absent)
        if level not in LEVELS:
            raise ValueError(f"level must be one of {list(LEVELS)}, got {level!r}.")
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
        super().__init__(
            controls, "Absent classes: which mean IoU is reported?", plot_width=f"{round(80 * (1.3 * n + 1.6))}px"
        )
        self.plot.value = png(fig)  # the batch never changes: drawn once
        self.all_conventions = {
            (a, lv): convention_mean_iou(self.y_true, self.y_pred, absent=a, level=lv)
            for _, a in _ABSENT_LABELS
            for _, lv in _LEVEL_LABELS
        }
        self.update()

    def _compute(self) -> None:
        v = self.values()
        absent, level = v["absent"], v["level"]
        value = convention_mean_iou(self.y_true, self.y_pred, absent=absent, level=level)
        raw = convention_per_class_iou(self.y_true, self.y_pred, level=level)
        self.stats = {
            "mean_iou": value,
            "absent": absent,
            "level": level,
            "per_class_iou": _as_counted(raw, absent),
            "all": dict(self.all_conventions),
        }

        def cell(x):
            if np.isnan(x):
                return {"exclude": "–", "zero": "0 (absent)", "one": "1 (absent)"}[absent]
            return f"{x:.3f}"

        head = "".join(f"<th>{html.escape(nm)}</th>" for nm in CLASS_NAMES)
        rows_raw = [raw] if level == "dataset" else list(raw)
        labels = ["whole batch"] if level == "dataset" else [f"image {i}" for i in range(len(rows_raw))]
        body = ""
        for lab, row in zip(labels, rows_raw):
            m = average_iou(row, absent=absent)
            body += (
                f"<tr><th style='text-align:left'>{lab}</th>"
                + "".join(f"<td>{cell(x)}</td>" for x in row)
                + f"<td><b>{fmt(m)}</b></td></tr>"
            )
        per_class = f"<table class='iou-lab-per-class'><tr><th></th>{head}<th>mean</th></tr>{body}</table>"
        grid = "<tr><th></th>" + "".join(f"<th>{html.escape(lab)}</th>" for lab, _ in _ABSENT_LABELS) + "</tr>"
        for llab, lv in _LEVEL_LABELS:
            grid += f"<tr><th style='text-align:left'>{html.escape(llab)}</th>"
            for _, a in _ABSENT_LABELS:
                x = self.all_conventions[(a, lv)]
                on = a == absent and lv == level
                style = " style='font-weight:bold;background:#F0E442;color:black'" if on else ""
                grid += f"<td class='iou-lab-{a}-{lv}'{style}>{fmt(x)}</td>"
            grid += "</tr>"
        self.readout.value = (
            f'<p style="font-size:120%">reported mean IoU = <b><span class="iou-lab-mean_iou">{fmt(value)}'
            f"</span></b> (absent classes {html.escape(ABSENT_CONVENTIONS[absent])}; "
            f"{html.escape(LEVELS[level])})</p>"
            f"{per_class}<p>All six conventions on this batch:</p><table class='iou-lab-readout'>{grid}</table>"
        )

    def _render(self) -> None:
        pass  # the picture (the batch) does not depend on the toggles


def convention_explorer(*, absent: str = "exclude", level: str = "dataset") -> ConventionExplorer:
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
        vals = [convention_mean_iou(y_true, y_pred, absent=a, level=lv) for _, a in _ABSENT_LABELS]
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
    six = "; ".join(
        f"{llab}: "
        + ", ".join(
            f"{alab} {convention_mean_iou(y_true, y_pred, absent=a, level=lv):.3f}" for alab, a in _ABSENT_LABELS
        )
        for llab, lv in _LEVEL_LABELS
    )
    fig.alt_text = (
        f"One batch, six mean IoUs: the true and predicted masks of {n} images, in which some classes are absent, "
        f"and a bar chart of the mean IoU reported under each convention for absent classes, at each level. {six}."
    )
    return fig
