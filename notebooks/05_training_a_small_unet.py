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
# # 05 · Training a small UNet with five losses
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/05_training_a_small_unet.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/05_training_a_small_unet.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/05_training_a_small_unet.ipynb)
#
# Time to train. We take a small UNet and the synthetic shapes dataset and train it with the question's
# exact recipe and with standard alternatives, changing only the recipe. Every run logs three numbers
# side by side: pixel accuracy, the question's `mean_iou`, and the true dataset-level mean IoU
# (`StreamingMeanIoU`).
#
# Then we ask the question a careful reader should ask of any training comparison: **would it come out
# the same with another seed, or on another machine?** One training run is one draw from a
# distribution. A committed *seed study* trained every recipe from 5 seeds under 2 execution settings,
# and every conclusion of this notebook rests on it, not on the single run you watch here.
#
# **You will learn to**
# - train a segmentation model with cross-entropy, soft Jaccard, CE + Jaccard and Lovász-softmax;
# - select a model on **validation** data, and touch the test split once, after selecting;
# - tell a real difference between recipes from seed noise, and judge a loss and an optimiser apart;
# - see what the question's pooled `iou_loss` does on imbalanced data, and why accuracy and the buggy
#   metric did not tell;
# - answer the asker's follow-up, "should I monitor cross-entropy or IoU?", with evidence.
#
# Training takes about 3 minutes on 2 CPU cores (measured: `benchmarks/RESULTS.md`); on Colab the same code uses the GPU.
# "Mean IoU" here is dataset-level, over the classes present in the truth or the prediction (the
# metric's convention, in [notebook 02's conventions box](02_iou_from_first_principles.ipynb#two-conventions)).
#
# **Prerequisites:** notebooks 01–04. **Time:** about 40 minutes.

# %%
# Set-up (run me first). Makes the course's `helpers` importable: from the repository around this
# notebook, or (Colab, Kaggle, any Jupyter elsewhere) from a copy of the course downloaded once. It
# installs nothing: the TensorFlow, Keras and ipywidgets already here are used (Colab and Kaggle ship theirs).
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # oneDNN CPU kernels on (TensorFlow enables them only on some CPUs)
REPO_URL, BRANCH = "https://github.com/iou-lab/iou-lab", "main"


def _course_folder():
    """(folder, downloaded): the repository around this notebook or installed with pip, else a copy."""
    import importlib.util
    spec = importlib.util.find_spec("helpers")
    installed = os.path.dirname(os.path.dirname(spec.origin)) if spec and spec.origin else ""
    for folder in (os.path.abspath(".."), os.path.abspath("."), installed):
        if folder and os.path.isfile(os.path.join(folder, "helpers", "course.py")):
            return folder, False
    if "google.colab" in sys.modules:
        folder = "/content/iou-lab"
    elif os.path.isdir("/kaggle/working"):
        folder = "/kaggle/working/iou-lab"
    else:  # any other Jupyter: a cache folder (delete it to download the course again)
        folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "iou-lab")
    if not os.path.isfile(os.path.join(folder, "helpers", "course.py")):
        import shutil, tempfile, urllib.request, zipfile
        print("Downloading the course (once) from", REPO_URL, "into", folder)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                archive = os.path.join(tmp, "course.zip")
                urllib.request.urlretrieve(REPO_URL + "/archive/refs/heads/" + BRANCH + ".zip", archive)
                with zipfile.ZipFile(archive) as zf:
                    zf.extractall(os.path.join(tmp, "x"))
                (top,) = os.listdir(os.path.join(tmp, "x"))
                shutil.rmtree(folder, ignore_errors=True)
                os.makedirs(os.path.dirname(folder), exist_ok=True)
                shutil.move(os.path.join(tmp, "x", top), folder)
        except Exception as exc:
            raise RuntimeError(f"Could not download the course from {REPO_URL} ({exc!r}). On Kaggle, turn on "
                               "Internet in the notebook's settings; elsewhere, clone the repository and open "
                               "the notebooks in its notebooks/ folder.") from exc
    return folder, True


COURSE_DIR, _downloaded = _course_folder()
if COURSE_DIR not in sys.path:
    sys.path.insert(0, COURSE_DIR)
if _downloaded:
    os.chdir(os.path.join(COURSE_DIR, "notebooks"))
