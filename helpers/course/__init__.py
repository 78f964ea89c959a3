"""The course's metadata, in one place: the repository address, the course map, each notebook's
title cell and its set-up cell.

``tools/build_notebooks.py`` (``make notebooks``) writes every notebook's first markdown cell from
:func:`title_markdown` (heading, badges, "Prerequisites" and "Time" from :data:`NOTEBOOKS`) and
its first code cell from :data:`SETUP_CELL`; ``tools/build_readme.py`` (``make readme``) writes the
README's course map from :func:`course_map_markdown`. ``REPO_URL`` is the repository's public
address; setting it is a one-line change here. tests/test_project.py and
tests/test_doctor_and_course.py fail until the notebooks and the README agree with this file.

Tools, tests and notebooks import it as ``helpers.course`` (``helpers`` is installed with
``pip install -e .``).

Examples
--------
>>> [nb["file"][:2] for nb in NOTEBOOKS][:3]
['00', '01', '02']
>>> prerequisites_markdown("03_correct_iou_in_keras.ipynb")
'**Prerequisites:** notebooks 01, 02; Keras `compile` / `fit`. **Time:** about 30 minutes.'
"""

from __future__ import annotations

import re

REPO_URL = "https://github.com/iou-lab/iou-lab"
"""Public address of the course repository (GitHub)."""

BRANCH = "main"

NOTEBOOKS = (
    {
        "file": "00_start_here.ipynb",
        "title": "Start here",
        "learn": "What the course covers, the map, and an environment check with fixes",
        "minutes": 10,
        "needs": "–",
    },
    {
        "file": "01_the_buggy_mean_iou.ipynb",
        "title": "Is this IoU right? The question's metric, bug by bug",
        "learn": "Test a metric on known answers; five IoU bugs and their fixes; two traps; code to take home",
        "minutes": 30,
        "needs": "NumPy, first steps in Keras",
    },
    {
        "file": "02_iou_from_first_principles.ipynb",
        "title": "IoU from first principles",
        "learn": "IoU and Dice, the confusion matrix, absent classes, ignore labels, accuracy vs IoU",
        "minutes": 55,
        "time": "45 to 60 minutes, with the explorers and the exercises",
        "needs": "NumPy; 01 helps",
    },
    {
        "file": "03_correct_iou_in_keras.ipynb",
        "title": "A correct IoU metric in Keras",
        "learn": "Function metric vs streaming metric, cross-checks, traps in Keras's own metrics",
        "minutes": 30,
        "needs": "01, 02; Keras `compile` / `fit`",
    },
    {
        "file": "04_soft_vs_hard_iou.ipynb",
        "title": "Soft versus hard IoU: what a loss can optimise",
        "learn": "Why argmax has no gradient; soft Jaccard, Dice, Lovász-softmax; the pooled-loss trap",
        "minutes": 55,
        "time": "45 to 60 minutes, with the explorer and the exercises",
        "needs": "01–03; softmax, `tf.GradientTape`",
    },
    {
        "file": "05_training_a_small_unet.ipynb",
        "title": "Training a small UNet with five losses",
        "learn": "The question's recipe vs CE, Jaccard, CE + Jaccard, Lovász; which metric to monitor",
        "minutes": 40,
        "needs": "01–04",
    },
    {
        "file": "06_evaluating_segmentation.ipynb",
        "title": "Evaluating segmentation honestly",
        "learn": "Dataset vs per-image vs per-class IoU, worst images, void labels, a reporting checklist",
        "minutes": 30,
        "needs": "02, 03, 05 (runs alone)",
    },
    {
        "file": "07_your_metric_your_data.ipynb",
        "title": "Is my IoU right? Your metric, your data",
        "learn": "Audit any metric or loss in one call; your folder of images and masks at 224×224, streamed "
        "through tf.data, with a written report",
        "minutes": 30,
        "needs": "01, 03, 06",
    },
    {
        "file": "08_real_aerial_images.ipynb",
        "title": "Real images: the lessons on aerial photographs",
        "learn": "Check real labels first, split by tile, train on real patches, a seed study on real data, "
        "IoU at the labels' own resolution",
        "minutes": 40,
        "needs": "03, 05, 06",
    },
)
"""The notebooks in order: file, title, what you learn, minutes, prerequisites ("–": none; two-digit
numbers are notebooks), and optionally "time", the title cell's wording of the time when "about N
minutes" says too little (N stays the map's number). The README's map and each notebook's title
cell are written from it."""

COMMIT_PLACEHOLDER = "0" * 40
"""The commit in :data:`SETUP_CELL`; ``tools/build_notebooks.py`` writes the commit it builds from instead."""

