"""tools/learner_copies.py: learners work on git-ignored copies that course updates never overwrite."""

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import learner_copies

ROOT = Path(__file__).resolve().parents[1]


def make_course(folder: Path, text: str = "print(1)") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nb = {
        "cells": [{"cell_type": "code", "source": text, "metadata": {}, "outputs": [], "execution_count": None}],
        "metadata": {"jupytext": {"formats": "ipynb,py:percent"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "01_lesson.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_first_run_copies_without_pairing(tmp_path):
    make_course(tmp_path / "course")
    messages = learner_copies.update(tmp_path / "mine", tmp_path / "course")
    copy = json.loads((tmp_path / "mine" / "01_lesson.ipynb").read_text())
    assert messages == ["copied 01_lesson.ipynb"]
    assert "jupytext" not in copy["metadata"]  # saving the copy writes no .py twin
    assert copy["cells"][0]["source"] == "print(1)"
    assert 'formats = "ipynb"' in (tmp_path / "mine" / "jupytext.toml").read_text()


def test_learners_work_survives_a_course_update(tmp_path):
    course = make_course(tmp_path / "course")
    learner_copies.update(tmp_path / "mine", tmp_path / "course")
    mine = tmp_path / "mine" / "01_lesson.ipynb"
    mine.write_text(mine.read_text().replace("print(1)", "print('my answer')"))
    make_course(tmp_path / "course", text="print(2)")  # the course changes (git pull)
    messages = learner_copies.update(tmp_path / "mine", tmp_path / "course")
    assert "my answer" in mine.read_text()  # never overwritten
    assert len(messages) == 1 and "updated 01_lesson.ipynb" in messages[0] and "rename or delete" in messages[0]
    mine.unlink()  # the learner asks for the new version
    assert learner_copies.update(tmp_path / "mine", tmp_path / "course") == ["copied 01_lesson.ipynb"]
    assert "print(2)" in mine.read_text()
    assert course.exists()


def test_unchanged_course_says_nothing(tmp_path):
    make_course(tmp_path / "course")
    learner_copies.update(tmp_path / "mine", tmp_path / "course")
    assert learner_copies.update(tmp_path / "mine", tmp_path / "course") == []


def test_my_notebooks_is_ignored_by_git():
    result = subprocess.run(["git", "check-ignore", "-q", "my-notebooks/00_start_here.ipynb"], cwd=ROOT)
    assert result.returncode == 0, "add my-notebooks/ to .gitignore"
