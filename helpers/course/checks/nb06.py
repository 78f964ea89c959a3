"""The self-checks of notebook 06 (evaluating segmentation): each names the misconception behind a wrong answer.

Examples
--------
>>> def stub(*args):
...     raise NotImplementedError
>>> r = check_worst_images(stub)
❌ Not done yet: replace the `...` / `raise NotImplementedError` with your code.
>>> bool(r)
False
"""

from __future__ import annotations

import numpy as np

from helpers.course.checks.base import CheckResult, report, run_learner_function

__all__ = ["check_worst_images", "check_void_band"]


def check_worst_images(fn) -> CheckResult:
    """Exercise 06.1: ``fn(image_ious, k)`` = indices of the k lowest per-image IoUs, lowest first, NaN skipped."""
    ious = np.array([0.9, np.nan, 0.2, 0.75, 0.05, 0.6])
    done, out = run_learner_function(fn, ious.copy(), 3)
    if not done:
        return out
    try:
        got = [int(i) for i in np.asarray(out).ravel()]
    except (TypeError, ValueError):
        return report(False, "Return the image indices (ints), not the IoU values.")
    if got == [4, 2, 5]:
        return report(True, "Right: the k lowest, lowest first, and NaN (nothing to score) never counts as worst.")
    if 1 in got:
        return report(
            False,
            "An image with IoU NaN has nothing to score: it is not a worst image. np.argsort puts "
            "NaN last, but check how you handle it (e.g. replace NaN by np.inf first).",
        )
    if got == [0, 3, 5] or got == [0, 3, 5][::-1]:
        return report(False, "Those are the BEST images: sort in increasing order of IoU.")
    if sorted(got) == [2, 4, 5]:
        return report(False, "The right images, in the wrong order: lowest IoU first.")
    return report(False, f"Expected indices [4, 2, 5], got {got}. Hint: np.argsort of the IoUs, then the first k.")


def check_void_band(fn) -> CheckResult:
    """Exercise 06.2: ``fn(masks, band)`` = copy of ``masks`` with ``band`` pixels set to 255."""
    masks = np.array([[[0, 1], [2, 3]], [[4, 4], [0, 0]]], dtype=np.uint8)
    band = np.array([[[True, False], [False, True]], [[False, False], [True, False]]])
    original = masks.copy()
    done, out = run_learner_function(fn, masks, band)
    if not done:
        return out
    out = np.asarray(out)
    want = np.where(band, 255, original)
    if not np.array_equal(masks, original):
        return report(False, "Your function changed the input masks: work on a copy (np.where or masks.copy()).")
    if out.shape != want.shape:
        return report(False, f"Expected shape {want.shape}, got {out.shape}.")
    if np.array_equal(out, np.where(band, 0, original)):
        return report(
            False,
            "Void is not background: set the band to 255 and pass ignore_index=255, or the "
            "band's object pixels become background 'truth'.",
        )
    if np.array_equal(out, np.where(~band, 255, original)):
        return report(False, "The band is inverted: set the pixels where band is True to 255.")
    if not np.array_equal(out.astype(np.int64), want.astype(np.int64)):
        return report(
            False, "Not the expected masks: pixels where band is True become 255, the others keep their label."
        )
    return report(True, "Right: the band is void (255) and the input is untouched.")
