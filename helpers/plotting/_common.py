"""What every figure of :mod:`helpers.plotting` shares: the figure class, the colours, legends and input checks.

Package-private (imported by :mod:`helpers.plotting.masks` and :mod:`helpers.plotting.charts`; the public
names are re-exported by :mod:`helpers.plotting`). Label maps are checked by the one input policy of
:mod:`helpers._validation` (floats are refused, out-of-range labels listed); what only a figure needs
(2-D maps, images, ``alpha``, class names) is checked here.

Examples
--------
>>> [h.get_label() for h in class_legend_handles(("background", "disc"), ignore=True)]
['background', 'disc', 'ignored (void)']
>>> class_names_or_default(None, np.array([[0, 2], [255, 1]]), ignore_index=255)
('class 0', 'class 1', 'class 2')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers._validation import as_labels, check_range

__all__ = [
    "LabFigure",
    "figure_alt_text",
    "IGNORE_INDEX",
    "CLASS_COLORS",
    "EXTRA_CLASS_COLORS",
    "IGNORE_COLOR",
    "ERROR_COLORS",
    "IU_COLORS",
    "RUN_COLORS",
    "RUN_HATCHES",
    "PANEL",
    "class_color",
    "class_legend_handles",
    "check_class_names",
    "class_names_or_default",
    "as_mask",
    "as_bool_mask",
    "check_labels",
    "check_prediction",
    "as_image",
    "check_same_hw",
    "check_alpha",
    "new_figure",
    "image_axes",
    "side_legend",
]


# --------------------------------------------------------------------------------------------
# figure class
# --------------------------------------------------------------------------------------------
class LabFigure(Figure):
    """A plain :class:`matplotlib.figure.Figure` that Jupyter can show without pyplot, with alt text.

    IPython shows a bare ``Figure`` as an image only once the inline backend is active (after
    ``import matplotlib.pyplot``); otherwise it prints ``<Figure size ...>``. ``_repr_png_`` makes the
    figure display as a PNG everywhere (JupyterLab, Colab, nbviewer, nbval). When the inline backend
    is active its own formatter is used instead; either way the figure is shown once.

    **Alt text.** :meth:`describe` says what the figure shows, in words, for readers who cannot see it.
    Jupyter saves it with the PNG, in the output's metadata (``{"image/png": {"alt": "..."}}``, whichever
    formatter draws the PNG), and the course website uses it as the image's ``alt``. The figure functions
    of :mod:`helpers.plotting` write it from what they draw; set your own with ``fig.alt_text = "..."``.
    A figure function that draws into one axes describes that axes (:meth:`describe_axes`), so a figure of
    several such panels is described panel by panel.

    Examples
    --------
    >>> fig = LabFigure()
    >>> ax = fig.add_subplot()
    >>> _ = ax.set(title="Dice against IoU", xlabel="IoU", ylabel="Dice")
    >>> fig.describe()
    'Figure: Dice against IoU (x axis: IoU; y axis: Dice).'
    >>> fig.alt_text = "Dice rises with IoU, from 0 to 1."
    >>> fig._repr_mimebundle_()
    ({}, {'image/png': {'alt': 'Dice rises with IoU, from 0 to 1.'}})
    """

    alt_text: str | None = None
    """What the figure shows, in words (the image's alt text); None: :meth:`describe` builds one."""

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """No data, only the PNG's metadata: its alt text. IPython then draws the PNG with the inline
        backend's formatter or :meth:`_repr_png_`, and keeps this metadata with it."""
        return {}, {"image/png": {"alt": self.describe()}}

    def describe(self) -> str:
        """The figure in words: :attr:`alt_text` if set; else the descriptions of its axes
        (:meth:`describe_axes`); else its titles, axis labels and legend entries."""
        return figure_alt_text(self)

    @staticmethod
    def describe_axes(ax, text: str) -> None:
        """Record what ``ax`` shows (any matplotlib figure's axes); :meth:`describe` of the figure uses it."""
        setattr(ax, _AXES_ALT, " ".join(str(text).split()))


_AXES_ALT = "iou_lab_alt_text"


def _sentence(text: str) -> str:
    text = " ".join(str(text).split()).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _axes_words(ax) -> str:
    """Title, axis labels and legend entries of one axes, in words."""
    bits = []
    for name, label in (("x axis", ax.get_xlabel()), ("y axis", ax.get_ylabel())):
        if label.strip():
            bits.append(f"{name}: {' '.join(label.split())}")
    legend = ax.get_legend()
    if legend is not None:
        entries = [t.get_text() for t in legend.get_texts() if t.get_text().strip()]
        if entries:
            bits.append("legend: " + ", ".join(entries))
    title = " ".join(ax.get_title().split())
    return (title or "a panel") + (f" ({'; '.join(bits)})" if bits else "")


def figure_alt_text(fig) -> str:
    """Alt text of any matplotlib figure: its ``alt_text``, else its axes' descriptions, else its labels.

    Examples
    --------
    >>> fig = new_figure(4, 3)
    >>> ax1, ax2 = fig.subplots(1, 2)
    >>> LabFigure.describe_axes(ax1, "Histogram of 10 values")
    >>> LabFigure.describe_axes(ax2, "Bar chart of 2 values")
    >>> _ = fig.suptitle("Two views")
    >>> figure_alt_text(fig)
    'Two views. 2 panels: (1) Histogram of 10 values. (2) Bar chart of 2 values.'
    """
    own = getattr(fig, "alt_text", None)
    if isinstance(own, str) and own.strip():
        return " ".join(own.split())
    suptitle = fig._suptitle.get_text().strip() if getattr(fig, "_suptitle", None) is not None else ""
    suptitle = " ".join(suptitle.split())
    described = [getattr(ax, _AXES_ALT) for ax in fig.axes if getattr(ax, _AXES_ALT, None)]
    if len(described) == 1:
        return _sentence(f"{suptitle}: {described[0]}" if suptitle else described[0])
    if described:
        panels = " ".join(f"({i}) {_sentence(d)}" for i, d in enumerate(described, 1))
        return (_sentence(suptitle) + " " if suptitle else "") + f"{len(described)} panels: {panels}"
    plots = [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]
    words = [_axes_words(ax) for ax in plots]
    for legend in fig.legends:
        entries = [t.get_text() for t in legend.get_texts() if t.get_text().strip()]
        if entries:
            words.append("legend: " + ", ".join(entries))
    head = f"Figure: {suptitle}" if suptitle else "Figure"
    if not words:
        return head + "."
    if len(plots) <= 1:
        return _sentence(f"{head}{'. ' if suptitle else ': '}{'; '.join(words)}")
    return _sentence(f"{head}, {len(plots)} panels: " + "; ".join(words))


def new_figure(width: float, height: float) -> Figure:
    """A :class:`LabFigure` of ``width`` x ``height`` inches with constrained layout."""
    return LabFigure(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------------------------
# palette
# --------------------------------------------------------------------------------------------
IGNORE_INDEX = 255
"""Default label of "void" pixels, left out of every IoU count."""

CLASS_COLORS = ("#4D4D4D", "#E69F00", "#56B4E9", "#009E73", "#CC79A7")
"""One colour for each of the labels 0..4 (the course's shapes: background, disc, square, triangle, line)."""

EXTRA_CLASS_COLORS = ("#0072B2", "#D55E00", "#F0E442", "#000000", "#999999", "#882255", "#44AA99")
"""Colours used for labels beyond the first 5 (other datasets); they repeat after 12."""

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
"""Colours of :func:`helpers.plotting.show_intersection_union` (A only, B only, both, neither)."""

RUN_COLORS = ("#0072B2", "#D55E00", "#000000", "#882255", "#999933", "#332288", "#888888", "#DDCC77")
"""Colours of models / training runs in :func:`helpers.plotting.plot_per_class_iou` and ``plot_history``.

None of them is a class colour (:data:`CLASS_COLORS`), so a bar of a run is never mistaken for a class.
"""

RUN_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")
"""Hatch patterns of the runs in :func:`helpers.plotting.plot_per_class_iou` (a second cue besides the colour)."""

PANEL = 2.6
"""Inches per image panel."""


def class_color(k: int) -> str:
    """The colour of label ``k``: :data:`CLASS_COLORS`, then :data:`EXTRA_CLASS_COLORS` and 5 run colours."""
    if k < len(CLASS_COLORS):
        return CLASS_COLORS[k]
    extra = EXTRA_CLASS_COLORS + RUN_COLORS[:5]
    return extra[(k - len(CLASS_COLORS)) % len(extra)]


def class_legend_handles(class_names=None, *, ignore: bool = False, colors=None) -> list:
    """Legend handles (coloured squares) naming each class; ``ignore=True`` adds one for void pixels.

    ``class_names=None`` names the classes "class 0", "class 1", ... (one per colour of ``colors``, or
    the 5 first class colours).

    Examples
    --------
    >>> [h.get_label() for h in class_legend_handles(("background", "disc"))]
    ['background', 'disc']
    >>> [h.get_label() for h in class_legend_handles(colors=["k", "w"])]
    ['class 0', 'class 1']
    """
    if class_names is None:
        class_names = _default_names(len(colors) if colors is not None else len(CLASS_COLORS))
    names = check_class_names(class_names)
    handles = [
        Patch(facecolor=(colors[k] if colors is not None else class_color(k)), edgecolor="0.3", label=str(name))
        for k, name in enumerate(names)
    ]
    if ignore:
        handles.append(Patch(facecolor=IGNORE_COLOR, edgecolor="0.3", label="ignored (void)"))
    return handles


# --------------------------------------------------------------------------------------------
# class names
# --------------------------------------------------------------------------------------------
def _default_names(num_classes: int) -> tuple:
    return tuple(f"class {k}" for k in range(num_classes))


def check_class_names(class_names) -> tuple:
    """``class_names`` as a tuple of str, or a ValueError (a non-empty sequence of names is expected)."""
    if isinstance(class_names, str) or not isinstance(class_names, Sequence) or len(class_names) == 0:
        raise ValueError(
            f"class_names must be a non-empty sequence of names, got {class_names!r}; e.g. "
            "class_names=('background', 'cat', 'dog'), or None for 'class 0', 'class 1', ..."
        )
    return tuple(str(n) for n in class_names)


def class_names_or_default(class_names, *label_maps, ignore_index=None, num_classes: int | None = None) -> tuple:
    """The names of the classes to show: ``class_names`` checked, or "class 0", "class 1", ... when it is None.

    Without names the number of classes is ``num_classes`` if given, else one more than the largest
    label of the ``label_maps`` (``ignore_index`` and ``None`` maps left out), and at least 2.
    """
    if class_names is not None:
        return check_class_names(class_names)
    if num_classes is None:
        num_classes = 2
        for m in label_maps:
            if m is None:
                continue
            valid = m if ignore_index is None else m[m != ignore_index]
            if valid.size:
                num_classes = max(num_classes, int(valid.max()) + 1)
    return _default_names(num_classes)


# --------------------------------------------------------------------------------------------
# label maps: helpers._validation's policy, plus the 2-D shape a picture needs
# --------------------------------------------------------------------------------------------
def as_mask(mask, name: str = "mask") -> np.ndarray:
    """Integer (H, W) label map (a trailing channel of 1 is dropped), or a ValueError saying how to get one.

    The dtype policy is :func:`helpers._validation.as_labels`': bool is read as 0/1, floats are refused
    even when integer-valued (``.astype(int)``, or ``helpers.metrics.to_labels`` for probabilities).
    """
    try:
        m = np.asarray(mask)
    except Exception as exc:
        raise ValueError(f"{name} could not be read as an array ({exc}).") from None
    if m.ndim == 3 and m.shape[-1] == 1:
        m = m[..., 0]
    m = as_labels(m, name)
    if m.ndim != 2:
        hint = ""
        if m.ndim == 3:
            hint = (
                " It looks like one-hot or probability masks (H, W, C): convert them with "
                f"helpers.metrics.to_labels({name}). For a batch (N, H, W) pass one image: {name}[i]."
            )
        raise ValueError(f"{name} must be a 2-D label map (H, W), got shape {m.shape}.{hint}")
    return m


def check_labels(m: np.ndarray, name: str, num_classes: int, ignore_index, *, may_ignore: bool = True) -> None:
    """:func:`helpers._validation.check_range`, saying where a figure's number of classes comes from."""
    try:
        check_range(m, name, num_classes, ignore_index, may_ignore=may_ignore)
    except ValueError as exc:
        raise ValueError(
            f"{exc} (Here the number of classes is the number of class names or colours, {num_classes}: pass one "
            "name per class, or class_names=None to name every label.)"
        ) from None


def check_prediction(t: np.ndarray, p: np.ndarray, name: str, num_classes: int, ignore_index) -> None:
    """Labels of a prediction ``p`` of the truth ``t``: in range, ``ignore_index`` only where ``t`` has it."""
    if ignore_index is not None and np.any(p == ignore_index):
        check_labels(
            p[t != ignore_index], f"{name} (at pixels that are not ignored)", num_classes, None, may_ignore=False
        )
    else:
        check_labels(p, name, num_classes, None, may_ignore=False)


def as_bool_mask(x, name: str) -> np.ndarray:
    """A boolean mask: bool, or integer 0/1 (floats refused, as for every label map)."""
    m = np.asarray(x)
    if m.dtype == bool:
        return m
    m = as_labels(m, name)
    if not np.all((m == 0) | (m == 1)):
        raise ValueError(
            f"{name} must be a boolean mask (or 0/1), got dtype {m.dtype} with other values; "
            f"for one class of a label map pass e.g. {name} = (y_true == k)."
        )
    return m.astype(bool)


# --------------------------------------------------------------------------------------------
# what only a picture needs
# --------------------------------------------------------------------------------------------
def as_image(image, name: str = "image") -> np.ndarray:
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


def check_same_hw(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise if ``a`` and ``b`` differ in height x width."""
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(
            f"{name_a} has height x width {a.shape[:2]} but {name_b} has {b.shape[:2]}; "
            f"pass the {name_b} that belongs to this {name_a} (same H and W; resize with "
            "nearest-neighbour interpolation for masks)."
        )


def check_alpha(alpha) -> float:
    """``alpha`` as a float in [0, 1]."""
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}.") from None
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"alpha must be in [0, 1] (0 = image only, 1 = mask only), got {alpha}.")
    return a


def image_axes(ax, title: str | None = None) -> None:
    """No ticks on a picture's axes; an optional title."""
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)


def side_legend(fig, ax, own: bool, handles) -> None:
    """Legend right of the picture: a figure legend on our own figure (constrained layout makes room
    for it; an axes legend would drift off an image axes shrunk to its aspect ratio), else an axes
    legend beside ``ax``."""
    if own:
        fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
