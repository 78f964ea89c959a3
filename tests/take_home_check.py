"""Run take_home/iou_keras.py as a learner's project would: alone in a folder, the course not importable.

Used by tests/test_take_home_backends.py, which copies iou_keras.py and this script into an empty
temporary folder and runs ``python take_home_check.py save`` then ``python take_home_check.py load`` in
two fresh processes, under ``KERAS_BACKEND`` = tensorflow, jax or torch. Every check compares with a
NumPy reference written here (not the module's code); a failed check raises (exit status 1).

    save: values on fixed inputs; void pixels; float16 at 8 x 224 x 224; a bad label with and without
          jit_compile; binary; fit and model.save() for every metric and loss, jit_compile on and off
    load: keras.models.load_model() of each saved model, with no custom_objects, gives the same evaluation
"""

import json
import sys

sys.modules["helpers"] = None  # the course is not there: `import helpers` raises ImportError

import iou_keras as T  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

BACKEND = keras.backend.backend()
rng = np.random.default_rng(0)


# --- NumPy references (independent of the module) ---------------------------------------------------
def ref_mean_iou(t, p, c, keep=None):
    keep = np.ones(t.shape, bool) if keep is None else keep
    cm = np.zeros((c, c), np.int64)
    np.add.at(cm, (t[keep], p[keep]), 1)
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    return float(np.mean(tp[union > 0] / union[union > 0]))


def ref_soft_jaccard(y, p):
    y, p = y.reshape(-1, y.shape[-1]).astype(np.float64), p.reshape(-1, p.shape[-1]).astype(np.float64)
    inter, sy, sp = (y * p).sum(0), y.sum(0), p.sum(0)
    present = sy > 0
    return float(np.mean(1 - inter[present] / (sy + sp - inter)[present]))


def ref_foreground_iou(y, p, threshold=0.5):
    y, h = y.astype(bool).ravel(), (p >= threshold).ravel()
    return float((y & h).sum() / (y | h).sum())


def close(a, b, tol=1e-5, what=""):
    assert abs(float(a) - float(b)) <= tol, f"{what}: {float(a)} != {float(b)} (tol {tol})"


def raises(fn, *words):
    try:
        fn()
    except Exception as e:  # ValueError eagerly; InvalidArgumentError from TensorFlow's graph check
        assert all(w in str(e) for w in words), f"message lacks {words}: {e}"
        return type(e).__name__
    raise AssertionError(f"no error; expected one naming {words}")


