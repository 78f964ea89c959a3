"""Figures for IoU Lab: masks, errors, intersection/union, confusion matrices, per-class IoU, training curves.

Every function **returns a** :class:`matplotlib.figure.Figure` and touches no global state: figures are
built with ``Figure(...)`` (a :class:`LabFigure`), not ``pyplot``, so nothing is left open in pyplot's
list of figures, and the functions work without a display (Agg). A notebook shows the figure exactly
once when the call is last in a cell (or with ``display(fig)``), even if ``pyplot`` was never imported:
:class:`LabFigure` has a ``_repr_png_``. Save with ``fig.savefig("name.png")``.

Colours are colour-blind safe (the Okabe-Ito palette) and fixed, so a class has the same colour in
every figure of the course:

========== =========================== ==========================================
label      name                        colour
========== =========================== ==========================================
0          background                  dark grey ``#4D4D4D``
1          disc                        orange ``#E69F00``
2          square                      sky blue ``#56B4E9``
3          triangle                    bluish green ``#009E73``
4          line                        reddish purple ``#CC79A7``
255        ignore ("void")             white ``#FFFFFF``
========== =========================== ==========================================

Masks are integer label maps ``(H, W)`` (a trailing channel of size 1 is accepted). Images are
``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)``; integer images are read as 0..255, float
images in [0, 1] as they are, other float images are min-max scaled for display.

Inputs are validated at the boundary: a ``ValueError`` names the problem and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import CLASS_NAMES

__all__ = [
    "LabFigure",
    "CLASS_COLORS",
    "IGNORE_COLOR",
    "IGNORE_INDEX",
    "ERROR_COLORS",
    "IU_COLORS",
    "RUN_COLORS",
    "class_legend_handles",
    "colorize_mask",
    "blend_mask",
    "error_map",
    "colorize_errors",
    "intersection_union_map",
    "colorize_intersection_union",
    "overlay_mask",
    "show_masks",
    "show_gallery",
    "gallery_indices",
    "show_intersection_union",
    "plot_confusion_matrix",
    "plot_per_class_iou",
    "plot_history",
    "plot_loss_push",
]


# --------------------------------------------------------------------------------------------
# figure class
# --------------------------------------------------------------------------------------------
class LabFigure(Figure):
    """A plain :class:`matplotlib.figure.Figure` that Jupyter can show without pyplot.

    IPython shows a bare ``Figure`` as an image only once the inline backend is active (after
    ``import matplotlib.pyplot``); otherwise it prints ``<Figure size ...>``. ``_repr_png_`` makes the
    figure display as a PNG everywhere (JupyterLab, Colab, nbviewer, nbval). When the inline backend
    is active its own formatter is used instead; either way the figure is shown once.
    """

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()


# --------------------------------------------------------------------------------------------
# palette
# --------------------------------------------------------------------------------------------
IGNORE_INDEX = 255
"""Default label of "void" pixels, left out of every IoU count."""

CLASS_COLORS = ("#4D4D4D", "#E69F00", "#56B4E9", "#009E73", "#CC79A7")
"""One colour per class of :data:`helpers.CLASS_NAMES` (background, disc, square, triangle, line)."""

EXTRA_CLASS_COLORS = ("#0072B2", "#D55E00", "#F0E442", "#000000", "#999999", "#882255", "#44AA99")
"""Colours used for labels beyond the 5 course classes (other datasets); they repeat after 12."""

IGNORE_COLOR = "#FFFFFF"
"""Colour of ``ignore_index`` pixels (white)."""

ERROR_COLORS = {
    # mode error_class=None: one question per pixel, "is the predicted label right?"
    "correct": "#D9D9D9",  # light grey: the eye goes to the errors
    "wrong": "#D55E00",  # vermillion
    # mode error_class=k: the four outcomes for one class k
    "true positive": "#0072B2",  # blue
    "false positive": "#D55E00",  # vermillion
    "false negative": "#F0E442",  # yellow
    "true negative": "#4D4D4D",  # dark grey
    "ignored": IGNORE_COLOR,
}
"""Colours of the error maps (blue / vermillion / yellow: distinguishable with every colour vision)."""

IU_COLORS = {
    "neither": "#4D4D4D",  # dark grey
    "A only": "#56B4E9",  # sky blue
    "B only": "#F0E442",  # yellow
    "A∩B": "#009E73",  # bluish green (blue + yellow)
}
"""Colours of :func:`show_intersection_union` (A only, B only, both, neither)."""

RUN_COLORS = ("#0072B2", "#D55E00", "#000000", "#882255", "#999933", "#332288", "#888888", "#DDCC77")
"""Colours of models / training runs in :func:`plot_per_class_iou` and :func:`plot_history`.

