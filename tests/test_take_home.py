"""take_home/iou_keras.py: the code learners copy agrees with the course's references, also under XLA."""

import pathlib

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from helpers import metrics as M  # noqa: E402
from helpers.keras import losses as L  # noqa: E402
from helpers.keras.metrics import batch_mean_iou  # noqa: E402

PATH = pathlib.Path(__file__).resolve().parents[1] / "take_home" / "iou_keras.py"


def _load():
    from registry import take_home

    return take_home()


T = _load()


def test_self_contained():
    source = PATH.read_text()
    assert "import helpers" not in source and "from helpers" not in source  # copy-paste must not need the course
    top_level_imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert top_level_imports == ["import operator", "import keras", "from keras import ops"]  # keras.ops: any backend
    assert source.count("import tensorflow") == 1  # the one run-time assertion, on the TensorFlow backend only
    for name in T.__all__:  # every public piece saves with a model
        obj = getattr(T, name)
        if isinstance(obj, keras.losses.Loss):  # soft_jaccard_loss: an instance, saved as its class
            assert keras.saving.get_registered_name(type(obj)) == f"iou_keras>{type(obj).__name__}"
        else:
            assert keras.saving.get_registered_name(obj) == f"iou_keras>{name}"


def _batch(seed=0, n=6, classes=4):
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, classes, (n, 12, 12))  # "line" (4) absent from the truth ...
    pred = np.where(rng.random(lab.shape) < 0.3, rng.integers(0, 5, lab.shape), lab)  # ... not always from pred
    probs = (0.6 * np.eye(5)[pred] + 0.08).astype("float32")
    return lab, pred, np.eye(5, dtype="float32")[lab], probs


def test_mean_iou_is_the_reference_on_one_batch():
    lab, pred, y, probs = _batch()
    assert float(T.batch_mean_iou(y, probs)) == pytest.approx(M.mean_iou(lab, pred, num_classes=5), abs=1e-6)
    assert float(T.batch_mean_iou(lab, probs)) == pytest.approx(M.mean_iou(lab, pred, num_classes=5), abs=1e-6)
    assert float(T.batch_mean_iou(lab[..., None], probs)) == pytest.approx(float(batch_mean_iou(y, probs)), abs=1e-6)
    # the known answers of notebook 01: perfect 1, all wrong 0
    assert float(T.batch_mean_iou(y, 0.9 * y + 0.02)) == 1.0
    assert float(T.batch_mean_iou(y, np.roll(0.9 * y + 0.02, 1, axis=-1))) == 0.0


def test_mean_iou_caveat_batch_average_is_not_the_dataset_value():
    lab, pred, y, probs = _batch(seed=3, n=8)
    lab[:4], pred[:4] = 0, 0  # four images of background only, predicted perfectly: 1 each per batch
    y, probs = np.eye(5, dtype="float32")[lab], (0.6 * np.eye(5)[pred] + 0.08).astype("float32")
    dataset = M.mean_iou(lab, pred, num_classes=5)
    batch_means = [float(T.batch_mean_iou(y[i : i + 1], probs[i : i + 1])) for i in range(8)]
    assert float(T.batch_mean_iou(y, probs)) == pytest.approx(dataset, abs=1e-6)
    assert abs(np.mean(batch_means) - dataset) > 0.05


def test_mean_iou_refuses_unknown_labels():
    lab, _, _, probs = _batch()
    lab[0, 0, 0] = 255
    with pytest.raises(ValueError, match="ignore_index"):
        T.batch_mean_iou(lab, probs)
    with pytest.raises(tf.errors.InvalidArgumentError, match="ignore_index"):  # in a graph, without XLA
        tf.function(T.batch_mean_iou)(lab, probs)
    with pytest.raises(ValueError, match="one-hot"):
        T.batch_mean_iou(np.zeros((6, 12, 12, 3), "float32"), probs)


def test_streaming_metric_equals_the_reference_for_any_batch_size():
    lab, pred, y, probs = _batch(n=8)
    expected = M.mean_iou(lab, pred, num_classes=5)
    for batch_size in (1, 3, 8):
        m = T.StreamingMeanIoU(num_classes=5)
        for i in range(0, 8, batch_size):
            m.update_state(y[i : i + batch_size], probs[i : i + batch_size])
        assert float(m.result()) == pytest.approx(expected, abs=1e-6)
        assert int(np.sum(m.counts.numpy())) == lab.size
    m.reset_state()
    assert float(m.result()) == 0.0