def gradient(fn, x):
    """d fn(x) / dx on this backend (the module is backend-agnostic; its tests need one gradient)."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        return tape.gradient(value, x).numpy()
    if BACKEND == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: fn(v))(x))
    import torch

    x = torch.tensor(x, requires_grad=True)
    fn(x).backward()
    return x.grad.numpy()


def batch(n=6, size=12, c=5):
    lab = rng.integers(0, c - 1, (n, size, size))  # class c-1 absent from the truth, present in predictions
    pred = np.where(rng.random(lab.shape) < 0.3, rng.integers(0, c, lab.shape), lab)
    probs = (0.6 * np.eye(c)[pred] + 0.4 / c).astype("float32")
    return lab, pred, np.eye(c, dtype="float32")[lab], probs


def check_values(out):
    lab, pred, y, probs = batch()
    out["mean_iou"] = float(T.batch_mean_iou(y, probs))
    close(out["mean_iou"], ref_mean_iou(lab, pred, 5), what="mean_iou, one-hot")
    close(T.batch_mean_iou(lab, probs), out["mean_iou"], what="mean_iou, label maps")
    close(T.batch_mean_iou(lab[..., None], probs), out["mean_iou"], what="mean_iou, (B, H, W, 1)")
    m = T.StreamingMeanIoU(num_classes=5)
    for i in range(0, 6, 4):  # batches of 4 and 2: the dataset's value, not a mean of batch values
        m.update_state(y[i : i + 4], probs[i : i + 4])
    close(m.result(), out["mean_iou"], what="StreamingMeanIoU over uneven batches")
    big = T.StreamingMeanIoU(num_classes=2)  # counts beyond 2**31 (one epoch of a large dataset) stay exact
    big.counts_high.assign(np.array([[2047, 0], [0, 0]], "int32"))
    big.counts_low.assign(np.array([[2**20 - 1, 0], [0, 7]], "int32"))
    big.update_state(np.zeros((1, 16, 16), "int32"), np.tile(np.float32([0.9, 0.1]), (1, 16, 16, 1)))
    high, low = (int(ops_value[0, 0]) for ops_value in (np.asarray(big.counts_high), np.asarray(big.counts_low)))
    assert high * 2**20 + low == 2**31 - 1 + 256, (high, low)
    close(big.result(), 1.0, what="no int32 wrap-around")
    out["soft_jaccard"] = float(T.soft_jaccard_loss(y, probs))
    close(out["soft_jaccard"], ref_soft_jaccard(y, probs), what="soft_jaccard_loss")
    close(T.SoftJaccardLoss()(lab, probs), out["soft_jaccard"], what="SoftJaccardLoss on label maps")
    hard = np.mean([((lab == k) & (pred == k)).sum() / ((lab == k) | (pred == k)).sum() for k in range(4)])
    close(T.soft_jaccard_loss(y, np.eye(5, dtype="float32")[pred]), 1 - hard, what="one-hot prediction: 1 - hard IoU")
    # errors that name the fix
    raises(lambda: T.batch_mean_iou(np.where(lab == 0, 7, lab), probs), "outside [0, 5)", "ignore_index")
    raises(lambda: T.soft_jaccard_loss(y * 255, probs), "divide 0/255 masks by 255")
    raises(lambda: T.soft_jaccard_loss(y, probs * 10), "probabilities in [0, 1]")
    raises(lambda: T.batch_mean_iou(y, probs[..., :1]), "ForegroundIoU")
    raises(lambda: T.StreamingMeanIoU(num_classes=5, ignore_index=3), "real class")


def check_void(out):
    lab, _, y, probs = batch(n=4)
    y = y.copy()
    y[:, :3] = 0  # three rows of every image are void: all-zero one-hot rows, as folder loaders give
    loss = T.SoftJaccardLoss(ignore_index=255)
    out["void_loss"] = float(loss(y, probs))
    close(out["void_loss"], ref_soft_jaccard(y[:, 3:], probs[:, 3:]), what="void pixels left out of the loss")
    labels = np.where(y.max(-1) > 0, lab, 255)
    close(loss(labels, probs), out["void_loss"], what="ignore_index=255 in label maps")
    grad = gradient(lambda p: loss(y, p), probs)
    assert np.all(grad[:, :3] == 0) and np.any(grad[:, 3:] != 0), "zero gradient at void pixels, only there"
    m = T.StreamingMeanIoU(num_classes=5, ignore_index=255)
    m.update_state(y, probs)
    close(m.result(), ref_mean_iou(lab, probs.argmax(-1), 5, keep=y.max(-1) > 0), what="void left out of the metric")
    raises(lambda: T.soft_jaccard_loss(y, probs), "ignore_index=255")  # void without ignore_index: loud
    raises(lambda: T.StreamingMeanIoU(num_classes=5).update_state(y, probs), "ignore_index=255")


def check_float16(out):
    lab = rng.integers(0, 5, (8, 224, 224))
    logits = rng.normal(size=(8, 224, 224, 5)) + 2 * np.eye(5)[lab]
    p32 = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype("float32")
    y = np.eye(5, dtype="float32")[lab]
    full, half = float(T.soft_jaccard_loss(y, p32)), float(T.soft_jaccard_loss(y, p32.astype("float16")))
    out["float16"] = [full, half]
    close(half, full, tol=1e-3, what="soft_jaccard_loss, float16 vs float32 at 8 x 224 x 224 x 5")
    fg = (lab == 1)[..., None].astype("float32")
    pb = p32[..., 1:2]
    for loss in (T.BinarySoftJaccardLoss(), T.BinarySoftDiceLoss(), T.BinaryCEJaccardLoss()):
        close(loss(fg, pb.astype("float16")), loss(fg, pb), tol=1e-3, what=f"{loss.name} float16")


def check_binary(out):
    y = (rng.random((4, 16, 16, 1)) < 0.2).astype("float32")
    p = np.clip(0.45 * y + 0.55 * rng.random(y.shape), 0, 1).astype("float32")
    m = T.ForegroundIoU()
    m.update_state(y[:3], p[:3])
    m.update_state(y[3:], p[3:])
    out["foreground_iou"] = float(m.result())
    close(out["foreground_iou"], ref_foreground_iou(y, p), what="ForegroundIoU")
    keras_iou = keras.metrics.IoU(num_classes=2, target_class_ids=[1])
    keras_iou.update_state(y.ravel(), (p >= 0.5).ravel())
    close(keras_iou.result(), out["foreground_iou"], what="ForegroundIoU vs keras.metrics.IoU(target_class_ids=[1])")
    nothing = np.zeros_like(p)  # a model that finds nothing: foreground IoU 0, BinaryIoU() about 0.4
    m.reset_state()
    m.update_state(y, nothing)
    both = keras.metrics.BinaryIoU()  # default target_class_ids=[0, 1]: the background averaged in
    both.update_state(y, nothing)
    out["nothing_found"] = [float(m.result()), float(both.result())]
    assert out["nothing_found"][0] == 0.0 and out["nothing_found"][1] > 0.35, out["nothing_found"]
    yp, pp = y.reshape(-1), p.reshape(-1).astype(np.float64)
    soft = (yp * pp).sum() / (yp.sum() + pp.sum() - (yp * pp).sum())
    close(T.BinarySoftJaccardLoss()(y, p), 1 - soft, what="BinarySoftJaccardLoss")
    close(T.BinarySoftDiceLoss()(y, p), 1 - 2 * (yp * pp).sum() / (yp.sum() + pp.sum()), what="BinarySoftDiceLoss")
    bce = -np.mean(yp * np.log(np.clip(pp, 1e-7, 1)) + (1 - yp) * np.log(np.clip(1 - pp, 1e-7, 1)))
    close(T.BinaryCEJaccardLoss()(y, p), 0.5 * bce + 0.5 * (1 - soft), tol=1e-4, what="BinaryCEJaccardLoss")
    close(T.BinarySoftJaccardLoss()(y[..., 0], p), 1 - soft, what="binary masks (B, H, W)")
    close(T.BinarySoftJaccardLoss()(np.zeros_like(y), p), 1.0, what="no foreground: 1.0, as helpers.keras.losses")
    raises(lambda: T.ForegroundIoU().update_state(y * 255, p), "mask // 255")
    raises(lambda: T.ForegroundIoU().update_state(y, p * 8 - 4), "probabilities in [0, 1]")  # logits
    close(T.BinarySoftJaccardLoss()(y[..., 0], p[..., 0]), 1 - soft, what="(B, H, W) masks and predictions")
    m = T.StreamingMeanIoU(num_classes=np.int64(2), ignore_index=np.uint8(255))  # NumPy integers, e.g. mask.max() + 1
    m.update_state(np.zeros((1, 2, 2), "int32"), np.tile(np.float32([0.9, 0.1]), (1, 2, 2, 1)))
    raises(lambda: T.BinarySoftJaccardLoss()(y, p * 4 - 2), "probabilities in [0, 1]")
    void = np.where(rng.random(y.shape) < 0.1, 255.0, y).astype("float32")
    keep = void != 255
    m = T.ForegroundIoU(ignore_index=255)
    m.update_state(void, p)
    close(m.result(), ref_foreground_iou(y[keep], p[keep]), what="ForegroundIoU ignore_index")
    grad = gradient(lambda q: T.BinaryCEJaccardLoss(ignore_index=255)(void, q), p)
    assert np.all(grad[~keep] == 0), "binary loss: zero gradient at void pixels"


def tiny_data(binary):
    x = np.random.default_rng(1).random((16, 16, 16, 3)).astype("float32")  # the same in both processes
    if binary:
        return x, (x[..., :1] > 0.6).astype("float32")
    lab = np.minimum((x[..., 0] * 5).astype(int), 4)
    return x, np.eye(5, dtype="float32")[lab]


def compiled(loss, metrics, binary, jit):
    keras.utils.set_random_seed(0)
    channels, activation = (1, "sigmoid") if binary else (5, "softmax")
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(channels, 1, activation=activation)])
    model.compile(optimizer="adam", loss=loss, metrics=metrics, jit_compile=jit)
    return model


RECIPES = {  # name: (binary, loss, metrics)
    "function_loss": (
        False,
        lambda: T.soft_jaccard_loss,
        lambda: [T.StreamingMeanIoU(num_classes=5), T.batch_mean_iou],
    ),
    "void_loss": (
        False,
        lambda: T.SoftJaccardLoss(ignore_index=255),
        lambda: [T.StreamingMeanIoU(5, ignore_index=255)],
    ),
    "binary_jaccard": (True, lambda: T.BinarySoftJaccardLoss(), lambda: [T.ForegroundIoU()]),
    "binary_dice": (True, lambda: T.BinarySoftDiceLoss(), lambda: [T.ForegroundIoU(threshold=0.4)]),
    "binary_ce": (True, lambda: T.BinaryCEJaccardLoss(alpha=0.3), lambda: [T.ForegroundIoU()]),
}


def check_bad_label_in_fit(out, jit):
    x, y = tiny_data(False)
    labels = y.argmax(-1)
    labels[0, 0, 0] = 9
    model = compiled(T.SoftJaccardLoss(ignore_index=255), [T.StreamingMeanIoU(5, ignore_index=255)], False, jit)
    out[f"bad_label_jit{int(jit)}"] = raises(lambda: model.evaluate(x, labels, verbose=0), "outside [0, 5)")
    loss_only = compiled(T.SoftJaccardLoss(), [], False, jit)
    if jit:  # inside XLA nothing can raise: NaN, never a normal number (torch.compile may run the check eagerly)
        try:
            value = loss_only.evaluate(x, labels, verbose=0)
        except Exception as e:
            assert "outside [0, 5)" in str(e), e
        else:
            assert np.isnan(value), f"bad label under jit_compile=True: loss {value}, not NaN"
    else:
        raises(lambda: loss_only.evaluate(x, labels, verbose=0), "outside [0, 5)")


def save(folder):
    out = {"backend": BACKEND}
    for check in (check_values, check_void, check_float16, check_binary):
        check(out)
    for jit in (False, True):
        check_bad_label_in_fit(out, jit)
        for name, (binary, loss, metrics) in RECIPES.items():
            model = compiled(loss(), metrics(), binary, jit)
            x, y = tiny_data(binary)
            model.fit(x, y, epochs=1, batch_size=8, verbose=0)
            model.save(f"{folder}/{name}_jit{int(jit)}.keras")
            out[f"{name}_jit{int(jit)}"] = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    print(json.dumps(out))


def load(folder):
    saved = json.loads(open(f"{folder}/saved.json").read())
    models = [k for k in saved if k.endswith(("_jit0", "_jit1")) and not k.startswith("bad_label")]
    assert len(models) == 2 * len(RECIPES), models
    for key in models:
        expected = saved[key]
        model = keras.models.load_model(f"{folder}/{key}.keras")  # no custom_objects
        x, y = tiny_data(RECIPES[key.rsplit("_jit", 1)[0]][0])
        got = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
        for name, value in expected.items():
            close(got[name], value, tol=1e-5, what=f"{key} reloaded: {name}")
    print(json.dumps({"reloaded": models}))


if __name__ == "__main__":
    {"save": save, "load": load}[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else ".")
