"""Is my IoU right? Audit any segmentation metric or loss on small inputs whose answers are known.

:func:`audit_metric` runs a metric, a function ``f(y_true, y_pred) -> scalar`` (TensorFlow or NumPy
code) or a ``keras.metrics.Metric`` instance (``reset_state`` / ``update_state`` / ``result``), on a
handful of probes, each built so that **one defect trips one check**: a perfect, an all-wrong and a
uniform prediction; the same argmax at low and high confidence; a class absent from truth and
prediction; a value that Dice and IoU tell apart; the same data in batches of 1 and of 4; void
pixels; labels out of range. :func:`audit_loss` does the same for a loss: gradients, the minimum at
the truth, class weighting, NaN and inf.

Inputs, like Keras passes them: ``y_true`` one-hot float32 ``(B, H, W, C)`` (or integer label maps
``(B, H, W)`` with ``y_true="labels"``), ``y_pred`` softmax probabilities float32 ``(B, H, W, C)``;
4 images of 16 x 16 pixels (wider for more than 8 classes), the same every run.

Both return an :class:`AuditReport`: ``.passed``, ``.findings`` (codes from :data:`METRIC_FINDINGS`
or :data:`LOSS_FINDINGS`) and ``.checks`` (name, expected, got, ✅/❌, hint). It prints as text and
shows as a table in Jupyter. From a shell::

    python -m helpers.audit path/to/file.py:function_name [--num-classes 5] [--labels]
                                                            [--ignore-index 255] [--loss]

Examples
--------
>>> from helpers.course.buggy import mean_iou
>>> audit_metric(mean_iou, num_classes=5).findings
['constant_output', 'threshold_not_argmax']
>>> import numpy as np
>>> def argmax_iou(y_true, y_pred):       # correct IoU of one batch, as a Keras function metric
...     t, p = y_true.argmax(-1).ravel(), y_pred.argmax(-1).ravel()
...     cm = np.bincount(t * 5 + p, minlength=25).reshape(5, 5)
...     tp = np.diag(cm); union = cm.sum(0) + cm.sum(1) - tp
...     return np.mean(tp[union > 0] / union[union > 0])
>>> audit_metric(argmax_iou, num_classes=5).findings          # the lesson of notebook 03
['batch_dependent']
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers._native import quiet_native_stderr

__all__ = [
    "METRIC_FINDINGS",
    "LOSS_FINDINGS",
    "Check",
    "AuditReport",
    "audit_metric",
    "audit_loss",
    "main",
]

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
}
"""Finding codes of :func:`audit_metric` and what each means (``non_finite`` extends the issue's list)."""

LOSS_FINDINGS = {
    "crashes": "the loss raises on a standard input",
    "no_gradient": "zero or missing gradients on soft predictions (e.g. an argmax or round inside)",
    "not_minimised_by_truth": "the exact truth is not the best prediction",
    "pixel_weighted": "blind to which class errors fall in: moving errors from a large class to a small one "
    "leaves the value unchanged",
    "non_finite": "NaN or inf on empty classes, float16 inputs or all-zero predictions",
}
"""Finding codes of :func:`audit_loss` and what each means."""

PASS = "✅"
FAIL = "❌"
_TOL = 1e-4  # float32 metrics on a few thousand pixels agree with the float64 answers to ~1e-6
_H = 16


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
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


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return "nan" if np.isnan(v) else f"{float(v):.4f}"
    return str(v)


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
        lines = [f"Audit of {self.kind} `{self.name}` ({self.setting})", self._headline()]
        width = max(len(c.name) for c in self.checks) if self.checks else 0
        for c in self.checks:
            lines.append(f"  {c.status} {c.name:<{width}}  expected {_fmt(c.expected)}, got {_fmt(c.got)}")
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
                f"<td>{e(_fmt(c.expected))}</td><td>{e(_fmt(c.got))}</td>"
                f"<td style='text-align:left'>{hint}</td></tr>"
            )
        for name, why in self.skipped:
            rows.append(
                f"<tr><td>–</td><td style='text-align:left'>{e(name)}</td><td></td><td></td>"
                f"<td style='text-align:left'>not run: {e(why)}</td></tr>"
            )
        return (
            f"<div><p><b>Audit of {e(self.kind)} <code>{e(self.name)}</code></b> ({e(self.setting)})<br>"
            f"{e(self._headline())}</p><table><thead><tr><th></th><th>check</th><th>expected</th>"
            f"<th>got</th><th>hint</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )


# --------------------------------------------------------------------------------------------
# probe data: deterministic, every class in every image, errors where we put them
# --------------------------------------------------------------------------------------------
def _width(c: int) -> int:
    return max(_H, 2 * c)


def _strip_images(c: int, n: int = 4, seed: int = 0) -> np.ndarray:
    """``n`` label maps (n, 16, W) of vertical strips, one per class, widths differing by image."""
    w = _width(c)
    rng = np.random.default_rng(seed)
    probs = np.full(c, 0.5 / (c - 1))
    probs[0] = 0.5  # background is the largest class, as in real data
    out = np.empty((n, _H, w), dtype=np.int64)
    for i in range(n):
        widths = 1 + rng.multinomial(w - c, probs)
        out[i] = np.repeat(np.arange(c), widths)[None, :]
    return out


def _shifted(labels: np.ndarray, k: int = 1) -> np.ndarray:
    """A prediction with errors at the left edge of every strip (the truth rolled by k columns)."""
    return np.roll(labels, k, axis=-1)


def _probs(labels: np.ndarray, c: int, confidence: float) -> np.ndarray:
    p = np.full(labels.shape + (c,), (1.0 - confidence) / (c - 1), dtype=np.float32)
    np.put_along_axis(p, labels[..., None], np.float32(confidence), axis=-1)
    return p


def _one_hot(labels: np.ndarray, c: int) -> np.ndarray:
    """One-hot float32; labels outside [0, c) (void) become all-zero rows."""
    valid = (labels >= 0) & (labels < c)
    out = np.zeros(labels.shape + (c,), dtype=np.float32)
    np.put_along_axis(out, np.where(valid, labels, 0)[..., None], 1.0, axis=-1)
    return out * valid[..., None]


def _scores(cm: np.ndarray, kind: str = "iou") -> np.ndarray:
    cm = cm.astype(np.float64)
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    num, den = (2 * tp, union + tp) if kind == "dice" else (tp, union)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, num / np.where(union > 0, den, 1), np.nan)