from helpers.doctor import fix_hint, probe_import
_tf = probe_import("tensorflow")  # imports TensorFlow quietly (no start-up banner); never raises
if _tf.version is None:  # say what is wrong; notebook 00's environment check still runs
    print(f"Problem: TensorFlow is {_tf.describe()}.\nFix: {fix_hint(_tf)}\n"
          "Notebook 00's environment check (or `python -m helpers.doctor`) checks everything else.")

# %%
import numpy as np
import tensorflow as tf

from helpers import CLASS_NAMES
from helpers import study as S
from helpers.claims import claim
from helpers.data import class_frequencies, load_shapes
from helpers.model import build_unet
from helpers.plotting import (gallery_indices, plot_history, plot_per_class_iou, plot_seed_study,
                              show_gallery)
from helpers.training import (LIVE_RECIPES, RECIPES, QUESTION_SPREAD_MAX, SELECTED_TEST_FLOOR, SELECTED_VAL_FLOOR,
                              SHORT_LABELS, UNET, evaluate_model, load_training_data,
                              save_model_weights, save_selection, train_recipe)

# %% [markdown]
# ## 1. The data
#
# The shapes dataset has 1,000 training, 250 validation and 250 test images of 64 × 64 pixels, with
# five classes: background, disc, square, triangle and a thin line. A class is a **shape**, not a
# colour: every shape gets a random colour on a textured background, so the model must learn
# geometry. Like real segmentation data, it is imbalanced:

# %% tags=["nbval-check-output"]
x_train, y_train, x_val, y_val = load_training_data()          # one-hot masks, as in the question
m_val = y_val.argmax(-1)                                        # integer masks for evaluation
print(f"train {x_train.shape} masks {y_train.shape}; val {x_val.shape}")
freq = class_frequencies(y_train.argmax(-1), num_classes=5)
for name, f in zip(CLASS_NAMES, freq):
    print(f"{name:10s} {100 * f:5.1f} % of training pixels")

# %%
show_gallery(x_train, y_train.argmax(-1), indices=gallery_indices(y_train.argmax(-1)), title="Training images and their masks")

# %% [markdown]
# The **test split stays in its box** until section 7: we compare and select on validation data only,
# then evaluate the one model we selected on test data once. A test number that helped choose a model
# is no longer an estimate of how it does on new data.
#
# ## 2. The model, and where it trains
#
# `helpers.model.build_unet` builds a small UNet: an encoder of three levels (two 3 × 3 convolutions
# and max pooling each), a bottleneck, a decoder that upsamples and concatenates the encoder's
# features (the skip connections), and the question's head: `Conv2D(5, 1, activation="softmax")`.

# %% tags=["nbval-check-output"]
model = build_unet(num_classes=5, **UNET)
print(f"{model.name}: input {model.input_shape}, output {model.output_shape}, "
      f"{model.count_params():,} parameters")

# %%
gpus = tf.config.list_physical_devices("GPU")
print("training on:", f"GPU ({len(gpus)}: {gpus[0].name})" if gpus else "CPU")
print("Keras compiles with XLA (jit_compile='auto'):", "yes (a GPU is visible)" if gpus else
      "no on CPU (Keras turns XLA on by default only when a GPU is visible)")

