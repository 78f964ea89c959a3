"""The self-checks of notebook 03 (a correct IoU in Keras): each names the misconception behind a wrong answer.

Examples
--------
>>> def stub(*args):
...     raise NotImplementedError
>>> r = check_accumulate_confusion_matrix(stub)
❌ Not done yet: replace the `...` / `raise NotImplementedError` with your code.
>>> bool(r)
False
"""

from __future__ import annotations

import numpy as np

from helpers import metrics as M
from helpers.course.checks.base import CheckResult, report, run_learner_function

__all__ = ["check_accumulate_confusion_matrix", "check_keras_metric_for_one_hot"]


def check_accumulate_confusion_matrix(fn) -> CheckResult:
    """Exercise 03.1: ``fn(cm, y_true, y_pred_labels)`` returns ``cm`` plus this batch's confusion matrix
    (integer label maps, rows true, columns predicted)."""
    rng = np.random.default_rng(3)
    t = rng.integers(0, 4, (6, 5, 5))
    p = rng.integers(0, 4, (6, 5, 5))
    cm = np.zeros((4, 4), np.int64)
    for i in range(0, 6, 2):
        done, out = run_learner_function(fn, cm, t[i : i + 2], p[i : i + 2])
        if not done:
            return out
        cm = np.asarray(out)
    want = M.confusion_matrix(t, p, num_classes=4)
    if cm.shape != (4, 4):
        return report(False, f"Return the (C, C) matrix; got shape {cm.shape}.")
    if np.array_equal(cm, want.T):
        return report(False, "Rows and columns are swapped: rows are the TRUE class, columns the PREDICTED one.")
    if np.array_equal(cm, M.confusion_matrix(t[4:], p[4:], num_classes=4)):
        return report(False, "Only the last batch is in the matrix: add each batch's counts to the running total.")
    if not np.array_equal(cm, want):
        return report(False, "The counts are off. Hint: np.bincount(true * C + pred, minlength=C*C).reshape(C, C).")
    if not np.issubdtype(cm.dtype, np.integer):
        return report(False, "Right counts, but keep them as integers: a float32 counter stops counting at 2**24.")
    return report(True, "Right: the running confusion matrix equals the one of all the data, whatever the batches.")


def check_keras_metric_for_one_hot(make_metric) -> CheckResult:
    """Exercise 03.2: ``make_metric()`` returns a Keras metric object that gives the mean IoU of one-hot
    ``y_true`` and softmax ``y_pred`` with 3 classes."""
    rng = np.random.default_rng(5)
    lab = rng.integers(0, 3, (4, 6, 6))
    pred_lab = np.where(rng.uniform(size=lab.shape) < 0.3, rng.integers(0, 3, lab.shape), lab)
    y_true = np.eye(3, dtype=np.float32)[lab]
    y_pred = (0.6 * np.eye(3)[pred_lab] + 0.4 * rng.dirichlet(np.ones(3), size=lab.shape)).astype(np.float32)
    want = M.mean_iou(lab, pred_lab, num_classes=3)
    done, metric = run_learner_function(make_metric)
    if not done:
        return metric
    if not hasattr(metric, "update_state"):
        return report(False, "Return a metric OBJECT (e.g. keras.metrics.Something(...)), not a number or a class.")
    try:
        metric.update_state(y_true, y_pred)
        got = float(metric.result())
    except Exception as exc:
        return report(False, f"The metric failed on one-hot y_true and softmax y_pred: {type(exc).__name__}: {exc}")
    if abs(got - want) > 1e-5:
        hint = (
            "MeanIoU expects label maps by default: with one-hot masks and probabilities it scores the "
            "channels, not the classes. Use OneHotMeanIoU, or MeanIoU(..., sparse_y_true=False, "
            "sparse_y_pred=False)."
        )
        return report(False, f"It reports {got:.4f}, the true mean IoU is {want:.4f}. {hint}")
    n = getattr(metric, "num_classes", 3)
    if n != 3:  # extra classes are absent, so the mean is right here, but not on data that has them
        return report(
            False,
            f"Right class, but your masks have 3 classes: num_classes=3 (num_classes={n} only gives the "
            "right value here because the extra classes never occur).",
        )
    return report(True, f"Right: {got:.4f}, the dataset-level mean IoU of these one-hot masks and probabilities.")
