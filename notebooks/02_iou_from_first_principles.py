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
# # 02 · IoU from first principles
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/02_iou_from_first_principles.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/02_iou_from_first_principles.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/02_iou_from_first_principles.ipynb)
#
# Before we can say whether a Keras metric computes IoU correctly, we need to agree on what the right
# number *is*. This notebook builds Intersection-over-Union (IoU) up from two sets of pixels to the
# mean IoU of a multi-class segmentation, and pins down every choice a "mean IoU" hides: which classes
# are averaged, over which pixels, and at which level.
#
# **You will learn to**
# - compute the IoU of two masks by hand, and relate it to the Dice coefficient;
# - read per-class IoU and mean IoU off a confusion matrix (rows = true class, columns = predicted);
# - explain the three conventions for classes absent from an image, and why we exclude them;
# - tell a dataset-level mean IoU from a per-image one;
# - leave "void" pixels out with an ignore label, and recognise the error you get if you forget;
# - explain why pixel accuracy hides a missed small class that mean IoU exposes.
#
# No Keras here: everything runs on NumPy arrays (boolean masks, `argmax`), with our reference
# implementation in `helpers.metrics`. Notebook 01 helps but is not required.
#
# **Prerequisites:** NumPy; notebook 01 helps. **Time:** 45 to 60 minutes, with the explorers and the exercises.
#
# The explorers need a live kernel (JupyterLab or Colab). Each one is followed by a static figure
# that tells the same story, for readers on GitHub or nbviewer.

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

# %% [markdown]
# The tools we use: the NumPy reference metrics, the explorers (and the small functions behind them),
# and the plotting helpers. Every figure function returns a figure that displays itself.

# %%
import numpy as np
from sklearn.metrics import jaccard_score

from helpers.course.data import CLASS_NAMES
from helpers.metrics import confusion_matrix, mean_iou, per_class_iou, pixel_accuracy
from helpers.plotting import (LabFigure, plot_confusion_matrix, plot_per_class_iou, show_intersection_union,
                              show_masks)
from helpers.course.scenarios import (convention_batch, convention_mean_iou, convention_per_class_iou,
                                      imbalance_scenario, imbalance_stats, iou_dice_stats, toy_shape_mask)
from helpers.course.widgets import (convention_explorer, convention_explorer_static, imbalance_explorer,
                                    imbalance_explorer_static, iou_explorer, iou_explorer_static)

NUM_CLASSES = len(CLASS_NAMES)
print(NUM_CLASSES, CLASS_NAMES)

# %% [markdown]
# ## 1. The IoU of two sets of pixels
#
# Take a true mask $A$ (the pixels that really belong to an object) and a predicted mask $B$ (the
# pixels the model says belong to it). Their **Intersection-over-Union**, also called the
# **Jaccard index**, is
#
# $$
# J(A, B) \;=\; \frac{|A \cap B|}{|A \cup B|},
# $$
#
# where $|\cdot|$ counts pixels. It lies between 0 (no overlap) and 1 (the same pixels), and it
# punishes both kinds of mistake: pixels of $A$ the model missed, and pixels it added outside $A$,
# since both make the union bigger without making the intersection bigger.
#
# Here are two tiny 6 x 6 masks: a 3 x 3 true square, and a prediction of the same size shifted one
# column to the right.

# %% tags=["nbval-check-output"]
a = np.zeros((6, 6), dtype=bool)
a[1:4, 1:4] = True          # truth: a 3 x 3 square
b = np.zeros((6, 6), dtype=bool)
b[1:4, 2:5] = True          # prediction: the same square, one column to the right

