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
# # 07 · Is my IoU right? Your metric, your data
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/07_your_metric_your_data.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/07_your_metric_your_data.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/07_your_metric_your_data.ipynb)
#
# The question behind this course, "is my IoU function right?", comes back with every new function.
# Notebook 01 answered it for one metric, by hand. Here you answer it for **any** metric or loss in
# one call, and then take the course from our 64×64 shapes to **your own data** at the question's
# 224×224: a folder of images and masks, read by `tf.data`, scored batch by batch, and reported
# with the checklist of notebook 06.
#
# **You will learn to**
# - audit a metric or a loss with `helpers.audit`, and read its report: what each finding means and
#   how to fix it;
# - recognise the findings of the question's metric and loss, and of Keras's `MeanIoU` misused on
#   one-hot masks;
# - load a folder of images and masks (class indices or colours, with a void label) into `tf.data`
#   at 224×224 with `(224, 224, 5)` one-hot masks, like the question's;
# - stream it through `StreamingMeanIoU` and write the evaluation report with its checklist.
#
# **Prerequisites:** notebooks 01, 03, 06. **Time:** about 30 minutes.

# %% jupyter={"source_hidden": true}
# @title Set-up (run me first) { display-mode: "form" }
# Makes the course's `helpers` importable: from the repository around this notebook, else (Colab, Kaggle, any
# other Jupyter) from a copy of the version this notebook was built from, downloaded once. Installs nothing.
import io, os, sys, urllib.request, zipfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # oneDNN on, as in the seed study (results still vary by CPU)
REPO_URL, COMMIT = "https://github.com/iou-lab/iou-lab", "dfa04e6cc95543df63b7b4ebaf89028c497d886b"  # written by the build
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

import keras
import numpy as np
import tensorflow as tf
from IPython.display import Markdown, display

from helpers.course.data import CLASS_NAMES
from helpers import folder_data as F
from helpers.course.folder_demo import stand_in_predictions, write_shapes_folder
from helpers import metrics as M
from helpers.audit import audit_loss, audit_metric
from helpers.course.buggy import iou_loss, mean_iou
from helpers.course.data import data_dir
from helpers.keras.metrics import StreamingMeanIoU, batch_mean_iou
from helpers.keras.losses import soft_jaccard_loss
from helpers.plotting import plot_per_class_iou, show_masks
from helpers.report import evaluation_report
from helpers.stats import per_image_confusion_matrices

# %% [markdown]
# ## 1. One call: `audit_metric`
#
# `audit_metric(metric, num_classes=5)` feeds a metric small inputs whose answers are known, the way
# Keras feeds it (`y_true` one-hot float32 `(B, H, W, C)`, `y_pred` softmax probabilities): a perfect,
# an all-wrong and a uniform prediction; a batch of discs, diagonal bands, a small object and strips, at
# three confidences; classes absent from truth and prediction; the same images as one batch and as
# batches of 3 + 1. Every value is compared with the **dataset-level IoU** of the batch (one confusion
# matrix, absent classes left out), and a value off it is always a finding. The audit then looks for the
# one known way of computing "an IoU" that gives every value it saw (Dice, per image, all classes pooled,
# probabilities instead of the argmax, `+ 1` smoothing ...) and names each way it departs from the
# reference once, with its fix: **one root cause, one finding**. It takes a function (TensorFlow or NumPy
# code) or a Keras metric object; `binary=True` audits a model with one sigmoid channel.
#
# First, the question's `mean_iou`, as posted:

# %% tags=["nbval-check-output"]
report = audit_metric(mean_iou, num_classes=5)
print(report)

# %%
report  # the same report as a table (Jupyter shows its HTML); report.findings and report.checks hold the data

