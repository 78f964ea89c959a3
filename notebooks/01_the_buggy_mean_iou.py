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
# # 01 · Is this IoU right? The question's metric, bug by bug
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/01_the_buggy_mean_iou.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/01_the_buggy_mean_iou.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/01_the_buggy_mean_iou.ipynb)
#
# A learner trained a 5-class UNet (masks of shape `(224, 224, 5)`, softmax output) and asked on
# Stack Overflow whether their `mean_iou` metric and `iou_loss` were correct. The accepted answer
# explained the loss. Nobody noticed that the **metric is broken**: it gives the same number for a
# perfect, an all-wrong and a uniform prediction. In this notebook we prove that, then fix it one bug
# at a time until it agrees with a reference implementation.
#
# **You will learn to**
# - test a metric on predictions whose answer you know (perfect, all wrong, uniform);
# - spot five classic IoU bugs: cast-before-round, per-channel rounding, summing over the wrong axes,
#   smoothing on empty classes, and averaging over batches;
# - recognise two traps around the metric: `(B, H, W, 1)` labels that broadcast, and `Adam(lr=...)`;
# - take home a corrected metric and the one-line Keras answer (section 11).
#
# **Prerequisites:** NumPy, first steps in Keras. **Time:** about 30 minutes.

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

from helpers.course import buggy
from helpers import metrics as M
from helpers.course.data import CLASS_NAMES, load_shapes
from helpers.plotting import show_masks

keras.utils.set_random_seed(0)
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. The question's code
#
# This is the metric as posted (Stack Overflow question by "N.zay", January 2021, CC BY-SA 4.0;
# `helpers.course.buggy` keeps it verbatim, with our comments):
#
# ```python
# def mean_iou(y_true, y_pred):
#     y_pred = tf.round(tf.cast(y_pred, tf.int32))
#     intersect = tf.reduce_sum(tf.cast(y_true, tf.float32) * tf.cast(y_pred, tf.float32), axis=[1])
#     union = tf.reduce_sum(tf.cast(y_true, tf.float32),axis=[1]) + tf.reduce_sum(tf.cast(y_pred, tf.float32),axis=[1])
#     smooth = tf.ones(tf.shape(intersect))
#     return tf.reduce_mean((intersect + smooth) / (union - intersect + smooth))
# ```
#
# It was compiled with `metrics=['accuracy', mean_iou]`, next to a UNet whose last layer is
# `Conv2D(5, (1, 1), activation='softmax')`. It runs without an error. Does it measure IoU?

# %% [markdown]
# ## 2. Test a metric on answers you know: the same number for every model?
#
# The cheapest test of any metric: feed it predictions whose score you know. We build the question's
# setup in small: two images of 8 × 8 pixels, 5 classes, one-hot truth. Then three predictions that a
# softmax could output:
#
# - **perfect**: 0.92 on the right class, 0.02 on the others (the argmax is right everywhere: IoU 1);
# - **all wrong**: the same numbers moved to a wrong class (IoU 0);
# - **uniform**: 0.2 everywhere (a model that learned nothing).

# %%
rng = np.random.default_rng(0)
labels = rng.integers(0, 5, size=(2, 8, 8))           # integer label map: one class per pixel
y_true = np.eye(5, dtype="float32")[labels]           # one-hot masks, shape (2, 8, 8, 5)

perfect = 0.9 * y_true + 0.02                          # rows sum to 1, argmax = truth
all_wrong = np.roll(perfect, 1, axis=-1)               # argmax = the next class, always wrong
uniform = np.full_like(y_true, 0.2)
predictions = {"perfect": perfect, "all wrong": all_wrong, "uniform": uniform}
assert np.allclose(perfect.sum(axis=-1), 1.0)                  # each pixel: a probability vector

# %% tags=["nbval-check-output"]
buggy_values = {}
for name, y_pred in predictions.items():
    buggy_values[name] = float(buggy.mean_iou(y_true, y_pred))
    true_value = M.mean_iou(labels, M.to_labels(y_pred), num_classes=5)
    print(f"{name:9s}  question's mean_iou = {buggy_values[name]:.4f}   true mean IoU = {true_value:.4f}")

assert buggy_values["perfect"] == buggy_values["all wrong"] == buggy_values["uniform"]

