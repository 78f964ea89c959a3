"""The probes of :func:`audit_metric`: one function per probe, each built so that one defect trips one check.

Every probe takes the :class:`MetricUnderAudit`, builds inputs whose answer is known
(:mod:`helpers.audit.known_answers`), calls the metric through :func:`~helpers.audit._calling.safe_call`
(an error is a ``crashes`` finding) and returns its checks, or :class:`~helpers.audit._calling.Skipped`
when it does not apply. :data:`METRIC_PROBES` lists them in the order the report shows them.

Examples
--------
>>> from helpers.course.buggy import mean_iou        # the question's metric: it casts before rounding
>>> check = standard_predictions(MetricUnderAudit(mean_iou, num_classes=5))[0]
>>> check.code, check.ok, check.got
('constant_output', False, '0.8118, 0.8118, 0.8118')
>>> absent_classes(MetricUnderAudit(mean_iou, num_classes=2))
Skipped(name='absent classes', why='needs num_classes >= 3')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers._validation import check_ignore_index, check_num_classes
from helpers.audit._calling import (
    Skipped,
    call_metric,
    is_keras_metric,
    is_sparse_keras_mean_iou,
    name_of,
    run_probes,
    safe_call,
)
from helpers.audit.known_answers import (
    TOL,
    H,
    confusion,
    identical_images,
    mean_score,
    one_hot,
    probs,
    shifted,
    strip_images,
    width,
)
from helpers.audit.report import AuditReport, Check, format_value

__all__ = [
    "audit_metric",
    "MetricUnderAudit",
    "METRIC_PROBES",
    "standard_predictions",
    "same_argmax",
    "absent_classes",
    "dice_or_iou",
    "batch_size",
    "void_pixels",
    "out_of_range_labels",
]

CONFIDENCE = 0.8
"""The probability of each pixel's predicted class, in the probes that do not vary it."""


@dataclass
class MetricUnderAudit:
    """The metric and how the probes feed it: ``run(labels, y_pred)`` gives its value on label maps.

    ``labels`` are label maps where -1 marks a void pixel; :meth:`truth` turns them into what the
    metric takes (one-hot masks, void an all-zero row, or int32 label maps, void ``ignore_index``).
    """

    metric: object
    num_classes: int
    labels_mode: bool = False
    ignore_index: int | None = None

    def truth(self, labels: np.ndarray) -> np.ndarray:
        if self.labels_mode:  # -1 marks void in the probes: label maps carry ignore_index there
            void_code = self.ignore_index if self.ignore_index is not None else 255
            return np.where(labels < 0, void_code, labels).astype(np.int32)
        return one_hot(labels, self.num_classes)

    def run(self, t_labels: np.ndarray, p: np.ndarray, batches=None) -> float:
        return call_metric(self.metric, self.truth(t_labels), p, batches)

    @property
    def setting(self) -> str:
        """How the metric is called, for the report's first line."""
        kind = "Keras metric instance" if is_keras_metric(self.metric) else "function"
        truth = "int32 label maps (B, H, W)" if self.labels_mode else "one-hot float32 (B, H, W, C)"
        void = f", ignore_index={self.ignore_index}" if self.ignore_index is not None else ""
        return f"{kind}, {self.num_classes} classes; y_true {truth}, y_pred softmax float32 (B, H, W, C){void}"


