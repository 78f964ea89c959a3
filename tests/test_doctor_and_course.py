"""helpers.course.doctor finds problems and names fixes; helpers.course is the single source of the map and URL."""

import json
import re
from pathlib import Path

import pytest

from helpers import course
from helpers.course import doctor

ROOT = Path(__file__).resolve().parents[1]


def test_doctor_all_good_here(capsys):
    assert doctor.doctor() is True
    out = capsys.readouterr().out
    for name in ("Python", "TensorFlow", "Keras", "NumPy", "ipywidgets", "GPU"):
        assert name in out
    assert "All good" in out


def test_doctor_reports_missing_package_with_a_fix(monkeypatch, capsys):
    real = doctor._probe
    monkeypatch.setattr(doctor, "_probe", lambda name: doctor.Probe(name) if name == "ipywidgets" else real(name))
    assert doctor.doctor() is False
    out = capsys.readouterr().out
    assert "❌ ipywidgets" in out and "fix:" in out and "make lab" in out


def test_doctor_on_colab_warns_against_ipywidgets_8(monkeypatch):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real = doctor._probe
    monkeypatch.setattr(
        doctor, "_probe", lambda name: doctor.Probe(name, version="8.1.9") if name == "ipywidgets" else real(name)
    )
    findings = {f.name: f for f in doctor.diagnose()}
    frontend = findings["widget front-end"]
    assert frontend.ok is False and "7.7" in frontend.fix  # ipywidgets 8 on Colab breaks its widgets
    assert "Restart" in findings["GPU"].fix or "GPU" in findings["GPU"].fix


def test_course_map_lists_every_notebook_in_order():
    files = [nb["file"] for nb in course.NOTEBOOKS]
    assert files == sorted(files)
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert set(on_disk) <= set(files), set(on_disk) - set(files)


def test_readme_map_and_badges_follow_helpers_course():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- course-map:start -->\n(.*?)\n<!-- course-map:end -->", readme, flags=re.S)
    assert block, "README lacks the course map block"
    assert block.group(1) == course.course_map_markdown(link_prefix="notebooks/"), "run `make readme`"
    assert readme.count(course.colab_url("01_the_buggy_mean_iou.ipynb")) == 1


def test_setup_cells_use_the_one_repo_url():
    for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        src = "".join(json.loads(path.read_text())["cells"][1]["source"])
        urls = set(re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", src))
        assert urls <= {course.REPO_URL}, (path.name, urls)


def test_title_cell_is_generated_from_the_map_and_is_idempotent():
    f = "06_evaluating_segmentation.ipynb"
    old = (
        "# 06 · An old title\n\nSome prose.\n\n**Prerequisites:** notebook 99. **Time:** about 1 minute.\n\nMore prose."
    )
    cell = course.title_markdown(f, old)
    assert cell.splitlines()[0] == "# 06 · Evaluating segmentation honestly"
    assert course.badges_markdown(f) in cell and course.colab_url(f) in cell
    assert "notebook 99" not in cell and course.prerequisites_markdown(f) in cell
    assert cell.index("Some prose.") < cell.index("**Prerequisites:**") < cell.index("More prose.")  # kept in place
    assert course.title_markdown(f, cell) == cell
    assert course.title_markdown(f, "Just prose.").endswith(course.prerequisites_markdown(f))


def test_prerequisites_name_notebooks_in_words():
    prose = {nb["file"][:2]: course.prerequisites_markdown(nb["file"]) for nb in course.NOTEBOOKS}
    assert prose["00"] == "**Time:** about 10 minutes."
    assert prose["04"].startswith("**Prerequisites:** notebooks 01–03; ")
    assert "notebook 01 helps" in prose["02"]
    with pytest.raises(ValueError, match="not in the course map"):
        course.notebook_entry("99_missing.ipynb")


def test_setup_cell_uses_the_repo_url_once_in_at_most_20_lines():
    assert course.SETUP_CELL.count(course.REPO_URL) == 1
    assert len(course.SETUP_CELL.splitlines()) <= 20
    compile(course.SETUP_CELL, "<setup cell>", "exec")  # valid Python
    with pytest.raises(ValueError, match="40 hexadecimal"):
        course.setup_cell("main")
