"""helpers.course.soft_iou: the prediction builders, the pooled loss as a function of soft accuracy, the
per-class soft IoU with smoothing, and logit gradients, against hand computations and helpers.keras.losses."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from helpers.course import buggy  # noqa: E402
from helpers.course import soft_iou as S  # noqa: E402
from helpers.keras import losses as L  # noqa: E402

C = 5


def _labels(seed=0, shape=(2, 10, 12)):
    return np.random.default_rng(seed).integers(0, C, shape)


def test_label_probs():
    lab = _labels()
    p = S.label_probs(lab, 0.8)
    assert p.shape == lab.shape + (C,) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(-1), 1.0, atol=1e-6)
    assert (p.argmax(-1) == lab).all()
    np.testing.assert_allclose(np.take_along_axis(p, lab[..., None], -1), 0.8)
    assert np.isclose(p[0, 0, 0][p[0, 0, 0] != np.float32(0.8)], 0.05).all()
    assert (S.label_probs(lab, 1.0) == np.eye(C)[lab]).all()
    with pytest.raises(ValueError, match="confidence"):
        S.label_probs(lab, 0.1)
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        S.label_probs(lab + 1, 0.9)
    with pytest.raises(ValueError, match="integer"):
        S.label_probs(lab.astype(float), 0.9)


def test_mediocre_logits_is_deterministic_and_mediocre():
    lab = _labels(1, (3, 16, 16))
    a = S.mediocre_logits(lab, seed=3)
    assert a.shape == lab.shape + (C,) and a.dtype == np.float32
    np.testing.assert_array_equal(a, S.mediocre_logits(lab, seed=3))
    assert not np.array_equal(a, S.mediocre_logits(lab, seed=4))
    # without noise, blur or shift: strength on the true class, 0 elsewhere
    clean = S.mediocre_logits(lab, strength=2.0, noise=0.0, shift=0, blur=0)
    np.testing.assert_array_equal(clean, 2.0 * np.eye(C)[lab])
    # a shift moves the believed mask to the right
    shifted = S.mediocre_logits(lab, strength=1.0, noise=0.0, shift=2, blur=0)
    assert (shifted.argmax(-1) == np.roll(lab, 2, axis=-1)).all()
    # blur keeps each pixel's logits summing to `strength`
    np.testing.assert_allclose(S.mediocre_logits(lab, strength=3.0, noise=0.0, blur=1).sum(-1), 3.0, atol=1e-5)
    with pytest.raises(ValueError, match="blur"):
        S.mediocre_logits(lab, blur=-1)


def test_boundary_mask():
    m = np.zeros((6, 7), int)
    m[2:4, 2:5] = 1
    b = S.boundary_mask(m)
    expected = np.zeros((6, 7), bool)
    expected[1:5, 1:6] = True  # the 2 x 3 block and its 8-neighbourhood ring
    np.testing.assert_array_equal(b, expected)
    assert not S.boundary_mask(np.zeros((4, 4), int)).any()  # the image border is no boundary
    batch = np.stack([m, np.zeros_like(m)])
    np.testing.assert_array_equal(S.boundary_mask(batch), np.stack([expected, np.zeros_like(expected)]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pooled_iou_loss_is_a_function_of_soft_accuracy(seed):
    lab = _labels(seed)
    y = np.eye(C, dtype=np.float32)[lab]
    p = tf.nn.softmax(S.mediocre_logits(lab, strength=2.0, noise=1.0, seed=seed)).numpy()
    a = S.soft_pixel_accuracy(y, p)
    assert a == pytest.approx(float(np.sum(y * p) / lab.size), rel=1e-5)
    assert S.soft_pixel_accuracy(lab, p) == pytest.approx(a)  # labels work too
    expected = S.pooled_loss_from_accuracy(a, lab.size)
    assert float(buggy.iou_loss(y, p)) == pytest.approx(expected, abs=1e-5)
    assert float(L.soft_jaccard_loss(y, p, pooled=True)) == pytest.approx(expected, abs=1e-5)


def test_pooled_loss_from_accuracy_values():
    assert S.pooled_loss_from_accuracy(1.0, 50) == pytest.approx(0.0)
    assert S.pooled_loss_from_accuracy(0.5, 100) == pytest.approx(1 - 51 / 151)
    assert S.pooled_loss_from_accuracy(0.5, 100, smooth=0.0) == pytest.approx(1 - 50 / 150)
    vals = S.pooled_loss_from_accuracy(np.linspace(0, 1, 11), 1000)
    assert np.all(np.diff(vals) < 0)  # strictly decreasing in the accuracy
    with pytest.raises(ValueError, match="accuracy"):
        S.pooled_loss_from_accuracy(1.5, 10)


def test_soft_iou_per_class_matches_the_loss_on_present_classes():
    lab = _labels(4)
    lab[lab == 3] = 0  # class 3 absent
    y = np.eye(C, dtype=np.float32)[lab]
    p = tf.nn.softmax(S.mediocre_logits(lab, noise=1.0)).numpy()
    ious = S.soft_iou_per_class(y, p).numpy()
    present = np.bincount(lab.ravel(), minlength=C) > 0
    assert ious.shape == (C,) and ious[3] == 0.0
    assert 1 - ious[present].mean() == pytest.approx(float(L.soft_jaccard_loss(y, p)), abs=1e-6)
    # hand computation for one class
    i = (y[..., 1] * p[..., 1]).sum()
    assert ious[1] == pytest.approx(i / (y[..., 1].sum() + p[..., 1].sum() - i), rel=1e-5)
    # smooth = 1: the absent class scores 1 / (sum(p_3) + 1)
    smoothed = S.soft_iou_per_class(y, p, smooth=1.0).numpy()
    assert smoothed[3] == pytest.approx(1 / (p[..., 3].sum() + 1), rel=1e-5)
    nothing = p.copy()
    nothing[..., 0] += nothing[..., 3]
    nothing[..., 3] = 0
    assert S.soft_iou_per_class(y, nothing, smooth=1.0).numpy()[3] == pytest.approx(1.0)
    assert S.soft_iou_per_class(y, nothing).numpy()[3] == 0.0  # 0 / 0 -> 0 without smoothing


def test_logit_gradient():
    lab = _labels(5, (1, 8, 8))
    y = np.eye(C, dtype=np.float32)[lab]
    logits = S.mediocre_logits(lab, noise=1.0)
    loss, grad = S.logit_gradient(L.soft_jaccard_loss, y, logits)
    assert loss == pytest.approx(float(L.soft_jaccard_loss(y, tf.nn.softmax(logits))), abs=1e-6)
    assert grad.shape == logits.shape and np.abs(grad).sum() > 0
    np.testing.assert_allclose(grad.sum(-1), 0.0, atol=1e-6)  # softmax is shift-invariant per pixel
    # finite difference on one logit
    eps = 1e-2
    bumped = logits.copy()
    bumped[0, 3, 4, 2] += eps
    fd = (float(L.soft_jaccard_loss(y, tf.nn.softmax(bumped))) - loss) / eps
    assert fd == pytest.approx(grad[0, 3, 4, 2], rel=0.05, abs=1e-5)

    def hard(y_true, probs):  # argmax: no gradient
        pred = tf.one_hot(tf.argmax(probs, -1), C)
        return 1.0 - tf.reduce_mean(pred * y_true)

    with pytest.raises(ValueError, match="None"):
        S.logit_gradient(hard, y, logits)
