"""The self-checks of notebook 01 (the buggy mean IoU): each names the misconception behind a wrong answer.

Examples
--------
>>> def stub(*args):
...     raise NotImplementedError
>>> r = check_labels_from_probabilities(stub)
❌ Not done yet: replace the `...` / `raise NotImplementedError` with your code.
>>> bool(r)
False
"""

from __future__ import annotations

import numpy as np

from helpers import metrics as M
from helpers.course.checks.base import CheckResult, close, report, run_learner_function, to_numpy

__all__ = ["check_labels_from_probabilities", "check_region_sums"]


def check_labels_from_probabilities(fn) -> CheckResult:
    """Exercise 01.1: ``fn(y_pred)`` turns probabilities ``(..., C)`` into integer labels ``(...)``."""
    probs = np.array(
        [
            [[0.1, 0.45, 0.15, 0.15, 0.15], [0.05, 0.05, 0.1, 0.2, 0.6]],
            [[0.1, 0.1, 0.7, 0.05, 0.05], [0.2, 0.2, 0.2, 0.2, 0.2]],
        ],
        np.float32,
    )
    expected = np.array([[1, 4], [2, 0]])
    done, out = run_learner_function(fn, probs)
    if not done:
        return out
    out = to_numpy(out)
    if out.shape == probs.shape:
        return report(
            False,
            "Your result still has a class axis: a label map has one integer per pixel. "
            "Which function picks the index of the largest value along the last axis?",
        )
    if out.shape != expected.shape:
        return report(False, f"Expected shape {expected.shape} (one label per pixel), got {out.shape}.")
    if np.array_equal(out, np.zeros_like(expected)) or np.array_equal(out, np.argmax(np.round(probs), -1)):
        return report(
            False,
            "Some pixels lost their class: rounding or casting probabilities is not the same "
            "as choosing the most likely class (a pixel at [.1, .45, .15, .15, .15] is class 1).",
        )
    if not np.array_equal(out, expected):
        return report(
            False,
            f"Expected labels {expected.tolist()}, got {out.tolist()}. Take the argmax over the "
            "last axis (the classes), not over the pixels.",
        )
    return report(True, "Right: argmax over the class axis gives exactly one class per pixel.")


def check_region_sums(fn) -> CheckResult:
    """Exercise 01.2: ``fn(y_true, y_pred)`` returns the per-(image, class) IoU, shape ``(B, C)``, from
    one-hot ``(B, H, W, C)`` arrays, NaN where a class is absent from both."""
    rng = np.random.default_rng(11)
    lab_t = rng.integers(0, 3, (2, 4, 5))
    lab_p = np.where(rng.uniform(size=lab_t.shape) < 0.3, rng.integers(0, 3, lab_t.shape), lab_t)
    lab_t[1][lab_t[1] == 2] = 0
    lab_p[1][lab_p[1] == 2] = 0  # class 2 absent from image 1
    y_t = np.eye(3, dtype=np.float32)[lab_t]
    y_p = np.eye(3, dtype=np.float32)[lab_p]
    expected = np.stack([M.per_class_iou(lab_t[i], lab_p[i], num_classes=3) for i in range(2)])
    done, out = run_learner_function(fn, y_t, y_p)
    if not done:
        return out
    out = to_numpy(out)
    if out.shape == (2, 5, 3):
        return report(
            False,
            "Your result has one value per image, column and class: you summed over axis 1 "
            "(height) only. Sum over height AND width.",
        )
    if out.shape != (2, 3):
        return report(False, f"Expected shape (2, 3): one IoU per image and class; got {out.shape}.")
    if close(np.nan_to_num(out, nan=1.0), np.nan_to_num(expected, nan=1.0)) and not np.isnan(out[1, 2]):
        return report(
            False,
            "Class 2 is absent from image 2 (truth and prediction): its IoU is 0/0, undefined. "
            "A score of 1 there is a reward for nothing: return NaN instead.",
        )
    if not close(out, expected):
        return report(
            False,
            "Not the IoU of each class in each image. Intersection = sum of y_true * y_pred, "
            "union = sum(y_true) + sum(y_pred) - intersection, over axes (1, 2); no +1.",
        )
    return report(True, "Right: one IoU per image and class, and NaN where a class is absent from both.")