def value_check(name, code, expected, got_fn, hint_fn, *, compare=None) -> Check:
    """One check of the value ``got_fn()``: a crash is ``crashes``, a NaN/inf ``non_finite``, else ``code``.

    By default the value passes within ``TOL`` of ``expected`` (``hint_fn(got)`` says why when not);
    ``compare(got) -> (ok, hint)`` decides instead when given.
    """
    got, crash = safe_call(
        got_fn,
        check=name,
        expected=format_value(expected),
        hint="The metric raised {error} on this standard input: it must handle it.",
    )
    if crash:
        return crash
    if not np.isfinite(got):
        return Check(
            name,
            "non_finite",
            expected,
            got,
            False,
            f"The metric returned {got} here: a class absent from truth and prediction is 0/0; leave "
            "it out of the mean (tf.math.divide_no_nan and a mask of present classes, or np.nanmean).",
        )
    ok, hint = compare(got) if compare else (abs(got - expected) <= TOL, hint_fn(got))
    if ok and abs(got - expected) > TOL:  # another defect moved the value; this one is not it
        hint = "not the defect this check looks for, but the value is off: see the other findings"
    return Check(name, code, expected, got, ok, "" if ok and not hint.startswith("not the defect") else hint)


# --------------------------------------------------------------------------------------------
# the probes, in the report's order
# --------------------------------------------------------------------------------------------
def standard_predictions(m: MetricUnderAudit) -> list:
    """1-5. A perfect, an all-wrong and a uniform prediction: it runs, tells them apart, scores 1 and 0."""
    c, std = m.num_classes, strip_images(m.num_classes)  # 4 images, every class in each
    truth = "int label maps (B, H, W)" if m.labels_mode else "one-hot float32 (B, H, W, C)"
    v_perfect, crash = safe_call(
        lambda: m.run(std, probs(std, c, CONFIDENCE)),
        check="runs on label maps and softmax y_pred" if m.labels_mode else "runs on one-hot y_true and softmax y_pred",
        hint="The metric raised {error}; make it take y_true as " + truth + " and y_pred as softmax probabilities "
        "(B, H, W, C), as Keras passes them (for label maps try y_true='labels').",
    )
    if crash:
        return [crash]
    uniform = np.full(std.shape + (c,), 1.0 / c, dtype=np.float32)
    others, crash = safe_call(
        lambda: (m.run(std, probs((std + 1) % c, c, CONFIDENCE)), m.run(std, uniform)),
        check="all-wrong and uniform predictions",
        hint="The metric raised {error} on a standard input: it must handle any softmax output.",
    )
    if crash:
        return [crash]
    values = (v_perfect, *others)
    if not all(np.isfinite(values)):
        return [
            Check(
                "perfect, all-wrong and uniform predictions are finite",
                "non_finite",
                "finite numbers",
                ", ".join(format_value(v) for v in values),
                False,
                "The metric returned NaN or inf on a standard input: guard every division (tf.math.divide_no_nan) "
                "and leave classes absent from truth and prediction out of the mean.",
            )
        ]
    return _standard_verdicts(m, values)


def _standard_verdicts(m: MetricUnderAudit, values: tuple) -> list:
    """The three checks on the (finite) values of the perfect, all-wrong and uniform predictions."""
    v_perfect, v_wrong, _ = values
    constant = max(values) - min(values) <= 1e-6
    if not constant:
        constant_hint = ""
    elif is_sparse_keras_mean_iou(m.metric):
        constant_hint = (
            "keras.metrics.MeanIoU with sparse_y_true/sparse_y_pred left True takes one-hot masks and "
            "probabilities for label maps (it casts the probabilities to int, so every one below 1 becomes "
            "class 0): use keras.metrics.OneHotMeanIoU(num_classes=C), or MeanIoU(..., "
            "sparse_y_true=False, sparse_y_pred=False)."
        )
    else:
        constant_hint = (
            "A cast to int before rounding truncates every probability below 1 to 0 "
            "(tf.round(tf.cast(p, tf.int32))); take tf.argmax(y_pred, axis=-1) instead."
        )
    if constant_hint:
        constant_hint = f"Every prediction scores {format_value(v_perfect)}: the value ignores y_pred. " + constant_hint
    perfect_ok, wrong_ok = abs(v_perfect - 1.0) <= TOL, v_wrong <= TOL
    perfect_hint = (
        f"A perfect prediction scores {format_value(v_perfect)}, not 1: the union is |A| + |B| - |A∩B| (the "
        "overlap counted once); check it and any smoothing term."
    )
    wrong_hint = (
        f"A prediction wrong at every pixel scores {format_value(v_wrong)}, not 0: +1 smoothing or counting true "
        "negatives ((TP + TN) / N is accuracy, not IoU) rewards it; IoU = TP / (TP + FP + FN), no +1."
    )
    return [
        Check(
            "perfect, all-wrong and uniform predictions score differently",
            "constant_output",
            "three different values",
            ", ".join(format_value(v) for v in values),
            not constant,
            constant_hint,
        ),
        Check(
            "perfect prediction scores 1",
            "constant_output" if constant else "perfect_not_one",
            1.0,
            v_perfect,
            perfect_ok,
            "" if perfect_ok else "see constant_output" if constant else perfect_hint,
        ),
        Check(
            "all-wrong prediction scores 0",
            "constant_output" if constant else "all_wrong_not_zero",
            0.0,
            v_wrong,
            wrong_ok,
            "" if wrong_ok else "see constant_output" if constant else wrong_hint,
        ),
    ]


