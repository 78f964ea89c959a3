"""Self-checks for the exercises of notebook 07 (your metric, your data), (:mod:`helpers.course.checks.base`).

Each ``check_*`` runs the learner's function on cases whose answer is known, prints ✅ or ❌ with a hint
that names the misconception, and returns a :class:`helpers.course.checks.base.CheckResult` (truthy when right).

Examples
--------
>>> import numpy as np
>>> r = check_palette_to_labels(lambda mask, palette, void_colour: mask)
❌ Your result still has 3 colour channels: return one label per pixel, shape (H, W).
>>> bool(r)
False
"""

from __future__ import annotations

import numpy as np

from helpers.course.checks.base import CheckResult, report, run_learner_function

__all__ = ["check_fixed_metric", "check_palette_to_labels"]

_report = report
_run = run_learner_function


def check_fixed_metric(fn) -> CheckResult:
    """Exercise 07.1: ``fn(y_true, y_pred)`` is the dataset-level mean IoU of a batch (5 classes, one-hot y_true).

    ``batch_dependent`` alone is accepted with a note: any correct IoU of one batch has it as a Keras
    function metric (notebook 03); :class:`~helpers.keras.metrics.StreamingMeanIoU` is the cure. A mean of
    per-image IoUs is not accepted: it is a different quantity (``per_image_not_dataset``), and the hint
    says which.
    """
    from helpers.audit import audit_metric

    try:
        fn(np.eye(5, dtype=np.float32)[np.zeros((1, 2, 2), int)], np.full((1, 2, 2, 5), 0.2, np.float32))
    except NotImplementedError:
        return _report(False, "Not done yet: replace the `...` / `raise NotImplementedError` with your code.")
    except Exception:
        pass
    report = audit_metric(fn, num_classes=5)
    findings = report.findings
    if report.graph_error and not findings[1:] and findings in ([], ["batch_dependent"]):
        return _report(
            False,
            f"Right values, but NumPy code: inside model.compile Keras passes symbolic tensors, and it raises "
            f"{report.graph_error}. Write it with tf.* (tf.argmax, tf.one_hot, tf.reduce_sum, "
            "tf.math.divide_no_nan) so Keras can compile it.",
        )
    if not findings:
        return _report(True, f"Right: the audit passes all {len(report.checks)} checks.")
    if findings == ["batch_dependent"]:
        return _report(
            True,
            "Right: a correct IoU of one batch. As a Keras function metric it still moves with the "
            "batch size (notebook 03): for the dataset's IoU, use StreamingMeanIoU.",
        )
    if "per_image_not_dataset" in findings:
        others = [f for f in findings if f not in ("per_image_not_dataset", "batch_dependent")]
        also = f" The audit also finds {', '.join(others)}." if others else ""
        return _report(
            False,
            "A different quantity: this is the mean of per-image IoUs (each image's IoU, then the mean over "
            "images), where the exercise asks for the dataset's IoU of the batch. Sum intersections and unions "
            "over the batch too (axis=[0, 1, 2]) before dividing." + also,
        )
    first = next(c for c in report.checks if not c.ok and c.code == findings[0])
    more = f" (and {len(findings) - 1} more: {', '.join(findings[1:])})" if len(findings) > 1 else ""
    return _report(False, f"The audit still finds {findings[0]}{more}. {first.hint}")


def check_palette_to_labels(fn) -> CheckResult:
    """Exercise 07.2: ``fn(mask, palette, void_colour)`` turns an RGB mask ``(H, W, 3)`` into labels ``(H, W)``:
    class ``k`` where the pixel has colour ``palette[k]``, 255 where it has ``void_colour``, and raises
    ``ValueError`` on any other colour."""
    palette = [(0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0)]  # Pascal VOC's first four colours
    void = (224, 224, 192)  # VOC's void colour
    labels = np.array([[0, 1, 1, 255], [2, 3, 0, 255], [3, 3, 2, 1]])
    colours = np.array(palette + [void] * 252, dtype=np.uint8)
    colours[255] = void
    mask = colours[labels]
    done, out = _run(fn, mask.copy(), palette, void)
    if not done:
        return out
    out = np.asarray(out)
    if out.shape == mask.shape:
        return _report(False, "Your result still has 3 colour channels: return one label per pixel, shape (H, W).")
    if out.shape != labels.shape:
        return _report(False, f"Expected shape {labels.shape} (one label per pixel), got {out.shape}.")
    if np.array_equal(out, np.where(labels == 255, 0, labels)):
        return _report(
            False,
            "Void pixels became class 0 (background): void is not background. Give them 255, "
            "so that ignore_index=255 leaves them out.",
        )
    if not np.issubdtype(out.dtype, np.integer):
        return _report(False, f"Return integer labels, not {out.dtype}.")
    if not np.array_equal(out, labels):
        wrong = int((out != labels).sum())
        return _report(
            False,
            f"{wrong} of {labels.size} pixels got the wrong label. A pixel is class k when ALL three "
            "channels equal palette[k] (np.all(mask == colour, axis=-1)); comparing one channel or "
            "the sum of channels confuses (128, 0, 0) with (0, 128, 0).",
        )
    bad = mask.copy()
    bad[0, 0] = (1, 2, 3)
    try:
        got = fn(bad, palette, void)
    except ValueError:
        return _report(
            True, "Right: every colour becomes its class, void becomes 255, and an unknown colour is an error."
        )
    except Exception as exc:
        return _report(False, f"An unknown colour should raise ValueError naming it; it raised {type(exc).__name__}.")
    got = np.asarray(got)
    return _report(
        False,
        f"A colour that is in neither palette nor void (here (1, 2, 3)) became label {got[0, 0]}: raise "
        "ValueError instead, so that a wrong palette is found, not silently scored.",
    )