None of them is a class colour (:data:`CLASS_COLORS`), so a bar of a run is never mistaken for a class.
"""

RUN_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")
"""Hatch patterns of the runs in :func:`plot_per_class_iou` (a second cue besides the colour)."""

_PANEL = 2.6  # inches per image panel


def _class_color(k: int) -> str:
    if k < len(CLASS_COLORS):
        return CLASS_COLORS[k]
    extra = EXTRA_CLASS_COLORS + RUN_COLORS[:5]
    return extra[(k - len(CLASS_COLORS)) % len(extra)]


def class_legend_handles(class_names=CLASS_NAMES, ignore: bool = False, colors=None) -> list:
    """Legend handles (coloured squares) naming each class; ``ignore=True`` adds one for void pixels.

    Examples
    --------
    >>> [h.get_label() for h in class_legend_handles(("background", "disc"))]
    ['background', 'disc']
    """
    names = _check_class_names(class_names)
    handles = [
        Patch(facecolor=(colors[k] if colors is not None else _class_color(k)), edgecolor="0.3", label=str(name))
        for k, name in enumerate(names)
    ]
    if ignore:
        handles.append(Patch(facecolor=IGNORE_COLOR, edgecolor="0.3", label="ignored (void)"))
    return handles


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def _check_class_names(class_names) -> tuple:
    if isinstance(class_names, str) or not isinstance(class_names, Sequence) or len(class_names) == 0:
        raise ValueError(
            f"class_names must be a non-empty sequence of names, got {class_names!r}; "
            "e.g. class_names=helpers.CLASS_NAMES."
        )
    return tuple(str(n) for n in class_names)


def _as_mask(mask, name: str = "mask") -> np.ndarray:
    """Integer (H, W) label map, or a ValueError saying how to get one."""
    try:
        m = np.asarray(mask)
    except Exception as exc:
        raise ValueError(f"{name} could not be read as an array ({exc}).") from None
    if m.ndim == 3 and m.shape[-1] == 1:
        m = m[..., 0]
    if m.ndim != 2:
        hint = ""
        if m.ndim == 3:
            hint = (
                " It looks like one-hot or probability masks (H, W, C): convert them with "
                "helpers.metrics.to_labels(mask). For a batch (N, H, W) pass one image: mask[i]."
            )
        raise ValueError(f"{name} must be a 2-D label map (H, W), got shape {m.shape}.{hint}")
    if m.size == 0:
        raise ValueError(f"{name} is empty (shape {m.shape}); pass at least one pixel.")
    if m.dtype == bool:
        return m.astype(np.int64)
    if np.issubdtype(m.dtype, np.integer):
        return m
    if np.issubdtype(m.dtype, np.floating):
        if np.isfinite(m).all() and np.all(m == np.round(m)):
            return m.astype(np.int64)
        raise ValueError(
            f"{name} has non-integer float values; pass integer class labels "
            "(helpers.metrics.to_labels(probabilities) for model outputs)."
        )
    raise ValueError(f"{name} has dtype {m.dtype}; expected integer class labels.")


def _check_labels(m: np.ndarray, name: str, num_classes: int, ignore_index) -> None:
    bad = (m < 0) | (m >= num_classes)
    if ignore_index is not None:
        bad &= m != ignore_index
    if bad.any():
        values = np.unique(m[bad])
        shown = ", ".join(str(v) for v in values[:5]) + (", ..." if values.size > 5 else "")
        raise ValueError(
            f"{name} has labels outside [0, {num_classes}): {shown}. Pass class_names with one name "
            f"per class (or colors), or set ignore_index to the label of void pixels "
            f"(now {ignore_index!r})."
        )


def _as_image(image, name: str = "image") -> np.ndarray:
    """Float RGB (H, W, 3) in [0, 1] for display."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    if not (img.ndim == 2 or (img.ndim == 3 and img.shape[-1] == 3)):
        raise ValueError(
            f"{name} must have shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {img.shape}; "
            "for a batch pass one image, e.g. images[i]."
        )
    if img.size == 0:
        raise ValueError(f"{name} is empty (shape {img.shape}).")
    if img.dtype == bool:
        img = img.astype(np.float64)
    elif np.issubdtype(img.dtype, np.integer):
        img = img.astype(np.float64) / 255.0
    elif np.issubdtype(img.dtype, np.floating):
        img = img.astype(np.float64)
        if not np.isfinite(img).all():
            raise ValueError(f"{name} contains NaN or inf; check the data pipeline.")
        lo, hi = img.min(), img.max()
        if lo < 0 or hi > 1:  # e.g. standardised inputs: min-max scale for display
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    else:
        raise ValueError(f"{name} has dtype {img.dtype}; expected numbers.")
    img = np.clip(img, 0.0, 1.0)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    return img


def _check_same_hw(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(
            f"{name_a} has height x width {a.shape[:2]} but {name_b} has {b.shape[:2]}; "
            f"pass the {name_b} that belongs to this {name_a} (same H and W; resize with "
            "nearest-neighbour interpolation for masks)."
        )


def _check_alpha(alpha) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}.") from None
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"alpha must be in [0, 1] (0 = image only, 1 = mask only), got {alpha}.")
    return a