SETUP_CELL = f'''# @title Set-up (run me first) {{ display-mode: "form" }}
# Makes the course's `helpers` importable: from the repository around this notebook, else (Colab, Kaggle, any
# other Jupyter) from a copy of the version this notebook was built from, downloaded once. Installs nothing.
import io, os, sys, urllib.request, zipfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # oneDNN on, as in the seed study (results still vary by CPU)
REPO_URL, COMMIT = "{REPO_URL}", "{COMMIT_PLACEHOLDER}"  # written by the build
COURSE_DIR = next((os.path.abspath(d) for d in ("..", ".") if os.path.isfile(f"{{d}}/helpers/course/__init__.py")), None)
if COURSE_DIR is None:
    home = "/content" if "google.colab" in sys.modules else "/kaggle/working" if os.path.isdir("/kaggle/working") else os.path.expanduser("~/.cache")
    COURSE_DIR = os.path.join(home, "iou-lab-" + COMMIT)
    if not os.path.isfile(os.path.join(COURSE_DIR, "helpers", "course", "__init__.py")):
        print("Downloading the course (once) into", COURSE_DIR)
        try:
            zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(f"{{REPO_URL}}/archive/{{COMMIT}}.zip", timeout=120).read())).extractall(home)
        except Exception as exc:
            raise SystemExit(f"Could not download the course from {{REPO_URL}} (commit {{COMMIT[:7]}}): {{exc}}.\\nFix: on Kaggle, turn on Internet in the notebook's settings; on Colab, check the connection and run this cell again.\\nOr, anywhere: git clone {{REPO_URL}}, then open this notebook from its notebooks/ folder.") from None
    os.chdir(os.path.join(COURSE_DIR, "notebooks"))
sys.path.insert(0, COURSE_DIR)
from helpers.course import finish_setup; finish_setup()'''
"""The first code cell of every notebook, 20 lines (``make notebooks`` writes it, with the commit it builds from).

It finds the course's ``helpers`` in the repository around the notebook (``notebooks/`` or a learner's
``my-notebooks/``), or else in a copy of **the commit the notebook was built from**, downloaded once as a zip
archive (Colab: ``/content/iou-lab-<commit>``, Kaggle: ``/kaggle/working/iou-lab-<commit>``, elsewhere
``~/.cache/iou-lab-<commit>``): an old copy of a notebook gets the helpers it was written with. A failed
download stops with three lines (what failed, the fix on Kaggle and Colab, the ``git clone`` way), not a
traceback. It installs nothing, so the TensorFlow, Keras and ipywidgets that Colab and Kaggle ship are used
as they are. Then :func:`finish_setup` does the rest. ``# @title`` collapses it on Colab; the build marks it
``source_hidden`` for JupyterLab. tests/test_setup_cell.py runs it in each of these situations."""


def setup_cell(commit: str) -> str:
    """:data:`SETUP_CELL` pinned to ``commit`` (40 hexadecimal digits).

    >>> setup_cell("a" * 40).count("a" * 40)
    1
    """
    if not re.fullmatch(r"[0-9a-f]{40}", commit or ""):
        raise ValueError(f"commit must be a full git commit hash (40 hexadecimal digits), got {commit!r}.")
    return SETUP_CELL.replace(COMMIT_PLACEHOLDER, commit)


def setup_cell_commit(source: str) -> str | None:
    """The commit a notebook's set-up cell pins, or None if ``source`` is not the canonical cell for any commit.

    >>> setup_cell_commit(setup_cell("b" * 40)) == "b" * 40
    True
    >>> setup_cell_commit("import os") is None
    True
    """
    m = re.search(r'REPO_URL, COMMIT = "[^"]*", "([0-9a-f]{40})"', source)
    return m.group(1) if m and source == setup_cell(m.group(1)) else None


def finish_setup() -> None:
    """The rest of the set-up, after ``helpers`` is importable: import TensorFlow quietly, and if it is
    missing or broken say what is wrong and the fix (notebook 00's environment check still runs)."""
    from helpers.course.doctor import fix_hint, probe_import

    tf = probe_import("tensorflow")  # imports TensorFlow quietly (no start-up banner); never raises
    if tf.version is None:
        print(
            f"Problem: TensorFlow is {tf.describe()}.\nFix: {fix_hint(tf)}\n"
            "Notebook 00's environment check (or `python -m helpers.course.doctor`) checks everything else."
        )


COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
KAGGLE_BADGE = "https://kaggle.com/static/images/open-in-kaggle.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def notebook_entry(notebook_file: str) -> dict:
    """The :data:`NOTEBOOKS` entry of ``notebook_file`` (``"NN_name.ipynb"``; a ``.py`` name works too)."""
    name = re.sub(r"\.py$", ".ipynb", notebook_file.rsplit("/", 1)[-1])
    for nb in NOTEBOOKS:
        if nb["file"] == name:
            return nb
    raise ValueError(
        f"{notebook_file!r} is not in the course map (helpers/course/__init__.py NOTEBOOKS): add it there."
    )


def colab_url(notebook_file: str) -> str:
    """'Open in Colab' address of ``notebooks/<notebook_file>``."""
    path = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/{BRANCH}/notebooks/{notebook_file}"


