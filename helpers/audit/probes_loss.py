"""The probes of :func:`audit_loss`: one function per probe, each built so that one defect trips one check.

Every probe takes the :class:`LossUnderAudit`, builds inputs whose answer is known
(:mod:`helpers.audit.known_answers`), calls the loss through :func:`~helpers.audit._calling.safe_call`
(an error is a finding) and returns its checks. :data:`LOSS_PROBES` lists them in the order the report
shows them.

Examples
--------
>>> from helpers.course.buggy import iou_loss        # the question's loss: one IoU over all pixels
>>> loss = LossUnderAudit(iou_loss, num_classes=5)
>>> [(check.code, check.ok) for check in minimum_at_truth(loss) + class_weighting(loss)]
[('not_minimised_by_truth', True), ('pixel_weighted', False)]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np

from helpers._native import quiet_native_stderr
from helpers._validation import check_num_classes
from helpers.audit._calling import name_of, run_probes, safe_call
from helpers.audit.known_answers import H, one_hot, probs, shifted, strip_images, width
from helpers.audit.report import AuditReport, Check

__all__ = [
    "audit_loss",
    "LossUnderAudit",
    "LOSS_PROBES",
    "runs",
    "gradient",
    "minimum_at_truth",
    "class_weighting",
    "finite_values",
]


@dataclass
class LossUnderAudit:
    """The loss and how the probes feed it: ``value(y_true, y_pred)`` is its mean, as a Python float."""

    loss: object
    num_classes: int

    def value(self, t: np.ndarray, p: np.ndarray, dtype: str = "float32") -> float:
        import tensorflow as tf

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self.loss(tf.constant(t, dtype), tf.constant(p, dtype))
            return float(tf.cast(tf.reduce_mean(out), tf.float64))

    @property
    def setting(self) -> str:
        """How the loss is called, for the report's first line."""
        return f"{self.num_classes} classes; y_true one-hot float32 (B, H, W, C), y_pred softmax float32 (B, H, W, C)"