def same_argmax(m: MetricUnderAudit) -> list:
    """6. The same argmax at low confidence and as one-hot scores the same: a pixel's class is its argmax."""
    c = m.num_classes
    same, pred_same = identical_images(c)
    low = 0.4 if c >= 3 else 0.6  # below 0.5 when it can be, still the argmax
    v_hard, crash = safe_call(
        lambda: m.run(same, one_hot(pred_same, c)),
        check="one-hot predictions",
        hint="The metric raised {error} on one-hot predictions: it must handle them.",
    )
    if crash:
        return [crash]
    if not np.isfinite(v_hard):
        return []
    check = value_check(
        f"same argmax at confidence {low} and 1 scores the same",
        "threshold_not_argmax",
        v_hard,
        lambda: m.run(same, probs(pred_same, c, low)),
        lambda got: (
            f"Probabilities with the same argmax score {format_value(got)} instead of {format_value(v_hard)}: the "
            "metric rounds or thresholds each channel (a pixel at [.4, .15, .15, .15, .15] gets no "
            "class); take tf.argmax(y_pred, axis=-1) so each pixel gets exactly one class."
        ),
    )
    return [check]


def absent_classes(m: MetricUnderAudit) -> list | Skipped:
    """7. Classes absent from truth and prediction are left out of the mean, not counted as 0 or 1."""
    c = m.num_classes
    if c < 3:  # needs a third class to be absent while two are present
        return Skipped("absent classes", "needs num_classes >= 3")
    absent = np.zeros((2, H, width(c)), dtype=np.int64)
    absent[..., (10 * width(c)) // 16 :] = 1
    p_absent = shifted(absent)
    want = mean_score(absent, p_absent, c)
    as_zero = mean_score(absent, p_absent, c, absent="zero")
    as_one = mean_score(absent, p_absent, c, absent="one")
    check = value_check(
        f"classes 2..{c - 1} absent from truth and prediction are left out",
        "absent_class_as_zero",
        want,
        lambda: m.run(absent, probs(p_absent, c, CONFIDENCE)),
        None,
        compare=lambda g: (not (abs(g - as_zero) <= TOL or abs(g - as_one) <= TOL), ""),
    )
    if check.code == "absent_class_as_zero" and not check.ok:  # neither a crash nor NaN: which convention?
        got = check.got
        if abs(got - as_one) <= TOL:
            check.code = "absent_class_as_one"
            check.hint = (
                f"It scores {format_value(got)} = the mean with each absent class counted as 1 (a reward for "
                f"nothing, typical of +1 or +epsilon smoothing); leave absent classes out: {format_value(want)}."
            )
        else:
            check.hint = (
                f"It scores {format_value(got)} = the mean with each absent class counted as 0 (dividing by all "
                f"{c} classes); leave classes absent from truth and prediction out: {format_value(want)}."
            )
    return [check]


def dice_or_iou(m: MetricUnderAudit) -> list:
    """8. The value is IoU, not Dice, on a prediction where the two differ."""
    c = m.num_classes
    same, pred_same = identical_images(c)
    want = mean_score(same, pred_same, c)
    dice = mean_score(same, pred_same, c, kind="dice")
    check = value_check(
        "IoU, not Dice",
        "dice_not_iou",
        want,
        lambda: m.run(same, probs(pred_same, c, CONFIDENCE)),
        None,
        compare=lambda g: (
            abs(g - dice) > TOL,
            f"It scores {format_value(g)} = the mean Dice coefficient 2|A∩B| / (|A| + |B|); IoU is "
            f"|A∩B| / |A∪B| = {format_value(want)} here (IoU = Dice / (2 - Dice)).",
        ),
    )
    return [check]


def batch_size(m: MetricUnderAudit) -> list:
    """9. Keras's mean over batches of 1 (or a Keras metric streamed in batches of 1) equals one batch of 4."""
    c, std = m.num_classes, strip_images(m.num_classes)
    p_std = probs(shifted(std), c, CONFIDENCE)
    singles = [slice(i, i + 1) for i in range(len(std))]
    if is_keras_metric(m.metric):
        how = "streamed in batches of 1"
        in_batches_of_1 = lambda: m.run(std, p_std, batches=singles)
    else:
        how = "Keras's mean over batches of 1"
        in_batches_of_1 = lambda: float(np.mean([m.run(std[s], p_std[s]) for s in singles]))
    name = "the same value for batch size 1 and 4"
    values, crash = safe_call(
        lambda: (m.run(std, p_std), in_batches_of_1()),
        check=name,
        hint="The metric raised {error} on a batch of one image: it must handle any batch size.",
    )
    if crash:
        return [crash]
    v_all, v_ones = values
    check = value_check(
        name,
        "batch_dependent",
        v_all,
        lambda: v_ones,
        lambda got: (
            f"{how} gives {format_value(got)}, one batch of 4 gives {format_value(v_all)}: Keras reports the mean of "
            "per-batch values, which is not the dataset's IoU. Accumulate one confusion matrix "
            "in a keras.metrics.Metric (e.g. helpers.keras.metrics.StreamingMeanIoU)."
        ),
    )
    return [check]


def _void_counted(same: np.ndarray, pred_same: np.ndarray, void: np.ndarray, c: int) -> dict:
    """The mean IoU if void pixels were counted, each way a metric can count them."""
    counted = {f"as class {k}": mean_score(np.where(void, k, same), pred_same, c) for k in range(c)}
    cm = confusion(same[~void], pred_same[~void], c)
    extra = np.bincount(pred_same[void], minlength=c)
    tp = np.diag(cm).astype(float)
    union = cm.sum(0) + cm.sum(1) - tp + extra
    with np.errstate(invalid="ignore", divide="ignore"):
        counted["as false positives"] = float(
            np.nanmean(np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan))
        )
    return counted