# %% [markdown]
# **Reading the report.** Under the title, the ℹ line says what the metric computes, in the audit's
# words; then one finding per root cause, the bugs that notebook 01 took a section each to find:
#
# - `constant_output` (bug 1): a perfect, an all-wrong and a uniform prediction all score the same (the
#   three values on the first check). Casting to `int32` *before* rounding truncates every probability
#   below 1 to 0, so the metric never sees the prediction. Bug 2 (rounding each channel instead of the
#   argmax) hides behind it: with every probability cast to 0, there is nothing left to round.
# - `wrong_value` (bug 3): summing over `axis=[1]` only scores every (image, column, class) on its own.
#   The ℹ line names it ("counted per (image, column)"), but no finding code is reserved for so rare a
#   mistake, so it gets the generic code, with a hint that says where it departs.
# - `absent_class_as_one` (bug 4): the `+ 1` smoothing scores a class absent from a column as 1.
# - `batch_dependent` (bug 5): one number per batch, which Keras averages over batches.
#
# Every ❌ line below the findings is a value off the reference, with the finding that explains it: the
# audit never passes a value it cannot explain.
#
# ## 2. Keras's own `MeanIoU`, misused
#
# `keras.metrics.MeanIoU(num_classes=5)` expects **label maps**. Fed the question's one-hot masks and
# softmax outputs (notebook 03's trap), it reads each 0/1 channel value as a label:

# %% tags=["nbval-check-output"]
print(audit_metric(keras.metrics.MeanIoU(num_classes=5), num_classes=5))

# %% [markdown]
# `constant_output` again, for a different reason: the probabilities are cast to integer labels (all 0),
# and the one-hot truth is read as labels 0 and 1; the hint names the flags that fix it. Keras's metrics
# are objects:
# the audit resets, updates and reads them (`reset_state`, `update_state`, `result`). The right metric
# for one-hot masks, and the course's own, pass; the course's function metric `batch_mean_iou` is
# flagged only for the lesson of notebook 03:

# %% tags=["nbval-check-output"]
candidates = {
    "keras.metrics.OneHotMeanIoU(num_classes=5)": keras.metrics.OneHotMeanIoU(num_classes=5),
    "keras.metrics.MeanIoU(5, sparse_y_true=False, sparse_y_pred=False)":
        keras.metrics.MeanIoU(num_classes=5, sparse_y_true=False, sparse_y_pred=False),
    "helpers.keras.metrics.StreamingMeanIoU(num_classes=5)": StreamingMeanIoU(num_classes=5),
    "helpers.keras.metrics.batch_mean_iou": batch_mean_iou,
}
for name, candidate in candidates.items():
    r = audit_metric(candidate, num_classes=5)
    print(f"{name:68s} {'passed' if r.passed else 'findings: ' + ', '.join(r.findings)}")

# %% [markdown]
# `batch_mean_iou` is a correct IoU *of one batch*; as a function metric, Keras reports the mean over
# batches, which moves with the batch size. That is why a streaming metric, one confusion matrix over
# all batches, is what you compile with.
#
# ## 3. Losses: `audit_loss`
#
# A loss is audited differently: it must have a gradient on soft predictions, be lowest at the exact
# truth, react to *which* class the errors fall in, stay finite on exact 0/1 predictions and absent
# classes, and give float32's value on float16 inputs of a realistic size. The question's `iou_loss`:

# %% tags=["nbval-check-output"]
print(audit_loss(iou_loss, num_classes=5))
print()
print("soft_jaccard_loss:", "passed" if audit_loss(soft_jaccard_loss, num_classes=5).passed else "findings")

# %% [markdown]
# `pixel_weighted`: moving errors from the background to a small class leaves the question's loss
# unchanged (the two values of that line). It pools every pixel of every class into one IoU, so it is
# a function of pixel accuracy alone (notebook 04), and on imbalanced data the cheapest way to lower
# it is to predict background. The per-class soft Jaccard loss passes.
#
# ## 4. Your own metric
#
# Paste your metric into the next cell, replacing ours, and run it. Until you do, it holds a version
# seen in many tutorials: argmax, sums over height and width, and a tiny `smooth` "against division
# by zero". For a metric that takes label maps pass `y_true="labels"`; for a void label,
# `ignore_index=255`; for a loss, `audit_loss`. From a terminal:
# `python -m helpers.audit path/to/your_file.py:your_function` prints the same report.