# %% [markdown]
# Three very different predictions, one number. A metric that cannot tell a perfect model from a
# useless one tells you nothing, however long you train. (`M.mean_iou` is our reference from
# `helpers.metrics`; notebook 02 builds it from first principles.)
#
# *Seeing your own IoU metric stuck at one value while the loss goes down?* Run this test on it; the
# usual causes are in [troubleshooting, entries 1 and 4](../docs/troubleshooting.md#custom-metric-constant).
#
# Let us find out why, one line at a time.

# %% [markdown]
# ## 3. Bug 1: casting before rounding
#
# `tf.cast(y_pred, tf.int32)` **truncates** towards zero: every probability below 1.0 becomes 0.
# The `tf.round` that follows has nothing left to round.

# %% tags=["nbval-check-output"]
p = tf.constant([0.92, 0.02, 0.02, 0.02, 0.02])
print("cast, then round:", tf.round(tf.cast(p, tf.int32)).numpy())
print("round, then cast:", tf.cast(tf.round(p), tf.int32).numpy())

# %% [markdown]
# So the metric sees an **all-zero prediction** whatever the model says (with one exception, below),
# and its value depends on the truth alone. That is why the three predictions above score the same:

# %% tags=["nbval-check-output"]
nothing = np.zeros_like(y_true)
print(f"all-zero prediction: {float(buggy.mean_iou(y_true, nothing)):.4f}")
assert float(buggy.mean_iou(y_true, nothing)) == buggy_values["perfect"]

# %% [markdown]
# **The exception: a saturated softmax.** The softmax of scores 40 apart is about $1 - 4\,e^{-40}$ ($e \approx 2.718$), and the float32
# number closest to it *is* 1.0. When a
# model is very sure (with 5 classes, its score for one class exceeds the others by something between
# 16 and 19: the cell below prints the smallest such gap for the exactly rounded value, for NumPy, which
# loses each tiny term as it adds it to 1.0, and for TensorFlow), its softmax can
# return exactly 1.0, that channel survives the cast, and the metric suddenly sees the prediction. A
# prediction that is saturated and right everywhere then scores 1.0, not 0.4627. (Whether you get
# exactly 1.0 depends on the kernel: NumPy returns it for the saturated arrays below; TensorFlow's CPU
# softmax does for a single pixel, but its vectorised path for larger batches can return the float32 just
# below 1, depending on the CPU and the version.) So during training the
# question's number can jump as the model grows confident: it moves with saturation, not with IoU.

# %% tags=["nbval-check-output"]
one_pixel = tf.nn.softmax(tf.constant([40.0, 0.0, 0.0, 0.0, 0.0]))   # scores 40 apart
print("softmax:", one_pixel.numpy(), " cast to int32:", tf.cast(one_pixel, tf.int32).numpy())

z = 40.0 * y_true                                                 # a model that is sure, and right
saturated = np.exp(z - z.max(-1, keepdims=True))
saturated /= saturated.sum(-1, keepdims=True)                     # float32 softmax in NumPy
print(f"saturated and right everywhere: question's mean_iou = {float(buggy.mean_iou(y_true, saturated)):.4f}")
print(f"saturated and wrong everywhere: question's mean_iou = "
      f"{float(buggy.mean_iou(y_true, np.roll(saturated, 1, axis=-1))):.4f}")


def smallest_saturating_gap(softmax_of_first):
    """The smallest score gap (step 0.01) at which the first of 5 classes gets a probability of exactly 1.0."""
    return next(float(d) for d in np.arange(10, 30, 0.01) if softmax_of_first(np.float32(d)) == 1.0)


def numpy_softmax_of_first(d):
    e = np.exp(np.array([0.0, -d, -d, -d, -d], np.float32))
    return (e / e.sum())[0]


gaps = {"exactly rounded": smallest_saturating_gap(lambda d: np.float32(1 / (1 + 4 * np.exp(-np.float64(d))))),
        "NumPy": smallest_saturating_gap(numpy_softmax_of_first)}
print("scores this far apart give a probability of exactly 1.0 in float32:",
      ", ".join(f"{k} {v:.1f}" for k, v in gaps.items()))

# %% [markdown]
# TensorFlow's own softmax (its kernels may differ from CPU to CPU, so this cell's number is not checked):

# %%
tf_gap = smallest_saturating_gap(lambda d: tf.nn.softmax(tf.constant([d, 0.0, 0.0, 0.0, 0.0]))[0].numpy())
print(f"TensorFlow: {tf_gap:.1f}")
assert 16 < tf_gap < 19

# %% [markdown]
# `helpers.course.buggy.mean_iou_stage(y_true, y_pred, k)` applies the first `k` fixes (cumulatively) to the
# question's code, so we can watch the value move. Fix 1 swaps the two operations: round, then cast.

