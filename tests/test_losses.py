"""helpers.losses: each loss equals 1 - its hard IoU on one-hot predictions, has useful gradients,
and ranks better predictions lower."""
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from helpers import losses as L  # noqa: E402
from helpers import metrics as M  # noqa: E402

C = 5


def _truth(seed=0, shape=(3, 8, 8)):
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, C - 1, shape)  # class C-1 absent from the truth
    return lab, np.eye(C, dtype=np.float32)[lab]


def _hard_iou_present(lab, pred_lab):
    """Mean over classes present in the truth of TP / (TP + FP + FN)."""
    iou = M.per_class_iou(lab, pred_lab, num_classes=C)
    present = np.bincount(lab.ravel(), minlength=C) > 0
    return float(np.mean(iou[present]))


def _hard_dice_present(lab, pred_lab):
    cm = M.confusion_matrix(lab, pred_lab, num_classes=C)
    tp = np.diag(cm)
    dice = 2 * tp / (cm.sum(0) + cm.sum(1))
    present = cm.sum(1) > 0
    return float(np.mean(dice[present]))


def _one_hot_prediction(lab, seed=1, flip=0.3):
    rng = np.random.default_rng(seed)
    pred_lab = np.where(rng.uniform(size=lab.shape) < flip, rng.integers(0, C, lab.shape), lab)
    return pred_lab, np.eye(C, dtype=np.float32)[pred_lab]


def _soft(lab, quality, seed=2):
    """Softmax-like predictions: weight `quality` on the true class, the rest spread at random."""
    rng = np.random.default_rng(seed)
    noise = rng.dirichlet(np.ones(C), size=lab.shape).astype(np.float32)
    return quality * np.eye(C, dtype=np.float32)[lab] + (1 - quality) * noise


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_jaccard_on_one_hot_equals_one_minus_hard_iou(seed):
    lab, y = _truth(seed)
    pred_lab, p = _one_hot_prediction(lab, seed + 10)
    expected = 1 - _hard_iou_present(lab, pred_lab)
    assert float(L.soft_jaccard_loss(y, p)) == pytest.approx(expected, abs=1e-6)
    assert float(L.lovasz_softmax_loss(y, p)) == pytest.approx(expected, abs=1e-6)
    assert float(L.soft_dice_loss(y, p)) == pytest.approx(1 - _hard_dice_present(lab, pred_lab), abs=1e-6)
    ce_j = L.ce_jaccard_loss(alpha=0.25)(y, p)
    # cross-entropy is not 0 on wrong one-hot pixels: check the Jaccard half exactly on a perfect prediction
    assert float(L.ce_jaccard_loss(alpha=0.25)(y, y)) == pytest.approx(0.0, abs=1e-5)
    assert float(ce_j) > 0.75 * expected


def test_pooled_jaccard_is_the_question_formula():
    lab, y = _truth()
    pred_lab, p = _one_hot_prediction(lab)
    n = lab.size
    correct = np.sum(lab == pred_lab)
    # sum(y) = sum(p) = n: pooled score = (I + 1) / (2n - I + 1), with I = number of correct pixels
    assert float(L.soft_jaccard_loss(y, p, pooled=True)) == pytest.approx(1 - (correct + 1) / (2 * n - correct + 1))
    assert float(L.soft_jaccard_loss(y, p, pooled=True, smooth=0)) == pytest.approx(1 - correct / (2 * n - correct))


def test_pooled_equals_question_iou_loss():
    from helpers.buggy import iou_loss

    lab, y = _truth()
    p = _soft(lab, 0.5)
    assert float(L.soft_jaccard_loss(y, p, pooled=True)) == pytest.approx(float(iou_loss(y, p)), rel=1e-5)


@pytest.mark.parametrize("y_form", ["one_hot", "sparse", "channel"])
def test_sparse_labels_give_the_same_loss(y_form):
    lab, y = _truth()
    p = _soft(lab, 0.5)
    y_in = {"one_hot": y, "sparse": lab, "channel": lab[..., None]}[y_form]
    for loss in (L.soft_jaccard_loss, L.soft_dice_loss, L.lovasz_softmax_loss, L.ce_jaccard_loss(0.5)):
        assert float(loss(y_in, p)) == pytest.approx(float(loss(y, p)), abs=1e-6)