# %% [markdown]
# On a Colab GPU, Keras compiles the training step **and the metrics** with XLA. Every metric and loss
# here works under XLA (notebook 03 checks `StreamingMeanIoU` with `jit_compile=True`).
#
# **On Colab, to train on a GPU:** *Runtime → Change runtime type →* choose a GPU (e.g. T4) → *Save*.
# The runtime restarts with nothing in memory: run the set-up cell and this notebook again from the top;
# the cell above then says "GPU". What changes: the training step runs on the GPU and Keras compiles it
# with XLA by itself (`jit_compile="auto"`), so the printed numbers differ a little from the ones saved
# here (other hardware, other arithmetic: one more draw of the spread in section 5), and the course's
# metrics keep their behaviour (a bad label gives NaN and an error instead of being dropped). Nothing
# needs installing; never `pip install` the course's requirements on Colab.
#
# ## 3. The recipes
#
# | recipe | loss | optimiser | trained |
# | --- | --- | --- | --- |
# | (a) the question's | pooled `iou_loss` (one IoU over all classes and pixels) | **question's**: `Adam(learning_rate=0.003, clipvalue=0.7)`, constant | live + study |
# | (b) | categorical cross-entropy | **common**: Adam, 0.003 with cosine decay to 0 | study |
# | (c) | per-class soft Jaccard over present classes | common | live + study |
# | (d) | 0.5 × cross-entropy + 0.5 × per-class soft Jaccard | common | study |
# | (e) | Lovász-softmax, **fine-tuning** the weights of (b) for 3 epochs | Adam, 0.001 with cosine decay | study |
# | (f) control | the question's pooled `iou_loss` | common | study |
# | (g) control | categorical cross-entropy | question's | study |
#
# Recipe (a) changes two things at once compared with (b): the loss *and* the optimiser. The two
# controls separate them: (a) vs (f) and (g) vs (b) change only the optimiser; (f) vs (b) and
# (a) vs (g) change only the loss.
#
# Why fine-tune for (e)? Lovász-softmax is a piecewise-linear surrogate of IoU: near a random
# initialisation, where every pixel is wrong, its gradient is spread thinly over the sorted errors
# and training starts slowly. Berman et al. (2018) report their best results by training with
# cross-entropy first and fine-tuning with Lovász-softmax, and we follow them: (e) is "(b), then
# Lovász", and its time counts on top of (b)'s.
#
# **Live**, this notebook trains two recipes, from seed 0, 7 epochs each, batch 8: the question's (a)
# and per-class soft Jaccard (c), the most reliable recipe of the study (section 5). They differ in the
# loss *and* the optimiser; section 6 separates the two with the study's controls. Each takes a
# minute or two on 2 CPU cores; the other five would take several more minutes and add nothing you
# cannot read in the study's numbers, so they come from the committed seed study only (section 5).
# Each live run logs `accuracy` (pixel accuracy), `question_mean_iou` (the buggy metric) and
# `mean_iou` (`StreamingMeanIoU`), on training batches and on the validation split (`val_...`).
#
# *Extra:* `train_recipe` wraps `fit` in `helpers.runtime.tf_data_autotune_off()`. With NumPy arrays,
# TensorFlow 2.20 and 2.21 can sit idle for about 10 s before an epoch's first batch (a `tf.data`
# autotuning wait, [troubleshooting, entry 21](../docs/troubleshooting.md#epoch-stall)). On our
# 2-core CPU, turning autotuning off removed the wait and trained the same weights, bit for bit; if
# your epochs look uneven, time one with and without it.

# %%
data = (x_train, y_train, x_val, y_val)
results = {}
results["a"] = train_recipe("a", data)

# %%
results["c"] = train_recipe("c", data)

# keep the trained weights for notebook 06 (data/cache/, ignored by git; 06 retrains if they are missing)
for key, result in results.items():
    save_model_weights(result.model, key)
assert tuple(results) == LIVE_RECIPES

# %% [markdown]
# ## 4. Training curves, and the choice on validation data
#
# Solid lines: training batches; dashed: validation. Losses of different recipes are on different
# scales, so compare their *shapes*, and compare the recipes on the metrics. The two IoU panels share
# one 0–1 axis, so a metric that barely moves looks flat.

# %%
histories = {RECIPES[k].label: r.history for k, r in results.items()}
plot_history(histories, metrics=("loss", "mean_iou", "accuracy", "question_mean_iou"),
             title="Live runs: same model, seed and data")

# %% [markdown]
# Every number in the next table is computed on the **validation** split, by the NumPy reference from
# the predicted label maps: dataset-level mean IoU, the mean IoU of the four object classes, pixel
# accuracy, and the question's metric (as Keras would log it: its mean over batches of 8).

# %%
val = {key: evaluate_model(r.model, x_val, m_val) for key, r in results.items()}
print(f"{'recipe (validation split)':44s} {'mean IoU':>8s} {'objects':>8s} {'accuracy':>8s} {'question':>8s}")
for key, v in val.items():
    print(f"{RECIPES[key].label:44s} {v['mean_iou']:8.3f} {np.mean(v['per_class_iou'][1:]):8.3f} "
          f"{v['pixel_accuracy']:8.3f} {v['question_mean_iou']:8.3f}")