def standard_inputs(c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strip images' label maps, their one-hot ``y_true`` and a soft ``y_pred`` with errors (0.6 confident)."""
    std = strip_images(c)
    return std, one_hot(std, c), probs(shifted(std), c, 0.6)


# --------------------------------------------------------------------------------------------
# the probes, in the report's order
# --------------------------------------------------------------------------------------------
def runs(loss: LossUnderAudit) -> list:
    """It runs on one-hot ``y_true`` and softmax ``y_pred``: no check when it does, and no audit when not."""
    _, y, soft = standard_inputs(loss.num_classes)
    _, crash = safe_call(
        lambda: loss.value(y, soft),
        check="runs on one-hot y_true and softmax y_pred",
        hint="The loss raised {error}; make it take one-hot float32 y_true (B, H, W, C) and softmax "
        "probabilities y_pred (B, H, W, C), as Keras passes them.",
    )
    return [crash] if crash else []


def gradient(loss: LossUnderAudit) -> list:
    """The gradient w.r.t. soft predictions exists, is not zero, and is finite."""
    import tensorflow as tf

    _, y, soft = standard_inputs(loss.num_classes)

    def gradient_of_the_loss():
        p_var = tf.Variable(soft)
        with tf.GradientTape() as tape:
            out = tf.reduce_mean(loss.loss(tf.constant(y), p_var))
        return tape.gradient(out, p_var)

    grad, crash = safe_call(
        gradient_of_the_loss,
        check="gradient w.r.t. y_pred",
        code="no_gradient",
        expected="non-zero",
        hint="Taking the gradient raised {error}: an op inside the loss is not differentiable; "
        "compute the loss on the probabilities (soft IoU).",
    )
    if crash:
        return [crash]
    if grad is None or not np.any(np.abs(grad.numpy()) > 0):
        hint = (
            "No gradient reaches y_pred: argmax, round or a cast to int inside the loss cut it; compute the "
            "loss on the probabilities themselves (soft IoU: I = sum(y * p), U = sum(y) + sum(p) - I)."
        )
        got = "None" if grad is None else "all zero"
        return [Check("gradient w.r.t. y_pred", "no_gradient", "non-zero", got, False, hint)]
    if not np.all(np.isfinite(grad.numpy())):
        hint = "The gradient holds NaN or inf: guard divisions (tf.math.divide_no_nan) and clip before log or sqrt."
        return [Check("gradient w.r.t. y_pred is finite", "non_finite", "finite", "NaN or inf", False, hint)]
    got = f"max |g| = {float(np.abs(grad.numpy()).max()):.2e}"
    return [Check("gradient w.r.t. y_pred", "no_gradient", "non-zero", got, True)]


def minimum_at_truth(loss: LossUnderAudit) -> list:
    """The exact truth scores no more than a confident, a shifted, a uniform and an all-background prediction."""
    c = loss.num_classes
    std, y, soft = standard_inputs(c)
    v_truth, crash = safe_call(
        lambda: loss.value(y, y),
        check="exact truth as prediction",
        hint="The loss raised {error} when y_pred equals y_true.",
    )
    if crash:
        return [crash]
    if not np.isfinite(v_truth):
        return []
    alternatives = {
        "a confident correct prediction (0.8)": probs(std, c, 0.8),
        "a shifted prediction": soft,
        "a uniform prediction": np.full(y.shape, 1.0 / c, np.float32),
        "all background": one_hot(np.zeros_like(std), c),
    }
    lowest_name, lowest = None, np.inf  # the alternative with the lowest loss
    for alternative, p in alternatives.items():
        v, crash = safe_call(partial(loss.value, y, p), check=alternative, hint="")
        if crash is None and np.isfinite(v) and v < lowest:  # an alternative that crashes is left out
            lowest_name, lowest = alternative, v
    ok = lowest >= v_truth - 1e-6
    hint = (
        ""
        if ok
        else f"{lowest_name} scores {lowest:.4f}, lower than the exact truth ({v_truth:.4f}): the loss "
        "must be lowest when y_pred equals y_true; check its sign (loss = 1 - IoU, not IoU)."
    )
    name = "the exact truth has the lowest loss"
    return [Check(name, "not_minimised_by_truth", f"<= {lowest:.4f}", v_truth, ok, hint)]


def class_weighting(loss: LossUnderAudit) -> list:
    """Moving k errors from the large class (0) to a small one (1) changes the value."""
    c = loss.num_classes
    base = strip_images(c)[:1]
    k = int(min((base == 1).sum(), (base == 0).sum()) // 2) or 1
    idx0 = np.flatnonzero(base.ravel() == 0)[:k]
    idx1 = np.flatnonzero(base.ravel() == 1)[:k]
    pred_a = base.ravel().copy()
    pred_a[idx0] = 1  # k background pixels predicted as class 1
    pred_b = base.ravel().copy()
    pred_b[idx1] = 0  # k class-1 pixels predicted as background
    y_base = one_hot(base, c)
    values, crash = safe_call(
        lambda: (
            loss.value(y_base, probs(pred_a.reshape(base.shape), c, 0.8)),
            loss.value(y_base, probs(pred_b.reshape(base.shape), c, 0.8)),
        ),
        check="errors moved between classes",
        hint="The loss raised {error} on a standard input.",
    )
    if crash:
        return [crash]
    va, vb = values
    n0, n1 = int((base == 0).sum()), int((base == 1).sum())
    ok = abs(va - vb) > 1e-6
    hint = (
        f"Moving {k} errors from the large class ({n0} pixels) to a small one ({n1}) leaves the "
        f"loss at {va:.4f}: it weighs pixels, not classes, so background dominates and small classes are "
        "ignored; average a per-class soft IoU over the classes present (soft_jaccard_loss), alone or with "
        "cross-entropy."
    )
    return [
        Check(
            f"{k} errors in class 0 ({n0} px) vs in class 1 ({n1} px) score differently",
            "pixel_weighted",
            "two different values",
            f"{va:.4f}, {vb:.4f}",
            ok,
            "" if ok else hint,
        )
    ]


def _value_quietly(loss: LossUnderAudit, t, p, dtype) -> float:
    with quiet_native_stderr():  # float16 on a CPU without AVX-512: a one-off C++ fallback notice
        return loss.value(t, p, dtype)


def finite_values(loss: LossUnderAudit) -> list:
    """Finite values on classes absent from the truth, float16 inputs and all-zero predictions."""
    c = loss.num_classes
    _, y, soft = standard_inputs(c)
    empty = np.zeros((2, H, width(c)), dtype=np.int64)
    empty[..., width(c) // 2 :] = 1
    y_empty = one_hot(empty, c)  # classes 2.. absent from the truth
    cases = {
        "classes absent from the truth": (y_empty, probs(shifted(empty), c, 0.6), "float32"),
        "classes absent from truth and prediction": (y_empty, y_empty, "float32"),
        "float16 inputs": (y, soft, "float16"),
        "all-zero predictions": (y_empty, np.zeros_like(y_empty), "float32"),
    }
    bad = []
    for name, (t, p, dtype) in cases.items():
        v, crash = safe_call(partial(_value_quietly, loss, t, p, dtype), check=name, hint="")
        if crash:
            bad.append(f"{name}: {crash.got}")
        elif not np.isfinite(v):
            bad.append(f"{name}: {v}")
    hint = (
        "The loss fails on " + "; ".join(bad) + ". Guard divisions (tf.math.divide_no_nan), "
        "clip before log, leave classes absent from the truth out, and compute sums in float32."
    )
    return [
        Check(
            "finite on empty classes, float16 and all-zero predictions",
            "non_finite",
            "finite",
            "; ".join(bad) if bad else "finite",
            not bad,
            hint if bad else "",
        )
    ]


LOSS_PROBES = [
    runs,  # first: if the loss crashes on the standard inputs, the audit stops
    gradient,
    minimum_at_truth,
    class_weighting,
    finite_values,
]
"""The probes of :func:`audit_loss`, in the report's order."""


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
    c = check_num_classes(num_classes)
    if isinstance(loss, type):
        raise ValueError(
            f"pass a loss instance or a function, not the class {loss.__name__}: e.g. "
            f"audit_loss({loss.__name__}(), num_classes={c})."
        )
    if not callable(loss):
        raise ValueError(
            f"loss must be a function loss(y_true, y_pred) or a keras.losses.Loss instance, got {type(loss).__name__}."
        )
    subject = LossUnderAudit(loss, c)
    return run_probes(AuditReport(name_of(loss), "loss", subject.setting), LOSS_PROBES, subject)