def void_pixels(m: MetricUnderAudit) -> list | Skipped:
    """10. Void pixels (``ignore_index``), exactly where the prediction is wrong, are left out."""
    if m.ignore_index is None:
        return Skipped("void pixels", "pass ignore_index to check them")
    c = m.num_classes
    same, pred_same = identical_images(c)  # identical images: per-image and batch-level metrics agree
    void = pred_same != same
    t_void = np.where(void, -1, same)  # -1: void (label maps get ignore_index, one-hot an all-zero row)
    want = mean_score(same[~void], pred_same[~void], c)
    counted = _void_counted(same, pred_same, void, c)
    where = "label maps" if m.labels_mode else "one-hot (all-zero rows)"

    def void_verdict(g):
        for how_, v in counted.items():
            if abs(g - v) <= TOL and abs(v - want) > TOL:
                return False, (
                    f"Void pixels ({where}, ignore_index={m.ignore_index}) were counted {how_}: it scores "
                    f"{format_value(g)} instead of {format_value(want)}; drop void pixels from truth and prediction "
                    "before counting (tf.boolean_mask, or StreamingMeanIoU(..., ignore_index=255))."
                )
        return True, ""

    check = value_check(
        f"void pixels (ignore_index={m.ignore_index}) are left out",
        "ignore_label_counted",
        want,
        lambda: m.run(t_void, probs(pred_same, c, CONFIDENCE)),
        None,
        compare=void_verdict,
    )
    return [check]


