"""helpers.course (its __init__): the single source of the course map, the repository URL and the set-up cell."""

import json
import re
from pathlib import Path

import pytest

from helpers import course

ROOT = Path(__file__).resolve().parents[1]


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
