"""Charts of numbers: confusion matrices, IoU per class, training histories, per-image IoU histograms.

Each function draws numbers it is given (a confusion matrix from :func:`helpers.metrics.confusion_matrix`,
IoUs from :func:`helpers.metrics.per_class_iou`, a Keras ``History``, ...) and returns a
:class:`~helpers.plotting.LabFigure`; the mean IoU line of :func:`plot_per_class_iou` is
:func:`helpers.metrics.average_iou` of the values given.

Examples
--------
>>> fig = plot_confusion_matrix(np.array([[3, 1], [0, 4]]), normalize="true")
>>> [t.get_text() for t in fig.axes[0].texts]
['0.75', '0.25', '0.00', '1.00']
>>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
['class 0', 'class 1']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.metrics import average_iou
from helpers.plotting._common import (
    CLASS_COLORS,
    RUN_COLORS,
    RUN_HATCHES,
    LabFigure,
    class_color,
    class_names_or_default,
    new_figure,
)

__all__ = ["plot_confusion_matrix", "plot_per_class_iou", "plot_history", "plot_iou_histogram"]


# --------------------------------------------------------------------------------------------
# confusion matrix
# --------------------------------------------------------------------------------------------
def _fmt_count(v: float) -> str:
    v = int(v)
    if abs(v) >= 10_000_000:
        return f"{v / 1e6:.0f}M"
    if abs(v) >= 1_000_000:
        return f"{v / 1e6:.1f}M"
    if abs(v) >= 10_000:
        return f"{v / 1e3:.0f}k"
    return str(v)


def _draw_matrix(ax, values, names, fmt, title, vmax):
    c = len(names)
    shown = np.nan_to_num(values, nan=0.0)
    ax.imshow(shown, cmap="Blues", vmin=0.0, vmax=vmax if vmax > 0 else 1.0, interpolation="nearest")
    fontsize = max(5, min(9, int(60 / c)))
    for i in range(c):
        for j in range(c):
            v = values[i, j]
            txt = "–" if np.isnan(v) else fmt(v)
            dark = not np.isnan(v) and vmax > 0 and v / vmax > 0.55
            ax.text(j, i, txt, ha="center", va="center", fontsize=fontsize, color="white" if dark else "black")
    ax.set_xticks(range(c))
    ax.set_yticks(range(c))
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title, fontsize=10)


def plot_confusion_matrix(cm, *, class_names=None, normalize="both", title: str | None = None) -> Figure:
    """Annotated confusion matrix (rows = true class, columns = predicted class).

    Parameters
    ----------
    cm : array_like, shape (C, C)
        Pixel counts, e.g. from :func:`helpers.metrics.confusion_matrix`.
    class_names : sequence of C str, optional
        Default "class 0", "class 1", ...
    normalize : {"both", "true", None}, default "both"
        ``"both"``: two panels, counts and row-normalised (each row divided by the number of
        pixels of that true class: the diagonal is each class's recall); ``"true"``: the
        row-normalised panel only; ``None``: counts only. Rows of absent classes show "–".
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One or two axes (no colour bars: every cell is annotated).

    Examples
    --------
    >>> fig = plot_confusion_matrix([[123456, 1], [0, 5]], class_names=["a", "b"], normalize=None)
    >>> fig.axes[0].texts[0].get_text()
    '123k'
    """
    m = np.asarray(cm)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(
            f"cm must be a square (C, C) matrix, got shape {m.shape}; use helpers.metrics.confusion_matrix."
        )
    names = class_names_or_default(class_names, num_classes=m.shape[0])
    if m.shape[0] != len(names):
        raise ValueError(
            f"cm is {m.shape[0]}x{m.shape[0]} but class_names has {len(names)} names; pass one name per class."
        )
    if (
        not (np.issubdtype(m.dtype, np.integer) or np.issubdtype(m.dtype, np.floating))
        or not np.isfinite(m).all()
        or (m < 0).any()
    ):
        raise ValueError("cm must hold non-negative finite counts.")
    if normalize not in ("both", "true", None):
        raise ValueError(f"normalize must be 'both', 'true' or None, got {normalize!r}.")
    m = m.astype(np.float64)
    panels = []
    if normalize in ("both", None):
        is_int = np.all(m == np.round(m))
        panels.append((m, _fmt_count if is_int else (lambda v: f"{v:.3g}"), "pixel counts", m.max()))
    if normalize in ("both", "true"):
        rows = m.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = np.where(rows > 0, m / np.where(rows > 0, rows, 1.0), np.nan)
        panels.append((norm, lambda v: f"{v:.2f}", "row-normalised (fraction of true class)", 1.0))
    c = len(names)
    side = max(3.2, 0.55 * c + 1.6)
    fig = new_figure(side * len(panels), side + 0.3)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (vals, fmt, ttl, vmax) in zip(axes, panels):
        _draw_matrix(ax, vals, names, fmt, ttl, vmax)
    if title:
        fig.suptitle(title)
    fig.alt_text = _matrix_alt(m, names, [p[2] for p in panels], title)
    return fig


def _matrix_alt(m, names, panel_titles, title) -> str:
    """Alt text of :func:`plot_confusion_matrix`: the share of each true class predicted right, its
    largest confusion, in words."""
    rows = []
    for i, name in enumerate(names):
        total = m[i].sum()
        if total == 0:
            rows.append(f"{name}: no true pixels")
            continue
        text = f"{name}: {m[i, i] / total:.0%} predicted right"
        off = m[i].copy()
        off[i] = 0
        if off.max() > 0:
            j = int(off.argmax())
            text += f", most often confused with {names[j]} ({off[j] / total:.0%})"
        rows.append(text)
    head = f"{title.rstrip('.')}. " if title else ""
    return (
        f"{head}Confusion matrix of {len(names)} classes (rows: true class, columns: predicted class), shown as "
        f"{' and '.join(panel_titles)}. By true class: " + "; ".join(rows) + "."
    )


# --------------------------------------------------------------------------------------------
# IoU per class
# --------------------------------------------------------------------------------------------
def _as_iou_vector(v, name: str, c: int) -> np.ndarray:
    arr = np.asarray(v, dtype=np.float64) if not isinstance(v, np.ndarray) else v.astype(np.float64)
    if arr.ndim != 1 or arr.shape[0] != c:
        raise ValueError(f"{name} has shape {arr.shape} but there are {c} classes; pass one IoU per class.")
    finite = arr[~np.isnan(arr)]
    if (finite < 0).any() or (finite > 1).any() or np.isinf(arr).any():
        raise ValueError(f"{name} has values outside [0, 1]; IoU lies in [0, 1] (NaN = class absent).")
    return arr


def _iou_runs(ious, class_names) -> tuple:
    """``({run name: IoU vector}, class names)``: one run named "" for a single vector."""
    first = (next(iter(ious.values()), None) if isinstance(ious, Mapping) else ious) if ious is not None else None
    shape = np.shape(first) if first is not None else ()
    count = shape[0] if len(shape) == 1 and shape[0] > 0 else None
    names = class_names_or_default(class_names, num_classes=count)
    c = len(names)
    if isinstance(ious, Mapping):
        if not ious:
            raise ValueError("ious is an empty dict; pass {model name: per-class IoU array}.")
        return {str(k): _as_iou_vector(v, f"ious[{k!r}]", c) for k, v in ious.items()}, names
    return {"": _as_iou_vector(ious, "ious", c)}, names


def _draw_bars(ax, pos, vals, r: int, name: str, single: bool, width: float, annotate: bool):
    """One run's bars (class colours for a single run, else the run's colour and hatch); its legend patch."""
    c = len(vals)
    colors = [class_color(j) for j in range(c)] if single else RUN_COLORS[r % len(RUN_COLORS)]
    heights = np.nan_to_num(vals, nan=0.0)
    present = ~np.isnan(vals)
    hatch = None if single else RUN_HATCHES[r % len(RUN_HATCHES)] or None
    ax.bar(
        pos[present],
        heights[present],
        width=width * 0.95,
        color=np.asarray(colors, dtype=object)[present].tolist() if single else colors,
        edgecolor="0.25" if single else "white",
        linewidth=0.5,
        hatch=hatch,
    )
    for j in np.flatnonzero(~present):
        ax.text(pos[j], 0.02, "absent", rotation=90, ha="center", va="bottom", fontsize=8, color="0.35", style="italic")
    if annotate:
        for j in np.flatnonzero(present):
            ax.text(pos[j], heights[j] + 0.01, f"{heights[j]:.2f}", ha="center", va="bottom", fontsize=7)
    return None if single else Patch(facecolor=colors, edgecolor="white", hatch=hatch, label=name)


def plot_per_class_iou(
    ious,
    *,
    class_names=None,
    title: str | None = None,
    show_mean: bool = True,
    annotate: bool | None = None,
    ax=None,
) -> Figure:
    """Bar chart of IoU per class; several models side by side; the mean IoU as a line.

    Parameters
    ----------
    ious : array_like (C,) or dict {model name: array_like (C,)}
        IoU per class, NaN for a class absent from truth and prediction: it gets no bar and the
        word "absent" (it is *not* 0, and it is left out of the mean, as in
        :func:`helpers.metrics.mean_iou`).
    class_names : sequence of C str, optional
        Default "class 0", "class 1", ...
    show_mean : bool, default True
        A horizontal line per model at its mean IoU (over non-absent classes), named in the legend.
    annotate : bool, optional
        Write each bar's value on it; default when at most 3 models.
    ax : matplotlib Axes, optional
        Draw into this axes (its figure is returned) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One axes. With one model the bars take the class colours; with several, one colour and hatch
        per model from :data:`RUN_COLORS` / :data:`RUN_HATCHES`, none of them a class colour.

    Examples
    --------
    >>> fig = plot_per_class_iou([0.9, float("nan"), 0.5], class_names=["bg", "cat", "dog"])
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['mean IoU = 0.700']
    """
    runs, names = _iou_runs(ious, class_names)
    c = len(names)
    k = len(runs)
    if annotate is None:
        annotate = k <= 3
    if ax is None:
        fig = new_figure(max(5.0, 0.9 * c * max(1, k) ** 0.5 + 2.0), 3.8)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    width = 0.8 / k
    x = np.arange(c)
    handles = []
    single = k == 1
    for r, (name, vals) in enumerate(runs.items()):
        pos = x - 0.4 + width * (r + 0.5)
        patch = _draw_bars(ax, pos, vals, r, name, single, width, annotate)
        if patch is not None:
            handles.append(patch)
        if show_mean and (~np.isnan(vals)).any():
            mean = float(average_iou(vals))
            color = "black" if single else RUN_COLORS[r % len(RUN_COLORS)]
            ax.axhline(mean, color=color, linestyle="--", linewidth=1.2)
            label = f"mean IoU{' (' + name + ')' if name else ''} = {mean:.3f}"
            handles.append(Line2D([], [], color=color, linestyle="--", label=label))
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=30 if c > 6 else 0, ha="right" if c > 6 else "center")
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("IoU")
    ax.set_xlabel("class")
    ax.set_title(title or "IoU per class", fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    LabFigure.describe_axes(ax, _per_class_alt(runs, names, title or "IoU per class", show_mean))
    return fig


def _per_class_alt(runs, names, title, show_mean) -> str:
    """Alt text of :func:`plot_per_class_iou`: every bar's value in words."""
    parts = []
    for name, vals in runs.items():
        bars = ", ".join(f"{n} {'absent' if np.isnan(v) else f'{v:.2f}'}" for n, v in zip(names, vals))
        mean = f"; mean IoU {float(average_iou(vals)):.3f}" if show_mean and (~np.isnan(vals)).any() else ""
        parts.append(f"{name + ': ' if name else ''}{bars}{mean}")
    return f"{title.rstrip('.')}: bar chart of the IoU of each class (0 to 1). " + ". ".join(parts) + "."


