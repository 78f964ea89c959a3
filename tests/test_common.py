"""Common tests of every metric and every loss, course and take-home (in the spirit of scikit-learn's test_common).

One registry below lists every IoU metric and loss the project ships: the NumPy reference, ``helpers.keras``,
``take_home/iou_keras.py`` and the question's code (``helpers.course.buggy``). Each property runs on every entry:

- metrics: a prediction whose argmax is right everywhere (probabilities 0.8, not 1) scores 1, an all-wrong one
  0, a mediocre one the NumPy reference's dataset-level mean IoU of the batch; a Keras object survives
  ``get_config`` and is registered;
- losses: 0 at the truth, larger for a mediocre prediction, larger still for an all-wrong one, finite nonzero
  gradients, the same value under XLA (``jit_compile=True``, Keras's default on a GPU); a Keras object survives
  ``get_config`` and is registered.

The question's metric is in the registry with its known defects (``DEFECTS``): there the test asserts that the
property *fails*, so the record of what is broken is checked too. A new metric or loss registered through
``helpers.keras.registry.register`` (or added to the take-home module) fails ``test_the_registry_is_complete``
until it is listed here.
"""

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import helpers.keras as HK
from helpers import metrics as M
from helpers.course import (
    buggy,
    training,
)
from helpers.keras.registry import REGISTERED

C = 3
TAKE_HOME_PATH = Path(__file__).resolve().parents[1] / "take_home" / "iou_keras.py"


def _take_home():
    from registry import take_home

    return take_home()


TH = _take_home()


# ---------------------------------------------------------------------------------------------
# the batches every property uses: 2 images of 6 x 6, 3 classes, every class present
# ---------------------------------------------------------------------------------------------
def _labels():
    y = np.zeros((2, 6, 6), int)
    y[:, 1:4, 1:4] = 1
    y[:, 4:, :] = 2
    return y


def _one_hot(labels, c=C):
    return np.eye(c, dtype=np.float32)[labels]


def _mediocre(labels, c=C, seed=0):
    """Softmax probabilities whose argmax is right on about 70 % of the pixels."""
    rng = np.random.default_rng(seed)
    wrong = rng.uniform(size=labels.shape) < 0.3
    guess = np.where(wrong, (labels + rng.integers(1, c, labels.shape)) % c, labels)
    logits = 2.0 * _one_hot(guess, c) + rng.normal(0, 0.3, labels.shape + (c,)).astype(np.float32)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32), guess


def _confident(labels, c=C):
    """Softmax-like probabilities: 0.8 on ``labels``, the rest shared (a prediction whose argmax is ``labels``)."""
    return (_one_hot(labels, c) * (0.8 - 0.2 / (c - 1)) + 0.2 / (c - 1)).astype(np.float32)


def _as_float(value) -> float:
    return float(np.asarray(value))


# ---------------------------------------------------------------------------------------------
# the registry: name -> how to get one value from (y_true one-hot or 0/1 labels, y_pred probabilities)
# ---------------------------------------------------------------------------------------------
def _stateful(make):
    def value(y_true, y_pred):
        m = make()
        m.update_state(y_true, y_pred)
        return _as_float(m.result())

    value.make = make
    return value


def _function(fn):
    def value(y_true, y_pred):
        return _as_float(fn(tf.constant(y_true), tf.constant(y_pred)))

    value.fn = fn
    return value


def _loss_object(make):
    def value(y_true, y_pred):
        return _as_float(make()(tf.constant(y_true), tf.constant(y_pred)))

    value.make = make
    return value


METRICS = {  # multi-class: y_true one-hot (B, H, W, C), y_pred softmax (B, H, W, C)
    "metrics.mean_iou": lambda t, p: M.mean_iou(t.argmax(-1), p.argmax(-1), num_classes=C),
    "keras.StreamingMeanIoU": _stateful(lambda: HK.StreamingMeanIoU(num_classes=C)),
    "keras.batch_mean_iou": _function(HK.batch_mean_iou),
    "take_home.StreamingMeanIoU": _stateful(lambda: TH.StreamingMeanIoU(num_classes=C)),
    "take_home.batch_mean_iou": _function(TH.batch_mean_iou),
    "course.question_mean_iou": _function(training.question_mean_iou),  # buggy.mean_iou, registered
}

BINARY_METRICS = {  # one sigmoid channel: y_true 0/1 labels (B, H, W, 1), y_pred (B, H, W, 1)
    "metrics.foreground_iou": lambda t, p: M.foreground_iou(t[..., 0].astype(int), p[..., 0]),
    "keras.ForegroundIoU": _stateful(lambda: HK.ForegroundIoU()),
    "take_home.ForegroundIoU": _stateful(lambda: TH.ForegroundIoU()),
}

