"""helpers.course.buggy: pin the question's functions' behaviour (the course teaches from these numbers)."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from helpers import metrics as M  # noqa: E402
from helpers.course import buggy  # noqa: E402


def _setup(seed=0):
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, 5, (2, 8, 8))
    y = np.eye(5, dtype=np.float32)[lab]
    perfect = 0.9 * y + 0.02  # softmax-like: argmax right everywhere (rows sum to 1)
    wrong = np.roll(perfect, 1, axis=-1)  # argmax wrong everywhere
    uniform = np.full_like(y, 0.2)
    return lab, y, perfect, wrong, uniform


def test_same_value_for_perfect_all_wrong_and_uniform():
    lab, y, perfect, wrong, uniform = _setup()
    values = [float(buggy.mean_iou(y, p)) for p in (perfect, wrong, uniform)]
    assert values[0] == values[1] == values[2]
    assert values[0] == pytest.approx(0.4627, abs=1e-4)  # the research note's 2x8x8 example value
    # while the true mean IoU is 1 and 0
    assert M.mean_iou(lab, M.to_labels(perfect), num_classes=5) == 1.0
    assert M.mean_iou(lab, M.to_labels(wrong), num_classes=5) == 0.0


def test_value_depends_on_truth_only_because_cast_truncates():
    lab, y, perfect, _, _ = _setup()
    zeros = np.zeros_like(y)
    assert float(buggy.mean_iou(y, perfect)) == float(buggy.mean_iou(y, zeros))


def test_exact_one_hot_prediction_scores_one():
    _, y, _, _, _ = _setup()
    assert float(buggy.mean_iou(y, y)) == 1.0  # only p == 1.0 exactly survives the int cast


def test_saturated_float32_softmax_is_seen():
    """'Whatever the model says' has one exception: a saturated float32 softmax can output exactly 1.0."""
    one_pixel = tf.nn.softmax(tf.constant([40.0, 0.0, 0.0, 0.0, 0.0])).numpy()
    assert one_pixel.dtype == np.float32 and one_pixel[0] == 1.0  # 1 / (1 + 4 e**-40) rounds to 1.0
    assert tf.cast(one_pixel, tf.int32).numpy().tolist() == [1, 0, 0, 0, 0]  # survives the cast
    lab, y, _, _, _ = _setup()
    z = 40.0 * y  # logits 40 apart; NumPy's softmax rounds exactly (TF's batched CPU kernel may not)
    saturated = np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)
    assert saturated.dtype == np.float32 and (saturated.max(-1) == 1.0).all()
    assert float(buggy.mean_iou(y, saturated)) == 1.0  # the metric now reads 1.0, not 0.4627
    wrong = np.roll(saturated, 1, axis=-1)  # saturated and wrong everywhere: seen too, and lower
    assert float(buggy.mean_iou(y, wrong)) < float(buggy.mean_iou(y, np.zeros_like(y)))


def test_comments_number_the_bugs_as_notebook_01():
    import inspect

    source = inspect.getsource(buggy.mean_iou)
    assert [f"Bug {k}:" in source for k in range(1, 7)] == [True] * 5 + [False]


def test_all_background_truth_scores_high_whatever_the_prediction():
    y = np.zeros((1, 8, 8, 5), np.float32)
    y[..., 0] = 1
    right = 0.9 * y + 0.02
    wrong = np.roll(right, 1, axis=-1)
    # per (column, class): background (0 + 1) / (8 + 1), the 4 empty classes (0 + 1) / (0 + 1) = 1
    expected = (1 / 9 + 4) / 5
    assert float(buggy.mean_iou(y, right)) == pytest.approx(expected, abs=1e-6)
    assert float(buggy.mean_iou(y, wrong)) == pytest.approx(expected, abs=1e-6)


def test_channel_labels_broadcast_silently():
    rng = np.random.default_rng(0)
    lab = rng.integers(0, 5, (2, 8, 8, 1)).astype(np.float32)
    probs = np.full((2, 8, 8, 5), 0.2, np.float32)
    value = float(buggy.mean_iou(lab, probs))  # no error although the shapes do not match
    assert np.isfinite(value)
    with pytest.raises(ValueError, match="squeeze"):
        M.mean_iou(lab.astype(int), probs.argmax(-1)[..., None].repeat(5, -1), num_classes=5)


def test_iou_loss_is_a_function_of_soft_accuracy():
    lab, y, perfect, _, uniform = _setup()
    n = lab.size
    for p in (perfect, uniform):
        soft_acc = float((y * p).sum()) / n
        expected = 1 - (soft_acc * n + 1) / (2 * n - soft_acc * n + 1)
        assert float(buggy.iou_loss(y, p)) == pytest.approx(expected, rel=1e-6)


def test_mean_iou_has_no_gradient():
    _, y, perfect, _, _ = _setup()
    x = tf.Variable(perfect)
    with tf.GradientTape() as tape:
        value = buggy.mean_iou(y, x)
    assert tape.gradient(value, x) is None


def test_question_optimizer_and_the_lr_keyword():
    import keras

    opt = buggy.question_optimizer()
    assert float(opt.learning_rate) == pytest.approx(0.003)
    assert opt.clipvalue == pytest.approx(0.7)
    with pytest.raises(ValueError, match="lr"):
        keras.optimizers.Adam(lr=0.003, clipvalue=0.7)


def test_fix_stages_converge_to_the_reference():
    rng = np.random.default_rng(5)
    lab = rng.integers(0, 5, (4, 6, 6))
    lab[0] = 0  # an image with only background: absent classes matter
    y = np.eye(5, dtype=np.float32)[lab]
    noisy = np.where(rng.uniform(size=lab.shape) < 0.3, rng.integers(0, 5, lab.shape), lab)
    probs = 0.6 * np.eye(5, dtype=np.float32)[noisy] + 0.08
    assert float(buggy.mean_iou_stage(y, probs, 0)) == float(buggy.mean_iou(y, probs))
    per_image = M.mean_iou(lab, noisy, num_classes=5, per_image=True)
    assert float(buggy.mean_iou_stage(y, probs, 4)) == pytest.approx(per_image, abs=1e-6)
    assert float(buggy.mean_iou_stage(y, probs, 5)) == pytest.approx(M.mean_iou(lab, noisy, num_classes=5), abs=1e-6)
    assert len(buggy.FIX_STAGES) == 6
    with pytest.raises(ValueError, match="stage"):
        buggy.mean_iou_stage(y, probs, 6)
