"""The self-checks of notebook 05 (training a small UNet): each names the misconception behind a wrong answer.

Examples
--------
>>> def stub(*args):
...     raise NotImplementedError
>>> r = check_best_epoch(stub)
❌ Not done yet: replace the `...` / `raise NotImplementedError` with your code.
>>> bool(r)
False
"""

from __future__ import annotations

from helpers.course.checks.base import CheckResult, report, run_learner_function, run_number

__all__ = ["check_best_epoch", "check_pooled_loss_from_accuracy"]


def check_best_epoch(fn) -> CheckResult:
    """Exercise 05.1: ``fn(history)`` = index of the epoch with the best validation mean IoU."""
    history = {
        "loss": [0.9, 0.6, 0.5, 0.45, 0.40],
        "val_loss": [0.95, 0.7, 0.55, 0.50, 0.52],
        "mean_iou": [0.30, 0.55, 0.70, 0.80, 0.86],
        "val_mean_iou": [0.28, 0.50, 0.71, 0.69, 0.66],
        "accuracy": [0.90, 0.93, 0.95, 0.96, 0.97],
        "val_accuracy": [0.89, 0.92, 0.94, 0.95, 0.955],
    }
    done, out = run_learner_function(fn, history)
    if not done:
        return out
    try:
        got = int(out)
    except (TypeError, ValueError):
        return report(False, f"Return an epoch index (an int), not {type(out).__name__}.")
    if got == 3:
        return report(
            False,
            "That is the epoch with the lowest validation loss. A loss value is not the number "
            "you report: select on the validation mean IoU (highest is best).",
        )
    if got == 4:
        return report(
            False,
            "That is the last epoch, or the best on TRAINING data or by accuracy. Select on "
            "validation data, by mean IoU.",
        )
    if got != 2:
        return report(False, "Not the epoch with the highest val_mean_iou. Hint: np.argmax(history['val_mean_iou']).")
    return report(True, "Right: the epoch with the highest validation mean IoU (epoch index 2).")


def check_pooled_loss_from_accuracy(fn) -> CheckResult:
    """Exercise 05.2: ``fn(a, n)`` = the question's pooled ``iou_loss`` from soft accuracy ``a`` over ``n`` pixels."""
    cases = [(0.5, 100), (0.9, 4096), (1.0, 10), (0.0, 50)]
    for a, n in cases:
        want = 1 - (a * n + 1) / (2 * n - a * n + 1)
        got, failed = run_number(fn, a, n)
        if failed is not None:
            return failed
        if abs(got - (1 - (a * n + 1) / (n + 1))) < 1e-9 and a < 1:
            return report(False, "The union is not n: it is sum(y) + sum(p) - intersection = n + n - a*n.")
        if abs(got - (1 - a * n / (2 * n - a * n))) < 1e-9 and a < 1:
            return report(False, "Almost: the question adds 1 to numerator and denominator (smoothing).")
        if abs(got - want) > 1e-9:
            return report(
                False,
                f"For a={a}, n={n} expected {want:.4f}, got {got:.4f}. Intersection = a*n, "
                "sum(y) = sum(p) = n; loss = 1 - (I + 1) / (sum(y) + sum(p) - I + 1).",
            )
    return report(
        True, "Right: with one-hot targets and softmax outputs, the pooled loss is a function of accuracy alone."
    )