LOSSES = {  # multi-class: y_true one-hot, y_pred softmax
    "keras.soft_jaccard_loss": _function(HK.soft_jaccard_loss),
    "keras.soft_jaccard_loss(pooled)": _function(lambda t, p: HK.soft_jaccard_loss(t, p, pooled=True)),
    "keras.soft_dice_loss": _function(HK.soft_dice_loss),
    "keras.ce_jaccard_loss": _function(HK.ce_jaccard_loss(0.5)),
    "keras.lovasz_softmax_loss": _function(HK.lovasz_softmax_loss),
    "keras.SoftJaccardLoss": _loss_object(lambda: HK.SoftJaccardLoss()),
    "keras.SoftDiceLoss": _loss_object(lambda: HK.SoftDiceLoss()),
    "keras.CEJaccardLoss": _loss_object(lambda: HK.CEJaccardLoss(0.5)),
    "keras.LovaszSoftmaxLoss": _loss_object(lambda: HK.LovaszSoftmaxLoss()),
    "take_home.soft_jaccard_loss": _function(TH.soft_jaccard_loss),
    "take_home.SoftJaccardLoss": _loss_object(lambda: TH.SoftJaccardLoss()),
    "course.iou_loss": _function(buggy.iou_loss),
}

BINARY_LOSSES = {  # one sigmoid channel: y_true 0/1 labels (B, H, W, 1), y_pred (B, H, W, 1)
    "keras.soft_jaccard_loss(binary)": _function(HK.soft_jaccard_loss),
    "keras.soft_dice_loss(binary)": _function(HK.soft_dice_loss),
    "keras.ce_jaccard_loss(binary)": _function(HK.ce_jaccard_loss(0.5)),
    "keras.lovasz_softmax_loss(binary)": _function(HK.lovasz_softmax_loss),
    "take_home.BinarySoftJaccardLoss": _loss_object(lambda: TH.BinarySoftJaccardLoss()),
    "take_home.BinarySoftDiceLoss": _loss_object(lambda: TH.BinarySoftDiceLoss()),
    "take_home.BinaryCEJaccardLoss": _loss_object(lambda: TH.BinaryCEJaccardLoss()),
}

DEFECTS = {
    # the question's metric (notebook 01): truncating casts make every softmax prediction "no class", so a
    # perfect, an all-wrong and a mediocre prediction score the same
    ("course.question_mean_iou", "perfect_is_one"): "int32 cast before rounding: probabilities below 1 become 0",
    ("course.question_mean_iou", "all_wrong_is_zero"): "smooth = 1 per empty column scores absent classes as 1",
    ("course.question_mean_iou", "mediocre_is_the_reference"): "per-column IoU, not the IoU of a region",
}


def _expect(holds: bool, name: str, prop: str, detail: str = ""):
    """Assert the property, or, for a recorded defect, assert that it still fails."""
    if (name, prop) in DEFECTS:
        assert not holds, f"{name} now passes {prop!r}: remove it from DEFECTS ({DEFECTS[name, prop]})"
    else:
        assert holds, f"{name}: {prop} does not hold {detail}"


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_perfect_all_wrong_and_mediocre(name):
    value = METRICS[name]
    y = _labels()
    t = _one_hot(y)
    probs, guess = _mediocre(y)
    perfect = value(t, _confident(y))
    wrong = value(t, _confident((y + 1) % C))
    mediocre = value(t, probs)
    _expect(abs(perfect - 1.0) < 1e-6, name, "perfect_is_one", f"(got {perfect})")
    _expect(abs(wrong) < 1e-6, name, "all_wrong_is_zero", f"(got {wrong})")
    reference = M.mean_iou(y, guess, num_classes=C)
    _expect(abs(mediocre - reference) < 1e-6, name, "mediocre_is_the_reference", f"({mediocre} vs {reference})")


@pytest.mark.parametrize("name", sorted(BINARY_METRICS))
def test_binary_metric_perfect_all_wrong_and_mediocre(name):
    value = BINARY_METRICS[name]
    y = (_labels() == 1).astype(np.float32)[..., None]
    rng = np.random.default_rng(1)
    flip = rng.uniform(size=y.shape) < 0.2
    probs = np.where(flip, 1 - y, y) * 0.8 + 0.1  # 0.1 or 0.9: 20 % of the pixels on the wrong side
    assert value(y, y) == pytest.approx(1.0)
    assert value(y, 1 - y) == pytest.approx(0.0)
    expected = M.foreground_iou(y[..., 0].astype(int), probs[..., 0])
    assert 0 < expected < 1
    assert value(y, probs.astype(np.float32)) == pytest.approx(expected, abs=1e-6)


ALL_METRICS = {**METRICS, **BINARY_METRICS}