# --------------------------------------------------------------------------------------------
# pure array functions
# --------------------------------------------------------------------------------------------
def colorize_mask(mask, ignore_index: int | None = IGNORE_INDEX, colors=None) -> np.ndarray:
    """RGB picture of a label map: each class its colour, ``ignore_index`` pixels :data:`IGNORE_COLOR`.

    Parameters
    ----------
    mask : array_like of int, shape (H, W) or (H, W, 1)
    ignore_index : int or None, default 255
    colors : sequence of colours, optional
        One colour per class; default :data:`CLASS_COLORS` (labels >= 5 get extra colours).

    Returns
    -------
    ndarray of float64, shape (H, W, 3), values in [0, 1]

    Examples
    --------
    >>> colorize_mask([[0, 255]])[0, 1].tolist()
    [1.0, 1.0, 1.0]
    """
    m = _as_mask(mask)
    if colors is not None:
        colors = list(colors)
        _check_labels(m, "mask", len(colors), ignore_index)
        n = len(colors)
    else:
        bad = m < 0
        if ignore_index is not None:
            bad &= m != ignore_index
        if bad.any():
            raise ValueError(f"mask has negative labels {np.unique(m[bad])[:5].tolist()}; labels are 0..C-1.")
        valid = m if ignore_index is None else m[m != ignore_index]
        n = int(valid.max()) + 1 if valid.size else 1
        n = max(n, len(CLASS_COLORS))
        colors = [_class_color(k) for k in range(n)]
    lut = np.array([to_rgb(c) for c in colors] + [to_rgb(IGNORE_COLOR)], dtype=np.float64)
    idx = m.astype(np.intp, copy=True)
    if ignore_index is not None:
        idx[m == ignore_index] = n
    return lut[idx]


def blend_mask(image, mask, alpha: float = 0.5, ignore_index: int | None = IGNORE_INDEX, colors=None) -> np.ndarray:
    """``(1 - alpha) * image + alpha * colorize_mask(mask)``: float RGB (H, W, 3) in [0, 1].

    ``alpha=0`` is the image, ``alpha=1`` the coloured mask.
    """
    a = _check_alpha(alpha)
    img = _as_image(image)
    m = _as_mask(mask)
    _check_same_hw(img, m, "image", "mask")
    return (1.0 - a) * img + a * colorize_mask(m, ignore_index=ignore_index, colors=colors)


def error_map(y_true, y_pred, ignore_index: int | None = IGNORE_INDEX, error_class: int | None = None) -> np.ndarray:
    """Classify each pixel of a prediction.

    ``error_class=None`` (any class): 0 = correct (``pred == true``), 1 = wrong, 2 = ignored
    (``true == ignore_index``).

    ``error_class=k`` (one class): 0 = true positive (true k, pred k), 1 = false positive (pred k,
    true not k), 2 = false negative (true k, pred not k), 3 = true negative, 4 = ignored.

    Returns
    -------
    ndarray of int8, shape (H, W) (any shape: works element-wise)
    """
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(
            f"y_true has shape {t.shape} but y_pred has shape {p.shape}; pass two label maps of the "
            "same shape (helpers.metrics.to_labels for probabilities)."
        )
    ignored = (t == ignore_index) if ignore_index is not None else np.zeros(t.shape, bool)
    if error_class is None:
        out = np.where(t == p, 0, 1).astype(np.int8)
        out[ignored] = 2
        return out
    k = int(error_class)
    tk, pk = t == k, p == k
    out = np.full(t.shape, 3, dtype=np.int8)
    out[tk & pk] = 0
    out[~tk & pk] = 1
    out[tk & ~pk] = 2
    out[ignored] = 4
    return out


def _error_labels(error_class, class_names) -> list[str]:
    if error_class is None:
        return ["correct", "wrong", "ignored"]
    return ["true positive", "false positive", "false negative", "true negative", "ignored"]


def colorize_errors(
    y_true, y_pred, ignore_index: int | None = IGNORE_INDEX, error_class: int | None = None
) -> np.ndarray:
    """RGB picture of :func:`error_map` with :data:`ERROR_COLORS`: float (H, W, 3)."""
    codes = error_map(y_true, y_pred, ignore_index=ignore_index, error_class=error_class)
    lut = np.array([to_rgb(ERROR_COLORS[n]) for n in _error_labels(error_class, None)])
    return lut[codes]


def _error_handles(error_class, class_names) -> list:
    labels = _error_labels(error_class, class_names)
    handles = []
    for lab in labels:
        if lab == "ignored":  # the class legend's "ignored (void)" (same white) names it
            continue
        shown = lab
        if error_class is not None and lab != "ignored":
            shown = f"{lab} ({class_names[error_class]})" if error_class < len(class_names) else lab
        handles.append(Patch(facecolor=ERROR_COLORS[lab], edgecolor="0.3", label=shown))
    return handles


