"""The lessons' own figures: where losses push (notebook 04) and a seed study's runs (notebook 05).

Course layer: built on :mod:`helpers.plotting` (colours, legends, :class:`~helpers.plotting.LabFigure`)
and computing nothing but the picture: the gradients come from
:func:`helpers.course.soft_iou.logit_gradient`, the study's values from
:func:`helpers.course.study.metric_values`, the mean IoU in a title from :mod:`helpers.metrics`.
(Until IoU Lab 0.3 both are also reachable, with a ``DeprecationWarning``, as ``helpers.plotting.NAME``.)

Examples
--------
>>> fig = plot_seed_study({"a": [0.8, 0.85, 0.9], "b": [0.9, 0.91, 0.92]}, labels={"a": "(a)", "b": "(b)"})
>>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
['(a)', '(b)']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from helpers._validation import as_labels, check_range
from helpers.metrics import mean_iou
from helpers.plotting import RUN_COLORS, LabFigure, class_legend_handles, colorize_mask

__all__ = ["plot_loss_push", "plot_seed_study"]


def _new_figure(width: float, height: float) -> Figure:
    return LabFigure(figsize=(width, height), layout="constrained")


def _image_axes(ax, title: str | None = None) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)


def _label_pair(labels, pred_labels, num_classes: int) -> tuple:
    """Truth and prediction of one image as integer (H, W) label maps in [0, num_classes) (the input policy)."""
    maps = []
    for y, name in ((labels, "labels"), (pred_labels, "pred_labels")):
        m = np.asarray(y)
        m = as_labels(m[..., 0] if m.ndim == 3 and m.shape[-1] == 1 else m, name)
        if m.ndim != 2:
            raise ValueError(f"{name} must be one image's label map (H, W), got shape {m.shape}.")
        check_range(m, name, num_classes, None, may_ignore=False)
        maps.append(m)
    t, p = maps
    if t.shape != p.shape:
        raise ValueError(f"labels has shape {t.shape} but pred_labels has {p.shape}; pass the maps of one image.")
    return t, p


def _push_gradients(grads) -> dict:
    if not isinstance(grads, Mapping) or not grads:
        raise ValueError("grads must be a non-empty dict {loss name: gradient array (H, W, C)}.")
    return {str(k): np.asarray(v, dtype=np.float64) for k, v in grads.items()}


def plot_loss_push(
    labels, pred_labels, grads, *, focus_loss: str, focus_class: int, class_names=None, title: str | None = None
) -> Figure:
    """Where losses push: truth, prediction, per-pixel gradient size of each loss, and one logit's push.

    Parameters
    ----------
    labels, pred_labels : array_like of int, shape (H, W)
        True and predicted (argmax) label maps of one image.
    grads : dict {loss name: array (H, W, C)}
        Gradient of each loss with respect to the logits (e.g. from
        :func:`helpers.course.soft_iou.logit_gradient`). The size of a pixel's push is the norm over the C
        logits, drawn relative to the average pixel (1 = average), on one colour scale for all losses.
    focus_loss : str
        Key of ``grads`` whose descent direction on the logit of ``focus_class`` is drawn last
        (red: the loss raises that logit there, blue: lowers it).
    focus_class : int
    class_names : sequence of str, optional
        One name per class (notebook 04 passes ``helpers.course.data.CLASS_NAMES``); default
        "class 0", "class 1", ... (one per logit).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        ``2 + len(grads) + 1`` image axes (plus colour bars).

    Examples
    --------
    >>> t = np.zeros((6, 6), int); t[1:4, 1:4] = 1
    >>> g = np.random.default_rng(0).normal(size=(6, 6, 2))
    >>> fig = plot_loss_push(t, np.roll(t, 1, axis=1), {"loss": g}, focus_loss="loss", focus_class=1)
    >>> fig.axes[3].get_title()  # truth, prediction, one push map, then the push on one logit
    "−∂ loss / ∂ logit of 'class 1'\\n(loss)"
    """
    g = _push_gradients(grads)
    if class_names is None:
        names = tuple(f"class {k}" for k in range(next(iter(g.values())).shape[-1]))
    elif isinstance(class_names, str) or not isinstance(class_names, Sequence) or len(class_names) == 0:
        raise ValueError(f"class_names must be a non-empty sequence of names, got {class_names!r}.")
    else:
        names = tuple(str(n) for n in class_names)
    c = len(names)
    t, p = _label_pair(labels, pred_labels, c)
    for k, v in g.items():
        if v.shape != t.shape + (c,):
            raise ValueError(
                f"grads[{k!r}] has shape {v.shape}; expected {t.shape + (c,)} (H, W, C), "
                "the gradient with respect to one image's logits."
            )
    if focus_loss not in g:
        raise ValueError(f"focus_loss={focus_loss!r} is not a key of grads: {list(g)}.")
    if not (0 <= int(focus_class) < c):
        raise ValueError(f"focus_class must be a class index in [0, {c}), got {focus_class}.")
    k = len(g)
    fig = _new_figure(2.6 * (k + 3), 3.4)
    axes = fig.subplots(1, k + 3)
    axes[0].imshow(colorize_mask(t), interpolation="nearest")
    _image_axes(axes[0], "truth")
    try:
        miou = mean_iou(t, p, num_classes=c)
    except ValueError:
        miou = float("nan")
    axes[1].imshow(colorize_mask(p), interpolation="nearest")
    _image_axes(axes[1], f"prediction (argmax)\nmean IoU {miou:.3f}")
    push = {name: np.linalg.norm(v, axis=-1) for name, v in g.items()}
    relative = {name: q / q.mean() for name, q in push.items()}  # 1 = the average pixel's push
    vmax = max(np.percentile(r, 99.5) for r in relative.values())
    for ax, (name, r) in zip(axes[2 : 2 + k], relative.items()):
        im = ax.imshow(r, cmap="magma", vmin=0, vmax=vmax, interpolation="nearest")
        _image_axes(ax)
        ax.set_title(f"|∂ loss / ∂ logits|\n{name}", fontsize=9)
    fig.colorbar(im, ax=list(axes[2 : 2 + k]), shrink=0.8).set_label("× the average pixel's push", fontsize=8)
    descent = -g[focus_loss][..., int(focus_class)]
    lim = float(np.abs(descent).max()) or 1.0
    im = axes[-1].imshow(descent, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    _image_axes(axes[-1])
    axes[-1].set_title(f"−∂ loss / ∂ logit of '{names[focus_class]}'\n({focus_loss})", fontsize=9)
    fig.colorbar(im, ax=axes[-1], shrink=0.8).set_label(
        f"red: raise '{names[focus_class]}', blue: lower it", fontsize=8
    )
    fig.legend(
        handles=class_legend_handles(names), loc="outside lower center", ncol=min(c, 5), fontsize=8, frameon=False
    )
    if title:
        fig.suptitle(title)
    strongest = ", ".join(f"{name} {r.max():.1f}" for name, r in relative.items())
    fig.alt_text = (
        f"{title.rstrip('.') + '. ' if title else ''}Where each loss pushes the logits, {k + 3} panels: the true "
        f"mask; the predicted (argmax) mask, mean IoU {miou:.3f}; for each loss, a heat map of how hard it pushes "
        f"each pixel's logits, relative to the average pixel (largest push: {strongest} times the average); and "
        f"the push of {focus_loss} on the logit of '{names[focus_class]}' (red: raised, blue: lowered)."
    )
    return fig


def plot_seed_study(
    values,
    *,
    labels=None,
    live=None,
    settings=None,
    ylabel: str = "mean IoU",
    title: str | None = None,
    ylim=None,
    ax=None,
) -> Figure:
    """Every run of a seed study as a dot, one column per recipe, with its range as a bar.

    Computes nothing: pass the values (e.g. from :func:`helpers.course.study.metric_values`).

    Parameters
    ----------
    values : dict {recipe key: sequence of float}
        One value per run (seeds x execution settings), in the order of ``settings`` if given.
    labels : dict {recipe key: str}, optional
        Tick labels (default: the keys).
    live : dict {recipe key: float}, optional
        This notebook's own run of a recipe, drawn as a black diamond: one more draw.
    settings : dict {recipe key: sequence of str}, optional
        The execution setting of each run (same order as ``values``): one marker per setting.
    ylabel, title : str, optional
    ylim : (float, float), optional
        Default: the data's range with a margin.
    ax : matplotlib Axes, optional
        Draw into it (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_seed_study({"a": [0.8, 0.85, 0.9], "b": [0.9, 0.91, 0.92]}, live={"a": 0.86})
    >>> len(fig.axes[0].get_xticks())
    2
    """
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must be a non-empty dict {recipe: [value per run]}.")
    keys = list(values)
    labels = labels or {}
    if ax is None:
        fig = _new_figure(max(4.0, 1.3 * len(keys) + 1.5), 3.6)
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    markers = ("o", "s", "^", "v", "D", "P")
    seen_settings: dict = {}
    for i, key in enumerate(keys):
        v = np.asarray(values[key], dtype=float)
        if v.size == 0:
            continue
        colour = RUN_COLORS[i % len(RUN_COLORS)]
        ax.plot([i, i], [v.min(), v.max()], color=colour, lw=6, alpha=0.25, solid_capstyle="round")
        ax.plot([i - 0.25, i + 0.25], [v.mean(), v.mean()], color=colour, lw=2)
        run_settings = list(settings[key]) if settings and key in settings else [""] * v.size
        offsets = np.linspace(-0.15, 0.15, v.size) if v.size > 1 else np.zeros(1)
        for x, y, s in zip(i + offsets, v, run_settings):
            m = seen_settings.setdefault(s, markers[len(seen_settings) % len(markers)])
            ax.plot(x, y, m, color=colour, ms=4, mfc="white" if s and m != "o" else colour)
        if live and key in live:
            ax.plot(i + 0.3, live[key], "D", color="black", ms=6)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([labels.get(k, k) for k in keys], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(axis="y", alpha=0.3)
    handles = [
        Line2D([], [], marker=m, ls="", color="0.3", mfc="white" if s and m != "o" else "0.3", label=s or "run")
        for s, m in seen_settings.items()
    ]
    handles.append(Line2D([], [], color="0.3", lw=2, label="mean"))
    if live:
        handles.append(Line2D([], [], marker="D", ls="", color="black", label="this notebook's run"))
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    ranges = []
    for key in keys:
        v = np.asarray(values[key], dtype=float)
        if v.size:
            here = f", this notebook's run {live[key]:.3f}" if live and key in live else ""
            ranges.append(f"{labels.get(key, key)}: {v.size} runs from {v.min():.3f} to {v.max():.3f}{here}")
    LabFigure.describe_axes(
        ax,
        f"{(title or 'Seed study').rstrip('.')}: {ylabel} of every run, one column of dots per recipe. "
        + "; ".join(ranges)
        + ".",
    )
    return fig