def test_streaming_metric_ignore_index_and_errors():
    lab, pred, _, probs = _batch()
    void = lab.copy()
    void[:, :2] = 255
    m = T.StreamingMeanIoU(num_classes=5, ignore_index=255)
    m.update_state(void, probs)
    assert float(m.result()) == pytest.approx(M.mean_iou(void, pred, num_classes=5, ignore_index=255), abs=1e-6)
    with pytest.raises(ValueError, match="ignore_index"):
        T.StreamingMeanIoU(num_classes=5).update_state(void, probs)
    with pytest.raises(ValueError, match="real class"):
        T.StreamingMeanIoU(num_classes=5, ignore_index=3)
    with pytest.raises(ValueError, match="num_classes"):
        T.StreamingMeanIoU(num_classes=4).update_state(lab, probs)
    with pytest.raises(ValueError, match="ignore_index"):
        T.StreamingMeanIoU(num_classes=5).update_state(lab, probs, sample_weight=np.ones(lab.shape))


def test_all_zero_one_hot_rows_are_void_not_background():
    from helpers.keras.metrics import StreamingMeanIoU

    y = np.array([[[[0, 1], [0, 1]], [[0, 1], [0, 0]]]], "float32")  # 3 object pixels + 1 void (all-zero) row
    probs = np.array([[[[0.1, 0.9]] * 2] * 2], "float32")  # predicted object everywhere
    reference = StreamingMeanIoU(num_classes=2, ignore_index=255)
    reference.update_state(y, probs)
    ours = T.StreamingMeanIoU(num_classes=2, ignore_index=255)
    ours.update_state(y, probs)
    assert float(ours.result()) == float(reference.result()) == 1.0  # argmax of the void row would give 0.375
    assert float(T.batch_mean_iou(y, probs, ignore_index=255)) == 1.0
    with pytest.raises(ValueError, match="all-zero rows.*ignore_index=255"):
        T.batch_mean_iou(y, probs)
    with pytest.raises(ValueError, match="all-zero rows.*ignore_index=255"):
        T.StreamingMeanIoU(num_classes=2).update_state(y, probs)
    # under XLA nothing can raise: NaN, never a number that silently dropped the void pixels
    assert np.isnan(float(tf.function(T.batch_mean_iou, jit_compile=True)(tf.constant(y), tf.constant(probs))))
    # on a larger batch with void rows, the same number as the course's metric
    lab, _, y, probs = _batch(n=4)
    y[:, :3] = 0
    reference, ours = StreamingMeanIoU(num_classes=5, ignore_index=255), T.StreamingMeanIoU(5, ignore_index=255)
    reference.update_state(y, probs)
    ours.update_state(y, probs)
    assert float(ours.result()) == pytest.approx(float(reference.result()), abs=1e-6)
    assert int(np.sum(ours.counts.numpy())) == lab[:, 3:].size


def test_one_sigmoid_channel_points_to_the_binary_pieces():
    y = np.array([[[[0], [1]], [[1], [0]]]], "float32")
    p = np.array([[[[0.2], [0.8]], [[0.3], [0.7]]]], "float32")  # half wrong: argmax of 1 channel is always 0
    with pytest.raises(ValueError, match=r"ForegroundIoU\(\).*averages the background's IoU in"):
        T.batch_mean_iou(y, p)
    with pytest.raises(ValueError, match="ForegroundIoU"):
        T.StreamingMeanIoU(num_classes=2).update_state(y, p)
    m = T.ForegroundIoU()
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(1 / 3)  # TP 1, FP 1, FN 1


def _binary(seed=0, n=4, size=16):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, size, size, 1)) < 0.2).astype("float32")
    return y, np.clip(0.45 * y + 0.55 * rng.random(y.shape), 0.01, 0.99).astype("float32")


def test_binary_metric_is_the_course_reference_and_keras_foreground_iou():
    from helpers.keras.metrics import ForegroundIoU

    y, p = _binary()
    reference = M.foreground_iou(y.astype(int), p)
    for metric in (T.ForegroundIoU(), ForegroundIoU()):
        metric.update_state(y[:1], p[:1])
        metric.update_state(y[1:], p[1:])
        assert float(metric.result()) == pytest.approx(reference, abs=1e-6)
    keras_fg = keras.metrics.IoU(num_classes=2, target_class_ids=[1])
    keras_fg.update_state(y.ravel(), (p >= 0.5).ravel())
    assert float(keras_fg.result()) == pytest.approx(reference, abs=1e-6)
    # the advice: BinaryIoU()'s default averages the background in; on a model that finds nothing
    nothing = np.zeros_like(p)
    both = keras.metrics.BinaryIoU()  # target_class_ids=[0, 1]
    both.update_state(y, nothing)
    fg = T.ForegroundIoU()
    fg.update_state(y, nothing)
    assert float(fg.result()) == 0.0 and float(both.result()) == pytest.approx(np.mean(y == 0) / 2, abs=1e-6)