# %% tags=["nbval-check-output"]
def show_stage(stage):
    print(buggy.FIX_STAGES[stage])
    for name, y_pred in predictions.items():
        print(f"  {name:9s} {float(buggy.mean_iou_stage(y_true, y_pred, stage)):.4f}")


show_stage(1)

# %% [markdown]
# Now the metric reacts: the perfect prediction scores 1. It is still not an IoU: a prediction that is
# wrong everywhere should score 0, and a model that learned nothing should score close to 0.

# %% [markdown]
# ## 4. Bug 2: rounding each channel is not choosing a class
#
# Rounding treats each of the 5 channels as a separate yes/no question with threshold 0.5. A softmax
# output can have **no** channel above 0.5 (the pixel gets no class at all), and `tf.round` rounds 0.5
# to even (0), so a 50/50 pixel also gets nothing. A segmentation model predicts the class with the
# highest probability: the **argmax**.

# %% tags=["nbval-check-output"]
p = tf.constant([[0.4, 0.3, 0.1, 0.1, 0.1],
                 [0.5, 0.5, 0.0, 0.0, 0.0]])
print("rounded each channel:\n", tf.round(p).numpy())
print("argmax, one-hot:\n", tf.one_hot(tf.argmax(p, axis=-1), 5).numpy())

# %% tags=["nbval-check-output"]
show_stage(2)

# %% [markdown]
# The uniform prediction now predicts class 0 everywhere (the argmax of a tie is the first class), so
# it is right wherever the truth is background. But the all-wrong prediction still scores far above 0:
# the remaining bugs are in how pixels are added up.

# %% [markdown]
# ## 5. Bug 3: summing over the wrong axes
#
# The tensors have shape `(batch, height, width, classes)`. `reduce_sum(..., axis=[1])` adds up over
# **height only**: every (image, column, class) triple becomes its own tiny "IoU" of one column of
# pixels. The IoU of a class in an image needs the sum over height **and** width, `axis=[1, 2]`.

# %% tags=["nbval-check-output"]
a = tf.constant([[[[1.0], [0.0]],
                  [[1.0], [0.0]]]])       # (1, 2, 2, 1): class present in the left column
print("axis=[1]    keeps shape", tf.reduce_sum(a, axis=[1]).shape, "-> one count per column")
print("axis=[1, 2] keeps shape", tf.reduce_sum(a, axis=[1, 2]).shape, "-> one count per image and class")

# %% tags=["nbval-check-output"]
show_stage(3)

# %% [markdown]
# Much closer: these are now IoUs of whole classes in whole images. Yet the all-wrong prediction still
# scores above 0. The points come from the `smooth` term.

# %% [markdown]
# ## 6. Bug 4: `+ 1` smoothing on empty classes
#
# The `smooth` term adds 1 to the intersection and to the union of **every** (image, class) pair. For
# a class that is absent from both the truth and the prediction, that gives
# $\frac{0 + 1}{0 + 1} = 1$: a perfect score for a class that is not there. Small and absent classes
# are the norm in segmentation, so these free points push every score up, and they make a bad model
# look fine on mostly-background images:

# %% tags=["nbval-check-output"]
background = np.zeros((1, 8, 8, 5), "float32")
background[..., 0] = 1                         # an image that is all background
one_wrong_class = np.roll(background, 1, axis=-1) * 0.9 + 0.02   # predicts "disc" everywhere
print(f"all-background image, all-wrong prediction, fixes 1-3: "
      f"{float(buggy.mean_iou_stage(background, one_wrong_class, 3)):.4f}")
print(f"true mean IoU: {M.mean_iou(np.zeros((1, 8, 8), int), np.ones((1, 8, 8), int), num_classes=5):.4f}")

# %% [markdown]
# The fix: no smoothing, and leave a class out of an image's mean when it is absent from both truth
# and prediction (its IoU is $\frac{0}{0}$: undefined, not 1). This is the convention of Keras's
# `MeanIoU`, scikit-learn's `jaccard_score` and torchmetrics (notebook 02 compares the conventions).
# (Without smoothing *and* without leaving absent classes out, the same images give 0/0: the "IoU is
# NaN" of many training logs, [troubleshooting, entry 13](../docs/troubleshooting.md#iou-nan).)
# With this fix the metric is the **per-image mean IoU**, a legitimate number:

# %% tags=["nbval-check-output"]
show_stage(4)
for name, y_pred in predictions.items():
    per_image = M.mean_iou(labels, M.to_labels(y_pred), num_classes=5, per_image=True)
    assert abs(float(buggy.mean_iou_stage(y_true, y_pred, 4)) - per_image) < 1e-6

# %% [markdown]
# Perfect is 1, all wrong is 0. The uniform prediction (background everywhere) gets the IoU of the
# background class, averaged with zeros for the classes it never predicts.

# %% [markdown]
# ## 7. Bug 5: one number per batch, averaged
#
# Even a correct per-batch formula is not the dataset's IoU when Keras reports it: a function in
# `metrics=[...]` is computed **batch by batch**, and Keras shows the **mean of the batch values**.
# That mean weighs every batch the same and changes with the batch size. The standard definition
# (Pascal VOC, Cityscapes, Keras's own `MeanIoU`) accumulates **one confusion matrix over the whole
# dataset** and computes the IoU once. That is fix 5.
#
# To see the difference we need a more realistic example: 16 masks from the course's shapes dataset
# (background, disc, square, triangle, line) and a sloppy "model" whose predictions are the truth
# shifted by two pixels, with noise.

# %%
_, masks = load_shapes("val")
masks = masks[:16].astype(np.int64)
shifted = np.roll(masks, shift=2, axis=2)                       # everything 2 pixels to the right
logits = 4.0 * np.eye(5)[shifted] + rng.normal(0.0, 1.0, size=shifted.shape + (5,))
probs = tf.nn.softmax(logits).numpy().astype("float32")         # softmax output, like a UNet's
y_true16 = np.eye(5, dtype="float32")[masks]
pred_labels = probs.argmax(axis=-1)

fig = show_masks(None, masks[1], pred_labels[1], class_names=CLASS_NAMES, title="truth vs. the sloppy model's prediction (image 1)")
fig

# %% tags=["nbval-check-output"]
true_dataset = M.mean_iou(masks, pred_labels, num_classes=5)
true_per_image = M.mean_iou(masks, pred_labels, num_classes=5, per_image=True)
print(f"reference mean IoU, dataset level (one confusion matrix): {true_dataset:.4f}")
print(f"reference mean IoU, per image (mean over images):         {true_per_image:.4f}")

# batch averaging: what Keras would report for a per-batch metric, at three batch sizes
for batch_size in (1, 4, 16):
    values = [float(buggy.mean_iou_stage(y_true16[i:i + batch_size], probs[i:i + batch_size], 5))
              for i in range(0, 16, batch_size)]
    print(f"mean of per-batch values, batch size {batch_size:2d}:             {np.mean(values):.4f}")

# %% [markdown]
# With a batch of the whole data, the per-batch value is the dataset's IoU. With smaller batches it
# drifts: in a batch of one image, a class that the image lacks but the model predicts scores 0 for
# that image, and every image carries the same weight however many object pixels it has. Notebook 03
# builds a Keras metric that accumulates the confusion matrix across batches (`StreamingMeanIoU`), so
# the number no longer depends on the batch size. (*Seeing `val_mean_iou` disagree with `evaluate()`?*
# [Troubleshooting, entry 5](../docs/troubleshooting.md#batch-average).)

# %% [markdown]
# ## 8. All the fixes, side by side
#
# Each row adds one fix to the row above it, on the 16 masks and the sloppy model's probabilities.

# %% tags=["nbval-check-output"]
stage_values = [float(buggy.mean_iou_stage(y_true16, probs, k)) for k in range(len(buggy.FIX_STAGES))]
print(f"{'version':60s} {'value':>7s}")
for name, value in zip(buggy.FIX_STAGES, stage_values):
    print(f"{name:60s} {value:7.4f}")
print(f"{'reference: helpers.metrics.mean_iou':60s} {true_dataset:7.4f}")

assert abs(stage_values[-1] - true_dataset) < 1e-6
assert abs(stage_values[4] - true_per_image) < 1e-6

# %% [markdown]
# The value as posted has nothing to do with the model; after the five fixes the metric equals the
# reference. Note that the intermediate versions are not "closer to right": a metric is either the
# quantity you mean, or a different number.

# %% [markdown]
# ## 9. Two more traps next to the metric
#
# **Labels of shape `(B, H, W, 1)`: a number, and no error.** Many data loaders store masks as integer
# labels with a channel axis. Multiplying `(B, H, W, 1)` labels by `(B, H, W, 5)` probabilities
# **broadcasts** silently: the question's metric happily returns a number. Our reference refuses, and
# says what to do ([troubleshooting, entry 8](../docs/troubleshooting.md#channel-broadcast)):