# %% tags=["nbval-check-output"]
def my_mean_iou(y_true, y_pred, smooth=1e-6):
    y_pred = tf.one_hot(tf.argmax(y_pred, axis=-1), 5)
    intersection = tf.reduce_sum(y_true * y_pred, axis=[1, 2])
    union = tf.reduce_sum(y_true, axis=[1, 2]) + tf.reduce_sum(y_pred, axis=[1, 2]) - intersection
    return tf.reduce_mean((intersection + smooth) / (union + smooth))


print(audit_metric(my_mean_iou, num_classes=5))

# %% [markdown]
# Argmax, IoU (not Dice), one IoU per class: right. Three findings remain:
#
# - `per_image_not_dataset`: summing over `axis=[1, 2]` gives one IoU per image and class, and
#   `reduce_mean` then averages images: a small object weighs as much as a large one. That is the
#   *mean per-image IoU*, a different quantity from the dataset's IoU (notebook 06 reports both, under
#   those names); if it is the one you want, say so with `expect="per_image"` and the audit turns the
#   finding into a note.
# - `absent_class_as_one`: `smooth` turns a class absent from an image into `(0 + 1e-6) / (0 + 1e-6) = 1`,
#   a reward for nothing that lifts the score of every image that lacks a class.
# - `batch_dependent`: one number per batch, which Keras averages (notebook 03).
#
# Exercise 1 fixes the first two.
#
# ## 5. Your data: a folder of images and masks
#
# Most segmentation datasets come as two folders, one mask per image with the same file name:
#
# ```
# my_data/
#     images/   0001.jpg  0002.jpg ...     PNG or JPEG, any size
#     masks/    0001.png  0002.png ...     PNG: class indices 0..C-1 (255 = void), or colours
# ```
#
# To run offline, the course writes such a folder itself: its shapes rendered at 224×224, with a
# **void ring** of 3 pixels around every object (label 255), like the border of the Oxford-IIIT Pet
# trimaps. To use your own data, set `DATA_DIR = Path("path/to/my_data")` and skip `write_shapes_folder`.

# %% tags=["nbval-check-output"]
DATA_DIR = data_dir() / "cache" / "shapes_folder_224"  # the course's data/cache/ (git-ignored); rewritten each run
BAND = 3  # width of the void ring around objects, in pixels
write_shapes_folder(DATA_DIR, n=16, band=BAND)
for sub in ("images", "masks"):
    names = sorted(p.name for p in (DATA_DIR / sub).iterdir())
    print(f"{sub}/: {len(names)} files, {names[0]} ... {names[-1]}")
print("classes.txt:", ", ".join((DATA_DIR / "classes.txt").read_text().split()))

# %% [markdown]
# `load_folder` pairs the files by name, decodes them, resizes images bilinearly and masks by nearest
# neighbour to 224×224 (a mask must never be interpolated: the mean of labels 1 and 3 is not class 2),
# and turns masks into the question's one-hot format; a void pixel becomes an all-zero row. Colour masks
# (e.g. Pascal VOC's) take `palette=[...]`; masks with other codes take `label_map={...}`.

# %% tags=["nbval-check-output"]
dataset = F.load_folder(DATA_DIR, num_classes=5, size=224, batch_size=8)
images_spec, masks_spec = dataset.element_spec
print("images:", images_spec.shape, images_spec.dtype.name)
print("masks: ", masks_spec.shape, masks_spec.dtype.name)

