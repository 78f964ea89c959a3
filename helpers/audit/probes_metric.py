"""The probes of :func:`audit_metric`, and the diagnosis that names the one cause of every wrong value.

Every probe takes the :class:`MetricUnderAudit`, feeds it inputs whose answers are known
(:mod:`helpers.audit.known_answers`: a mixed batch of discs, diagonal bands, a small object and strips,
each image with its own number of errors; classes absent from the batch; empty images in binary mode),
through :func:`~helpers.audit._calling.safe_call` (an error is a ``crashes`` finding), and compares each
value with the **dataset-level reference** (one confusion matrix over all pixels of the batch, classes
absent from truth and prediction left out). :data:`METRIC_PROBES` lists them in the order the report shows
them.

A value off the reference is always a finding. Which one comes from the **diagnosis**
(:class:`Diagnosis`): of the 576 ways of computing "an IoU" that the audit knows
(:data:`~helpers.audit.known_answers.CONVENTIONS`: argmax or probabilities or per-channel thresholds,
IoU or Dice, per batch or per image, per class or pooled, absent classes left out or counted as 0 or 1...),
the simplest that gives *every* value observed is the metric's; each way it departs from the reference is
one finding (a soft IoU is ``soft_not_hard``, once, not three unrelated findings). When none explains the
values, the finding is ``wrong_value``.

Examples
--------
>>> from helpers.course.buggy import mean_iou        # the question's metric: it casts before rounding
>>> check = standard_predictions(MetricUnderAudit(mean_iou, num_classes=5))[0]
>>> check.code, check.ok, check.got
('constant_output', False, '0.6492, 0.6492, 0.6492')
>>> absent_classes(MetricUnderAudit(mean_iou, num_classes=2))
Skipped(name='absent classes', why='needs num_classes >= 3')
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from helpers._validation import check_ignore_index, check_num_classes
from helpers.audit._calling import (
    Skipped,
    call_metric,
    call_metric_samples,
    explain_error,
    is_keras_metric,
    is_sparse_keras_mean_iou,
    name_of,
    run_probes,
    safe_call,
)
from helpers.audit.known_answers import (
    CONVENTIONS,
    DIMENSIONS,
    REFERENCE,
    TOL,
    Convention,
    absent_batch,
    binary_batch,
    binary_probs,
    mixed_batch,
    probs,
    value_of,
    value_table,
)
from helpers.audit.report import AuditReport, Check, format_value

__all__ = [
    "audit_metric",
    "prepare_metric",
    "MetricUnderAudit",
    "Diagnosis",
    "EXPECT",
    "METRIC_PROBES",
    "standard_predictions",
    "conventions",
    "mixed_batch_values",
    "absent_classes",
    "batch_size",
    "void_pixels",
    "out_of_range_labels",
    "graph_error",
]

CONFIDENCE = 0.8
"""The probability of each pixel's predicted class, in the probes that do not vary it."""

EXPECT = ("dice", "per_image", "foreground_only")
"""Conventions a metric may declare with ``audit_metric(..., expect=...)``: their findings become notes."""

_INDEX = {conv: k for k, conv in enumerate(CONVENTIONS)}
_DIAGNOSTIC = (
    "perfect",
    "all_wrong",
    "errors",
    "errors_hard",
    "errors_low",
    "absent",
    "false_class",
    "empty_image",
    "all_empty",
    "first3",
    "last1",
)
"""The observations the diagnosis reads (those that exist for the metric under audit)."""

_WHERE = {
    "perfect": "a perfect prediction",
    "all_wrong": "a prediction wrong at every pixel",
    "uniform": "a uniform prediction",
    "errors": "the mixed batch",
    "errors_hard": "the mixed batch with one-hot predictions",
    "errors_low": "the mixed batch at low confidence",
    "absent": "the batch without classes 2..",
    "false_class": "the batch where the last class is predicted but absent from the truth",
    "empty_image": "the batch with an empty image",
    "all_empty": "the all-empty batch",
    "first3": "the first 3 images as a batch",
    "last1": "the last image as a batch",
}


# --------------------------------------------------------------------------------------------
# the metric under audit, and what it returned on each input
# --------------------------------------------------------------------------------------------
class Observed(NamedTuple):
    """The metric's value on one input (``None`` when it raised), how many samples Keras counts it for, the crash."""

    value: float | None
    samples: int
    crash: Check | None


def _inputs(c: int, binary: bool) -> dict:
    """Every input of the probes: name -> (label maps (B, H, W), probabilities (B, H, W, C or 2))."""
    if binary:
        t, pred = binary_batch("mixed")
        empty_t, empty_p = binary_batch("empty_image")
        none_t, none_p = binary_batch("all_empty")
        out = {
            "perfect": (t, binary_probs(t, CONFIDENCE)),
            "all_wrong": (t, binary_probs(1 - t, CONFIDENCE)),
            "perfect_hard": (t, binary_probs(t, 1.0)),
            "all_wrong_hard": (t, binary_probs(1 - t, 1.0)),
            "errors": (t, binary_probs(pred, CONFIDENCE)),
            "errors_hard": (t, binary_probs(pred, 1.0)),
            "errors_low": (t, binary_probs(pred, 0.6)),
            "empty_image": (empty_t, binary_probs(empty_p, CONFIDENCE)),
            # exact 0s: a confident sigmoid saturates to 0.0 in float32, where a smoothed ratio gives 1 (and 0 / 0 NaN)
            "all_empty": (none_t, binary_probs(none_p, 1.0)),
        }
    else:
        t, pred = mixed_batch(c)
        out = {
            "perfect": (t, probs(t, c, CONFIDENCE)),
            "all_wrong": (t, probs((t + 1) % c, c, CONFIDENCE)),
            "perfect_hard": (t, probs(t, c, 1.0)),
            "all_wrong_hard": (t, probs((t + 1) % c, c, 1.0)),
            "uniform": (t, np.full(t.shape + (c,), 1.0 / c, dtype=np.float32)),
            "errors": (t, probs(pred, c, CONFIDENCE)),
            "errors_hard": (t, probs(pred, c, 1.0)),
            "errors_low": (t, probs(pred, c, 0.4 if c >= 3 else 0.6)),  # below 0.5 when it can be, still the argmax
        }
        if c >= 3:
            a_t, a_p = absent_batch(c)
            # one-hot predictions: an absent class has exactly nothing, as in any hard count
            out["absent"] = (a_t, probs(a_p, c, 1.0))
            f_p = a_p.copy()
            f_p[0, 2:5, 1:4] = c - 1  # a false positive of a class no image has: its IoU is 0, and it counts
            out["false_class"] = (a_t, probs(f_p, c, 1.0))
    t, p = out["errors"]
    out["first3"], out["last1"] = (t[:3], p[:3]), (t[3:], p[3:])
    return out


