"""The course's single source of truth for things every notebook repeats.

The repository's public URL is set in helpers/course.py (REPO_URL): `make notebooks` writes it into
every notebook's first (set-up) cell, and tests/test_project.py checks that they all agree.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.course import REPO_URL, colab_url  # noqa: E402,F401
REPO_DIR_ON_COLAB = "/content/iou-lab"

SETUP_CELL = f'''# Set-up (run me first). In JupyterLab this only makes `helpers` importable; on Google Colab it also
# fetches the course once. It never installs packages: Colab's own TensorFlow, Keras and ipywidgets run.
import os, sys, subprocess
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up messages
REPO_URL = "{REPO_URL}"
if "google.colab" in sys.modules:
    if not os.path.isdir("{REPO_DIR_ON_COLAB}"):
        subprocess.run(["git", "clone", "--depth", "1", REPO_URL, "{REPO_DIR_ON_COLAB}"], check=True)
    os.chdir("{REPO_DIR_ON_COLAB}/notebooks")
    sys.path.insert(0, "{REPO_DIR_ON_COLAB}")
else:
    try:
        import helpers  # installed by `make lab` / `pip install -e .`
    except ImportError:
        sys.path.insert(0, os.path.abspath(".."))  # running from notebooks/ without installing
from helpers.runtime import import_tensorflow_quietly
_ = import_tensorflow_quietly()  # TensorFlow's start-up banner would otherwise fill a cell's output'''