# %%
images, masks = next(iter(dataset))
labels = np.where(masks.numpy().sum(-1) == 0, 255, masks.numpy().argmax(-1))  # back to labels, for a picture
show_masks(images[0].numpy(), labels[0], class_names=CLASS_NAMES, title="One image of the folder; void pixels in white")

# %% [markdown]
# ## 6. Streaming the data through `StreamingMeanIoU`
#
# A real dataset does not fit in memory: we score it batch by batch, accumulating one confusion matrix.
# **A model to evaluate.** Training a 224×224 model does not fit in this notebook's minute, so the
# predictions below come from a **stand-in**: `stand_in_predictions` takes the *true* mask, shifts it
# by 2 pixels, blurs it and adds noise, then applies a softmax. It is not a model and its scores say
# nothing about any network; it errs where real models err most (object borders, thin lines), which
# makes the evaluation worth reading. With your model, replace that one line by
# `probs = model.predict_on_batch(images)`.

# %% tags=["nbval-check-output"]
SHIFT = 2  # how far the stand-in shifts the truth, in pixels
metric = StreamingMeanIoU(num_classes=5, ignore_index=255)
kept_true, kept_pred = [], []  # only for the cross-check below; skip them on data that does not fit in memory
for step, (images, masks) in enumerate(dataset):
    probs = stand_in_predictions(masks.numpy(), shift=SHIFT, seed=step)  # yours: model.predict_on_batch(images)
    metric.update_state(masks, probs)
    kept_true.append(np.where(masks.numpy().sum(-1) == 0, 255, masks.numpy().argmax(-1)))
    kept_pred.append(probs.argmax(-1))

cm = metric.confusion_matrix().numpy()
streamed = float(metric.result())
reference = M.mean_iou(np.concatenate(kept_true), np.concatenate(kept_pred), num_classes=5, ignore_index=255)
print(f"{cm.sum():,} pixels scored, void left out; streamed mean IoU {streamed:.4f}, "
      f"NumPy reference on all labels at once {reference:.4f}")
assert abs(streamed - reference) < 1e-6

# %%
plot_per_class_iou(metric.per_class_iou().numpy(), class_names=CLASS_NAMES,
                   title="Per-class IoU of the stand-in predictions on the shapes folder")

# %% [markdown]
# ## 7. The report, written by a function
#
# `evaluation_report` fills in notebook 06's checklist: every number comes from the confusion matrix,
# and everything a matrix cannot know (data, model, void convention, how predictions were made, which
# code counted, how many training runs) you state in words. An item you leave out reads **not stated**,
# so a gap shows. Given one confusion matrix per image as well, it adds a 95 % bootstrap interval over
# the images to every IoU (notebook 06, section 2): with 16 images, a wide one.

# %% tags=["nbval-check-output"]
text = evaluation_report(
    cm,
    class_names=CLASS_NAMES,
    data="16 synthetic shapes images written by helpers.folder_data (seed 7, 224x224), never used for training",
    model=f"stand-in predictions (the true mask shifted by {SHIFT} pixels, blurred, noisy), not a trained network",
    void=f"label 255: a {BAND}-pixel ring around every object, left out of every count",
    predictions="argmax of the softmax, at 224x224 (the masks' resolution)",
    implementation="helpers.keras.metrics.StreamingMeanIoU(ignore_index=255), streamed over tf.data in batches of 8",
    cross_check=("helpers.metrics.mean_iou on all labels at once", reference),
    per_image_confusion=per_image_confusion_matrices(np.concatenate(kept_true), np.concatenate(kept_pred),
                                                     num_classes=5, ignore_index=255),
    training_runs="none: stand-in predictions, no model was trained",
)
print(text)
_ = (DATA_DIR.parent / "shapes_folder_224_report.md").write_text(text)  # next to the data, to paste anywhere

# %%
display(Markdown(text))