def _assert_registered(cls):
    """``cls`` is found again by its registered name (a class of the same name and module: the take-home
    module may be loaded more than once in one test session, each time registering its classes anew)."""
    registered = keras.saving.get_registered_name(cls)
    assert ">" in registered, f"{cls.__name__} is not registered with Keras"
    found = keras.saving.get_registered_object(registered)
    assert (found.__module__, found.__qualname__) == (cls.__module__, cls.__qualname__)


@pytest.mark.parametrize("name", sorted(n for n, v in ALL_METRICS.items() if hasattr(v, "make")))
def test_metric_objects_survive_get_config_and_are_registered(name):
    metric = ALL_METRICS[name].make()
    clone = type(metric).from_config(metric.get_config())
    assert clone.get_config() == metric.get_config()
    _assert_registered(type(metric))
    assert metric._direction == "up"  # EarlyStopping / ModelCheckpoint(mode="auto") maximise it


# ---------------------------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------------------------
def _loss_inputs(name):
    y = _labels()
    if name in BINARY_LOSSES:
        fg = (y == 1).astype(np.float32)[..., None]
        rng = np.random.default_rng(2)
        soft = np.clip(fg * 0.6 + 0.2 + rng.normal(0, 0.05, fg.shape), 0.01, 0.99).astype(np.float32)
        return fg, fg, soft, 1 - fg, BINARY_LOSSES[name]
    probs, _ = _mediocre(y)
    t = _one_hot(y)
    return t, t, probs, _one_hot((y + 1) % C), LOSSES[name]


@pytest.mark.parametrize("name", sorted({**LOSSES, **BINARY_LOSSES}))
def test_loss_is_zero_at_the_truth_and_grows_with_error(name):
    t, perfect, mediocre, wrong, value = _loss_inputs(name)
    at_truth, middle, worst = value(t, perfect), value(t, mediocre), value(t, wrong)
    _expect(abs(at_truth) < 1e-5, name, "zero_at_truth", f"(got {at_truth})")
    _expect(at_truth < middle < worst, name, "grows_with_error", f"({at_truth}, {middle}, {worst})")


@pytest.mark.parametrize("name", sorted({**LOSSES, **BINARY_LOSSES}))
def test_loss_has_finite_nonzero_gradients_and_the_same_value_under_xla(name):
    t, _, mediocre, _, value = _loss_inputs(name)
    fn = getattr(value, "fn", None) or value.make()
    y_true = tf.constant(t)
    logits = tf.Variable(np.log(np.clip(mediocre, 1e-6, 1)))
    to_probs = tf.sigmoid if name in BINARY_LOSSES else tf.nn.softmax
    if name in BINARY_LOSSES:
        logits = tf.Variable(np.log(mediocre / (1 - mediocre)))
    with tf.GradientTape() as tape:
        loss = fn(y_true, to_probs(logits))
    grad = tape.gradient(loss, logits).numpy()
    assert np.isfinite(grad).all() and np.abs(grad).max() > 0
    xla = tf.function(lambda a, b: fn(a, b), jit_compile=True)(y_true, tf.constant(mediocre))
    assert float(xla) == pytest.approx(float(fn(y_true, tf.constant(mediocre))), abs=1e-5)


@pytest.mark.parametrize("name", sorted(n for n, v in {**LOSSES, **BINARY_LOSSES}.items() if hasattr(v, "make")))
def test_loss_objects_survive_get_config_and_are_registered(name):
    t, _, mediocre, _, value = _loss_inputs(name)
    loss = value.make()
    clone = type(loss).from_config(loss.get_config())
    assert clone.get_config() == loss.get_config()
    assert float(clone(t, mediocre)) == pytest.approx(float(loss(t, mediocre)), abs=1e-7)
    _assert_registered(type(loss))


# ---------------------------------------------------------------------------------------------
# the registry itself
# ---------------------------------------------------------------------------------------------
def _covered_objects():
    objects = set()
    for value in {**METRICS, **BINARY_METRICS, **LOSSES, **BINARY_LOSSES}.values():
        if hasattr(value, "make"):
            objects.add(type(value.make()))
        elif hasattr(value, "fn"):
            objects.add(value.fn)
    return objects


def test_the_registry_is_complete():
    covered = _covered_objects() | {HK.ce_jaccard_loss, TH.soft_jaccard_loss}
    # ce_jaccard_loss(alpha) returns CEJaccardLoss (covered); every registered object must be listed above
    missing = [name for name, obj in REGISTERED.items() if obj not in covered]
    assert not missing, f"add these registered metrics/losses to tests/test_common.py: {missing}"
    take_home = [n for n in TH.__all__ if getattr(TH, n) not in covered]
    assert not take_home, f"add these take-home metrics/losses to tests/test_common.py: {take_home}"
    assert len(REGISTERED) >= 9  # the registry is filled by importing helpers.keras (and the course's training)
