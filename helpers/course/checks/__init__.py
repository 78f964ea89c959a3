"""Self-checks for the course's exercises: each answers ✅ or ❌ with a hint that names the misconception.

Every ``check_*`` function takes the learner's function (or object), runs it on small cases whose
answer is known, prints one line and returns a :class:`CheckResult` (truthy when right). A stub that
still raises ``NotImplementedError`` gets a friendly "not done yet". Solutions live in
``notebooks/solutions/``, not in the learner's notebook.

Examples
--------
>>> import numpy as np
>>> dice = lambda a, b: 2 * np.sum(a & b) / (np.sum(a) + np.sum(b))
>>> r = check_iou_of_masks(dice)
❌ That is the Dice coefficient 2|A∩B| / (|A|+|B|), not IoU |A∩B| / |A∪B|.
>>> bool(r)
False
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from helpers import metrics as M

__all__ = [
    "CheckResult",
    "report",
    "run_learner_function",
    "check_labels_from_probabilities",
    "check_region_sums",
    "check_iou_of_masks",
    "check_mean_iou_from_confusion_matrix",
    "check_accumulate_confusion_matrix",
    "check_keras_metric_for_one_hot",
    "check_soft_iou",
    "check_dice_from_jaccard",
    "check_best_epoch",
    "check_pooled_loss_from_accuracy",
    "check_worst_images",
    "check_void_band",
]

PASS = "✅"
FAIL = "❌"


@dataclass
class CheckResult:
    """Outcome of a check: ``ok`` and the message shown (``bool(result)`` is ``ok``)."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:  # the printed line is the feedback; the repr stays short
        return f"CheckResult(ok={self.ok})"

    def _ipython_display_(self) -> None:  # as a cell's last value, show nothing: the line is printed
        pass


def _report(ok: bool, message: str) -> CheckResult:
    line = f"{PASS if ok else FAIL} {message}"
    print(line)
    return CheckResult(ok, line)


def report(ok: bool, message: str) -> CheckResult:
    """Print ✅ or ❌ with ``message`` and return the :class:`CheckResult` (for checks in other modules)."""
    return _report(ok, message)


def run_learner_function(fn, *args):
    """``(True, fn(*args))``, or ``(False, result)`` with a printed hint when ``fn`` is a stub or raises."""
    return _run(fn, *args)


def _run(fn, *args):
    """Call the learner's function; turn a stub or a crash into a hint instead of a traceback."""
    try:
        return True, fn(*args)
    except NotImplementedError:
        return False, _report(False, "Not done yet: replace the `...` / `raise NotImplementedError` with your code.")
    except Exception as exc:
        return False, _report(False, f"Your function raised {type(exc).__name__}: {exc}")


def _run_number(fn, *args):
    """Call the learner's function and read its answer as one float: ``(value, None)``, or
    ``(None, CheckResult)`` when it could not (a stub, a crash, or not a number)."""
    done, out = _run(fn, *args)
    if not done:
        return None, out
    try:
        return float(out), None
    except (TypeError, ValueError):
        return None, _report(False, f"Return one number (a float), not {type(out).__name__}.")


def _close(a, b, tol=1e-6) -> bool:
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and np.allclose(a, b, atol=tol, equal_nan=True)


def _to_numpy(x):
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


