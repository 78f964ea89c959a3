"""The metric and every loss wherever Keras runs them (issue 11).

Keras compiles ``fit``/``evaluate`` with XLA by itself when a GPU is visible (``jit_compile="auto"``);
``jit_compile=True`` takes the same path on a CPU. Each mode below must give the NumPy reference's
numbers: eager (``run_eagerly=True``), ``tf.function`` (``jit_compile=False``), XLA
(``jit_compile=True``), ``MirroredStrategy`` over 2 logical CPUs (in a fresh interpreter), and the
``mixed_float16`` policy. Plus: ``.keras`` save/load without ``custom_objects``, and ``EarlyStopping`` /
``ModelCheckpoint`` on ``val_mean_iou`` with ``mode="auto"``. Tiny models on 8x8 images.

``make test-gpu`` runs this file on a machine with a GPU, where the ``auto`` mode is XLA on the GPU.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from registry import LOSSES as REGISTRY

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from helpers import metrics as M  # noqa: E402
from helpers.keras import losses as L  # noqa: E402
from helpers.keras.metrics import StreamingMeanIoU, batch_mean_iou  # noqa: E402

C = 4
VOID = 255
MODES = {
    "eager": {"run_eagerly": True},
    "tf.function": {"jit_compile": False},
    "xla": {"jit_compile": True},
    "auto": {},  # Keras's own choice: XLA where a GPU is visible, tf.function on a CPU
}
LOSSES = {  # class form (with ignore_index) and the function that must give the same number (tests/registry.py)
    name: (lambda make=make: make(ignore_index=VOID), lambda y, p, f=function: f(y, p, ignore_index=VOID))
    for name, (function, make) in REGISTRY.items()
}


def _data(n=16, seed=0, void=True):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 3)).astype("float32")
    lab = (x[..., 0] > 0).astype(np.int64) + 2 * (x[..., 1] > 0.5)  # learnable: 4 classes from 2 channels
    if void:
        lab[:, :2, :2] = VOID
    return x, lab


def _heads(names, seed=0):
    """A tiny shared trunk with one softmax head per loss: one compile checks every loss at once."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 3))
    trunk = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    outputs = {n: keras.layers.Conv2D(C, 1, activation="softmax", name=n)(trunk) for n in names}
    return keras.Model(inputs, outputs)


def _key(name):
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _compile_heads(losses, mode, ignore_index=VOID, seed=0):
    """Model with one head per loss (head names: _key(loss name)), a StreamingMeanIoU on each head."""
    names = [_key(n) for n in losses]
    model = _heads(names, seed)
    metrics = {n: [StreamingMeanIoU(C, ignore_index=ignore_index)] for n in names}
    model.compile(
        keras.optimizers.Adam(0.01),
        loss={_key(n): make() for n, make in losses.items()},
        metrics=metrics,
        **MODES[mode],
    )
    return model, names, metrics


def _check_against_reference(model, names, metrics, losses_fn, x, lab, ignore_index=VOID):
    """evaluate (one batch) = the NumPy reference for the metric and the eager functions for the losses."""
    targets = {n: lab for n in names}
    result = model.evaluate(x, targets, batch_size=len(x), verbose=0, return_dict=True)
    probs = model.predict(x, batch_size=len(x), verbose=0)
    for name, fn in losses_fn.items():
        n = _key(name)
        pred = probs[n].argmax(-1)
        assert result[f"{n}_mean_iou"] == pytest.approx(
            M.mean_iou(lab, pred, num_classes=C, ignore_index=ignore_index), abs=1e-7
        ), name
        np.testing.assert_array_equal(
            metrics[n][0].confusion_matrix().numpy(),
            M.confusion_matrix(lab, pred, num_classes=C, ignore_index=ignore_index),
        )
        assert result[f"{n}_loss"] == pytest.approx(float(fn(lab, probs[n].astype("float32"))), abs=1e-5), name
    return probs


