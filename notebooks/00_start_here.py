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

# %% jupyter={"source_hidden": true}
# @title Set-up (run me first) { display-mode: "form" }
# Makes the course's `helpers` importable: from the repository around this notebook, else (Colab, Kaggle, any
# other Jupyter) from a copy of the version this notebook was built from, downloaded once. Installs nothing.
import io, os, sys, urllib.request, zipfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # oneDNN on, as in the seed study (results still vary by CPU)
REPO_URL, COMMIT = "https://github.com/iou-lab/iou-lab", "a6a3d47911c6f8eecaff0fbf1876c199cc83345f"  # written by the build
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
# **Came with your own question?** Most people arrive with one of five kinds: *my metric says…* (a
# constant 0.3333, NaN, above 1), *my loss…* (negative, NaN, collapses to background), *training…* (a
# monitor key not found, `load_model` or XLA errors), *my data…* (255 in the masks, 0/255 or colour
# masks, resizing) or *comparing numbers…* (background in the mean, per image or dataset, run-to-run
# spread). [The questions learners ask](../docs/questions.md) lists them as asked in public threads,
# grouped that way, with short answers and links into the course; the
# [troubleshooting page](../docs/troubleshooting.md) has the reproductions and fixes.
#
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
from helpers.course.doctor import doctor

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
