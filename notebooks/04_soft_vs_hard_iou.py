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
# # 04 · Soft versus hard IoU: what a loss can optimise
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/04_soft_vs_hard_iou.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/04_soft_vs_hard_iou.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/04_soft_vs_hard_iou.ipynb)
#
# Notebooks 01 to 03 measured IoU correctly. Now we want to **train** for it. The IoU we report is
# computed on the argmax of the model's output, and the argmax has no useful gradient, so a loss has
# to work on the probabilities instead: a *soft* IoU. This notebook looks at what such losses really
# reward, including the question's `iou_loss`, which turns out to be a pixel-accuracy loss in
# disguise.
#
# **You will learn to**
# - explain why the hard IoU cannot be a loss (`tf.GradientTape` returns `None`), and write the soft IoU
#   of probabilities: $I_c = \sum y_c\,p_c$, $U_c = \sum y_c + \sum p_c - I_c$;
# - see the soft IoU meet the hard IoU as the predictions sharpen (an explorer with a temperature slider);
# - read gradient maps: where a per-class soft Jaccard loss pushes the logits, compared with the
#   question's pooled loss;
# - prove that the question's `iou_loss` is a function of soft pixel accuracy, so that it can prefer a
#   confident all-background prediction to a less confident one that finds the objects;
# - choose between Jaccard and Dice losses, know what a smoothing constant does to classes that are
#   absent, and what the Lovász-softmax loss computes (1 - IoU on one-hot predictions).
#
# **Prerequisites:** notebooks 01–03; softmax, `tf.GradientTape`. **Time:** 45 to 60 minutes, with the explorer and the exercises.
#
# The explorer needs a live kernel (JupyterLab or Colab); a static figure follows it for readers on
# GitHub or nbviewer.

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
from helpers.course.data import CLASS_NAMES
from helpers.keras import losses as L
from helpers import metrics as M
from helpers.course.data import load_shapes
from helpers.course.figures import plot_loss_push
from helpers.course.scenarios import label_probs, mediocre_logits, sharpness_stats
from helpers.course.soft_iou import (boundary_mask, logit_gradient, pooled_loss_from_accuracy, soft_iou_per_class,
                                     soft_pixel_accuracy)
from helpers.course.widgets import sharpness_explorer, sharpness_explorer_static

keras.utils.set_random_seed(0)
C = len(CLASS_NAMES)

# %% [markdown]
# ## 1. The hard IoU has no gradient
#
# Training moves the weights along the gradient of the loss. The hard IoU goes through
# `argmax`: a small change of the logits (the raw scores, explained below) almost never changes which
# class wins, so the hard IoU is
# **piecewise constant**: flat almost everywhere, with jumps where a pixel flips class. Its gradient is
# zero where it exists, and TensorFlow does not even try: `argmax` returns integers, and there is no
# gradient through integers.
#
# A word first: a network's last layer outputs one raw score per class and pixel, any real number, the
# **logits**; the softmax turns them into probabilities ($p_c = e^{z_c} / \sum_k e^{z_k}$), and the
# argmax of the logits is the argmax of the probabilities. Gradients below are taken with respect to the
# logits, as training does.
#
# We take one image of the shapes dataset and a mediocre "model": `mediocre_logits` finds the objects
# one pixel too far right, with blurred boundaries and some noise (deterministic, seeded).
#
# The hard IoU below averages over the classes present in the **truth**, the convention of the losses
# (see [the box in notebook 02](02_iou_from_first_principles.ipynb#two-conventions)), so that it is the
# number a soft loss tends to; its name says so. The metric we report, `M.mean_iou`, also counts a
# class that only the prediction has.

# %%
images, masks = load_shapes("val")
image, labels = images[1], masks[1].astype(np.int64)      # background, disc, square and a line
y_true = tf.one_hot(labels, C)                            # (64, 64, 5) one-hot truth
logits = tf.Variable(mediocre_logits(labels, strength=3.0, noise=0.5, shift=1, blur=1, seed=0))


def hard_iou_truth_classes(y_true, logits):
    """Hard IoU of the argmax, averaged over the classes present in the truth (the losses' convention)."""
    pred = tf.one_hot(tf.argmax(logits, axis=-1), C)      # argmax: integers, then one-hot
    inter = tf.reduce_sum(y_true * pred, axis=[0, 1])
    union = tf.reduce_sum(y_true, axis=[0, 1]) + tf.reduce_sum(pred, axis=[0, 1]) - inter
    present = tf.reduce_sum(y_true, axis=[0, 1]) > 0
    return tf.reduce_mean(tf.boolean_mask(inter / union, present))


