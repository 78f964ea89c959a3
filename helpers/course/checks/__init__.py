"""Self-checks for the course's exercises: each answers ✅ or ❌ with a hint that names the misconception.

Every ``check_*`` function takes the learner's function (or object), runs it on small cases whose
answer is known, prints one line and returns a :class:`~helpers.course.checks.base.CheckResult`
(truthy when right). A stub that still raises ``NotImplementedError`` gets a friendly "not done yet".
Solutions live in ``notebooks/solutions/``, not in the learner's notebook.

One module per notebook (``nb01`` ... ``nb07``) on a shared :mod:`~helpers.course.checks.base`; every
check is also importable from here.

Examples
--------
>>> import numpy as np
>>> r = check_iou_of_masks(lambda a, b: np.sum(a & b) / np.sum(a | b))
✅ Right: IoU = |A∩B| / |A∪B|, and NaN when both masks are empty.
>>> bool(r)
True
"""

from helpers.course.checks.base import CheckResult, report, run_learner_function
from helpers.course.checks.nb01 import check_labels_from_probabilities, check_region_sums
from helpers.course.checks.nb02 import check_iou_of_masks, check_mean_iou_from_confusion_matrix
from helpers.course.checks.nb03 import check_accumulate_confusion_matrix, check_keras_metric_for_one_hot
from helpers.course.checks.nb04 import check_dice_from_jaccard, check_soft_iou
from helpers.course.checks.nb05 import check_best_epoch, check_pooled_loss_from_accuracy
from helpers.course.checks.nb06 import check_void_band, check_worst_images
from helpers.course.checks.nb07 import check_fixed_metric, check_palette_to_labels

__all__ = [
    "CheckResult",
    "report",
    "run_learner_function",
    "check_labels_from_probabilities",
    "check_region_sums",
    "check_iou_of_masks",
    "check_mean_iou_from_confusion_matrix",
    "check_accumulate_confusion_matrix",
    "check_keras_metric_for_one_hot",
    "check_soft_iou",
    "check_dice_from_jaccard",
    "check_best_epoch",
    "check_pooled_loss_from_accuracy",
    "check_worst_images",
    "check_void_band",
    "check_fixed_metric",
    "check_palette_to_labels",
]
