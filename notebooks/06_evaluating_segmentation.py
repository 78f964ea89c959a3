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
# # 06 · Evaluating segmentation honestly
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/06_evaluating_segmentation.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/06_evaluating_segmentation.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/06_evaluating_segmentation.ipynb)
#
# A single "mIoU = 0.9" hides a lot: which convention, which split, which classes, which images. In
# this notebook we evaluate one trained model from notebook 05 every way that matters, see why the
# numbers differ, and end with a checklist of what to state next to any mean IoU you report.
#
# **You will learn to**
# - compute and explain dataset-level, per-image and per-class IoU, and pixel accuracy, of one model;
# - read a confusion matrix and a histogram of per-image IoU, and look at the worst images;
# - handle a void (ignore) label and see what it does to the numbers;
# - say how sure a number is: a bootstrap interval over the test images, a paired interval for two
#   models on the same images, and why neither covers another training run;
# - report a mean IoU so that someone else can reproduce it.
#
# **Prerequisites:** notebooks 02, 03, 05 (runs alone). **Time:** about 30 minutes.
#
# This notebook also runs alone: it retrains the model in about a minute if notebook 05's weights
# are not cached.

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

from helpers.course.data import CLASS_NAMES
from helpers import metrics as M
from helpers.course.claims import claim
from helpers.course.data import load_shapes
from helpers.plotting import plot_confusion_matrix, plot_iou_histogram, plot_per_class_iou, show_gallery, show_masks
from helpers.report import gallery_indices
from helpers.course.soft_iou import boundary_mask
from helpers.stats import bootstrap_iou, paired_bootstrap_iou, per_image_confusion_matrices
from helpers.course.study import MAIN_SETTING, load_study, summarise
from helpers.course.training import LIVE_RECIPES, RECIPES, SELECTED_TEST_FLOOR, cached_model, load_selection

# %% [markdown]
# ## 1. The model and the test split
#
# We evaluate the model that notebook 05 **selected on validation data**. Its weights come from
# `data/cache/` if notebook 05 ran on this machine. Otherwise this notebook runs alone: it takes the
# recipe that the committed seed study selects on validation data (the best mean validation IoU
# over its seeds, among notebook 05's live recipes) and trains it here (seed 0, same data).
# Either way, no test number took part in the choice. Notebook 05 (section 8) evaluated this model on
# the test split once, after the choice; here we analyse that evaluation in detail and choose nothing
# from it.

# %%
selected = load_selection()
if selected is not None:
    how = "selected on validation data by notebook 05 on this machine"
else:
    study_val = summarise(load_study()["runs"], "val_mean_iou", LIVE_RECIPES)
    selected = max(study_val, key=lambda k: study_val[k]["mean"])
    how = "selected on validation data by the seed study (no selection by notebook 05 with this configuration here)"
model, trained_now = cached_model(selected)
print(f"{RECIPES[selected].label}: {how};", "trained now" if trained_now else "weights loaded from data/cache/")

x_test, m_test = load_shapes("test")
pred = model.predict(x_test, batch_size=32, verbose=0).argmax(axis=-1)

# %% [markdown]
# ## 2. Four numbers for one model
#
# - **Dataset-level mean IoU**: one confusion matrix over all test pixels, IoU per class, mean over
#   classes. Large objects weigh more than small ones, and every class counts once.
# - **Per-image mean IoU**: the mean IoU of each image (over the classes present in it), averaged over
#   images. Every image counts once, whether it holds a big disc or a few pixels of line.
# - **Per-class IoU**: the five numbers behind the mean.
# - **Pixel accuracy**: the share of pixels with the right label.

# %%
dataset_miou = M.mean_iou(m_test, pred, num_classes=5)
image_ious = M.per_image_iou(m_test, pred, num_classes=5)
per_image_miou = float(np.nanmean(image_ious))
per_class = M.per_class_iou(m_test, pred, num_classes=5)
accuracy = M.pixel_accuracy(m_test, pred)

print(f"dataset-level mean IoU: {dataset_miou:.3f}")
print(f"per-image mean IoU:     {per_image_miou:.3f}")
print(f"pixel accuracy:         {accuracy:.3f}")
for name, v in zip(CLASS_NAMES, per_class):
    print(f"  IoU {name:10s} {v:.3f}")