def _cm(t: np.ndarray, p: np.ndarray, c: int) -> np.ndarray:
    return np.bincount((t * c + p).ravel(), minlength=c * c).reshape(c, c)


def _mean(t, p, c, *, kind="iou", absent="exclude") -> float:
    """Dataset-level mean IoU (or Dice) with a given absent-class convention, float64."""
    s = _scores(_cm(t, p, c), kind)
    if absent == "exclude":
        return float(np.nanmean(s))
    return float(np.mean(np.nan_to_num(s, nan=0.0 if absent == "zero" else 1.0)))


# --------------------------------------------------------------------------------------------
# calling the thing under audit
# --------------------------------------------------------------------------------------------
def _is_keras_metric(obj) -> bool:
    try:
        import keras
    except ImportError:  # pragma: no cover - the course always has Keras
        return False
    return isinstance(obj, keras.metrics.Metric)


def _is_sparse_keras_mean_iou(obj) -> bool:
    """A ``keras.metrics.MeanIoU`` (not ``OneHotMeanIoU``) that still expects label maps."""
    if not _is_keras_metric(obj):
        return False
    import keras

    return (
        isinstance(obj, keras.metrics.MeanIoU)
        and not isinstance(obj, keras.metrics.OneHotMeanIoU)
        and (getattr(obj, "sparse_y_true", False) or getattr(obj, "sparse_y_pred", False))
    )