selected = max(val, key=lambda k: val[k]["mean_iou"])
save_selection(selected)   # notebook 06 evaluates this model
print(f"selected on validation mean IoU: {RECIPES[selected].label}")
claim(val[selected]["mean_iou"] >= SELECTED_VAL_FLOOR,
      f"the recipe selected on validation reaches a validation mean IoU >= {SELECTED_VAL_FLOOR}",
      observed=f"{val[selected]['mean_iou']:.3f}", study="see section 5")

# %% [markdown]
# These are one seed's numbers on your machine. Before reading anything into them, look at how much
# they move between seeds and machines.
#
# ## 5. One run is one draw: the seed study
#
# `make seeds` (`tools/seed_study.py`, about an hour on 2 CPU cores; not part of the tests) trained
# every recipe from seeds 0–4 under two execution settings that change the arithmetic the way
# different machines do: 2 CPU threads and 1 CPU thread (the order of floating-point sums changes).
# Same seed and setting on the same machine give the same numbers bit for bit, so re-running the
# notebook will not show you this variation; a new seed or a new machine will. (On the study's
# machine, this notebook's live runs, seed 0 with 2 threads and oneDNN on as the set-up cell sets it,
# give the study's seed-0 numbers.) The results are committed in `data/seed_study/`, with the
# versions and the CPU they were measured on:

# %% tags=["nbval-check-output"]
study = S.load_study()
runs = study["runs"]
for name, meta in study["settings"].items():
    print(f"{name}: {meta['setting_help']}; TF {meta['tensorflow']}, Keras {meta['keras']}, {meta['cpu']}")
keys = list(RECIPES)
print(f"{len(runs)} runs: {len(keys)} recipes x {len({r['seed'] for r in runs})} seeds "
      f"x {len(study['settings'])} settings")
for split in ("val", "test"):
    summary = S.summarise(runs, f"{split}_mean_iou", keys)
    print(f"\n{split} mean IoU, over seeds and settings:")
    for key in keys:
        print(f"  {RECIPES[key].label:44s} {S.describe_range(summary[key])}")

# %%
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
settings = {k: [r["setting"] for r in runs if r["recipe"] == k] for k in keys}
plot_seed_study({k: S.metric_values(runs, k, "val_mean_iou") for k in keys}, labels=SHORT_LABELS,
                settings=settings, live={k: val[k]["mean_iou"] for k in val}, ax=axes[0],
                title="Validation mean IoU (every run; ◆ this notebook's)")
plot_seed_study({k: S.metric_values(runs, k, "val_object_mean_iou") for k in keys}, labels=SHORT_LABELS,
                settings=settings, live={k: float(np.mean(val[k]["per_class_iou"][1:])) for k in val},
                ax=axes[1], title="Validation mean IoU of the 4 object classes", ylabel="")
fig.tight_layout()

# %% [markdown]
# Your live run (◆) is one more draw. Two things stand out in the plot: most recipes have a long tail
# downwards, and the tails are not noise in the last decimal. Looking at the per-class IoU of each run
# shows what a low run is: a model that **lost a class**, one it (almost) never predicts. The next cell
# counts, for each recipe, the runs in which some class ended below IoU 0.05 on validation data:

# %% tags=["nbval-check-output"]
from collections import Counter

lost = {}
for key in keys:
    recipe_runs = [r for r in runs if r["recipe"] == key]
    lost[key] = [S.lost_classes(r) for r in recipe_runs]
    n_lost = sum(bool(x) for x in lost[key])
    which = Counter(CLASS_NAMES[k] for x in lost[key] for k in x)
    print(f"{RECIPES[key].label:52s} lost a class in {n_lost}/{len(recipe_runs)} runs"
          + (f"  ({', '.join(f'{n} x{c}' for n, c in which.items())})" if which else ""))
bad_group = [(r["seed"], r["setting"]) for r in runs if r["recipe"] == "b" and S.lost_classes(r)]
print("runs of cross-entropy (b) that lost a class:", bad_group)

# %% [markdown]
# - **Per-class soft Jaccard (c) never lost a class**, in any run. Every other recipe did at least once.
# - The recipes built on cross-entropy, (b), (d), (e) and (g), lost one only in the same (seed, setting)
#   printed above: that seed's initial weights and data order sank all of them, and (c) came through.
# - The pooled loss lost a class in most of its runs, with either optimiser ((a), (f)); the line, the
#   rarest class, most often.
#
# Rankings by the mean hide this, so compare recipes **pair by pair** (same seed, same setting): a
# ranking is worth stating only if it holds in every pair.

