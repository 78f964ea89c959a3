"""helpers._deprecated: the old import paths of 0.1 (helpers.data, helpers.keras_metrics, ...) keep working for one
release, warn with a DeprecationWarning that names the new path, and *are* the moved modules."""

import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from helpers._deprecated import MOVED

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_warns_and_is_the_new_module(old, monkeypatch):
    parent, _, child = old.rpartition(".")
    monkeypatch.delitem(sys.modules, old, raising=False)
    monkeypatch.delattr(sys.modules[parent], child, raising=False)
    with pytest.warns(DeprecationWarning, match=rf"{old.replace('.', '[.]')} moved to {MOVED[old]}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(MOVED[old])


def test_the_warning_points_at_the_importing_line(monkeypatch):
    import helpers

    monkeypatch.delitem(sys.modules, "helpers.data", raising=False)
    monkeypatch.delattr(helpers, "data", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from helpers import data  # noqa: F401  (the old path)
    assert caught and caught[0].filename == __file__


def test_old_names_in_moved_places_still_resolve():
    with pytest.warns(DeprecationWarning, match="helpers.course.data.CLASS_NAMES"):
        import helpers

        names = helpers.CLASS_NAMES
    assert names[0] == "background"
    with pytest.warns(DeprecationWarning, match="helpers.course.folder_demo.write_shapes_folder"):
        from helpers.folder_data import write_shapes_folder  # noqa: F401


def test_a_learners_old_notebook_code_runs(tmp_path):
    # the imports of a 0.1 notebook, in a fresh interpreter: everything works, each old path warns once
    code = (
        "import warnings; warnings.simplefilter('default')\n"
        "from helpers import CLASS_NAMES\n"
        "from helpers.data import load_shapes\n"
        "from helpers.keras_metrics import StreamingMeanIoU\n"
        "from helpers.losses import soft_jaccard_loss\n"
        "from helpers.checks import check_iou_of_masks\n"
        "from helpers.widgets import iou_explorer_static\n"
        "from helpers import buggy, metrics as M\n"
        "print(len(CLASS_NAMES), StreamingMeanIoU(num_classes=5).name, buggy.__name__)\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", "mean_iou", "helpers.course.buggy"]
    for old in ("helpers.CLASS_NAMES", "helpers.data", "helpers.keras_metrics", "helpers.losses", "helpers.widgets"):
        assert f"{old} moved to" in result.stderr


def test_python_m_helpers_doctor_still_runs():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-m", "helpers.doctor"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert "python -m helpers.course.doctor" in result.stderr
    assert "Python" in result.stdout  # the check ran (its verdict depends on the machine)


def test_a_moved_name_warns_at_the_learners_line():
    import helpers

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        helpers.CLASS_NAMES  # noqa: B018
        from helpers.plotting import plot_seed_study  # noqa: F401
    assert len(caught) >= 2 and {w.filename for w in caught} == {__file__}  # a from-import may ask twice