# ---------------------------------------------------------------------------------------------
# Notebook 01
# ---------------------------------------------------------------------------------------------
def check_labels_from_probabilities(fn) -> CheckResult:
    """Exercise 01.1: ``fn(y_pred)`` turns probabilities ``(..., C)`` into integer labels ``(...)``."""
    probs = np.array(
        [
            [[0.1, 0.45, 0.15, 0.15, 0.15], [0.05, 0.05, 0.1, 0.2, 0.6]],
            [[0.1, 0.1, 0.7, 0.05, 0.05], [0.2, 0.2, 0.2, 0.2, 0.2]],
        ],
        np.float32,
    )
    expected = np.array([[1, 4], [2, 0]])
    done, out = _run(fn, probs)
    if not done:
        return out
    out = _to_numpy(out)
    if out.shape == probs.shape:
        return _report(
            False,
            "Your result still has a class axis: a label map has one integer per pixel. "
            "Which function picks the index of the largest value along the last axis?",
        )
    if out.shape != expected.shape:
        return _report(False, f"Expected shape {expected.shape} (one label per pixel), got {out.shape}.")
    if np.array_equal(out, np.zeros_like(expected)) or np.array_equal(out, np.argmax(np.round(probs), -1)):
        return _report(
            False,
            "Some pixels lost their class: rounding or casting probabilities is not the same "
            "as choosing the most likely class (a pixel at [.1, .45, .15, .15, .15] is class 1).",
        )
    if not np.array_equal(out, expected):
        return _report(
            False,
            f"Expected labels {expected.tolist()}, got {out.tolist()}. Take the argmax over the "
            "last axis (the classes), not over the pixels.",
        )
    return _report(True, "Right: argmax over the class axis gives exactly one class per pixel.")


def check_region_sums(fn) -> CheckResult:
    """Exercise 01.2: ``fn(y_true, y_pred)`` returns the per-(image, class) IoU, shape ``(B, C)``, from
    one-hot ``(B, H, W, C)`` arrays, NaN where a class is absent from both."""
    rng = np.random.default_rng(11)
    lab_t = rng.integers(0, 3, (2, 4, 5))
    lab_p = np.where(rng.uniform(size=lab_t.shape) < 0.3, rng.integers(0, 3, lab_t.shape), lab_t)
    lab_t[1][lab_t[1] == 2] = 0
    lab_p[1][lab_p[1] == 2] = 0  # class 2 absent from image 1
    y_t = np.eye(3, dtype=np.float32)[lab_t]
    y_p = np.eye(3, dtype=np.float32)[lab_p]
    expected = np.stack([M.per_class_iou(lab_t[i], lab_p[i], num_classes=3) for i in range(2)])
    done, out = _run(fn, y_t, y_p)
    if not done:
        return out
    out = _to_numpy(out)
    if out.shape == (2, 5, 3):
        return _report(
            False,
            "Your result has one value per image, column and class: you summed over axis 1 "
            "(height) only. Sum over height AND width.",
        )
    if out.shape != (2, 3):
        return _report(False, f"Expected shape (2, 3): one IoU per image and class; got {out.shape}.")
    if _close(np.nan_to_num(out, nan=1.0), np.nan_to_num(expected, nan=1.0)) and not np.isnan(out[1, 2]):
        return _report(
            False,
            "Class 2 is absent from image 2 (truth and prediction): its IoU is 0/0, undefined. "
            "A score of 1 there is a reward for nothing: return NaN instead.",
        )
    if not _close(out, expected):
        return _report(
            False,
            "Not the IoU of each class in each image. Intersection = sum of y_true * y_pred, "
            "union = sum(y_true) + sum(y_pred) - intersection, over axes (1, 2); no +1.",
        )
    return _report(True, "Right: one IoU per image and class, and NaN where a class is absent from both.")


