"""Pictures of label maps: class colours, blends over the image, error maps, intersection/union, galleries.

The pure array functions (:func:`colorize_mask`, :func:`blend_mask`, :func:`error_map`,
:func:`colorize_errors`, :func:`intersection_union_map`, :func:`colorize_intersection_union`) return
RGB arrays; the figure functions (:func:`overlay_mask`, :func:`show_masks`, :func:`show_gallery`,
:func:`show_intersection_union`) return a :class:`~helpers.plotting.LabFigure`. They compute nothing but
the picture: which images a gallery shows is the caller's choice (e.g.
:func:`helpers.report.gallery_indices`), and the mean IoU in a title comes from :mod:`helpers.metrics`.

Examples
--------
>>> colorize_mask([[0, 255]])[0, 1].tolist()
[1.0, 1.0, 1.0]
>>> error_map([0, 1, 255], [0, 2, 1]).tolist()  # correct, wrong, ignored
[0, 1, 2]
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers._validation import as_labels, check_ignore_index, check_int, check_range, check_same_shape
from helpers.metrics import iou_from_counts, mean_iou, pixel_accuracy
from helpers.plotting._common import (
    CLASS_COLORS,
    ERROR_COLORS,
    IGNORE_COLOR,
    IGNORE_INDEX,
    IU_COLORS,
    PANEL,
    LabFigure,
    as_bool_mask,
    as_image,
    as_mask,
    check_alpha,
    check_labels,
    check_prediction,
    check_same_hw,
    class_color,
    class_legend_handles,
    class_names_or_default,
    image_axes,
    new_figure,
    side_legend,
)

__all__ = [
    "colorize_mask",
    "blend_mask",
    "error_map",
    "colorize_errors",
    "intersection_union_map",
    "colorize_intersection_union",
    "overlay_mask",
    "show_masks",
    "show_gallery",
    "show_intersection_union",
]


# --------------------------------------------------------------------------------------------
# pure array functions
# --------------------------------------------------------------------------------------------
def colorize_mask(mask, *, ignore_index: int | None = IGNORE_INDEX, colors=None) -> np.ndarray:
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
    >>> colorize_mask([[0, 1]], colors=["black", "white"]).tolist()
    [[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]]
    """
    m = as_mask(mask)
    ignore_index = check_ignore_index(ignore_index, None)
    if colors is not None:
        colors = list(colors)
        n = len(colors)
        check_ignore_index(ignore_index, n)
        check_labels(m, "mask", n, ignore_index)
    else:
        valid = m if ignore_index is None else m[m != ignore_index]
        n = max(int(valid.max()) + 1 if valid.size else 1, len(CLASS_COLORS))
        check_range(m, "mask", n, ignore_index)  # negative labels
        colors = [class_color(k) for k in range(n)]
    lut = np.array([to_rgb(c) for c in colors] + [to_rgb(IGNORE_COLOR)], dtype=np.float64)
    idx = m.astype(np.intp, copy=True)
    if ignore_index is not None:
        idx[m == ignore_index] = n
    return lut[idx]


def blend_mask(image, mask, *, alpha: float = 0.5, ignore_index: int | None = IGNORE_INDEX, colors=None) -> np.ndarray:
    """``(1 - alpha) * image + alpha * colorize_mask(mask)``: float RGB (H, W, 3) in [0, 1].

    ``alpha=0`` is the image, ``alpha=1`` the coloured mask.

    Examples
    --------
    >>> blend_mask(np.ones((1, 1, 3)), [[0]], alpha=0.0).tolist()
    [[[1.0, 1.0, 1.0]]]
    """
    a = check_alpha(alpha)
    img = as_image(image)
    m = as_mask(mask)
    check_same_hw(img, m, "image", "mask")
    return (1.0 - a) * img + a * colorize_mask(m, ignore_index=ignore_index, colors=colors)