COURSE_BINARY = {
    "BinarySoftJaccardLoss": lambda **kw: L.SoftJaccardLoss(**kw),
    "BinarySoftDiceLoss": lambda **kw: L.SoftDiceLoss(**kw),
    "BinaryCEJaccardLoss": lambda **kw: L.CEJaccardLoss(0.5, **kw),
}


@pytest.mark.parametrize("name", sorted(COURSE_BINARY))
def test_binary_losses_are_the_course_losses_on_one_channel(name):
    y, p = _binary(seed=1)
    logits = tf.Variable(np.log(p / (1 - p)))
    with tf.GradientTape(persistent=True) as tape:
        q = tf.sigmoid(logits)
        ours, course = getattr(T, name)()(y, q), COURSE_BINARY[name]()(y, q)
    assert float(ours) == pytest.approx(float(course), abs=1e-5)
    np.testing.assert_allclose(tape.gradient(ours, logits), tape.gradient(course, logits), atol=1e-6)
    void = np.where(np.random.default_rng(2).random(y.shape) < 0.1, 255.0, y).astype("float32")
    ours, course = getattr(T, name)(ignore_index=255)(void, p), COURSE_BINARY[name](ignore_index=255)(void, p)
    assert float(ours) == pytest.approx(float(course), abs=1e-5)


def test_loss_leaves_void_rows_out_with_zero_gradient_like_the_course():
    lab, _, y, probs = _batch(n=4)
    y[:, :3] = 0  # void: all-zero one-hot rows
    logits = tf.Variable(np.log(probs))
    with tf.GradientTape(persistent=True) as tape:
        p = tf.nn.softmax(logits)
        ours, ref = T.SoftJaccardLoss(ignore_index=255)(y, p), L.soft_jaccard_loss(y, p, ignore_index=255)
    assert float(ours) == pytest.approx(float(ref), abs=1e-6)
    grad = tape.gradient(ours, logits).numpy()
    np.testing.assert_allclose(grad, tape.gradient(ref, logits), atol=1e-7)
    assert np.all(grad[:, :3] == 0) and np.any(grad[:, 3:] != 0)
    with pytest.raises(ValueError, match="ignore_index=255"):
        T.soft_jaccard_loss(y, probs)  # without ignore_index: loud, not false positives of every class


def test_losses_sum_in_float32_for_float16_inputs():
    rng = np.random.default_rng(0)
    lab = rng.integers(0, 5, (8, 224, 224))
    logits = rng.normal(size=(8, 224, 224, 5)).astype("float32") + 2 * np.eye(5, dtype="float32")[lab]
    p = tf.nn.softmax(logits)
    y = tf.one_hot(lab, 5)
    full = float(T.soft_jaccard_loss(y, p))
    assert float(T.soft_jaccard_loss(y, tf.cast(p, tf.float16))) == pytest.approx(full, abs=1e-3)
    assert full == pytest.approx(float(L.soft_jaccard_loss(y, p)), abs=1e-6)


def test_bad_inputs_name_the_fix():
    lab, _, y, probs = _batch(n=2)
    with pytest.raises(ValueError, match="divide 0/255 masks by 255"):
        T.soft_jaccard_loss(y * 255, probs)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        T.soft_jaccard_loss(y, np.log(probs))  # logits
    yb, pb = _binary()
    with pytest.raises(ValueError, match=r"mask // 255"):
        T.ForegroundIoU().update_state(yb * 255, pb)
    with pytest.raises(ValueError, match="sample_weight"):
        T.BinarySoftJaccardLoss()(yb, pb, sample_weight=np.ones(4))
    with pytest.raises(ValueError, match="threshold"):
        T.ForegroundIoU(threshold=2)
    with pytest.raises(ValueError, match="alpha"):
        T.BinaryCEJaccardLoss(alpha=1.5)


