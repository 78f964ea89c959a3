"""The set-up promises: requirements and environment.yml agree, notebooks are paired and saved clean."""

import json
import re
from pathlib import Path

import pytest

from helpers.course import notebook_entry, prerequisites_markdown, setup_cell_commit, title_markdown

ROOT = Path(__file__).resolve().parents[1]


def _requirement_lines(name="requirements.txt"):
    """The requirement lines of a file, with its ``-r`` includes read in place."""
    lines = []
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            lines += _requirement_lines(line[3:].strip())
        elif line:
            lines.append(line)
    return lines


def _locked():
    """{name: [(version, marker or "")]} of requirements-lock.txt, and whether every pin carries a hash."""
    text = (ROOT / "requirements-lock.txt").read_text()
    pins, hashed = {}, True
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.splitlines()[0]
        match = re.match(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+))?", first)
        if not match:
            continue
        name = re.sub(r"[-_.]+", "-", match.group(1).split("[")[0]).lower()
        pins.setdefault(name, []).append((match.group(2), (match.group(3) or "").strip()))
        hashed &= "--hash=sha256:" in block
    return pins, hashed


def test_lock_pins_every_requirement_inside_its_range_with_hashes():
    from packaging.requirements import Requirement

    pins, hashed = _locked()
    assert hashed, "every pin in requirements-lock.txt needs --hash lines (make lock writes them)"
    assert len(pins) > 50, "the lock holds the whole tree, not only the top-level requirements"
    for line in _requirement_lines():
        req = Requirement(line)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is in requirements.txt but not in requirements-lock.txt: run make lock"
        for version, _marker in pins[name]:
            assert req.specifier.contains(version, prereleases=True), (
                f"requirements-lock.txt pins {req.name}=={version}, outside {req.specifier}: run make lock"
            )
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-lock.txt" in makefile and "uv pip compile requirements.txt" in makefile


def test_requirements_use_compatible_release_ranges():
    for line in _requirement_lines():
        spec = line.split(";")[0]
        assert "~=" in spec and "==" not in spec, f"use a compatible-release range (~=): {line}"


def test_tensorflow_wheel_is_chosen_per_platform():
    tf_lines = [line for line in _requirement_lines() if re.match(r"tensorflow(-cpu)?\s*~=", line)]
    markers = {line.split("~=")[0].strip(): line.split(";", 1)[1].strip() for line in tf_lines}
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
    assert sorted(commands) == ["make lab", "make test"], commands
    assert quick.index("git clone") < quick.index("make test") and "keeps this terminal busy" in quick
    assert "make test" in (ROOT / ".ci" / "run").read_text()


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_paired_with_its_py_and_in_sync(path):
    import jupytext

    py = path.with_suffix(".py")
    assert py.exists(), f"{py.name} missing: run `make notebooks` (jupytext pairing)"
    a = jupytext.read(path)
    b = jupytext.read(py)
    cells = lambda nb: [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]
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
    """The set-up cell is helpers.course's, pinned to a commit of this repository's history, and collapsed."""
    import subprocess

    nb = json.loads(path.read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    source = "".join(first["source"])
    commit = setup_cell_commit(source)
    assert commit is not None, f"{path.name}: run `make notebooks` after changing helpers/course/__init__.py"
    assert first["metadata"].get("jupyter", {}).get("source_hidden") is True, f"{path.name}: set-up cell not collapsed"
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True)
    if shallow.returncode == 0 and shallow.stdout.strip() == "false":  # a full clone knows every commit
        known = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True)
        assert known.returncode == 0, f"{path.name} pins {commit}, which is not a commit of this repository"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")), ids=lambda p: p.name)
def test_title_cell_follows_the_course_map(path):
    """Heading, badges, prerequisites and time come from helpers/course/__init__.py, so prose and map agree."""
    import jupytext

    nb = jupytext.read(path)
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first.source == title_markdown(path.name, first.source), (
        f"{path.name}: run `python tools/build_notebooks.py --no-execute {path.relative_to(ROOT)}`"
    )
    entry = notebook_entry(path.name)
    assert first.source.startswith(f"# {path.name[:2]} · {entry['title']}\n")
    assert prerequisites_markdown(path.name) in first.source


def test_tools_and_tests_import_course_metadata_without_path_hacks():
    for name in ("tools/build_notebooks.py", "tools/build_readme.py", "tests/test_course.py"):
        assert "sys.path" not in (ROOT / name).read_text(), name
    assert not (ROOT / "tools" / "course.py").exists()  # one home: helpers/course/__init__.py


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_refuses_a_mistyped_section_before_running_anything():
    bench = _bench_module()
    with pytest.raises(SystemExit, match=r"unknown section\(s\) metric; choose from .*metrics"):
        bench.choose_sections(["metric"])
    assert bench.choose_sections([]) == list(bench.SECTIONS)
    assert bench.choose_sections(["sliders", "metrics", "sliders"]) == ["sliders", "metrics"]


def test_partial_bench_run_replaces_only_its_sections():
    bench = _bench_module()
    old = (
        "# IoU Lab benchmarks\n\nWritten on day 1.\n\n"
        "## Metrics (issue 2)\n\nold metrics\n\n## Training (issue 7)\n\nold training\n"
    )
    new = bench.merge_results(
        old, [["## Metrics (issue 2)", "", "new metrics", ""], ["## GPU", "", "gpu", ""]], "_note_"
    )
    assert "old metrics" not in new and "new metrics" in new and "_note_" in new
    assert "old training" in new and "Written on day 1." in new  # the rest is kept
    assert new.index("## Metrics") < new.index("## Training") < new.index("## GPU")  # in place; new ones last
    assert bench.merge_results(new, [], "_") == new