assert abs(per_image_miou - M.mean_iou(m_test, pred, num_classes=5, per_image=True)) < 1e-12
claim(dataset_miou >= SELECTED_TEST_FLOOR,
      f"the selected model reaches a test mean IoU >= {SELECTED_TEST_FLOOR} (as the selected recipe did in every seed of the study)",
      observed=f"{dataset_miou:.3f}", study="see notebook 05, section 8; stale weights? delete data/cache/")
claim(accuracy > dataset_miou, "pixel accuracy is above the dataset-level mean IoU (so in every run of the seed study)")

# %% [markdown]
# **Why do they differ?**
#
# - Accuracy is dominated by background, the majority class: it is the highest of the numbers.
# - Dataset-level IoU pools the pixels of a class across all images, so one large, well-segmented
#   disc outweighs a small, badly segmented one.
# - Per-image IoU gives every image the same weight, and an image where the model misses (or
#   invents) one small object loses a whole class's share of its mean. Images with only background and
#   one shape score well if that shape is right, and badly if a few stray pixels of another class
#   appear: those pixels make a class with IoU 0 that counts in that image's mean.
#
# Neither is wrong; they answer different questions ("how well are pixels of each class recovered
# overall?" vs "how good is a typical image?"). Say which one you report.

# %%
plot_per_class_iou(per_class, class_names=CLASS_NAMES, title=f"Per-class IoU on the test split: {RECIPES[selected].label}")

# %% [markdown]
# ### How sure is that number? A bootstrap over images
#
# The test split is 250 images drawn from the dataset's generator; another 250 would give another mean
# IoU. The **bootstrap** estimates how much: draw 250 images *with replacement* from the 250, sum their
# confusion matrices (so the number stays dataset-level), compute the IoUs, and repeat 2,000 times. The
# middle 95 % of those values is a 95 % interval. It covers **another test set drawn like this one**,
# not another training run: notebook 05's seed study showed that a new seed can move the mean IoU far
# more than this.

# %%
cms = per_image_confusion_matrices(m_test, pred, num_classes=5)   # one confusion matrix per image
boot = bootstrap_iou(cms, n_boot=2000, seed=0)
lo, hi = boot["mean_iou_ci"]
print(f"dataset-level mean IoU {boot['mean_iou']:.3f}, 95 % interval over images {lo:.3f} to {hi:.3f} "
      f"(bootstrap, {boot['n_images']} images, {boot['n_boot']} resamples)")
images_with = [int((m_test == k).any(axis=(1, 2)).sum()) for k in range(5)]   # images holding class k
for name, v, (a, b), n in zip(CLASS_NAMES, boot["per_class_iou"], boot["per_class_ci"], images_with):
    print(f"  IoU {name:10s} {v:.3f}  [{a:.3f}, {b:.3f}]  width {b - a:.3f}   in {n} of {len(m_test)} images")
assert abs(boot["mean_iou"] - dataset_miou) < 1e-12 and lo < dataset_miou < hi
widths = np.diff(boot["per_class_ci"], axis=1).ravel()
assert widths[1:].min() > 10 * widths[0] and hi - lo > 0.01   # objects vs background; the 3rd decimal is noise

# %% [markdown]
# The object classes' intervals are more than ten times as wide as the background's (the widths
# printed): each object class is in only some of the images, with few pixels in each, so which images a
# resample draws moves its IoU far more than the background's, which is in every image. The widths also
# tell you how many decimals mean something: here the third decimal of the mean IoU is noise, so report
# it with its interval, and per-class IoUs no more finely than their intervals allow.
#
# ### Two models on the same images: a paired interval
#
# "Is model A better than model B?" asked on one test set is a **paired** question: both models see the
# same easy and hard images. Resample images once and score both models on each resample; the interval
# of the *difference* is then narrower than two separate intervals suggest, because the shared
# difficulty cancels. Here: the selected model against the other recipe notebook 05 trained live, on the
# test images (a report after the choice was made on validation data, not a new choice):

