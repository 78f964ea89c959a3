"""How the audit calls what it audits, and how it runs its probes (private to ``helpers.audit``).

- :func:`safe_call`: the one place where an error raised by the learner's function becomes a
  finding (a failed :class:`~helpers.audit.report.Check` whose value got is the error) instead of
  ending the audit;
- :func:`call_metric`: one value of a metric, a function or a Keras metric instance, on NumPy inputs
  (:func:`call_metric_samples` also says how many samples Keras would count it for);
- :func:`explain_error`: the words for an error whose cause is known (TF1 or Keras 2 code, an extra
  required argument, NumPy code given tensors);
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

import re
import warnings
from typing import NamedTuple

import numpy as np

from helpers.audit.report import AuditReport, Check

__all__ = [
    "Skipped",
    "run_probes",
    "safe_call",
    "describe_error",
    "explain_error",
    "name_of",
    "is_keras_metric",
    "is_sparse_keras_mean_iou",
    "call_metric",
    "call_metric_samples",
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
    msg = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    first = msg[0] if msg else ""
    if first.startswith("in user code:"):  # tf.function: a traceback of the user's code, the cause last
        first = msg[-1]
        name = type(exc).__name__
        first = first[len(name) + 2 :] if first.startswith(f"{name}: ") else first
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
    """Whether ``obj`` is a stateful metric instance (streamed, not called): a ``keras.metrics.Metric``, or any
    object with ``reset_state``, ``update_state`` and ``result`` (a tf-keras / Keras 2 metric, say).

    >>> import keras
    >>> is_keras_metric(keras.metrics.OneHotMeanIoU(num_classes=3)), is_keras_metric(lambda y_true, y_pred: 0.0)
    (True, False)
    """
    if isinstance(obj, type):
        return False
    try:
        import keras
    except ImportError:  # pragma: no cover - the course always has Keras
        keras = None
    if keras is not None and isinstance(obj, keras.metrics.Metric):
        return True
    return all(callable(getattr(obj, name, None)) for name in ("reset_state", "update_state", "result"))


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
# why it raised: words for the causes we know
# --------------------------------------------------------------------------------------------
_TF1 = re.compile(
    r"has no attribute '(to_int32|to_int64|to_float|to_double|Session|InteractiveSession|placeholder|get_session|"
    r"set_session|local_variables_initializer|global_variables_initializer|variables_initializer|get_default_graph|"
    r"get_variable|contrib|mean_iou|streaming_mean_iou|Print)'|not compatible with eager execution|tf\.compat\.v1"
)
_KERAS2 = re.compile(
    r"module 'keras(\.src)?\.backend' has no attribute '(\w+)'|No module named 'keras\.(layers\.merge|engine)"
)
_MISSING_ARGUMENT = re.compile(r"missing (\d+) required (positional|keyword-only) arguments?: (.+)")
_NUMPY_ON_TENSORS = re.compile(
    r"'(tensorflow\.python\.framework\.ops\.)?(EagerTensor|SymbolicTensor|Tensor)' object has no attribute|"
    r"object has no attribute 'numpy'|Cannot convert a symbolic|numpy\(\) is only available"
)


def explain_error(error: str) -> str | None:
    """Words for an error whose cause is known, or None: the report then says what the input should be.

    >>> explain_error("AttributeError: module 'tensorflow' has no attribute 'to_int32'")[:40]
    'TF1 code (tf.to_int32, tf.Session, tf.me'
    >>> explain_error("TypeError: get_iou() missing 1 required positional argument: 'n_classes'")[:57]
    "It takes more than (y_true, y_pred): 'n_classes' is a req"
    >>> explain_error("ValueError: shapes (4, 16, 16) and (4, 16, 16, 5) differ") is None
    True
    """
    if _TF1.search(error):
        return (
            "TF1 code (tf.to_int32, tf.Session, tf.metrics.mean_iou, K.get_session ...) does not run in TensorFlow 2 "
            "and Keras 3: port it to TF2/Keras 3. A streaming mean IoU is a keras.metrics.Metric that accumulates "
            "a confusion matrix (keras.metrics.OneHotMeanIoU, helpers.keras.StreamingMeanIoU); casts are tf.cast."
        )
    keras2 = _KERAS2.search(error)
    if keras2:
        what = f"keras.backend.{keras2.group(2)}" if keras2.group(2) else "keras.layers.merge / keras.engine"
        return (
            f"Keras 2 code: {what} is gone in Keras 3. Use keras.ops (keras.ops.sum, keras.ops.reshape, "
            "keras.ops.abs) or tf.* (tf.reduce_sum); `from tensorflow.keras import backend as K` only runs on "
            "the legacy tf-keras."
        )
    missing = _MISSING_ARGUMENT.search(error)
    if missing:
        return (
            f"It takes more than (y_true, y_pred): {missing.group(3)} is a required argument, and Keras calls a "
            "metric with two. Bind the others first, e.g. functools.partial(fn, n_classes=5), or write a factory "
            "that returns f(y_true, y_pred)."
        )
    if _NUMPY_ON_TENSORS.search(error):
        return (
            "NumPy code given tensors: Keras calls a metric with tensors (symbolic ones, inside tf.function), which "
            "have no .argmax, .astype, .ravel or .numpy(). Write it with tf.* or keras.ops (tf.argmax, "
            "tf.reduce_sum, tf.math.confusion_matrix), or keep it for NumPy arrays after model.predict."
        )
    return None


# --------------------------------------------------------------------------------------------
# one value of a metric
# --------------------------------------------------------------------------------------------
def _to_float(v) -> tuple[float, int]:
    """The value as Keras's mean over batches would count it: (mean, number of samples)."""
    if hasattr(v, "numpy"):
        v = v.numpy()
    arr = np.asarray(v, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("the metric returned an empty array; return one number")
    # Keras averages a function metric's value per sample: a scalar is one sample, shape (B, ...) is B samples
    return float(arr.mean()), 1 if arr.ndim == 0 else int(arr.shape[0])


def _quietly(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def call_metric_samples(metric, y_true, y_pred, batches=None) -> tuple[float, int]:
    """``(value, samples)``: the metric's value on (y_true, y_pred), and how many samples Keras counts it for.

    A Keras Metric is reset and streamed through ``batches`` (slices of the first axis; one sample). A function
    is called once (``batches=None``), with NumPy arrays, and again with tensors if that raised; when both
    raise, the error on the arrays is kept if the one on tensors only says that it is NumPy code.
    """
    if is_keras_metric(metric):
        import tensorflow as tf

        def stream():
            metric.reset_state()
            for sl in batches or [slice(None)]:
                metric.update_state(tf.constant(y_true[sl]), tf.constant(y_pred[sl]))
            return _to_float(metric.result())[0], 1

        try:
            return _quietly(stream)
        finally:
            metric.reset_state()
    try:  # NumPy arrays first: TensorFlow ops accept them, and NumPy code needs them
        return _quietly(lambda: _to_float(metric(y_true, y_pred)))
    except Exception as on_arrays:
        import tensorflow as tf

        try:
            return _quietly(lambda: _to_float(metric(tf.constant(y_true), tf.constant(y_pred))))
        except Exception as on_tensors:
            if _NUMPY_ON_TENSORS.search(describe_error(on_tensors)):
                raise on_arrays from None
            raise


def call_metric(metric, y_true, y_pred, batches=None) -> float:
    """The metric's value on (y_true, y_pred); a Keras Metric is reset and streamed through ``batches``
    (slices of the first axis), a function is called once (``batches=None``).

    >>> import numpy as np
    >>> call_metric(lambda y_true, y_pred: np.ones(len(y_true)), np.zeros((2, 3)), np.zeros((2, 3)))
    1.0
    """
    return call_metric_samples(metric, y_true, y_pred, batches)[0]