def kaggle_url(notebook_file: str) -> str:
    """'Open in Kaggle' address of ``notebooks/<notebook_file>`` (Kaggle imports it from GitHub)."""
    return f"https://kaggle.com/kernels/welcome?src={REPO_URL}/blob/{BRANCH}/notebooks/{notebook_file}"


def binder_url(notebook_file: str) -> str:
    """Binder address that builds the repository (``binder/``) and opens ``notebooks/<notebook_file>`` in JupyterLab.

    Examples
    --------
    >>> binder_url("00_start_here.ipynb").endswith("/main?urlpath=lab/tree/notebooks/00_start_here.ipynb")
    True
    """
    path = REPO_URL.removeprefix("https://github.com/")
    return f"https://mybinder.org/v2/gh/{path}/{BRANCH}?urlpath=lab/tree/notebooks/{notebook_file}"


def badges_markdown(notebook_file: str) -> str:
    """The "open in ..." badge line of a notebook's title cell: Colab, Kaggle and Binder.

    Examples
    --------
    >>> line = badges_markdown("01_the_buggy_mean_iou.ipynb")
    >>> [part.split("]")[0] for part in line.split("[![")[1:]]
    ['Open In Colab', 'Open In Kaggle', 'Launch Binder']
    >>> line.count(REPO_URL.removeprefix("https://github.com/"))  # every badge opens this repository
    3
    """
    nb = notebook_entry(notebook_file)
    return (
        f"[![Open In Colab]({COLAB_BADGE})]({colab_url(nb['file'])}) "
        f"[![Open In Kaggle]({KAGGLE_BADGE})]({kaggle_url(nb['file'])}) "
        f"[![Launch Binder]({BINDER_BADGE})]({binder_url(nb['file'])})"
    )


def _needs_prose(needs: str) -> str:
    """``"01, 02; Keras"`` -> ``"notebooks 01, 02; Keras"``: name the runs of notebook numbers."""

    def name(m):
        return ("notebook " if len(re.findall(r"\d\d", m.group(0))) == 1 else "notebooks ") + m.group(0)

    return re.sub(r"\b\d\d(?:(?:–|, | and )\d\d)*\b", name, needs)


def prerequisites_markdown(notebook_file: str) -> str:
    """The "**Prerequisites:** ... **Time:** ..." line of a title cell, from :data:`NOTEBOOKS`."""
    nb = notebook_entry(notebook_file)
    when = nb.get("time") or f"about {nb['minutes']} minutes"
    time = f"**Time:** {when}."
    if nb["needs"].strip() in ("", "–", "-"):
        return time
    return f"**Prerequisites:** {_needs_prose(nb['needs'])}. {time}"


_FOOTER = re.compile(r"^\*\*(Prerequisites|Time):\*\*")


def title_markdown(notebook_file: str, body: str) -> str:
    """A notebook's title cell: heading and badges, the notebook's own ``body``, then the
    prerequisites and time. The parts from the course map replace any earlier version of them, so
    ``title_markdown(f, title_markdown(f, body)) == title_markdown(f, body)``.

    ``body`` is the cell's prose (a previous title cell is fine: its heading, badge line and
    "**Prerequisites:**" / "**Time:**" paragraph are dropped and written afresh). The prerequisites
    paragraph stays where it was in the body, or comes last.

    Examples
    --------
    >>> print(title_markdown("00_start_here.ipynb", "# old heading\\n\\nHello."))  # doctest: +ELLIPSIS
    # 00 · Start here
    <BLANKLINE>
    [![Open In Colab](...)](...00_start_here.ipynb)
    <BLANKLINE>
    Hello.
    <BLANKLINE>
    **Time:** about 10 minutes.
    """
    nb = notebook_entry(notebook_file)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    if paragraphs and paragraphs[0].startswith("# "):
        paragraphs = paragraphs[1:]
    paragraphs = [p for p in paragraphs if not p.startswith("[![")]
    footer = prerequisites_markdown(nb["file"])
    at = next((i for i, p in enumerate(paragraphs) if _FOOTER.match(p)), None)
    if at is None:
        paragraphs.append(footer)
    else:
        paragraphs[at] = footer
    head = [f"# {nb['file'][:2]} · {nb['title']}", badges_markdown(nb["file"])]
    return "\n\n".join(head + paragraphs)


def course_map_markdown(link_prefix: str = "", badges: bool = True) -> str:
    """The course map as a Markdown table (README and notebook 00 show the same one)."""
    badge = COLAB_BADGE
    rows = [
        "| # | notebook | you learn | time | needs |" + (" Colab |" if badges else ""),
        "| --- | --- | --- | ---: | --- |" + (" --- |" if badges else ""),
    ]
    for nb in NOTEBOOKS:
        number = nb["file"][:2]
        cells = [
            number,
            f"[{nb['title']}]({link_prefix}{nb['file']})",
            nb["learn"],
            f"{nb['minutes']} min",
            nb["needs"],
        ]
        if badges:
            cells.append(f"[![Open In Colab]({badge})]({colab_url(nb['file'])})")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
