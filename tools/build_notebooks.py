"""Rebuild notebooks/NN_*.ipynb from their jupytext twins (notebooks/NN_*.py) and execute them.

Usage: python tools/build_notebooks.py [--no-execute] [notebooks/01_*.py ...]   (default: every notebooks/*.py)

Each notebook's first markdown cell (title, badges, prerequisites, time) and first code cell (set-up)
are written from helpers/course/__init__.py, so the notebooks cannot disagree with the course map. The set-up
cell pins the commit the notebook is built from (``git rev-parse HEAD``), so a copy downloaded on Colab
or Kaggle is the helpers this notebook ran with: commit changes to helpers/ before building (the build
warns when helpers/ has uncommitted changes). The set-up cell is marked ``source_hidden`` (collapsed in
JupyterLab; ``# @title`` collapses it on Colab). Then the
.ipynb is written from its .py (py:percent), executed top to bottom in a fresh kernel with
cwd=notebooks/, and saved with its outputs (execution counts 1, 2, 3, ...). Cell tags written as
`# %% tags=["nbval-check-output"]` in the .py survive the round trip.

--no-execute: only rewrite the title and set-up cells of the .py files (the .ipynb is left alone;
run without the flag to rebuild it).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from helpers.course import setup_cell, title_markdown

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def build_commit() -> str:
    """The commit notebooks are built from (HEAD); warns when helpers/ differs from it."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "helpers"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    if dirty:
        print(
            "warning: helpers/ has uncommitted changes; the set-up cell pins HEAD, whose helpers differ. "
            "Commit helpers/ first, then build.",
            flush=True,
        )
    return head.stdout.strip()


def apply_course_cells(nb, notebook_file: str, commit: str) -> None:
    """Write the title cell (first markdown cell) and the set-up cell (first code cell) from helpers.course."""
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    first_md.source = title_markdown(notebook_file, first_md.source)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_code.source = setup_cell(commit)  # the canonical set-up cell, pinned to the commit built from
    first_code.metadata["jupyter"] = {"source_hidden": True}  # collapsed in JupyterLab


def build(py_path: Path, commit: str, timeout: int = 1200, execute: bool = True) -> float:
    nb = jupytext.read(py_path)
    apply_course_cells(nb, py_path.name, commit)
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    if not execute:
        jupytext.write(nb, py_path, fmt="py:percent")
        return 0.0
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(py_path.parent)}}
    ).execute()
    seconds = time.perf_counter() - t0
    nbformat.write(nb, py_path.with_suffix(".ipynb"))
    # keep the .py byte-identical to what jupytext would write from the executed notebook
    jupytext.write(nb, py_path, fmt="py:percent")
    return seconds


def main(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    execute = "--no-execute" not in argv
    paths = [Path(a).resolve() for a in argv if a != "--no-execute"] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    commit = build_commit()
    for p in paths:
        print(f"{p.name}: {'executing' if execute else 'writing title and set-up cells'} ...", flush=True)
        print(f"{p.name}: {build(p, commit, execute=execute):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