@pytest.mark.parametrize("mode", MODES)
def test_fit_and_evaluate_give_the_reference_numbers(mode):
    x, lab = _data()
    model, names, metrics = _compile_heads({n: make for n, (make, _) in LOSSES.items()}, mode)
    history = model.fit(x, {n: lab for n in names}, batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    _check_against_reference(model, names, metrics, {n: fn for n, (_, fn) in LOSSES.items()}, x, lab)


@pytest.mark.parametrize("mode", MODES)
def test_metrics_on_fixed_predictions_any_batch_size(mode):
    rng = np.random.default_rng(1)
    lab = rng.integers(0, C, (12, 8, 8))
    probs = rng.dirichlet(np.ones(C), size=lab.shape).astype("float32")
    y = np.eye(C, dtype="float32")[lab]
    identity = keras.Sequential([keras.Input((8, 8, C)), keras.layers.Identity()])
    metric = StreamingMeanIoU(C)
    identity.compile(loss="categorical_crossentropy", metrics=[metric, batch_mean_iou], **MODES[mode])
    want = M.mean_iou(lab, probs.argmax(-1), num_classes=C)
    for batch_size in (5, 12):  # 5: a smaller last batch, a second trace under XLA
        got = identity.evaluate(probs, y, batch_size=batch_size, verbose=0, return_dict=True)
        assert got["mean_iou"] == pytest.approx(want, abs=1e-7)
        np.testing.assert_array_equal(
            metric.confusion_matrix().numpy(), M.confusion_matrix(lab, probs.argmax(-1), num_classes=C)
        )
    assert got["batch_mean_iou"] == pytest.approx(want, abs=1e-7)  # one batch = the whole data


@pytest.fixture
def mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("mode", ["tf.function", "xla"])
def test_mixed_float16_policy(mode, mixed_float16):
    x, lab = _data()
    model, names, metrics = _compile_heads({n: make for n, (make, _) in LOSSES.items()}, mode)
    history = model.fit(x, {n: lab for n in names}, batch_size=8, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    probs = _check_against_reference(model, names, metrics, {n: fn for n, (_, fn) in LOSSES.items()}, x, lab)
    assert all(p.dtype == np.float16 for p in probs.values())  # the model really runs in float16


SAVED = {
    **{name: make for name, (make, _) in LOSSES.items()},
    "soft_jaccard_loss": lambda: L.soft_jaccard_loss,
    "soft_dice_loss": lambda: L.soft_dice_loss,
    "lovasz_softmax_loss": lambda: L.lovasz_softmax_loss,
    "ce_jaccard_loss(0.5)": lambda: L.ce_jaccard_loss(0.5),
}


def test_save_and_load_without_custom_objects(tmp_path):
    x, lab = _data(void=False)  # the plain functions have no ignore_index
    model, names, _ = _compile_heads(SAVED, "auto", ignore_index=None)
    targets = {n: lab for n in names}
    model.fit(x, targets, batch_size=8, epochs=1, verbose=0)
    before = model.evaluate(x, targets, batch_size=8, verbose=0, return_dict=True)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")  # no custom_objects
    after = loaded.evaluate(x, targets, batch_size=8, verbose=0, return_dict=True)
    assert after == pytest.approx(before, abs=1e-6)
    assert {k for k in after if k.endswith("_mean_iou")} == {f"{n}_mean_iou" for n in names}
    loaded.fit(x, targets, batch_size=8, epochs=1, verbose=0)  # and it still trains


def test_early_stopping_and_checkpoint_maximise_val_mean_iou(tmp_path):
    x, lab = _data(32, seed=2)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(C, 3, padding="same", activation="softmax")])
    model.compile(
        keras.optimizers.Adam(0.02),
        loss=L.CEJaccardLoss(ignore_index=VOID),
        metrics=[StreamingMeanIoU(C, ignore_index=VOID)],
        jit_compile=True,
    )
    path = tmp_path / "best.keras"
    stop = keras.callbacks.EarlyStopping(monitor="val_mean_iou", patience=2)  # mode="auto"
    best = keras.callbacks.ModelCheckpoint(path, monitor="val_mean_iou", save_best_only=True)
    history = model.fit(
        x[:24], lab[:24], validation_data=(x[24:], lab[24:]), batch_size=8, epochs=4, callbacks=[stop, best], verbose=0
    )
    val = history.history["val_mean_iou"]
    assert stop.monitor_op is keras.ops.greater and best.monitor_op is keras.ops.greater
    assert best.best == pytest.approx(max(val))
    # the checkpoint holds the weights of the best epoch, not of the last or the worst
    reloaded = keras.saving.load_model(path)
    got = reloaded.evaluate(x[24:], lab[24:], batch_size=8, verbose=0, return_dict=True)["mean_iou"]
    assert got == pytest.approx(max(val), abs=1e-6)