# %% tags=["nbval-check-output"]
def compare(first, second, metric="val_mean_iou"):
    d = S.paired_difference(runs, first, second, metric)
    verdict = ("holds in every pair" if d["min"] > 0 else "reversed in every pair" if d["max"] < 0
               else "no ranking: it depends on the seed")
    print(f"({first}) - ({second}) {metric}: mean {d['mean']:+.3f}, range {d['min']:+.3f} to {d['max']:+.3f}, "
          f"({first}) higher in {d['wins']}/{d['n']} pairs -> {verdict}")
    return d


pairs = {(x, y): compare(x, y) for x, y in [("c", "b"), ("e", "b"), ("d", "b"), ("d", "c"), ("c", "a")]}

# %% [markdown]
# What the study supports:
#
# - **Per-class Jaccard (c) beats plain cross-entropy (b)** in every pair, and so do CE + Jaccard (d)
#   and Lovász fine-tuning (e), which starts from (b).
# - **(d) against (c): no ranking.** (d) is higher in most pairs, by a little, but it lost a class once
#   and (c) never did: the reliable choice is (c).
# - **(c) against the question's recipe (a): no ranking either**, although (c) is higher in most pairs:
#   on a lucky seed the question's recipe learns every class and scores as well as any. That is what
#   made it look fine to the asker.

# %% tags=["nbval-check-output"]
# ✔ Check: the statements above, on the committed study
assert not any(lost["c"]) and all(any(lost[k]) for k in keys if k != "c")
assert all(bool(x) == ((r["seed"], r["setting"]) in bad_group)
           for k in "bdeg" for x, r in zip(lost[k], [r for r in runs if r["recipe"] == k]))
assert sum(map(bool, lost["a"])) > len(lost["a"]) / 3 and sum(map(bool, lost["f"])) > len(lost["f"]) / 2
assert all(pairs[p]["min"] > 0 for p in [("c", "b"), ("e", "b"), ("d", "b")])
assert pairs[("d", "c")]["min"] < 0 < pairs[("d", "c")]["max"] and pairs[("c", "a")]["min"] < 0
assert pairs[("d", "c")]["wins"] > pairs[("d", "c")]["n"] / 2 and sum(map(bool, lost["d"])) == 1
assert pairs[("c", "a")]["wins"] > pairs[("c", "a")]["n"] / 2
print("checked")

# %% [markdown]
# ## 6. The loss or the optimiser? Controlled comparisons
#
# Recipe (a) differs from cross-entropy (b) in two things: the loss and the optimiser. The 2 × 2
# table below separates them. Each cell is the mean [min, max] of validation mean IoU over the study's
# runs, and the number of runs that lost a class; each comparison below it changes **one** thing.

# %% tags=["nbval-check-output"]
two_by_two = {("pooled iou_loss", "question's"): "a", ("pooled iou_loss", "common"): "f",
              ("cross-entropy", "question's"): "g", ("cross-entropy", "common"): "b"}
val_summary = S.summarise(runs, "val_mean_iou", keys)
print(f"{'':16s} {'question' + chr(39) + 's optimiser':>34s} {'common optimiser':>34s}")
for loss_name in ("pooled iou_loss", "cross-entropy"):
    cells = []
    for opt in ("question's", "common"):
        key = two_by_two[(loss_name, opt)]
        c = val_summary[key]
        cells.append(f"({key}) {c['mean']:.3f} [{c['min']:.3f}, {c['max']:.3f}] lost {sum(map(bool, lost[key]))}/{c['n']}")
    print(f"{loss_name:16s} " + " ".join(f"{x:>34s}" for x in cells))
print("\nonly the optimiser changes:")
optimiser_effects = [compare("a", "f"), compare("b", "g")]
print("only the loss changes:")
loss_effects = [compare("g", "a"), compare("b", "f"), compare("c", "f"), compare("d", "f")]

# %% [markdown]
# Reading the verdicts:
#
# - **The optimiser**: no reliable ranking for either loss.
# - **The question's loss against cross-entropy**: with the question's optimiser ((g) against (a)) or
#   the common one ((b) against (f)), cross-entropy is higher in most pairs, **not in all**: on this
#   data the question's pooled loss is not reliably worse than plain cross-entropy.
# - **The question's loss against a per-class loss**: with the same optimiser, soft Jaccard (c) and
#   CE + Jaccard (d) beat the pooled loss (f) in every pair.
#
# So the honest answer to "is the question's loss worse?" is: **not reliably worse than cross-entropy,
# reliably worse than a per-class loss, and above all unreliable**: it lost a class in most runs. The
# next section shows where that comes from.