def test_soft_jaccard_loss_reads_label_maps_without_broadcasting():
    lab, _, y, probs = _batch(n=2)
    expected = float(T.soft_jaccard_loss(y, probs))
    assert float(T.soft_jaccard_loss(lab[..., None], probs)) == pytest.approx(expected, abs=1e-6)  # (B, H, W, 1)
    assert float(T.soft_jaccard_loss(lab, probs)) == pytest.approx(expected, abs=1e-6)
    spatial = tf.TensorSpec([None, None, None, 5], tf.float32)  # unknown batch and image size: fine
    loss = tf.function(T.soft_jaccard_loss, input_signature=[spatial, spatial])
    assert float(loss(tf.constant(y), tf.constant(y))) == pytest.approx(0.0, abs=1e-6)
    unknown = tf.TensorSpec([None, None, None, None], tf.float32)  # e.g. tf.image.decode_png: (..., 1) or (..., 5)?
    with pytest.raises(ValueError, match=r"tf.ensure_shape\(mask, \(H, W, 5\)\)"):
        tf.function(T.soft_jaccard_loss, input_signature=[unknown, spatial]).get_concrete_function()


def test_function_loss_refuses_sample_weight():
    lab, _, y, probs = _batch(n=2)
    with pytest.raises(ValueError, match="sample_weight"):
        T.soft_jaccard_loss(y, probs, sample_weight=np.ones(2))  # Keras would scale the batch's one value


def test_one_line_answer_agrees_with_the_streaming_metric():
    lab, pred, y, probs = _batch(n=8)
    keras_metric = keras.metrics.OneHotMeanIoU(num_classes=5, name="mean_iou")
    ours = T.StreamingMeanIoU(num_classes=5)
    for i in range(0, 8, 3):
        keras_metric.update_state(y[i : i + 3], probs[i : i + 3])
        ours.update_state(y[i : i + 3], probs[i : i + 3])
    assert float(keras_metric.result()) == pytest.approx(float(ours.result()), abs=1e-6)
    # the caveat: an all-zero one-hot row ("void") counts as class 0 for OneHotMeanIoU
    y_void = y.copy()
    y_void[:, :2] = 0
    keras_metric.reset_state()
    keras_metric.update_state(y_void, probs)
    void_lab = np.where(y_void.sum(-1) == 0, 0, lab)
    assert float(keras_metric.result()) == pytest.approx(M.mean_iou(void_lab, pred, num_classes=5), abs=1e-6)


def test_soft_jaccard_loss_is_the_reference_with_its_gradient():
    lab, _, y, probs = _batch()
    rng = np.random.default_rng(1)
    logits = tf.Variable(rng.normal(size=probs.shape).astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        p = tf.nn.softmax(logits)
        ours, ref = T.soft_jaccard_loss(y, p), L.soft_jaccard_loss(y, p)
    assert float(ours) == pytest.approx(float(ref), abs=1e-6)
    np.testing.assert_allclose(tape.gradient(ours, logits), tape.gradient(ref, logits), atol=1e-7)
    # on a one-hot prediction: 1 - the hard IoU over the classes present in the truth
    hard = np.eye(5, dtype="float32")[np.where(lab == 3, 1, lab)]  # no "triangle" predicted
    truth_classes = M.per_class_iou(lab, hard.argmax(-1), num_classes=5)[:4]  # classes in the truth
    assert float(T.soft_jaccard_loss(y, hard)) == pytest.approx(1 - np.mean(truth_classes), abs=1e-6)


def _tiny_model():
    inputs = keras.Input((12, 12, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Conv2D(5, 1, activation="softmax")(x))


def test_everything_compiles_with_xla_and_the_metric_saves(tmp_path):
    lab, _, y, _ = _batch(n=8)
    x = np.random.default_rng(2).random((8, 12, 12, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    model = _tiny_model()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.003, clipvalue=0.7),
        loss=T.soft_jaccard_loss,
        jit_compile=True,
        metrics=[
            T.StreamingMeanIoU(num_classes=5),
            T.batch_mean_iou,
            keras.metrics.OneHotMeanIoU(num_classes=5, name="keras_mean_iou"),
        ],
    )
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    scores = model.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0).argmax(-1)
    assert scores["mean_iou"] == pytest.approx(M.mean_iou(lab, pred, num_classes=5), abs=1e-5)
    assert scores["keras_mean_iou"] == pytest.approx(scores["mean_iou"], abs=1e-5)
    path = tmp_path / "model.keras"
    model.save(path)
    again = keras.models.load_model(path)  # registered: no custom_objects (tests/take_home_check.py: a fresh process)
    reloaded = again.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    assert reloaded["mean_iou"] == pytest.approx(scores["mean_iou"], abs=1e-5)
    config = keras.saving.serialize_keras_object(T.StreamingMeanIoU(num_classes=5, ignore_index=255))
    restored = keras.saving.deserialize_keras_object(config)
    assert isinstance(restored, T.StreamingMeanIoU) and restored.ignore_index == 255
