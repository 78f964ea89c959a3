# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · A correct IoU metric in Keras
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/03_correct_iou_in_keras.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/03_correct_iou_in_keras.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/03_correct_iou_in_keras.ipynb)
#
# Notebook 01 fixed the question's metric until it matched our NumPy reference, and notebook 02 built
# that reference from first principles. Now we bring it into Keras, where a metric is called batch
# by batch during `fit` and `evaluate`. Getting the formula right is not enough there: **how the
# batches are combined** decides which number you see.
#
# **You will learn to**
# - write IoU as a Keras function metric, and see why Keras's mean over batches is not the dataset's IoU;
# - use a **streaming** metric that accumulates one integer confusion matrix over all batches;
# - cross-check a metric against independent implementations (NumPy, Keras's `OneHotMeanIoU`, `MeanIoU`);
# - avoid two traps in Keras's own IoU metrics;
# - take home a streaming metric and a soft Jaccard loss that compile with XLA and run on any Keras backend (section 7);
# - measure a binary (one sigmoid channel) model by the IoU of its foreground, not a mean with the background (section 8).
#
# **Prerequisites:** notebooks 01, 02; Keras `compile` / `fit`. **Time:** about 30 minutes.

# %% jupyter={"source_hidden": true}
# @title Set-up (run me first) { display-mode: "form" }
# Makes the course's `helpers` importable: from the repository around this notebook, else (Colab, Kaggle, any
# other Jupyter) from a copy of the version this notebook was built from, downloaded once. Installs nothing.
import io, os, sys, urllib.request, zipfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # oneDNN on, as in the seed study (results still vary by CPU)
REPO_URL, COMMIT = "https://github.com/iou-lab/iou-lab", "63c98aff964effc6b1b370ea56090fabb8dd7d5f"  # written by the build
COURSE_DIR = next((os.path.abspath(d) for d in ("..", ".") if os.path.isfile(f"{d}/helpers/course/__init__.py")), None)
if COURSE_DIR is None:
    home = "/content" if "google.colab" in sys.modules else "/kaggle/working" if os.path.isdir("/kaggle/working") else os.path.expanduser("~/.cache")
    COURSE_DIR = os.path.join(home, "iou-lab-" + COMMIT)
    if not os.path.isfile(os.path.join(COURSE_DIR, "helpers", "course", "__init__.py")):
        print("Downloading the course (once) into", COURSE_DIR)
        try:
            zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(f"{REPO_URL}/archive/{COMMIT}.zip", timeout=120).read())).extractall(home)
        except Exception as exc:
            raise SystemExit(f"Could not download the course from {REPO_URL} (commit {COMMIT[:7]}): {exc}.\nFix: on Kaggle, turn on Internet in the notebook's settings; on Colab, check the connection and run this cell again.\nOr, anywhere: git clone {REPO_URL}, then open this notebook from its notebooks/ folder.") from None
    os.chdir(os.path.join(COURSE_DIR, "notebooks"))
sys.path.insert(0, COURSE_DIR)
from helpers.course import finish_setup; finish_setup()

# %%
import numpy as np
import tensorflow as tf
import keras

from helpers.course.data import CLASS_NAMES
from helpers import metrics as M
from helpers.course.data import load_shapes
from helpers.keras.metrics import StreamingMeanIoU, batch_mean_iou
from helpers.plotting import plot_per_class_iou

keras.utils.set_random_seed(0)

# %% [markdown]
# ## 1. Predictions to evaluate
#
# To study metrics we need fixed predictions, not a model that changes while we look at it. As in
# notebook 01, we take 64 masks of the shapes dataset and a sloppy "model": the truth shifted by two
# pixels, plus noise, through a softmax. Half of the images get a clean prediction, to make the images
# differ in difficulty as real ones do.

# %%
_, masks = load_shapes("val")
masks = masks[:64].astype(np.int64)
rng = np.random.default_rng(0)
shifted = np.roll(masks, shift=2, axis=2)
shifted[::2] = masks[::2]                                     # even images: the shift is fixed
logits = 4.0 * np.eye(5)[shifted] + rng.normal(0.0, 1.0, size=shifted.shape + (5,))
probs = tf.nn.softmax(logits).numpy().astype("float32")      # (64, 64, 64, 5), like a UNet's output
y_true = np.eye(5, dtype="float32")[masks]                   # one-hot masks, as in the question
pred_labels = probs.argmax(axis=-1)

