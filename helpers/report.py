"""Write the evaluation report of notebook 06's checklist, filled in from a confusion matrix (Markdown).

:func:`evaluation_report` computes every number it prints from one confusion matrix (rows true, columns
predicted, void pixels already left out): the dataset-level mean IoU over the classes present, the IoU
and pixel count of each class, and pixel accuracy. Given the per-image confusion matrices too, it adds
a 95 % bootstrap interval over images to the mean and to every class (:func:`helpers.stats.bootstrap_iou`).
What a confusion matrix cannot know (which data and split, the void convention, how predictions were
made, which code computed it, how many training runs stand behind the model) the caller states; an
item left out is printed as **not stated**, so a gap shows instead of hiding.

Examples
--------
>>> import numpy as np
>>> cm = np.array([[50, 2, 0], [3, 10, 0], [0, 0, 0]])
>>> text = evaluation_report(cm, class_names=["background", "cat", "dog"], data="3 test images",
...                          void="none", predictions="argmax of the softmax", implementation="numpy")
>>> print(text.splitlines()[2])  # doctest: +ELLIPSIS
**Mean IoU 0.7879** (dataset level: one confusion matrix over all 65 pixels; 2 of 3 classes present, ...)
>>> "| dog | absent | 0 | 0.0 % |" in text
True

With one confusion matrix per image, every IoU gets an interval over images:

>>> from helpers.stats import per_image_confusion_matrices
>>> rng = np.random.default_rng(0)
>>> y = rng.integers(0, 2, size=(12, 8, 8)); p = np.where(rng.random(y.shape) < 0.9, y, 1 - y)
>>> cms = per_image_confusion_matrices(y, p, num_classes=2)
>>> text = evaluation_report(cms.sum(0), per_image_confusion=cms, class_names=["bg", "fg"])
>>> print(text.splitlines()[2])  # doctest: +ELLIPSIS
**Mean IoU 0.8... (95 % interval over images 0.8... to 0.8...; bootstrap of 12 images)** (dataset level: ...)
"""

from __future__ import annotations

import numpy as np

from helpers.metrics import average_iou, iou_from_confusion_matrix
from helpers.stats import bootstrap_iou

__all__ = ["CHECKLIST", "evaluation_report", "gallery_indices"]

CHECKLIST = (
    "Split",
    "Level",
    "Absent classes",
    "Classes",
    "Void / ignore label",
    "Predictions",
    "Per-class IoU",
    "Implementation",
    "Uncertainty over images",
    "Training runs",
)
"""The items of notebook 06's reporting checklist, in order."""

_NOT_STATED = "**not stated**"


def _checked_counts(confusion_matrix, class_names) -> tuple:
    """The confusion matrix as an integer array and the class names as a list, both checked."""
    cm = np.asarray(confusion_matrix)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] < 2:
        raise ValueError(f"confusion_matrix must be square (C, C) with C >= 2, got shape {cm.shape}.")
    if not np.issubdtype(cm.dtype, np.integer) or (cm < 0).any():
        raise ValueError("confusion_matrix must hold non-negative integer pixel counts (rows true, columns predicted).")
    c = cm.shape[0]
    names = list(class_names)
    if len(names) != c:
        raise ValueError(f"class_names has {len(names)} names for a {c} x {c} confusion matrix: one name per class.")
    total = int(cm.sum())
    if total == 0:
        raise ValueError("the confusion matrix is empty (no pixels counted): nothing to report.")

    return cm, names


def _bootstrap(per_image_confusion, cm, n_boot: int):
    """The image bootstrap of :func:`helpers.stats.bootstrap_iou`, or None without per-image matrices."""
    c = cm.shape[0]
    if per_image_confusion is None:
        return None
    per_image = np.asarray(per_image_confusion)
    if per_image.ndim != 3 or per_image.shape[1:] != cm.shape:
        raise ValueError(
            f"per_image_confusion must be (N, {c}, {c}), one matrix per image, got shape {per_image.shape}."
        )
    if not np.array_equal(per_image.sum(0), cm):
        raise ValueError(
            "per_image_confusion does not sum to confusion_matrix: pass the per-image matrices of the same "
            "images and predictions (helpers.stats.per_image_confusion_matrices), void left out in both."
        )
    return bootstrap_iou(per_image, n_boot=n_boot)