# %% tags=["nbval-check-output"]
# ✔ Check: the verdicts stated above
assert all(d["min"] < 0 < d["max"] for d in optimiser_effects)
assert all(d["min"] < 0 < d["max"] and d["wins"] > d["n"] / 2 for d in loss_effects[:2])
assert all(d["min"] > 0 for d in loss_effects[2:])
print("verdicts hold")

# %% [markdown]
# ## 7. Where the pooled loss falls behind: the rare classes
#
# Notebook 04 showed that the question's pooled loss is a function of soft pixel accuracy alone: it
# counts **pixels**, not classes. A class that covers few pixels then weighs little, however badly it
# is segmented: losing the line entirely costs the pooled loss at most the line's share of the pixels.
# The per-class losses give every present class the same weight. Class by class (validation split; each
# cell is the mean over the study's runs, ± half the range):

# %% tags=["nbval-check-output"]
columns = ("a", "f", "g", "b", "c", "d")
print(f"{'class':10s} {'% pixels':>8s} " + " ".join(f"{'(' + k + ')':>14s}" for k in columns))
for k, name in enumerate(CLASS_NAMES):
    cells = []
    for key in columns:
        v = S.metric_values(runs, key, f"val_iou_{k}")
        cells.append(f"{v.mean():.3f} ±{(v.max() - v.min()) / 2:.3f}")
    print(f"{name:10s} {100 * freq[k]:8.1f} " + " ".join(f"{c:>14s}" for c in cells))
rare = int(np.argmin(freq))
lost_count = {k: Counter(c for x in lost[k] for c in x) for k in keys}
print(f"\nrarest class: {CLASS_NAMES[rare]}; runs that lost it:",
      ", ".join(f"({k}) {lost_count[k][rare]}" for k in columns))

# %% [markdown]
# - The **line** is the rarest class (the fewest pixels, and thin), and the one lost most often, above
#   all under the pooled loss. Background is never lost: it is most of the pixels.
# - The per-class losses (c) and (d) hold every class better on average, and (c) never lost one.
# - That is also where the question's recipe (a) gets its wide spread: a run that learns every class
#   scores with the best, a run that loses one falls far behind.
#
# So the pooled loss hurts where a class is **rare in pixels**: the more imbalanced the data, the less
# a class's pixels move the loss. Your own data's class frequencies (section 1) tell you how exposed you
# are. *One class stuck at IoU 0 while the background is high?* See
# [troubleshooting, entry 15](../docs/troubleshooting.md#class-collapse); notebook 04 shows what
# collapse to background looks like in per-class IoU.

# %% tags=["nbval-check-output"]
# ✔ Check: the line is lost most often, above all by the pooled loss; background never
assert all(0 not in x for k in keys for x in lost[k])
assert max(range(5), key=lambda c: sum(lost_count[k][c] for k in keys)) == rare
assert min(lost_count["a"][rare], lost_count["f"][rare]) > max(lost_count[k][rare] for k in "bcdeg")
print("checked")

# %% [markdown]
# ## 8. The test split, once
#
# We selected one model on validation data in section 4. Now, and only now, we evaluate it on the test
# split. The study's test numbers for the same recipe show where a new draw would land.

# %%
x_test, m_test = load_shapes("test")
test = evaluate_model(results[selected].model, x_test, m_test)
print(f"{RECIPES[selected].label}, test split:")
print(f"  dataset-level mean IoU {test['mean_iou']:.3f}   per-image mean IoU {test['per_image_mean_iou']:.3f}"
      f"   pixel accuracy {test['pixel_accuracy']:.3f}")
for name, v in zip(CLASS_NAMES, test["per_class_iou"]):
    print(f"  IoU {name:10s} {v:.3f}")
test_range = S.summarise(runs, "test_mean_iou", [selected])[selected]
print(f"study, same recipe: test mean IoU {S.describe_range(test_range)}")
claim(test["mean_iou"] >= SELECTED_TEST_FLOOR,
      f"the selected model reaches a test mean IoU >= {SELECTED_TEST_FLOOR}",
      observed=f"{test['mean_iou']:.3f}", study=S.describe_range(test_range))