# %% tags=["nbval-check-output"]
label_channel = masks[..., None]                                # (16, 64, 64, 1) integer labels
print(f"question's metric: {float(buggy.mean_iou(label_channel, probs)):.4f}  (no error, meaningless)")
try:
    M.mean_iou(label_channel, probs.argmax(-1)[..., None].repeat(5, axis=-1), num_classes=5)
except ValueError as error:
    print("helpers.metrics:", error)

# %% [markdown]
# **`Adam(lr=0.003)`.** The question's optimizer uses the old `lr` keyword. What it does depends on
# the version:
#
# - TensorFlow ≤ 2.10, what the asker had in January 2021: `lr` was an accepted alias of
#   `learning_rate`, so the asker did train at 0.003;
# - TensorFlow 2.11–2.15: the new optimizers logged a warning and dropped `lr`, so the same line
#   trained at the default 0.001, easy to miss in a long log;
# - Keras 3 (TensorFlow ≥ 2.16, what this course runs): a `ValueError`.
#
# Copying an old answer into a new TensorFlow can therefore change the learning rate without an error.
# Write `learning_rate=`, which every version understands:

# %% tags=["nbval-check-output"]
try:
    keras.optimizers.Adam(lr=0.003, clipvalue=0.7)
except ValueError as error:
    print("ValueError:", error)
optimizer = buggy.question_optimizer()                      # Adam(learning_rate=0.003, clipvalue=0.7)
print(f"learning_rate={float(optimizer.learning_rate):.4f}, clipvalue={optimizer.clipvalue}")

# %% [markdown]
# ## 10. What the accepted answer got right, and what it missed
#
# **Right:** it read `iou_loss` correctly. The loss flattens everything, takes the intersection as the
# sum of the element-wise product and the union as `sum + sum - intersection`, adds 1 to numerator
# and denominator against division by zero, and returns `1 - score`. That is a soft Jaccard loss.
#
# **Missed:** the metric that was supposed to tell whether training worked. As posted it cannot
# distinguish a perfect model from a useless one (section 2), so every "IoU" the asker saw during
# training was a number about the *labels*, not about the model. Also missed: the loss pools all
# classes, background included, so with one-hot targets and softmax outputs it depends only on soft
# pixel accuracy. On an imbalanced dataset that rewards confidence on the majority class: a confident
# "background everywhere" can beat a less confident prediction that finds the objects.
# Notebook 04 shows that, and notebook 05 trains the question's exact recipe to see what it does.

# %% [markdown]
# ## 11. Code to take home
#
# `take_home/iou_keras.py` holds code you can paste into your own project: it needs Keras 3 and nothing
# of this course (it is written in `keras.ops`, so it runs on the TensorFlow, JAX and PyTorch backends).
# Its `batch_mean_iou` is the question's `mean_iou` with the fixes (renamed so that Keras logs it apart
# from the dataset-level `mean_iou` of notebook 03), in four small functions: a confusion matrix
# of the batch (with static sizes, so that it also compiles with XLA), the counts of a batch (argmax of
# truth and prediction), the mean IoU from those counts, and the metric itself. (They call three small
# helpers of the same file: `_multiclass_truth`, which reads one-hot masks or label maps and counts bad
# labels, `_raise_if_bad`, which turns that count into an error with the fix, and `_nan_if`, which makes
# the value NaN where no error can be raised, under XLA.)

# %%
import importlib.util, inspect, pathlib

_spec = importlib.util.spec_from_file_location("iou_keras", pathlib.Path("..", "take_home", "iou_keras.py"))
iou_keras = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(iou_keras)                       # like `import iou_keras` after copying the file
for function in (iou_keras._confusion_matrix, iou_keras._batch_counts, iou_keras._mean_iou_from_counts,
                 iou_keras.batch_mean_iou):
    print(inspect.getsource(function))

# %% [markdown]
# Checked against the reference on the 16 masks, as a whole batch (the dataset-level value) and batch
# by batch (what `metrics=[mean_iou]` would show: the batch-averaging caveat of section 7 still holds):

