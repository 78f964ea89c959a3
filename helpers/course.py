"""The course map and the repository address: the one place both are written down.

``REPO_URL`` is the repository's public address. Setting it is a one-line change here; then
``make notebooks`` rewrites every notebook's set-up cell and ``make readme`` the README's badges
(tests/test_project.py fails until both agree with this file).
"""

from __future__ import annotations

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
        "learn": "Test a metric on known answers; five IoU bugs and their fixes; two traps",
        "minutes": 25,
        "needs": "NumPy, first steps in Keras",
    },
    {
        "file": "02_iou_from_first_principles.ipynb",
        "title": "IoU from first principles",
        "learn": "IoU and Dice, the confusion matrix, absent classes, ignore labels, accuracy vs IoU",
        "minutes": 35,
        "needs": "01",
    },
    {
        "file": "03_correct_iou_in_keras.ipynb",
        "title": "A correct IoU metric in Keras",
        "learn": "Function metric vs streaming metric, cross-checks, traps in Keras's own metrics",
        "minutes": 25,
        "needs": "01, 02",
    },
    {
        "file": "04_soft_vs_hard_iou.ipynb",
        "title": "Soft versus hard IoU",
        "learn": "Why argmax has no gradient; soft Jaccard, Dice, Lovász-softmax; the pooled-loss trap",
        "minutes": 30,
        "needs": "01–03",
    },
    {
        "file": "05_training_a_small_unet.ipynb",
        "title": "Training a small UNet with five losses",
        "learn": "The question's recipe vs CE, Jaccard, CE + Jaccard, Lovász; which metric to monitor",
        "minutes": 30,
        "needs": "01–04",
    },
    {
        "file": "06_evaluating_segmentation.ipynb",
        "title": "Evaluating segmentation honestly",
        "learn": "Dataset vs per-image vs per-class IoU, worst images, void labels, a reporting checklist",
        "minutes": 25,
        "needs": "05 (runs alone)",
    },
)
"""The notebooks in order: file, title, what you learn, minutes, prerequisites."""


def colab_url(notebook_file: str) -> str:
    """'Open in Colab' address of ``notebooks/<notebook_file>``."""
    path = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{path}/blob/{BRANCH}/notebooks/{notebook_file}"


def course_map_markdown(link_prefix: str = "", badges: bool = True) -> str:
    """The course map as a Markdown table (README and notebook 00 show the same one)."""
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    rows = ["| # | notebook | you learn | time | needs |" + (" Colab |" if badges else ""),
            "| --- | --- | --- | ---: | --- |" + (" --- |" if badges else "")]
    for nb in NOTEBOOKS:
        number = nb["file"][:2]
        cells = [number, f"[{nb['title']}]({link_prefix}{nb['file']})", nb["learn"], f"{nb['minutes']} min",
                 nb["needs"]]
        if badges:
            cells.append(f"[![Open In Colab]({badge})]({colab_url(nb['file'])})")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