# %% tags=["nbval-check-output"]
reference = M.mean_iou(masks, pred_labels, num_classes=5)
print(f"{len(masks)} images of {masks.shape[1]}x{masks.shape[2]} pixels, 5 classes")
print(f"reference mean IoU (NumPy, one confusion matrix over all images): {reference:.4f}")

# %% [markdown]
# Keras computes metrics on `(y_true, y_pred)` pairs that a model produces. To hand Keras exactly our
# predictions, we use a "model" that returns its input unchanged: `evaluate(probs, y_true)` then
# scores `probs` against `y_true`, batch by batch, like a real model's output.

# %%
identity = keras.Sequential([keras.Input(shape=probs.shape[1:]), keras.layers.Identity()])

# %% [markdown]
# ## 2. IoU as a function metric, and why the log disagrees with `evaluate()`
#
# `helpers.keras.metrics.batch_mean_iou(y_true, y_pred)` is a correct IoU **of one batch**: argmax on
# the class axis, one confusion matrix over the batch's pixels, IoU per class, mean over the classes
# present in that batch. On the whole data in one batch it equals the reference:

# %% tags=["nbval-check-output"]
one_batch = float(batch_mean_iou(y_true, probs))
print(f"batch_mean_iou on all 64 images at once: {one_batch:.4f}")
assert abs(one_batch - reference) < 1e-6

# %% [markdown]
# In `model.compile(metrics=[batch_mean_iou])`, Keras calls it on each batch and reports the **mean
# of the batch values**. Let us evaluate the same predictions with batch sizes 1, 8 and 64, next to
# `StreamingMeanIoU`, a metric object that keeps one confusion matrix across batches:

# %% tags=["nbval-check-output"]
identity.compile(loss="categorical_crossentropy", metrics=[batch_mean_iou, StreamingMeanIoU(num_classes=5)])
by_batch_size = {}
for batch_size in (1, 8, 64):
    result = identity.evaluate(probs, y_true, batch_size=batch_size, verbose=0, return_dict=True)
    by_batch_size[batch_size] = result
    print(f"batch size {batch_size:2d}:  function metric (mean of batches) = {result['batch_mean_iou']:.4f}"
          f"   StreamingMeanIoU = {result['mean_iou']:.4f}")

streaming = [r["mean_iou"] for r in by_batch_size.values()]
function = [r["batch_mean_iou"] for r in by_batch_size.values()]
assert max(streaming) - min(streaming) < 1e-6 and abs(streaming[0] - reference) < 1e-6
assert max(function) - min(function) > 0.05

# %% [markdown]
# The function metric moves with the batch size; the streaming metric does not, and equals the
# reference. Nothing is wrong with the function's formula: the **mean of per-batch IoUs** is simply a
# different quantity. Each batch gets the same weight, whether it holds a large disc or a few pixels
# of line, and a class missing from one batch drops out of that batch's mean. With batch size 1 it is
# the per-image mean IoU (notebook 02), here:

# %% tags=["nbval-check-output"]
per_image = M.mean_iou(masks, pred_labels, num_classes=5, per_image=True)
print(f"per-image mean IoU: {per_image:.4f}")
assert abs(per_image - by_batch_size[1]["batch_mean_iou"]) < 1e-5

# %% [markdown]
# During `fit`, the value Keras prints for a function metric is also a running mean over the epoch's
# batches, computed while the weights change. For the number you report, use a streaming metric, or
# collect all predictions and use the NumPy reference.
#
# *Seeing `val_mean_iou` in the training log disagree with `model.evaluate()` or with NumPy?* This is
# the usual cause: [troubleshooting, entry 5](../docs/troubleshooting.md#batch-average).

