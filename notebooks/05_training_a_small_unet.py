# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · Training a small UNet with five losses
#
# Time to train. We take a small UNet and the synthetic shapes dataset, and train it five times from
# the same seed and data, changing only the recipe: first the question's exact recipe, then four
# standard alternatives. Every run logs three numbers side by side: pixel accuracy, the question's
# `mean_iou`, and the true dataset-level mean IoU (`StreamingMeanIoU`).
#
# **You will learn to**
# - train a segmentation model with cross-entropy, soft Jaccard, CE + Jaccard and Lovász-softmax;
# - see what the question's pooled `iou_loss` does to a model on imbalanced data, and why accuracy
#   and the buggy metric did not tell;
# - answer the asker's follow-up, "should I monitor cross-entropy or IoU?", with evidence.
#
# **Prerequisites:** notebooks 01–04. **Time:** about 30 minutes, of which about 5 are training on a
# laptop CPU (much less on a Colab GPU: the same code runs unchanged).

# %%
# Set-up (run me first). In JupyterLab this only makes `helpers` importable; on Google Colab it also
# fetches the course once. It never installs packages: Colab's own TensorFlow, Keras and ipywidgets run.
import os, sys, subprocess
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
REPO_URL = "https://github.com/iou-lab/iou-lab"
if "google.colab" in sys.modules:
    if not os.path.isdir("/content/iou-lab"):
        subprocess.run(["git", "clone", "--depth", "1", REPO_URL, "/content/iou-lab"], check=True)
    os.chdir("/content/iou-lab/notebooks")
    sys.path.insert(0, "/content/iou-lab")
else:
    try:
        import helpers  # installed by `make lab` / `pip install -e .`
    except ImportError:
        sys.path.insert(0, os.path.abspath(".."))  # running from notebooks/ without installing
from helpers.runtime import import_tensorflow_quietly
_ = import_tensorflow_quietly()  # TensorFlow's start-up banner would otherwise fill a cell's output

# %%
import numpy as np
import keras

from helpers import CLASS_NAMES
from helpers.data import class_frequencies, load_shapes
from helpers.model import build_unet
from helpers.plotting import plot_history, plot_per_class_iou, show_gallery
from helpers.training import (RECIPES, UNET, evaluate_model, load_training_data, save_model_weights,
                              train_recipe)

# %% [markdown]
# ## 1. The data
#
# The shapes dataset has 1,000 training, 250 validation and 250 test images of 64 × 64 pixels, with
# five classes: background, disc, square, triangle and a thin line. A class is a **shape**, not a
# colour: every shape gets a random colour on a textured background, so the model must learn
# geometry. Like real segmentation data, it is imbalanced:

# %% tags=["nbval-check-output"]
x_train, y_train, x_val, y_val = load_training_data()          # one-hot masks, as in the question
x_test, m_test = load_shapes("test")                            # integer masks for evaluation
print(f"train {x_train.shape} masks {y_train.shape}; val {x_val.shape}; test {x_test.shape}")
freq = class_frequencies(y_train.argmax(-1))
for name, f in zip(CLASS_NAMES, freq):
    print(f"{name:10s} {100 * f:5.1f} % of training pixels")
assert freq[0] > 0.8 and freq.min() < 0.05

# %%
show_gallery(x_train, y_train.argmax(-1), n=4, title="Training images and their masks")

# %% [markdown]
# ## 2. The model
#
# `helpers.model.build_unet` builds a small UNet: an encoder of three levels (two 3 × 3 convolutions
# and max pooling each), a bottleneck, a decoder that upsamples and concatenates the encoder's
# features (the skip connections), and the question's head: `Conv2D(5, 1, activation="softmax")`.

# %% tags=["nbval-check-output"]
model = build_unet(num_classes=5, **UNET)
print(f"{model.name}: input {model.input_shape}, output {model.output_shape}, "
      f"{model.count_params():,} parameters")

# %% [markdown]
# ## 3. Five recipes
#
# All runs start from the same seed and data, with the same batch size (8) and number of epochs.
#
# | recipe | loss | optimizer |
# | --- | --- | --- |
# | (a) the question's | pooled `iou_loss` (one IoU over all classes and pixels) | `Adam(learning_rate=0.003, clipvalue=0.7)` |
# | (b) | categorical cross-entropy | Adam, 0.003 with cosine decay |
# | (c) | per-class soft Jaccard over present classes | same |
# | (d) | 0.5 × cross-entropy + 0.5 × per-class soft Jaccard | same |
# | (e) | Lovász-softmax, **fine-tuning** the weights of (b) for a few epochs | Adam, 0.001 with cosine decay |
#
# Why fine-tune for (e)? Lovász-softmax is a piecewise-linear surrogate of IoU: near a random
# initialisation, where every pixel is wrong, its gradient is spread thinly over the sorted errors
# and training starts slowly. Berman et al. (2018) report their best results by training with
# cross-entropy first and fine-tuning with Lovász-softmax, and we follow them: (e) is "(b), then
# Lovász", and its time counts on top of (b)'s.
#
# Each run logs `accuracy` (pixel accuracy), `question_mean_iou` (the buggy metric) and `mean_iou`
# (`StreamingMeanIoU`), on training batches and on the validation split (`val_...`).