def intersection_union_map(a, b) -> np.ndarray:
    """0 = neither, 1 = A only, 2 = B only, 3 = both (A∩B), for two boolean masks of one shape."""
    a = _as_bool(a, "a")
    b = _as_bool(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; pass two masks of the same shape.")
    return (a.astype(np.int8) + 2 * b.astype(np.int8)).astype(np.int8)


def colorize_intersection_union(a, b) -> np.ndarray:
    """RGB picture (H, W, 3) of :func:`intersection_union_map` in :data:`IU_COLORS`."""
    codes = intersection_union_map(a, b)
    lut = np.array([to_rgb(IU_COLORS[k]) for k in ("neither", "A only", "B only", "A∩B")])
    return lut[codes]


def _as_bool(x, name: str) -> np.ndarray:
    m = np.asarray(x)
    if m.dtype == bool:
        return m
    if (np.issubdtype(m.dtype, np.integer) or np.issubdtype(m.dtype, np.floating)) and np.all((m == 0) | (m == 1)):
        return m.astype(bool)
    raise ValueError(
        f"{name} must be a boolean mask (or 0/1), got dtype {m.dtype} with other values; "
        f"for one class of a label map pass e.g. {name} = (y_true == k)."
    )


# --------------------------------------------------------------------------------------------
# figures: masks
# --------------------------------------------------------------------------------------------
def _new_figure(width: float, height: float) -> Figure:
    return LabFigure(figsize=(width, height), layout="constrained")


def _image_axes(ax, title: str | None = None) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)


