"""What an audit finds: the finding codes, one :class:`Check` per probe, and the :class:`AuditReport`.

The report prints as text (``print(report)``) and shows as a table in Jupyter (``_repr_html_``).

Examples
--------
>>> report = AuditReport("my_iou", "metric", "function, 5 classes")
>>> report.checks.append(Check("IoU, not Dice", "dice_not_iou", 0.35, 0.5185, False, "It is Dice."))
>>> report.findings, report.passed
(['dice_not_iou'], False)
>>> print(report)
Audit of metric `my_iou` (function, 5 classes)
❌ 1 finding: dice_not_iou
  ❌ IoU, not Dice  expected 0.3500, got 0.5185
      [dice_not_iou] It is Dice.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

__all__ = ["METRIC_FINDINGS", "LOSS_FINDINGS", "PASS", "FAIL", "Check", "AuditReport", "format_value"]

METRIC_FINDINGS = {
    "crashes": "the metric raises on a standard input",
    "constant_output": "the same value for a perfect, an all-wrong and a uniform prediction",
    "perfect_not_one": "a perfect prediction does not score 1",
    "all_wrong_not_zero": "an all-wrong prediction scores above 0",
    "threshold_not_argmax": "a pixel's class is not its argmax (e.g. per-channel rounding at 0.5)",
    "absent_class_as_zero": "a class absent from truth and prediction counts as 0 in the mean",
    "absent_class_as_one": "such a class counts as 1",
    "dice_not_iou": "the value is Dice (F1), not IoU",
    "batch_dependent": "as a Keras function metric, the reported mean over batches changes with the batch size",
    "ignore_label_counted": "void pixels are counted (when ignore_index is given)",
    "out_of_range_dropped": "labels outside [0, C) vanish silently (labels mode)",
    "non_finite": "NaN or inf on a standard input (e.g. 0/0 for a class absent from truth and prediction)",
    "wrong_value": "a value off the dataset-level reference that no more specific finding explains",
    "pooled_over_classes": "all classes pooled into one IoU (sums over the class axis too: micro, not mean IoU)",
    "per_image_not_dataset": "a mean of per-image (or per image and class) IoUs reported as the dataset's IoU",
    "soft_not_hard": "the IoU of the probabilities, not of the argmax (the value moves with the confidence)",
    "channels_first": "the classes are read on axis 1 (PyTorch's (B, C, H, W)), not on the last axis as Keras "
    "passes them",
}
"""Finding codes of :func:`audit_metric` and what each means (``non_finite`` extends the issue's list).

A value off the reference is always a finding: ``wrong_value`` unless the one convention that explains every
value observed names a specific code."""

LOSS_FINDINGS = {
    "crashes": "the loss raises on a standard input",
    "no_gradient": "zero or missing gradients on soft predictions (e.g. an argmax or round inside)",
    "not_minimised_by_truth": "the exact truth is not the best prediction",
    "pixel_weighted": "blind to which class errors fall in: moving errors from a large class to a small one "
    "leaves the value unchanged",
    "non_finite": "a NaN or inf value on a prediction a model can give (exact 0/1 probabilities, a class absent "
    "from the truth, an empty image in binary mode)",
    "nan_gradient": "a NaN or inf gradient where the value is finite (e.g. at the exact truth: a sqrt or log at 0, "
    "a 0/0 hidden by tf.where in a Dice without smoothing)",
    "float16_inaccurate": "float16 inputs of a realistic size (>= 10^5 pixels per class) give a value more than "
    "1e-3 from float32's: float16 sums stop growing at 2048 and overflow at 65,504",
    "void_counted": "void pixels (all-zero one-hot rows, or labels equal to ignore_index) change the value or get "
    "a gradient (when ignore_index is given)",
}
"""Finding codes of :func:`audit_loss` and what each means."""

PASS = "✅"
FAIL = "❌"


def format_value(v) -> str:
    """A value as the report shows it: floats with 4 decimals (``nan`` as is), anything else as ``str``.

    >>> format_value(0.35), format_value(float("nan")), format_value("a number")
    ('0.3500', 'nan', 'a number')
    """
    if isinstance(v, (float, np.floating)):
        return "nan" if np.isnan(v) else f"{float(v):.4f}"
    return str(v)


@dataclass
class Check:
    """One probe: what it tests, the value expected and the value got, ✅/❌, and a hint when ❌."""

    name: str
    code: str
    expected: object
    got: object
    ok: bool
    hint: str = ""

    @property
    def status(self) -> str:
        return PASS if self.ok else FAIL


@dataclass
class AuditReport:
    """What :func:`audit_metric` or :func:`audit_loss` found.

    ``passed`` is True exactly when ``findings`` is empty; ``findings`` lists the codes of the failed
    checks, in the order of the checks; ``checks`` holds every check that ran, ``skipped`` the ones
    that did not apply (and why).
    """

    name: str
    kind: str  # "metric" or "loss"
    setting: str
    checks: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # the report's first lines: the convention it follows, or declares
    graph_error: str | None = None  # a function metric that runs on arrays but raises inside tf.function (NumPy code)

    @property
    def findings(self) -> list:
        codes = []
        for c in self.checks:
            if not c.ok and c.code not in codes:
                codes.append(c.code)
        return codes

    @property
    def passed(self) -> bool:
        return not self.findings

    def __bool__(self) -> bool:
        return self.passed

    def _headline(self) -> str:
        if self.passed:
            return f"{PASS} no findings: {len(self.checks)} checks passed"
        n = len(self.findings)
        return f"{FAIL} {n} finding{'s' if n > 1 else ''}: " + ", ".join(self.findings)

    def __str__(self) -> str:
        lines = [f"Audit of {self.kind} `{self.name}` ({self.setting})"]
        lines += [f"ℹ {note}" for note in self.notes]
        lines.append(self._headline())
        width = max(len(c.name) for c in self.checks) if self.checks else 0
        for c in self.checks:
            lines.append(
                f"  {c.status} {c.name:<{width}}  expected {format_value(c.expected)}, got {format_value(c.got)}"
            )
            if not c.ok:
                lines.append(f"      [{c.code}] {c.hint}")
            elif c.hint:
                lines.append(f"      ({c.hint})")
        for name, why in self.skipped:
            lines.append(f"  – {name}: not run ({why})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"AuditReport({self.kind} {self.name!r}, findings={self.findings})"

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        for c in self.checks:
            hint = f"<b>{e(c.code)}</b>: {e(c.hint)}" if not c.ok else f"<i>{e(c.hint)}</i>"
            rows.append(
                f"<tr><td>{c.status}</td><td style='text-align:left'>{e(c.name)}</td>"
                f"<td>{e(format_value(c.expected))}</td><td>{e(format_value(c.got))}</td>"
                f"<td style='text-align:left'>{hint}</td></tr>"
            )
        for name, why in self.skipped:
            rows.append(
                f"<tr><td>–</td><td style='text-align:left'>{e(name)}</td><td></td><td></td>"
                f"<td style='text-align:left'>not run: {e(why)}</td></tr>"
            )
        return (
            f"<div><p><b>Audit of {e(self.kind)} <code>{e(self.name)}</code></b> ({e(self.setting)})<br>"
            + "".join(f"ℹ {e(note)}<br>" for note in self.notes)
            + f"{e(self._headline())}</p><table><thead><tr><th></th><th>check</th><th>expected</th>"
            f"<th>got</th><th>hint</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
