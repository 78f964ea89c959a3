"""helpers.keras.metrics: StreamingMeanIoU equals the NumPy reference for any batching; batch_mean_iou."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from helpers import metrics as M  # noqa: E402
from helpers.keras.metrics import StreamingMeanIoU, batch_mean_iou  # noqa: E402


def _probs(labels, c, rng, confidence=0.6):
    """Softmax-like probabilities whose argmax is `labels`."""
    p = rng.uniform(0, 1, labels.shape + (c,)).astype(np.float32)
    p /= p.sum(-1, keepdims=True) * (1 / (1 - confidence))
    np.put_along_axis(p, labels[..., None], confidence + 0.01, axis=-1)
    return p


# --- Keras's test vectors ---------------------------------------------------------------
def test_keras_vectors():
    m = StreamingMeanIoU(2)
    m.update_state([0, 0, 1, 1], np.eye(2, dtype=np.float32)[[0, 1, 0, 1]])
    assert float(m.result()) == pytest.approx(1 / 3)

    m = StreamingMeanIoU(3, ignore_index=255)
    m.update_state([0, 1, 2, 255], np.eye(3, dtype=np.float32)[[0, 1, 1, 1]])
    assert float(m.result()) == pytest.approx(0.5)

    m = StreamingMeanIoU(3)
    m.update_state(np.zeros(4, int), np.eye(3, dtype=np.float32)[[0, 0, 0, 0]])
    assert float(m.result()) == 1.0

    y_true = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]], np.float32)
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]], np.float32)
    m = StreamingMeanIoU(3)
    m.update_state(y_true, y_pred)
    assert float(m.result()) == pytest.approx(1 / 9)


def test_empty_metric_is_zero_and_reset_works():
    m = StreamingMeanIoU(3)
    assert float(m.result()) == 0.0
    m.update_state([0, 1], np.eye(3, dtype=np.float32)[[0, 1]])
    assert float(m.result()) == 1.0
    m.reset_state()
    assert float(m.result()) == 0.0
    assert int(tf.reduce_sum(m.confusion_matrix())) == 0


def test_sparse_one_hot_and_channel_labels_agree():
    rng = np.random.default_rng(0)
    lab = rng.integers(0, 5, (4, 6, 6))
    pred = _probs(rng.integers(0, 5, (4, 6, 6)), 5, rng)
    results = []
    for y_true in (lab, lab[..., None], np.eye(5, dtype=np.float32)[lab], lab.astype(np.float32)):
        m = StreamingMeanIoU(5)
        m.update_state(y_true, pred)
        results.append(float(m.result()))
    assert results == pytest.approx([M.mean_iou(lab, pred.argmax(-1), num_classes=5)] * 4, abs=1e-6)


def test_logits_work_like_probabilities():
    rng = np.random.default_rng(1)
    lab = rng.integers(0, 4, (2, 5, 5))
    probs = _probs(rng.integers(0, 4, (2, 5, 5)), 4, rng)
    a, b = StreamingMeanIoU(4), StreamingMeanIoU(4)
    a.update_state(lab, probs)
    b.update_state(lab, np.log(probs) * 3.0)
    assert float(a.result()) == float(b.result())


def test_per_class_iou_and_confusion_matrix():
    m = StreamingMeanIoU(3)
    m.update_state([0, 0, 1, 1], np.eye(3, dtype=np.float32)[[0, 1, 1, 1]])
    np.testing.assert_array_equal(m.confusion_matrix().numpy(), [[1, 1, 0], [0, 2, 0], [0, 0, 0]])
    iou = m.per_class_iou().numpy()
    np.testing.assert_allclose(iou[:2], [0.5, 2 / 3])
    assert np.isnan(iou[2])


def test_counts_are_exact_int64_beyond_float32():
    m = StreamingMeanIoU(2)
    assert m.total_cm.dtype == "int64"
    m.total_cm.assign([[2**24, 0], [0, 0]])
    m.update_state([0], np.array([[0.9, 0.1]], np.float32))
    assert int(m.confusion_matrix()[0, 0]) == 2**24 + 1  # float32 would still say 2**24


def test_one_hot_void_pixels():
    y_true = np.array([[1, 0], [0, 1], [0, 0]], np.float32)  # last pixel: all zero = void
    y_pred = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.9]], np.float32)
    m = StreamingMeanIoU(2, ignore_index=255)
    m.update_state(y_true, y_pred)
    assert float(m.result()) == 1.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="all-zero pixels"):
        StreamingMeanIoU(2).update_state(y_true, y_pred)


# --- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [[0, 5], [0, -1]])
def test_out_of_range_labels_raise_not_dropped(labels):
    m = StreamingMeanIoU(5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels"):
        m.update_state(labels, np.eye(5, dtype=np.float32)[[0, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels"):
        batch_mean_iou(np.array(labels), np.eye(5, dtype=np.float32)[[0, 1]])


@pytest.mark.parametrize(
    "kwargs, match",
    [({"num_classes": 1}, "at least 2"), ({"num_classes": 3, "ignore_index": 1}, "real class")],
)
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        StreamingMeanIoU(**kwargs)


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, match",
    [
        ((2, 4, 4, 3), (2, 4, 4, 5), "expected y_true"),
        ((2, 4, 5), (2, 4, 4, 5), "differ"),
        ((2, 4, 4), (2, 4, 4, 4), "num_classes=5"),
    ],
)
def test_bad_shapes_raise(y_true_shape, y_pred_shape, match):
    with pytest.raises(ValueError, match=match):
        StreamingMeanIoU(5).update_state(np.zeros(y_true_shape, np.float32), np.zeros(y_pred_shape, np.float32))


def test_sample_weight_is_refused_with_a_fix():
    with pytest.raises(ValueError, match="ignore_index"):
        StreamingMeanIoU(2).update_state([0], np.array([[1.0, 0.0]]), sample_weight=[1.0])


# --- streaming = NumPy reference over any batching ---------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 12),
    c=st.integers(2, 6),
    seed=st.integers(0, 2**16),
    ignore=st.sampled_from([None, 255]),
    data=st.data(),
)
def test_streaming_equals_reference_over_random_batch_splits(n, c, seed, ignore, data):
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, c, (n, 5, 4))
    if ignore is not None:
        lab[rng.uniform(size=lab.shape) < 0.2] = ignore
    pred = _probs(rng.integers(0, c, (n, 5, 4)), c, rng)
    cuts = sorted(data.draw(st.lists(st.integers(1, max(1, n - 1)), max_size=4, unique=True)))
    m = StreamingMeanIoU(c, ignore_index=ignore)
    for part_t, part_p in zip(np.split(lab, cuts), np.split(pred, cuts)):
        if len(part_t):
            m.update_state(part_t, part_p)
    try:
        expected = M.mean_iou(lab, pred.argmax(-1), num_classes=c, ignore_index=ignore)
    except ValueError:  # every pixel void
        expected = 0.0
    assert float(m.result()) == pytest.approx(expected, abs=1e-6)


def test_streaming_is_batch_size_independent_but_function_metric_is_not():
    rng = np.random.default_rng(0)
    lab = rng.integers(0, 5, (64, 8, 8))
    lab[::2] = 0  # half the images are all background ...
    pred_lab = np.where(rng.uniform(size=lab.shape) < 0.5, lab, rng.integers(0, 5, lab.shape))
    pred_lab[::2] = 0  # ... and predicted perfectly: per-image IoU 1 there
    pred = _probs(pred_lab, 5, rng)
    # an identity "model" so that evaluate() sees exactly these predictions
    model = keras.Sequential([keras.Input((8, 8, 5)), keras.layers.Identity()])
    model.compile(loss="categorical_crossentropy", metrics=[StreamingMeanIoU(5), batch_mean_iou])
    expected = M.mean_iou(lab, pred_lab, num_classes=5)
    streaming, per_batch = [], []
    for bs in (1, 8, 64):
        r = model.evaluate(pred, np.eye(5, dtype=np.float32)[lab], batch_size=bs, verbose=0, return_dict=True)
        streaming.append(r["mean_iou"])
        per_batch.append(r["batch_mean_iou"])
    assert streaming == pytest.approx([expected] * 3, abs=1e-6)
    assert per_batch[2] == pytest.approx(expected, abs=1e-6)  # one batch = the whole dataset
    assert per_batch[0] > expected + 0.1  # image by image, the easy empty images dominate


def test_inside_tf_function():
    m = StreamingMeanIoU(3)

    @tf.function
    def step(t, p):
        m.update_state(t, p)
        return m.result()

    t = tf.constant([[0, 1], [2, 2]])
    p = tf.one_hot([[0, 1], [2, 1]], 3)
    assert float(step(t, p)) == pytest.approx(M.mean_iou([[0, 1], [2, 2]], [[0, 1], [2, 1]], num_classes=3))
    assert float(step(t, p)) == pytest.approx(M.mean_iou([[0, 1], [2, 2]] * 2, [[0, 1], [2, 1]] * 2, num_classes=3))


def test_fit_and_get_config_roundtrip():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4, 4, 2)).astype(np.float32)
    y = rng.integers(0, 3, (16, 4, 4))
    model = keras.Sequential([keras.Input((4, 4, 2)), keras.layers.Conv2D(3, 1, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[StreamingMeanIoU(3)])
    hist = model.fit(x, y, epochs=2, batch_size=4, verbose=0, validation_data=(x, y))
    assert set(hist.history) >= {"mean_iou", "val_mean_iou"}
    clone = StreamingMeanIoU.from_config(StreamingMeanIoU(4, ignore_index=255, name="miou").get_config())
    assert (clone.num_classes, clone.ignore_index, clone.name) == (4, 255, "miou")


def test_batch_mean_iou_on_one_batch():
    y_true = tf.one_hot([0, 0, 1, 1], 3)
    y_pred = tf.one_hot([0, 1, 0, 1], 3)
    assert float(batch_mean_iou(y_true, y_pred)) == pytest.approx(1 / 3)  # class 2 absent: excluded


MIRRORED = textwrap.dedent(
    """
    import os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np, keras
    from helpers.keras.metrics import StreamingMeanIoU
    from helpers.metrics import mean_iou
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 8, 8, 3)).astype("float32")
    lab = rng.integers(0, 4, (40, 8, 8))
    strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 1, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=[StreamingMeanIoU(4)])
    model.fit(x, lab, epochs=1, batch_size=8, verbose=0)
    got = model.evaluate(x, lab, batch_size=6, verbose=0, return_dict=True)["mean_iou"]
    want = mean_iou(lab, model.predict(x, verbose=0).argmax(-1), num_classes=4)
    assert abs(got - want) < 1e-6, (got, want)
    print("OK", got, want)
    """
)


def test_under_mirrored_strategy_with_two_logical_cpus():
    # logical devices must be configured before TensorFlow starts: use a fresh interpreter
    out = subprocess.run([sys.executable, "-c", MIRRORED], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "OK" in out.stdout


# --- XLA, Keras conventions (issue 11) ---------------------------------------------------------
def test_direction_is_up_and_classes_are_registered():
    assert StreamingMeanIoU(3)._direction == "up"
    assert keras.saving.get_registered_name(StreamingMeanIoU) == "iou_lab>StreamingMeanIoU"
    assert keras.saving.get_registered_name(batch_mean_iou) == "iou_lab>batch_mean_iou"


@pytest.mark.parametrize("y_form", ["sparse", "one_hot", "channel"])
def test_update_state_under_xla_equals_eager_exactly(y_form):
    rng = np.random.default_rng(3)
    lab = rng.integers(0, 4, (6, 5, 5))
    lab[0, 0, :3] = 255
    pred = _probs(rng.integers(0, 4, lab.shape), 4, rng)
    y = {
        "sparse": lab,
        "channel": lab[..., None],
        "one_hot": np.eye(4, dtype=np.float32)[np.where(lab == 255, 0, lab)] * (lab != 255)[..., None],
    }[y_form]
    eager, xla = StreamingMeanIoU(4, ignore_index=255), StreamingMeanIoU(4, ignore_index=255)
    step = tf.function(xla.update_state, jit_compile=True)
    for part in (slice(0, 2), slice(2, 6)):
        eager.update_state(y[part], pred[part])
        step(tf.constant(y[part]), tf.constant(pred[part]))
    want = M.confusion_matrix(lab, pred.argmax(-1), num_classes=4, ignore_index=255)
    np.testing.assert_array_equal(xla.confusion_matrix().numpy(), want)
    np.testing.assert_array_equal(eager.confusion_matrix().numpy(), want)
    assert float(xla.result()) == float(eager.result())
    assert float(xla.result()) == pytest.approx(
        M.mean_iou(lab, pred.argmax(-1), num_classes=4, ignore_index=255), abs=1e-7
    )


@pytest.mark.parametrize("bad", [7, -1])
def test_bad_labels_under_xla_make_the_result_nan_and_reading_it_eagerly_raises(bad):
    lab = np.array([[0, 1], [2, bad]])
    pred = np.eye(3, dtype=np.float32)[[[0, 1], [2, 2]]]
    m = StreamingMeanIoU(3)

    @tf.function(jit_compile=True)
    def step(t, p):  # assertions are compiled away here: the metric must still not give a number
        m.update_state(t, p)
        return m.result(), m.per_class_iou()

    value, per_class = step(tf.constant(lab), tf.constant(pred))
    assert np.isnan(float(value)) and np.all(np.isnan(per_class.numpy()))
    assert int(m.invalid_pixels.numpy()) == 1
    for read in (m.result, m.per_class_iou, m.confusion_matrix):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"1 pixel with a bad label.*ignore_index=255"):
            read()
    m.reset_state()
    assert float(m.result()) == 0.0
    # batch_mean_iou has no state: NaN for that batch under XLA, an error eagerly
    assert np.isnan(float(tf.function(batch_mean_iou, jit_compile=True)(tf.constant(lab), tf.constant(pred))))
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside"):
        batch_mean_iou(lab, pred)


def test_batch_mean_iou_under_xla_equals_eager():
    rng = np.random.default_rng(4)
    lab = rng.integers(0, 5, (3, 6, 6))
    pred = _probs(rng.integers(0, 5, lab.shape), 5, rng)
    y = np.eye(5, dtype=np.float32)[lab]
    assert float(tf.function(batch_mean_iou, jit_compile=True)(y, pred)) == float(batch_mean_iou(y, pred))


def test_argmax_ties_and_many_classes_match_numpy():
    # the first maximum wins, as in np.argmax, for the unrolled (<= 16 classes) and the tf.argmax path
    for c in (3, 20):
        rng = np.random.default_rng(c)
        pred = rng.integers(0, 3, (4, 7, c)).astype(np.float32)  # many ties
        lab = rng.integers(0, c, (4, 7))
        m = StreamingMeanIoU(c)
        m.update_state(lab, pred)
        np.testing.assert_array_equal(
            m.confusion_matrix().numpy(), M.confusion_matrix(lab, pred.argmax(-1), num_classes=c)
        )


def test_foreground_iou_for_one_sigmoid_channel():
    from helpers.keras.metrics import ForegroundIoU

    rng = np.random.default_rng(0)
    y = (rng.random((4, 8, 8, 1)) < 0.3).astype(np.float32)
    p = rng.random(y.shape).astype(np.float32)
    expected = M.foreground_iou(y.astype(int), p)
    keras_fg = keras.metrics.IoU(num_classes=2, target_class_ids=[1])
    keras_fg.update_state(y.ravel(), (p >= 0.5).ravel())
    m = ForegroundIoU()
    m.update_state(y[:1], p[:1])
    m.update_state(y[1:, ..., 0], p[1:])  # (B, H, W) masks too
    assert float(m.result()) == pytest.approx(expected, abs=1e-7) == pytest.approx(float(keras_fg.result()), abs=1e-6)
    xla = ForegroundIoU()

    @tf.function(jit_compile=True)
    def step(t, q):
        xla.update_state(t, q)
        return xla.result()

    assert float(step(tf.constant(y), tf.constant(p))) == pytest.approx(expected, abs=1e-7)
    m.reset_state()
    assert float(m.result()) == 0.0  # nothing seen: 0.0, as keras.metrics.IoU
    with pytest.raises(tf.errors.InvalidArgumentError, match="mask // 255"):
        m.update_state(y * 255, p)
    with pytest.raises(ValueError, match="one sigmoid channel"):
        m.update_state(y, np.concatenate([1 - p, p], -1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="sigmoid probabilities"):
        m.update_state(y, p * 8 - 4)  # logits: never thresholded silently
    m.reset_state()
    low = ForegroundIoU(threshold=0.1)  # compared in float32: float16(0.1) is just below 0.1
    low.update_state(np.ones((1, 1, 1, 1)), np.full((1, 1, 1, 1), 0.1, np.float16))
    assert float(low.result()) == 0.0
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(ForegroundIoU(threshold=0.3, ignore_index=255))
    )
    assert isinstance(restored, ForegroundIoU) and (restored.threshold, restored.ignore_index) == (0.3, 255)
