"""Rebuild notebooks/NN_*.ipynb from their jupytext twins (notebooks/NN_*.py) and execute them.

Usage: python tools/build_notebooks.py [notebooks/01_*.py ...]   (default: every notebooks/*.py)

Each .ipynb is written from its .py (py:percent), executed top to bottom in a fresh kernel with
cwd=notebooks/, and saved with its outputs (execution counts 1, 2, 3, ...). Cell tags written as
`# %% tags=["nbval-check-output"]` in the .py survive the round trip.
"""
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course import SETUP_CELL  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def build(py_path: Path, timeout: int = 1200) -> float:
    nb = jupytext.read(py_path)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_code.source = SETUP_CELL  # the canonical set-up cell (tools/course.py), same in every notebook
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(py_path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    nbformat.write(nb, py_path.with_suffix(".ipynb"))
    # keep the .py byte-identical to what jupytext would write from the executed notebook
    jupytext.write(nb, py_path, fmt="py:percent")
    return seconds


def main(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    paths = [Path(a).resolve() for a in argv] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    for p in paths:
        print(f"{p.name}: executing ...", flush=True)
        print(f"{p.name}: {build(p):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