# %%
other = next(k for k in LIVE_RECIPES if k != selected)
other_model, _ = cached_model(other)
pred_other = other_model.predict(x_test, batch_size=32, verbose=0).argmax(axis=-1)
cms_other = per_image_confusion_matrices(m_test, pred_other, num_classes=5)
paired = paired_bootstrap_iou(cms, cms_other, seed=0)
lo_d, hi_d = paired["ci"]
lo_o, hi_o = bootstrap_iou(cms_other, seed=0)["mean_iou_ci"]
print(f"({selected}) minus ({other}), test mean IoU: {paired['difference']:+.3f}, paired 95 % interval "
      f"{lo_d:+.3f} to {hi_d:+.3f} over {paired['n_images']} images -> {paired['verdict'].replace('A', f'({selected})', 1).replace('B', f'({other})', 1)}")
print(f"width of the paired interval {hi_d - lo_d:.3f}; of the two separate intervals together "
      f"{(hi - lo) + (hi_o - lo_o):.3f}")
study_runs = [r for r in load_study()["runs"] if r["setting"] == MAIN_SETTING]
other_val = summarise(study_runs, "test_mean_iou", [other])[other]
print(f"but recipe ({other}) over the seed study's {other_val['n']} seeds: test mean IoU "
      f"{other_val['min']:.3f} to {other_val['max']:.3f}")

# %% [markdown]
# Read the two lines together. The paired interval answers "on images like these, is **this trained
# model** better than **that trained model**?". It does not answer "is recipe A better than recipe
# B?": each model is one training run, and the second line shows how far another seed of the same
# recipe can land. Comparing *recipes* needs several seeds (notebook 05, section 5); comparing two
# *trained models* on one test set needs the paired interval. Say which question you answered.

# %% [markdown]
# ## 3. The confusion matrix
#
# Rows are the true class, columns the predicted class. The row-normalised view shows, for each true
# class, where its pixels went.

# %%
cm = M.confusion_matrix(m_test, pred, num_classes=5)
plot_confusion_matrix(cm, class_names=CLASS_NAMES, title="Test split")

# %%
row_share = cm / cm.sum(axis=1, keepdims=True)
off_diagonal = row_share - np.diag(np.diag(row_share))
worst_true, worst_pred = np.unravel_index(np.argmax(off_diagonal), cm.shape)
print(f"largest confusion: {100 * off_diagonal[worst_true, worst_pred]:.1f} % of true "
      f"{CLASS_NAMES[worst_true]} pixels predicted as {CLASS_NAMES[worst_pred]}")

# %% [markdown]
# Most errors of segmentation models sit on object **boundaries** and between a class and the
# background; confusions between two object classes are rarer. Section 5 measures how much of the
# error lies on boundaries.

# %% [markdown]
# ## 4. Per-image IoU: the distribution and the worst images
#
# A mean hides the spread. The histogram shows how many images are segmented well, and the tail shows
# where to look.

# %%
plot_iou_histogram(image_ious, mark_below=0.6, title="Per-image mean IoU on the test split")

# %% [markdown]
# First, what typical predictions look like: four test images that contain objects, picked across the
# range of per-image IoU (`gallery_indices` takes them at the 12.5th, 37.5th, 62.5th and 87.5th percentiles,
# from poor to good). Each row: the image, the true mask and the prediction in the class colours, and
# the wrong pixels.

# %%
typical = gallery_indices(m_test, pred, n=4)
show_gallery(x_test, m_test, pred, indices=typical, class_names=CLASS_NAMES, title="Four test images across the range of per-image IoU")

# %%
order = np.argsort(np.where(np.isnan(image_ious), np.inf, image_ious))   # NaN (nothing to score) last
worst = order[:4]
print("worst images:", ", ".join(f"#{i} ({image_ious[i]:.2f})" for i in worst))
print(f"images below 0.6: {int(np.sum(image_ious < 0.6))} of {len(image_ious)}")
show_gallery(x_test, m_test, pred, indices=worst, class_names=CLASS_NAMES, title="The four worst test images")

# %% [markdown]
# Looking at the worst images is the fastest way to learn what a model gets wrong. Read each row with
# three questions: is a whole shape given the wrong class (a different colour in the prediction than in
# the truth)? Are there stray pixels of a class that is not in the image (each one makes that class
# count, with IoU 0, in the image's mean)? Is a thin line partly missed? The typical images above show
# which of these mistakes are rare and which are everywhere.