def out_of_range_labels(m: MetricUnderAudit) -> list | Skipped:
    """11. A label outside ``[0, C)`` that is not ``ignore_index`` raises an error (labels mode only)."""
    if not m.labels_mode:
        return Skipped("labels out of range", "labels mode only (y_true='labels')")
    c, std = m.num_classes, strip_images(m.num_classes)
    pred_std = shifted(std)
    bad_label = c if m.ignore_index != c else c + 1
    t_bad = std.copy()
    t_bad[:, :2, 0] = bad_label
    name = f"label {bad_label} (outside [0, {c})) raises an error"
    got, error = safe_call(
        lambda: call_metric(m.metric, t_bad.astype(np.int32), probs(pred_std, c, CONFIDENCE)),
        check=name,
        code="out_of_range_dropped",
        expected="an error",
        hint="",
    )
    if error:  # the right answer here: the error is the value got
        error.ok = True
        return [error]
    keep = t_bad != bad_label
    dropped = mean_score(std[keep], pred_std[keep], c)
    how = "as if those pixels did not exist" if abs(got - dropped) <= TOL else "without a word"
    hint = (
        f"Pixels labelled {bad_label} were scored {how} ({format_value(got)}): raise an error on labels "
        f"outside [0, {c}) that are not ignore_index, so a wrong num_classes or an unmapped void "
        "label (255) is found instead of silently changing the result."
    )
    return [Check(name, "out_of_range_dropped", "an error", got, False, hint)]


METRIC_PROBES = [
    standard_predictions,  # first: if the metric crashes on these, the audit stops
    same_argmax,
    absent_classes,
    dice_or_iou,
    batch_size,
    void_pixels,
    out_of_range_labels,
]
"""The probes of :func:`audit_metric`, in the report's order."""


# --------------------------------------------------------------------------------------------
# audit_metric
# --------------------------------------------------------------------------------------------
def _metric_under_audit(metric, num_classes, y_true, ignore_index) -> MetricUnderAudit:
    """The arguments of :func:`audit_metric`, checked: a ``ValueError`` names the fix."""
    c = check_num_classes(num_classes)
    if y_true not in ("one_hot", "labels"):
        raise ValueError(
            f"y_true must be 'one_hot' or 'labels', got {y_true!r}: say how the metric takes the "
            "truth, one-hot (B, H, W, C) or label maps (B, H, W)."
        )
    ignore_index = check_ignore_index(ignore_index, c)
    if isinstance(metric, type):
        raise ValueError(
            f"pass a metric instance or a function, not the class {metric.__name__}: e.g. "
            f"audit_metric({metric.__name__}(num_classes={c}), num_classes={c})."
        )
    if not callable(metric) and not is_keras_metric(metric):
        raise ValueError(
            f"metric must be a function f(y_true, y_pred) or a keras.metrics.Metric instance, "
            f"got {type(metric).__name__}."
        )
    return MetricUnderAudit(metric, c, labels_mode=y_true == "labels", ignore_index=ignore_index)


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
    subject = _metric_under_audit(metric, num_classes, y_true, ignore_index)
    report = AuditReport(name_of(metric), "metric", subject.setting)
    return run_probes(report, METRIC_PROBES, subject)