# ---------------------------------------------------------------------------------------------
# Notebook 02
# ---------------------------------------------------------------------------------------------
def check_iou_of_masks(fn) -> CheckResult:
    """Exercise 02.1: ``fn(a, b)`` = IoU of two boolean masks; NaN when both are empty."""
    a = np.zeros((4, 4), bool)
    a[:2, :2] = True
    b = np.zeros((4, 4), bool)
    b[1:3, 1:3] = True
    cases = [((a, b), 1 / 7), ((a, a), 1.0), ((a, ~a), 0.0)]
    for (x, y), want in cases:
        got, failed = _run_number(fn, x, y)
        if failed is not None:
            return failed
        if abs(got - 2 * want / (1 + want)) < 1e-9 and want not in (0.0, 1.0):
            return _report(False, "That is the Dice coefficient 2|A∩B| / (|A|+|B|), not IoU |A∩B| / |A∪B|.")
        if abs(got - want) > 1e-9:
            return _report(
                False,
                f"IoU of two 2x2 squares overlapping in one pixel should be 1/7 ≈ 0.143 "
                f"(got {got:.3f} for a case whose answer is {want:.3f}). IoU = |A∩B| / |A∪B|.",
            )
    empty = np.zeros((3, 3), bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, failed = _run_number(fn, empty, empty)
    if failed is not None:
        return failed
    if got == 1.0:
        return _report(
            False,
            "Your IoU is 1.0 for two empty masks: are you counting absent classes? 0/0 is "
            "undefined: return float('nan') so that a mean can leave it out.",
        )
    if not np.isnan(got):
        return _report(False, f"Two empty masks: 0/0 is undefined, return NaN (got {got}).")
    return _report(True, "Right: IoU = |A∩B| / |A∪B|, and NaN when both masks are empty.")


def check_mean_iou_from_confusion_matrix(fn) -> CheckResult:
    """Exercise 02.2: ``fn(cm)`` = mean IoU over the classes present (rows true, columns predicted)."""
    cm = np.array([[5, 1, 0, 0], [2, 3, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    # class 2: absent from truth and prediction; class 3: predicted once, never true (IoU 0)
    iou = M.iou_from_confusion_matrix(cm)
    expected = float(np.nanmean(iou))
    got, failed = _run_number(fn, cm)
    if failed is not None:
        return failed
    if abs(got - np.nan_to_num(iou, nan=0.0).mean()) < 1e-9:
        return _report(
            False,
            "Class 2 is absent from truth and prediction, and you counted it as 0. "
            "Exclude absent classes from the mean (np.nanmean).",
        )
    if abs(got - np.nan_to_num(iou, nan=1.0).mean()) < 1e-9:
        return _report(False, "Your IoU is 1.0 on an empty class: are you counting absent classes? Exclude them.")
    tp = np.diag(cm)
    if (
        abs(got - np.mean(tp[:2] / np.maximum(cm.sum(1)[:2], 1))) < 1e-9
        or abs(got - np.nanmean(np.where(cm.sum(1) > 0, tp / np.maximum(cm.sum(1), 1), np.nan))) < 1e-9
    ):
        return _report(False, "That is recall (TP / row sum). IoU's denominator is TP + FP + FN = row + column - TP.")
    if abs(got - float(np.mean(iou[:2]))) < 1e-9:
        return _report(
            False,
            "Class 3 was predicted once but never appears in the truth: its IoU is 0, and it "
            "counts. Only classes absent from BOTH truth and prediction are left out.",
        )
    if abs(got - expected) > 1e-9:
        return _report(False, f"Expected {expected:.4f}, got {got:.4f}. IoU_c = cm[c, c] / (row_c + col_c - cm[c, c]).")
    return _report(
        True, "Right: per-class IoU from rows and columns, mean over classes present in truth or prediction."
    )


# ---------------------------------------------------------------------------------------------
# Notebook 03
# ---------------------------------------------------------------------------------------------
def check_accumulate_confusion_matrix(fn) -> CheckResult:
    """Exercise 03.1: ``fn(cm, y_true, y_pred_labels)`` returns ``cm`` plus this batch's confusion matrix
    (integer label maps, rows true, columns predicted)."""
    rng = np.random.default_rng(3)
    t = rng.integers(0, 4, (6, 5, 5))
    p = rng.integers(0, 4, (6, 5, 5))
    cm = np.zeros((4, 4), np.int64)
    for i in range(0, 6, 2):
        done, out = _run(fn, cm, t[i : i + 2], p[i : i + 2])
        if not done:
            return out
        cm = np.asarray(out)
    want = M.confusion_matrix(t, p, num_classes=4)
    if cm.shape != (4, 4):
        return _report(False, f"Return the (C, C) matrix; got shape {cm.shape}.")
    if np.array_equal(cm, want.T):
        return _report(False, "Rows and columns are swapped: rows are the TRUE class, columns the PREDICTED one.")
    if np.array_equal(cm, M.confusion_matrix(t[4:], p[4:], num_classes=4)):
        return _report(False, "Only the last batch is in the matrix: add each batch's counts to the running total.")
    if not np.array_equal(cm, want):
        return _report(False, "The counts are off. Hint: np.bincount(true * C + pred, minlength=C*C).reshape(C, C).")
    if not np.issubdtype(cm.dtype, np.integer):
        return _report(False, "Right counts, but keep them as integers: a float32 counter stops counting at 2**24.")
    return _report(True, "Right: the running confusion matrix equals the one of all the data, whatever the batches.")


def check_keras_metric_for_one_hot(make_metric) -> CheckResult:
    """Exercise 03.2: ``make_metric()`` returns a Keras metric object that gives the mean IoU of one-hot
    ``y_true`` and softmax ``y_pred`` with 3 classes."""
    rng = np.random.default_rng(5)
    lab = rng.integers(0, 3, (4, 6, 6))
    pred_lab = np.where(rng.uniform(size=lab.shape) < 0.3, rng.integers(0, 3, lab.shape), lab)
    y_true = np.eye(3, dtype=np.float32)[lab]
    y_pred = (0.6 * np.eye(3)[pred_lab] + 0.4 * rng.dirichlet(np.ones(3), size=lab.shape)).astype(np.float32)
    want = M.mean_iou(lab, pred_lab, num_classes=3)
    done, metric = _run(make_metric)
    if not done:
        return metric
    if not hasattr(metric, "update_state"):
        return _report(False, "Return a metric OBJECT (e.g. keras.metrics.Something(...)), not a number or a class.")
    try:
        metric.update_state(y_true, y_pred)
        got = float(metric.result())
    except Exception as exc:
        return _report(False, f"The metric failed on one-hot y_true and softmax y_pred: {type(exc).__name__}: {exc}")
    if abs(got - want) > 1e-5:
        hint = (
            "MeanIoU expects label maps by default: with one-hot masks and probabilities it scores the "
            "channels, not the classes. Use OneHotMeanIoU, or MeanIoU(..., sparse_y_true=False, "
            "sparse_y_pred=False)."
        )
        return _report(False, f"It reports {got:.4f}, the true mean IoU is {want:.4f}. {hint}")
    n = getattr(metric, "num_classes", 3)
    if n != 3:  # extra classes are absent, so the mean is right here, but not on data that has them
        return _report(
            False,
            f"Right class, but your masks have 3 classes: num_classes=3 (num_classes={n} only gives the "
            "right value here because the extra classes never occur).",
        )
    return _report(True, f"Right: {got:.4f}, the dataset-level mean IoU of these one-hot masks and probabilities.")


# ---------------------------------------------------------------------------------------------
# Notebook 05
# ---------------------------------------------------------------------------------------------
def check_best_epoch(fn) -> CheckResult:
    """Exercise 05.1: ``fn(history)`` = index of the epoch with the best validation mean IoU."""
    history = {
        "loss": [0.9, 0.6, 0.5, 0.45, 0.40],
        "val_loss": [0.95, 0.7, 0.55, 0.50, 0.52],
        "mean_iou": [0.30, 0.55, 0.70, 0.80, 0.86],
        "val_mean_iou": [0.28, 0.50, 0.71, 0.69, 0.66],
        "accuracy": [0.90, 0.93, 0.95, 0.96, 0.97],
        "val_accuracy": [0.89, 0.92, 0.94, 0.95, 0.955],
    }
    done, out = _run(fn, history)
    if not done:
        return out
    try:
        got = int(out)
    except (TypeError, ValueError):
        return _report(False, f"Return an epoch index (an int), not {type(out).__name__}.")
    if got == 3:
        return _report(
            False,
            "That is the epoch with the lowest validation loss. A loss value is not the number "
            "you report: select on the validation mean IoU (highest is best).",
        )
    if got == 4:
        return _report(
            False,
            "That is the last epoch, or the best on TRAINING data or by accuracy. Select on "
            "validation data, by mean IoU.",
        )
    if got != 2:
        return _report(False, "Not the epoch with the highest val_mean_iou. Hint: np.argmax(history['val_mean_iou']).")
    return _report(True, "Right: the epoch with the highest validation mean IoU (epoch index 2).")


def check_pooled_loss_from_accuracy(fn) -> CheckResult:
    """Exercise 05.2: ``fn(a, n)`` = the question's pooled ``iou_loss`` from soft accuracy ``a`` over ``n`` pixels."""
    cases = [(0.5, 100), (0.9, 4096), (1.0, 10), (0.0, 50)]
    for a, n in cases:
        want = 1 - (a * n + 1) / (2 * n - a * n + 1)
        got, failed = _run_number(fn, a, n)
        if failed is not None:
            return failed
        if abs(got - (1 - (a * n + 1) / (n + 1))) < 1e-9 and a < 1:
            return _report(False, "The union is not n: it is sum(y) + sum(p) - intersection = n + n - a*n.")
        if abs(got - (1 - a * n / (2 * n - a * n))) < 1e-9 and a < 1:
            return _report(False, "Almost: the question adds 1 to numerator and denominator (smoothing).")
        if abs(got - want) > 1e-9:
            return _report(
                False,
                f"For a={a}, n={n} expected {want:.4f}, got {got:.4f}. Intersection = a*n, "
                "sum(y) = sum(p) = n; loss = 1 - (I + 1) / (sum(y) + sum(p) - I + 1).",
            )
    return _report(
        True, "Right: with one-hot targets and softmax outputs, the pooled loss is a function of accuracy alone."
    )


# ---------------------------------------------------------------------------------------------
# Notebook 06
# ---------------------------------------------------------------------------------------------
def check_worst_images(fn) -> CheckResult:
    """Exercise 06.1: ``fn(image_ious, k)`` = indices of the k lowest per-image IoUs, lowest first, NaN skipped."""
    ious = np.array([0.9, np.nan, 0.2, 0.75, 0.05, 0.6])
    done, out = _run(fn, ious.copy(), 3)
    if not done:
        return out
    try:
        got = [int(i) for i in np.asarray(out).ravel()]
    except (TypeError, ValueError):
        return _report(False, "Return the image indices (ints), not the IoU values.")
    if got == [4, 2, 5]:
        return _report(True, "Right: the k lowest, lowest first, and NaN (nothing to score) never counts as worst.")
    if 1 in got:
        return _report(
            False,
            "An image with IoU NaN has nothing to score: it is not a worst image. np.argsort puts "
            "NaN last, but check how you handle it (e.g. replace NaN by np.inf first).",
        )
    if got == [0, 3, 5] or got == [0, 3, 5][::-1]:
        return _report(False, "Those are the BEST images: sort in increasing order of IoU.")
    if sorted(got) == [2, 4, 5]:
        return _report(False, "The right images, in the wrong order: lowest IoU first.")
    return _report(False, f"Expected indices [4, 2, 5], got {got}. Hint: np.argsort of the IoUs, then the first k.")


def check_void_band(fn) -> CheckResult:
    """Exercise 06.2: ``fn(masks, band)`` = copy of ``masks`` with ``band`` pixels set to 255."""
    masks = np.array([[[0, 1], [2, 3]], [[4, 4], [0, 0]]], dtype=np.uint8)
    band = np.array([[[True, False], [False, True]], [[False, False], [True, False]]])
    original = masks.copy()
    done, out = _run(fn, masks, band)
    if not done:
        return out
    out = np.asarray(out)
    want = np.where(band, 255, original)
    if not np.array_equal(masks, original):
        return _report(False, "Your function changed the input masks: work on a copy (np.where or masks.copy()).")
    if out.shape != want.shape:
        return _report(False, f"Expected shape {want.shape}, got {out.shape}.")
    if np.array_equal(out, np.where(band, 0, original)):
        return _report(
            False,
            "Void is not background: set the band to 255 and pass ignore_index=255, or the "
            "band's object pixels become background 'truth'.",
        )
    if np.array_equal(out, np.where(~band, 255, original)):
        return _report(False, "The band is inverted: set the pixels where band is True to 255.")
    if not np.array_equal(out.astype(np.int64), want.astype(np.int64)):
        return _report(
            False, "Not the expected masks: pixels where band is True become 255, the others keep their label."
        )
    return _report(True, "Right: the band is void (255) and the input is untouched.")


# ---------------------------------------------------------------------------------------------
# Notebook 04
# ---------------------------------------------------------------------------------------------
def check_soft_iou(fn) -> CheckResult:
    """Exercise 04.1: ``fn(y, p)`` = soft IoU of one class from a 0/1 mask ``y`` and probabilities ``p``."""
    y = np.array([[1, 1, 0], [0, 1, 0]], dtype=np.float32)
    p = np.array([[0.9, 0.6, 0.2], [0.1, 0.4, 0.3]], dtype=np.float32)
    inter = float((y * p).sum())
    want = inter / (y.sum() + p.sum() - inter)
    got, failed = _run_number(fn, y, p)
    if failed is not None:
        return failed
    hard = (y * (p > 0.5)).sum() / ((y + (p > 0.5)) > 0).sum()
    if abs(got - hard) < 1e-6:
        return _report(
            False,
            "That is the hard IoU of the thresholded prediction: it has no gradient. Use the "
            "probabilities themselves: I = sum(y * p), U = sum(y) + sum(p) - I.",
        )
    if abs(got - 2 * inter / (y.sum() + p.sum())) < 1e-6:
        return _report(False, "That is the soft Dice coefficient 2I / (|y| + |p|), not the soft IoU I / U.")
    if abs(got - inter / (y.sum() + p.sum())) < 1e-6:
        return _report(False, "The union counts the overlap twice: U = sum(y) + sum(p) - I.")
    if abs(got - (inter + 1) / (y.sum() + p.sum() - inter + 1)) < 1e-6:
        return _report(False, "No smoothing here: +1 changes the value, most for small classes.")
    if abs(got - want) > 1e-5:
        return _report(
            False, f"Expected {want:.4f}, got {got:.4f}. Soft IoU = sum(y*p) / (sum(y) + sum(p) - sum(y*p))."
        )
    return _report(True, "Right: the soft IoU uses probabilities, so it has a gradient everywhere.")


def check_dice_from_jaccard(fn) -> CheckResult:
    """Exercise 04.2: ``fn(j)`` = the Dice coefficient of two masks whose IoU is ``j``."""
    for j in (0.0, 0.25, 0.5, 0.8, 1.0):
        got, failed = _run_number(fn, j)
        if failed is not None:
            return failed
        want = 2 * j / (1 + j)
        if 0 < j < 1 and abs(got - j / (2 - j)) < 1e-9:
            return _report(False, "That converts Dice to Jaccard; invert it: solve J = D/(2-D) for D.")
        if abs(got - want) > 1e-9:
            return _report(
                False,
                f"For IoU {j} the Dice is {want:.4f}, got {got:.4f}. With |A∩B| = I and "
                "|A∪B| = U: |A| + |B| = U + I, so Dice = 2I / (U + I); divide by U.",
            )
    return _report(True, "Right: Dice = 2J / (1 + J), always at least the IoU.")