# %% [markdown]
# Read it as in notebook 06: the mean hides a weak class. The line class scores far below the others
# (the table): the stand-in's blur and shift cost a line only a few pixels wide a large share of its
# pixels, and a large shape only a strip along its border. Pixel accuracy, the highest
# number in the report, hides it completely, because lines are under 1 % of the pixels.

# %% [markdown]
# ## 8. Optional, on Colab: a real dataset
#
# **Optional. Runs on Google Colab only** (it downloads Oxford-IIIT Pet, several hundred megabytes,
# through `tensorflow_datasets`): the same evaluation on the first 64 test images, two classes (background,
# pet) with the trimap's border as void. Anywhere else the cell says it skipped itself; set
# `RUN_PET = True` to try it where `tensorflow_datasets` and the network are available.

# %%
RUN_PET = "google.colab" in sys.modules
if not RUN_PET:
    print("Skipped: not on Colab. Set RUN_PET = True to run it here (needs tensorflow_datasets and the network).")
else:
    pets, message = F.load_oxford_pet("test[:64]", size=224, batch_size=8)
    if pets is None:
        print("Skipped:", message)
    else:
        pet_metric = StreamingMeanIoU(num_classes=2, ignore_index=255)
        for step, (images, masks) in enumerate(pets):
            pet_metric.update_state(masks, stand_in_predictions(masks.numpy(), seed=step))
        display(Markdown(evaluation_report(
            pet_metric.confusion_matrix().numpy(), class_names=F.PET_CLASS_NAMES,
            data=f"{message}: the first 64 test images", model="stand-in predictions, not a trained network",
            void="the trimap's border (value 3) as label 255, left out", predictions="argmax, at 224x224",
            implementation="helpers.keras.metrics.StreamingMeanIoU(ignore_index=255) over tf.data")))

# %% [markdown]
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_07.py` (try first!).
#
# **Exercise 1.** Fix `my_mean_iou` of section 4: write `fixed_mean_iou(y_true, y_pred)` in TensorFlow
# (so Keras can compile it) that computes the dataset-level mean IoU of the batch it is given: the audit
# may then find only `batch_dependent`, which every function metric that returns one number per batch
# has (section 2). The check runs `audit_metric` on it.

# %%
from helpers.course.checks.nb07 import check_fixed_metric, check_palette_to_labels


def fixed_mean_iou(y_true, y_pred):
    ...  # your code here
    raise NotImplementedError


check_fixed_metric(fixed_mean_iou)

# %% [markdown]
# **Exercise 2.** Colour masks: write `palette_to_labels(mask, palette, void_colour)`. `mask` is an RGB
# array `(H, W, 3)`; a pixel of colour `palette[k]` is class `k`, a pixel of `void_colour` gets 255, and
# any other colour raises `ValueError` (a wrong palette must not be scored silently).

# %%
def palette_to_labels(mask, palette, void_colour):
    ...  # your code here
    raise NotImplementedError


check_palette_to_labels(palette_to_labels)

# %% [markdown]
# ## Summary
#
# - `audit_metric` and `audit_loss` answer "is my IoU right?" for any function or Keras metric in one
#   call, with one finding per defect and the fix for each; `python -m helpers.audit file.py:name`
#   does it from a terminal.
# - The question's metric: `constant_output`, `wrong_value` (per column), `absent_class_as_one` and
#   `batch_dependent`; its loss: `pixel_weighted`. Keras's `MeanIoU` on one-hot masks: `constant_output`.
#   `OneHotMeanIoU` and `StreamingMeanIoU` pass. A mean of per-image IoUs is `per_image_not_dataset`:
#   a different quantity, fine when declared (`expect="per_image"`), wrong when reported as the dataset's.
# - A folder of images and masks goes into `tf.data` at 224×224 with one-hot masks; void pixels become
#   all-zero rows that `StreamingMeanIoU(..., ignore_index=255)` leaves out.
# - Score batch by batch with one confusion matrix, cross-check once, and let a function write the
#   report, so every number in it comes from the counts and every convention is stated.
