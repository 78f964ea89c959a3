"""Figures for IoU Lab: masks, errors, intersection/union, confusion matrices, per-class IoU, training curves.

Every function **returns a** :class:`matplotlib.figure.Figure` and touches no global state: figures are
built with ``Figure(...)`` (a :class:`LabFigure`), not ``pyplot``, so nothing is left open in pyplot's
list of figures, and the functions work without a display (Agg). A notebook shows the figure exactly
once when the call is last in a cell (or with ``display(fig)``), even if ``pyplot`` was never imported:
:class:`LabFigure` has a ``_repr_png_``. Save with ``fig.savefig("name.png")``.

The figures draw what they are given and compute nothing else: which images to show is
:func:`helpers.report.gallery_indices`' job, every IoU comes from :mod:`helpers.metrics`.

- :mod:`helpers.plotting.masks`: label maps: :func:`colorize_mask`, :func:`blend_mask`, :func:`overlay_mask`,
  :func:`error_map`, :func:`colorize_errors`, :func:`show_masks`, :func:`show_gallery`, and two boolean
  masks: :func:`intersection_union_map`, :func:`colorize_intersection_union`, :func:`show_intersection_union`;
- :mod:`helpers.plotting.charts`: numbers: :func:`plot_confusion_matrix`, :func:`plot_per_class_iou`,
  :func:`plot_history`, :func:`plot_iou_histogram`;
- :class:`LabFigure`, the colours and :func:`class_legend_handles` (from ``helpers.plotting._common``).

Data arguments are positional, options keyword-only (``plot_confusion_matrix(cm, class_names=...)``).
``class_names=None`` names the classes "class 0", "class 1", ...; pass your dataset's names (the course
passes ``helpers.course.data.CLASS_NAMES``).

Colours are colour-blind safe (the Okabe-Ito palette) and fixed, so a label has the same colour in
every figure (the names are the course's shapes dataset):

========== =========================== ==========================================
label      name in the course          colour
========== =========================== ==========================================
0          background                  dark grey ``#4D4D4D``
1          disc                        orange ``#E69F00``
2          square                      sky blue ``#56B4E9``
3          triangle                    bluish green ``#009E73``
4          line                        reddish purple ``#CC79A7``
255        ignore ("void")             white ``#FFFFFF``
========== =========================== ==========================================

Masks are integer (or bool) label maps ``(H, W)`` (a trailing channel of size 1 is accepted); floats
are refused, even integer-valued ones, as everywhere in ``helpers`` (``mask.astype(int)``, or
``helpers.metrics.to_labels`` for probabilities). Images are ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)``
or ``(H, W, 4)``; integer images are read as 0..255, float images in [0, 1] as they are, other float
images are min-max scaled for display.

Inputs are validated at the boundary: a ``ValueError`` names the problem and the fix.

Examples
--------
>>> import numpy as np
>>> fig = show_masks(None, np.array([[0, 1], [1, 2]]), np.array([[0, 1], [2, 2]]))
>>> [t.get_text() for t in fig.legends[0].get_texts()]
['class 0', 'class 1', 'class 2', 'correct', 'wrong']
>>> isinstance(fig, LabFigure)
True
"""

from __future__ import annotations

from helpers._deprecated import warn_moved
from helpers.plotting._common import (
    CLASS_COLORS,
    ERROR_COLORS,
    EXTRA_CLASS_COLORS,
    IGNORE_COLOR,
    IGNORE_INDEX,
    IU_COLORS,
    RUN_COLORS,
    RUN_HATCHES,
    LabFigure,
    class_legend_handles,
)
from helpers.plotting.charts import plot_confusion_matrix, plot_history, plot_iou_histogram, plot_per_class_iou
from helpers.plotting.masks import (
    blend_mask,
    colorize_errors,
    colorize_intersection_union,
    colorize_mask,
    error_map,
    intersection_union_map,
    overlay_mask,
    show_gallery,
    show_intersection_union,
    show_masks,
)

__all__ = [
    "LabFigure",
    "CLASS_COLORS",
    "EXTRA_CLASS_COLORS",
    "IGNORE_COLOR",
    "IGNORE_INDEX",
    "ERROR_COLORS",
    "IU_COLORS",
    "RUN_COLORS",
    "RUN_HATCHES",
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
    "show_intersection_union",
    "plot_confusion_matrix",
    "plot_per_class_iou",
    "plot_history",
    "plot_iou_histogram",
]

_MOVED = {
    "gallery_indices": "helpers.report",
    "plot_loss_push": "helpers.course.figures",
    "plot_seed_study": "helpers.course.figures",
}
"""Names that left ``helpers.plotting`` in IoU Lab 0.2.0 -> the module they live in now."""


def __getattr__(name):
    """``helpers.plotting.NAME`` of a name that moved (``_MOVED``): warns, then returns the object."""
    if name in _MOVED:
        import importlib

        new = _MOVED[name]
        warn_moved(f"helpers.plotting.{name}", f"{new}.{name}")
        # The one deliberate library -> course reference (helpers.course.figures), imported dynamically:
        # a deprecated alias for the learners' old notebooks, removed in the next release.
        return getattr(importlib.import_module(new), name)
    raise AttributeError(f"module 'helpers.plotting' has no attribute {name!r}")