# %%
results = {}
results["a"] = train_recipe("a", (x_train, y_train, x_val, y_val))

# %%
results["b"] = train_recipe("b", (x_train, y_train, x_val, y_val))

# %%
results["c"] = train_recipe("c", (x_train, y_train, x_val, y_val))

# %%
results["d"] = train_recipe("d", (x_train, y_train, x_val, y_val))

# %%
results["e"] = train_recipe("e", (x_train, y_train, x_val, y_val), init_weights=results["b"].model.get_weights())

# keep the trained weights for notebook 06 (data/cache/, ignored by git; 06 retrains if they are missing)
for key, result in results.items():
    save_model_weights(result.model, key)

# %% [markdown]
# ## 4. Training curves
#
# Solid lines: training batches; dashed: validation. Losses of different recipes are on different
# scales, so compare their *shapes*, and compare the recipes on the metrics.

# %%
histories = {RECIPES[k].label: r.history for k, r in results.items()}
plot_history(histories, metrics=("loss", "mean_iou", "accuracy", "question_mean_iou"),
             title="Five recipes, same model, seed and data")

# %% [markdown]
# ## 5. The held-out test split
#
# The numbers that count come from data the models never saw, computed with the NumPy reference from
# the predicted label maps: dataset-level mean IoU, per-image mean IoU, pixel accuracy, and the
# question's metric (as Keras would report it: its mean over batches).

# %%
test = {key: evaluate_model(r.model, x_test, m_test) for key, r in results.items()}
print(f"{'recipe':52s} {'mean IoU':>8s} {'per-image':>9s} {'accuracy':>8s} {'question':>8s}")
for key, t in test.items():
    print(f"{RECIPES[key].label:52s} {t['mean_iou']:8.3f} {t['per_image_mean_iou']:9.3f} "
          f"{t['pixel_accuracy']:8.3f} {t['question_mean_iou']:8.3f}")
best = max(test, key=lambda k: test[k]["mean_iou"])
print(f"best test mean IoU: {RECIPES[best].label}")

# %% [markdown]
# Two claims, checked on these numbers (the assertions fail if training ever stops supporting them):
# the best recipe reaches a test mean IoU of at least 0.85, and the question's recipe (a) is clearly
# below it.

# %%
assert test[best]["mean_iou"] >= 0.85, test[best]["mean_iou"]
assert test["a"]["mean_iou"] < test[best]["mean_iou"] - 0.03

# %% [markdown]
# ### What each class gets
#
# The mean hides which classes a recipe gives up on:

# %%
per_class = {RECIPES[k].label: t["per_class_iou"] for k, t in test.items()}
print(f"{'recipe':52s} " + " ".join(f"{n:>10s}" for n in CLASS_NAMES))
for label, ious in per_class.items():
    print(f"{label:52s} " + " ".join(f"{v:10.3f}" for v in ious))

# %%
plot_per_class_iou(per_class, CLASS_NAMES, title="Per-class IoU on the test split")

# %%
show_gallery(x_test, m_test, test[best]["pred"], n=4, title=f"Test predictions of {RECIPES[best].label}")

# %%
show_gallery(x_test, m_test, test["a"]["pred"], n=4, title=f"Test predictions of {RECIPES['a'].label}")

# %% [markdown]
# Recipe (a) did not collapse to "all background" here: its background IoU is as good as any recipe's.
# It falls behind on the **objects**. That is what its formula predicts: the pooled loss counts
# **pixels**, not classes, and object pixels are a small share of all pixels, so getting them right
# matters little to it. The per-class losses (c) and (d) give every present class the same weight:

# %%
objects = {k: float(np.mean(t["per_class_iou"][1:])) for k, t in test.items()}
for key in test:
    print(f"{RECIPES[key].label:52s} background IoU {test[key]['per_class_iou'][0]:.3f}"
          f"   mean IoU of the 4 object classes {objects[key]:.3f}")
