"""The probes of :func:`audit_loss`: one function per probe, each built so that one defect trips one check.

Every probe takes the :class:`LossUnderAudit`, builds inputs whose answer is known
(:mod:`helpers.audit.known_answers`), calls the loss through :func:`~helpers.audit._calling.safe_call`
(an error is a finding) and returns its checks, or :class:`~helpers.audit._calling.Skipped` when it
does not apply. :data:`LOSS_PROBES` lists them in the order the report shows them.

The small inputs every probe shares (a soft prediction with errors, the exact truth, a uniform
prediction, classes absent, empty images in binary mode: :func:`edge_inputs`) are evaluated once per
audit, value and gradient together, and each probe reads what it needs: a crash or a NaN there is
reported once, by :func:`runs` or :func:`finite_values`, and the other probes leave that input out.

Examples
--------
>>> from helpers.course.buggy import iou_loss        # the question's loss: one IoU over all pixels
>>> loss = LossUnderAudit(iou_loss, num_classes=5)
>>> [(check.code, check.ok) for check in minimum_at_truth(loss) + class_weighting(loss)]
[('not_minimised_by_truth', True), ('pixel_weighted', False)]
>>> binary = LossUnderAudit(iou_loss, num_classes=2, mode="binary")
>>> class_weighting(binary)
Skipped(name='errors moved between classes', why='binary mode: one class, the foreground')
"""

from __future__ import annotations

import contextlib
import re
import warnings
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from helpers._native import quiet_native_stderr
from helpers._validation import check_ignore_index, check_num_classes
from helpers.audit._calling import Skipped, explain_error, name_of, run_probes, safe_call
from helpers.audit.known_answers import H, one_hot, probs, shifted, strip_images, width
from helpers.audit.report import AuditReport, Check, format_value

__all__ = [
    "audit_loss",
    "LossUnderAudit",
    "Outcome",
    "LOSS_PROBES",
    "MODES",
    "edge_inputs",
    "crash_cause",
    "runs",
    "gradient",
    "minimum_at_truth",
    "class_weighting",
    "finite_values",
    "float16_precision",
    "void_pixels",
]

MODES = ("one_hot", "labels", "binary")
"""How the loss takes its inputs: one-hot masks, int label maps, or one sigmoid channel (binary)."""

FLOAT16_TOL = 1e-3
"""How far a value on float16 inputs may be from float32's on the same (float16-rounded) numbers."""

INSIDE_TOL = 0.05
"""How far the float32 value on the large image may be from the same image cut to one row: float32 sums of 10^5
values drift by ~2e-3 in TensorFlow on the CPU; a loss that computes in float16 inside is off by far more."""

PIXELS_PER_CLASS = 2**17
"""Pixels of each class in the float16 probe: above 65,504 (float16's largest number) and far above
2048 (where a float16 sum of ones stops growing), as in any real image of 512 x 512 or more."""

LARGE_H = 1024
"""Height of the float16 probe's one image (its width gives every class ``PIXELS_PER_CLASS`` pixels)."""


class Outcome(NamedTuple):
    """One call of the loss: its value (a float, None when it raised), the crash, and the gradient w.r.t.
    ``y_pred`` (None when none flows, or not asked) with the crash of taking it, and whether the loss
    returned a tensor (NumPy code returns an array, which has no gradient)."""

    name: str
    value: float | None
    crash: Check | None
    gradient: np.ndarray | None = None
    gradient_crash: Check | None = None
    returned_tensor: bool = True

    @property
    def finite(self) -> bool:
        """It ran and its value is a finite number."""
        return self.crash is None and bool(np.isfinite(self.value))