def _to_float(v) -> float:
    if hasattr(v, "numpy"):
        v = v.numpy()
    arr = np.asarray(v, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("the metric returned an empty array; return one number")
    return float(arr.mean())  # Keras averages a non-scalar function-metric value the same way


def _quietly(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def _call_metric(metric, y_true, y_pred, batches=None) -> float:
    """The metric's value on (y_true, y_pred); a Keras Metric is reset and streamed through ``batches``
    (slices of the first axis), a function is called once (``batches=None``)."""
    if _is_keras_metric(metric):
        import tensorflow as tf

        def stream():
            metric.reset_state()
            for sl in batches or [slice(None)]:
                metric.update_state(tf.constant(y_true[sl]), tf.constant(y_pred[sl]))
            return _to_float(metric.result())

        try:
            return _quietly(stream)
        finally:
            metric.reset_state()
    try:  # NumPy arrays first: TensorFlow ops accept them, and NumPy code needs them
        return _quietly(lambda: _to_float(metric(y_true, y_pred)))
    except Exception:
        import tensorflow as tf

        return _quietly(lambda: _to_float(metric(tf.constant(y_true), tf.constant(y_pred))))


def _describe_error(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    first = msg[0] if msg else ""
    if len(first) > 160:
        first = first[:157] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _name_of(obj) -> str:
    name = getattr(obj, "__name__", None) or getattr(obj, "name", None)
    return str(name) if name else type(obj).__name__


def _check_num_classes(num_classes) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(
            f"num_classes must be an int >= 2, got {num_classes!r}; pass the number of classes "
            "of the metric, e.g. audit_metric(mean_iou, num_classes=5)."
        )
    return int(num_classes)


# --------------------------------------------------------------------------------------------
# audit_metric
# --------------------------------------------------------------------------------------------
def audit_metric(metric, *, num_classes: int, y_true: str = "one_hot", ignore_index: int | None = None) -> AuditReport:
    """Run a segmentation metric on probes with known answers and report what is wrong with it.

    Parameters
    ----------
    metric : callable or keras.metrics.Metric
        A function ``f(y_true, y_pred) -> scalar`` (TensorFlow or NumPy code; it is called with NumPy
        arrays, and again with tensors if that fails) or a Keras metric **instance**, which is reset,
        updated and read (``reset_state`` / ``update_state`` / ``result``) for every probe, and left reset.
    num_classes : int
        Number of classes ``C`` (>= 2); ``y_pred`` has ``C`` channels.
    y_true : {"one_hot", "labels"}, default "one_hot"
        How the metric takes the truth: one-hot float32 ``(B, H, W, C)`` or int32 label maps ``(B, H, W)``.
    ignore_index : int, optional
        The void label the metric claims to leave out (outside ``[0, C)``, e.g. 255). Void pixels are that
        label in label maps, and all-zero rows in one-hot masks. Checked only when given.

    Returns
    -------
    AuditReport
        ``findings`` are codes of :data:`METRIC_FINDINGS`. A correct function metric of one batch is
        still ``batch_dependent``: Keras averages it over batches (notebook 03).

    Examples
    --------
    >>> import keras
    >>> audit_metric(keras.metrics.OneHotMeanIoU(num_classes=5), num_classes=5).passed
    True
    >>> audit_metric(keras.metrics.MeanIoU(num_classes=5), num_classes=5).findings   # wants labels
    ['constant_output', 'threshold_not_argmax']
    """
    c = _check_num_classes(num_classes)
    if y_true not in ("one_hot", "labels"):
        raise ValueError(
            f"y_true must be 'one_hot' or 'labels', got {y_true!r}: say how the metric takes the "
            "truth, one-hot (B, H, W, C) or label maps (B, H, W)."
        )
    if ignore_index is not None:
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
            raise ValueError(f"ignore_index must be an int or None, got {ignore_index!r}; e.g. ignore_index=255.")
        if 0 <= ignore_index < c:
            raise ValueError(
                f"ignore_index={ignore_index} is a real class (0..{c - 1}); a void label lies outside "
                "[0, num_classes), e.g. 255."
            )
        ignore_index = int(ignore_index)
    if isinstance(metric, type):
        raise ValueError(
            f"pass a metric instance or a function, not the class {metric.__name__}: e.g. "
            f"audit_metric({metric.__name__}(num_classes={c}), num_classes={c})."
        )
    if not callable(metric) and not _is_keras_metric(metric):
        raise ValueError(
            f"metric must be a function f(y_true, y_pred) or a keras.metrics.Metric instance, "
            f"got {type(metric).__name__}."
        )
    labels_mode = y_true == "labels"
    void_code = ignore_index if ignore_index is not None else 255

    def truth(labels):
        if labels_mode:  # -1 marks void in the probes: label maps carry ignore_index there
            return np.where(labels < 0, void_code, labels).astype(np.int32)
        return _one_hot(labels, c)

    def run(t_labels, p, batches=None):
        return _call_metric(metric, truth(t_labels), p, batches)

    kind = "Keras metric instance" if _is_keras_metric(metric) else "function"
    setting = (
        f"{kind}, {c} classes; y_true {'int32 label maps (B, H, W)' if labels_mode else 'one-hot float32 (B, H, W, C)'}"
        f", y_pred softmax float32 (B, H, W, C)"
        + (f", ignore_index={ignore_index}" if ignore_index is not None else "")
    )
    report = AuditReport(_name_of(metric), "metric", setting)
    add = report.checks.append

    std = _strip_images(c)  # 4 images, every class in each
    conf = 0.8

    # 1. a perfect prediction: also the "does it run at all" probe
    try:
        v_perfect = run(std, _probs(std, c, conf))
    except Exception as exc:
        add(
            Check(
                "runs on one-hot y_true and softmax y_pred"
                if not labels_mode
                else "runs on label maps and softmax y_pred",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The metric raised {_describe_error(exc)}; make it take y_true as "
                f"{'int label maps (B, H, W)' if labels_mode else 'one-hot float32 (B, H, W, C)'} and y_pred as "
                "softmax "
                "probabilities (B, H, W, C), as Keras passes them (for label maps try y_true='labels').",
            )
        )
        return report

    def value_check(name, code, expected, got_fn, hint_fn, *, compare=None):
        """Run one probe; a crash is `crashes`, a NaN/inf `non_finite`, else `compare` decides."""
        try:
            got = got_fn()
        except Exception as exc:
            add(
                Check(
                    name,
                    "crashes",
                    _fmt(expected),
                    _describe_error(exc),
                    False,
                    f"The metric raised {_describe_error(exc)} on this standard input: it must handle it.",
                )
            )
            return None
        if not np.isfinite(got):
            add(
                Check(
                    name,
                    "non_finite",
                    expected,
                    got,
                    False,
                    f"The metric returned {got} here: a class absent from truth and prediction is 0/0; leave "
                    "it out of the mean (tf.math.divide_no_nan and a mask of present classes, or np.nanmean).",
                )
            )
            return None
        ok, hint = compare(got) if compare else (abs(got - expected) <= _TOL, hint_fn(got))
        if ok and abs(got - expected) > _TOL:  # another defect moved the value; this one is not it
            hint = "not the defect this check looks for, but the value is off: see the other findings"
        add(Check(name, code, expected, got, ok, "" if ok and not hint.startswith("not the defect") else hint))
        return got

    # 2-4. perfect, all-wrong, uniform; 5. constant output
    wrong = (std + 1) % c
    uniform = np.full(std.shape + (c,), 1.0 / c, dtype=np.float32)
    try:
        v_wrong = run(std, _probs(wrong, c, conf))
        v_uniform = run(std, uniform)
    except Exception as exc:
        add(
            Check(
                "all-wrong and uniform predictions",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The metric raised {_describe_error(exc)} on a standard input: it must handle any softmax output.",
            )
        )
        return report
    values = (v_perfect, v_wrong, v_uniform)
    finite = all(np.isfinite(values))
    constant = finite and max(values) - min(values) <= 1e-6
    if not finite:
        add(
            Check(
                "perfect, all-wrong and uniform predictions are finite",
                "non_finite",
                "finite numbers",
                ", ".join(_fmt(v) for v in values),
                False,
                "The metric returned NaN or inf on a standard input: guard every division (tf.math.divide_no_nan) "
                "and leave classes absent from truth and prediction out of the mean.",
            )
        )
    else:
        add(
            Check(
                "perfect, all-wrong and uniform predictions score differently",
                "constant_output",
                "three different values",
                ", ".join(_fmt(v) for v in values),
                not constant,
                ""
                if not constant
                else f"Every prediction scores {_fmt(v_perfect)}: the value ignores y_pred. "
                + (
                    "keras.metrics.MeanIoU with sparse_y_true/sparse_y_pred left True takes one-hot masks and "
                    "probabilities for label maps (it casts the probabilities to int, so every one below 1 becomes "
                    "class 0): use keras.metrics.OneHotMeanIoU(num_classes=C), or MeanIoU(..., "
                    "sparse_y_true=False, sparse_y_pred=False)."
                    if _is_sparse_keras_mean_iou(metric)
                    else "A cast to int before rounding truncates every probability below 1 to 0 "
                    "(tf.round(tf.cast(p, tf.int32))); take tf.argmax(y_pred, axis=-1) instead."
                ),
            )
        )
        p_code = "constant_output" if constant else "perfect_not_one"
        ok = abs(v_perfect - 1.0) <= _TOL
        add(
            Check(
                "perfect prediction scores 1",
                p_code,
                1.0,
                v_perfect,
                ok,
                ""
                if ok
                else "see constant_output"
                if constant
                else f"A perfect prediction scores {_fmt(v_perfect)}, not 1: the union is |A| + |B| - |A∩B| (the "
                "overlap "
                "counted once); check it and any smoothing term.",
            )
        )
        w_code = "constant_output" if constant else "all_wrong_not_zero"
        ok = v_wrong <= _TOL
        add(
            Check(
                "all-wrong prediction scores 0",
                w_code,
                0.0,
                v_wrong,
                ok,
                ""
                if ok
                else "see constant_output"
                if constant
                else f"A prediction wrong at every pixel scores {_fmt(v_wrong)}, not 0: +1 smoothing or counting true "
                "negatives ((TP + TN) / N is accuracy, not IoU) rewards it; IoU = TP / (TP + FP + FN), no +1.",
            )
        )

    # 6. threshold: the same argmax at low confidence and as one-hot
    same = np.repeat(std[:1], 2, axis=0)  # identical images: per-image and batch-level agree
    pred_same = _shifted(same)
    low = 0.4 if c >= 3 else 0.6  # below 0.5 when it can be, still the argmax
    try:
        v_hard = run(same, _one_hot(pred_same, c))
    except Exception as exc:
        v_hard = None
        add(
            Check(
                "one-hot predictions",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The metric raised {_describe_error(exc)} on one-hot predictions: it must handle them.",
            )
        )
    if v_hard is not None and np.isfinite(v_hard):
        value_check(
            f"same argmax at confidence {low} and 1 scores the same",
            "threshold_not_argmax",
            v_hard,
            lambda: run(same, _probs(pred_same, c, low)),
            lambda got: (
                f"Probabilities with the same argmax score {_fmt(got)} instead of {_fmt(v_hard)}: the "
                "metric rounds or thresholds each channel (a pixel at [.4, .15, .15, .15, .15] gets no "
                "class); take tf.argmax(y_pred, axis=-1) so each pixel gets exactly one class."
            ),
        )

    # 7. absent classes (needs a third class to be absent while two are present)
    if c >= 3:
        absent = np.zeros((2, _H, _width(c)), dtype=np.int64)
        absent[..., (10 * _width(c)) // 16 :] = 1
        p_absent = _shifted(absent)
        want = _mean(absent, p_absent, c)
        as_zero = _mean(absent, p_absent, c, absent="zero")
        as_one = _mean(absent, p_absent, c, absent="one")

        got = value_check(
            f"classes 2..{c - 1} absent from truth and prediction are left out",
            "absent_class_as_zero",
            want,
            lambda: run(absent, _probs(p_absent, c, conf)),
            None,
            compare=lambda g: (not (abs(g - as_zero) <= _TOL or abs(g - as_one) <= _TOL), ""),
        )
        if got is not None and not report.checks[-1].ok:
            chk = report.checks[-1]
            if abs(got - as_one) <= _TOL:
                chk.code = "absent_class_as_one"
                chk.hint = (
                    f"It scores {_fmt(got)} = the mean with each absent class counted as 1 (a reward for "
                    f"nothing, typical of +1 or +epsilon smoothing); leave absent classes out: {_fmt(want)}."
                )
            else:
                chk.hint = (
                    f"It scores {_fmt(got)} = the mean with each absent class counted as 0 (dividing by all "
                    f"{c} classes); leave classes absent from truth and prediction out: {_fmt(want)}."
                )
    else:
        report.skipped.append(("absent classes", "needs num_classes >= 3"))

    # 8. Dice or IoU
    want = _mean(same, pred_same, c)
    dice = _mean(same, pred_same, c, kind="dice")
    value_check(
        "IoU, not Dice",
        "dice_not_iou",
        want,
        lambda: run(same, _probs(pred_same, c, conf)),
        None,
        compare=lambda g: (
            abs(g - dice) > _TOL,
            f"It scores {_fmt(g)} = the mean Dice coefficient 2|A∩B| / (|A| + |B|); IoU is "
            f"|A∩B| / |A∪B| = {_fmt(want)} here (IoU = Dice / (2 - Dice)).",
        ),
    )

    # 9. batch size: Keras's mean over batches of 1 vs one batch of 4
    pred_std = _shifted(std)
    p_std = _probs(pred_std, c, conf)
    singles = [slice(i, i + 1) for i in range(len(std))]
    try:
        if _is_keras_metric(metric):
            v_all = run(std, p_std)
            v_ones = run(std, p_std, batches=singles)
            how = "streamed in batches of 1"
        else:
            v_all = run(std, p_std)
            v_ones = float(np.mean([run(std[s], p_std[s]) for s in singles]))
            how = "Keras's mean over batches of 1"
        value_check(
            "the same value for batch size 1 and 4",
            "batch_dependent",
            v_all,
            lambda: v_ones,
            lambda got: (
                f"{how} gives {_fmt(got)}, one batch of 4 gives {_fmt(v_all)}: Keras reports the mean of "
                "per-batch values, which is not the dataset's IoU. Accumulate one confusion matrix "
                "in a keras.metrics.Metric (e.g. helpers.keras.metrics.StreamingMeanIoU)."
            ),
        )
    except Exception as exc:
        add(
            Check(
                "the same value for batch size 1 and 4",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The metric raised {_describe_error(exc)} on a batch of one image: it must handle any batch size.",
            )
        )

    # 10. void pixels, exactly where the prediction is wrong
    if ignore_index is not None:  # identical images: per-image and batch-level metrics agree
        void = pred_same != same
        t_void = np.where(void, -1, same)  # -1: void (label maps get ignore_index, one-hot an all-zero row)
        want = _mean(same[~void], pred_same[~void], c)
        counted = {f"as class {k}": _mean(np.where(void, k, same), pred_same, c) for k in range(c)}
        cm = _cm(same[~void], pred_same[~void], c)
        extra = np.bincount(pred_same[void], minlength=c)
        tp = np.diag(cm).astype(float)
        union = cm.sum(0) + cm.sum(1) - tp + extra
        with np.errstate(invalid="ignore", divide="ignore"):
            counted["as false positives"] = float(
                np.nanmean(np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan))
            )
        where = "label maps" if labels_mode else "one-hot (all-zero rows)"

        def void_verdict(g):
            for how_, v in counted.items():
                if abs(g - v) <= _TOL and abs(v - want) > _TOL:
                    return False, (
                        f"Void pixels ({where}, ignore_index={ignore_index}) were counted {how_}: it scores "
                        f"{_fmt(g)} instead of {_fmt(want)}; drop void pixels from truth and prediction before "
                        "counting (tf.boolean_mask, or StreamingMeanIoU(..., ignore_index=255))."
                    )
            return True, ""

        value_check(
            f"void pixels (ignore_index={ignore_index}) are left out",
            "ignore_label_counted",
            want,
            lambda: run(t_void, _probs(pred_same, c, conf)),
            None,
            compare=void_verdict,
        )
    else:
        report.skipped.append(("void pixels", "pass ignore_index to check them"))

    # 11. labels out of range must raise
    if labels_mode:
        bad_label = c if ignore_index != c else c + 1
        t_bad = std.copy()
        t_bad[:, :2, 0] = bad_label
        try:
            got = _call_metric(metric, t_bad.astype(np.int32), p_std)
        except Exception as exc:
            add(
                Check(
                    f"label {bad_label} (outside [0, {c})) raises an error",
                    "out_of_range_dropped",
                    "an error",
                    _describe_error(exc),
                    True,
                )
            )
        else:
            keep = t_bad != bad_label
            dropped = _mean(std[keep], pred_std[keep], c)
            how = "as if those pixels did not exist" if abs(got - dropped) <= _TOL else "without a word"
            add(
                Check(
                    f"label {bad_label} (outside [0, {c})) raises an error",
                    "out_of_range_dropped",
                    "an error",
                    got,
                    False,
                    f"Pixels labelled {bad_label} were scored {how} ({_fmt(got)}): raise an error on labels "
                    f"outside [0, {c}) that are not ignore_index, so a wrong num_classes or an unmapped void "
                    "label (255) is found instead of silently changing the result.",
                )
            )
    else:
        report.skipped.append(("labels out of range", "labels mode only (y_true='labels')"))
    return report


# --------------------------------------------------------------------------------------------
# audit_loss
# --------------------------------------------------------------------------------------------
def audit_loss(loss, *, num_classes: int) -> AuditReport:
    """Check a segmentation loss ``loss(y_true_one_hot, y_pred_probs) -> scalar``, differentiable in TensorFlow.

    Probes: gradients w.r.t. soft predictions (``no_gradient``); the exact truth scores no more than
    a confident, a shifted, a uniform and an all-background prediction (``not_minimised_by_truth``);
    the same errors moved from the large class to a small one change the value (``pixel_weighted``);
    finite values and gradients on empty classes, float16 inputs, all-zero and one-hot predictions
    (``non_finite``).

    Returns
    -------
    AuditReport
        ``findings`` are codes of :data:`LOSS_FINDINGS`.

    Examples
    --------
    >>> from helpers.course.buggy import iou_loss
    >>> audit_loss(iou_loss, num_classes=5).findings
    ['pixel_weighted']
    """
    import tensorflow as tf

    c = _check_num_classes(num_classes)
    if isinstance(loss, type):
        raise ValueError(
            f"pass a loss instance or a function, not the class {loss.__name__}: e.g. "
            f"audit_loss({loss.__name__}(), num_classes={c})."
        )
    if not callable(loss):
        raise ValueError(
            f"loss must be a function loss(y_true, y_pred) or a keras.losses.Loss instance, got {type(loss).__name__}."
        )
    report = AuditReport(
        _name_of(loss), "loss", f"{c} classes; y_true one-hot float32 (B, H, W, C), y_pred softmax float32 (B, H, W, C)"
    )
    add = report.checks.append

    def value(t, p, dtype=tf.float32):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(tf.cast(tf.reduce_mean(loss(tf.constant(t, dtype), tf.constant(p, dtype))), tf.float64))

    std = _strip_images(c)
    y = _one_hot(std, c)
    soft = _probs(_shifted(std), c, 0.6)

    try:
        value(y, soft)
    except Exception as exc:
        add(
            Check(
                "runs on one-hot y_true and softmax y_pred",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The loss raised {_describe_error(exc)}; make it take one-hot float32 y_true (B, H, W, C) and softmax "
                "probabilities y_pred (B, H, W, C), as Keras passes them.",
            )
        )
        return report

    # gradient w.r.t. soft predictions
    p_var = tf.Variable(soft)
    try:
        with tf.GradientTape() as tape:
            out = tf.reduce_mean(loss(tf.constant(y), p_var))
        grad = tape.gradient(out, p_var)
    except Exception as exc:
        add(
            Check(
                "gradient w.r.t. y_pred",
                "no_gradient",
                "non-zero",
                _describe_error(exc),
                False,
                f"Taking the gradient raised {_describe_error(exc)}: an op inside the loss is not differentiable; "
                "compute the loss on the probabilities (soft IoU).",
            )
        )
        grad = None
        out = None
    if out is not None:
        if grad is None or not np.any(np.abs(grad.numpy()) > 0):
            add(
                Check(
                    "gradient w.r.t. y_pred",
                    "no_gradient",
                    "non-zero",
                    "None" if grad is None else "all zero",
                    False,
                    "No gradient reaches y_pred: argmax, round or a cast to int inside the loss cut it; compute the "
                    "loss on the probabilities themselves (soft IoU: I = sum(y * p), U = sum(y) + sum(p) - I).",
                )
            )
        elif not np.all(np.isfinite(grad.numpy())):
            add(
                Check(
                    "gradient w.r.t. y_pred is finite",
                    "non_finite",
                    "finite",
                    "NaN or inf",
                    False,
                    "The gradient holds NaN or inf: guard divisions (tf.math.divide_no_nan) and clip before log or "
                    "sqrt.",
                )
            )
        else:
            add(
                Check(
                    "gradient w.r.t. y_pred",
                    "no_gradient",
                    "non-zero",
                    f"max |g| = {float(np.abs(grad.numpy()).max()):.2e}",
                    True,
                )
            )

    # the minimum at the truth
    v_truth = None
    try:
        v_truth = value(y, y)
    except Exception as exc:
        add(
            Check(
                "exact truth as prediction",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The loss raised {_describe_error(exc)} when y_pred equals y_true.",
            )
        )
    if v_truth is not None and np.isfinite(v_truth):
        alternatives = {
            "a confident correct prediction (0.8)": _probs(std, c, 0.8),
            "a shifted prediction": soft,
            "a uniform prediction": np.full(y.shape, 1.0 / c, np.float32),
            "all background": _one_hot(np.zeros_like(std), c),
        }
        worst_name, worst = None, np.inf
        for name, p in alternatives.items():
            try:
                v = value(y, p)
            except Exception:
                continue
            if np.isfinite(v) and v < worst:
                worst_name, worst = name, v
        ok = worst >= v_truth - 1e-6
        add(
            Check(
                "the exact truth has the lowest loss",
                "not_minimised_by_truth",
                f"<= {worst:.4f}",
                v_truth,
                ok,
                ""
                if ok
                else f"{worst_name} scores {worst:.4f}, lower than the exact truth ({v_truth:.4f}): the loss "
                "must be lowest when y_pred equals y_true; check its sign (loss = 1 - IoU, not IoU).",
            )
        )

    # class weighting: move k errors from the large class (0) to a small one (1)
    base = std[:1]
    k = int(min((base == 1).sum(), (base == 0).sum()) // 2) or 1
    idx0 = np.flatnonzero(base.ravel() == 0)[:k]
    idx1 = np.flatnonzero(base.ravel() == 1)[:k]
    pred_a = base.ravel().copy()
    pred_a[idx0] = 1  # k background pixels predicted as class 1
    pred_b = base.ravel().copy()
    pred_b[idx1] = 0  # k class-1 pixels predicted as background
    y_base = _one_hot(base, c)
    try:
        va = value(y_base, _probs(pred_a.reshape(base.shape), c, 0.8))
        vb = value(y_base, _probs(pred_b.reshape(base.shape), c, 0.8))
        n0, n1 = int((base == 0).sum()), int((base == 1).sum())
        ok = abs(va - vb) > 1e-6
        add(
            Check(
                f"{k} errors in class 0 ({n0} px) vs in class 1 ({n1} px) score differently",
                "pixel_weighted",
                "two different values",
                f"{va:.4f}, {vb:.4f}",
                ok,
                ""
                if ok
                else f"Moving {k} errors from the large class ({n0} pixels) to a small one ({n1}) leaves the "
                f"loss at {va:.4f}: it weighs pixels, not classes, so background dominates and small classes are "
                "ignored; average a per-class soft IoU over the classes present (soft_jaccard_loss), alone or with "
                "cross-entropy.",
            )
        )
    except Exception as exc:
        add(
            Check(
                "errors moved between classes",
                "crashes",
                "a number",
                _describe_error(exc),
                False,
                f"The loss raised {_describe_error(exc)} on a standard input.",
            )
        )

    # non-finite values
    empty = np.zeros((2, _H, _width(c)), dtype=np.int64)
    empty[..., _width(c) // 2 :] = 1
    y_empty = _one_hot(empty, c)  # classes 2.. absent from the truth
    cases = {
        "classes absent from the truth": (y_empty, _probs(_shifted(empty), c, 0.6), tf.float32),
        "classes absent from truth and prediction": (y_empty, y_empty, tf.float32),
        "float16 inputs": (y, soft, tf.float16),
        "all-zero predictions": (y_empty, np.zeros_like(y_empty), tf.float32),
    }
    bad = []
    for name, (t, p, dt) in cases.items():
        try:
            with quiet_native_stderr():  # float16 on a CPU without AVX-512: a one-off C++ fallback notice
                v = value(t, p, dt)
        except Exception as exc:
            bad.append(f"{name}: {_describe_error(exc)}")
            continue
        if not np.isfinite(v):
            bad.append(f"{name}: {v}")
    add(
        Check(
            "finite on empty classes, float16 and all-zero predictions",
            "non_finite",
            "finite",
            "; ".join(bad) if bad else "finite",
            not bad,
            ""
            if not bad
            else "The loss fails on " + "; ".join(bad) + ". Guard divisions (tf.math.divide_no_nan), "
            "clip before log, leave classes absent from the truth out, and compute sums in float32.",
        )
    )
    return report


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------
def _load_object(spec: str):
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise SystemExit(f"expected path/to/file.py:function_name, got {spec!r}")
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"no such file: {file}")
    module_spec = importlib.util.spec_from_file_location(f"_audited_{file.stem}", file)
    module = importlib.util.module_from_spec(module_spec)
    sys.path.insert(0, str(file.resolve().parent))
    try:
        module_spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    if not hasattr(module, name):
        public = sorted(n for n in vars(module) if not n.startswith("_") and callable(getattr(module, n)))
        raise SystemExit(f"{file} has no {name!r}; callables there: {', '.join(public) or 'none'}")
    return getattr(module, name)


def main(argv=None) -> int:
    """``python -m helpers.audit file.py:name``: print the audit report; exit 0 if it passed, 1 if not."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.audit", description="Audit a segmentation metric (default) or loss (--loss)."
    )
    parser.add_argument("target", help="path/to/file.py:function_name (a function, or a Keras metric instance)")
    parser.add_argument("--num-classes", type=int, default=5, help="number of classes (default 5)")
    parser.add_argument("--labels", action="store_true", help="the metric takes label maps (B, H, W) as y_true")
    parser.add_argument("--ignore-index", type=int, default=None, help="void label the metric leaves out, e.g. 255")
    parser.add_argument("--loss", action="store_true", help="audit a loss instead of a metric")
    args = parser.parse_args(argv)
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    obj = _load_object(args.target)
    if args.loss:
        report = audit_loss(obj, num_classes=args.num_classes)
    else:
        report = audit_metric(
            obj,
            num_classes=args.num_classes,
            y_true="labels" if args.labels else "one_hot",
            ignore_index=args.ignore_index,
        )
    print(report)
    return 0 if report.passed else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