# %% [markdown]
# The study evaluated every one of its models on the test split too, after training, as a record of how
# each recipe generalises (no choice was made on it). The selected recipe's live test number (◆) sits
# among them:

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
live_test = {selected: test["mean_iou"]}
plot_seed_study({k: S.metric_values(runs, k, "test_mean_iou") for k in keys}, labels=SHORT_LABELS,
                settings=settings, live=live_test, ax=axes[0], title="Test mean IoU (every run of the study)")
plot_seed_study({k: S.metric_values(runs, k, "test_object_mean_iou") for k in keys}, labels=SHORT_LABELS,
                settings=settings, live={selected: float(np.mean(test["per_class_iou"][1:]))}, ax=axes[1],
                title="Test mean IoU of the 4 object classes", ylabel="")
fig.tight_layout()

# %%
plot_per_class_iou(test["per_class_iou"], CLASS_NAMES, title=f"Per-class IoU on the test split: {RECIPES[selected].label}")

# %%
show_gallery(x_test, m_test, test["pred"], indices=gallery_indices(m_test, test["pred"]), title=f"Test predictions of {RECIPES[selected].label}")

# %% [markdown]
# And the question's recipe, on **validation** images (its test numbers would add nothing to a choice
# already made):

# %%
show_gallery(x_val, m_val, val["a"]["pred"], indices=gallery_indices(m_val, val["a"]["pred"]), title=f"Validation predictions of {RECIPES['a'].label}")

# %% [markdown]
# ## 9. What the question's metric and accuracy said
#
# Had the asker trusted the logs, could they have told these models apart? For each seed and setting of
# the study, compare how much each number varies across the seven recipes (validation split):

# %% tags=["nbval-check-output"]
def group_spreads(metric):
    groups = {}
    for r in runs:
        groups.setdefault((r["seed"], r["setting"]), []).append(r[metric])
    return np.array([max(v) - min(v) for v in groups.values()])


def same_order(first, second):
    groups = {}
    for r in runs:
        groups.setdefault((r["seed"], r["setting"]), []).append((r[first], r[second]))
    agree = []
    for pairs_ in groups.values():
        a_, b_ = np.array(pairs_).T
        agree.append(np.mean(np.sign(a_[:, None] - a_[None]) == np.sign(b_[:, None] - b_[None])))
    return float(np.mean(agree))


spreads = {m: group_spreads(f"val_{m}") for m in ("mean_iou", "pixel_accuracy", "question_mean_iou")}
for m, s in spreads.items():
    print(f"{m:18s} spread across recipes: {s.min():.3f} to {s.max():.3f}")
ratio = spreads["pixel_accuracy"] / spreads["mean_iou"]
print(f"accuracy spread / mean IoU spread: {ratio.min():.2f} to {ratio.max():.2f}")
print(f"pairs of recipes that accuracy orders like mean IoU: {100 * same_order('val_pixel_accuracy', 'val_mean_iou'):.0f} %")
print(f"pairs of recipes that the question's metric orders like mean IoU: "
      f"{100 * same_order('val_question_mean_iou', 'val_mean_iou'):.0f} %")

# %% [markdown]
# - **The question's metric** hardly moves: within each group its spread is a small fraction of mean
#   IoU's (under a fifth in every group, usually under a hundredth), and it orders the pairs of recipes
#   like mean IoU about as often as a coin would (the last percentage above). It barely looks at the
#   predictions (notebook 01).
# - **Accuracy did tell, faintly.** It orders almost every pair of recipes as mean IoU does, with about
#   a tenth of the spread (the ratio above). Background is most of every image, so accuracy compresses
#   exactly the differences that matter, the small classes: every run that lost a class entirely still
#   scored a pixel accuracy above 0.9 (printed below). Read it next to per-class IoU, never alone. *Accuracy high but the
#   masks all background?* See [troubleshooting, entry 14](../docs/troubleshooting.md#accuracy-high).

