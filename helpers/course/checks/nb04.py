"""The self-checks of notebook 04 (soft versus hard IoU): each names the misconception behind a wrong answer.

Examples
--------
>>> def stub(*args):
...     raise NotImplementedError
>>> r = check_soft_iou(stub)
❌ Not done yet: replace the `...` / `raise NotImplementedError` with your code.
>>> bool(r)
False
"""

from __future__ import annotations

import numpy as np

from helpers.course.checks.base import CheckResult, report, run_number

__all__ = ["check_soft_iou", "check_dice_from_jaccard"]


def check_soft_iou(fn) -> CheckResult:
    """Exercise 04.1: ``fn(y, p)`` = soft IoU of one class from a 0/1 mask ``y`` and probabilities ``p``."""
    y = np.array([[1, 1, 0], [0, 1, 0]], dtype=np.float32)
    p = np.array([[0.9, 0.6, 0.2], [0.1, 0.4, 0.3]], dtype=np.float32)
    inter = float((y * p).sum())
    want = inter / (y.sum() + p.sum() - inter)
    got, failed = run_number(fn, y, p)
    if failed is not None:
        return failed
    hard = (y * (p > 0.5)).sum() / ((y + (p > 0.5)) > 0).sum()
    if abs(got - hard) < 1e-6:
        return report(
            False,
            "That is the hard IoU of the thresholded prediction: it has no gradient. Use the "
            "probabilities themselves: I = sum(y * p), U = sum(y) + sum(p) - I.",
        )
    if abs(got - 2 * inter / (y.sum() + p.sum())) < 1e-6:
        return report(False, "That is the soft Dice coefficient 2I / (|y| + |p|), not the soft IoU I / U.")
    if abs(got - inter / (y.sum() + p.sum())) < 1e-6:
        return report(False, "The union counts the overlap twice: U = sum(y) + sum(p) - I.")
    if abs(got - (inter + 1) / (y.sum() + p.sum() - inter + 1)) < 1e-6:
        return report(False, "No smoothing here: +1 changes the value, most for small classes.")
    if abs(got - want) > 1e-5:
        return report(False, f"Expected {want:.4f}, got {got:.4f}. Soft IoU = sum(y*p) / (sum(y) + sum(p) - sum(y*p)).")
    return report(True, "Right: the soft IoU uses probabilities, so it has a gradient everywhere.")


def check_dice_from_jaccard(fn) -> CheckResult:
    """Exercise 04.2: ``fn(j)`` = the Dice coefficient of two masks whose IoU is ``j``."""
    for j in (0.0, 0.25, 0.5, 0.8, 1.0):
        got, failed = run_number(fn, j)
        if failed is not None:
            return failed
        want = 2 * j / (1 + j)
        if 0 < j < 1 and abs(got - j / (2 - j)) < 1e-9:
            return report(False, "That converts Dice to Jaccard; invert it: solve J = D/(2-D) for D.")
        if abs(got - want) > 1e-9:
            return report(
                False,
                f"For IoU {j} the Dice is {want:.4f}, got {got:.4f}. With |A∩B| = I and "
                "|A∪B| = U: |A| + |B| = U + I, so Dice = 2I / (U + I); divide by U.",
            )
    return report(True, "Right: Dice = 2J / (1 + J), always at least the IoU.")
