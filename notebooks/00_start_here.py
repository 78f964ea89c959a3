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
# # 00 · Start here
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/iou-lab/iou-lab/blob/main/notebooks/00_start_here.ipynb) [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/iou-lab/iou-lab/blob/main/notebooks/00_start_here.ipynb) [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/iou-lab/iou-lab/main?urlpath=lab/tree/notebooks/00_start_here.ipynb)
#
# **IoU Lab** is a hands-on course on one question: *is my IoU right?* Intersection-over-Union is
# the standard score of semantic segmentation, and it is easy to compute wrongly, in ways that look
# fine during training. The course starts from a real Stack Overflow question whose `mean_iou` metric
# returns the same number for a perfect, an all-wrong and a uniform prediction, and ends with a small
# UNet trained with five losses and evaluated honestly.
#
# **In this notebook:** the map of the course, and an environment check that tells you what to fix,
# if anything.
#
# **Time:** about 10 minutes.

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

# %% [markdown]
# ## The map
#
# Each notebook runs on its own from a fresh kernel, on a laptop CPU. Notebook 05 trains two small
# models live (a few minutes on a CPU, less on a Colab GPU) and reads the rest from a committed seed
# study; the others run in about a minute or less (06 retrains one model if 05's are not cached).

# %%
from IPython.display import Markdown

from helpers.course import course_map_markdown

Markdown(course_map_markdown(badges=False))

# %% [markdown]
# **Seeing a strange IoU in your own project?** ("MeanIoU stuck at 0.3333", "IoU is NaN", "high
# accuracy but the masks are all background", 255 in the masks, a metric that fails under XLA or in
# `load_model`.) The [troubleshooting page](../docs/troubleshooting.md) lists each symptom as you would
# search for it, with its cause, a tested reproduction, the fix and the lesson that explains it.
#
# **How the notebooks work.** Read the text, run the cells in order (Shift+Enter). Cells marked as
# exercises contain `...` for you to replace; the check below each one answers ✅, or ❌ with a hint.
# Solutions are in `notebooks/solutions/`. Interactive sliders (ipywidgets) appear in notebooks 02
# and 04; each has a static picture next to it, so the lesson survives on GitHub or nbviewer too.

# %% [markdown]
# ## Check your environment
#
# The "doctor" below checks the versions the course needs, whether a GPU is visible, whether the
# widgets can render, and whether the dataset loads. Each problem comes with a one-line fix.

# %%
from helpers.doctor import doctor

all_good = doctor()

# %% [markdown]
# ## Do the widgets render?
#
# You should see a slider below. If you see text such as `IntSlider(value=3, ...)` instead, the
# widget front-end is missing: the doctor above printed the fix.

# %%
import ipywidgets as widgets

widgets.IntSlider(value=3, min=0, max=10, description="drag me")

# %% [markdown]
# ## Conventions used everywhere
#
# - Predictions become classes by **argmax** over the class axis.
# - One **integer confusion matrix** (rows: true class, columns: predicted class) over the data;
#   `IoU_c = TP / (TP + FP + FN)`.
# - A class absent from both truth and prediction has no IoU and is **excluded** from the mean.
# - Pixels labelled `ignore_index` (e.g. 255, "void") are left out of every count.
# - "Mean IoU" means **dataset-level** (one confusion matrix), unless a notebook says per image.
#
# **Next:** 01 — is this IoU right?