def overlay_mask(
    image,
    mask,
    alpha: float = 0.5,
    class_names=CLASS_NAMES,
    ignore_index: int | None = IGNORE_INDEX,
    ax=None,
    title: str | None = None,
    legend: bool = True,
) -> Figure:
    """Show ``mask`` over its ``image`` with transparency ``alpha`` (0 = image only, 1 = mask only).

    Parameters
    ----------
    image : array_like, shape (H, W[, 1|3|4])
    mask : array_like of int, shape (H, W)
    alpha : float in [0, 1], default 0.5
    class_names : sequence of str, default helpers.CLASS_NAMES
    ignore_index : int or None, default 255
    ax : matplotlib Axes, optional
        Draw into this axes (its figure is returned) instead of a new figure.
    title : str, optional
    legend : bool, default True
        Legend naming the classes present in the mask.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = _check_class_names(class_names)
    img = _as_image(image)
    m = _as_mask(mask)
    _check_same_hw(img, m, "image", "mask")
    _check_labels(m, "mask", len(names), ignore_index)
    colors = [_class_color(k) for k in range(len(names))]
    rgb = blend_mask(img, m, alpha=alpha, ignore_index=ignore_index, colors=colors)
    own = ax is None
    if own:
        fig = _new_figure(_PANEL + 1.4, _PANEL)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.imshow(rgb, interpolation="nearest")
    _image_axes(ax, title if title is not None else f"mask over image (alpha = {_check_alpha(alpha):g})")
    if legend:
        present = set(np.unique(m).tolist())
        handles = [h for k, h in enumerate(class_legend_handles(names)) if k in present]
        if ignore_index is not None and ignore_index in present:
            handles += class_legend_handles(names, ignore=True)[-1:]
        _side_legend(fig, ax, own, handles)
    return fig


def _side_legend(fig, ax, own: bool, handles) -> None:
    """Legend right of the picture: a figure legend on our own figure (constrained layout makes room
    for it; an axes legend would drift off an image axes shrunk to its aspect ratio), else an axes
    legend beside ``ax``."""
    if own:
        fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)


def _mask_panel(ax, img, m, alpha, colors, ignore_index, title):
    if img is None:
        rgb = colorize_mask(m, ignore_index=ignore_index, colors=colors)
    else:
        rgb = blend_mask(img, m, alpha=alpha, ignore_index=ignore_index, colors=colors)
    ax.imshow(rgb, interpolation="nearest")
    _image_axes(ax, title)


def _image_scores(t, p, num_classes, ignore_index):
    from .metrics import mean_iou, pixel_accuracy

    try:
        miou = mean_iou(t, p, num_classes=num_classes, ignore_index=ignore_index)
        acc = pixel_accuracy(t, p, ignore_index=ignore_index)
    except ValueError:  # e.g. all pixels ignored
        return float("nan"), float("nan")
    return miou, acc


def show_masks(
    image,
    y_true,
    y_pred=None,
    class_names=CLASS_NAMES,
    ignore_index: int | None = IGNORE_INDEX,
    alpha: float = 1.0,
    error_class: int | None = None,
    title: str | None = None,
) -> Figure:
    """Image, true mask, predicted mask and error map side by side, with a legend naming the classes.

    Panels: the image; the true mask and (if given) the predicted mask, by default in their class
    colours next to the image (``alpha=1``). With ``alpha < 1`` they are blended into the image, but
    then a class colour mixed with the photo's colour can look like another class's colour (blue over
    yellow reads as the triangle's green), so keep ``alpha=1`` to read classes. Last the **error map**:

    - ``error_class=None`` (default): each pixel is *correct* (predicted label = true label, light grey),
      *wrong* (any other label, vermillion) or *ignored* (true label = ``ignore_index``, white).
    - ``error_class=k``: the outcomes for class ``k`` only: *true positive* (blue), *false positive*
      (predicted k where the truth is another class, vermillion), *false negative* (true k predicted
      as another class, yellow), *true negative* (dark grey), *ignored* (white). These are the
      ``TP``, ``FP`` and ``FN`` of ``IoU_k = TP / (TP + FP + FN)``.

    The prediction panel's title gives this image's mean IoU and pixel accuracy.

    Parameters
    ----------
    image : array_like, shape (H, W[, 1|3|4]) or None
        ``None`` shows the masks alone.
    y_true, y_pred : array_like of int, shape (H, W)
    class_names : sequence of str, default helpers.CLASS_NAMES
    ignore_index : int or None, default 255
    alpha : float in [0, 1], default 1.0
        Opacity of the masks over the image (1.0: the masks alone, in their exact class colours).
    error_class : int, optional
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: image (if given), true mask, predicted mask and error map (if ``y_pred`` is given).
    """
    names = _check_class_names(class_names)
    c = len(names)
    alpha = _check_alpha(alpha)
    img = None if image is None else _as_image(image)
    t = _as_mask(y_true, "y_true")
    if img is not None:
        _check_same_hw(img, t, "image", "y_true")
    _check_labels(t, "y_true", c, ignore_index)
    p = None
    if y_pred is not None:
        p = _as_mask(y_pred, "y_pred")
        _check_same_hw(t, p, "y_true", "y_pred")
        _check_labels(p, "y_pred", c, ignore_index)
    if error_class is not None and not (0 <= int(error_class) < c):
        raise ValueError(f"error_class must be a class index in [0, {c}), got {error_class}.")
    colors = [_class_color(k) for k in range(c)]

    n_panels = (img is not None) + 1 + (2 if p is not None else 0)
    fig = _new_figure(_PANEL * n_panels, _PANEL + 0.9)
    axes = fig.subplots(1, n_panels, squeeze=False)[0]
    i = 0
    if img is not None:
        axes[i].imshow(img, interpolation="nearest")
        _image_axes(axes[i], "image")
        i += 1
    _mask_panel(axes[i], img, t, alpha, colors, ignore_index, "true mask")
    i += 1
    handles = class_legend_handles(names, ignore=ignore_index is not None and bool((t == ignore_index).any()))
    if p is not None:
        miou, acc = _image_scores(t, p, c, ignore_index)
        _mask_panel(axes[i], img, p, alpha, colors, ignore_index, f"prediction\nmIoU {miou:.3f}, acc. {acc:.3f}")
        i += 1
        codes = error_map(t, p, ignore_index=ignore_index, error_class=error_class)
        axes[i].imshow(colorize_errors(t, p, ignore_index, error_class), interpolation="nearest")
        if error_class is None:
            err_title = f"errors: {int((codes == 1).sum())} wrong px"
        else:
            err_title = f"errors for class '{names[error_class]}'"
        _image_axes(axes[i], err_title)
        handles += _error_handles(error_class, names)
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def gallery_indices(
    y_true, y_pred=None, n: int = 4, *, num_classes: int = len(CLASS_NAMES), ignore_index: int | None = IGNORE_INDEX
) -> list[int]:
    """Representative examples for :func:`show_gallery`: ``n`` images that contain an object.

    Images whose truth is background (label 0) only are skipped. Without ``y_pred``: the first ``n``
    images that hold the most distinct object classes (ties: the earlier image first). With ``y_pred``:
    images spread over the range of per-image mean IoU, at the quantiles ``(k + 0.5) / n``, so that
    a gallery shows poor, typical and good predictions (in that order), not only the first few images.

    Examples
    --------
    >>> t = np.zeros((4, 2, 2), int); t[1, 0, 0] = 1; t[2] = [[1, 2], [0, 0]]; t[3, 1, 1] = 3
    >>> gallery_indices(t, n=2)
    [2, 1]
    >>> gallery_indices(t, t, n=3)
    [1, 2, 3]
    """
    t = np.asarray(y_true)
    if t.ndim == 4 and t.shape[-1] == 1:
        t = t[..., 0]
    if t.ndim != 3:
        raise ValueError(f"y_true must be a batch of label maps (N, H, W), got shape {t.shape}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}.")
    objects = (t > 0) & (t < num_classes)
    if ignore_index is not None:
        objects &= t != ignore_index
    candidates = np.flatnonzero(objects.any(axis=(1, 2)))
    if candidates.size == 0:
        raise ValueError("every image in y_true is background only; there is no object to show.")
    if y_pred is None:
        kinds = np.array([np.unique(t[i][objects[i]]).size for i in candidates])
        order = candidates[np.argsort(-kinds, kind="stable")]
        return [int(i) for i in order[:n]]
    from .metrics import per_image_iou

    ious = per_image_iou(
        t[candidates], np.asarray(y_pred)[candidates], num_classes=num_classes, ignore_index=ignore_index
    )
    order = candidates[np.argsort(np.where(np.isnan(ious), np.inf, ious), kind="stable")]
    order = order[: int(np.sum(~np.isnan(ious)))] if np.any(~np.isnan(ious)) else order
    if order.size <= n:
        return [int(i) for i in order]
    picks = np.floor((np.arange(n) + 0.5) / n * order.size).astype(int)
    return [int(i) for i in order[picks]]


def show_gallery(
    images,
    y_true,
    y_pred=None,
    n: int = 4,
    indices=None,
    class_names=CLASS_NAMES,
    ignore_index: int | None = IGNORE_INDEX,
    alpha: float = 1.0,
    error_class: int | None = None,
    title: str | None = None,
) -> Figure:
    """Rows of examples: image | true mask | predicted mask | error map (see :func:`show_masks`).

    Parameters
    ----------
    images : array_like, shape (N, H, W[, C]) or None
    y_true, y_pred : array_like of int, shape (N, H, W) (or (N, H, W, 1)); ``y_pred`` optional
    n : int, default 4
        Number of rows: the first ``n`` examples (ignored when ``indices`` is given).
    indices : sequence of int, optional
        Which examples to show, e.g. the worst ones by mean IoU.
    alpha : float, default 1.0
        Masks over the image (1.0: masks alone, clearest on small images).

    Returns
    -------
    matplotlib.figure.Figure
        ``rows x columns`` axes; each row's prediction title holds that image's mean IoU.
    """
    names = _check_class_names(class_names)
    c = len(names)
    alpha = _check_alpha(alpha)
    t_all = np.asarray(y_true)
    if t_all.ndim == 4 and t_all.shape[-1] == 1:
        t_all = t_all[..., 0]
    if t_all.ndim != 3:
        raise ValueError(
            f"y_true must be a batch of label maps (N, H, W), got shape {t_all.shape}; "
            "for a single image use show_masks."
        )
    count = t_all.shape[0]
    p_all = None
    if y_pred is not None:
        p_all = np.asarray(y_pred)
        if p_all.ndim == 4 and p_all.shape[-1] == 1:
            p_all = p_all[..., 0]
        if p_all.shape != t_all.shape:
            hint = " (probabilities? use helpers.metrics.to_labels(y_pred))" if p_all.ndim == 4 else ""
            raise ValueError(f"y_true has shape {t_all.shape} but y_pred has shape {p_all.shape}{hint}.")
    imgs = None
    if images is not None:
        imgs = np.asarray(images)
        if imgs.ndim < 3 or imgs.shape[0] != count:
            raise ValueError(
                f"images has shape {imgs.shape} but y_true has {count} masks; pass one image per mask (N, H, W[, C])."
            )
    if indices is None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}.")
        indices = list(range(min(int(n), count)))
    else:
        indices = [int(i) for i in indices]
        if not indices or any(not -count <= i < count for i in indices):
            raise ValueError(f"indices must be a non-empty list of positions in [0, {count}), got {indices}.")
    colors = [_class_color(k) for k in range(c)]
    n_cols = (imgs is not None) + 1 + (2 if p_all is not None else 0)
    rows = len(indices)
    fig = _new_figure(2.0 * n_cols, 2.0 * rows + 0.8)
    axes = fig.subplots(rows, n_cols, squeeze=False)
    any_ignored = False
    for r, idx in enumerate(indices):
        t = _as_mask(t_all[idx], f"y_true[{idx}]")
        _check_labels(t, f"y_true[{idx}]", c, ignore_index)
        any_ignored |= ignore_index is not None and bool((t == ignore_index).any())
        img = None
        j = 0
        if imgs is not None:
            img = _as_image(imgs[idx], f"images[{idx}]")
            _check_same_hw(img, t, f"images[{idx}]", f"y_true[{idx}]")
            axes[r, j].imshow(img, interpolation="nearest")
            _image_axes(axes[r, j], f"#{idx}")
            j += 1
        _mask_panel(axes[r, j], img, t, alpha, colors, ignore_index, "true" if r == 0 else None)
        j += 1
        if p_all is not None:
            p = _as_mask(p_all[idx], f"y_pred[{idx}]")
            _check_labels(p, f"y_pred[{idx}]", c, ignore_index)
            miou, _ = _image_scores(t, p, c, ignore_index)
            _mask_panel(axes[r, j], img, p, alpha, colors, ignore_index, f"pred. mIoU {miou:.3f}")
            j += 1
            axes[r, j].imshow(colorize_errors(t, p, ignore_index, error_class), interpolation="nearest")
            _image_axes(axes[r, j], "errors" if r == 0 else None)
    handles = class_legend_handles(names, ignore=any_ignored)
    if p_all is not None:
        handles += _error_handles(error_class, names)
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def show_intersection_union(a, b, ax=None, labels=("A", "B"), title: str | None = None, legend: bool = True) -> Figure:
    """One picture of two masks: A∩B, A only and B only each in its colour, neither = dark grey.

    The title gives ``|A∩B|``, ``|A∪B|`` and ``IoU = |A∩B| / |A∪B|`` (pixel counts); ``title``
    is put on a line above it. IoU of two empty masks is undefined and written as such.

    Parameters
    ----------
    a, b : array_like of bool (or 0/1), same shape (H, W)
        E.g. ``a = y_true == k``, ``b = y_pred == k``.
    ax : matplotlib Axes, optional
        Draw into this axes (e.g. for small multiples); its figure is returned.
    labels : pair of str, default ("A", "B")
        Names used in the legend ("A only" becomes e.g. "truth only").

    Returns
    -------
    matplotlib.figure.Figure
    """
    am = _as_bool(a, "a")
    bm = _as_bool(b, "b")
    if am.ndim != 2 or bm.ndim != 2:
        raise ValueError(f"a and b must be 2-D masks (H, W), got shapes {am.shape} and {bm.shape}.")
    rgb = colorize_intersection_union(am, bm)
    inter = int(np.logical_and(am, bm).sum())
    union = int(np.logical_or(am, bm).sum())
    la, lb = (str(x) for x in labels)
    own = ax is None
    if own:
        fig = _new_figure(_PANEL + 1.8, _PANEL + 0.4)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.imshow(rgb, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    iou_txt = f"IoU = {inter / union:.3f}" if union else "IoU undefined (both empty)"
    stats = f"|{la}∩{lb}| = {inter}, |{la}∪{lb}| = {union}\n{iou_txt}"
    ax.set_title(f"{title}\n{stats}" if title else stats, fontsize=10)
    if legend:
        handles = [
            Patch(facecolor=IU_COLORS["A∩B"], edgecolor="0.3", label=f"{la}∩{lb} (intersection)"),
            Patch(facecolor=IU_COLORS["A only"], edgecolor="0.3", label=f"{la} only"),
            Patch(facecolor=IU_COLORS["B only"], edgecolor="0.3", label=f"{lb} only"),
        ]
        _side_legend(fig, ax, own, handles)
    return fig


# --------------------------------------------------------------------------------------------
# figures: numbers
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


def plot_confusion_matrix(cm, class_names=CLASS_NAMES, normalize="both", title: str | None = None) -> Figure:
    """Annotated confusion matrix (rows = true class, columns = predicted class).

    Parameters
    ----------
    cm : array_like, shape (C, C)
        Pixel counts, e.g. from :func:`helpers.metrics.confusion_matrix`.
    class_names : sequence of C str
    normalize : {"both", "true", None}, default "both"
        ``"both"``: two panels, counts and row-normalised (each row divided by the number of
        pixels of that true class: the diagonal is each class's recall); ``"true"``: the
        row-normalised panel only; ``None``: counts only. Rows of absent classes show "–".
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One or two axes (no colour bars: every cell is annotated).
    """
    names = _check_class_names(class_names)
    m = np.asarray(cm)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(
            f"cm must be a square (C, C) matrix, got shape {m.shape}; use helpers.metrics.confusion_matrix."
        )
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
    fig = _new_figure(side * len(panels), side + 0.3)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (vals, fmt, ttl, vmax) in zip(axes, panels):
        _draw_matrix(ax, vals, names, fmt, ttl, vmax)
    if title:
        fig.suptitle(title)
    return fig


def _as_iou_vector(v, name: str, c: int) -> np.ndarray:
    arr = np.asarray(v, dtype=np.float64) if not isinstance(v, np.ndarray) else v.astype(np.float64)
    if arr.ndim != 1 or arr.shape[0] != c:
        raise ValueError(f"{name} has shape {arr.shape} but class_names has {c} names; pass one IoU per class.")
    finite = arr[~np.isnan(arr)]
    if (finite < 0).any() or (finite > 1).any() or np.isinf(arr).any():
        raise ValueError(f"{name} has values outside [0, 1]; IoU lies in [0, 1] (NaN = class absent).")
    return arr


def plot_loss_push(
    labels, pred_labels, grads, *, focus_loss: str, focus_class: int, class_names=CLASS_NAMES, title: str | None = None
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
    class_names : sequence of str, default helpers.CLASS_NAMES
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        ``2 + len(grads) + 1`` image axes (plus colour bars).
    """
    names = _check_class_names(class_names)
    c = len(names)
    t = _as_mask(labels, "labels")
    p = _as_mask(pred_labels, "pred_labels")
    _check_same_hw(t, p, "labels", "pred_labels")
    _check_labels(t, "labels", c, None)
    _check_labels(p, "pred_labels", c, None)
    if not isinstance(grads, Mapping) or not grads:
        raise ValueError("grads must be a non-empty dict {loss name: gradient array (H, W, C)}.")
    g = {str(k): np.asarray(v, dtype=np.float64) for k, v in grads.items()}
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
    colors = [_class_color(j) for j in range(c)]
    axes[0].imshow(colorize_mask(t, colors=colors), interpolation="nearest")
    _image_axes(axes[0], "truth")
    miou, _ = _image_scores(t, p, c, None)
    axes[1].imshow(colorize_mask(p, colors=colors), interpolation="nearest")
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
    return fig


def plot_per_class_iou(
    ious,
    class_names=CLASS_NAMES,
    title: str | None = None,
    show_mean: bool = True,
    annotate: bool | None = None,
    *,
    ax=None,
) -> Figure:
    """Bar chart of IoU per class; several models side by side; the mean IoU as a line.

    Parameters
    ----------
    ious : array_like (C,) or dict {model name: array_like (C,)}
        IoU per class, NaN for a class absent from truth and prediction: it gets no bar and the
        word "absent" (it is *not* 0, and it is left out of the mean, as in
        :func:`helpers.metrics.mean_iou`).
    class_names : sequence of C str
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
    """
    names = _check_class_names(class_names)
    c = len(names)
    if isinstance(ious, Mapping):
        if not ious:
            raise ValueError("ious is an empty dict; pass {model name: per-class IoU array}.")
        runs = {str(k): _as_iou_vector(v, f"ious[{k!r}]", c) for k, v in ious.items()}
    else:
        runs = {"": _as_iou_vector(ious, "ious", c)}
    k = len(runs)
    if annotate is None:
        annotate = k <= 3
    if ax is None:
        fig = _new_figure(max(5.0, 0.9 * c * max(1, k) ** 0.5 + 2.0), 3.8)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    width = 0.8 / k
    x = np.arange(c)
    handles = []
    for r, (name, vals) in enumerate(runs.items()):
        pos = x - 0.4 + width * (r + 0.5)
        single = k == 1
        colors = [_class_color(j) for j in range(c)] if single else RUN_COLORS[r % len(RUN_COLORS)]
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
            ax.text(
                pos[j], 0.02, "absent", rotation=90, ha="center", va="bottom", fontsize=8, color="0.35", style="italic"
            )
        if annotate:
            for j in np.flatnonzero(present):
                ax.text(pos[j], heights[j] + 0.01, f"{heights[j]:.2f}", ha="center", va="bottom", fontsize=7)
        if not single:
            handles.append(Patch(facecolor=colors, edgecolor="white", hatch=hatch, label=name))
        if show_mean and present.any():
            mean = float(np.nanmean(vals))
            color = "black" if single else RUN_COLORS[r % len(RUN_COLORS)]
            ax.axhline(mean, color=color, linestyle="--", linewidth=1.2)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=color,
                    linestyle="--",
                    label=f"mean IoU{' (' + name + ')' if name else ''} = {mean:.3f}",
                )
            )
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
    return fig


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


