"""helpers.keras.losses: each loss equals 1 - its hard IoU on one-hot predictions, has useful gradients,
and ranks better predictions lower."""

import numpy as np
import pytest
from registry import FUNCTIONS
from registry import FUNCTIONS as LOSSES

tf = pytest.importorskip("tensorflow")

from helpers import metrics as M  # noqa: E402
from helpers.keras import losses as L  # noqa: E402

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
    from helpers.course.buggy import iou_loss

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
        1 - np.mean(((inter + s) / (sy + sp - inter + s))[present]), rel=1e-5
    )


def test_lovasz_grad_is_berman_algorithm_1():
    g = L.lovasz_grad(tf.constant([1.0, 0.0, 1.0, 0.0])).numpy()
    # jaccard after k errors: 1 - (2 - cumsum(gt)) / (2 + cumsum(1 - gt)) -> [.5, 2/3, 1, 1]
    np.testing.assert_allclose(g, [0.5, 2 / 3 - 0.5, 1 / 3, 0.0], atol=1e-6)


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, match",
    [
        ((2, 4, 4, 3), (2, 4, 4, 5), "expected y_true"),
        ((2, 4, 4), (2, 4, None), "known last axis"),
        ((2, 5, 4), (2, 4, 4, 5), "differ"),
    ],
)
def test_bad_shapes_raise(y_true_shape, y_pred_shape, match):
    for loss in (L.soft_jaccard_loss, L.soft_dice_loss, L.lovasz_softmax_loss):
        with pytest.raises(ValueError, match=match):
            if None in y_pred_shape:  # a model output whose class axis is unknown when traced
                spec = tf.TensorSpec(y_pred_shape, tf.float32)
                tf.function(
                    loss, input_signature=[tf.TensorSpec(y_true_shape, tf.float32), spec]
                ).get_concrete_function()
            else:
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


# --- ignore_index, bad labels, dtypes (issue 11) -------------------------------------------------


def _with_void(seed=0, shape=(3, 8, 8), fraction=0.2):
    lab, _ = _truth(seed, shape)
    void = np.random.default_rng(seed + 100).uniform(size=shape) < fraction
    return np.where(void, 255, lab), void


@pytest.mark.parametrize("name", FUNCTIONS)
def test_ignore_index_equals_dropping_the_void_pixels(name):
    lab, void = _with_void()
    p = _soft(np.where(void, C - 1, lab), 0.5)  # void pixels predicted as the class absent from the truth
    loss = FUNCTIONS[name]
    dropped = float(loss(lab[~void], p[~void]))  # the kept pixels only, as one flat "image"
    one_hot = np.eye(C, dtype=np.float32)[np.where(void, 0, lab)] * ~void[..., None]  # void: all-zero rows
    for y_in in (lab, lab[..., None], one_hot):
        assert float(loss(y_in, p, ignore_index=255)) == pytest.approx(dropped, abs=1e-6)
    assert abs(float(loss(lab[~void], p[~void])) - float(loss(np.where(void, 0, lab), p))) > 1e-3  # void matters


def _berman_lovasz_softmax_flat(probas, labels, ignore=None):
    """NumPy port of bermanmaxim/LovaszSoftmax tensorflow/lovasz_losses_tf.py: lovasz_softmax(classes='present',
    per_image=False, ignore=...): flatten, drop pixels labelled `ignore`, mean over present classes."""
    c = probas.shape[-1]
    probas, labels = probas.reshape(-1, c).astype(np.float64), labels.reshape(-1)
    if ignore is not None:
        keep = labels != ignore
        probas, labels = probas[keep], labels[keep]
    losses = []
    for k in range(c):
        fg = (labels == k).astype(np.float64)
        if fg.sum() == 0:
            continue
        errors = np.abs(fg - probas[:, k])
        order = np.argsort(-errors, kind="stable")
        gt = fg[order]
        inter = gt.sum() - np.cumsum(gt)
        union = gt.sum() + np.cumsum(1 - gt)
        jac = 1 - inter / union
        grad = np.concatenate([jac[:1], np.diff(jac)])
        losses.append(errors[order] @ grad)
    return float(np.mean(losses))


@pytest.mark.parametrize("seed", [0, 1])
def test_lovasz_with_ignore_matches_bermans_reference(seed):
    lab, void = _with_void(seed)
    p = _soft(np.where(void, 0, lab), 0.4, seed=seed)
    assert float(L.lovasz_softmax_loss(lab, p, ignore_index=255)) == pytest.approx(
        _berman_lovasz_softmax_flat(p, lab, ignore=255), abs=1e-6
    )
    clean = np.where(void, 0, lab)
    assert float(L.lovasz_softmax_loss(clean, p)) == pytest.approx(_berman_lovasz_softmax_flat(p, clean), abs=1e-6)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("bad", [C, -1, 255])