# %% [markdown]
# ## 3. Inside `StreamingMeanIoU`
#
# A Keras `Metric` object has state that survives between batches:
#
# - `update_state(y_true, y_pred)` takes the argmax of `y_pred` (probabilities or logits), accepts
#   `y_true` as one-hot masks, label maps `(B, H, W)` or `(B, H, W, 1)`, and **adds** this batch's
#   confusion matrix to a `(C, C)` **int64** variable (one `bincount` of `true * C + pred`);
# - `result()` computes the IoU of each class from the accumulated matrix and averages the classes
#   that are present, so it equals `helpers.metrics.mean_iou` over everything seen so far;
# - `reset_state()` zeroes the matrix (Keras does that at the start of each epoch and evaluation).
#
# Why int64? A float32 counter stops counting at $2^{24}$ (about 16.8 million): adding 1 no longer
# changes it. One epoch of 1,000 images of 224 × 224 pixels is 50 million pixels.

# %% tags=["nbval-check-output"]
counter = np.float32(2**24)
print(f"float32: 2**24 + 1 = {counter + np.float32(1):.0f}   (still 2**24)")
print(f"int64:   2**24 + 1 = {np.int64(2**24) + 1}")
print(f"pixels in 1,000 images of 224 x 224: {1000 * 224 * 224:,}")

# %% [markdown]
# The metric also gives the confusion matrix and the IoU of each class, which says more than the mean:

# %% tags=["nbval-check-output"]
metric = StreamingMeanIoU(num_classes=5)
for start in range(0, 64, 16):                       # four batches of 16
    metric.update_state(y_true[start:start + 16], probs[start:start + 16])
per_class = metric.per_class_iou().numpy()
for name, value in zip(CLASS_NAMES, per_class):
    print(f"{name:10s} IoU = {value:.4f}")
print(f"mean IoU   = {float(metric.result()):.4f}")
np.testing.assert_allclose(per_class, M.per_class_iou(masks, pred_labels, num_classes=5), atol=1e-6)
np.testing.assert_array_equal(metric.confusion_matrix().numpy(), M.confusion_matrix(masks, pred_labels, num_classes=5))

# %%
plot_per_class_iou(per_class, class_names=CLASS_NAMES, title="Per-class IoU of the sloppy model (64 images)")

# %% [markdown]
# The thin "line" class suffers most from a two-pixel shift: a shift of about its own width leaves only
# part of a thin line overlapping, while a large shape loses just a strip along its edges. A mean IoU
# alone would hide that.

# %% [markdown]
# ## 4. Cross-checks: four implementations, one number
#
# A metric you wrote yourself deserves an independent check. Keras ships IoU metrics too: for one-hot
# masks and probabilities, `keras.metrics.OneHotMeanIoU`; or `keras.metrics.MeanIoU` told that both
# inputs are dense (`sparse_y_true=False, sparse_y_pred=False`) so that it takes the argmax itself.

# %% tags=["nbval-check-output"]
def keras_result(metric_object, y_t, y_p):
    metric_object.update_state(y_t, y_p)
    return float(metric_object.result())


checks = {
    "NumPy reference (helpers.metrics)": reference,
    "StreamingMeanIoU": keras_result(StreamingMeanIoU(5), y_true, probs),
    "keras OneHotMeanIoU": keras_result(keras.metrics.OneHotMeanIoU(num_classes=5), y_true, probs),
    "keras MeanIoU(sparse flags False)": keras_result(
        keras.metrics.MeanIoU(num_classes=5, sparse_y_true=False, sparse_y_pred=False), y_true, probs),
    "keras MeanIoU on label maps": keras_result(keras.metrics.MeanIoU(num_classes=5), masks, pred_labels),
}
for name, value in checks.items():
    print(f"{name:36s} {value:.4f}")
assert max(checks.values()) - min(checks.values()) < 1e-6

# %% [markdown]
# **What a GPU runtime does.** On a machine with a GPU (Colab's GPU runtime, for example), Keras
# compiles `fit` and `evaluate` with XLA by itself: `compile(jit_compile="auto")`, the default, becomes
# `jit_compile=True` (Keras 3 keeps it off under a `tf.distribute` strategy or with op determinism
# enabled). XLA needs every array size known before it runs, and it compiles runtime checks
# away, so a metric that works eagerly can fail there, or silently count less. `jit_compile=True`
# takes the same XLA path on this CPU: the cell below evaluates `StreamingMeanIoU` exactly as a GPU
# runtime would, beside `evaluate` without XLA.