def test_bad_labels_under_xla_are_loud_in_fit_and_evaluate():
    x, lab = _data(void=False)
    bad = lab.copy()
    bad[3, 4, 4] = 7
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(C, 1, activation="softmax")])
    model.compile("adam", loss=L.SoftJaccardLoss(), metrics=[StreamingMeanIoU(C)], jit_compile=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 pixel with a bad label"):
        model.evaluate(x, bad, batch_size=16, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 pixel with a bad label"):
        model.fit(x, bad, batch_size=16, epochs=1, verbose=0)
    # without the metric, the loss alone: NaN, not a plausible number
    plain = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(C, 1, activation="softmax")])
    plain.compile("adam", loss=L.SoftJaccardLoss(), jit_compile=True)
    assert np.isnan(plain.evaluate(x, bad, batch_size=16, verbose=0))


MIRRORED = textwrap.dedent(
    """
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np, keras
    import helpers.keras.losses  # registers the losses *and* the metric
    assert "helpers.keras.metrics" in sys.modules
    saved = keras.saving.load_model(sys.argv[1])  # no custom_objects
    from helpers.keras import losses as L
    from helpers.keras.metrics import StreamingMeanIoU
    from helpers.metrics import mean_iou
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 8, 8, 3)).astype("float32")
    lab = (x[..., 0] > 0).astype(np.int64) + 2 * (x[..., 1] > 0.5)
    lab[:, :2, :2] = 255
    print("loaded", type(saved.loss).__name__, saved.evaluate(x, lab, verbose=0, return_dict=True))
    strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    assert strategy.num_replicas_in_sync == 2
    losses = {"jaccard": L.SoftJaccardLoss(ignore_index=255), "dice": L.SoftDiceLoss(ignore_index=255),
              "cejaccard": L.CEJaccardLoss(ignore_index=255), "lovasz": L.LovaszSoftmaxLoss(ignore_index=255)}
    targets = {n: lab for n in losses}
    # jit_compile "auto" is False under a distribution strategy (XLA cannot reach another device's
    # variables: tensorflow.org/xla/known_issues), so this is the path Keras takes with MirroredStrategy
    for jit in ("auto",):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            inputs = keras.Input((8, 8, 3))
            model = keras.Model(inputs, {n: keras.layers.Conv2D(4, 1, activation="softmax", name=n)(inputs)
                                         for n in losses})
            model.compile("adam", losses, metrics={n: [StreamingMeanIoU(4, ignore_index=255)] for n in losses},
                          jit_compile=jit)
        hist = model.fit(x, targets, epochs=1, batch_size=8, verbose=0)
        assert np.isfinite(hist.history["loss"][0])
        got = model.evaluate(x, targets, batch_size=6, verbose=0, return_dict=True)
        probs = model.predict(x, verbose=0)
        for n in losses:
            want = mean_iou(lab, probs[n].argmax(-1), num_classes=4, ignore_index=255)
            assert abs(got[n + "_mean_iou"] - want) < 1e-7, (jit, n, got, want)
    print("OK")
    """
)


def test_mirrored_strategy_two_logical_cpus_and_load_in_a_fresh_interpreter(tmp_path):
    # logical devices must be configured before TensorFlow starts: a fresh interpreter, which also
    # shows that importing helpers.keras.losses alone is enough for load_model to find the metric
    x, lab = _data(24)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(C, 1, activation="softmax")])
    model.compile("adam", loss=L.LovaszSoftmaxLoss(ignore_index=VOID), metrics=[StreamingMeanIoU(C, ignore_index=VOID)])
    model.fit(x, lab, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}  # 2 logical CPUs, also on a GPU machine
    out = subprocess.run(
        [sys.executable, "-c", MIRRORED, str(tmp_path / "m.keras")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "loaded LovaszSoftmaxLoss" in out.stdout and "OK" in out.stdout