# --------------------------------------------------------------------------------------------
# training histories
# --------------------------------------------------------------------------------------------
def _history_dict(h, name: str) -> dict:
    d = h.history if hasattr(h, "history") and isinstance(h.history, Mapping) else h
    if not isinstance(d, Mapping):
        raise ValueError(
            f"history {name!r} is a {type(h).__name__}; pass a Keras History (model.fit's return value) "
            "or a dict {metric: [one value per epoch]}."
        )
    out = {}
    for key, vals in d.items():
        arr = np.asarray(vals, dtype=np.float64) if not isinstance(vals, Mapping) else None
        if arr is None or arr.ndim != 1:
            raise ValueError(f"history {name!r}: {key!r} must be a list of one number per epoch.")
        out[str(key)] = arr
    return out


def _is_single_history(h) -> bool:
    if hasattr(h, "history") and isinstance(h.history, Mapping):
        return True
    if isinstance(h, Mapping):
        return all(not isinstance(v, Mapping) and not hasattr(v, "history") for v in h.values())
    return False


def _history_runs(histories, metrics) -> dict:
    """``{run name: {metric: values}}`` ("" for a single history), every metric found in some run."""
    if _is_single_history(histories):
        runs = {"": _history_dict(histories, "history")}
    elif isinstance(histories, Mapping):
        if not histories:
            raise ValueError("histories is empty; pass a History, a dict of metrics, or {run name: history}.")
        runs = {str(k): _history_dict(v, str(k)) for k, v in histories.items()}
    elif isinstance(histories, Sequence) and not isinstance(histories, str) and len(histories) > 0:
        runs = {f"run {i + 1}": _history_dict(v, f"run {i + 1}") for i, v in enumerate(histories)}
    else:
        raise ValueError(
            f"histories is a {type(histories).__name__}; pass a Keras History, a dict "
            "{metric: [values per epoch]}, or a dict {run name: history}."
        )
    available = sorted({k for d in runs.values() for k in d})
    for m in metrics:
        if not any(m in d or f"val_{m}" in d for d in runs.values()):
            raise ValueError(
                f"metric {m!r} is in no history; available keys: {available}. Pass metrics=(...) with those names."
            )
    return runs


