"""The set-up promises: requirements and environment.yml agree, notebooks are paired and saved clean."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _requirement_lines():
    lines = []
    for raw in (ROOT / "requirements.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def test_requirements_use_compatible_release_ranges():
    for line in _requirement_lines():
        spec = line.split(";")[0]
        assert "~=" in spec and "==" not in spec, f"use a compatible-release range (~=): {line}"


def test_tensorflow_wheel_is_chosen_per_platform():
    tf_lines = [l for l in _requirement_lines() if re.match(r"tensorflow(-cpu)?\s*~=", l)]
    markers = {l.split("~=")[0].strip(): l.split(";", 1)[1].strip() for l in tf_lines}
    assert set(markers) == {"tensorflow", "tensorflow-cpu"}
    from packaging.markers import Marker

    for env in (
        {"sys_platform": "linux", "platform_machine": "x86_64"},
        {"sys_platform": "linux", "platform_machine": "aarch64"},
        {"sys_platform": "darwin", "platform_machine": "arm64"},
        {"sys_platform": "win32", "platform_machine": "AMD64"},
    ):
        chosen = [name for name, m in markers.items() if Marker(m).evaluate(env)]
        assert len(chosen) == 1, (env, chosen)  # exactly one TensorFlow wheel on every platform


def test_environment_yml_installs_requirements_txt_and_nothing_else():
    text = (ROOT / "environment.yml").read_text()
    pip_items = re.findall(r"^\s{4,}-\s+(.+)$", text, flags=re.M)
    assert pip_items == ["-r requirements.txt", "-e ."], pip_items
    conda_deps = re.findall(r"^\s{2}-\s+(\S+)\s*$", text, flags=re.M)
    assert {d.split("=")[0].rstrip(":") for d in conda_deps} <= {"python", "pip", "conda-forge"}, conda_deps


def test_readme_quick_start_has_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make \w+", quick, flags=re.M)
    assert commands == ["make lab", "make test"], commands
    assert "make test" in (ROOT / ".ci" / "run").read_text()


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_paired_with_its_py_and_in_sync(path):
    import jupytext

    py = path.with_suffix(".py")
    assert py.exists(), f"{py.name} missing: run `make notebooks` (jupytext pairing)"
    a = jupytext.read(path)
    b = jupytext.read(py)
    cells = lambda nb: [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]  # noqa: E731
    assert cells(a) == cells(b), f"{path.name} and {py.name} differ: edit the .py, then run `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_saved_from_one_clean_run(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for c in code:
        tags = c.get("metadata", {}).get("tags", [])
        if "raises-exception" not in tags:
            assert not [o for o in c["outputs"] if o["output_type"] == "error"], "".join(c["source"])[:80]
    assert path.stat().st_size < 3_000_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_canonical_setup_cell(path):
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from course import SETUP_CELL

    nb = json.loads(path.read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "".join(first["source"]) == SETUP_CELL, f"{path.name}: run `make notebooks` after changing tools/course.py"