with tf.GradientTape(persistent=True) as tape:
    hard = hard_iou_truth_classes(y_true, logits)
    probs = tf.nn.softmax(logits)
    soft = 1.0 - L.soft_jaccard_loss(y_true, probs)       # soft IoU of the probabilities
    question = buggy.mean_iou(y_true, probs)              # the question's metric (notebook 01)

# %% tags=["nbval-check-output"]
grad_hard = tape.gradient(hard, logits)
grad_soft = tape.gradient(soft, logits)
grad_question = tape.gradient(question, logits)
print(f"hard IoU (truth classes) = {float(hard):.4f}   gradient w.r.t. the logits: {grad_hard}")
print(f"mean IoU (metric: truth or prediction classes) = "
      f"{M.mean_iou(labels, logits.numpy().argmax(-1), num_classes=C):.4f}, the figure's number in section 3")
print(f"question's mean_iou             gradient w.r.t. the logits: {grad_question}")
print(f"soft IoU  = {float(soft):.4f}   gradient: shape {tuple(grad_soft.shape)}, "
      f"nonzero entries {np.count_nonzero(grad_soft.numpy())} of {grad_soft.numpy().size}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert grad_hard is None and grad_question is None
assert np.count_nonzero(grad_soft.numpy()) > 0.99 * grad_soft.numpy().size

# %% [markdown]
# `None` means "this value does not depend differentiably on the logits"; the question's metric
# (notebook 01) casts to integers and has no gradient either. A numerical derivative
# does no better. Nudge every logit by a tiny random amount: the hard IoU does not move at all, while
# the soft IoU does. A pixel changes class only when a nudge is larger than the gap between its two
# highest logits; then the hard IoU **jumps** by a whole pixel's worth. Either way the slope is useless.

# %% tags=["nbval-check-output"]
z = logits.numpy()
top2 = np.sort(z, axis=-1)[..., -2:]
print(f"smallest gap between a pixel's two highest logits: {(top2[..., 1] - top2[..., 0]).min():.4f}")
noise = np.random.default_rng(0).normal(size=z.shape).astype("float32")
nudged_scores = {}
for size in (1e-4, 1e-2):
    nudged = z + size * noise
    nudged_scores[size] = (float(hard_iou_truth_classes(y_true, nudged)),
                           float(1.0 - L.soft_jaccard_loss(y_true, tf.nn.softmax(nudged))))
    print(f"nudge of size {size:g}: hard IoU {float(hard):.6f} -> {nudged_scores[size][0]:.6f}   "
          f"soft IoU {float(soft):.6f} -> {nudged_scores[size][1]:.6f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert nudged_scores[1e-4][0] == float(hard) and nudged_scores[1e-4][1] != float(soft)

# %% [markdown]
# The way out: compute the IoU on the **probabilities** $p$ instead of the argmax. With one-hot truth
# $y$, for each class $c$
#
# $$I_c = \sum_{\text{pixels}} y_c\,p_c, \qquad U_c = \sum y_c + \sum p_c - I_c, \qquad
# \text{soft IoU}_c = \frac{I_c}{U_c}.$$
#
# On a one-hot prediction these are exactly the pixel counts $|A\cap B|$ and $|A\cup B|$ of notebook 02;
# on probabilities every pixel contributes a fraction. The **soft Jaccard loss** is
# $1 - \operatorname{mean}_c \text{soft IoU}_c$, the mean taken over the classes present in the truth
# (`helpers.keras.losses.soft_jaccard_loss`). It is smooth in the logits, so it has a gradient everywhere.

# %% [markdown]
# ## 2. The soft IoU meets the hard IoU as the predictions sharpen
#
# A soft IoU is only a stand-in for the hard one. How close are they? Divide the logits by a
# **temperature** $T$ before the softmax, $\operatorname{softmax}(z / T)$: a knob for how sure the
# model looks, borrowed from physics. $T < 1$ sharpens the probabilities towards the one-hot argmax,
# $T > 1$ flattens them towards uniform, and the argmax, hence the hard IoU, never changes. (All
# five classes are in the toy's truth, so both conventions of the box in notebook 02 give the same hard
# IoU here.)
#
# The explorer uses a fixed toy (48 × 48 pixels, all five classes present, a decent but imperfect
# "model"). Move the temperature slider (it moves $\log_{10} T$, so the slider's ends are
# $T \approx 0.05$ and $T \approx 5$) and watch
#
# - the probability map of the chosen class sharpen into the argmax's region (red: the true region);
# - the soft IoU climb to the hard IoU, the black line, as $T$ falls;
# - the soft Dice and the pooled soft IoU converge too, but **not** to the mean IoU.

# %%
sharpness_explorer()

# %% [markdown]
# Without a live kernel: the disc's probability at three temperatures, and the scores against $T$.

# %%
sharpness_explorer_static()

# %% [markdown]
# The numbers behind the curve, from the same pure function the explorer calls (`sharpness_stats`):

# %% tags=["nbval-check-output"]
temperatures = [5.0, 2.0, 1.0, 0.5, 0.2, 0.05]
rows = [sharpness_stats(t) for t in temperatures]
print(f"{'T':>5s} {'soft IoU':>9s} {'hard IoU':>9s} {'gap':>7s} {'soft Dice':>10s} {'pooled':>7s}")
for s in rows:
    print(f"{s['temperature']:5.2f} {s['soft_iou']:9.4f} {s['hard_iou']:9.4f} {s['gap']:7.4f} "
          f"{s['soft_dice']:10.4f} {s['pooled_soft_iou']:7.4f}")
gaps = [s["gap"] for s in rows]

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert all(a > b for a, b in zip(gaps, gaps[1:]))          # the gap shrinks as T falls ...
assert gaps[-1] < 1e-4 and min(gaps) >= 0                  # ... to (almost) nothing
assert rows[-1]["soft_dice"] > rows[-1]["hard_iou"] + 0.05  # Dice tends to the hard Dice, not the IoU
assert rows[-1]["pooled_soft_iou"] > rows[-1]["hard_iou"] + 0.05

# %% [markdown]
# Two lessons:
#
# - For this model, whose argmax is mostly right, the soft IoU is **below** the hard one at every
#   temperature, by a lot when it is unsure: a right but uncertain pixel counts only partly in the
#   intersection *and* spreads probability over the unions of other classes. A soft Jaccard loss
#   therefore also pushes a model to become **confident** where it is right.
# - As $T \to 0$ the soft IoU becomes *equal* to the hard IoU over the classes in the truth (the
#   losses' convention; the reported mean IoU differs when the prediction invents a class). The soft
#   Dice converges to the hard Dice, and the pooled soft IoU (the question's `iou_loss`, section 4) to a
#   number that depends on pixel accuracy alone: both stay well above the mean IoU.
#
# "Below" is not a law. Where the argmax is **wrong but close**, the soft IoU gives the true class the
# credit the argmax denies it. Two pixels, two classes, truth `[0, 1]`; the model says 0.6 for class
# 0 at the first pixel (right) and 0.55 for class 0 at the second (wrong, but only just):

# %% tags=["nbval-check-output"]
y_two = np.eye(2, dtype="float32")[[0, 1]]                  # truth: class 0, then class 1
p_two = np.array([[0.6, 0.4], [0.55, 0.45]], "float32")      # argmax: class 0 at both pixels
soft_two = 1.0 - float(L.soft_jaccard_loss(y_two, p_two))
hard_two = M.mean_iou([0, 1], p_two.argmax(-1), num_classes=2)
print(f"per-class soft IoU: {np.round(soft_iou_per_class(y_two, p_two, smooth=0.0).numpy(), 4)}")
print(f"soft IoU {soft_two:.4f}  >  hard IoU {hard_two:.4f}  (class 0: 1/2, class 1: 0/1)")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert round(soft_two, 3) == 0.354 and hard_two == 0.25

# %% [markdown]
# So the soft IoU bounds the hard IoU in neither direction: it is lower when the mass sits on the right
# class but not all of it, higher when the argmax is wrong by a whisker. What always holds is the limit
# $T \to 0$ above.

# %% [markdown]
# ## 3. Where the soft Jaccard loss pushes
#
# A loss acts through its gradient: for each pixel, $\partial\,\text{loss} / \partial\,\text{logits}$
# says how hard, and in which direction, training will push that pixel's scores. `logit_gradient(loss,
# y_true, logits)` returns the loss of `softmax(logits)` and that gradient. We compare the question's
# pooled `iou_loss` with the per-class soft Jaccard loss on the mediocre prediction of section 1.

# %%
y_np = np.eye(C, dtype="float32")[labels]
logits_np = logits.numpy()
pred_labels = logits_np.argmax(axis=-1)
losses_to_compare = {"pooled iou_loss (the question's)": buggy.iou_loss,
                     "per-class soft Jaccard": L.soft_jaccard_loss}
grads = {name: logit_gradient(fn, y_np, logits_np)[1] for name, fn in losses_to_compare.items()}
push = {name: np.linalg.norm(g, axis=-1) for name, g in grads.items()}   # per-pixel gradient size

plot_loss_push(labels, pred_labels, grads, focus_loss="per-class soft Jaccard", focus_class=4, class_names=CLASS_NAMES)

# %% [markdown]
# The pooled loss pushes every pixel about equally: a pixel is a pixel, whatever its class. The
# per-class loss divides each class's intersection by that class's own union, so a pixel of a small
# class weighs more: the line and the square light up, and the gradient of the 'line' logit points
# exactly along the true line. Measured as shares of the total push:

# %% tags=["nbval-check-output"]
regions = {"line pixels": labels == 4, "square pixels": labels == 2,
           "boundary pixels": boundary_mask(labels), "wrongly predicted": pred_labels != labels}
pooled_name, jaccard_name = list(push)
print(f"{'':18s} {'share of':>9s} {'share of the push':>36s}")
print(f"{'region':18s} {'pixels':>9s} {'pooled iou_loss':>18s} {'per-class Jaccard':>18s}")
share = {}
for region, where in regions.items():
    share[region] = {name: p[where].sum() / p.sum() for name, p in push.items()}
    print(f"{region:18s} {where.mean():9.4f} {share[region][pooled_name]:18.4f} {share[region][jaccard_name]:18.4f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert share["line pixels"][jaccard_name] > 3 * regions["line pixels"].mean()
assert share["square pixels"][jaccard_name] > 1.5 * regions["square pixels"].mean()
assert share["line pixels"][pooled_name] < 1.5 * regions["line pixels"].mean()
assert share["boundary pixels"][jaccard_name] > share["boundary pixels"][pooled_name]

# %% [markdown]
# The per-class soft Jaccard loss gives the thin line several times its share of pixels, and it
# leans on the boundaries more than the pooled loss does. That is the point of a per-class loss under
# class imbalance: each class counts once in the mean, however small it is, exactly like the metric.

# %% [markdown]
# ## 4. The question's `iou_loss` is a pixel-accuracy loss
#
# The question's loss flattens everything, **all classes pooled**, into one IoU with `+ 1` smoothing:
#
# ```python
# def iou_loss(y_true, y_pred):
#     y_true = tf.reshape(y_true, [-1])
#     y_pred = tf.reshape(y_pred, [-1])
#     intersection = tf.reduce_sum(tf.cast(y_true, tf.float32) * tf.cast(y_pred, tf.float32))
#     score = (intersection + 1.) / (tf.reduce_sum(tf.cast(y_true, tf.float32)) +
#     tf.reduce_sum(tf.cast(y_pred, tf.float32)) - intersection + 1.)
#     return 1 - score
# ```
#
# With one-hot targets and softmax outputs, each pixel contributes exactly 1 to `sum(y_true)` and 1 to
# `sum(y_pred)`: both sums equal the number of pixels $N$. The intersection is $\sum y\,p = aN$, where
# $a$ is the **soft pixel accuracy** (the mean probability given to the true class). So
#
# $$\texttt{iou\_loss} = 1 - \frac{aN + 1}{2N - aN + 1},$$
#
# a decreasing function of $a$ alone. Let us check it on predictions of several kinds, on 64 masks:

# %%
masks64 = masks[:64].astype(np.int64)
y64 = np.eye(C, dtype="float32")[masks64]
n_pixels = masks64.size
candidates = {
    "uniform (0.2 everywhere)": np.full_like(y64, 0.2),
    "mediocre, shifted 1 px": tf.nn.softmax(mediocre_logits(masks64, strength=3.0, noise=0.5, shift=1)).numpy(),
    "noisy, not shifted": tf.nn.softmax(mediocre_logits(masks64, strength=2.0, noise=1.0, shift=0, blur=0)).numpy(),
    "right labels, confidence 0.6": label_probs(masks64, 0.6),
    "right labels, confidence 0.95": label_probs(masks64, 0.95),
}

# %% tags=["nbval-check-output"]
print(f"{'prediction':30s} {'soft accuracy a':>15s} {'iou_loss':>9s} {'1-(aN+1)/(2N-aN+1)':>19s}")
gaps_to_formula = []
for name, p in candidates.items():
    a = soft_pixel_accuracy(y64, p)
    loss = float(buggy.iou_loss(y64, p))
    formula = pooled_loss_from_accuracy(a, n_pixels)
    print(f"{name:30s} {a:15.4f} {loss:9.4f} {formula:19.4f}")
    gaps_to_formula.append(abs(loss - formula))

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert max(gaps_to_formula) < 1e-5

# %% [markdown]
# Equal to float32 rounding, for every prediction. The loss never looks at *which* classes the accuracy
# comes from. On the shapes data most pixels are background, so confidence about background raises $a$
# as much as finding objects does. Compare three predictions of the same 64 masks:
#
# 1. **all background**, confidently: probability 0.97 on background at every pixel;
# 2. **finds the objects**, less confidently and slightly misplaced: the true labels shifted one pixel
#    right, with probability 0.8 on the predicted class;
# 3. **finds the objects** in the same places, **as confidently** as prediction 1 (0.97).

# %%
all_background = label_probs(np.zeros_like(masks64), 0.97)
finds_objects = label_probs(np.roll(masks64, 1, axis=2), 0.8)
finds_objects_sure = label_probs(np.roll(masks64, 1, axis=2), 0.97)

# %% tags=["nbval-check-output"]
print(f"background share of the pixels: {(masks64 == 0).mean():.4f}")
print(f"{'':26s} {'soft acc.':>9s} {'iou_loss':>9s} {'per-class':>10s} {'pixel acc.':>10s} {'mean IoU':>9s}")
print(f"{'':26s} {'':>9s} {'(pooled)':>9s} {'Jaccard':>10s} {'(argmax)':>10s} {'(argmax)':>9s}")
table = {}
for name, p in {"1. all background (0.97)": all_background, "2. finds objects (0.8)": finds_objects,
                "3. finds objects (0.97)": finds_objects_sure}.items():
    table[name] = (soft_pixel_accuracy(y64, p), float(buggy.iou_loss(y64, p)), float(L.soft_jaccard_loss(y64, p)),
                   M.pixel_accuracy(masks64, p.argmax(-1)), M.mean_iou(masks64, p.argmax(-1), num_classes=C))
    print(f"{name:26s} " + " ".join(f"{v:9.4f}" for v in table[name]))
bg, obj, obj_sure = table.values()

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert bg[1] < obj[1]        # the question's pooled loss prefers 1 to 2 ...
assert bg[2] > obj[2]        # ... the per-class soft Jaccard loss prefers 2 ...
assert bg[4] < obj[4]        # ... and so does the true mean IoU, by far
assert bg[3] < obj[3]        # (even the hard pixel accuracy does: only the *soft* accuracy is fooled)
assert obj_sure[1] < bg[1]   # at equal confidence the pooled loss prefers 3 to 1

# %% [markdown]
# What the pooled loss really does: it ranks predictions by soft pixel accuracy and by nothing else.
# At equal confidence (1 against 3) the prediction that finds the objects has the higher soft accuracy,
# and the pooled loss prefers it too. It ranks the useless prediction 1 above prediction 2 only because
# 1 is more confident: confidence on background pixels is worth as much to it as finding object
# pixels, since an object pixel counts no more than a background pixel. The per-class soft Jaccard
# loss, like the mean IoU, ranks 2 above 1, by a wide margin here (the table above): each class counts once, so missing
# four classes out of five costs most of the score. Notebook 05 trains the question's recipe to see
# what this does in training.

# %% [markdown]
# **What collapse to background looks like.** A model pulled towards prediction 1 shows it in the
# per-class IoU long before anyone looks at the masks: background keeps a high IoU (its share of the
# pixels), and every object class sits at 0, because its **column** of the confusion matrix is empty:
# the class is never predicted. Pixel accuracy stays high all the while.

# %% tags=["nbval-check-output"]
collapsed = all_background.argmax(-1)
for name, value in zip(CLASS_NAMES, M.per_class_iou(masks64, collapsed, num_classes=C)):
    print(f"{name:10s} IoU {value:.4f}")
print(f"columns of the confusion matrix (pixels predicted as each class): "
      f"{M.confusion_matrix(masks64, collapsed, num_classes=C).sum(axis=0).tolist()}")
print(f"pixel accuracy {M.pixel_accuracy(masks64, collapsed):.4f}, mean IoU {M.mean_iou(masks64, collapsed, num_classes=C):.4f}")

# %% [markdown]
# What to try when one class (or all but background) stays at IoU 0, in this order:
#
# 1. **Check the labels** (notebook 02, "Check your labels first"): is the class in the training
#    masks at all, and how rare is it?
# 2. **Use a per-class loss**: the per-class soft Jaccard or Dice loss, or cross-entropy plus a
#    per-class Jaccard term (`helpers.keras.losses.ce_jaccard_loss`), not a loss pooled over all classes.
# 3. **Weight the rare classes** in cross-entropy (a per-pixel `sample_weight` from the class of each
#    pixel), or sample more images that contain them.
# 4. **Fine-tune with Lovász-softmax** (section 6) once the model finds the objects.
#
# And watch the per-class IoU on validation data while training, not only the mean or the accuracy.
# *Seeing one class stuck at IoU 0, or accuracy high while the masks are all background?*
# [Troubleshooting, entries 14 and 15](../docs/troubleshooting.md#accuracy-high).

# %% [markdown]
# ## 5. Choices inside a soft IoU loss
#
# ### Per class, over the classes present
#
# `helpers.keras.losses.soft_jaccard_loss` computes one soft IoU per class over the whole batch and averages
# the classes **present in the batch's truth** (the convention of Berman et al., 2018). A class that is
# absent has no IoU (notebook 02), so it is left out rather than given a made-up value. The last part
# of this section, "The smoothing constant and empty classes", shows what the alternatives do.
#
# ### Jaccard or Dice?
#
# The Dice coefficient $D = \frac{2|A\cap B|}{|A| + |B|}$ is tied to the IoU $J$ by $D = \frac{2J}{1+J}$
# (notebook 02), and its soft version is $\frac{2 I_c}{\sum y_c + \sum p_c}$. Since $D \ge J$, a Dice
# loss reports smaller numbers than a Jaccard loss for the same prediction. How do their *gradients*
# compare? On 16 masks, predictions from poor to nearly perfect (`mediocre_logits` with a growing
# `strength`, no shift):

# %% tags=["nbval-check-output"]
masks16 = masks[:16].astype(np.int64)
y16 = np.eye(C, dtype="float32")[masks16]
every_class_present = set(np.unique(masks16)) == set(range(C))   # then both conventions agree
strengths = [0.5, 1.0, 2.0, 4.0, 8.0, 12.0]
print(f"{'strength':>8s} {'mean IoU':>9s} {'Jaccard loss':>13s} {'Dice loss':>10s} "
      f"{'|grad J|':>10s} {'|grad D|':>10s} {'ratio D/J':>10s}")
ratios, jaccard_losses, dice_losses = [], [], []
for s in strengths:
    z = mediocre_logits(masks16, strength=s, noise=1.0, shift=0, blur=0, seed=0)
    loss_j, grad_j = logit_gradient(L.soft_jaccard_loss, y16, z)
    loss_d, grad_d = logit_gradient(L.soft_dice_loss, y16, z)
    ratios.append(np.linalg.norm(grad_d) / np.linalg.norm(grad_j))
    jaccard_losses.append(loss_j)
    dice_losses.append(loss_d)
    print(f"{s:8.1f} {M.mean_iou(masks16, z.argmax(-1), num_classes=C):9.4f} {loss_j:13.4f} {loss_d:10.4f} "
          f"{np.linalg.norm(grad_j) * 1e3:10.4f} {np.linalg.norm(grad_d) * 1e3:10.4f} {ratios[-1]:10.4f}")
print("(gradient norms over all logits, × 1000)")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert every_class_present
assert ratios[0] > 1.5 and ratios[-1] < 0.55 and all(a > b for a, b in zip(ratios, ratios[1:]))
assert all(d < j for d, j in zip(dice_losses, jaccard_losses))                  # Dice: the gentler score
assert all(a > b for a, b in zip(jaccard_losses, jaccard_losses[1:]))           # same ranking
assert all(a > b for a, b in zip(dice_losses, dice_losses[1:]))

# %% [markdown]
# The Dice loss is the *gentler score* but not the flatter loss on poor predictions: there its gradient
# is clearly larger than the Jaccard loss's (for a hard mask, $\frac{dD}{dJ} = \frac{2}{(1+J)^2}$, which
# is 2 at $J = 0$). Near a perfect prediction it drops to about half ($\frac{dD}{dJ} = \frac12$ at
# $J = 1$): the Jaccard loss keeps pushing harder on the last wrong pixels, which are exactly what
# separates a good IoU from a very good one. Both rank predictions the same way here; the Jaccard loss
# is the one that equals $1 -$ IoU on one-hot predictions.
#
# ### The smoothing constant and empty classes
#
# Many soft IoU losses add a constant to numerator and denominator, $\frac{I_c + s}{U_c + s}$, against
# division by zero, and average over **all** classes. For a class absent from the truth ($I_c = 0$,
# $\sum y_c = 0$) the term becomes $\frac{s}{\sum p_c + s}$: with $s = 1$ it is about 1 when the model
# puts (almost) no probability on the class, and it falls quickly as soon as it puts any. We take a
# shapes image without a line, a decent prediction, and set the probability of 'line' to a value $m$ at
# every pixel (the other classes rescaled so that each pixel still sums to 1). `soft_iou_per_class`
# returns the soft IoU of every class, absent ones included.

# %% tags=["nbval-check-output"]
labels34 = masks[34].astype(np.int64)                      # disc, square, triangle; no line
y34 = np.eye(C, dtype="float32")[labels34]
base = tf.nn.softmax(mediocre_logits(labels34, strength=4.0, noise=0.5, shift=0)).numpy()
print(f"pixels per class: {np.bincount(labels34.ravel(), minlength=C)}  ('line' absent)")
print(f"{'m':>7s} {'sum p_line':>10s} {'line term, s=1':>15s} {'all classes, s=1':>17s} "
      f"{'all, s=0':>9s} {'present only':>13s}")
smoothing = []
for m in [0.0, 1e-4, 1e-3, 1e-2]:
    p = base.copy()
    p[..., 4] = 0.0
    p = p / p.sum(-1, keepdims=True) * (1.0 - m)
    p[..., 4] = m
    s1 = soft_iou_per_class(y34, p, smooth=1.0).numpy()
    s0 = soft_iou_per_class(y34, p, smooth=0.0).numpy()
    row = (m, p[..., 4].sum(), s1[4], 1 - s1.mean(), 1 - s0.mean(), float(L.soft_jaccard_loss(y34, p)))
    smoothing.append(row)
    print(f"{row[0]:7.4f} {row[1]:10.2f} {row[2]:15.4f} {row[3]:17.4f} {row[4]:9.4f} {row[5]:13.4f}")
line_term = [r[2] for r in smoothing]
all_s1 = [r[3] for r in smoothing]
present_only = [r[5] for r in smoothing]

p_var = tf.Variable(p)                                     # the last row, m = 0.01
with tf.GradientTape() as tape:
    smoothed_loss = 1.0 - tf.reduce_mean(soft_iou_per_class(y34, p_var, smooth=1.0))
grad_p = tape.gradient(smoothed_loss, p_var).numpy()
print(f"d loss / d p_line > 0 at {np.mean(grad_p[..., 4] > 0):.0%} of the pixels")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert abs(line_term[0] - 1) < 1e-6 and line_term[-1] < 0.05
assert max(all_s1) - min(all_s1) > 0.15 and max(present_only) - min(present_only) < 0.02
assert (grad_p[..., 4] > 0).all()                          # the loss falls wherever p_line falls

# %% [markdown]
# With smoothing over all classes, the empty class is worth a whole class's share of the score:
# free points when the model predicts nothing of it, and a large change of the loss for a tiny
# probability spread over the image; the loss over the present classes only (last column) hardly
# moves. Its gradient always says "less of this class", on every pixel (the last line printed above). Without smoothing
# (`s = 0`) the empty class is stuck at 0: a constant penalty that no prediction can remove. Only
# **leaving absent classes out** (the last column, our default) makes the loss depend on the classes
# that are there. (If you smooth, do it per batch rather than per image, with a small `s`, and
# still average over the present classes.)

# %% [markdown]
# ## 6. Lovász-softmax: a surrogate built for IoU
#
# The soft Jaccard loss replaces counts by probabilities. Berman, Rannen Triki and Blaschko (CVPR 2018)
# took another route. For one class, the Jaccard loss $1 - J$ is a function of the *set* of mispredicted
# pixels. The **Lovász extension** turns such a set function into a function of a vector of pixel
# errors $m_i = |y_i - p_i| \in [0, 1]$: sort the errors in decreasing order and weight each one by how
# much the Jaccard loss grows when that pixel joins the mispredicted set (`helpers.keras.losses.lovasz_grad`).
# The Jaccard loss is **submodular**: one more wrong pixel costs less when many pixels are already
# wrong than when few are (diminishing returns). For such set functions the Lovász extension is
# **convex** in the errors and piecewise linear, and on 0/1 errors it is exactly $1 - J$.
# `lovasz_softmax_loss` averages it over the classes present in the truth (the losses' convention of
# [the box in notebook 02](02_iou_from_first_principles.ipynb#two-conventions)), so on a one-hot
# prediction it equals $1 -$ the mean IoU over the classes in the truth. All five classes are in these
# 16 masks, so that is also $1 -$ the reported mean IoU here. First the exactness, on one-hot versions of
# the predictions above:

# %% tags=["nbval-check-output"]
exactness = []
for s in strengths[:4]:
    z = mediocre_logits(masks16, strength=s, noise=1.0, shift=0, blur=0, seed=0)
    one_hot = np.eye(C, dtype="float32")[z.argmax(-1)]
    lovasz = float(L.lovasz_softmax_loss(y16, one_hot))
    hard_loss = 1 - M.mean_iou(masks16, z.argmax(-1), num_classes=C)
    print(f"strength {s:4.1f}: Lovász on the one-hot argmax = {lovasz:.4f}, 1 - mean IoU = {hard_loss:.4f}")
    exactness.append(abs(lovasz - hard_loss))

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert max(exactness) < 1e-5

# %% [markdown]
# And on the soft predictions themselves, next to the soft Jaccard and Dice losses:

# %% tags=["nbval-check-output"]
print(f"{'strength':>8s} {'1 - mean IoU':>13s} {'soft Jaccard':>13s} {'soft Dice':>10s} {'Lovász':>8s}")
lovasz_rows = []
for s in strengths:
    p = tf.nn.softmax(mediocre_logits(masks16, strength=s, noise=1.0, shift=0, blur=0, seed=0))
    target = 1 - M.mean_iou(masks16, p.numpy().argmax(-1), num_classes=C)
    row = (target, float(L.soft_jaccard_loss(y16, p)), float(L.soft_dice_loss(y16, p)),
           float(L.lovasz_softmax_loss(y16, p)))
    lovasz_rows.append(row)
    print(f"{s:8.1f} " + f"{row[0]:13.4f} {row[1]:13.4f} {row[2]:10.4f} {row[3]:8.4f}")

# %%
# ✔ Check: the claims in the text hold for the numbers above (run by the course's tests).
assert all(a[k] > b[k] for a, b in zip(lovasz_rows, lovasz_rows[1:]) for k in (1, 2, 3))  # all fall
assert all(lovasz < min(jaccard, dice) for _, jaccard, dice, lovasz in lovasz_rows)   # lowest in every row
assert all(abs(lovasz - t) < min(abs(jaccard - t), abs(dice - t))                      # decent predictions:
           for t, jaccard, dice, lovasz in lovasz_rows if t < 0.5)                     # closest to 1 - IoU

# %% [markdown]
# All three losses fall as the predictions improve, and Lovász is the lowest of the three in every
# row. For the poor predictions (the first rows) which loss is closest to $1 - \text{IoU}$ changes
# from row to row. In the rows where $1 - \text{IoU}$ is below one half (the last rows), Lovász is the
# closest, while the soft Jaccard loss stays high for a prediction that is right but unsure, as
# section 2 showed. That is what this one family of synthetic predictions shows (16 images, one noise
# pattern, a few strengths), not a law: on other predictions the order can differ, so check it on
# your own model's outputs before relying on it. Lovász-softmax is a bit slower (one sort
# of all pixels per class) and is usually combined with cross-entropy or used to fine-tune. Notebook
# 05 compares these losses in training.

# %% [markdown]
# ## Exercises
#
# Replace each `...` with your code and run the check below it: it answers ✅, or ❌ with a hint.
# Solutions: `notebooks/solutions/solutions_04.py` (try first!).
#
# **Exercise 1.** Write `soft_iou(y, p)`: the soft IoU of one class, from its 0/1 truth mask `y` and
# the predicted probabilities `p` of that class (same shape), as a float. No smoothing.

# %%
from helpers.course.checks.nb04 import check_dice_from_jaccard, check_soft_iou


def soft_iou(y, p):
    ...  # your code here
    raise NotImplementedError


check_soft_iou(soft_iou)

# %% [markdown]
# **Exercise 2.** Two masks have IoU `j`. Write `dice_from_jaccard(j)`: their Dice coefficient.

# %%
def dice_from_jaccard(j):
    ...  # your code here
    raise NotImplementedError


check_dice_from_jaccard(dice_from_jaccard)

# %% [markdown]
# ## Summary
#
# - The hard IoU goes through `argmax`: piecewise constant, no gradient (`tape.gradient` returns `None`).
#   Losses use the soft IoU of the probabilities, $I_c = \sum y_c p_c$, $U_c = \sum y_c + \sum p_c - I_c$.
# - As predictions sharpen ($T \to 0$) the soft IoU becomes the hard IoU over the classes in the truth
#   (the losses' convention, box in notebook 02). It is below the hard IoU when the model is right but
#   unsure, and can be above it when the argmax is wrong by a whisker (0.354 against 0.25 above).
# - A per-class soft Jaccard loss pushes hardest on small classes and boundaries: each class counts
#   once, as in the mean IoU.
# - The question's pooled `iou_loss` is $1 - \frac{aN + 1}{2N - aN + 1}$, a function of soft pixel
#   accuracy: at equal confidence it prefers the prediction that finds the objects, but a more confident
#   "background everywhere" beats a less confident one that finds them.
# - Average the soft IoU over the classes **present**; a `+ 1` smoothing over all classes turns every
#   empty class into free points and a push towards predicting nothing.
# - Dice is the more lenient score; its loss pushes harder than Jaccard on poor predictions and half as
#   hard near perfect ones.
# - Lovász-softmax equals $1 -$ the IoU over the classes in the truth on one-hot predictions, is convex
#   in the pixel errors, and, on this notebook's synthetic predictions with $1 - \text{IoU}$ below one half,
#   was closer to $1 - \text{IoU}$ than the soft Jaccard and Dice losses (one family of predictions: check yours).
#
# **Next:** 05 — training a small UNet with five losses.