@dataclass
class LossUnderAudit:
    """The loss and how the probes feed it.

    Probes build label maps (``-1`` marks a void pixel) and class probabilities ``(..., C)``;
    :meth:`truth` and :meth:`prediction` turn them into what the loss takes: one-hot masks (void: an
    all-zero row), int32 label maps (void: ``ignore_index``), or, in binary mode (``num_classes`` 2
    inside: background and foreground), 0/1 masks ``(..., 1)`` and the foreground's probability ``(..., 1)``.
    """

    loss: object
    num_classes: int
    mode: str = "one_hot"
    ignore_index: int | None = None
    outcomes: dict = field(default_factory=dict, repr=False, compare=False)  # edge_inputs' outcomes, once
    channels_first: bool = False  # feed (B, C, H, W): only to tell whether the loss reads the classes on axis 1

    @property
    def binary(self) -> bool:
        return self.mode == "binary"

    def truth(self, labels: np.ndarray, dtype: str = "float32") -> np.ndarray:
        void = self.ignore_index if self.ignore_index is not None else 255
        if self.mode == "labels":
            return np.where(labels < 0, void, labels).astype(np.int32)
        if self.binary:
            return self._layout(np.where(labels < 0, void, labels == 1).astype(dtype)[..., None])
        return self._layout(one_hot(labels, self.num_classes).astype(dtype))

    def prediction(self, p: np.ndarray, dtype: str = "float32") -> np.ndarray:
        return self._layout((p[..., 1:] if self.binary else p).astype(dtype))

    def _layout(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if self.channels_first else x

    def evaluate(self, labels, p, *, dtype: str = "float32", gradient: bool = False, name: str = "") -> Outcome:
        """The loss on (labels, p): its mean as a float (in float64, whatever the loss's dtype) and, when
        asked, its gradient w.r.t. ``y_pred``. Errors come back as checks (``safe_call``), never raised."""
        import tensorflow as tf

        state = {}

        def forward():
            with warnings.catch_warnings(), quiet_native_stderr():  # float16 on CPU: a one-off C++ notice
                warnings.simplefilter("ignore")
                t, x = tf.constant(self.truth(labels, dtype)), tf.constant(self.prediction(p, dtype))
                state["x"] = x
                tape = tf.GradientTape() if gradient else contextlib.nullcontext()
                with tape:
                    if gradient:
                        tape.watch(x)
                    out = self.loss(t, x)
                    total = tf.reduce_mean(tf.cast(out, tf.float64))
            state.update(tape=tape, total=total, tensor=tf.is_tensor(out))
            return float(total)

        value, crash = safe_call(forward, check=name, hint="The loss raised {error} on " + name + ".")
        if crash or not gradient:
            return Outcome(name, value, crash, returned_tensor=state.get("tensor", True))
        grad, grad_crash = safe_call(
            lambda: state["tape"].gradient(state["total"], state["x"]),
            check=f"gradient on {name}",
            code="no_gradient",
            expected="non-zero",
            hint="Taking the gradient raised {error}: an op inside the loss is not differentiable; compute the "
            "loss on the probabilities with TensorFlow ops (soft IoU).",
        )
        grad = None if grad is None else grad.numpy().astype(np.float64)
        return Outcome(name, value, None, grad, grad_crash, state["tensor"])

    @property
    def setting(self) -> str:
        """How the loss is called, for the report's first line."""
        void = f", void pixels ignore_index={self.ignore_index}" if self.ignore_index is not None else ""
        if self.binary:
            return "binary; y_true 0/1 float32 (B, H, W, 1), y_pred sigmoid float32 (B, H, W, 1)" + void
        truth = "int32 label maps (B, H, W)" if self.mode == "labels" else "one-hot float32 (B, H, W, C)"
        void = void.replace("void pixels", "void pixels (all-zero rows)") if self.mode == "one_hot" else void
        return f"{self.num_classes} classes; y_true {truth}, y_pred softmax float32 (B, H, W, C)" + void


# --------------------------------------------------------------------------------------------
# the shared inputs, evaluated once
# --------------------------------------------------------------------------------------------
SOFT, TRUTH, CONFIDENT, UNIFORM, NOTHING, ABSENT_SOFT, ABSENT_BOTH = (
    "soft",
    "truth",
    "confident",
    "uniform",
    "nothing",
    "absent_soft",
    "absent_both",
)


def edge_inputs(loss: LossUnderAudit) -> dict:
    """``{key: (name, labels, probabilities)}``: the small inputs every probe shares, all of them outputs a
    softmax (or a sigmoid) can produce, exact 0 and 1 included (a confident float32 softmax rounds to them).

    >>> sorted(edge_inputs(LossUnderAudit(None, num_classes=2, mode="binary")))
    ['absent_both', 'absent_soft', 'confident', 'nothing', 'soft', 'truth', 'uniform']
    """
    c = loss.num_classes
    std = strip_images(c)  # 4 images of 16 x 16 (wider for many classes), every class in each
    if loss.binary:
        absent = np.zeros_like(std)
        names = ("empty prediction (p = 0)", "empty truth (no foreground in the batch)", "empty truth and prediction")
    else:
        absent = np.zeros((2, H, width(c)), dtype=np.int64)
        if c >= 3:
            absent[..., width(c) // 2 :] = 1  # classes 0 and 1 only
        names = (
            "all background (one-hot)",
            "classes absent from the truth",
            "classes absent from truth and prediction",
        )
    return {
        SOFT: ("a soft prediction with errors", std, probs(shifted(std), c, 0.6)),
        TRUTH: ("the exact truth", std, one_hot(std, c)),
        CONFIDENT: ("a confident correct prediction (0.8)", std, probs(std, c, 0.8)),
        UNIFORM: ("a uniform prediction", std, np.full(std.shape + (c,), 1.0 / c, np.float32)),
        NOTHING: (names[0], std, one_hot(np.zeros_like(std), c)),
        ABSENT_SOFT: (names[1], absent, probs(shifted(absent), c, 0.6)),
        ABSENT_BOTH: (names[2], absent, one_hot(absent, c)),
    }


def _outcomes(loss: LossUnderAudit) -> dict:
    """``{key: Outcome}`` of :func:`edge_inputs`, value and gradient, computed on the first call only."""
    if not loss.outcomes:
        for key, (name, labels, p) in edge_inputs(loss).items():
            loss.outcomes[key] = loss.evaluate(labels, p, gradient=True, name=name)
    return loss.outcomes


# --------------------------------------------------------------------------------------------
# why a loss crashes
# --------------------------------------------------------------------------------------------
_NUMPY_CODE = re.compile(
    r"Tensor'? object has no attribute '(astype|argmax|ravel|flatten|copy|sum|mean|max|min|clip|numpy)'|"
    r"Cannot convert a symbolic|numpy\(\) is only available"
)


def crash_cause(error: str, *, num_classes: int | None = None) -> str:
    """Words for the cause of an error (``"TypeName: message"``) a loss raised, or ``""`` when none is known.

    TensorFlow 1 and Keras 2 code get the metric side's words (:func:`~helpers.audit._calling.explain_error`);
    an extra argument, a factory, NumPy code and channels-first shapes get words for a loss.

    >>> crash_cause("AttributeError: module 'tensorflow' has no attribute 'log'")[:45]
    'tf.log is a TensorFlow 1 API, gone in TensorF'
    >>> crash_cause("TypeError: my_loss() missing 1 required positional argument: 'smooth'")[:40]
    'The loss takes more than (y_true, y_pred'
    """
    missing = re.search(r"missing \d+ required (positional|keyword-only) arguments?: (.+)", error)
    if missing:
        return (
            f"The loss takes more than (y_true, y_pred): {missing.group(2)} is a required argument, and Keras calls "
            "a loss with two. Bind the others first, e.g. functools.partial(loss, smooth=1.0), and audit that."
        )
    if re.search(r"takes (from )?\d+ (to \d+ )?positional arguments? but 2 were given", error):
        return (
            "The loss does not take (y_true, y_pred): if it is a factory (loss = make_loss(smooth=1)), call it "
            "and audit the function it returns."
        )
    if _NUMPY_CODE.search(error):
        return (
            "The loss uses NumPy methods on tensors: Keras passes TensorFlow tensors, and only TensorFlow ops carry "
            "a gradient; write it with tf.* or keras.ops.* (tf.cast, tf.argmax, tf.reshape, tf.reduce_sum)."
        )
    known = explain_error(error)  # TF1 and Keras 2 code: the metric side's words
    if known:
        return known
    tf1 = re.search(r"module 'tensorflow(\.[\w.]+)?' has no attribute '(\w+)'", error)
    if tf1 or "keep_dims" in error:
        what = f"tf{tf1.group(1) or ''}.{tf1.group(2)}" if tf1 else "keep_dims"
        return (
            f"{what} is a TensorFlow 1 API, gone in TensorFlow 2: tf.log is tf.math.log, tf.to_float(x) is "
            "tf.cast(x, tf.float32), keep_dims is keepdims; write the loss as a plain function of tensors."
        )
    if num_classes and any(_channels_first(s, num_classes) for s in re.findall(r"[\[(]([\d, ]+)[\])]", error)):
        return (
            f"A shape (B, {num_classes}, H, W) in the error: the loss expects channels first, as PyTorch does; "
            "Keras passes channels last (B, H, W, C): sum pixels over axes (1, 2) and read classes on axis -1."
        )
    return ""


def _channels_first(shape: str, c: int) -> bool:
    dims = [int(d) for d in re.split(r"[, ]+", shape.strip()) if d]
    return len(dims) == 4 and dims[1] == c and dims[2] == H and dims[1] != dims[3]


def _crash_hint(loss: LossUnderAudit, error: str, *, where: str = "") -> str:
    """The hint of a crash: its cause when recognised; else how the loss is fed (or ``where`` it raised)."""
    cause = crash_cause(error, num_classes=None if loss.binary else loss.num_classes)
    if cause:
        return f"The loss raised {error}. {cause}"
    if where:
        return f"The loss raised {error} on {where}: it must handle any batch and image size."
    if loss.binary:
        how = "0/1 float32 masks y_true (B, H, W, 1) and sigmoid probabilities y_pred (B, H, W, 1)"
    elif loss.mode == "labels":
        how = "int32 label maps y_true (B, H, W) and softmax probabilities y_pred (B, H, W, C)"
    else:
        how = "one-hot float32 y_true (B, H, W, C) and softmax probabilities y_pred (B, H, W, C)"
    other = {
        "one_hot": "for label maps, audit with y_true='labels'; for one sigmoid channel, with binary=True",
        "labels": "for one-hot masks, audit with y_true='one_hot'",
        "binary": "for a softmax output, audit with num_classes=C",
    }[loss.mode]
    return f"The loss raised {error}; make it take {how}, as Keras passes them ({other})."


# --------------------------------------------------------------------------------------------
# the probes, in the report's order
# --------------------------------------------------------------------------------------------
def runs(loss: LossUnderAudit) -> list:
    """It runs on the standard input: no check when it does, and no audit when not."""
    outcome = _outcomes(loss)[SOFT]
    if outcome.crash is None:
        return []
    what = "label maps" if loss.mode == "labels" else "0/1 masks" if loss.binary else "one-hot y_true"
    name = f"runs on {what} and {'sigmoid' if loss.binary else 'softmax'} y_pred"
    return [Check(name, "crashes", "a number", outcome.crash.got, False, _crash_hint(loss, outcome.crash.got))]


def gradient(loss: LossUnderAudit) -> list:
    """A gradient w.r.t. soft predictions exists and is not zero; it is finite wherever the value is."""
    outcomes = _outcomes(loss)
    soft = outcomes[SOFT]
    if not soft.finite:
        return []  # runs or finite_values reports it
    name = "gradient w.r.t. y_pred"
    if soft.gradient_crash:
        return [soft.gradient_crash]
    g = soft.gradient
    if g is None or not (np.any(np.abs(g[np.isfinite(g)]) > 0) or not np.all(np.isfinite(g))):
        if not soft.returned_tensor:
            hint = (
                "The loss returns a plain number (NumPy code, or float() of a tensor): it has no gradient, so the "
                "model cannot learn from it; write it with TensorFlow ops (tf.reduce_sum, tf.math.divide_no_nan) on "
                "the tensors Keras passes, and return the tensor."
            )
        else:
            hint = (
                "No gradient reaches y_pred: argmax, round or a cast to int inside the loss cut it; compute the loss "
                "on the probabilities themselves (soft IoU: I = sum(y * p), U = sum(y) + sum(p) - I)."
            )
        return [Check(name, "no_gradient", "non-zero", "None" if g is None else "all zero", False, hint)]
    checks = [Check(name, "no_gradient", "non-zero", f"max |g| = {float(np.nanmax(np.abs(g))):.2e}", True)]
    bad, crashed = [], []
    for outcome in outcomes.values():
        if outcome.gradient_crash is not None and outcome.finite:
            crashed.append(outcome.gradient_crash)
        elif outcome.finite and outcome.gradient is not None and not np.all(np.isfinite(outcome.gradient)):
            bad.append(outcome.name)
    checks += [Check(c.name, "crashes", c.expected, c.got, False, c.hint) for c in crashed]
    hint = (
        f"The value is finite but its gradient is NaN or inf on: {'; '.join(bad)}. An op with an infinite "
        "derivative at 0 (tf.sqrt, tf.math.log, x ** 0.5) or a tf.where that hides a 0/0 (its gradient flows "
        "through both branches, and 0 * inf = NaN): divide with tf.math.divide_no_nan, clip before sqrt or log "
        "(tf.maximum(x, 1e-7)), or add a smoothing term. One NaN step turns every weight into NaN."
    )
    got = "NaN or inf on " + "; ".join(bad) if bad else "finite"
    checks.append(
        Check("gradient is finite wherever the value is", "nan_gradient", "finite", got, not bad, hint if bad else "")
    )
    return checks


def minimum_at_truth(loss: LossUnderAudit) -> list:
    """The exact truth scores no more than a confident, a shifted, a uniform and an all-background prediction."""
    outcomes = _outcomes(loss)
    truth = outcomes[TRUTH]
    if not truth.finite:
        return []  # finite_values reports it
    alternatives = [outcomes[k] for k in (CONFIDENT, SOFT, UNIFORM, NOTHING) if outcomes[k].finite]
    if not alternatives:
        return []
    lowest = min(alternatives, key=lambda o: o.value)
    ok = lowest.value >= truth.value - 1e-6
    hint = (
        f"{lowest.name} scores {lowest.value:.4f}, lower than the exact truth ({truth.value:.4f}): the loss must be "
        "lowest when y_pred equals y_true; check its sign (loss = 1 - IoU, not IoU)."
    )
    name = "the exact truth has the lowest loss"
    return [Check(name, "not_minimised_by_truth", f"<= {lowest.value:.4f}", truth.value, ok, "" if ok else hint)]


def _pixel_loss_by_design(loss) -> str:
    """The name of a Keras cross-entropy (a pixel loss by definition, not an IoU loss), or ``""``."""
    try:
        import keras
    except ImportError:  # pragma: no cover - the course always has Keras
        return ""
    names = ("CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryCrossentropy")
    names += ("CategoricalFocalCrossentropy", "BinaryFocalCrossentropy")
    classes = tuple(getattr(keras.losses, n) for n in names if hasattr(keras.losses, n))
    functions = [getattr(keras.losses, n) for n in dir(keras.losses) if n.endswith("_crossentropy")]
    if isinstance(loss, classes):
        return f"keras.losses.{type(loss).__name__}"
    if any(loss is f or getattr(loss, "fn", None) is f for f in functions):
        return f"keras.losses.{getattr(loss, '__name__', None) or loss.fn.__name__}"
    return ""


def _tells_apart_channels_first(loss: LossUnderAudit, base, preds, c: int) -> bool:
    """Fed (B, C, H, W), the loss tells the two predictions of :func:`class_weighting` apart (a PyTorch-order loss)."""
    first = replace(loss, channels_first=True, outcomes={})
    values = [first.evaluate(base, probs(p.reshape(base.shape), c, 0.8), name="channels first").value for p in preds]
    return all(v is not None and np.isfinite(v) for v in values) and abs(values[0] - values[1]) > 1e-6


def class_weighting(loss: LossUnderAudit) -> list | Skipped:
    """Moving k errors from the large class (0) to a small one (1) changes the value."""
    if loss.binary:
        return Skipped("errors moved between classes", "binary mode: one class, the foreground")
    c = loss.num_classes
    base = strip_images(c)[:1]
    k = int(min((base == 1).sum(), (base == 0).sum()) // 2) or 1
    pred_a, pred_b = base.ravel().copy(), base.ravel().copy()
    pred_a[np.flatnonzero(base.ravel() == 0)[:k]] = 1  # k background pixels predicted as class 1
    pred_b[np.flatnonzero(base.ravel() == 1)[:k]] = 0  # k class-1 pixels predicted as background
    outcomes = [
        loss.evaluate(base, probs(p.reshape(base.shape), c, 0.8), name=n) for p, n in ((pred_a, "a"), (pred_b, "b"))
    ]
    crash = next((o.crash for o in outcomes if o.crash), None)
    n0, n1 = int((base == 0).sum()), int((base == 1).sum())
    name = f"{k} errors in class 0 ({n0} px) vs in class 1 ({n1} px) score differently"
    if crash:
        return [Check(name, "crashes", "a number", crash.got, False, _crash_hint(loss, crash.got, where="one image"))]
    va, vb = (o.value for o in outcomes)
    if not (np.isfinite(va) and np.isfinite(vb)):
        hint = "The loss is NaN or inf on a confident prediction with errors: guard its divisions and logs."
        return [Check(name, "non_finite", "finite", f"{format_value(va)}, {format_value(vb)}", False, hint)]
    ok, by_design = abs(va - vb) > 1e-6, _pixel_loss_by_design(loss.loss)
    if ok:
        hint = ""
    elif by_design:  # a note, not a finding: cross-entropy is a pixel loss by definition, and says so
        ok, hint = (
            True,
            (
                f"{by_design} weighs every pixel alike by design: it is not an IoU loss, and small classes get little "
                "weight; add a per-class IoU term (ce_jaccard_loss) if they matter."
            ),
        )
    elif _tells_apart_channels_first(loss, base, (pred_a, pred_b), c):
        hint = (
            f"Moving {k} errors from the large class ({n0} pixels) to a small one ({n1}) leaves the loss at {va:.4f}, "
            "but fed channels first it tells them apart: it reads the classes on axis 1 (PyTorch's (B, C, H, W)), "
            "so on Keras's (B, H, W, C) its per-class sums mix the classes. Keep the classes on the last axis: sum "
            "over axes [1, 2] (or [0, 1, 2]), not [2, 3]."
        )
    else:
        hint = (
            f"Moving {k} errors from the large class ({n0} pixels) to a small one ({n1}) leaves the loss at {va:.4f}: "
            "it weighs pixels, not classes, so background dominates and small classes are ignored; average a "
            "per-class soft IoU over the classes present (soft_jaccard_loss), alone or with cross-entropy."
        )
    return [Check(name, "pixel_weighted", "two different values", f"{va:.4f}, {vb:.4f}", ok, hint)]


def finite_values(loss: LossUnderAudit) -> list:
    """Finite values on every shared input: exact 0/1 predictions, classes absent, empty images (binary)."""
    outcomes = _outcomes(loss)
    crashed = [o for k, o in outcomes.items() if o.crash and k != SOFT]  # SOFT's crash: runs reports it
    bad = [o for o in outcomes.values() if o.crash is None and not np.isfinite(o.value)]
    checks = []
    if crashed:
        got = "; ".join(f"{o.name}: {o.crash.got}" for o in crashed)
        hint = (
            f"The loss raised on {', '.join(o.name for o in crashed)}: every output a softmax or a sigmoid can give "
            f"must work. {crash_cause(crashed[0].crash.got)}".strip()
        )
        checks.append(Check("runs on every prediction a model can give", "crashes", "a number", got, False, hint))
    causes = []
    if any(o is outcomes[k] for o in bad for k in (ABSENT_SOFT, ABSENT_BOTH)):
        causes.append(
            (
                "an empty image (no foreground in truth or prediction)"
                if loss.binary
                else "a class absent from the truth"
            )
            + " is 0/0 unless guarded: use tf.math.divide_no_nan or a smoothing term, and leave absent classes out "
            "of the mean"
        )
    if any(o is outcomes[k] for o in bad for k in (TRUTH, NOTHING, CONFIDENT, UNIFORM, SOFT)):
        causes.append(
            "exact 0 and 1 probabilities (a confident float32 softmax gives them) make log(0) or 0 * log(0): clip "
            "first, tf.clip_by_value(p, 1e-7, 1 - 1e-7)"
        )
    got = "; ".join(f"{o.name}: {format_value(o.value)}" for o in bad) or "finite"
    hint = f"The loss is NaN or inf on {', '.join(o.name for o in bad)}: " + "; ".join(causes) + "."
    cases = "exact 0/1, empty truth, empty prediction" if loss.binary else "exact 0/1, classes absent"
    name = f"finite on {len(outcomes)} predictions a model can give ({cases})"
    checks.append(Check(name, "non_finite", "finite", got, not bad, hint if bad else ""))
    return checks


def _large_inputs(c: int) -> tuple[np.ndarray, np.ndarray]:
    """One image of 1024 rows with strips of ``PIXELS_PER_CLASS``+ pixels per class, and a soft prediction."""
    cols = -(-PIXELS_PER_CLASS // LARGE_H)  # columns per class: 128, so 1024 x 128 C pixels in all
    labels = np.broadcast_to(np.repeat(np.arange(c), cols)[None, None, :], (1, LARGE_H, cols * c)).copy()
    p = probs(shifted(labels, cols // 4), c, 0.7)  # a quarter of each strip wrong
    return labels, p.astype(np.float16).astype(np.float32)  # float16-exact: both dtypes see the same numbers


def _low_precision_inside(loss: LossUnderAudit, labels, p, v32: float):
    """``(value expected, hint)`` when the loss computes in low precision itself, else None.

    The same image cut to 1 and to 2 rows (128 and 256 pixels per class) gives about the same value for a loss
    that does not depend on the image's size (a mean, or a ratio of sums); if the full image in float32 gives a
    value far from it, the loss lost it inside (a cast to float16 of its own). Float32 sums drift by ~2e-3 at
    this size, float16 ones by far more: :data:`INSIDE_TOL` lies between.
    """
    small = [loss.evaluate(labels[:, :rows], p[:, :rows], name=f"{rows} rows in float32") for rows in (1, 2)]
    if any(o.crash or not np.isfinite(o.value) for o in small):
        return None
    v1, v2 = small[0].value, small[1].value
    if abs(v1 - v2) > INSIDE_TOL * max(1.0, abs(v1)):  # the loss depends on the image's size: nothing to compare
        return None
    if abs(v32 - v1) <= INSIDE_TOL * max(1.0, abs(v1)):
        return None
    return v1, (
        f"On float32 inputs the loss is {v32:.4f} on this image but {v1:.4f} on the same image cut to one row "
        "(the same classes and errors, fewer pixels): it computes in float16 inside (a cast of its own), where "
        "sums stop growing at 2048 and overflow above 65,504. Compute in float32: cast y_true and y_pred to "
        "tf.float32, never to float16, before summing."
    )


def float16_precision(loss: LossUnderAudit) -> list:
    """float16 inputs of a realistic size give float32's value (within 1e-3): sums in float32."""
    labels, p = _large_inputs(loss.num_classes)
    per_class = int((labels == 1).sum())
    name = f"float16 inputs ({labels.shape[1]} x {labels.shape[2]}, {per_class:,} px per class) give float32's value"
    v32 = loss.evaluate(labels, p, name="a large image in float32")
    if v32.crash:
        where = f"one image of {labels.shape[1]} x {labels.shape[2]} in float32"
        return [Check(name, "crashes", "a number", v32.crash.got, False, _crash_hint(loss, v32.crash.got, where=where))]
    if not np.isfinite(v32.value):
        hint = "The loss is NaN or inf in float32 on one large image: guard its divisions and logs."
        return [Check(name, "non_finite", "finite", v32.value, False, hint)]
    v16 = loss.evaluate(labels, p, dtype="float16", name="float16")
    if v16.crash:
        hint = (
            f"The loss raised {v16.crash.got} on float16 inputs (a mixed-precision model called outside Keras's "
            "compile, or a custom training loop): cast y_true and y_pred to float32 at the top of the loss."
        )
        return [Check(name, "float16_inaccurate", format_value(v32.value), v16.crash.got, False, hint)]
    inside = _low_precision_inside(loss, labels, p, v32.value)
    if inside:
        return [Check(name, "float16_inaccurate", inside[0], v32.value, False, inside[1])]
    ok = bool(np.isfinite(v16.value)) and abs(v16.value - v32.value) <= FLOAT16_TOL * max(1.0, abs(v32.value))
    hint = (
        f"On float16 inputs the loss is {format_value(v16.value)}, in float32 {v32.value:.4f}: sums in float16 stop "
        "growing at 2048 and overflow to inf above 65,504, far below the pixels of one image. Cast y_true and y_pred "
        "to float32 at the top of the loss (Keras's compile does it for you; a direct call or a custom loop "
        "does not)."
    )
    return [Check(name, "float16_inaccurate", v32.value, v16.value, ok, "" if ok else hint)]


def void_pixels(loss: LossUnderAudit) -> list | Skipped:
    """Void pixels (``ignore_index``) neither change the value nor get a gradient, whatever is predicted there."""
    if loss.ignore_index is None:
        return Skipped("void pixels", "pass ignore_index to check them")
    c = loss.num_classes
    std = strip_images(c)
    pred = shifted(std)
    void = pred != std  # the left edge of every strip: predicted wrong
    t_void = np.where(void, -1, std)  # -1: void (ignore_index in label maps, an all-zero one-hot row)
    wrong = probs(pred, c, 0.8)
    other = np.where(void[..., None], probs(np.zeros_like(std), c, 0.8), wrong)  # void pixels: background instead
    a = loss.evaluate(t_void, wrong, gradient=True, name="void pixels")
    b = loss.evaluate(t_void, other, name="void pixels")
    where = "all-zero one-hot rows" if loss.mode == "one_hot" else f"label {loss.ignore_index}"
    name = f"void pixels ({where}) are left out: no effect on the value, no gradient"
    crash = a.crash or b.crash
    if crash:
        hint = (
            f"The loss raised {crash.got} on void pixels ({where}): leave them out, e.g. "
            f"keras.losses.SparseCategoricalCrossentropy(ignore_class={loss.ignore_index}), the course's losses with "
            f"ignore_index={loss.ignore_index}, or a mask of the pixels kept applied to y_true and y_pred."
        )
        return [Check(name, "crashes", "a number", crash.got, False, hint)]
    if not (np.isfinite(a.value) and np.isfinite(b.value)):
        hint = "The loss is NaN or inf with void pixels in the batch: guard its divisions (tf.math.divide_no_nan)."
        return [Check(name, "non_finite", "finite", f"{format_value(a.value)}, {format_value(b.value)}", False, hint)]
    g = a.gradient
    if g is not None and not np.all(np.isfinite(g)):
        hint = "The gradient is NaN or inf with void pixels in the batch: guard divisions, clip before log or sqrt."
        return [Check(name, "nan_gradient", "finite", "NaN or inf", False, hint)]
    g_void = 0.0 if g is None else float(np.abs(g[void]).max())
    moved = abs(a.value - b.value) > 1e-5 * max(1.0, abs(a.value))
    pulled = g_void > 1e-7 * max(1.0, float(np.abs(g).max()) if g is not None else 1.0)
    got = f"value {a.value:.4f} -> {b.value:.4f}, max |g| on void pixels {g_void:.1e}"
    how = " and ".join(
        ([f"predicting background there instead moves the value ({a.value:.4f} -> {b.value:.4f})"] if moved else [])
        + ([f"their prediction gets a gradient (up to {g_void:.1e})"] if pulled else [])
    )
    hint = (
        f"Void pixels ({where}) count in the loss: {how}. Their predicted probabilities enter the sums (the union), "
        "so the model is trained on pixels nobody labelled; multiply y_pred by a mask of the pixels kept (y_true not "
        f"void) before the sums, as the course's losses do with ignore_index={loss.ignore_index}."
    )
    ok = not (moved or pulled)
    return [Check(name, "void_counted", "no change, zero gradient", got, ok, "" if ok else hint)]


LOSS_PROBES = [
    runs,  # first: if the loss crashes on the standard input, the audit stops
    gradient,
    minimum_at_truth,
    class_weighting,
    finite_values,
    float16_precision,
    void_pixels,
]
"""The probes of :func:`audit_loss`, in the report's order."""


# --------------------------------------------------------------------------------------------
# audit_loss
# --------------------------------------------------------------------------------------------
def _loss_under_audit(loss, num_classes, binary, y_true, ignore_index) -> LossUnderAudit:
    """The arguments of :func:`audit_loss`, checked: a ``ValueError`` names the fix."""
    if y_true not in ("one_hot", "labels"):
        raise ValueError(
            f"y_true must be 'one_hot' or 'labels', got {y_true!r}: say how the loss takes the truth, one-hot "
            "(B, H, W, C) or label maps (B, H, W)."
        )
    if binary:
        if num_classes not in (None, 2):
            raise ValueError(
                f"binary=True audits one sigmoid channel (background and foreground); leave num_classes out "
                f"(got {num_classes!r}), or audit a softmax loss with binary=False."
            )
        if y_true != "one_hot":
            raise ValueError("binary=True feeds 0/1 masks y_true (B, H, W, 1); leave y_true out.")
        c, mode = 2, "binary"
    else:
        if num_classes is None:
            raise ValueError(
                "num_classes is required for a softmax loss, e.g. audit_loss(loss, num_classes=5); for one "
                "sigmoid channel pass binary=True instead."
            )
        c, mode = check_num_classes(num_classes), y_true
    ignore_index = check_ignore_index(ignore_index, c)
    if isinstance(loss, type):
        raise ValueError(
            f"pass a loss instance or a function, not the class {loss.__name__}: e.g. audit_loss({loss.__name__}(), "
            + ("binary=True)." if binary else f"num_classes={c}).")
        )
    if not callable(loss):
        raise ValueError(
            f"loss must be a function loss(y_true, y_pred) or a keras.losses.Loss instance, got {type(loss).__name__}."
        )
    return LossUnderAudit(loss, c, mode, ignore_index)


def audit_loss(
    loss, *, num_classes: int | None = None, binary: bool = False, y_true: str = "one_hot", ignore_index=None
) -> AuditReport:
    """Check a segmentation loss ``loss(y_true, y_pred) -> scalar``, differentiable in TensorFlow.

    Probes: it runs (``crashes``, with the likely cause: a TensorFlow 1 or Keras 2 API, an extra argument,
    channels first, NumPy code); a gradient w.r.t. soft predictions (``no_gradient``), finite wherever the
    value is (``nan_gradient``); the exact truth scores no more than a confident, a shifted, a uniform and
    an all-background prediction (``not_minimised_by_truth``); the same errors moved from the large class to
    a small one change the value (``pixel_weighted``; Keras's own cross-entropies get a note instead); finite
    values on exact 0/1 predictions, classes absent and empty images (``non_finite``); float16 inputs of one
    1024-row image give float32's value (``float16_inaccurate``); void pixels neither move the value nor get
    a gradient (``void_counted``, when ``ignore_index`` is given).

    Parameters
    ----------
    loss : callable or keras.losses.Loss
        Called as Keras calls it, ``loss(y_true, y_pred)``, on tensors.
    num_classes : int
        Number of classes ``C`` (>= 2) of a softmax model; required unless ``binary``.
    binary : bool, default False
        One sigmoid channel: ``y_true`` 0/1 float32 ``(B, H, W, 1)``, ``y_pred`` probabilities ``(B, H, W, 1)``;
        empty-truth and empty-prediction batches are among the probes.
    y_true : {"one_hot", "labels"}, default "one_hot"
        One-hot float32 ``(B, H, W, C)`` or int32 label maps ``(B, H, W)`` (as sparse cross-entropy takes).
    ignore_index : int, optional
        The label of void pixels the loss leaves out (e.g. 255; in one-hot masks, all-zero rows).

    Returns
    -------
    AuditReport
        ``findings`` are codes of :data:`LOSS_FINDINGS`.

    Examples
    --------
    >>> from helpers.course.buggy import iou_loss
    >>> audit_loss(iou_loss, num_classes=5).findings
    ['pixel_weighted']
    >>> import keras
    >>> audit_loss(keras.losses.SparseCategoricalCrossentropy(ignore_class=255), num_classes=5,
    ...            y_true="labels", ignore_index=255).passed
    True
    """
    subject = _loss_under_audit(loss, num_classes, binary, y_true, ignore_index)
    return run_probes(AuditReport(name_of(loss), "loss", subject.setting), LOSS_PROBES, subject)
