"""The files around the course: licences, citation, Binder, the supported Python range, CI's steps."""

import re
import tomllib
from pathlib import Path

import yaml

from helpers import course

ROOT = Path(__file__).resolve().parents[1]


def test_mit_licence_and_the_cc_by_sa_notice():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    notice = (ROOT / "NOTICE.md").read_text()
    for needed in (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        '"N.zay"',
        '"Timbus Calin"',
        "January 2021",
        "helpers/course/buggy.py",
    ):
        assert needed in notice, needed
    readme = (ROOT / "README.md").read_text()
    assert "NOTICE.md" in readme and "(LICENSE)" in readme


def test_citation_cff_names_this_repository():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    assert cff["repository-code"] == course.REPO_URL, "CITATION.cff must follow REPO_URL in helpers/course/__init__.py"
    assert cff["references"][0]["license"] == "CC-BY-SA-4.0"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert cff["version"] == pyproject["project"]["version"]


def test_python_range_is_3_11_to_3_13_everywhere():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.11"
    readme = (ROOT / "README.md").read_text()
    assert not re.search(r"3\.10\s*[–-]\s*3\.1\d", readme), "README still promises Python 3.10"
    assert "3.11-3.13" in readme or "3.11, 3.12 or 3.13" in readme
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.1[123]", runtime), runtime
    env_python = re.search(r"^\s+- python=(3\.\d+)\s*$", (ROOT / "environment.yml").read_text(), flags=re.M)
    assert env_python and env_python.group(1) in ("3.11", "3.12", "3.13")
    requirements = (ROOT / "requirements-course.txt").read_text()
    assert "-r requirements-course.txt" in (ROOT / "requirements.txt").read_text()
    assert "macOS arm64/x86-64" not in requirements and "no TensorFlow 2.21 wheel for Intel macOS" in requirements


def test_binder_installs_the_course_requirements_without_test_tools():
    lines = [
        line.strip()
        for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-r ../requirements-course.txt"]
    course = (ROOT / "requirements-course.txt").read_text()
    for tool in ("pytest", "hypothesis", "ruff", "nbval", "jupytext"):
        assert tool not in course, f"Binder would install {tool}, which learners do not need"
    for needed in ("tensorflow", "keras", "jupyterlab", "ipywidgets", "matplotlib"):
        assert needed in course, needed


def test_licence_is_an_spdx_expression_with_a_setuptools_that_reads_it():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    assert project["license"] == "MIT AND CC-BY-SA-4.0"  # a TOML table stops working in setuptools on 2027-02-18
    assert project["license-files"] == ["LICENSE", "NOTICE.md"]
    floor = re.fullmatch(r"setuptools>=(\d+)", pyproject["build-system"]["requires"][0])
    assert floor and int(floor.group(1)) >= 77  # PEP 639 licence strings
    assert "https://stackoverflow.com/questions/65974208" in (ROOT / "NOTICE.md").read_text()


def test_contributing_explains_the_py_twins_and_the_make_targets():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make ([\w-]+)`", text):
        assert re.search(rf"^{re.escape(target)}:", makefile, flags=re.M), f"CONTRIBUTING.md names make {target}"
    assert "tools/build_notebooks.py" in text and ".py" in text


def test_readme_points_to_the_doctor_binder_and_site():
    readme = (ROOT / "README.md").read_text()
    assert "python -m helpers.course.doctor" in readme
    assert "mybinder.org/badge_logo.svg" in readme and "make site" in readme and "my-notebooks/" in readme
    for url in (course.colab_url, course.kaggle_url, course.binder_url):  # the README's badges follow course.py
        assert url("00_start_here.ipynb") in readme, f"README.md: update the badge {url.__name__}"


def test_make_lab_and_test_run_the_preflight_and_ci_builds_the_site():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test"):
        rule = re.search(rf"^{target}:(.*)$", makefile, flags=re.M).group(1)
        assert "preflight" in rule.split(), (target, rule)
    assert re.search(r"^site:", makefile, flags=re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make site\b", ci, flags=re.M)


def test_the_package_build_includes_every_subpackage_and_its_data():
    import tomllib

    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(where=str(ROOT), include=config["packages"]["find"]["include"]))
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "helpers").rglob("__init__.py")}
    assert on_disk <= found, f"pip install / the wheel would leave out: {sorted(on_disk - found)}"
    for package, files in config["package-data"].items():
        for name in files:
            assert (ROOT / Path(*package.split(".")) / name).exists(), f"package data {package}/{name} is missing"