@dataclass
class MetricUnderAudit:
    """The metric and how the probes feed it; :meth:`observe` gives (and keeps) its value on one named input.

    The probes' inputs are label maps (-1 marks a void pixel) and probabilities; :meth:`feed` turns them into
    what the metric takes: one-hot masks (void: an all-zero row) or int32 label maps (void: ``ignore_index``),
    softmax ``(B, H, W, C)``; in binary mode 0/1 float32 masks and the sigmoid channel ``(B, H, W, 1)``; with
    the classes on axis 1 once the metric turns out to read them there (``channels_first``).
    """

    metric: object
    num_classes: int
    labels_mode: bool = False
    ignore_index: int | None = None
    binary: bool = False
    expect: tuple = ()
    channels_first: bool | None = None  # None until the first observation decides it
    inputs: dict = field(default=None, repr=False)
    seen: dict = field(default_factory=dict, repr=False)
    _diagnosis: Diagnosis | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.inputs is None:
            self.inputs = _inputs(self.num_classes, self.binary)

    @property
    def keras_metric(self) -> bool:
        return is_keras_metric(self.metric)

    @property
    def reference(self) -> Convention:
        """The convention the values are compared with: the dataset-level IoU, and whatever ``expect`` declares."""
        ref = REFERENCE
        if self.binary or "foreground_only" in self.expect:
            ref = ref._replace(classes="foreground")
        if "dice" in self.expect:
            ref = ref._replace(score="dice")
        if "per_image" in self.expect:
            ref = ref._replace(scope="image")
        return ref

    def truth(self, labels: np.ndarray) -> np.ndarray:
        void_code = self.ignore_index if self.ignore_index is not None else 255
        if self.labels_mode:  # -1 marks void in the probes: label maps carry ignore_index there
            return np.where(labels < 0, void_code, labels).astype(np.int32)
        if self.binary:
            return np.where(labels < 0, void_code, labels)[..., None].astype(np.float32)
        valid = labels >= 0
        out = np.eye(self.num_classes, dtype=np.float32)[np.where(valid, labels, 0)]
        return out * valid[..., None]

    def feed(self, labels: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y_true, y_pred = self.truth(labels), (p[..., 1:] if self.binary else p)
        if self.channels_first:
            y_pred = np.moveaxis(y_pred, -1, 1)
            if y_true.ndim == 4:
                y_true = np.moveaxis(y_true, -1, 1)
        return np.ascontiguousarray(y_true), np.ascontiguousarray(y_pred)

    def run(self, t_labels: np.ndarray, p: np.ndarray, batches=None) -> float:
        return call_metric(self.metric, *self.feed(t_labels, p), batches)

    def _call(self, name: str) -> Observed:
        if name == "streamed":  # a Keras metric streamed in batches of 3 and 1
            (t, p), batches = self.inputs["errors"], [slice(0, 3), slice(3, 4)]
        else:
            (t, p), batches = self.inputs[name], None
        out, crash = safe_call(lambda: call_metric_samples(self.metric, *self.feed(t, p), batches), check=name, hint="")
        return Observed(None, 0, crash) if crash else Observed(out[0], out[1], None)

    def observe(self, name: str) -> Observed:
        """The metric's value on the input ``name`` (computed once)."""
        if self.channels_first is None:
            self._decide_layout()
        if name not in self.seen:
            self.seen[name] = self._call(name)
        return self.seen[name]

    def _decide_layout(self) -> None:
        """Channels last, unless those values fit no convention and channels first do (a PyTorch-order metric)."""
        names = ("perfect", "errors_hard", "errors")
        self.channels_first = False
        last = {n: self._call(n) for n in names}
        if _fits_some_convention(self, last):
            self.seen.update(last)
            return
        self.channels_first = True
        first = {n: self._call(n) for n in names}
        if _fits_some_convention(self, first):
            self.seen.update(first)
            return
        self.channels_first = False
        self.seen.update(last)

    def table(self, name: str):
        """What every convention gives on the input ``name``: (values, nothing_defined, some_undefined)."""
        key = ("table", name)
        if key not in self.seen:
            self.seen[key] = value_table(*self.inputs[name])
        return self.seen[key]

    def reference_value(self, name: str) -> float:
        return float(self.table(name)[0][_INDEX[self.reference]])

    @property
    def diagnosis(self) -> Diagnosis:
        if self._diagnosis is None:
            self._diagnosis = _diagnose(self)
        return self._diagnosis

    @property
    def setting(self) -> str:
        """How the metric is called, for the report's first line."""
        kind = "Keras metric instance" if self.keras_metric else "function"
        void = f", ignore_index={self.ignore_index}" if self.ignore_index is not None else ""
        if self.binary:
            truth = "int32 0/1 label maps (B, H, W)" if self.labels_mode else "0/1 float32 (B, H, W, 1)"
            return f"{kind}, binary; y_true {truth}, y_pred sigmoid float32 (B, H, W, 1){void}"
        truth = "int32 label maps (B, H, W)" if self.labels_mode else "one-hot float32 (B, H, W, C)"
        return f"{kind}, {self.num_classes} classes; y_true {truth}, y_pred softmax float32 (B, H, W, C){void}"


def _matches(observed: dict, m: MetricUnderAudit) -> np.ndarray:
    """Which conventions give every observed value (within TOL; NaN where they are undefined or NaN)."""
    ok = np.ones(len(CONVENTIONS), bool)
    for name, value in observed.items():
        values, nothing, _ = m.table(name)
        if np.isfinite(value):
            ok &= np.abs(values - value) <= TOL
        else:
            ok &= np.isnan(values) | nothing
    return ok


def _fits_some_convention(m: MetricUnderAudit, outcomes: dict) -> bool:
    if any(o.crash for o in outcomes.values()):
        return False
    return bool(_matches({n: o.value for n, o in outcomes.items()}, m).any())


# --------------------------------------------------------------------------------------------
# the diagnosis: the simplest known convention that gives every value observed
# --------------------------------------------------------------------------------------------
_SAME_FAMILY = {"scope": {"image_class": "image"}}

_LABELS = {
    "hard": {
        "argmax": "argmax",
        "soft": "probabilities (soft)",
        "threshold": "each channel > 0.5",
        "cast": "probabilities cast to int",
    },
    "score": {
        "iou": "IoU",
        "dice": "Dice",
        "overlap_twice": "|A∩B| / (|A| + |B|)",
        "accuracy": "per-class accuracy (TP + TN) / N",
    },
    "scope": {
        "dataset": "one count over the batch",
        "image": "mean of per-image values",
        "image_class": "mean over (image, class) pairs",
        "column": "per (image, column) cell",
    },
    "classes": {"mean": "mean over classes", "pooled": "classes pooled into one", "foreground": "class 0 left out"},
    "absent": {
        "exclude": "left out",
        "zero": "counted as 0",
        "one": "counted as 1",
        "smooth": "+1 smoothing",
        "nan": "NaN (0/0)",
        "truth": "left out when absent from the truth",
    },
}
_BINARY_LABELS = {
    "hard": {"argmax": "threshold 0.5"},
    "classes": {"foreground": "foreground only", "mean": "background and foreground averaged"},
}


def _label(dim: str, value: str, binary: bool) -> str:
    return (_BINARY_LABELS.get(dim, {}) if binary else {}).get(value) or _LABELS[dim][value]


def describe(conv: Convention, *, binary: bool = False, num_classes: int = 5) -> str:
    """A convention in words, for the report's first lines.

    >>> describe(REFERENCE)
    'the IoU per class, counted over the whole batch, averaged over the classes; argmax of y_pred; classes absent ...'
    """
    scope = {
        "dataset": "counted over the whole batch",
        "image": "counted per image, then averaged over images",
        "image_class": "counted per image, averaged over (image, class) pairs",
        "column": "counted per (image, column), averaged over those cells",
    }[conv.scope]
    if binary:
        what = {"foreground": "of the foreground", "mean": "of background and foreground, averaged"}.get(
            conv.classes, "of background and foreground pooled into one"
        )
    else:
        what = {
            "mean": "per class",
            "pooled": "of all classes pooled into one",
            "foreground": f"per class, classes 1..{num_classes - 1} only (background left out)",
        }[conv.classes]
    average = ", averaged over the classes" if conv.classes == "mean" and not binary else ""
    absent = {
        "exclude": "left out",
        "zero": "counted as 0",
        "one": "counted as 1",
        "smooth": "smoothed (+1 on both sides)",
        "nan": "0/0 (NaN)",
        "truth": "left out whenever absent from the truth",
    }[conv.absent]
    empty = "an empty image or batch" if binary else "classes absent from truth and prediction"
    return (
        f"the {_label('score', conv.score, False)} {what}, {scope}{average}; {_label('hard', conv.hard, binary)} "
        f"of y_pred; {empty} {absent}"
    )


@dataclass
class Diagnosis:
    """The metric's convention (``None`` when no known one gives every value) and how it departs from the reference.

    ``observed``: the finite-or-not values the diagnosis read; ``closest``: when no convention fits, the one
    that gives the most of them (``closest_matches`` of ``len(observed)``); ``constant``: the metric gave the
    same value for a perfect, an all-wrong and a third prediction.
    """

    reference: Convention
    convention: Convention | None
    observed: dict
    binary: bool
    tables: dict = field(repr=False)
    constant: bool = False
    closest: Convention | None = None
    closest_matches: int = 0

    def value(self, conv: Convention, name: str) -> float:
        return float(self.tables[name][0][_INDEX[conv]])

    def explains(self, name: str) -> bool:
        if self.convention is None or name not in self.tables:
            return False
        got = self.observed.get(name)
        if got is None:
            return False
        want = self.value(self.convention, name)
        return (
            abs(got - want) <= TOL
            if np.isfinite(got)
            else bool(np.isnan(want) or self.tables[name][1][_INDEX[self.convention]])
        )

    def harmless(self, dim: str, value: str) -> bool:
        """+1 smoothing where nothing can be empty only moves values slightly (a pooled IoU of whole images)."""
        if dim != "absent" or value != "smooth" or self.convention is None:
            return False
        k = _INDEX[self.convention]
        return not any(self.tables[n][2][k] for n in self.tables)

    def deviations(self) -> list:
        """``(dim, value, code)`` for each way the convention departs from the reference (harmless ones left out)."""
        if self.convention is None:
            return []
        out = []
        for dim, value in self.convention._asdict().items():
            ref = getattr(self.reference, dim)
            fam = _SAME_FAMILY.get(dim, {})
            if fam.get(value, value) != fam.get(ref, ref) and not self.harmless(dim, value):
                out.append((dim, value, deviation_code(dim, value, ref)))
        return out

    def codes(self) -> list:
        return list(dict.fromkeys(code for _, _, code in self.deviations()))

    def fixed(self, dim: str) -> Convention:
        """The metric's convention with ``dim`` set right (as the reference has it)."""
        return self.convention._replace(**{dim: getattr(self.reference, dim)})

    def moves(self, dim: str, name: str) -> float:
        """How much setting ``dim`` right would change the value on ``name`` (inf when NaN on one side)."""
        a, b = self.value(self.convention, name), self.value(self.fixed(dim), name)
        if np.isnan(a) or np.isnan(b):
            return 0.0 if np.isnan(a) and np.isnan(b) else np.inf
        return abs(a - b)

    def affecting(self, name: str) -> list:
        """The deviations that move the value on ``name``: ``(dim, value, code)``; all of them if none alone does."""
        devs = self.deviations()

        # dimension order (how the value is made: hard, score, scope, classes, absent), except that a deviation
        # whose fix alone gives the reference's value comes first, and of those the absent-class rule, which is
        # what scores an empty cell (a class absent from one image, say) as 0 or 1 where another only creates it
        def restores(dim):
            want = self.value(self.reference, name)
            got = self.value(self.fixed(dim), name)
            return bool(np.isclose(got, want, atol=TOL) or (np.isnan(got) and np.isnan(want)))

        moving = [d for d in devs if self.moves(d[0], name) > TOL]
        moving.sort(key=lambda d: (not restores(d[0]), not (restores(d[0]) and d[0] == "absent")))
        return moving or devs


def deviation_code(dim: str, value: str, ref: str) -> str:
    """The finding code of a convention that departs from the reference on one dimension.

    >>> deviation_code("scope", "image", "dataset"), deviation_code("classes", "mean", "foreground")
    ('per_image_not_dataset', 'wrong_value')
    """
    if dim == "hard":
        return {"soft": "soft_not_hard", "threshold": "threshold_not_argmax", "cast": "constant_output"}[value]
    if dim == "score":
        return {"dice": "dice_not_iou", "overlap_twice": "perfect_not_one", "accuracy": "all_wrong_not_zero"}.get(
            value, "wrong_value"
        )
    if dim == "scope":
        return "per_image_not_dataset" if ref == "dataset" and value in ("image", "image_class") else "wrong_value"
    if dim == "classes":
        return "pooled_over_classes" if value == "pooled" else "wrong_value"
    return {"zero": "absent_class_as_zero", "one": "absent_class_as_one", "smooth": "absent_class_as_one"}.get(
        value, "non_finite" if value == "nan" else "wrong_value"
    )


def _constant(m: MetricUnderAudit) -> bool:
    values = [m.observe(n).value for n in _constant_inputs(m)]
    return all(v is not None and np.isfinite(v) for v in values) and max(values) - min(values) <= 1e-6


def _constant_inputs(m: MetricUnderAudit) -> tuple:
    return ("perfect", "all_wrong", "errors") if m.binary else ("perfect", "all_wrong", "uniform")


def _cost(m: MetricUnderAudit) -> np.ndarray:
    ref = m.reference
    cost = np.zeros(len(CONVENTIONS))
    for dim in DIMENSIONS:
        fam = _SAME_FAMILY.get(dim, {})
        r = fam.get(getattr(ref, dim), getattr(ref, dim))
        cost += np.array([fam.get(getattr(c, dim), getattr(c, dim)) != r for c in CONVENTIONS])
    return cost


def _diagnose(m: MetricUnderAudit) -> Diagnosis:
    names = [n for n in _DIAGNOSTIC if n in m.inputs and not (m.keras_metric and n in ("first3", "last1"))]
    observed = {}
    for n in names:
        o = m.observe(n)
        if o.crash is None:
            observed[n] = o.value
    tables = {n: m.table(n) for n in names}
    cost = _cost(m)
    ok = _matches(observed, m)
    diag = Diagnosis(m.reference, None, observed, m.binary, tables, constant=_constant(m))
    if ok.any():
        candidates = np.flatnonzero(ok)
        diag.convention = CONVENTIONS[int(candidates[np.argmin(cost[candidates])])]
        return diag
    hits = sum(_matches({n: v}, m).astype(int) for n, v in observed.items()) if observed else np.zeros(len(cost))
    best = np.flatnonzero(hits == np.max(hits))
    k = int(best[np.argmin(cost[best])])
    diag.closest, diag.closest_matches = CONVENTIONS[k], int(hits[k])
    return diag


# --------------------------------------------------------------------------------------------
# words: what each departure from the reference means, and its fix
# --------------------------------------------------------------------------------------------
_FIX = {
    ("hard", "soft"): "It computes the IoU of the probabilities themselves (intersection sum(y_true * y_pred)): a "
    "correct prediction at 0.8 confidence scores below 1 and a wrong one above 0. That is a soft IoU, a loss's "
    "quantity; a metric counts pixels: take tf.argmax(y_pred, axis=-1) (one sigmoid channel: y_pred >= 0.5) first.",
    ("hard", "threshold"): "It rounds or thresholds each channel on its own, which is not the argmax: a pixel at "
    "[.4, .15, .15, .15, .15] gets no class; take tf.argmax(y_pred, axis=-1) so each pixel gets exactly one class.",
    ("hard", "cast"): "A cast to int before rounding truncates every probability below 1 to 0 "
    "(tf.round(tf.cast(p, tf.int32))): only a probability of exactly 1.0 counts; take tf.argmax(y_pred, axis=-1).",
    ("score", "dice"): "It is the Dice coefficient 2|A∩B| / (|A| + |B|) (F1), not IoU |A∩B| / |A∪B| (IoU = Dice / (2 - "
    "Dice) per class); compute TP / (TP + FP + FN), or declare expect='dice' if Dice is what you want.",
    ("score", "iou"): "It is IoU, but expect='dice' declares Dice: 2 TP / (2 TP + FP + FN).",
    ("score", "overlap_twice"): "Its union is |A| + |B|, which counts the overlap twice: a perfect prediction scores "
    "0.5. The union is |A| + |B| - |A∩B|; IoU = TP / (TP + FP + FN).",
    ("score", "accuracy"): "It counts true negatives ((TP + TN) / N per class is accuracy, not IoU): a prediction "
    "wrong at every pixel still scores above 0. IoU = TP / (TP + FP + FN).",
    ("scope", "image"): "It is the mean of per-image IoUs: an image with 9 pixels of a class weighs as much as one "
    "with 200, a different quantity from the dataset's IoU. Sum intersections and unions over the batch and the "
    "pixels (axis=[0, 1, 2]) per class, or accumulate a confusion matrix over batches (StreamingMeanIoU); declare "
    "expect='per_image' if the per-image mean is what you want.",
    ("scope", "image_class"): "It averages an IoU per (image, class) pair: small classes in small images weigh as "
    "much as large ones, a different quantity from the dataset's IoU. Sum intersections and unions over the batch "
    "and the pixels (axis=[0, 1, 2]) per class first; declare expect='per_image' if that is intended.",
    ("scope", "column"): "It sums over one spatial axis only (axis=[1]): each (image, column) is scored on its own, "
    "not the region. Sum over the batch, height and width (axis=[0, 1, 2]).",
    ("scope", "dataset"): "It counts over the whole batch, but expect='per_image' declares a mean of per-image values.",
    ("classes", "pooled"): "It pools every class into one IoU (sums over the class axis too): with one-hot masks "
    "that is accuracy / (2 - accuracy), blind to small classes. Sum over axes [0, 1, 2] only, one IoU per class, "
    "then average over the classes.",
    ("classes", "foreground"): "It leaves class 0 (background) out of the mean: a different number from the mean "
    "IoU over all classes; declare expect='foreground_only' if that is intended.",
    ("classes", "mean"): "It averages the background's IoU with the foreground's, as keras.metrics.BinaryIoU() does "
    "by default (target_class_ids=(0, 1)): a model that finds nothing still scores about half. Use "
    "keras.metrics.BinaryIoU(target_class_ids=[1]) or helpers.keras.ForegroundIoU().",
    ("absent", "zero"): "A class absent from truth and prediction counts as 0 (dividing by all classes, or 0/(0 + "
    "eps)); leave such classes out of the mean (tf.math.divide_no_nan and a mask of classes with a union > 0).",
    ("absent", "one"): "A class (or image) with nothing in truth and prediction counts as 1 (eps/eps, or a rule "
    "that scores empty as perfect): a reward for nothing; leave it out of the mean instead.",
    ("absent", "smooth"): "+1 smoothing ((TP + 1) / (TP + FP + FN + 1)) scores a class (or image) with nothing in "
    "truth and prediction as 1 and moves every other one; IoU = TP / (TP + FP + FN), no +1, absent classes left out.",
    ("absent", "nan"): "0/0 for a class (or image) with nothing in truth and prediction: NaN, and Keras's mean over "
    "batches becomes NaN for the epoch. Guard the division (tf.math.divide_no_nan) and leave such classes out.",
    ("absent", "truth"): "It leaves out every class absent from the truth, even where it is predicted: false "
    "positives of such classes never count. Leave out only classes absent from truth and prediction (union 0).",
}


def _fix_words(dim: str, value: str, binary: bool) -> str:
    if binary and dim == "classes" and value == "pooled":
        return (
            "It pools background and foreground into one IoU: that is accuracy / (2 - accuracy), not the object's IoU; "
            "count the foreground only (keras.metrics.BinaryIoU(target_class_ids=[1]), helpers.keras.ForegroundIoU())."
        )
    return _FIX[(dim, value)]


_DIM_CODE = {
    "hard": "soft_not_hard",
    "score": "dice_not_iou",
    "scope": "per_image_not_dataset",
    "classes": "pooled_over_classes",
    "absent": "absent_class_as_zero",
}
"""The code a convention check carries (shown only when it fails, and then the deviation's own code)."""

_CHECK_NAMES = {
    "hard": "a pixel's class is the argmax of y_pred",
    "score": "IoU, not Dice",
    "scope": "one count over the whole batch (the dataset's IoU)",
    "classes": "one IoU per class, averaged over the classes",
    "absent": "classes absent from truth and prediction are left out",
}
_BINARY_CHECK_NAMES = {
    "hard": "a pixel is foreground where y_pred >= 0.5",
    "classes": "the IoU of the foreground",
    "absent": "an image with nothing in truth and prediction is left out",
}


def conventions(m: MetricUnderAudit) -> list:
    """What the metric computes: one check per way of computing an IoU (hard, IoU, per batch, per class, absent)."""
    d = m.diagnosis
    if d.convention is None:
        return _unexplained(m, d)
    checks = []
    for dim in DIMENSIONS:
        name = (_BINARY_CHECK_NAMES if m.binary else {}).get(dim) or _CHECK_NAMES[dim]
        value, ref = getattr(d.convention, dim), getattr(d.reference, dim)
        expected, got = _label(dim, ref, m.binary), _label(dim, value, m.binary)
        deviation = next((dev for dev in d.deviations() if dev[0] == dim), None)
        if deviation is None:
            hint = ""
            if d.harmless(dim, value):
                hint = "+1 smoothing, harmless here: nothing it counts can be empty, and it moves values by < 1/N"
            elif ref != getattr(REFERENCE._replace(classes="foreground") if m.binary else REFERENCE, dim):
                hint = f"as declared: expect={m.expect!r}"
            checks.append(Check(name, _DIM_CODE[dim], expected, got, True, hint))
            continue
        where = _where_it_shows(d, dim)
        numbers = (
            f" On {_WHERE[where]} it gives {format_value(d.observed[where])}; with {expected} it would give "
            f"{format_value(d.value(d.fixed(dim), where))}."
        )
        checks.append(Check(name, deviation[2], expected, got, False, _fix_words(dim, value, m.binary) + numbers))
    return checks


def _where_it_shows(d: Diagnosis, dim: str) -> str:
    """The input on which setting ``dim`` right moves the value visibly: the mixed batch if it does there."""
    preferred = ("errors", "errors_hard", "absent", "empty_image", "all_empty", "perfect", "all_wrong")
    for name in preferred:
        if name in d.observed and d.moves(dim, name) > 10 * TOL:
            return name
    return max(d.observed, key=lambda n: d.moves(dim, n))


def _unexplained(m: MetricUnderAudit, d: Diagnosis) -> list:
    if d.constant:
        return [
            Check(
                "a known convention explains every value",
                "constant_output",
                "one of the known conventions",
                "a constant",
                False,
                "see constant_output: the value does not depend on y_pred, so there is nothing else to read.",
            )
        ]
    checks = []
    if _soft_observed(d):
        checks.append(
            Check(_CHECK_NAMES["hard"], "soft_not_hard", "argmax", "the probabilities", False, _FIX[("hard", "soft")])
        )
    n = len(d.observed)
    closest = (
        f" The closest known convention, {describe(d.closest, binary=m.binary, num_classes=m.num_classes)}, gives "
        f"{d.closest_matches} of the {n} values."
        if d.closest is not None
        else ""
    )
    checks.append(
        Check(
            "a known convention explains every value",
            "wrong_value",
            "the dataset's IoU, or a known variant",
            "none",
            False,
            "No known way of computing an IoU gives these values." + closest + " Compare with the dataset-level "
            "mean IoU step by step: argmax of y_pred, one confusion matrix over all pixels of the batch, per class "
            "TP / (TP + FP + FN), averaged over the classes present in truth or prediction.",
        )
    )
    return checks


def _soft_observed(d: Diagnosis) -> bool:
    """The value moves with the confidence of the same (hard) prediction: 0.8 vs 1.0, both above 0.5."""
    a, b = d.observed.get("errors"), d.observed.get("errors_hard")
    return a is not None and b is not None and np.isfinite(a) and np.isfinite(b) and abs(a - b) > TOL


# --------------------------------------------------------------------------------------------
# one value against the reference: pass, or the finding that explains it
# --------------------------------------------------------------------------------------------
_NAN_HINT = (
    "The metric returned {got} here: a class (or image) with nothing in truth and prediction is 0/0; guard every "
    "division (tf.math.divide_no_nan) and leave such classes out of the mean."
)


def _crash_check(m: MetricUnderAudit, name: str, crash: Check, expected) -> Check:
    cause = explain_error(crash.got)
    hint = f"The metric raised {crash.got} on this input. " + (cause or "It must handle any input a model can give.")
    return Check(name, "crashes", format_value(expected), crash.got, False, hint)


def value_check(m: MetricUnderAudit, obs: str, name: str, fallback) -> Check:
    """The metric's value on the input ``obs`` against the reference; off it, the code of what explains it.

    ``fallback(got, want) -> (code, hint)`` names the finding when the diagnosis does not explain the value.
    """
    o, want = m.observe(obs), m.reference_value(obs)
    if o.crash:
        return _crash_check(m, name, o.crash, want)
    got = o.value
    if np.isfinite(got) and abs(got - want) <= TOL:
        return Check(name, "wrong_value", want, got, True)
    if not np.isfinite(got):  # NaN or inf is its own finding, whatever convention gives it
        return Check(name, "non_finite", want, got, False, _NAN_HINT.format(got=got))
    d = m.diagnosis
    if d.explains(obs):
        devs = d.affecting(obs)
        if not devs:  # the convention found is the reference's, up to a +1 smoothing: still a value off
            hint = (
                f"On {_WHERE[obs]} it gives {format_value(got)}, the dataset-level value is {format_value(want)}: "
                "a +1 (or epsilon) smoothing moves it. Leave out what is empty instead of smoothing, or compare "
                "with a tolerance that you state."
            )
            return Check(name, "wrong_value", want, got, False, hint)
        dim, value, code = devs[0]
        also = f" (and {', '.join(c for _, _, c in devs[1:])})" if len(devs) > 1 else ""
        hint = f"{format_value(got)} is what {_label(dim, value, m.binary)} gives here: see [{code}]{also} above."
        if code == "non_finite":
            hint = _NAN_HINT.format(got=got)
        return Check(name, code, want, got, False, hint)
    if not np.isfinite(got):
        return Check(name, "non_finite", want, got, False, _NAN_HINT.format(got=got))
    if d.constant:
        return Check(name, "constant_output", want, got, False, "see constant_output")
    code, hint = fallback(got, want)
    return Check(name, code, want, got, False, hint)


def _single_cause(m: MetricUnderAudit, obs: str, got: float) -> str | None:
    """The code of the one departure from the reference that alone gives ``got`` on ``obs``, if exactly one does."""
    values = m.table(obs)[0]
    ref = m.reference
    codes = set()
    for dim, options in DIMENSIONS.items():
        for value in options:
            if value != getattr(ref, dim) and abs(values[_INDEX[ref._replace(**{dim: value})]] - got) <= TOL:
                codes.add(deviation_code(dim, value, getattr(ref, dim)))
    return codes.pop() if len(codes) == 1 else None


def _wrong_value(m: MetricUnderAudit, obs: str):
    def fallback(got, want):
        code = _single_cause(m, obs, got) or ("soft_not_hard" if _soft_observed(m.diagnosis) else "wrong_value")
        where = _WHERE[obs]
        hint = f"On {where} it gives {format_value(got)}, the dataset-level value is {format_value(want)}" + (
            f" ({METRIC_FINDINGS_WORDS.get(code, code)})."
            if code != "wrong_value"
            else ": no known convention explains it (see above)."
        )
        return code, hint

    return fallback


METRIC_FINDINGS_WORDS = {
    "per_image_not_dataset": "what a mean of per-image values gives",
    "pooled_over_classes": "what one IoU of all classes pooled gives",
    "dice_not_iou": "what Dice gives",
    "soft_not_hard": "it moves with the confidence of the same prediction: an IoU of probabilities",
    "absent_class_as_zero": "what counting absent classes as 0 gives",
    "absent_class_as_one": "what counting absent classes as 1 gives",
    "threshold_not_argmax": "what thresholding each channel at 0.5 gives",
    "constant_output": "what casting probabilities to int gives",
}


# --------------------------------------------------------------------------------------------
# the probes, in the report's order
# --------------------------------------------------------------------------------------------
def _runs_hint(m: MetricUnderAudit, error: str) -> str:
    cause = explain_error(error)
    if cause:
        return f"The metric raised {error}. {cause}"
    if m.binary:
        truth = "int32 0/1 label maps (B, H, W)" if m.labels_mode else "0/1 float32 masks (B, H, W, 1)"
        return (
            f"The metric raised {error}; make it take y_true as {truth} and y_pred as sigmoid probabilities "
            "(B, H, W, 1), as Keras passes them."
        )
    truth = "int label maps (B, H, W)" if m.labels_mode else "one-hot float32 (B, H, W, C)"
    return (
        f"The metric raised {error}; make it take y_true as {truth} and y_pred as softmax probabilities "
        "(B, H, W, C), as Keras passes them (for label maps try y_true='labels'; one sigmoid channel: binary=True)."
    )


def standard_predictions(m: MetricUnderAudit) -> list:
    """It runs (channels last), and a perfect, an all-wrong and a third prediction score differently, 1 and 0."""
    perfect = m.observe("perfect")
    name = "runs on label maps and softmax y_pred" if m.labels_mode else "runs on one-hot y_true and softmax y_pred"
    if m.binary:
        name = "runs on 0/1 masks and sigmoid y_pred"
    if perfect.crash:
        return [Check(name, "crashes", "a number", perfect.crash.got, False, _runs_hint(m, perfect.crash.got))]
    checks = []
    if m.channels_first:
        shape = "(B, 1, H, W)" if m.binary else "(B, C, H, W)"
        checks.append(
            Check(
                "classes on the last axis (channels last, as Keras)",
                "channels_first",
                "(B, H, W, C)",
                shape,
                False,
                f"It reads axis 1 as the classes (PyTorch's {shape}): on channels-last input it fails or scores "
                "garbage, so the rest of this audit feeds it channels first. Keras passes (B, H, W, C): take the "
                "argmax over axis=-1 and sum pixels over axes [1, 2] (or transpose: tf.transpose(y, [0, 3, 1, 2])).",
            )
        )
    third = _constant_inputs(m)[2]
    for obs in ("all_wrong", third):
        o = m.observe(obs)
        if o.crash:
            return checks + [_crash_check(m, f"{_WHERE[obs]} runs", o.crash, "a number")]
    values = [m.observe(n).value for n in _constant_inputs(m)]
    if all(np.isfinite(values)):
        checks.append(_constant_check(m, values))
    checks.append(value_check(m, "perfect", "perfect prediction scores 1", _perfect_fallback(m)))
    checks.append(value_check(m, "all_wrong", "all-wrong prediction scores 0", _all_wrong_fallback(m)))
    return checks


def _constant_check(m: MetricUnderAudit, values: list) -> Check:
    constant = max(values) - min(values) <= 1e-6
    hint = ""
    if constant:
        if is_sparse_keras_mean_iou(m.metric):
            hint = (
                "keras.metrics.MeanIoU with sparse_y_true/sparse_y_pred left True takes one-hot masks and "
                "probabilities for label maps (it casts the probabilities to int, so every one below 1 becomes "
                "class 0): use keras.metrics.OneHotMeanIoU(num_classes=C), or MeanIoU(..., "
                "sparse_y_true=False, sparse_y_pred=False)."
            )
        elif m.diagnosis.convention is not None and m.diagnosis.convention.hard == "cast":
            hint = _FIX[("hard", "cast")]
        else:
            hint = "It ignores y_pred (y_true compared with itself? probabilities cast to int before the argmax?)."
        hint = f"Every prediction scores {format_value(values[0])}: the value ignores y_pred. " + hint
    third = "mixed" if m.binary else "uniform"
    return Check(
        f"perfect, all-wrong and {third} predictions score differently",
        "constant_output",
        "three different values",
        ", ".join(format_value(v) for v in values),
        not constant,
        hint,
    )


SIDE_EFFECT = 0.05
"""How far a +1 smoothing alone can move an all-wrong prediction's value on the probes (about 1 / the smallest
union); an all-wrong value above it, with exact 0/1 probabilities, has a cause of its own."""


def _off_even_when_hard(m: MetricUnderAudit, obs: str, want: float) -> float | None:
    """The value of the same prediction with exact 0/1 probabilities, if it is off too (a cause besides the IoU
    of probabilities: a value above 1, an all-wrong prediction lifted by more than a smoothing moves it)."""
    o = m.observe(f"{obs}_hard")
    if o.crash is not None or not np.isfinite(o.value):
        return None
    off = o.value - want > TOL if obs == "perfect" and want == 1.0 else abs(o.value - want) > TOL
    if obs == "all_wrong":
        off = o.value > SIDE_EFFECT
    return o.value if off else None


def _perfect_fallback(m: MetricUnderAudit):
    def fallback(got, want):
        hard = _off_even_when_hard(m, "perfect", 1.0)
        if _soft_observed(m.diagnosis) and hard is None:
            return "soft_not_hard", _FIX[("hard", "soft")]
        how = f" (with exact 0/1 probabilities: {format_value(hard)})" if hard is not None else ""
        return "perfect_not_one", (
            f"A perfect prediction scores {format_value(got)}{how}, not 1: the union is |A| + |B| - |A∩B| (the overlap "
            "counted once), and a smoothing term must appear on both sides of the fraction."
        )

    return fallback


def _all_wrong_fallback(m: MetricUnderAudit):
    def fallback(got, want):
        hard = _off_even_when_hard(m, "all_wrong", 0.0)
        if _soft_observed(m.diagnosis) and hard is None:
            return "soft_not_hard", _FIX[("hard", "soft")]
        how = f" (with exact 0/1 probabilities: {format_value(hard)})" if hard is not None else ""
        return "all_wrong_not_zero", (
            f"A prediction wrong at every pixel scores {format_value(got)}{how}, not 0: +1 smoothing or counting true "
            "negatives ((TP + TN) / N is accuracy, not IoU) rewards it; IoU = TP / (TP + FP + FN), no +1."
        )

    return fallback


def mixed_batch_values(m: MetricUnderAudit) -> list:
    """The mixed batch (discs, diagonals, a small object, strips; every image its own errors) at 0.8, 1.0 and low
    confidence: each value is the dataset's IoU of the batch."""
    low = "0.6" if m.binary or m.num_classes < 3 else "0.4"
    shapes = (
        "a disc, a diagonal band, an empty truth, an empty prediction"
        if m.binary
        else "discs, diagonals, a small object, strips"
    )
    checks = [
        value_check(m, "errors", f"mixed batch ({shapes}): the dataset's IoU", _wrong_value(m, "errors")),
        value_check(m, "errors_hard", "the same batch with one-hot predictions", _wrong_value(m, "errors_hard")),
    ]

    def low_fallback(got, want):
        hard = m.observe("errors_hard").value
        errors = m.observe("errors").value
        if hard is not None and errors is not None and abs(errors - hard) <= TOL and abs(got - hard) > TOL:
            return "threshold_not_argmax", _FIX[("hard", "threshold")] + f" It scores {format_value(got)} here."
        return _wrong_value(m, "errors_low")(got, want)

    same = "mask" if m.binary else "argmax"
    checks.append(value_check(m, "errors_low", f"the same {same} at confidence {low}", low_fallback))
    return checks


def absent_classes(m: MetricUnderAudit) -> list | Skipped:
    """Classes absent from truth and prediction (binary: an empty image, an all-empty batch) are left out."""
    if m.binary:
        return [
            value_check(
                m, "empty_image", "an image empty in truth and prediction is left out", _wrong_value(m, "empty_image")
            ),
            value_check(m, "all_empty", "a batch with nothing to find, nothing found scores 0", _empty_fallback(m)),
        ]
    c = m.num_classes
    if c < 3:  # needs a third class to be absent while two are present
        return Skipped("absent classes", "needs num_classes >= 3")
    return [
        value_check(
            m, "absent", f"classes 2..{c - 1} absent from truth and prediction are left out", _wrong_value(m, "absent")
        ),
        value_check(
            m,
            "false_class",
            f"class {c - 1}, predicted but absent from the truth, counts (IoU 0)",
            _wrong_value(m, "false_class"),
        ),
    ]


def _empty_fallback(m: MetricUnderAudit):
    def fallback(got, want):
        if abs(got - 1.0) <= TOL:
            return "absent_class_as_one", _FIX[("absent", "one")]
        return _wrong_value(m, "all_empty")(got, want)

    return fallback


def batch_size(m: MetricUnderAudit) -> list:
    """Each batch scores its own IoU, and Keras's mean over batches of 3 and 1 images equals one batch of 4."""
    whole = m.observe("errors")
    name = "the same value for batches of 3 + 1 images as for one batch of 4"
    if whole.crash:
        return [_crash_check(m, name, whole.crash, "a number")]
    checks = []
    if m.keras_metric:
        how = "streamed in batches of 3 and 1 images, it gives"
        split = m.observe("streamed")
        if split.crash:
            return [_crash_check(m, name, split.crash, "a number")]
        keras_mean = split.value
    else:
        how = "Keras's mean over batches of 3 and 1 images (each batch weighs the same) is"
        checks += [
            value_check(m, "first3", "the first 3 images as one batch: their IoU", _wrong_value(m, "first3")),
            value_check(m, "last1", "the last image as one batch: its IoU", _wrong_value(m, "last1")),
        ]
        a, b = m.observe("first3"), m.observe("last1")
        if a.crash or b.crash:
            return checks
        keras_mean = (a.value * a.samples + b.value * b.samples) / (a.samples + b.samples)
    same = bool(np.isnan(keras_mean) and np.isnan(whole.value)) or abs(keras_mean - whole.value) <= TOL
    hint = "" if same else _batch_hint(m, how, keras_mean, whole.value)
    checks.append(Check(name, "batch_dependent", whole.value, keras_mean, same, hint))
    return checks


def _batch_hint(m: MetricUnderAudit, how: str, keras_mean: float, whole: float) -> str:
    start = f"{how} {format_value(keras_mean)}, one batch of 4 gives {format_value(whole)}: "
    if m.keras_metric:
        return start + (
            "the metric keeps a mean of per-batch values. Accumulate counts (a confusion matrix) in update_state "
            "and compute the IoU in result(), as keras.metrics.OneHotMeanIoU and helpers.keras.StreamingMeanIoU do."
        )
    per_image = m.diagnosis.convention is not None and m.diagnosis.convention.scope in ("image", "image_class")
    return start + (
        "Keras reports the mean of per-batch values, which is not the dataset's IoU. Accumulate one confusion matrix "
        "in a keras.metrics.Metric (e.g. helpers.keras.metrics.StreamingMeanIoU)"
        + (
            "; a per-image metric can also return one value per image, shape (B,), which Keras weighs by batch size."
            if per_image
            else "."
        )
    )


def _void_inputs(m: MetricUnderAudit) -> tuple[np.ndarray, np.ndarray]:
    """The mixed batch with void pixels on the errors of its first two images and on a block of the last one."""
    t, p = m.inputs["errors"]
    void = (p.argmax(-1) != t) & (np.arange(len(t)) < 2)[:, None, None]
    void[-1, :3, :3] = True
    return np.where(void, -1, t), p


def void_pixels(m: MetricUnderAudit) -> list | Skipped:
    """Void pixels (``ignore_index``; all-zero one-hot rows) are left out: not as a class, not as false positives."""
    if m.ignore_index is None:
        return Skipped("void pixels", "pass ignore_index to check them")
    name = f"void pixels (ignore_index={m.ignore_index}) are left out"
    if "void" not in m.inputs:
        m.inputs["void"] = _void_inputs(m)
    t_void, p = m.inputs["void"]
    o = m.observe("void")
    conv = m.diagnosis.convention or m.reference
    want = value_of(m.reference, t_void, p)
    if o.crash:
        return [_crash_check(m, name, o.crash, want)]
    got, own = o.value, value_of(conv, t_void, p)
    if np.isfinite(got) and abs(got - want) <= TOL:
        return [Check(name, "ignore_label_counted", want, got, True)]
    counted = {"as false positives": value_of(conv, t_void, p, void="fp")}
    counted.update({f"as class {k}": value_of(conv, t_void, p, void=k) for k in range(p.shape[-1])})
    where = "label maps" if m.labels_mode else ("float masks" if m.binary else "one-hot (all-zero rows)")
    for how, v in counted.items():
        if abs(got - v) <= TOL and abs(v - own) > TOL:
            hint = (
                f"Void pixels ({where}, ignore_index={m.ignore_index}) were counted {how}: it scores "
                f"{format_value(got)} instead of {format_value(want)}; drop void pixels from truth and prediction "
                "before counting (tf.boolean_mask, or StreamingMeanIoU(..., ignore_index=255))."
            )
            return [Check(name, "ignore_label_counted", want, got, False, hint)]
    devs = m.diagnosis.deviations()
    if abs(got - own) <= TOL and devs:
        return [
            Check(
                name,
                devs[0][2],
                want,
                got,
                False,
                f"Void pixels are left out; the value is off as above: see [{devs[0][2]}].",
            )
        ]
    if not np.isfinite(got):
        return [Check(name, "non_finite", want, got, False, _NAN_HINT.format(got=got))]
    hint = (
        f"With void pixels it gives {format_value(got)}, the dataset-level value without them is {format_value(want)}."
    )
    return [Check(name, "wrong_value", want, got, False, hint)]


def out_of_range_labels(m: MetricUnderAudit) -> list | Skipped:
    """A label outside ``[0, C)`` that is not ``ignore_index`` raises an error (labels mode only)."""
    if not m.labels_mode or m.binary:
        return Skipped("labels out of range", "labels mode only (y_true='labels', not binary)")
    c = m.num_classes
    t, p = m.inputs["errors"]
    bad_label = c if m.ignore_index != c else c + 1
    t_bad = t.copy()
    t_bad[:, :2, 0] = bad_label
    name = f"label {bad_label} (outside [0, {c})) raises an error"
    y_pred = m.feed(t, p)[1]
    got, error = safe_call(
        lambda: call_metric(m.metric, t_bad.astype(np.int32), y_pred),
        check=name,
        code="out_of_range_dropped",
        expected="an error",
        hint="",
    )
    if error:  # the right answer here: the error is the value got
        error.ok = True
        return [error]
    keep = t_bad != bad_label
    dropped = value_of(m.reference, np.where(keep, t, -1), p)
    how = "as if those pixels did not exist" if abs(got - dropped) <= TOL else "without a word"
    hint = (
        f"Pixels labelled {bad_label} were scored {how} ({format_value(got)}): raise an error on labels "
        f"outside [0, {c}) that are not ignore_index, so a wrong num_classes or an unmapped void "
        "label (255) is found instead of silently changing the result."
    )
    return [Check(name, "out_of_range_dropped", "an error", got, False, hint)]


METRIC_PROBES = [
    standard_predictions,  # first: if the metric crashes on these, the audit stops
    conventions,
    mixed_batch_values,
    absent_classes,
    batch_size,
    void_pixels,
    out_of_range_labels,
]
"""The probes of :func:`audit_metric`, in the report's order."""


# --------------------------------------------------------------------------------------------
# audit_metric
# --------------------------------------------------------------------------------------------
def _expect(expect) -> tuple:
    if expect is None:
        return ()
    items = (expect,) if isinstance(expect, str) else tuple(expect)
    bad = [e for e in items if e not in EXPECT]
    if bad:
        raise ValueError(f"expect must be None, or one or more of {EXPECT}, got {bad[0]!r}.")
    return tuple(dict.fromkeys(items))


def prepare_metric(
    metric,
    *,
    num_classes: int | None = None,
    y_true: str = "one_hot",
    ignore_index: int | None = None,
    binary: bool = False,
    expect=None,
) -> MetricUnderAudit:
    """The arguments of :func:`audit_metric`, checked (a ``ValueError`` names the fix), as a :class:`MetricUnderAudit`.

    >>> prepare_metric(lambda y_true, y_pred: 0.0, binary=True).num_classes
    2
    """
    if binary:
        if num_classes not in (None, 2):
            raise ValueError(
                f"binary=True audits one sigmoid channel (background and foreground); leave num_classes out "
                f"(got {num_classes!r}), or audit a softmax metric with binary=False."
            )
        c = 2
    elif num_classes is None:
        raise ValueError(
            "num_classes is required for a softmax metric, e.g. audit_metric(metric, num_classes=5); for one "
            "sigmoid channel pass binary=True instead."
        )
    else:
        c = check_num_classes(num_classes)
    if y_true not in ("one_hot", "labels"):
        raise ValueError(
            f"y_true must be 'one_hot' or 'labels', got {y_true!r}: say how the metric takes the "
            "truth, one-hot (B, H, W, C) or label maps (B, H, W)."
        )
    ignore_index = check_ignore_index(ignore_index, c)
    if isinstance(metric, type):
        example = "binary=True" if binary else f"num_classes={c}"
        raise ValueError(
            f"pass a metric instance or a function, not the class {metric.__name__}: e.g. "
            f"audit_metric({metric.__name__}({'' if binary else f'num_classes={c}'}), {example})."
        )
    if not callable(metric) and not is_keras_metric(metric):
        raise ValueError(
            f"metric must be a function f(y_true, y_pred) or a keras.metrics.Metric instance, "
            f"got {type(metric).__name__}."
        )
    return MetricUnderAudit(
        metric, c, labels_mode=y_true == "labels", ignore_index=ignore_index, binary=binary, expect=_expect(expect)
    )


def _notes(m: MetricUnderAudit) -> list:
    """The report's first lines: the convention declared, and the one the metric follows."""
    if m.seen.get("perfect") is None or m.seen["perfect"].crash:
        return []
    notes = []
    if m.expect:
        notes.append(
            f"Declared: expect={m.expect!r}; compared with "
            f"{describe(m.reference, binary=m.binary, num_classes=m.num_classes)}."
        )
    d = m.diagnosis
    default = REFERENCE._replace(classes="foreground") if m.binary else REFERENCE
    if d.convention is not None and (d.convention != default or m.expect):
        follows = "It follows" if not d.deviations() else "It computes"
        notes.append(f"{follows}: {describe(d.convention, binary=m.binary, num_classes=m.num_classes)}.")
    return notes


def graph_error(m: MetricUnderAudit) -> str | None:
    """The error a function metric raises on symbolic tensors inside ``tf.function`` (as ``model.compile`` calls
    it), or None when it runs there (or is a Keras metric instance, or crashed already on arrays).

    >>> import numpy as np
    >>> graph_error(MetricUnderAudit(lambda t, p: float(np.mean(t.argmax(-1) == p.argmax(-1))), num_classes=3))
    "AttributeError: 'SymbolicTensor' object has no attribute 'argmax'"
    """
    if m.keras_metric or m.observe("perfect").crash:
        return None
    import tensorflow as tf

    y_true, y_pred = m.feed(*m.inputs["perfect"])
    graph = tf.function(lambda a, b: m.metric(a, b))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        _, crash = safe_call(lambda: graph(tf.constant(y_true), tf.constant(y_pred)), check="graph", hint="")
    return crash.got if crash else None


def _graph_note(error: str) -> str:
    return (
        f"NumPy only: it runs on arrays (as audited here), but inside model.compile / fit, where Keras passes "
        f"symbolic tensors in tf.function, it raises {error.rstrip('.')}. Use it on model.predict's output, or "
        "write it with tf.* / keras.ops (tf.argmax, tf.reduce_sum, tf.math.confusion_matrix) to compile it."
    )


def audit_metric(
    metric,
    *,
    num_classes: int | None = None,
    y_true: str = "one_hot",
    ignore_index: int | None = None,
    binary: bool = False,
    expect=None,
) -> AuditReport:
    """Run a segmentation metric on probes with known answers and report what is wrong with it.

    Every value is compared with the dataset-level IoU of the probe's batch (one confusion matrix over its
    pixels; classes absent from truth and prediction left out). A value off it is always a finding, named
    after the one convention that explains every value observed (``dice_not_iou``, ``per_image_not_dataset``,
    ``pooled_over_classes``, ``soft_not_hard``...), or ``wrong_value`` when none does.

    Parameters
    ----------
    metric : callable or keras.metrics.Metric
        A function ``f(y_true, y_pred) -> scalar`` (TensorFlow or NumPy code; it is called with NumPy
        arrays, and again with tensors if that fails) or a Keras metric **instance**, which is reset,
        updated and read (``reset_state`` / ``update_state`` / ``result``) for every probe, and left reset.
    num_classes : int
        Number of classes ``C`` (>= 2); ``y_pred`` has ``C`` channels. Not needed with ``binary``.
    y_true : {"one_hot", "labels"}, default "one_hot"
        How the metric takes the truth: one-hot float32 ``(B, H, W, C)`` or int32 label maps ``(B, H, W)``.
    ignore_index : int, optional
        The void label the metric claims to leave out (outside ``[0, C)``, e.g. 255). Void pixels are that
        label in label maps, and all-zero rows in one-hot masks. Checked only when given.
    binary : bool, default False
        A binary model: ``y_true`` 0/1 float32 ``(B, H, W, 1)``, ``y_pred`` sigmoid probabilities
        ``(B, H, W, 1)``; the reference is the foreground's IoU at threshold 0.5 over the batch
        (:func:`helpers.metrics.foreground_iou`); the probes include an empty-truth, an empty-prediction and
        an all-empty image.
    expect : {"dice", "per_image", "foreground_only"} or a tuple of them, optional
        A convention the metric follows on purpose: its finding becomes a note (a passing check), the values are
        compared with that convention, and the report's first lines say so.

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
    ['constant_output']
    >>> audit_metric(keras.metrics.BinaryIoU(), binary=True).findings                # averages the background in
    ['wrong_value']
    >>> audit_metric(keras.metrics.BinaryIoU(target_class_ids=[1]), binary=True).passed
    True
    """
    subject = prepare_metric(
        metric, num_classes=num_classes, y_true=y_true, ignore_index=ignore_index, binary=binary, expect=expect
    )
    report = AuditReport(name_of(metric), "metric", subject.setting)
    run_probes(report, METRIC_PROBES, subject)
    report.notes = _notes(subject)
    report.graph_error = graph_error(subject)
    if report.graph_error:
        report.notes.append(_graph_note(report.graph_error))
    return report