def test_out_of_range_labels_raise_eagerly_and_in_tf_function(name, bad):
    lab, _ = _truth()
    p = _soft(lab, 0.5)
    lab = lab.copy()
    lab[0, 0, 0] = bad
    loss = FUNCTIONS[name]
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside"):
        loss(lab, p)
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside"):
        tf.function(loss)(tf.constant(lab), tf.constant(p))
    if bad != 255:  # ignore_index=255 does not excuse other labels
        with pytest.raises(tf.errors.InvalidArgumentError, match="ignore_index=255"):
            loss(lab, p, ignore_index=255)


def test_all_zero_one_hot_rows_need_ignore_index():
    lab, y = _truth()
    y = y.copy()
    y[0, 0, 0] = 0
    for loss in FUNCTIONS.values():
        with pytest.raises(tf.errors.InvalidArgumentError, match="all-zero pixels"):
            loss(y, _soft(lab, 0.5))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_bad_labels_under_xla_give_nan_loss_and_gradients(name):
    # XLA (Keras's default on a GPU) compiles assertions away: the loss must not be a plausible number
    lab, _ = _truth()
    logits = tf.Variable(np.log(_soft(lab, 0.5)))
    bad = lab.copy()
    bad[0, 0, 0] = 7

    @tf.function(jit_compile=True)
    def value_and_grad(y):
        with tf.GradientTape() as tape:
            loss = FUNCTIONS[name](y, tf.nn.softmax(logits))
        return loss, tape.gradient(loss, logits)

    good_loss, good_grad = value_and_grad(tf.constant(lab))
    assert np.isfinite(float(good_loss)) and np.all(np.isfinite(good_grad.numpy()))
    assert float(good_loss) == pytest.approx(float(FUNCTIONS[name](lab, tf.nn.softmax(logits))), abs=1e-6)
    bad_loss, bad_grad = value_and_grad(tf.constant(bad))
    assert np.isnan(float(bad_loss))
    assert np.all(np.isnan(bad_grad.numpy()))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_float16_probabilities_are_summed_in_float32(name):
    # 2 x 64 x 64 pixels: a float16 sum stops growing at 2048, so per-class sums would be wrong
    lab, _ = _truth(shape=(2, 64, 64))
    p16 = _soft(lab, 0.6).astype(np.float16)
    got = FUNCTIONS[name](lab, p16)
    assert got.dtype == tf.float32
    assert float(got) == pytest.approx(float(FUNCTIONS[name](lab, p16.astype(np.float32))), abs=1e-6)
    assert 0.05 < float(got) < 0.95


def test_ignore_index_must_not_be_a_class():
    lab, y = _truth()
    for loss in FUNCTIONS.values():
        with pytest.raises(ValueError, match="real class"):
            loss(lab, y, ignore_index=2)
    with pytest.raises(ValueError, match="ignore_index must be an int"):
        L.SoftDiceLoss(ignore_index="255")


# --- Keras Loss classes -------------------------------------------------------------------------
CLASSES = {
    "jaccard": (L.SoftJaccardLoss(), L.soft_jaccard_loss),
    "jaccard_pooled": (
        L.SoftJaccardLoss(pooled=True, smooth=0.5),
        lambda y, p: L.soft_jaccard_loss(y, p, pooled=True, smooth=0.5),
    ),
    "dice": (L.SoftDiceLoss(smooth=1.0), lambda y, p: L.soft_dice_loss(y, p, smooth=1.0)),
    "ce_jaccard": (L.CEJaccardLoss(alpha=0.3), lambda y, p: L.ce_jaccard_loss(0.3)(y, p)),
    "lovasz": (L.LovaszSoftmaxLoss(), L.lovasz_softmax_loss),
}