# %% tags=["nbval-check-output"]
whole = float(iou_keras.batch_mean_iou(y_true16, probs))
by_batch = np.mean([float(iou_keras.batch_mean_iou(y_true16[i:i + 4], probs[i:i + 4])) for i in range(0, 16, 4)])
print(f"take-home batch_mean_iou, one batch of 16:        {whole:.4f}   reference {true_dataset:.4f}")
print(f"take-home batch_mean_iou, mean of 4 batches of 4: {by_batch:.4f}   (batch averaging, not the dataset's IoU)")
print(f"perfect {float(iou_keras.batch_mean_iou(y_true, perfect)):.4f}, all wrong "
      f"{float(iou_keras.batch_mean_iou(y_true, all_wrong)):.4f}, uniform {float(iou_keras.batch_mean_iou(y_true, uniform)):.4f}")
assert abs(whole - true_dataset) < 1e-6

# %% [markdown]
# **The one-line answer** to the question is Keras's own metric, which accumulates one confusion
# matrix over all batches of an epoch and takes the argmax of both one-hot masks and probabilities:
#
# ```python
# model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003, clipvalue=0.7),
#               loss=..., metrics=["accuracy", keras.metrics.OneHotMeanIoU(num_classes=5, name="mean_iou")])
# ```
#
# Its caveats: an all-zero one-hot row (a "void" pixel) has argmax 0, so it silently counts as
# background (use integer masks with `keras.metrics.MeanIoU(num_classes=5, ignore_class=255,
# sparse_y_pred=False)` for void pixels); the *training* value in `fit`'s log accumulates over an epoch
# while the weights change, so read the `val_` value; without `name=` it is logged as
# `one_hot_mean_io_u`. It agrees with the reference on the 16 masks:

# %% tags=["nbval-check-output"]
keras_metric = keras.metrics.OneHotMeanIoU(num_classes=5, name="mean_iou")
for i in range(0, 16, 4):                                 # four batches, as fit would feed them
    keras_metric.update_state(y_true16[i:i + 4], probs[i:i + 4])
print(f"OneHotMeanIoU over 4 batches: {float(keras_metric.result()):.4f}   reference {true_dataset:.4f}")
assert abs(float(keras_metric.result()) - true_dataset) < 1e-6

# %% [markdown]
# The same file has a streaming metric of its own, a per-class soft Jaccard loss, and the same pieces
# for binary models with one sigmoid channel (`ForegroundIoU` and three losses); notebook 03 shows them.
# `tests/test_take_home.py` checks every piece against `helpers`, also under `jit_compile=True`, and
# `tests/test_take_home_backends.py` runs the file alone in an empty folder, as your project would, on
# the TensorFlow, JAX and PyTorch backends: values, saving and reloading, void pixels, float16, bad labels.
#
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_01.py` (try first!).
#
# **Exercise 1.** Write `labels_from_probabilities(y_pred)`: from softmax probabilities of shape
# `(..., C)`, return the integer label map `(...)`, one class per pixel.

# %%
from helpers.course.checks.nb01 import check_labels_from_probabilities, check_region_sums


def labels_from_probabilities(y_pred):
    ...  # your code here (one line)
    raise NotImplementedError


check_labels_from_probabilities(labels_from_probabilities)

# %% [markdown]
# **Exercise 2.** Write `iou_per_image_and_class(y_true, y_pred)`: from one-hot arrays of shape
# `(B, H, W, C)` (predictions already one-hot), return the IoU of each class in each image, shape
# `(B, C)`, with NaN where a class is absent from both the image's truth and its prediction.

# %%
def iou_per_image_and_class(y_true, y_pred):
    ...  # your code here
    raise NotImplementedError


check_region_sums(iou_per_image_and_class)

# %% [markdown]
# ## Summary
#
# - Test a metric on predictions with a known answer: perfect (1), all wrong (0), uniform.
# - Turn probabilities into classes with **argmax**, never by casting or by rounding channels.
# - Sum over **height and width** (or over the whole dataset), not over one axis.
# - A class absent from truth and prediction has no IoU: **exclude** it; don't smooth it to 1.
# - Keras averages function metrics **over batches**; the dataset's IoU needs one confusion matrix
#   accumulated over all batches (notebook 03).
# - Check shapes: `(B, H, W, 1)` labels broadcast against `(B, H, W, C)` without an error.
# - Write `Adam(learning_rate=...)`: `lr` meant 0.003 in TF ≤ 2.10, was dropped in 2.11–2.15, raises in Keras 3.
# - To take home: `take_home/iou_keras.py` (any Keras 3 backend; binary models too), or
#   `keras.metrics.OneHotMeanIoU(num_classes=5)` in `compile`.
#
# **Next:** 02 — IoU from first principles.