def _run_starts(runs: dict, start_epoch, continues) -> dict:
    """Epoch number of each run's first value: 1, or ``start_epoch``, or right after the run it continues."""
    names = list(runs)
    if start_epoch is None:
        start_epoch = {}
    elif not isinstance(start_epoch, Mapping):
        start_epoch = {name: start_epoch for name in names}
    continues = dict(continues or {})
    for key, what in (("start_epoch", start_epoch), ("continues", continues)):
        unknown = [k for k in what if k not in runs]
        if unknown:
            raise ValueError(f"{key} names runs {unknown} that are not in histories; runs: {names}.")
    for child, parent in continues.items():
        if parent not in runs:
            raise ValueError(f"continues={{{child!r}: {parent!r}}}: {parent!r} is not a run; runs: {names}.")
        if child in start_epoch:
            raise ValueError(f"run {child!r} is in both start_epoch and continues; give it one of them.")
    for name, value in start_epoch.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(
                f"start_epoch of {name!r} must be an int >= 1 (the epoch of its first value), got {value!r}."
            )
    starts: dict = {}

    def start(name, seen=()):
        if name in starts:
            return starts[name]
        if name in seen:
            raise ValueError(f"continues has a cycle through {name!r}; a run can only continue an earlier one.")
        if name in continues:
            parent = continues[name]
            d = runs[parent]
            length = max((len(v) for v in d.values()), default=0)
            starts[name] = start(parent, seen + (name,)) + length
        else:
            starts[name] = int(start_epoch.get(name, 1))
        return starts[name]

    for name in names:
        start(name)
    return starts


