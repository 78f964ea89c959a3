"""How the audit calls what it audits, and how it runs its probes (private to ``helpers.audit``).

- :func:`safe_call`: the one place where an error raised by the learner's function becomes a
  finding (a failed :class:`~helpers.audit.report.Check` whose value got is the error) instead of
  ending the audit;
- :func:`call_metric`: one value of a metric, a function or a Keras metric instance, on NumPy inputs;
- :func:`run_probes`: the loop of :func:`audit_metric` and :func:`audit_loss` over their probes.

Examples
--------
>>> value, crash = safe_call(lambda: 1 / 0, check="divides", hint="It raised {error}.")
>>> value, crash.code, crash.got, crash.hint
(None, 'crashes', 'ZeroDivisionError: division by zero', 'It raised ZeroDivisionError: division by zero.')
>>> safe_call(lambda: 0.5, check="divides", hint="It raised {error}.")
(0.5, None)
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from helpers.audit.report import AuditReport, Check

__all__ = [
    "Skipped",
    "run_probes",
    "safe_call",
    "describe_error",
    "name_of",
    "is_keras_metric",
    "is_sparse_keras_mean_iou",
    "call_metric",
]


# --------------------------------------------------------------------------------------------
# running the probes
# --------------------------------------------------------------------------------------------
class Skipped(NamedTuple):
    """What a probe returns when it does not apply: its name and why (``– name: not run (why)``)."""

    name: str
    why: str


def run_probes(report: AuditReport, probes, subject) -> AuditReport:
    """Run each probe on ``subject`` in order and add its checks, or why it was skipped, to ``report``.

    A probe is a function ``probe(subject) -> list[Check] | Skipped``. When the first probe crashes,
    the audit stops there: every other probe uses the same standard inputs.

    >>> def runs(subject):
    ...     return [Check("runs", "crashes", "a number", "ValueError", False, "It raised ValueError.")]
    >>> def never_reached(subject):
    ...     return Skipped("labels out of range", "labels mode only")
    >>> print(run_probes(AuditReport("f", "metric", "5 classes"), [runs, never_reached], None))
    Audit of metric `f` (5 classes)
    ❌ 1 finding: crashes
      ❌ runs  expected a number, got ValueError
          [crashes] It raised ValueError.
    """
    for i, probe in enumerate(probes):
        outcome = probe(subject)
        if isinstance(outcome, Skipped):
            report.skipped.append((outcome.name, outcome.why))
            continue
        report.checks.extend(outcome)
        if i == 0 and any(check.code == "crashes" for check in outcome):
            break
    return report


# --------------------------------------------------------------------------------------------
# the one safe call: an error is a finding
# --------------------------------------------------------------------------------------------
def describe_error(exc: BaseException) -> str:
    """``"TypeName: first line of the message"``, cut to 160 characters."""
    msg = str(exc).strip().splitlines()
    first = msg[0] if msg else ""
    if len(first) > 160:
        first = first[:157] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def safe_call(call, *, check: str, hint: str, code: str = "crashes", expected="a number"):
    """``(call(), None)``, or ``(None, crash)`` when ``call()`` raised.

    ``crash`` is a failed :class:`Check` named ``check``, with finding ``code``, the value ``expected``,
    the error as the value got, and ``hint`` with ``{error}`` replaced by the error.
    """
    try:
        return call(), None
    except Exception as exc:
        error = describe_error(exc)
        return None, Check(check, code, expected, error, False, hint.format(error=error))


# --------------------------------------------------------------------------------------------
# what is audited
# --------------------------------------------------------------------------------------------
def name_of(obj) -> str:
    """The name the report gives the audited function or object."""
    name = getattr(obj, "__name__", None) or getattr(obj, "name", None)
    return str(name) if name else type(obj).__name__


def is_keras_metric(obj) -> bool:
    """Whether ``obj`` is a ``keras.metrics.Metric`` instance (streamed, not called)."""
    try:
        import keras
    except ImportError:  # pragma: no cover - the course always has Keras
        return False
    return isinstance(obj, keras.metrics.Metric)


def is_sparse_keras_mean_iou(obj) -> bool:
    """A ``keras.metrics.MeanIoU`` (not ``OneHotMeanIoU``) that still expects label maps."""
    if not is_keras_metric(obj):
        return False
    import keras

    return (
        isinstance(obj, keras.metrics.MeanIoU)
        and not isinstance(obj, keras.metrics.OneHotMeanIoU)
        and (getattr(obj, "sparse_y_true", False) or getattr(obj, "sparse_y_pred", False))
    )


# --------------------------------------------------------------------------------------------
# one value of a metric
# --------------------------------------------------------------------------------------------
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


def call_metric(metric, y_true, y_pred, batches=None) -> float:
    """The metric's value on (y_true, y_pred); a Keras Metric is reset and streamed through ``batches``
    (slices of the first axis), a function is called once (``batches=None``)."""
    if is_keras_metric(metric):
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
