"""The self-checks of notebook 02 (IoU from first principles): each names the misconception behind a wrong answer.

Examples
--------
>>> import numpy as np
>>> dice = lambda a, b: 2 * np.sum(a & b) / (np.sum(a) + np.sum(b))
>>> r = check_iou_of_masks(dice)
❌ That is the Dice coefficient 2|A∩B| / (|A|+|B|), not IoU |A∩B| / |A∪B|.
>>> bool(r)
False
"""

from __future__ import annotations

import warnings

import numpy as np

from helpers import metrics as M
from helpers.course.checks.base import CheckResult, report, run_number

__all__ = ["check_iou_of_masks", "check_mean_iou_from_confusion_matrix"]


def check_iou_of_masks(fn) -> CheckResult:
    """Exercise 02.1: ``fn(a, b)`` = IoU of two boolean masks; NaN when both are empty."""
    a = np.zeros((4, 4), bool)
    a[:2, :2] = True
    b = np.zeros((4, 4), bool)
    b[1:3, 1:3] = True
    cases = [((a, b), 1 / 7), ((a, a), 1.0), ((a, ~a), 0.0)]
    for (x, y), want in cases:
        got, failed = run_number(fn, x, y)
        if failed is not None:
            return failed
        if abs(got - 2 * want / (1 + want)) < 1e-9 and want not in (0.0, 1.0):
            return report(False, "That is the Dice coefficient 2|A∩B| / (|A|+|B|), not IoU |A∩B| / |A∪B|.")
        if abs(got - want) > 1e-9:
            return report(
                False,
                f"IoU of two 2x2 squares overlapping in one pixel should be 1/7 ≈ 0.143 "
                f"(got {got:.3f} for a case whose answer is {want:.3f}). IoU = |A∩B| / |A∪B|.",
            )
    empty = np.zeros((3, 3), bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, failed = run_number(fn, empty, empty)
    if failed is not None:
        return failed
    if got == 1.0:
        return report(
            False,
            "Your IoU is 1.0 for two empty masks: are you counting absent classes? 0/0 is "
            "undefined: return float('nan') so that a mean can leave it out.",
        )
    if not np.isnan(got):
        return report(False, f"Two empty masks: 0/0 is undefined, return NaN (got {got}).")
    return report(True, "Right: IoU = |A∩B| / |A∪B|, and NaN when both masks are empty.")


def check_mean_iou_from_confusion_matrix(fn) -> CheckResult:
    """Exercise 02.2: ``fn(cm)`` = mean IoU over the classes present (rows true, columns predicted)."""
    cm = np.array([[5, 1, 0, 0], [2, 3, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    # class 2: absent from truth and prediction; class 3: predicted once, never true (IoU 0)
    iou = M.iou_from_confusion_matrix(cm)
    expected = float(np.nanmean(iou))
    got, failed = run_number(fn, cm)
    if failed is not None:
        return failed
    if abs(got - np.nan_to_num(iou, nan=0.0).mean()) < 1e-9:
        return report(
            False,
            "Class 2 is absent from truth and prediction, and you counted it as 0. "
            "Exclude absent classes from the mean (np.nanmean).",
        )
    if abs(got - np.nan_to_num(iou, nan=1.0).mean()) < 1e-9:
        return report(False, "Your IoU is 1.0 on an empty class: are you counting absent classes? Exclude them.")
    tp = np.diag(cm)
    if (
        abs(got - np.mean(tp[:2] / np.maximum(cm.sum(1)[:2], 1))) < 1e-9
        or abs(got - np.nanmean(np.where(cm.sum(1) > 0, tp / np.maximum(cm.sum(1), 1), np.nan))) < 1e-9
    ):
        return report(False, "That is recall (TP / row sum). IoU's denominator is TP + FP + FN = row + column - TP.")
    if abs(got - float(np.mean(iou[:2]))) < 1e-9:
        return report(
            False,
            "Class 3 was predicted once but never appears in the truth: its IoU is 0, and it "
            "counts. Only classes absent from BOTH truth and prediction are left out.",
        )
    if abs(got - expected) > 1e-9:
        return report(False, f"Expected {expected:.4f}, got {got:.4f}. IoU_c = cm[c, c] / (row_c + col_c - cm[c, c]).")
    return report(True, "Right: per-class IoU from rows and columns, mean over classes present in truth or prediction.")