def error_map(y_true, y_pred, *, ignore_index: int | None = IGNORE_INDEX, error_class: int | None = None) -> np.ndarray:
    """Classify each pixel of a prediction.

    ``error_class=None`` (any class): 0 = correct (``pred == true``), 1 = wrong, 2 = ignored
    (``true == ignore_index``).

    ``error_class=k`` (one class): 0 = true positive (true k, pred k), 1 = false positive (pred k,
    true not k), 2 = false negative (true k, pred not k), 3 = true negative, 4 = ignored.

    Returns
    -------
    ndarray of int8, shape (H, W) (any shape: works element-wise)

    Examples
    --------
    >>> error_map([0, 1, 1, 255], [0, 1, 2, 1], error_class=1).tolist()
    [3, 0, 2, 4]
    """
    t = as_labels(y_true, "y_true")
    p = as_labels(y_pred, "y_pred")
    check_same_shape(t, p)
    ignore_index = check_ignore_index(ignore_index, None)
    ignored = (t == ignore_index) if ignore_index is not None else np.zeros(t.shape, bool)
    if error_class is None:
        out = np.where(t == p, 0, 1).astype(np.int8)
        out[ignored] = 2
        return out
    k = check_int(error_class, "error_class", lo=0)
    tk, pk = t == k, p == k
    out = np.full(t.shape, 3, dtype=np.int8)
    out[tk & pk] = 0
    out[~tk & pk] = 1
    out[tk & ~pk] = 2
    out[ignored] = 4
    return out


def _error_labels(error_class) -> list[str]:
    if error_class is None:
        return ["correct", "wrong", "ignored"]
    return ["true positive", "false positive", "false negative", "true negative", "ignored"]


def colorize_errors(
    y_true, y_pred, *, ignore_index: int | None = IGNORE_INDEX, error_class: int | None = None
) -> np.ndarray:
    """RGB picture of :func:`error_map` with :data:`ERROR_COLORS`: float (H, W, 3)."""
    codes = error_map(y_true, y_pred, ignore_index=ignore_index, error_class=error_class)
    lut = np.array([to_rgb(ERROR_COLORS[n]) for n in _error_labels(error_class)])
    return lut[codes]


def _error_handles(error_class, class_names) -> list:
    handles = []
    for lab in _error_labels(error_class):
        if lab == "ignored":  # the class legend's "ignored (void)" (same white) names it
            continue
        shown = lab
        if error_class is not None:
            shown = f"{lab} ({class_names[error_class]})" if error_class < len(class_names) else lab
        handles.append(Patch(facecolor=ERROR_COLORS[lab], edgecolor="0.3", label=shown))
    return handles