# %% tags=["nbval-check-output"]
for jit_compile in (False, True):
    identity.compile(loss="categorical_crossentropy", metrics=[StreamingMeanIoU(num_classes=5)],
                     jit_compile=jit_compile)
    value = identity.evaluate(probs, y_true, batch_size=16, verbose=0, return_dict=True)["mean_iou"]
    print(f"StreamingMeanIoU in evaluate, jit_compile={str(jit_compile):5s}: {value:.4f}")
    assert abs(value - reference) < 1e-6

# %% [markdown]
# **Integer masks and a softmax output** (the usual pair with `sparse_categorical_crossentropy`) need
# one flag, not two. `MeanIoU`'s two flags say what each input holds:
#
# | flag | `True` (default) | `False` |
# | --- | --- | --- |
# | `sparse_y_true` | `y_true` holds class ids, `(B, H, W)` or `(B, H, W, 1)` | `y_true` is one-hot `(B, H, W, C)`: Keras takes its argmax |
# | `sparse_y_pred` | `y_pred` holds class ids (you took the argmax yourself) | `y_pred` holds one score per class: Keras takes the argmax |
#
# So integer masks with probabilities take `sparse_y_pred=False` alone. With the defaults, Keras
# flattens both inputs and finds C times more predictions than labels:

# %% tags=["nbval-check-output"]
value = keras_result(keras.metrics.MeanIoU(num_classes=5, sparse_y_pred=False), masks, probs)
print(f"MeanIoU(5, sparse_y_pred=False) on integer masks and probabilities: {value:.4f}")
assert abs(value - reference) < 1e-6
try:
    keras_result(keras.metrics.MeanIoU(num_classes=5), masks, probs)
except tf.errors.InvalidArgumentError:  # "Incompatible shapes" (Keras 3.15), "Shapes of all inputs must match" (3.13)
    print("MeanIoU(5) with the default flags: InvalidArgumentError, the flattened sizes differ")

# %% [markdown]
# *Seeing "Incompatible shapes: [N] vs. [C·N]"?* [Troubleshooting, entry 2](../docs/troubleshooting.md#sparse-flags).

# %% [markdown]
# ## 5. Two traps in Keras's own metrics
#
# **Trap 1: `MeanIoU` stuck at one number while accuracy goes up: one-hot masks and probabilities.**
# `keras.metrics.MeanIoU(5)` expects
# **label maps** by default. Given one-hot truth and softmax output, it casts the probabilities to
# integers (all 0) and reads every channel value as a label: it no longer sees the model at all.

# %% tags=["nbval-check-output"]
for name, y_p in {"sloppy model": probs, "uniform": np.full_like(probs, 0.2),
                  "perfect (softmax 0.92)": 0.9 * y_true + 0.02}.items():
    value = keras_result(keras.metrics.MeanIoU(num_classes=5), y_true, y_p)
    print(f"MeanIoU(5) without sparse flags, {name:24s}: {value:.4f}")

# %% [markdown]
# One number for any model: the same failure as the question's metric. With C classes the number is
# $(C-1)/(2C)$: class 0 predicted everywhere, scored against the 0s and 1s of the one-hot mask (until
# the softmax saturates to exactly 1.0 somewhere: those pixels survive the cast, and the number moves
# with confidence, not with IoU; troubleshooting entry 1 shows 3 saturated pixels of 300). Use
# `OneHotMeanIoU`, or set the `sparse_*` flags, or pass label maps. A one-channel **sigmoid** model
# falls into the same trap with `MeanIoU(num_classes=2)` (every probability below 1 becomes class 0);
# there, `keras.metrics.BinaryIoU` thresholds first, but mind what it averages: its default
# `target_class_ids=[0, 1]` averages the background's IoU in. Section 8 shows binary models.
# *Seeing this symptom?* [Troubleshooting, entries 1 and 3](../docs/troubleshooting.md#meaniou-constant).
#
# **Trap 2: labels outside `[0, C)` are dropped silently.** Datasets often mark "void" pixels with
# 255. Keras ≥ 3.15's `MeanIoU` leaves out any label outside `[0, num_classes)` without a word. Keras
# 3.13 (as on Colab) raises an error on a CPU: it counts with `tf.scatter_nd`, whose GPU kernels ignore
# out-of-range indices, as TensorFlow documents for `tf.tensor_scatter_nd_update`, so on a GPU it drops
# them silently too. tf.keras (Keras 2, the `tf_keras` package) counts with `tf.math.confusion_matrix`,
# which asserts `labels < num_classes` and raises on a CPU and a GPU alike, except under
# `jit_compile=True`, where XLA compiles assertions away and its scatter skips out-of-range indices
# (read in the sources; tf_keras is not installed here to run it). If 255 was a real class you forgot in `num_classes`, or a bug in the data
# loader produced out-of-range labels, you will never know. With Keras ≥ 3.15 the number below is
# exactly what an explicit `ignore_index=255` gives (the cell asserts it), and no warning is shown;
# with an older Keras the cell reports the error instead:

# %%
with_void = masks.copy()
with_void[:, :8, :] = 255                                    # the top 8 rows of every mask: void
try:
    keras_value = keras_result(keras.metrics.MeanIoU(num_classes=5), with_void, pred_labels)
    print(f"keras {keras.__version__}: MeanIoU(5) with 255 labels and no ignore_class = {keras_value:.4f}")
    # the 255 pixels were silently left out: the same number as an explicit ignore_index=255
    assert abs(keras_value - M.mean_iou(with_void, pred_labels, num_classes=5, ignore_index=255)) < 1e-6
except tf.errors.InvalidArgumentError:  # Keras < 3.15 (e.g. 3.13 on Colab) still refuses, on a CPU
    print(f"keras {keras.__version__}: MeanIoU(5) raised InvalidArgumentError on the 255 labels (on a CPU)")
    assert tuple(int(v) for v in keras.__version__.split(".")[:2]) < (3, 15)

# %% tags=["nbval-check-output"]
try:
    M.mean_iou(with_void, pred_labels, num_classes=5)
except ValueError as error:
    print("helpers.metrics.mean_iou:", error)
print(f"helpers.metrics.mean_iou(..., ignore_index=255): "
      f"{M.mean_iou(with_void, pred_labels, num_classes=5, ignore_index=255):.4f}")

# %% [markdown]
# Our reference refuses such labels and says how to fix the call (above). `StreamingMeanIoU` does the
# same: void pixels need an explicit `ignore_index`, and an unexpected label stops the run with an
# `InvalidArgumentError` instead of vanishing.

# %% tags=["nbval-check-output"]
metric = StreamingMeanIoU(num_classes=5)
try:
    metric.update_state(with_void, probs)
except tf.errors.InvalidArgumentError as error:
    print("StreamingMeanIoU(5):", error.message.splitlines()[0])
metric = StreamingMeanIoU(num_classes=5, ignore_index=255)
metric.update_state(with_void, probs)
print(f"StreamingMeanIoU(5, ignore_index=255): {float(metric.result()):.4f}")

# %% [markdown]
# Under XLA (`jit_compile=True`, what a GPU runtime does) that check is compiled away. So the metric
# also counts the bad pixels in a variable of its own: its value becomes `nan` in the progress bar,
# and when Keras reads the result at the end of the epoch or evaluation, the same mistake stops the
# run with the count and the fix:

# %% tags=["nbval-check-output"]
import textwrap
identity.compile(loss="sparse_categorical_crossentropy", metrics=[StreamingMeanIoU(num_classes=5)], jit_compile=True)
try:
    identity.evaluate(probs, with_void, batch_size=16, verbose=0)
except tf.errors.InvalidArgumentError as error:
    print(textwrap.fill("StreamingMeanIoU(5) under XLA: " + error.message, width=100))
else:
    raise AssertionError("under XLA, StreamingMeanIoU accepted 255 labels without ignore_index")

# %% [markdown]
# Keras's own way to say "255 is void" is `ignore_class`: `keras.metrics.MeanIoU(C, ignore_class=255)`
# (add `sparse_y_pred=False` for probabilities). Explicit, it gives the same number on every Keras
# version, silent-dropping or not:

# %% tags=["nbval-check-output"]
keras_void = keras_result(keras.metrics.MeanIoU(num_classes=5, ignore_class=255, sparse_y_pred=False), with_void, probs)
print(f"keras MeanIoU(5, ignore_class=255, sparse_y_pred=False): {keras_void:.4f}")
assert abs(keras_void - M.mean_iou(with_void, pred_labels, num_classes=5, ignore_index=255)) < 1e-6

# %% [markdown]
# Make sure 255 really marks void first: a binary mask saved as an image is 0/255, and there 255 is
# the object. *Seeing "does not index into shape", or 255 in your masks?*
# [Troubleshooting, entries 9 and 10](../docs/troubleshooting.md#void-255).

# %% [markdown]
# ## 6. In `compile`, `fit` and `evaluate`
#
# The streaming metric is used like any Keras metric. A one-layer model trained for one epoch on the
# shapes data is enough to show the logs (notebook 05 trains a real UNet):

# %%
images, train_masks = load_shapes("train")
model = keras.Sequential([keras.Input(shape=images.shape[1:]), keras.layers.Conv2D(5, 3, padding="same", activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy", StreamingMeanIoU(num_classes=5)])
history = model.fit(images[:256], train_masks[:256], epochs=1, batch_size=32, verbose=2)

# %% [markdown]
# `history.history["mean_iou"]` then holds one dataset-level value per epoch (computed while the
# weights change during that epoch; `evaluate` on held-out data gives the number to report). It also
# works inside `tf.function`, under XLA (`jit_compile=True`, section 4) and under
# `tf.distribute.MirroredStrategy`: the confusion matrix is summed over replicas (tested in
# `tests/test_keras_metrics.py` and `tests/test_compile_matrix.py`).
#
# *A custom metric that works when called but fails in `fit`, under XLA or in `load_model`? A checkpoint
# that cannot find `val_mean_iou`?* [Troubleshooting, entries 18 to 20](../docs/troubleshooting.md#metric-name).

# %% [markdown]
# ## 7. Code to take home
#
# `take_home/iou_keras.py` (no `helpers` needed; notebook 01 showed its `batch_mean_iou` and the one-line
# `OneHotMeanIoU` answer) also has a streaming metric of its own. It is the metric of section 3 in
# fewer lines, written in `keras.ops` (so it runs on the TensorFlow, JAX and PyTorch backends) and for
# XLA: `jit_compile=True` needs every size known when the graph is built, so instead of keeping only the
# valid pixels (a size that depends on the data) it sends the others to one extra bin of a
# `segment_sum` over $C \times C + 1$ segments and drops that bin. Everything in the file is registered
# with Keras, so a saved model reloads with `keras.models.load_model(path)` after `import iou_keras`.

# %%
import importlib.util, inspect, pathlib

_spec = importlib.util.spec_from_file_location("iou_keras", pathlib.Path("..", "take_home", "iou_keras.py"))
iou_keras = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(iou_keras)                       # like `import iou_keras` after copying the file
print(inspect.getsource(iou_keras.StreamingMeanIoU.update_state))
print(inspect.getsource(iou_keras._batch_counts))
print(inspect.getsource(iou_keras._confusion_matrix))

# %% [markdown]
# And a per-class soft Jaccard loss in a dozen lines: one soft IoU per class over the whole batch,
# averaged over the classes present in the batch's truth (notebook 04 explains the soft IoU, and why
# this convention). `iou_keras.soft_jaccard_loss` is a `SoftJaccardLoss()`, used like a function; its
# core:

# %%
print(inspect.getsource(iou_keras._soft_jaccard))
print(inspect.getsource(iou_keras._mean_over_present))

# %% [markdown]
# Both in one compiled model, with XLA. The metric must agree with the NumPy reference on the model's
# predictions, the loss with `helpers.keras.losses.soft_jaccard_loss`, and the model must reload from its
# `.keras` file with no `custom_objects` (after one epoch of a one-layer model the IoU is low; what
# matters here is that the numbers agree):

# %% tags=["nbval-check-output"]
from helpers.keras.losses import soft_jaccard_loss as reference_loss

keras.utils.set_random_seed(0)
take_home_model = keras.Sequential([keras.Input(shape=images.shape[1:]),
                                    keras.layers.Conv2D(5, 3, padding="same", activation="softmax")])
take_home_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=iou_keras.soft_jaccard_loss,
                        metrics=[iou_keras.StreamingMeanIoU(num_classes=5)], jit_compile=True)
one_hot = np.eye(5, dtype="float32")[train_masks[:128]]
take_home_model.fit(images[:128], one_hot, epochs=1, batch_size=32, verbose=0)
scores = take_home_model.evaluate(images[:128], one_hot, batch_size=32, verbose=0, return_dict=True)
predicted = take_home_model.predict(images[:128], batch_size=32, verbose=0)
ref_miou = M.mean_iou(train_masks[:128], predicted.argmax(-1), num_classes=5)
ours_loss = float(iou_keras.soft_jaccard_loss(one_hot[:32], predicted[:32]))
ref_loss = float(reference_loss(one_hot[:32], predicted[:32]))
print(f"take-home StreamingMeanIoU (XLA): {scores['mean_iou']:.4f}   NumPy reference: {ref_miou:.4f}")
print(f"take-home soft Jaccard loss:      {ours_loss:.4f}   helpers.keras.losses:  {ref_loss:.4f}")
assert abs(scores["mean_iou"] - ref_miou) < 1e-5 and abs(ours_loss - ref_loss) < 1e-6
import tempfile
with tempfile.TemporaryDirectory() as tmp:
    take_home_model.save(os.path.join(tmp, "model.keras"))
    reloaded = keras.models.load_model(os.path.join(tmp, "model.keras"))  # no custom_objects
    again = reloaded.evaluate(images[:128], one_hot, batch_size=32, verbose=0, return_dict=True)
print(f"after save and load_model:        {again['mean_iou']:.4f}")
assert abs(again["mean_iou"] - scores["mean_iou"]) < 1e-6

# %% [markdown]
# `tests/test_take_home.py` checks every piece of the file the same way, including the gradients of the
# loss, void pixels (`SoftJaccardLoss(ignore_index=255)` leaves them out, with zero gradient), float16
# inputs (summed in float32) and the caveats of `OneHotMeanIoU`; `tests/test_take_home_backends.py`
# runs the file alone in an empty folder on the TensorFlow, JAX and PyTorch backends.
#
# ## 8. Binary models: one sigmoid channel
#
# Many segmentation models answer one question per pixel: object or not. They end in
# `Conv2D(1, 1, activation="sigmoid")` and are trained on 0/1 masks `(B, H, W, 1)`. Two channels with
# a softmax would do the same job (the argmax of `[1 - p, p]` is the threshold at 0.5, except at exactly
# p = 0.5, where argmax picks the background and `p >= 0.5` the object), but the one channel changes
# which metric is right:
#
# - `MeanIoU(num_classes=2)` casts the probabilities to integers (section 5): useless here.
# - `keras.metrics.BinaryIoU()` thresholds at 0.5, then **averages the IoU of the background and of the
#   object** (its default `target_class_ids=[0, 1]`). When objects are small, the background's IoU is
#   high for any model that predicts mostly background, including one that finds nothing.
# - The **foreground IoU** (`BinaryIoU(target_class_ids=[1])`, or `ForegroundIoU()` from the take-home
#   file, or `helpers.keras.metrics.ForegroundIoU`) is the IoU of the object alone. Report it, unless the
#   background really matters to you; then say that your number is the mean of both.
#
# Our binary task: "is this pixel part of any shape?" (every class but background). A model that finds
# nothing, all probabilities 0.1:

# %% tags=["nbval-check-output"]
from helpers.keras.metrics import ForegroundIoU

object_masks = (masks > 0).astype("float32")[..., None]           # (64, 64, 64, 1): 1 = any shape
finds_nothing = np.full(object_masks.shape, 0.1, "float32")
for name, metric in {"BinaryIoU() (default [0, 1])": keras.metrics.BinaryIoU(),
                     "BinaryIoU(target_class_ids=[1])": keras.metrics.BinaryIoU(target_class_ids=[1]),
                     "ForegroundIoU() (take-home)": iou_keras.ForegroundIoU()}.items():
    print(f"{name:32s} {keras_result(metric, object_masks, finds_nothing):.4f}")
background_share = float((object_masks == 0).mean())
print(f"background share {background_share:.4f}; half of it: {background_share / 2:.4f}")

# %% [markdown]
# The default `BinaryIoU` gives a model that finds nothing half the background's share, a number
# that looks like a working model's. The foreground IoU gives it 0.
#
# The take-home file has binary losses too: `BinarySoftJaccardLoss`, `BinarySoftDiceLoss` and
# `BinaryCEJaccardLoss` (cross-entropy plus Jaccard; the one to use when some images hold no object,
# since the Jaccard and Dice terms have no gradient on a batch without foreground). They score the
# foreground alone, like the metric; `helpers.keras.losses` does the same when `y_pred` has one channel.
# One epoch of a one-layer sigmoid model, with XLA, checked against the NumPy reference
# `helpers.metrics.foreground_iou` (the numbers depend on the machine's arithmetic; the cell asserts
# that the three foreground IoUs agree):

# %%
keras.utils.set_random_seed(0)
binary_model = keras.Sequential([keras.Input(shape=images.shape[1:]),
                                 keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")])
binary_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=iou_keras.BinaryCEJaccardLoss(),
                     metrics=[iou_keras.ForegroundIoU(), ForegroundIoU(name="course_foreground_iou"),
                              keras.metrics.BinaryIoU(name="binary_iou_default")], jit_compile=True)
train_objects = (train_masks[:128] > 0).astype("float32")[..., None]
binary_model.fit(images[:128], train_objects, epochs=1, batch_size=32, verbose=0)
binary_scores = binary_model.evaluate(images[:128], train_objects, batch_size=32, verbose=0, return_dict=True)
binary_reference = M.foreground_iou(train_objects.astype(int), binary_model.predict(images[:128], verbose=0))
for key in ("foreground_iou", "course_foreground_iou", "binary_iou_default"):
    print(f"{key:22s} {binary_scores[key]:.4f}")
print(f"NumPy reference foreground IoU: {binary_reference:.4f}")
assert abs(binary_scores["foreground_iou"] - binary_reference) < 1e-5
assert abs(binary_scores["course_foreground_iou"] - binary_reference) < 1e-5

# %% [markdown]
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_03.py` (try first!).
#
# **Exercise 1.** The heart of a streaming metric. Write `accumulate_confusion_matrix(cm, y_true,
# y_pred_labels)`: given the running `(C, C)` integer matrix and one batch of integer label maps,
# return the running matrix plus this batch's counts (rows true, columns predicted).

# %%
from helpers.course.checks.nb03 import check_accumulate_confusion_matrix, check_keras_metric_for_one_hot


def accumulate_confusion_matrix(cm, y_true, y_pred_labels):
    ...  # your code here
    raise NotImplementedError


check_accumulate_confusion_matrix(accumulate_confusion_matrix)

# %% [markdown]
# **Exercise 2.** Your masks are one-hot `(B, H, W, 3)` and your model outputs softmax probabilities.
# Return a **built-in Keras** metric object that reports their mean IoU correctly.

# %%
def make_metric():
    ...  # your code here: return keras.metrics.<something>(...)
    raise NotImplementedError


check_keras_metric_for_one_hot(make_metric)

# %% [markdown]
# ## Summary
#
# - A per-batch IoU function can be exactly right for each batch and still report the wrong number:
#   Keras averages batches, so the value depends on the batch size.
# - The dataset-level mean IoU needs **one confusion matrix** accumulated over all batches, in integers.
#   `StreamingMeanIoU` does that; it equals the NumPy reference whatever the batch size.
# - Cross-check: NumPy reference = `StreamingMeanIoU` = `OneHotMeanIoU` = `MeanIoU` with the right flags.
# - `MeanIoU(C)` on one-hot masks and probabilities needs `sparse_y_true=False, sparse_y_pred=False`;
#   and Keras ≥ 3.15 (older Keras too, on a GPU) silently drops out-of-range labels, so check your labels
#   or use a metric that refuses.
#
# **Next:** 04 — soft versus hard IoU: what a loss can optimise.
