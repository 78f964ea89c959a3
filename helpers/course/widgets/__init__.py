"""Interactive explorers for IoU Lab (ipywidgets 7.7 on Colab and 8.x on JupyterLab): display only.

Four explorers, one per file, each with a static fallback figure for readers on GitHub or nbviewer
(where widgets do not run). The numbers they show come from :mod:`helpers.course.scenarios` (the toy
masks and their statistics) and :mod:`helpers.metrics`; nothing here computes a metric.

============================== ==================================== ================================ ========
explorer                       static fallback                      the lesson                       file
============================== ==================================== ================================ ========
:func:`iou_explorer`           :func:`iou_explorer_static`          IoU and Dice of two shapes as    iou.py
                                                                    B moves/resizes
:func:`imbalance_explorer`     :func:`imbalance_explorer_static`    pixel accuracy stays high while  imbalance.py
                                                                    mean IoU falls
:func:`convention_explorer`    :func:`convention_explorer_static`   absent classes: excluded, 0 or   convention.py
                                                                    1; dataset or per-image mean
:func:`sharpness_explorer`     :func:`sharpness_explorer_static`    soft IoU meets hard IoU as the   sharpness.py
                                                                    softmax sharpens
============================== ==================================== ================================ ========

Each explorer is an ``ipywidgets.VBox`` (display it, or put it last in a cell) built on
:class:`~helpers.course.widgets.base.Explorer` (``base.py``), with attributes for driving it from code or
a browser test:

- ``.controls``: dict name -> control widget (``IntSlider``, ``FloatSlider``, ``ToggleButtons``);
  set ``.value`` and the explorer updates (``observe(..., names="value")``);
- ``.readout``: an ``HTML`` widget whose ``value`` is a table of the current numbers; each number
  sits in ``<td class="iou-lab-KEY">`` (``KEY`` as in ``.stats``);
- ``.stats``: dict of the current numbers (plain Python floats/ints, NumPy arrays per class);
- ``.plot``: an ``Image`` widget holding the current picture as PNG bytes;
- ``.update()``: recompute now (the observers call it).

Only widgets common to ipywidgets 7.7 and 8 are used; callbacks never print (an error is shown in
the readout instead), and creating an explorer needs no frontend (plain Python and pytest work).

The scenario functions (``toy_shape_mask``, ``imbalance_scenario``, ``convention_mean_iou``,
``sharpness_stats``, ...) live in :mod:`helpers.course.scenarios`; they are re-exported here so that
``from helpers.course.widgets import ...`` keeps working.

Examples
--------
>>> from helpers.course.widgets import iou_explorer, iou_explorer_static
>>> type(iou_explorer()).__name__, type(iou_explorer_static()).__name__
('IoUExplorer', 'LabFigure')
"""

from helpers.course.scenarios import (
    ABSENT_CONVENTIONS,
    IMBALANCE_GRID,
    IMBALANCE_MAX_SIZE,
    LEVELS,
    SHARPNESS_GRID,
    SHARPNESS_T_RANGE,
    convention_batch,
    convention_mean_iou,
    convention_per_class_iou,
    imbalance_scenario,
    imbalance_stats,
    iou_dice_stats,
    sharpness_curve,
    sharpness_probs,
    sharpness_stats,
    sharpness_toy,
    toy_shape_mask,
)

from .base import Explorer
from .convention import ConventionExplorer, convention_explorer, convention_explorer_static
from .imbalance import ImbalanceExplorer, imbalance_explorer, imbalance_explorer_static
from .iou import IOU_GRID, IoUExplorer, iou_explorer, iou_explorer_static
from .sharpness import SharpnessExplorer, sharpness_explorer, sharpness_explorer_static

__all__ = [
    "Explorer",
    "IOU_GRID",
    "IoUExplorer",
    "iou_explorer",
    "iou_explorer_static",
    "ImbalanceExplorer",
    "imbalance_explorer",
    "imbalance_explorer_static",
    "ConventionExplorer",
    "convention_explorer",
    "convention_explorer_static",
    "SharpnessExplorer",
    "sharpness_explorer",
    "sharpness_explorer_static",
    # re-exported from helpers.course.scenarios
    "toy_shape_mask",
    "iou_dice_stats",
    "IMBALANCE_GRID",
    "IMBALANCE_MAX_SIZE",
    "imbalance_scenario",
    "imbalance_stats",
    "ABSENT_CONVENTIONS",
    "LEVELS",
    "convention_batch",
    "convention_per_class_iou",
    "convention_mean_iou",
    "SHARPNESS_GRID",
    "SHARPNESS_T_RANGE",
    "sharpness_toy",
    "sharpness_probs",
    "sharpness_stats",
    "sharpness_curve",
]