@pytest.mark.parametrize("name", CLASSES)
def test_loss_classes_equal_the_functions_and_round_trip_their_config(name):
    import keras

    obj, fn = CLASSES[name]
    lab, void = _with_void()
    p = _soft(np.where(void, 0, lab), 0.5)
    clean = np.where(void, 0, lab)
    assert float(obj(clean, p)) == pytest.approx(float(fn(clean, p)), abs=1e-7)
    config = obj.get_config()
    assert config["ignore_index"] is None
    clone = type(obj).from_config({**config, "ignore_index": 255})
    assert clone.get_config() == {**config, "ignore_index": 255}
    assert float(clone(lab, p)) == pytest.approx(float(fn(lab[~void], p[~void])), abs=1e-6)
    # registered with Keras, so load_model finds it without custom_objects
    assert keras.saving.get_registered_name(type(obj)) == f"iou_lab>{type(obj).__name__}"
    restored = keras.losses.deserialize(keras.losses.serialize(clone))
    assert type(restored) is type(obj) and restored.get_config() == clone.get_config()


def test_contract_signatures_and_registered_functions():
    import inspect

    import keras

    params = {
        cls: {
            k: v.default
            for k, v in inspect.signature(cls).parameters.items()
            if k not in ("name", "reduction", "dtype")
        }
        for cls in (L.SoftJaccardLoss, L.SoftDiceLoss, L.CEJaccardLoss, L.LovaszSoftmaxLoss)
    }
    assert params == {
        L.SoftJaccardLoss: {"pooled": False, "smooth": None, "ignore_index": None},
        L.SoftDiceLoss: {"smooth": 0.0, "ignore_index": None},
        L.CEJaccardLoss: {"alpha": 0.5, "ignore_index": None},
        L.LovaszSoftmaxLoss: {"ignore_index": None},
    }
    for fn in (L.soft_jaccard_loss, L.soft_dice_loss, L.lovasz_softmax_loss):
        assert keras.saving.get_registered_name(fn) == f"iou_lab>{fn.__name__}"
    assert isinstance(L.ce_jaccard_loss(0.5), L.CEJaccardLoss)


def test_loss_classes_refuse_sample_weight_with_a_fix():
    lab, y = _truth()
    with pytest.raises(ValueError, match="ignore_index"):
        L.SoftJaccardLoss()(lab, y, sample_weight=np.ones(3, np.float32))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_one_sigmoid_channel_scores_the_foreground(name):
    rng = np.random.default_rng(0)
    y = (rng.random((3, 8, 8, 1)) < 0.3).astype(np.float32)
    p = np.clip(0.5 * y + 0.5 * rng.random(y.shape), 0.01, 0.99).astype(np.float32)
    inter, size_y, size_p = (y * p).sum(), y.sum(), p.sum()
    jaccard = 1 - inter / (size_y + size_p - inter)
    bce = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    expected = {
        "jaccard": jaccard,
        "jaccard_pooled": 1 - (inter + 1) / (size_y + size_p - inter + 1),  # the foreground alone, + 1
        "dice": 1 - 2 * inter / (size_y + size_p),
        "ce_jaccard": 0.5 * bce + 0.5 * jaccard,  # cross-entropy over [1 - p, p] is the binary one
    }
    if name == "lovasz":  # on hard predictions the Lovasz extension is 1 - the foreground IoU
        hard = (p >= 0.5).astype(np.float32)
        fg_iou = (y * hard).sum() / np.maximum(y, hard).sum()
        assert float(FUNCTIONS[name](y, hard)) == pytest.approx(1 - fg_iou, abs=1e-6)
    else:
        assert float(FUNCTIONS[name](y, p)) == pytest.approx(expected[name], abs=1e-5)
    assert float(FUNCTIONS[name](y[..., 0], p)) == pytest.approx(float(FUNCTIONS[name](y, p)), abs=1e-7)
    xla = tf.function(lambda t, q: FUNCTIONS[name](t, q), jit_compile=True)  # what Keras compiles on a GPU
    assert float(xla(tf.constant(y), tf.constant(p))) == pytest.approx(float(FUNCTIONS[name](y, p)), abs=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="mask // 255"):
        FUNCTIONS[name](y * 255, p)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_0_255_one_hot_masks_and_logits_are_errors_not_numbers(name):
    lab, y = _truth()
    one_hot = np.eye(C, dtype=np.float32)[lab]
    with pytest.raises(tf.errors.InvalidArgumentError, match="mask / 255"):
        FUNCTIONS[name](one_hot * 255, y)  # was -253.6 for the soft Jaccard loss, without a word
    with pytest.raises(tf.errors.InvalidArgumentError, match="probabilities in \\[0, 1\\]"):
        FUNCTIONS[name](lab, np.log(y + 1e-3))  # logits
    xla = tf.function(lambda t, p: FUNCTIONS[name](t, p), jit_compile=True)
    assert np.isnan(float(xla(tf.constant(lab), tf.constant(np.log(y + 1e-3)))))  # under XLA: NaN, never a number