def intersection_union_map(a, b) -> np.ndarray:
    """0 = neither, 1 = A only, 2 = B only, 3 = both (A∩B), for two boolean masks of one shape.

    Examples
    --------
    >>> intersection_union_map([[True, True, False, False]], [[False, True, True, False]]).tolist()
    [[1, 3, 2, 0]]
    """
    a = as_bool_mask(a, "a")
    b = as_bool_mask(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; pass two masks of the same shape.")
    return (a.astype(np.int8) + 2 * b.astype(np.int8)).astype(np.int8)


def colorize_intersection_union(a, b) -> np.ndarray:
    """RGB picture (H, W, 3) of :func:`intersection_union_map` in :data:`IU_COLORS`."""
    codes = intersection_union_map(a, b)
    lut = np.array([to_rgb(IU_COLORS[k]) for k in ("neither", "A only", "B only", "A∩B")])
    return lut[codes]


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------
def _classes(class_names, ignore_index, *label_maps) -> tuple:
    """The class names to show (given, or "class k" for every label) and the checked ``ignore_index``."""
    ignore_index = check_ignore_index(ignore_index, None)
    names = class_names_or_default(class_names, *label_maps, ignore_index=ignore_index)
    check_ignore_index(ignore_index, len(names))
    return names, ignore_index


def _present(names, *label_maps, ignore_index=None) -> str:
    """The classes found in ``label_maps``, in words (for alt text): "background, circle; void pixels"."""
    found = sorted(set().union(*(np.unique(m).tolist() for m in label_maps)))
    words = [names[k] for k in found if 0 <= k < len(names)]
    text = ", ".join(words) if words else "no class"
    return text + ("; some pixels void (ignored)" if ignore_index is not None and ignore_index in found else "")


def overlay_mask(
    image,
    mask,
    *,
    alpha: float = 0.5,
    class_names=None,
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
    class_names : sequence of str, optional
        One name per class; default "class 0", "class 1", ... up to the largest label.
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
    a = check_alpha(alpha)
    img = as_image(image)
    m = as_mask(mask)
    check_same_hw(img, m, "image", "mask")
    names, ignore_index = _classes(class_names, ignore_index, m)
    check_labels(m, "mask", len(names), ignore_index)
    colors = [class_color(k) for k in range(len(names))]
    rgb = blend_mask(img, m, alpha=a, ignore_index=ignore_index, colors=colors)
    own = ax is None
    if own:
        fig = new_figure(PANEL + 1.4, PANEL)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.imshow(rgb, interpolation="nearest")
    image_axes(ax, title if title is not None else f"mask over image (alpha = {a:g})")
    LabFigure.describe_axes(
        ax,
        f"{title + ': ' if title else ''}a {m.shape[1]} x {m.shape[0]} pixel image with its mask laid over it in "
        f"class colours (opacity {a:g}); classes present: {_present(names, m, ignore_index=ignore_index)}.",
    )
    if legend:
        present = set(np.unique(m).tolist())
        handles = [h for k, h in enumerate(class_legend_handles(names)) if k in present]
        if ignore_index is not None and ignore_index in present:
            handles += class_legend_handles(names, ignore=True)[-1:]
        side_legend(fig, ax, own, handles)
    return fig


def _mask_panel(ax, img, m, alpha, colors, ignore_index, title):
    if img is None:
        rgb = colorize_mask(m, ignore_index=ignore_index, colors=colors)
    else:
        rgb = blend_mask(img, m, alpha=alpha, ignore_index=ignore_index, colors=colors)
    ax.imshow(rgb, interpolation="nearest")
    image_axes(ax, title)


def _image_scores(t, p, num_classes, ignore_index):
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
    *,
    class_names=None,
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
    class_names : sequence of str, optional
        One name per class; default "class 0", "class 1", ... up to the largest label of the masks.
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

    Examples
    --------
    >>> fig = show_masks(None, np.array([[0, 1], [1, 2]]), np.array([[0, 1], [2, 2]]), class_names=["bg", "a", "b"])
    >>> [ax.get_title() for ax in fig.axes]
    ['true mask', 'prediction\\nmIoU 0.667, acc. 0.750', 'errors: 1 wrong px']
    """
    alpha = check_alpha(alpha)
    img = None if image is None else as_image(image)
    t = as_mask(y_true, "y_true")
    if img is not None:
        check_same_hw(img, t, "image", "y_true")
    p = None
    if y_pred is not None:
        p = as_mask(y_pred, "y_pred")
        check_same_hw(t, p, "y_true", "y_pred")
    names, ignore_index = _classes(class_names, ignore_index, t, p)
    c = len(names)
    check_labels(t, "y_true", c, ignore_index)
    if p is not None:
        check_prediction(t, p, "y_pred", c, ignore_index)
    if error_class is not None and not (0 <= int(error_class) < c):
        raise ValueError(f"error_class must be a class index in [0, {c}), got {error_class}.")
    colors = [class_color(k) for k in range(c)]

    n_panels = (img is not None) + 1 + (2 if p is not None else 0)
    fig = new_figure(PANEL * n_panels, PANEL + 0.9)
    axes = fig.subplots(1, n_panels, squeeze=False)[0]
    i = 0
    if img is not None:
        axes[i].imshow(img, interpolation="nearest")
        image_axes(axes[i], "image")
        i += 1
    _mask_panel(axes[i], img, t, alpha, colors, ignore_index, "true mask")
    i += 1
    handles = class_legend_handles(names, ignore=ignore_index is not None and bool((t == ignore_index).any()))
    if p is not None:
        miou, acc = _image_scores(t, p, c, ignore_index)
        _mask_panel(axes[i], img, p, alpha, colors, ignore_index, f"prediction\nmIoU {miou:.3f}, acc. {acc:.3f}")
        i += 1
        codes = error_map(t, p, ignore_index=ignore_index, error_class=error_class)
        axes[i].imshow(
            colorize_errors(t, p, ignore_index=ignore_index, error_class=error_class), interpolation="nearest"
        )
        if error_class is None:
            err_title = f"errors: {int((codes == 1).sum())} wrong px"
        else:
            err_title = f"errors for class '{names[error_class]}'"
        image_axes(axes[i], err_title)
        handles += _error_handles(error_class, names)
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    fig.alt_text = _masks_alt(title, img, t, p, names, ignore_index, error_class, codes if p is not None else None)
    return fig


def _masks_alt(title, img, t, p, names, ignore_index, error_class, codes) -> str:
    """Alt text of :func:`show_masks`: its panels and numbers in words."""
    c = len(names)
    panels = ["the image"] if img is not None else []
    panels.append(f"the true mask (classes: {_present(names, t, ignore_index=ignore_index)})")
    if p is not None:
        miou, acc = _image_scores(t, p, c, ignore_index)
        panels.append(
            f"the predicted mask (classes: {_present(names, p)}; mean IoU {miou:.3f}, pixel accuracy {acc:.3f})"
        )
        wrong = int((codes == 1).sum())
        what = "all classes" if error_class is None else f"class '{names[error_class]}'"
        panels.append(f"an error map for {what} ({wrong} wrong pixel{'s' if wrong != 1 else ''} of {t.size})")
    head = f"{title.rstrip('.')}. " if title else ""
    return f"{head}{len(panels)} panel{'s' if len(panels) > 1 else ''}, side by side: " + "; ".join(panels) + "."


def _gallery_batches(images, y_true, y_pred):
    """The three batches of :func:`show_gallery` as arrays ((N, H, W) label maps), shapes checked."""
    t_all = np.asarray(y_true)
    if t_all.ndim == 4 and t_all.shape[-1] == 1:
        t_all = t_all[..., 0]
    if t_all.ndim != 3:
        raise ValueError(
            f"y_true must be a batch of label maps (N, H, W), got shape {t_all.shape}; "
            "for a single image use show_masks."
        )
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
        if imgs.ndim < 3 or imgs.shape[0] != t_all.shape[0]:
            raise ValueError(
                f"images has shape {imgs.shape} but y_true has {t_all.shape[0]} masks; pass one image per mask "
                "(N, H, W[, C])."
            )
    return imgs, t_all, p_all


def _gallery_rows(n, indices, count: int) -> list[int]:
    if indices is None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}.")
        return list(range(min(int(n), count)))
    indices = [int(i) for i in indices]
    if not indices or any(not -count <= i < count for i in indices):
        raise ValueError(f"indices must be a non-empty list of positions in [0, {count}), got {indices}.")
    return indices


def show_gallery(
    images,
    y_true,
    y_pred=None,
    *,
    n: int = 4,
    indices=None,
    class_names=None,
    ignore_index: int | None = IGNORE_INDEX,
    alpha: float = 1.0,
    error_class: int | None = None,
    title: str | None = None,
) -> Figure:
    """Rows of examples: image | true mask | predicted mask | error map (see :func:`show_masks`).

    Which examples is the caller's choice: ``indices`` (e.g. from :func:`helpers.report.gallery_indices`,
    or the worst ones by IoU), else the first ``n``.

    Parameters
    ----------
    images : array_like, shape (N, H, W[, C]) or None
    y_true, y_pred : array_like of int, shape (N, H, W) (or (N, H, W, 1)); ``y_pred`` optional
    n : int, default 4
        Number of rows: the first ``n`` examples (ignored when ``indices`` is given).
    indices : sequence of int, optional
        Which examples to show, e.g. the worst ones by mean IoU.
    class_names : sequence of str, optional
        One name per class; default "class 0", "class 1", ... up to the largest label shown.
    alpha : float, default 1.0
        Masks over the image (1.0: masks alone, clearest on small images).

    Returns
    -------
    matplotlib.figure.Figure
        ``rows x columns`` axes; each row's prediction title holds that image's mean IoU.

    Examples
    --------
    >>> t = np.zeros((3, 4, 4), int); t[:, 1:3, 1:3] = 1
    >>> fig = show_gallery(None, t, t, indices=[2, 0])
    >>> len(fig.axes), fig.axes[1].get_title()
    (6, 'pred. mIoU 1.000')
    """
    alpha = check_alpha(alpha)
    imgs, t_all, p_all = _gallery_batches(images, y_true, y_pred)
    rows = _gallery_rows(n, indices, t_all.shape[0])
    truths = {i: as_mask(t_all[i], f"y_true[{i}]") for i in rows}
    preds = {i: as_mask(p_all[i], f"y_pred[{i}]") for i in rows} if p_all is not None else {}
    names, ignore_index = _classes(class_names, ignore_index, *truths.values(), *preds.values())
    c = len(names)
    colors = [class_color(k) for k in range(c)]
    n_cols = (imgs is not None) + 1 + (2 if p_all is not None else 0)
    fig = new_figure(2.0 * n_cols, 2.0 * len(rows) + 0.8)
    axes = fig.subplots(len(rows), n_cols, squeeze=False)
    any_ignored = False
    for r, idx in enumerate(rows):
        t = truths[idx]
        check_labels(t, f"y_true[{idx}]", c, ignore_index)
        any_ignored |= ignore_index is not None and bool((t == ignore_index).any())
        img = None
        j = 0
        if imgs is not None:
            img = as_image(imgs[idx], f"images[{idx}]")
            check_same_hw(img, t, f"images[{idx}]", f"y_true[{idx}]")
            axes[r, j].imshow(img, interpolation="nearest")
            image_axes(axes[r, j], f"#{idx}")
            j += 1
        _mask_panel(axes[r, j], img, t, alpha, colors, ignore_index, "true" if r == 0 else None)
        j += 1
        if p_all is not None:
            p = preds[idx]
            check_prediction(t, p, f"y_pred[{idx}]", c, ignore_index)
            miou, _ = _image_scores(t, p, c, ignore_index)
            _mask_panel(axes[r, j], img, p, alpha, colors, ignore_index, f"pred. mIoU {miou:.3f}")
            j += 1
            errors = colorize_errors(t, p, ignore_index=ignore_index, error_class=error_class)
            axes[r, j].imshow(errors, interpolation="nearest")
            image_axes(axes[r, j], "errors" if r == 0 else None)
    handles = class_legend_handles(names, ignore=any_ignored)
    if p_all is not None:
        handles += _error_handles(error_class, names)
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    columns = (["image"] if imgs is not None else []) + ["true mask"]
    if p_all is not None:
        columns += ["predicted mask", "error map"]
        scores = [f"#{i}: {_image_scores(truths[i], preds[i], c, ignore_index)[0]:.3f}" for i in rows]
        per_row = "; mean IoU of each image: " + ", ".join(scores)
    else:
        per_row = ": images " + ", ".join(f"#{i}" for i in rows)
    fig.alt_text = (
        f"{title.rstrip('.') + '. ' if title else ''}A grid of {len(rows)} row{'s' if len(rows) > 1 else ''}, one "
        f"per image, with the columns {', '.join(columns)}{per_row}. Classes shown: "
        f"{_present(names, *truths.values(), *preds.values(), ignore_index=ignore_index)}."
    )
    return fig


def show_intersection_union(
    a, b, *, ax=None, labels=("A", "B"), title: str | None = None, legend: bool = True
) -> Figure:
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

    Examples
    --------
    >>> a = np.zeros((4, 4), bool); a[:2] = True
    >>> print(show_intersection_union(a, a.T).axes[0].get_title())
    |A∩B| = 4, |A∪B| = 12
    IoU = 0.333
    """
    am = as_bool_mask(a, "a")
    bm = as_bool_mask(b, "b")
    if am.ndim != 2 or bm.ndim != 2:
        raise ValueError(f"a and b must be 2-D masks (H, W), got shapes {am.shape} and {bm.shape}.")
    rgb = colorize_intersection_union(am, bm)
    inter = int(np.logical_and(am, bm).sum())
    union = int(np.logical_or(am, bm).sum())
    la, lb = (str(x) for x in labels)
    own = ax is None
    if own:
        fig = new_figure(PANEL + 1.8, PANEL + 0.4)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.imshow(rgb, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    iou = float(iou_from_counts(inter, int(am.sum()), int(bm.sum())))  # NaN when both are empty
    iou_txt = "IoU undefined (both empty)" if np.isnan(iou) else f"IoU = {iou:.3f}"
    stats = f"|{la}∩{lb}| = {inter}, |{la}∪{lb}| = {union}\n{iou_txt}"
    ax.set_title(f"{title}\n{stats}" if title else stats, fontsize=10)
    LabFigure.describe_axes(
        ax,
        f"{title + ': ' if title else ''}two masks drawn over each other: the pixels in both ({la}∩{lb}, "
        f"the intersection) number {inter}, the pixels in either ({la}∪{lb}, the union) {union}; {iou_txt}. "
        f"Colours: intersection, {la} only, {lb} only, neither.",
    )
    if legend:
        handles = [
            Patch(facecolor=IU_COLORS["A∩B"], edgecolor="0.3", label=f"{la}∩{lb} (intersection)"),
            Patch(facecolor=IU_COLORS["A only"], edgecolor="0.3", label=f"{la} only"),
            Patch(facecolor=IU_COLORS["B only"], edgecolor="0.3", label=f"{lb} only"),
        ]
        side_legend(fig, ax, own, handles)
    return fig