def plot_history(
    histories,
    metrics=("loss", "mean_iou"),
    title: str | None = None,
    val: bool = True,
    *,
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
    starts = _run_starts(runs, start_epoch, continues)
    links = dict(continues or {})
    if isinstance(unit_metrics, str):
        if unit_metrics != "auto":
            raise ValueError(f"unit_metrics must be 'auto' or a sequence of metric names, got {unit_metrics!r}.")
        unit = {m for m in metrics if "iou" in m.lower()}
    else:
        unit = set(unit_metrics)
        missing = sorted(unit - set(metrics))
        if missing:
            raise ValueError(f"unit_metrics names {missing}, which are not in metrics={metrics}.")
    n = len(metrics)
    fig = _new_figure(max(4.2 * n, 5.0), 3.6)
    axes = fig.subplots(1, n, squeeze=False)[0]
    unit_axes = [ax for ax, m in zip(axes, metrics) if m in unit]
    for ax in unit_axes[1:]:
        ax.sharey(unit_axes[0])
    any_val = False
    for ax, m in zip(axes, metrics):
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
                    ax.plot(
                        [starts[parent] + len(p) - 1, x[0]], [p[-1], v[0]], color=color, linestyle=":", linewidth=1.0
                    )
                ax.plot(x, v, color=color, linestyle=style, marker="." if len(v) < 30 else None)
        ax.set_title(m, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel(m)
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        if m in unit:
            ax.set_ylim(0.0, 1.0)
    handles = []
    if len(runs) > 1 or next(iter(runs)):
        handles += [Line2D([], [], color=RUN_COLORS[r % len(RUN_COLORS)], label=name) for r, name in enumerate(runs)]
    handles.append(Line2D([], [], color="0.2", linestyle="-", label="train"))
    if any_val:
        handles.append(Line2D([], [], color="0.2", linestyle="--", label="validation"))
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def plot_iou_histogram(
    values, title: str | None = None, bins: int = 20, mark_below: float | None = None, *, ax=None
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
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"values must be one IoU per image (1-D), got shape {v.shape}.")
    v = v[~np.isnan(v)]
    if v.size == 0:
        raise ValueError("values holds no number (all NaN): nothing to plot.")
    if ax is None:
        fig = _new_figure(6.0, 3.4)
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
    return fig