LOSSES = {
    "jaccard": L.soft_jaccard_loss,
    "jaccard_pooled": lambda y, p: L.soft_jaccard_loss(y, p, pooled=True),
    "dice": L.soft_dice_loss,
    "ce_jaccard": L.ce_jaccard_loss(0.5),
    "lovasz": L.lovasz_softmax_loss,
}


@pytest.mark.parametrize("name", LOSSES)
def test_gradients_are_finite_and_nonzero(name):
    lab, y = _truth()
    logits = tf.Variable(np.log(_soft(lab, 0.3)))
    with tf.GradientTape() as tape:
        loss = LOSSES[name](y, tf.nn.softmax(logits))
    grad = tape.gradient(loss, logits).numpy()
    assert np.all(np.isfinite(grad))
    assert np.abs(grad).max() > 1e-6


@pytest.mark.parametrize("name", LOSSES)
def test_better_predictions_give_lower_loss(name):
    lab, y = _truth()
    values = [float(LOSSES[name](y, _soft(lab, q))) for q in (0.1, 0.4, 0.7, 0.95)]
    assert values == sorted(values, reverse=True), values
    assert float(LOSSES[name](y, y)) == pytest.approx(0.0, abs=1e-5)


def test_per_class_losses_on_soft_predictions_match_numpy():
    lab, y = _truth()  # class 4 absent from the truth
    p = _soft(lab, 0.6)
    axes = (0, 1, 2)
    inter, sy, sp = (y * p).sum(axes), y.sum(axes), p.sum(axes)
    present = sy > 0
    assert not present[4]
    jaccard = 1 - np.mean((inter / (sy + sp - inter))[present])
    dice = 1 - np.mean((2 * inter / (sy + sp))[present])
    assert float(L.soft_jaccard_loss(y, p)) == pytest.approx(jaccard, rel=1e-5)
    assert float(L.soft_dice_loss(y, p)) == pytest.approx(dice, rel=1e-5)
    # the absent class is excluded even though it has predicted mass, with or without smoothing
    s = 1.0
    assert float(L.soft_jaccard_loss(y, p, smooth=s)) == pytest.approx(
        1 - np.mean(((inter + s) / (sy + sp - inter + s))[present]), rel=1e-5)


def test_lovasz_grad_is_berman_algorithm_1():
    g = L.lovasz_grad(tf.constant([1.0, 0.0, 1.0, 0.0])).numpy()
    # jaccard after k errors: 1 - (2 - cumsum(gt)) / (2 + cumsum(1 - gt)) -> [.5, 2/3, 1, 1]
    np.testing.assert_allclose(g, [0.5, 2 / 3 - 0.5, 1 / 3, 0.0], atol=1e-6)


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, match",
    [((2, 4, 4, 3), (2, 4, 4, 5), "expected y_true"), ((2, 4, 4), (2, 4, 4, 1), "one channel per class"),
     ((2, 5, 4), (2, 4, 4, 5), "differ")],
)
def test_bad_shapes_raise(y_true_shape, y_pred_shape, match):
    for loss in (L.soft_jaccard_loss, L.soft_dice_loss, L.lovasz_softmax_loss):
        with pytest.raises(ValueError, match=match):
            loss(np.zeros(y_true_shape, np.float32), np.zeros(y_pred_shape, np.float32))


def test_alpha_out_of_range():
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\]"):
        L.ce_jaccard_loss(1.5)


def test_losses_train_in_keras():
    import keras

    keras.utils.set_random_seed(0)
    lab, y = _truth(shape=(8, 8, 8))
    x = np.random.default_rng(0).normal(size=(8, 8, 8, 3)).astype(np.float32)
    for loss in (L.soft_jaccard_loss, L.lovasz_softmax_loss, L.ce_jaccard_loss(0.25), L.soft_dice_loss):
        model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(C, 1, activation="softmax")])
        model.compile(optimizer="adam", loss=loss)
        h = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
        assert np.all(np.isfinite(h.history["loss"]))