others = [k for k in test if k != "a"]
assert test["a"]["per_class_iou"][0] > max(test[k]["per_class_iou"][0] for k in test) - 0.01
assert objects["a"] < min(objects[k] for k in others) - 0.05

# %% [markdown]
# ## 6. What the question's metric and accuracy said
#
# Had the asker trusted the logs, could they have told these models apart? Compare how much each
# number varies across the five models:

# %%
def spread(metric):
    values = [test[k][metric] for k in test]
    return max(values) - min(values)


for metric in ("mean_iou", "pixel_accuracy", "question_mean_iou"):
    ranked = " > ".join(sorted(test, key=lambda k: -test[k][metric]))
    print(f"{metric:18s} spread across models {spread(metric):.3f}   ranking {ranked}")

# %%
assert spread("question_mean_iou") < 0.02 < 0.05 < spread("mean_iou")   # the buggy metric barely moves
assert spread("pixel_accuracy") < spread("mean_iou") / 3                # accuracy compresses the differences

# %% [markdown]
# - The question's metric is nearly the same number for every model: it barely looks at the
#   predictions (notebook 01), so its ranking is noise.
# - Pixel accuracy is high for every recipe, and its spread is a fraction of the mean IoU's: background
#   is most of every image, so accuracy compresses exactly the differences that matter (the small
#   classes). A model that lost a small class entirely would still score high accuracy.
#
# ## 7. "Should I monitor cross-entropy or IoU?"
#
# The asker's follow-up. The evidence from these runs:
#
# - **A loss value only compares epochs of one recipe.** Cross-entropy, Jaccard and Lovász losses
#   live on different scales: their values cannot rank recipes. And a loss can improve for reasons the
#   metric does not share: recipe (a)'s loss rewards pixels, not classes. Its loss went down, and its
#   mean IoU went up, but it ended below the best recipe:

# %%
loss_a = results["a"].history["val_loss"]
miou_a = results["a"].history["val_mean_iou"]
print(f"recipe (a): val loss {loss_a[0]:.3f} -> {loss_a[-1]:.3f}; val mean IoU {miou_a[0]:.3f} -> {miou_a[-1]:.3f}")
print(f"best recipe: final val mean IoU {results[best].history['val_mean_iou'][-1]:.3f}")
assert loss_a[-1] < loss_a[0]

# %% [markdown]
# - **Monitor a correct, dataset-level IoU on validation data** (`val_mean_iou` from
#   `StreamingMeanIoU`, with `mode="max"` in `ModelCheckpoint` or `EarlyStopping`), and look at
#   per-class IoU: it is what you will report, and it exposes a class the model gives up on.
# - Keep the **training loss** in view too, to see whether optimisation works at all; cross-entropy is
#   a good loss to *train* with (alone or with a Jaccard term), not a good number to *select* with.
# - **Accuracy** is not enough on imbalanced data, and a metric is only worth monitoring once it has
#   passed the tests of notebook 01 (perfect → 1, all wrong → 0, uniform → low).

# %% [markdown]
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_05.py` (try first!).
#
# **Exercise 1.** Write `best_epoch(history)`: given a Keras `History.history` dict (lists per epoch),
# return the index of the epoch you would keep, by the right number on the right data.

# %%
from helpers.checks import check_best_epoch, check_pooled_loss_from_accuracy


def best_epoch(history):
    ...  # your code here
    raise NotImplementedError


check_best_epoch(best_epoch)

# %% [markdown]
# **Exercise 2.** With one-hot targets and softmax outputs over `n` pixels, the question's pooled
# `iou_loss` depends only on the soft pixel accuracy `a` (notebook 04). Write
# `pooled_loss_from_accuracy(a, n)` that returns its value (smoothing 1, as in the question).

# %%
def pooled_loss_from_accuracy(a, n):
    ...  # your code here
    raise NotImplementedError


check_pooled_loss_from_accuracy(pooled_loss_from_accuracy)

# %% [markdown]
# ## Summary
#
# - Same model, seed and data; only the recipe changes, and the test mean IoU changes a lot.
# - The question's recipe (pooled IoU loss over all classes, background included) trains, but ends below
#   the others: as good on background, clearly worse on the objects. The pooled loss counts pixels, not
#   classes.
# - Its logs could not tell: pixel accuracy is high for every model, and the buggy metric is nearly constant.
# - Per-class losses (soft Jaccard, CE + Jaccard, Lovász) and plain cross-entropy all learn the shapes;
#   the per-class IoU table shows which classes each recipe handles best.
# - Monitor the validation mean IoU from a streaming metric; use the loss to check optimisation.
#
# **Next:** 06 — evaluating segmentation honestly.