intersection = np.count_nonzero(a & b)
union = np.count_nonzero(a | b)
print(f"|A| = {a.sum()}, |B| = {b.sum()}, |A∩B| = {intersection}, |A∪B| = {union}")
print(f"IoU = {intersection} / {union} = {intersection / union:.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert (intersection, union) == (6, 12) and intersection / union == 0.5

# %% [markdown]
# Each mask has 9 pixels and they share 6, yet the IoU is only one half: a shift of a single pixel
# costs a lot on a small object. `show_intersection_union` colours the four kinds of pixel.

# %%
show_intersection_union(a, b, title="A = truth, B = prediction")

# %% [markdown]
# ### Explore: move and resize a shape
#
# In the explorer below, shape **A** is fixed and the sliders move (`x`, `y`) and resize (`size`)
# shape **B**; the toggle switches between squares and discs. Try to
#
# - put B exactly on A (IoU 1), then move it one pixel: how much IoU does one pixel cost?
# - shrink B until it sits inside A: the prediction is never *wrong* there, yet the IoU falls;
# - make B much larger than A, so that it covers all of A: IoU falls again;
# - compare the IoU and Dice rows of the table: Dice is always at least as large.

# %%
iou_ex = iou_explorer()
iou_ex

# %% [markdown]
# Without a live kernel, here is the same lesson as small multiples: A fixed, B in five places.

# %%
iou_explorer_static()

# %% [markdown]
# ### IoU and Dice
#
# The **Dice coefficient** (the F1 score of the pixels) is the other common overlap measure:
#
# $$
# D(A, B) \;=\; \frac{2\,|A \cap B|}{|A| + |B|}.
# $$
#
# Since $|A| + |B| = |A \cup B| + |A \cap B|$ (the intersection is counted twice), dividing the
# numerator and the denominator by $|A \cup B|$ gives
#
# $$
# D \;=\; \frac{2J}{1 + J}, \qquad J \;=\; \frac{D}{2 - D}.
# $$
#
# So for **one pair** of masks, Dice and IoU carry the same information: one is a fixed increasing
# function of the other, and $D \ge J$, with equality only at 0 and 1. (Averaged over classes or
# images they are no longer interchangeable, because the mean of $2J/(1+J)$ is not $2\bar J/(1+\bar J)$.)
#
# Let us check the formula on a few settings of the explorer's sliders (you can set them yourself and
# read the same numbers in its table).

# %% tags=["nbval-check-output"]
settings = [  # (shapes, B's x, B's y, B's size), with A as in the explorer
    ("square", 22, 21, 14),   # the explorer's starting position
    ("square", 17, 17, 14),   # B shifted 2 columns
    ("square", 15, 17, 8),    # B inside A
    ("square", 15, 17, 26),   # B around A
    ("disc", 19, 19, 14),     # two discs, shifted
    ("square", 15, 17, 14),   # B = A
]
A = iou_ex.a_params
points = []
print("shapes   x   y  size   |A∩B|  |A∪B|    IoU   Dice   2J/(1+J)")
for kind, x, y, size in settings:
    s = iou_dice_stats(toy_shape_mask(kind, A["cx"], A["cy"], A["size"], iou_ex.grid),
                       toy_shape_mask(kind, x, y, size, iou_ex.grid))
    j, d = s["iou"], s["dice"]
    points.append((j, d))
    print(f"{kind:7s} {x:2d}  {y:2d}  {size:4d}   {s['intersection']:5d}  {s['union']:5d}  "
          f"{j:5.3f}  {d:5.3f}      {2 * j / (1 + j):5.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert all(np.isclose(d, 2 * j / (1 + j)) and d >= j for j, d in points)

# %% [markdown]
# The curve $D = 2J/(1+J)$, with those six settings on it:

# %%
fig = LabFigure(figsize=(4.2, 3.6), layout="constrained")
ax = fig.add_subplot()
j_grid = np.linspace(0, 1, 201)
ax.plot(j_grid, 2 * j_grid / (1 + j_grid), color="#0072B2", label="Dice = 2J / (1 + J)")
ax.plot(j_grid, j_grid, color="0.5", linestyle=":", label="Dice = IoU")
ax.scatter(*zip(*points), color="#D55E00", zorder=3, label="explorer settings above")
ax.set_xlabel("IoU (Jaccard index) J")
ax.set_ylabel("Dice coefficient")
ax.set_title("Dice is a fixed function of IoU", fontsize=10)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="lower right")
fig

# %% [markdown]
# ## 2. Many classes: the confusion matrix
#
# A segmentation model gives every pixel one of $C$ classes (here $C = 5$: background, disc,
# square, triangle, line). For each class $c$ the "two sets of pixels" are *true class is $c$* and
# *predicted class is $c$*, so each class has its own IoU. All of them can be read off one table, the
# **confusion matrix**: $M_{ij}$ = the number of pixels of true class $i$ predicted as class $j$
# (**rows = true class, columns = predicted class**).
#
# Here is a small 12 x 12 example with all five classes and a few typical mistakes: the disc is
# shifted, the square is predicted too large, the bottom row of the triangle is taken for square, and
# half of the line is missed.

# %%
g = 12
y_true = np.zeros((g, g), dtype=np.int64)
y_true[toy_shape_mask("disc", 3, 3, 5, g)] = 1
y_true[toy_shape_mask("square", 8, 3, 4, g)] = 2
y_true[7:11, 1:5][np.tril(np.ones((4, 4), dtype=bool))] = 3      # a right triangle
y_true[10, 6:12] = 4                                            # a 1-pixel-thick line

y_pred = np.zeros((g, g), dtype=np.int64)
y_pred[toy_shape_mask("disc", 4, 3, 5, g)] = 1                  # disc one column to the right
y_pred[toy_shape_mask("square", 8, 3, 5, g)] = 2                # square one pixel too large
y_pred[7:11, 1:5][np.tril(np.ones((4, 4), dtype=bool))] = 3
y_pred[10, 1:4] = 2                                             # triangle's bottom row taken for square
y_pred[10, 6:9] = 4                                             # half of the line ...
y_pred[9, 9:11] = 4                                             # ... and two pixels above it

show_masks(None, y_true, y_pred, class_names=CLASS_NAMES, title="a 5-class toy example")

# %% [markdown]
# `helpers.metrics.confusion_matrix` counts the pixels for every (true, predicted) pair:

# %% tags=["nbval-check-output"]
cm = confusion_matrix(y_true, y_pred, num_classes=NUM_CLASSES)
print("rows = true class, columns = predicted class")
print(cm)

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert cm.sum() == y_true.size and np.array_equal(cm.sum(axis=1), np.bincount(y_true.ravel(), minlength=5))

# %% [markdown]
# The same matrix as a figure; the right panel divides each row by its total, so the diagonal shows
# the fraction of each true class that was found (its *recall*):

# %%
plot_confusion_matrix(cm, class_names=CLASS_NAMES, title="confusion matrix of the toy example")

# %% [markdown]
# ### Per-class IoU from the confusion matrix
#
# For class $c$:
#
# - **true positives** $TP_c = M_{cc}$, the diagonal entry;
# - **false negatives** $FN_c = \sum_j M_{cj} - M_{cc}$: the rest of row $c$ (class $c$ predicted as
#   something else);
# - **false positives** $FP_c = \sum_i M_{ic} - M_{cc}$: the rest of column $c$ (something else
#   predicted as $c$).
#
# The intersection is $TP_c$ and the union is $TP_c + FP_c + FN_c$, so
#
# $$
# \mathrm{IoU}_c \;=\; \frac{TP_c}{TP_c + FP_c + FN_c}, \qquad
# \text{mean IoU} \;=\; \frac{1}{|P|}\sum_{c \in P} \mathrm{IoU}_c,
# $$
#
# where $P$ is the set of classes we average over (all of them here; section 3 is about which ones
# belong in $P$). Note that true negatives never appear: a class's IoU does not grow just because the
# image is large.

# %% tags=["nbval-check-output"]
tp = np.diag(cm)
fn = cm.sum(axis=1) - tp
fp = cm.sum(axis=0) - tp
iou = tp / (tp + fp + fn)
for c, name in enumerate(CLASS_NAMES):
    print(f"{name:10s}  TP {tp[c]:3d}  FP {fp[c]:3d}  FN {fn[c]:3d}   IoU = {iou[c]:.3f}")
print(f"mean IoU = {iou.mean():.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert np.allclose(iou, per_class_iou(y_true, y_pred, num_classes=NUM_CLASSES))
assert np.isclose(iou.mean(), mean_iou(y_true, y_pred, num_classes=NUM_CLASSES))

# %% [markdown]
# Our hand computation agrees with `per_class_iou` and `mean_iou` from `helpers.metrics`. As a bar
# chart (the dashed line is the mean):

# %%
plot_per_class_iou(iou, class_names=CLASS_NAMES, title="IoU per class, toy example")

# %% [markdown]
# ## 3. Classes absent from an image
#
# Real images rarely contain every class. If class $c$ is in neither the truth nor the prediction,
# then $TP_c = FP_c = FN_c = 0$ and $\mathrm{IoU}_c = 0/0$: **undefined**. Every mean IoU has to do
# something about that, and there are three common choices:
#
# | convention | absent class | effect |
# | --- | --- | --- |
# | **excluded** | left out of the mean | the mean is over the classes that are present |
# | **counted as 0** | IoU 0 | the model is punished for correctly predicting "not there" |
# | **counted as 1** | IoU 1 | the model gets free points; a smoothed $(I+1)/(U+1)$ does this |
#
# The smallest example that shows the difference: 4 pixels, 5 classes, and a model that gets two
# pixels right and swaps the other two. Classes 0 and 1 each have $TP = 1$, $FP = 1$, $FN = 1$, so
# IoU $1/3$; classes 2, 3 and 4 are absent.

# %% tags=["nbval-check-output"]
t4 = np.array([[0, 0, 1, 1]])     # one "image" of 4 pixels
p4 = np.array([[0, 1, 0, 1]])
print("per-class IoU:", np.round(per_class_iou(t4, p4, num_classes=NUM_CLASSES), 3))
tiny = {absent: convention_mean_iou(t4, p4, absent=absent) for absent in ("exclude", "zero", "one")}
print(f"absent excluded:     (1/3 + 1/3) / 2     = {tiny['exclude']:.3f}")
print(f"absent counted as 0: (1/3 + 1/3) / 5     = {tiny['zero']:.3f}")
print(f"absent counted as 1: (1/3 + 1/3 + 3) / 5 = {tiny['one']:.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert np.isclose(tiny["exclude"], 1 / 3) and np.isclose(tiny["zero"], 2 / 15) and np.isclose(tiny["one"], 11 / 15)
assert np.isclose(tiny["exclude"], mean_iou(t4, p4, num_classes=NUM_CLASSES))   # our reference excludes

# %% [markdown]
# One prediction, three "mean IoU"s between 0.13 and 0.73. Counting absent classes as 0 or as 1 makes
# the number depend on how many classes the *label set* has, not on what the model did: add ten
# classes that never occur and the "0" version collapses towards 0 while the "1" version climbs
# towards 1. Excluding them measures only what there is to measure. That is why `helpers.metrics`
# **excludes absent classes**, like
#
# - Keras `keras.metrics.MeanIoU`, which averages over the classes whose union is non-zero;
# - torchmetrics `MulticlassJaccardIndex(average="macro")` (recent versions give absent classes
#   weight 0);
# - scikit-learn `jaccard_score(average="macro")` with the default `labels=None`, which averages over
#   the labels found in the truth or the prediction.
#
# scikit-learn makes the choice visible: name all five labels explicitly and its `zero_division`
# argument becomes the value of an absent class, which reproduces the other two conventions.

# %% tags=["nbval-check-output"]
sk_exclude = jaccard_score(t4.ravel(), p4.ravel(), average="macro")
sk_zero = jaccard_score(t4.ravel(), p4.ravel(), labels=range(5), average="macro", zero_division=0)
sk_one = jaccard_score(t4.ravel(), p4.ravel(), labels=range(5), average="macro", zero_division=1)
print(f"labels=None:                       {sk_exclude:.3f}")
print(f"labels=range(5), zero_division=0:  {sk_zero:.3f}")
print(f"labels=range(5), zero_division=1:  {sk_one:.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert np.allclose([sk_exclude, sk_zero, sk_one], [tiny["exclude"], tiny["zero"], tiny["one"]])

# %% [markdown]
# ### Dataset-level or per-image?
#
# With a batch (or a whole test set) of $N$ images there is a second choice: **where** to average.
#
# - **Dataset level**: one confusion matrix over all pixels of all images, then the mean over
#   classes. A class is absent only if it appears in *no* image. This is what a streaming metric
#   such as Keras `MeanIoU` reports after a full `evaluate`, and what `mean_iou` does by default.
# - **Per image**: each image's own mean IoU (over the classes present in *that* image), then the
#   mean over images: $\frac{1}{N}\sum_n \text{mIoU}(n)$. `mean_iou(..., per_image=True)` does this.
#
# They answer different questions (how well are the classes segmented overall, versus how good is a
# typical image), so they give different numbers. Our test batch, `convention_batch()`, has three
# 6 x 6 images, each with one object: a disc predicted a little too wide, a square predicted exactly
# but with one stray "disc" pixel, and a triangle the model misses entirely. The line class occurs
# nowhere.

# %% tags=["nbval-check-output"]
yb_true, yb_pred = convention_batch()
per_img = convention_per_class_iou(yb_true, yb_pred, level="per_image")   # (3 images, 5 classes), NaN = absent
print("per-class IoU per image (nan = absent):")
for n, row in enumerate(per_img):
    print(f"  image {n}: " + "  ".join(f"{x:5.3f}" for x in row) + f"   mean {np.nanmean(row):.3f}")
dataset_level = mean_iou(yb_true, yb_pred, num_classes=NUM_CLASSES)
per_image = mean_iou(yb_true, yb_pred, num_classes=NUM_CLASSES, per_image=True)
print(f"dataset-level mean IoU: {dataset_level:.3f}")
print(f"per-image mean IoU:     {per_image:.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert np.isclose(per_image, np.mean(np.nanmean(per_img, axis=1)))
assert np.isclose(dataset_level, convention_mean_iou(yb_true, yb_pred, absent="exclude", level="dataset"))
assert not np.isclose(dataset_level, per_image)

# %% [markdown]
# Image 1 shows why the level matters: its stray pixel makes "disc" present *in that image* with IoU 0,
# which drags that image's mean down; at dataset level the same pixel is just one false positive among
# the disc's pixels of image 0.
#
# ### The same choices under other libraries' names
#
# - **Pooled over classes ("micro")**: segmentation_models.pytorch's `iou_score(..., reduction="micro")`
#   and torchmetrics' `MulticlassJaccardIndex(average="micro")` add up TP, FP and FN of *all* classes
#   before dividing. With one label per pixel, every wrong pixel is one false positive (of the class
#   predicted) and one false negative (of the true class), so that number is
#   accuracy / (2 − accuracy): pixel accuracy in disguise, not a mean IoU (the next cell checks it).
#   The mean IoU of papers and benchmarks is the per-class ("macro") average.
# - **Per image**: torchmetrics' `segmentation.MeanIoU` averages the IoUs of each image and class;
#   `MulticlassJaccardIndex(average="macro")` is dataset level, like Keras's `MeanIoU`.
# - **Absent classes**: segmentation_models.pytorch's `iou_score` scores a class absent everywhere as 1
#   by default (`zero_division=1.0`).
#
# (Read in their sources: torchmetrics 1.9, segmentation_models.pytorch's `metrics/functional.py`; the
# threads behind these questions are in [the questions learners ask](../docs/questions.md#q46).)
# Precision and recall of a class come from the same confusion matrix: precision is the diagonal cell
# over its **column** (all pixels predicted as the class), recall over its **row** (all pixels truly of it).

# %% tags=["nbval-check-output"]
cm_batch = confusion_matrix(yb_true, yb_pred, num_classes=NUM_CLASSES)   # rows: truth, columns: prediction
correct, total = np.trace(cm_batch), cm_batch.sum()
pooled = correct / (correct + 2 * (total - correct))                    # sum TP / sum (TP + FP + FN)
accuracy = correct / total
print(f"pooled ('micro') IoU {pooled:.3f}; accuracy / (2 - accuracy) = {accuracy / (2 - accuracy):.3f}; "
      f"dataset-level mean IoU {dataset_level:.3f}")
with np.errstate(invalid="ignore"):
    precision = np.diag(cm_batch) / cm_batch.sum(axis=0)
    recall = np.diag(cm_batch) / cm_batch.sum(axis=1)
print("precision per class:", "  ".join(f"{x:.3f}" for x in precision))
print("recall per class:   ", "  ".join(f"{x:.3f}" for x in recall))
assert np.isclose(pooled, accuracy / (2 - accuracy)) and not np.isclose(pooled, dataset_level)
#
# ### Explore: six ways to report one batch
#
# The explorer below combines the two choices: the absent-class convention (excluded / 0 / 1) and the
# level (dataset / per image). Click through the toggles and watch the per-class table: which cells
# are absent ("–") at each level, and what each convention puts in their place. The table at the
# bottom shows all six numbers at once; notice how far apart "per image, absent as 0" and "per image,
# absent as 1" are, for the very same predictions.

# %%
convention_explorer()

# %% [markdown]
# The static version: the batch (truth above, prediction below) and the six numbers.

# %%
convention_explorer_static()

# %% [markdown]
# The six numbers, printed:

# %% tags=["nbval-check-output"]
six = {(absent, level): convention_mean_iou(yb_true, yb_pred, absent=absent, level=level)
       for level in ("dataset", "per_image") for absent in ("exclude", "zero", "one")}
print("level        excluded  as 0   as 1")
for level in ("dataset", "per_image"):
    print(f"{level:10s}   " + "   ".join(f"{six[(a, level)]:.3f}" for a in ("exclude", "zero", "one")))
print(f"spread: {min(six.values()):.3f} to {max(six.values()):.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert max(six.values()) - min(six.values()) > 0.5
assert six[("zero", "per_image")] < six[("exclude", "per_image")] < six[("one", "per_image")]

# %% [markdown]
# **Take-away:** "mean IoU = 0.6" means nothing until you say which classes were averaged and at which
# level. In this course, mean IoU is **dataset level, absent classes excluded**, unless a cell says
# otherwise.
#
# <a id="two-conventions"></a>
#
# > **Box: the course's two conventions** (notebooks 04 and 05 refer back to this box)
# >
# > | what | averages the IoUs of the classes present in | functions |
# > | --- | --- | --- |
# > | **metrics** (what we report) | the truth **or** the prediction | `helpers.metrics.mean_iou`, `per_class_iou`; `helpers.keras.metrics.StreamingMeanIoU`; Keras `MeanIoU` |
# > | **losses** (what we train) | the truth only | `helpers.keras.losses.soft_jaccard_loss`, `soft_dice_loss`, `lovasz_softmax_loss` |
# >
# > A class the model *invents* (predicted, but in no true mask) counts in the metric, with IoU 0: a
# > false alarm must cost. A loss works on probabilities, where every class gets a little probability
# > at every pixel, so "present in the prediction" would mean every class; the losses follow Berman et
# > al. (2018, the Lovász-softmax paper of notebook 04, section 6) and average over the classes in the
# > truth. The two agree when the prediction invents
# > no class; when it does, the loss's convention gives the higher number. So "1 − loss equals the
# > IoU" (notebook 04) always means the IoU **over the classes in the truth**.
#
# Image 1 of the batch above shows the difference: its one stray "disc" pixel invents a class.

# %% tags=["nbval-check-output"]
image1 = per_img[1]                                           # per-class IoU of image 1, NaN = absent
in_truth = np.bincount(yb_true[1].ravel(), minlength=NUM_CLASSES) > 0
print("image 1, per-class IoU:", "  ".join(f"{x:5.3f}" for x in image1))
print(f"metric convention (truth or prediction): {np.nanmean(image1):.3f}")
print(f"loss convention (truth only):            {np.mean(image1[in_truth]):.3f}")

# %% [markdown]
# ## 4. Pixels that should not count: the ignore label (255 in your masks)
#
# Many datasets mark some pixels as **void**: object boundaries that annotators could not decide,
# or regions outside the field of view. The usual label is 255 (as in PASCAL VOC). These pixels must
# be left out of *every* count, so that the model is neither punished nor rewarded for them.
#
# Here is a disc whose boundary ring is void (white), and a prediction that fills the ring.

# %%
v_true = np.zeros((6, 6), dtype=np.int64)
v_true[1:5, 1:5] = 255     # an uncertain ring around the object ...
v_true[2:4, 2:4] = 1       # ... and the object itself (class 1, "disc")
v_pred = np.zeros((6, 6), dtype=np.int64)
v_pred[1:5, 1:5] = 1       # the model fills the whole 4 x 4 block

show_masks(None, v_true, v_pred, class_names=CLASS_NAMES, ignore_index=255, title="void pixels (white) are ignored")

# %% [markdown]
# With `ignore_index=255` the 12 ring pixels disappear from the confusion matrix, and the prediction is
# perfect on every pixel that counts. A common shortcut, mapping void to background, instead turns the
# ring into 12 false positives for "disc" and 12 false negatives for background:

# %% tags=["nbval-check-output"]
with_ignore = mean_iou(v_true, v_pred, num_classes=NUM_CLASSES, ignore_index=255)
acc_ignore = pixel_accuracy(v_true, v_pred, ignore_index=255)
v_true_as_bg = np.where(v_true == 255, 0, v_true)    # the shortcut: void -> background
as_background = mean_iou(v_true_as_bg, v_pred, num_classes=NUM_CLASSES)
print("confusion matrix with ignore_index=255 (background, disc rows/columns):")
print(confusion_matrix(v_true, v_pred, num_classes=NUM_CLASSES, ignore_index=255)[:2, :2])
print(f"with ignore_index=255:   mean IoU {with_ignore:.3f}, pixel accuracy {acc_ignore:.3f}")
print(f"void mapped to background: mean IoU {as_background:.3f}, "
      f"pixel accuracy {pixel_accuracy(v_true_as_bg, v_pred):.3f}")
print("confusion matrix with void mapped to background:")
print(confusion_matrix(v_true_as_bg, v_pred, num_classes=NUM_CLASSES)[:2, :2])
print(f"void pixels: {np.count_nonzero(v_true == 255)}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert np.count_nonzero(v_true == 255) == 12
assert with_ignore == 1.0 and acc_ignore == 1.0 and as_background < 0.5

# %% [markdown]
# And if you forget `ignore_index` altogether? A label of 255 is not one of the 5 classes, and
# `helpers.metrics` refuses to guess: it raises a `ValueError` that says what it found and how to
# fix it. Silently dropping or clipping such labels would hide real bugs, like the second case below:
# masks saved as grey levels (class $k$ stored as $60k$) so that they look nice in an image viewer.

# %% tags=["nbval-check-output"]
try:
    mean_iou(v_true, v_pred, num_classes=NUM_CLASSES)
except ValueError as e:
    print("ValueError:", e)
    void_error = str(e)

grey_levels = y_true * 60             # masks saved as grey levels for viewing: 0, 60, 120, 180, 240
try:
    mean_iou(grey_levels, y_pred, num_classes=NUM_CLASSES)
except ValueError as e:
    print("ValueError:", e)
    grey_error = str(e)

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert "ignore_index=255" in void_error and "outside [0, 5)" in grey_error

# %% [markdown]
# ### Check your labels first
#
# Before computing any IoU, look at what the masks contain. `np.unique(masks, return_counts=True)`
# gives every label value and how often it occurs. Read three things off it:
#
# - every value lies in `0 … C-1`, or is your void label (a value `C` often means labels numbered
#   from 1; a cloud of values means resized or JPEG-compressed masks);
# - the class frequencies: a class that covers a tiny share of the pixels is the one accuracy hides
#   (section 5), and a class that never occurs cannot be learned;
# - a binary mask stored as exactly **0 and 255** is a black-and-white image file: there 255 is the
#   **object**, not void. Convert it with `mask // 255` (or `mask > 127`). Passing `ignore_index=255`
#   instead drops every object pixel, and a model that finds nothing scores a perfect 1.

# %% tags=["nbval-check-output"]
def label_report(masks):
    values, counts = np.unique(masks, return_counts=True)
    for value, count in zip(values, counts):
        print(f"  label {value:3d}: {count:4d} pixels ({count / masks.size:6.1%})")


print("the 12 x 12 example of section 2:")
label_report(y_true)
png_mask = (y_true == 1).astype(np.uint8) * 255      # the disc alone, saved as a black-and-white PNG
finds_nothing = np.zeros_like(png_mask)
print("the disc as a binary mask saved as an image:")
label_report(png_mask)
try:
    mean_iou(png_mask, finds_nothing, num_classes=2)
except ValueError as e:
    print("ValueError:", e)
right_way = mean_iou(png_mask // 255, finds_nothing, num_classes=2)
wrong_way = mean_iou(png_mask, finds_nothing, num_classes=2, ignore_index=255)
print(f"a model that finds nothing: mean IoU {right_way:.3f} after mask // 255, "
      f"{wrong_way:.3f} with ignore_index=255")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert set(np.unique(png_mask)) == {0, 255} and wrong_way == 1.0 and right_way < 0.5

# %% [markdown]
# *Seeing "labels outside [0, C)", 255 in binary masks, or odd values after resizing?*
# [Troubleshooting, entries 10 to 12](../docs/troubleshooting.md#mask-0-255); void labels in Keras:
# [entry 9](../docs/troubleshooting.md#void-255).

# %% [markdown]
# ## 5. Pixel accuracy versus IoU under class imbalance
#
# **Pixel accuracy** is the fraction of pixels whose predicted class is right:
#
# $$
# \text{accuracy} \;=\; \frac{\sum_c TP_c}{\text{number of pixels}} \;=\; \frac{\operatorname{tr} M}{\sum_{ij} M_{ij}}.
# $$
#
# Every pixel has the same weight, so a class that covers 1 % of the image can contribute at most
# 1 % of the accuracy. Mean IoU gives every *class* the same weight, so missing a small class
# entirely costs $1/C$ of it.
#
# `imbalance_scenario(size, degrade)` makes a 64 x 64 image with a disc, a square, a triangle and a
# thin "line" of `size` pixels by 2, and a prediction that gets the big shapes nearly right but
# misses a fraction `degrade` of the line. Three settings:

# %% tags=["nbval-check-output"]
print("line length  missed   line share   pixel accuracy   line IoU   mean IoU")
rows = []
for size, degrade in [(28, 0.0), (28, 0.5), (28, 1.0), (6, 1.0)]:
    st = imbalance_stats(*imbalance_scenario(size, degrade))
    rows.append(st)
    print(f"{size:8d} px   {degrade:5.0%}   {st['class_share'][4]:8.1%}      {st['pixel_accuracy']:8.3f}"
          f"        {st['per_class_iou'][4]:6.3f}    {st['mean_iou']:6.3f}")
accs = [st["pixel_accuracy"] for st in rows]
mious = [st["mean_iou"] for st in rows]
print(f"pixel accuracy moves by {max(accs) - min(accs):.3f}, mean IoU by {max(mious) - min(mious):.3f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert min(accs) > 0.96 and max(accs) - min(accs) < 0.02      # accuracy hardly notices ...
assert mious[0] - mious[2] > 0.2                               # ... mean IoU drops by a class's share
assert accs[3] > accs[2] and abs(mious[3] - mious[2]) < 0.01    # short line: better accuracy, same mean IoU

# %% [markdown]
# Missing the whole line costs less than 2 points of accuracy (0.02) but more than 0.2 of mean IoU: the
# line's IoU goes from 1 to 0, and it is one of five classes, so the mean loses about $1/5$. The shorter line (last row) makes the point
# sharper: accuracy even *rises* compared with the long line, because there are fewer line pixels to
# miss, while mean IoU is just as low.
#
# ### Explore: shrink and miss the small class
#
# Move the **"'line' pixels missed"** slider from 0 to 1 and watch the two horizontal lines of the bar
# chart: pixel accuracy (dotted) hardly moves, mean IoU (dashed) falls as the line's bar shrinks. Then
# shorten the line with the length slider: its share of the pixels shrinks, the accuracy cost of
# missing it shrinks with it, but the IoU cost does not.

# %%
imbalance_explorer()

# %% [markdown]
# The static version: the masks with every line pixel missed, and both scores as the missed fraction
# grows, for a long and a short line.

# %%
imbalance_explorer_static()

# %% [markdown]
# ## 6. Cross-check: our reference agrees with scikit-learn
#
# A metric you rely on should agree with an independent implementation. On a random 5-class batch in
# which one class ("line") never occurs, our dataset-level `mean_iou` should equal scikit-learn's
# `jaccard_score(average="macro")` on the flattened pixels, and the per-class values should match too.

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
rb_true = rng.integers(0, 4, size=(4, 32, 32))                      # classes 0..3: "line" is absent
noise = rng.random(rb_true.shape) < 0.3                             # 30 % of the pixels ...
rb_pred = np.where(noise, rng.integers(0, 4, size=rb_true.shape), rb_true)   # ... get a random class

ours = mean_iou(rb_true, rb_pred, num_classes=NUM_CLASSES)
theirs = jaccard_score(rb_true.ravel(), rb_pred.ravel(), average="macro")
ours_per_class = per_class_iou(rb_true, rb_pred, num_classes=NUM_CLASSES)
theirs_per_class = jaccard_score(rb_true.ravel(), rb_pred.ravel(), average=None)   # present labels only
print("per-class IoU, ours:   ", "  ".join(f"{x:.3f}" for x in ours_per_class))
print("per-class IoU, sklearn:", "  ".join(f"{x:.3f}" for x in theirs_per_class))
print(f"mean IoU: ours {ours:.6f}, sklearn {theirs:.6f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert np.isnan(ours_per_class[4])
assert np.allclose(ours_per_class[:4], theirs_per_class) and np.isclose(ours, theirs)

# %% [markdown]
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_02.py` (try first!).
#
# **Exercise 1.** Write `iou_of_masks(a, b)`: the IoU of two boolean masks of the same shape, as a
# float; `float("nan")` when both masks are empty.

# %%
from helpers.course.checks.nb02 import check_iou_of_masks, check_mean_iou_from_confusion_matrix


def iou_of_masks(a, b):
    ...  # your code here
    raise NotImplementedError


check_iou_of_masks(iou_of_masks)

# %% [markdown]
# **Exercise 2.** Write `mean_iou_from_confusion_matrix(cm)`: the mean IoU of a `(C, C)` confusion
# matrix (rows true, columns predicted), over the classes present in truth or prediction.

# %%
def mean_iou_from_confusion_matrix(cm):
    ...  # your code here
    raise NotImplementedError


check_mean_iou_from_confusion_matrix(mean_iou_from_confusion_matrix)

# %% [markdown]
# ## Summary
#
# - **IoU** of two masks is $|A \cap B| / |A \cup B|$; it punishes missed and extra pixels alike, and
#   a one-pixel shift is expensive on a small object.
# - **Dice** $= 2J/(1+J)$: for one pair of masks it is a fixed function of IoU and never smaller.
# - For $C$ classes, read everything off the **confusion matrix** (rows true, columns predicted):
#   $\mathrm{IoU}_c = TP_c / (TP_c + FP_c + FN_c)$, with $FN_c$ the rest of row $c$ and $FP_c$ the rest
#   of column $c$.
# - A class absent from truth **and** prediction has no IoU. We **exclude** it from the mean, like
#   Keras `MeanIoU`, torchmetrics' macro average and scikit-learn's `jaccard_score`; counting it as 0
#   or 1 makes the number depend on the size of the label set.
# - Two conventions (the box in section 3): **metrics** average the classes present in the truth or the
#   prediction, **losses** the classes present in the truth; they differ when a prediction invents a class.
# - **Dataset-level** and **per-image** mean IoU are different numbers; say which one you report.
# - Mark void pixels with an **ignore label** (e.g. 255) and pass `ignore_index`; a label outside
#   $[0, C)$ is an error, not something to drop silently.
# - **Pixel accuracy** hides a missed small class; mean IoU does not.
# - `helpers.metrics` is our reference: it matches scikit-learn exactly.
#
# **Next:** 03 — a correct IoU metric in Keras. With the reference in hand, we bring it into Keras: a
# metric that accumulates one exact confusion matrix over batches, equal to `helpers.metrics` for any
# batch size, and why Keras's average of per-batch IoUs gives a different number.
