"""Write the evaluation report of notebook 06's checklist, filled in from a confusion matrix (Markdown).

:func:`evaluation_report` computes every number it prints from one confusion matrix (rows true, columns
predicted, void pixels already left out): the dataset-level mean IoU over the classes present, the IoU
and pixel count of each class, and pixel accuracy. What a confusion matrix cannot know (which data and
split, the void convention, how predictions were made, which code computed it) the caller states; an
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
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHECKLIST", "evaluation_report"]

CHECKLIST = (
    "Split",
    "Level",
    "Absent classes",
    "Classes",
    "Void / ignore label",
    "Predictions",
    "Per-class IoU",
    "Implementation",
)
"""The items of notebook 06's reporting checklist, in order."""

_NOT_STATED = "**not stated**"


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
    title : str

    Returns
    -------
    str
        Markdown (print it, or show it with ``IPython.display.Markdown``).
    """
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

    tp = np.diag(cm).astype(np.float64)
    union = cm.sum(0) + cm.sum(1) - tp
    iou = np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan)
    present = ~np.isnan(iou)
    miou = float(np.nanmean(iou))
    accuracy = float(tp.sum() / total)
    true_pixels = cm.sum(1)

    bg = "background included" if background is not None else "no background class"
    level = (
        f"dataset level: one confusion matrix over all {total:,} pixels; {int(present.sum())} of {c} classes "
        f"present, absent classes excluded; {bg}"
    )
    lines = [
        f"## {title}",
        "",
        f"**Mean IoU {miou:.4f}** ({level})",
        "",
        "| class | IoU | true pixels | share of pixels |",
        "| --- | ---: | ---: | ---: |",
    ]
    for k in range(c):
        v = f"{iou[k]:.4f}" if present[k] else "absent"
        lines.append(f"| {names[k]} | {v} | {int(true_pixels[k]):,} | {100 * true_pixels[k] / total:.1f} % |")
    lines += [
        f"| **mean** | **{miou:.4f}** | {total:,} | 100 % |",
        "",
        f"Pixel accuracy {accuracy:.4f}: a complement only, dominated by the largest class "
        f"({names[int(np.argmax(true_pixels))]}, {100 * true_pixels.max() / total:.1f} % of the pixels).",
        "",
    ]

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
    ]
    lines += ["### Checklist (notebook 06)", ""]
    lines += [f"{i}. **{name}**: {text}" for i, (name, text) in enumerate(zip(CHECKLIST, items), 1)]
    return "\n".join(lines) + "\n"