def _iou_table(title, level, names, iou, present, true_pixels, total, miou, accuracy, boot) -> list:
    """The headline, the per-class table and the pixel-accuracy line, as Markdown lines."""
    c = len(names)
    if boot is None:
        headline = f"**Mean IoU {miou:.4f}**"
        lines = ["| class | IoU | true pixels | share of pixels |", "| --- | ---: | ---: | ---: |"]
    else:
        lo, hi = boot["mean_iou_ci"]
        headline = (
            f"**Mean IoU {miou:.4f} (95 % interval over images {lo:.4f} to {hi:.4f}; bootstrap of "
            f"{boot['n_images']} images)**"
        )
        lines = [
            "| class | IoU | 95 % interval (images) | true pixels | share of pixels |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
    lines = [f"## {title}", "", f"{headline} ({level})", ""] + lines
    for k in range(c):
        v = f"{iou[k]:.4f}" if present[k] else "absent"
        ci = ""
        if boot is not None:
            a, b = boot["per_class_ci"][k]
            ci = f" {a:.4f} to {b:.4f} |" if present[k] else " – |"
        lines.append(f"| {names[k]} | {v} |{ci} {int(true_pixels[k]):,} | {100 * true_pixels[k] / total:.1f} % |")
    mean_ci = "" if boot is None else f" {boot['mean_iou_ci'][0]:.4f} to {boot['mean_iou_ci'][1]:.4f} |"
    lines += [
        f"| **mean** | **{miou:.4f}** |{mean_ci} {total:,} | 100 % |",
        "",
        f"Pixel accuracy {accuracy:.4f}: a complement only, dominated by the largest class "
        f"({names[int(np.argmax(true_pixels))]}, {100 * true_pixels.max() / total:.1f} % of the pixels).",
        "",
    ]

    return lines


def evaluation_report(
    confusion_matrix,
    *,
    class_names,
    data: str | None = None,
    model: str | None = None,
    void: str | None = None,
    predictions: str | None = None,
    implementation: str | None = None,
    cross_check: tuple | None = None,
    background: int | None = 0,
    per_image_confusion=None,
    training_runs: str | None = None,
    n_boot: int = 2000,
    title: str = "Evaluation report",
) -> str:
    """A Markdown report: the headline mean IoU, a per-class table and notebook 06's checklist, filled in.

    Parameters
    ----------
    confusion_matrix : array_like of int, shape (C, C)
        Pixel counts, rows true class, columns predicted class, void pixels left out
        (e.g. ``StreamingMeanIoU.confusion_matrix()`` or ``helpers.metrics.confusion_matrix``).
    class_names : sequence of str, length C
    data : str, optional
        Which data and split, and that the model never trained or was selected on it.
    model : str, optional
        What made the predictions.
    void : str, optional
        The void convention: which label, which pixels (say "none" if there is none).
    predictions : str, optional
        How probabilities became classes (argmax), at which resolution.
    implementation : str, optional
        Which code computed the matrix.
    cross_check : (str, float), optional
        A second implementation and the mean IoU it gave; the report prints the difference.
    background : int or None, default 0
        Index of the background class (None if there is none), to say whether it is in the mean.
    per_image_confusion : array_like of int, shape (N, C, C), optional
        One confusion matrix per image (``helpers.stats.per_image_confusion_matrices``), summing to
        ``confusion_matrix``: adds a bootstrap interval over images (``n_boot`` resamples, seed 0) to the
        mean and to every class. It covers another test set drawn like this one, not another training run.
    training_runs : str, optional
        How many training runs (seeds) stand behind the model and their spread, e.g. "1 run (seed 0);
        10 seeds of the same recipe gave 0.86 to 0.93 on validation".
    n_boot : int, default 2000
    title : str

    Returns
    -------
    str
        Markdown (print it, or show it with ``IPython.display.Markdown``).
    """
    cm, names = _checked_counts(confusion_matrix, class_names)
    c, total = cm.shape[0], int(cm.sum())
    boot = _bootstrap(per_image_confusion, cm, n_boot)

    iou = iou_from_confusion_matrix(cm)  # every IoU of the report comes from helpers.metrics
    present = ~np.isnan(iou)
    miou = float(average_iou(iou, absent="exclude"))
    accuracy = float(np.trace(cm) / total)
    true_pixels = cm.sum(1)

    bg = "background included" if background is not None else "no background class"
    level = (
        f"dataset level: one confusion matrix over all {total:,} pixels; {int(present.sum())} of {c} classes "
        f"present, absent classes excluded; {bg}"
    )
    lines = _iou_table(title, level, names, iou, present, true_pixels, total, miou, accuracy, boot)

    if cross_check is not None:
        other, value = cross_check
        diff = abs(float(value) - miou)
        agree = "agrees" if diff < 1e-6 else "**differs: find out why before you report**"
        check = f"; cross-checked with {other}: {float(value):.4f} ({agree}, difference {diff:.1e})"
    else:
        check = "; not cross-checked with a second implementation"
    items = [
        data or _NOT_STATED,
        "dataset level (one confusion matrix over all images), not per-image",
        "excluded from the mean ("
        + (", ".join(n for n, p in zip(names, present) if not p) or "none absent here")
        + ")",
        f"{c} ({', '.join(names)}); {bg} in the mean",
        void or _NOT_STATED,
        (predictions or _NOT_STATED) + (f"; model: {model}" if model else f"; model: {_NOT_STATED}"),
        "in the table above; pixel accuracy only as a complement",
        (implementation or _NOT_STATED) + check,
        _NOT_STATED
        if boot is None
        else (
            f"95 % bootstrap interval over the {boot['n_images']} images ({boot['n_boot']} resamples): mean IoU "
            f"{boot['mean_iou_ci'][0]:.4f} to {boot['mean_iou_ci'][1]:.4f}; it covers another test set drawn like "
            "this one, not another training run"
        ),
        training_runs or _NOT_STATED,
    ]
    lines += ["### Checklist (notebook 06)", ""]
    lines += [f"{i}. **{name}**: {text}" for i, (name, text) in enumerate(zip(CHECKLIST, items), 1)]
    return "\n".join(lines) + "\n"


def gallery_indices(
    y_true, y_pred=None, *, n: int = 4, num_classes: int = 5, ignore_index: int | None = 255
) -> list[int]:
    """Representative examples for :func:`helpers.plotting.show_gallery`: ``n`` images that contain an object.

    Images whose truth is background (label 0) only are skipped. Without ``y_pred``: the first ``n``
    images that hold the most distinct object classes (ties: the earlier image first). With ``y_pred``:
    images spread over the range of per-image mean IoU (:func:`helpers.metrics.per_image_iou`), at the
    quantiles ``(k + 0.5) / n``, so that a gallery shows poor, typical and good predictions (in that
    order), not only the first few images.

    Parameters
    ----------
    y_true : array_like of int, shape (N, H, W) or (N, H, W, 1)
    y_pred : array_like of int, same shape, optional
    n : int, default 4
    num_classes : int, default 5
        Labels are checked against it (``helpers``' input policy: floats and out-of-range labels are refused).
    ignore_index : int or None, default 255

    Returns
    -------
    list of int
        At most ``n`` positions in the batch (fewer when fewer images hold an object).

    Examples
    --------
    >>> t = np.zeros((4, 2, 2), int); t[1, 0, 0] = 1; t[2] = [[1, 2], [0, 0]]; t[3, 1, 1] = 3
    >>> gallery_indices(t, n=2)
    [2, 1]
    >>> gallery_indices(t, t, n=3)
    [1, 2, 3]
    """
    from helpers._validation import as_labels, check_ignore_index, check_num_classes, check_range, check_same_shape
    from helpers.metrics import per_image_iou

    num_classes = check_num_classes(num_classes)
    ignore_index = check_ignore_index(ignore_index, num_classes)
    t = as_labels(y_true, "y_true")
    if t.ndim == 4 and t.shape[-1] == 1:
        t = t[..., 0]
    if t.ndim != 3:
        raise ValueError(f"y_true must be a batch of label maps (N, H, W), got shape {t.shape}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}.")
    check_range(t, "y_true", num_classes, ignore_index)
    objects = t > 0
    if ignore_index is not None:
        objects &= t != ignore_index
    candidates = np.flatnonzero(objects.any(axis=(1, 2)))
    if candidates.size == 0:
        raise ValueError("every image in y_true is background only; there is no object to show.")
    if y_pred is None:
        kinds = np.array([np.unique(t[i][objects[i]]).size for i in candidates])
        order = candidates[np.argsort(-kinds, kind="stable")]
        return [int(i) for i in order[:n]]
    p = as_labels(y_pred, "y_pred")
    if p.ndim == 4 and p.shape[-1] == 1:
        p = p[..., 0]
    check_same_shape(t, p)
    ious = per_image_iou(t[candidates], p[candidates], num_classes=num_classes, ignore_index=ignore_index)
    order = candidates[np.argsort(np.where(np.isnan(ious), np.inf, ious), kind="stable")]
    order = order[: int(np.sum(~np.isnan(ious)))] if np.any(~np.isnan(ious)) else order
    if order.size <= n:
        return [int(i) for i in order]
    picks = np.floor((np.arange(n) + 0.5) / n * order.size).astype(int)
    return [int(i) for i in order[picks]]