# %% [markdown]
# ## 5. A void label around boundaries
#
# Datasets such as Pascal VOC mark a thin band around every object as **void** (label 255): pixels whose
# true class is ambiguous. Void pixels are left out of every count with `ignore_index=255`. Let us mark
# the boundary pixels of the test masks as void and compare:

# %%
void = boundary_mask(m_test)
m_void = np.where(void, 255, m_test)
print(f"void pixels: {100 * void.mean():.1f} % of the test pixels")
miou_void = M.mean_iou(m_void, pred, num_classes=5, ignore_index=255)
per_class_void = M.per_class_iou(m_void, pred, num_classes=5, ignore_index=255)
print(f"mean IoU without void: {dataset_miou:.3f}; with boundary void ignored: {miou_void:.3f}")
for name, a, b in zip(CLASS_NAMES, per_class, per_class_void):
    print(f"  {name:10s} {a:.3f} -> {b:.3f}")
claim(miou_void > dataset_miou,
      "ignoring the boundary band raises the mean IoU (so for the selected recipe in every seed of the study)",
      observed=f"{miou_void:.3f} vs {dataset_miou:.3f}")

# %% tags=["nbval-check-output"]
lowered = [r for r in load_study()["runs"] if r["test_mean_iou_boundary_void"] < r["test_mean_iou"]]
print(f"study runs where ignoring the band lowered the test mean IoU: {len(lowered)} of {len(load_study()['runs'])}")
assert len(lowered) == 10

# %%
errors = pred != m_test
print(f"share of all wrong pixels that lie on boundaries: {100 * (errors & void).sum() / errors.sum():.1f} %")

# %% [markdown]
# Here, ignoring a boundary band raises the mean: a large share of the errors sit on boundaries. It is
# not a law: in 10 of the study's 80 runs it lowered the mean instead (next cell), runs whose errors are
# whole shapes given the wrong class rather than edges, where the band removes correct pixels and keeps
# the errors. (The line
# gains least, or can even lose, depending on the run: a line only a few pixels wide is almost all
# boundary, so the band removes most of its pixels and the few left decide its IoU; the cell above
# prints each class.) That is why
# a mean IoU "with void ignored" and one without are not comparable, and why the void convention must
# be stated. Two mistakes to avoid:
#
# - forgetting `ignore_index` when masks contain 255: our reference raises an error; Keras ≥ 3.15's
#   `MeanIoU` (and an older one on a GPU) silently drops the pixels (notebook 03), which *is* ignoring them, without saying so;
# - mapping void to background: it counts void pixels as background truth, so every correct object
#   pixel in the band becomes a background false negative.

# %%
image = int(worst[0])
show_masks(x_test[image], m_void[image], pred[image], class_names=CLASS_NAMES, title=f"Test image #{image} with its boundary band as void (white)")

# %% [markdown]
# ## 6. A reporting checklist
#
# Next to any mean IoU you publish (or paste into a Stack Overflow question), state:
#
# 1. **Split**: which data, how many images, and that the model never trained or was selected on it.
# 2. **Level**: dataset-level (one confusion matrix) or per-image (mean of image means).
# 3. **Absent classes**: excluded from the mean (our convention, Keras, scikit-learn), counted as 0, or as 1.
# 4. **Classes**: how many, and whether background is included in the mean.
# 5. **Void / ignore label**: which label, and which pixels carry it (e.g. a 2-pixel boundary band).
# 6. **Predictions**: argmax of the softmax (or the threshold, for binary tasks), at which resolution,
#    and any test-time tricks (flips, several scales, sliding windows): a paper's number often has them.
# 7. **Per-class IoU** next to the mean, and pixel accuracy only as a complement.
# 8. **Implementation**: which function computed it, ideally cross-checked against a second one.
# 9. **Uncertainty over images**: an interval (e.g. the bootstrap above), and for "A beats B" the paired one.
# 10. **Training runs**: how many runs (seeds) stand behind the number, and their spread; one run is one draw.
#
# **"Should mean IoU include the background?"** Both numbers are honest; they answer different
# questions, and a large, easy background class lifts the mean. Public benchmarks differ: Pascal VOC
# averages its object classes *and* background; Cityscapes has no background class (unlabelled pixels
# are void and ignored); binary tasks (medical images, defects) usually report the object's IoU or Dice
# alone. Keras's `MeanIoU` averages every class present; `keras.metrics.IoU(num_classes=C,
# target_class_ids=[1, ..., C-1])` averages the classes you name. Whichever you report, say which, and
# give the per-class IoU next to it. For the model above:

# %%
import keras

without_background = float(np.nanmean(per_class[1:]))
objects_only = keras.metrics.IoU(num_classes=5, target_class_ids=[1, 2, 3, 4])
objects_only.update_state(m_test, pred)
print(f"mean IoU with background {dataset_miou:.3f}, without background {without_background:.3f} "
      f"(keras.metrics.IoU over classes 1-4: {float(objects_only.result()):.3f})")
assert abs(float(objects_only.result()) - without_background) < 1e-6

# %% [markdown]
# *Asked whether mean IoU should include the background?* [Troubleshooting, entry 16](../docs/troubleshooting.md#background).
#
# For the model above, such a report reads like this:

# %%
check = keras.metrics.MeanIoU(num_classes=5)             # the cross-check the report names
check.update_state(m_test, pred)
print(f"keras.metrics.MeanIoU: {float(check.result()):.6f}; helpers.metrics.mean_iou: {dataset_miou:.6f}")
assert abs(float(check.result()) - dataset_miou) < 1e-6

mine = summarise(study_runs, "test_mean_iou", [selected])[selected]
print(f"Test split of the shapes dataset ({len(m_test)} images of 64x64), used once, after the model was "
      f"selected on the validation split ({RECIPES[selected].label}); never used in training. "
      f"Dataset-level mean IoU over 5 classes, background included, absent classes excluded, no void: "
      f"{dataset_miou:.2f}, 95 % bootstrap interval over images {lo:.2f} to {hi:.2f} (per class: "
      + ", ".join(f"{n} {v:.2f}" for n, v in zip(CLASS_NAMES, per_class)) +
      f"). Per-image mean IoU {per_image_miou:.3f}; pixel accuracy {accuracy:.3f}. One training run (seed 0); "
      f"{mine['n']} seeds of the same recipe gave {mine['min']:.2f} to {mine['max']:.2f} on this split "
      "(notebook 05's seed study). Computed with helpers.metrics.mean_iou (argmax of softmax), cross-checked "
      "with keras.metrics.MeanIoU.")
assert mine["max"] - mine["min"] > hi - lo   # the seeds move the number more than the images do (summary)


# %% [markdown]
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_06.py` (try first!).
#
# **Exercise 1.** Write `worst_images(image_ious, k)`: the indices of the `k` images with the lowest
# IoU, lowest first. Images whose IoU is NaN (nothing to score) are not "worst".

# %%
from helpers.course.checks.nb06 import check_void_band, check_worst_images


def worst_images(image_ious, k):
    ...  # your code here
    raise NotImplementedError


check_worst_images(worst_images)

# %% [markdown]
# **Exercise 2.** Write `with_void_band(masks, band)`: return a copy of the integer masks `(N, H, W)`
# where the pixels marked `True` in the boolean `band` are set to the void label 255. Do not change
# the input. (Then `M.mean_iou(with_void_band(m, b), pred, 5, ignore_index=255)` ignores them.)

# %%
def with_void_band(masks, band):
    ...  # your code here
    raise NotImplementedError


check_void_band(with_void_band)

# %% [markdown]
# ## Summary
#
# - One model, several honest numbers: dataset-level and per-image mean IoU, per-class IoU, accuracy.
#   They differ for good reasons (object sizes, images lacking classes, imbalance).
# - The confusion matrix shows where pixels go; the per-image histogram and the worst images show
#   what to fix.
# - A void band around boundaries changes the score a lot: state the convention.
# - A number needs its uncertainty: a bootstrap interval over images for "another test set", a paired
#   interval for "model A vs model B on these images", and the number of training runs (seeds) with
#   their spread for "another training run": the largest of the three here.
# - Report the split, the level, the absent-class and void conventions, the classes, per-class IoU, the
#   intervals and the number of seeds.
#
# Notebook 07 applies all of this to your own metric and data. Or go back to the question of
# notebook 01 and check your own metric:
# perfect → 1, all wrong → 0, uniform → low; one confusion matrix over the dataset; argmax, not rounding.