def _unit_metrics(unit_metrics, metrics: tuple) -> set:
    """The metrics drawn on one shared 0-1 axis."""
    if isinstance(unit_metrics, str):
        if unit_metrics != "auto":
            raise ValueError(f"unit_metrics must be 'auto' or a sequence of metric names, got {unit_metrics!r}.")
        return {m for m in metrics if "iou" in m.lower()}
    unit = set(unit_metrics)
    missing = sorted(unit - set(metrics))
    if missing:
        raise ValueError(f"unit_metrics names {missing}, which are not in metrics={metrics}.")
    return unit


def _draw_history_panel(ax, m: str, runs: dict, starts: dict, links: dict, val: bool, unit: bool) -> bool:
    """One metric's curves, train solid and validation dashed; whether a validation curve was drawn."""
    any_val = False
    for r, (name, d) in enumerate(runs.items()):
        color = RUN_COLORS[r % len(RUN_COLORS)]
        for key, style in ((m, "-"), (f"val_{m}", "--")):
            if key not in d or (style == "--" and not val):
                continue
            any_val |= style == "--"
            v = d[key]
            x = np.arange(starts[name], starts[name] + len(v))
            parent = links.get(name)
            if parent is not None and key in runs[parent] and len(runs[parent][key]) and len(v):
                p = runs[parent][key]  # a dotted link from the run it continues
                ax.plot([starts[parent] + len(p) - 1, x[0]], [p[-1], v[0]], color=color, linestyle=":", linewidth=1.0)
            ax.plot(x, v, color=color, linestyle=style, marker="." if len(v) < 30 else None)
    ax.set_title(m, fontsize=10)
    ax.set_xlabel("epoch")
    ax.set_ylabel(m)
    ax.grid(alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if unit:
        ax.set_ylim(0.0, 1.0)
    return any_val


def plot_history(
    histories,
    *,
    metrics=("loss", "mean_iou"),
    title: str | None = None,
    val: bool = True,
    start_epoch=None,
    continues=None,
    unit_metrics="auto",
) -> Figure:
    """Training curves: one panel per metric, one colour per run, train solid / validation dashed.

    Parameters
    ----------
    histories : History, dict, or dict {run name: History or dict}, or list of those
        A Keras ``History`` (what ``model.fit`` returns) or a plain dict
        ``{"loss": [...], "val_loss": [...], "mean_iou": [...], ...}`` with one value per epoch;
        several runs as a dict ``{run name: history}`` (or a list: named "run 1", "run 2", ...).
    metrics : sequence of str, default ("loss", "mean_iou")
        Keys to plot; ``"val_" + key`` is drawn dashed when present. A metric missing from every
        run raises ``ValueError`` listing the keys there are (Keras names metrics after their
        ``name=``, e.g. ``MeanIoU`` logs ``"mean_io_u"``).
    val : bool, default True
        Draw the validation curves.
    start_epoch : int or dict {run name: int}, optional
        Epoch number of a run's first value (default 1), e.g. for a run that resumed from a checkpoint.
    continues : dict {run name: run name}, optional
        Runs that continue another one (fine-tuning from its weights): ``{"(e)": "(b)"}`` draws (e)
        from the epoch after (b)'s last one, with a thin dotted link from (b)'s last value.
    unit_metrics : "auto" or sequence of str, default "auto"
        Metrics drawn on one **shared 0-1 y axis**, so that a metric that barely moves looks flat
        instead of being autoscaled into a wild curve. ``"auto"``: every metric whose name contains
        "iou" (e.g. ``mean_iou`` and ``question_mean_iou``). Pass ``()`` to autoscale all panels.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per metric; x = epoch (from 1).

    Examples
    --------
    >>> fig = plot_history({"(b)": {"mean_iou": [0.2, 0.5]}, "(e)": {"mean_iou": [0.6, 0.7]}},
    ...                    metrics=("mean_iou",), continues={"(e)": "(b)"})
    >>> fig.axes[0].lines[-1].get_xdata().tolist(), [float(y) for y in fig.axes[0].get_ylim()]
    ([3, 4], [0.0, 1.0])
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    if not metrics:
        raise ValueError("metrics is empty; pass e.g. metrics=('loss', 'mean_iou').")
    runs = _history_runs(histories, metrics)
    starts = _run_starts(runs, start_epoch, continues)
    links = dict(continues or {})
    unit = _unit_metrics(unit_metrics, metrics)
    n = len(metrics)
    fig = new_figure(max(4.2 * n, 5.0), 3.6)
    axes = fig.subplots(1, n, squeeze=False)[0]
    unit_axes = [ax for ax, m in zip(axes, metrics) if m in unit]
    for ax in unit_axes[1:]:
        ax.sharey(unit_axes[0])
    any_val = False
    for ax, m in zip(axes, metrics):
        any_val |= _draw_history_panel(ax, m, runs, starts, links, val, m in unit)
    handles = []
    if len(runs) > 1 or next(iter(runs)):
        handles += [Line2D([], [], color=RUN_COLORS[r % len(RUN_COLORS)], label=name) for r, name in enumerate(runs)]
    handles.append(Line2D([], [], color="0.2", linestyle="-", label="train"))
    if any_val:
        handles.append(Line2D([], [], color="0.2", linestyle="--", label="validation"))
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    fig.alt_text = _history_alt(runs, metrics, val, title)
    return fig


def _history_alt(runs, metrics, val, title) -> str:
    """Alt text of :func:`plot_history`: per panel, each run's first and last value (and its best)."""
    panels = []
    for m in metrics:
        lines = []
        for name, d in runs.items():
            for key, kind in ((m, "train"), (f"val_{m}", "validation")):
                v = d.get(key)
                if v is None or (kind == "validation" and not val) or not len(v):
                    continue
                who = f"{name} ({kind})" if name else kind
                lines.append(f"{who} from {v[0]:.3g} to {v[-1]:.3g} over {len(v)} epochs")
        panels.append(f"{m} against epoch: " + ("; ".join(lines) if lines else "no values"))
    head = f"{title.rstrip('.')}. " if title else ""
    count = f"{len(panels)} panel{'s' if len(panels) > 1 else ''}"
    return f"{head}Training curves, {count}: " + " ".join(f"({i}) {t}." for i, t in enumerate(panels, 1))


# --------------------------------------------------------------------------------------------
# per-image IoU
# --------------------------------------------------------------------------------------------
def plot_iou_histogram(
    values, *, title: str | None = None, bins: int = 20, mark_below: float | None = None, ax=None
) -> Figure:
    """Histogram of per-image IoU values (NaN images left out), with the mean and median marked.

    Parameters
    ----------
    values : array_like of float
        One IoU per image, e.g. ``helpers.metrics.per_image_iou(...)``; NaN = no measurable pixel.
    mark_below : float, optional
        Shade the range below this value (e.g. the threshold for "worst images").
    ax : matplotlib Axes, optional
        Draw into this axes (its figure is returned) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_iou_histogram([0.5, 0.9, float("nan")])
    >>> fig.axes[0].get_title()
    'Per-image mean IoU (2 images)'
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"values must be one IoU per image (1-D), got shape {v.shape}.")
    v = v[~np.isnan(v)]
    if v.size == 0:
        raise ValueError("values holds no number (all NaN): nothing to plot.")
    if ax is None:
        fig = new_figure(6.0, 3.4)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.hist(v, bins=np.linspace(0, 1, bins + 1), color=CLASS_COLORS[2], edgecolor="0.3")
    ax.axvline(v.mean(), color="0.1", ls="--", label=f"mean = {v.mean():.3f}")
    ax.axvline(np.median(v), color=CLASS_COLORS[1], ls=":", lw=2, label=f"median = {np.median(v):.3f}")
    if mark_below is not None:
        ax.axvspan(0, mark_below, color="#D55E00", alpha=0.12, label=f"below {mark_below:g}")
    ax.set(
        xlim=(0, 1),
        xlabel="mean IoU of one image",
        ylabel="images",
        title=title or f"Per-image mean IoU ({v.size} images)",
    )
    ax.legend(fontsize=9, loc="upper left")
    low = f"; {int((v < mark_below).sum())} below {mark_below:g} (shaded)" if mark_below is not None else ""
    LabFigure.describe_axes(
        ax,
        f"{ax.get_title()}: histogram of the mean IoU of {v.size} images, from {v.min():.3f} to {v.max():.3f}; "
        f"mean {v.mean():.3f}, median {np.median(v):.3f}{low}.",
    )
    return fig