# %% tags=["nbval-check-output"]
# ✔ Check: the statements above, in every (seed, setting) group of the study
assert np.all(spreads["question_mean_iou"] < 0.2 * spreads["mean_iou"])
assert np.median(spreads["question_mean_iou"] / spreads["mean_iou"]) < 0.01
assert 0.4 < same_order("val_question_mean_iou", "val_mean_iou") < 0.6
assert ratio.max() < 0.2 and same_order("val_pixel_accuracy", "val_mean_iou") > 0.9
acc_lost = [r["val_pixel_accuracy"] for r in runs if S.lost_classes(r)]
print(f"pixel accuracy of the {len(acc_lost)} runs that lost a class: {min(acc_lost):.3f} to {max(acc_lost):.3f}")
assert min(acc_lost) > 0.9

# %% [markdown]
# The same, on this notebook's live runs (claims checked with margins that held in every group of the
# study):

# %%
def live_spread(metric):
    values = [val[k][metric] for k in val]
    return max(values) - min(values)


for metric in ("mean_iou", "pixel_accuracy", "question_mean_iou"):
    ranked = " > ".join(sorted(val, key=lambda k: -val[k][metric]))
    print(f"{metric:18s} spread across live models {live_spread(metric):.3f}   ranking {ranked}")
claim(live_spread("question_mean_iou") < QUESTION_SPREAD_MAX,
      f"the question's metric varies by less than {QUESTION_SPREAD_MAX} across the live models",
      observed=f"{live_spread('question_mean_iou'):.3f}",
      study=f"{spreads['question_mean_iou'].max():.3f} at most across 7 recipes")

# %% [markdown]
# ## 10. "Should I monitor cross-entropy or IoU?"
#
# The asker's follow-up. The evidence from these runs:
#
# - **A loss value only compares epochs of one recipe.** Cross-entropy, Jaccard and Lovász losses
#   live on different scales: their values cannot rank recipes. And a loss can improve for reasons the
#   metric does not share: recipe (a)'s loss rewards pixels, not classes.

# %%
loss_a = results["a"].history["val_loss"]
miou_a = results["a"].history["val_mean_iou"]
print(f"recipe (a): val loss {loss_a[0]:.3f} -> {loss_a[-1]:.3f}; val mean IoU {miou_a[0]:.3f} -> {miou_a[-1]:.3f}")
claim(loss_a[-1] < loss_a[0], "recipe (a)'s validation loss went down over training")

# %% [markdown]
# - **Monitor a correct, dataset-level IoU on validation data** (`val_mean_iou` from
#   `StreamingMeanIoU`, which tells Keras that higher is better, so `ModelCheckpoint` and
#   `EarlyStopping` with `mode="auto"` do the right thing in Keras 3.13 and 3.15, checked in their
#   sources; tf.keras (Keras 2) and early Keras 3 releases guess from the name instead, roughly
#   maximising only names with `acc` or `auc`, so they *minimise* `val_mean_iou`: there, pass
#   `mode="max"`), and look at
#   per-class IoU: it is what you
#   will report, and it exposes a class the model gives up on. Name the metric: `StreamingMeanIoU`
#   logs `mean_iou`, Keras's `MeanIoU` logs `mean_io_u` (then `mean_io_u_1`, …). A
#   `ModelCheckpoint(monitor="val_mean_iou", save_best_only=True)` that cannot find its key warns and
#   saves every epoch ([troubleshooting, entry 18](../docs/troubleshooting.md#metric-name)).
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
# - **One run is one draw.** Training varies with the seed and the machine; a conclusion about a recipe
#   needs several seeds and settings, and a ranking is worth stating only where it holds in every pair.
#   Your live run is one more draw; where it disagrees with the study, the notebook tells you.
# - **Select on validation, test once.** We compared and chose on the validation split, then touched
#   the test split once, for the selected model.
# - **A low run is a lost class.** Per-class soft Jaccard (c) never lost one and beat plain
#   cross-entropy in every pair; CE + Jaccard (d) is often a little higher but lost a class once, so
#   there is no reliable ranking between them.
# - **The question's pooled loss** lost a class in most of its runs, the rarest (the thin line) most
#   often: it counts pixels, not classes. It is not reliably worse than plain cross-entropy on this
#   data, and reliably worse than a per-class loss with the same optimiser. The optimiser made no
#   reliable difference.
# - **Its logs could not tell**: the buggy metric is nearly constant; accuracy orders the recipes like
#   mean IoU but compresses their differences tenfold.
# - Monitor the validation mean IoU from a streaming metric; use the loss to check optimisation.
#
# **Next:** 06 — evaluating segmentation honestly.
