"""The shape of helpers/ (docs/architecture.md): three layers with one direction, enforced.

- the import-linter contracts of pyproject.toml hold (``make lint`` runs them too), and they do catch
  a deliberate violation (a copy of the package where the library imports the course);
- no function in helpers/ is longer than 120 lines;
- nothing imports a private name (``_x``) from another module;
- every module has its one test file (tests/test_<module>.py; a package's file covers its modules);
- docs/architecture.md names every module of the package, and the contracts it describes.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "helpers"
MAX_FUNCTION_LINES = 120
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _modules():
    for path in sorted(HELPERS.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _run_lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), str(config), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (requirements.txt has it)")
def test_the_contracts_hold():
    result = _run_lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (requirements.txt has it)")
def test_a_library_module_importing_the_course_breaks_the_contracts(tmp_path):
    # the package copied under another name (the installed `helpers` cannot shadow it), with one bad import
    copy = tmp_path / "helpers_copy"
    shutil.copytree(HELPERS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for path in copy.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("helpers.", "helpers_copy.").replace("from helpers import", "from helpers_copy import")
        )
    metrics = copy / "metrics.py"
    metrics.write_text(metrics.read_text(encoding="utf-8") + "\nfrom helpers_copy.course import data as _violation\n")
    config = tmp_path / "pyproject.toml"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text[text.index("[tool.importlinter]") : text.index("[tool.ruff]")]
    config.write_text(re.sub(r"\bhelpers(?=[.\"])", "helpers_copy", section))
    result = _run_lint_imports(tmp_path, config)
    assert result.returncode != 0
    assert "The library never imports the course BROKEN" in " ".join(result.stdout.split())
    assert "helpers_copy.metrics -> helpers_copy.course.data" in result.stdout


def test_the_contracts_name_real_modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    names = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in HELPERS.rglob("*.py")
    }
    for contract in config["contracts"]:
        listed = (
            contract.get("source_modules", [])
            + contract.get("forbidden_modules", [])
            + contract.get("modules", [])
            + [m.strip() for layer in contract.get("layers", []) for m in layer.split("|")]
        )
        missing = [m for m in listed if m not in names]
        assert not missing, f"contract {contract['id']!r} names modules that do not exist: {missing}"


def test_no_function_is_longer_than_120_lines():
    long = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                n = node.end_lineno - first + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, "split these functions (at most 120 lines each): " + "; ".join(long)


def test_nothing_imports_a_private_name_from_another_module():
    offenders = []
    for path, tree in _modules():
        package = ".".join(path.relative_to(ROOT).parts[:-1])
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                source = node.module
                for alias in node.names:
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    is_module = (ROOT / Path(*source.split("."), alias.name + ".py")).exists() or (
                        ROOT / Path(*source.split("."), alias.name)
                    ).is_dir()
                    inside = source.startswith(package + ".") or source == package  # within its own package
                    if private and not is_module and not (inside and package != "helpers"):
                        offenders.append(f"{path.relative_to(ROOT)}: from {source} import {alias.name}")
    assert not offenders, "import public names only: " + "; ".join(offenders)


def test_architecture_doc_names_every_module_and_contract():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    from helpers._deprecated import MOVED

    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in HELPERS.rglob("*.py")
        if "__pycache__" not in p.parts
    )
    missing = [m for m in modules if m not in MOVED and m != "helpers" and f"`{m}`" not in doc]
    assert not missing, f"docs/architecture.md does not name: {missing}"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    for contract in config["contracts"]:
        assert contract["name"] in doc, f"docs/architecture.md does not state the contract {contract['name']!r}"


TEST_FILE_OVERRIDES = {
    "helpers": "test_deprecated.py",  # the package's own code is the deprecated alias helpers.CLASS_NAMES
    "helpers._native": "test_runtime.py",  # quiet_native_stderr, next to the runtime that uses it
    "helpers.keras": "test_common.py",  # the package registers every metric and loss: the common tests
    "helpers.keras.registry": "test_common.py",
    "helpers.course": "test_course.py",
}


def _test_file_for(module: str) -> str:
    if module in TEST_FILE_OVERRIDES:
        return TEST_FILE_OVERRIDES[module]
    parts = module.split(".")[1:]
    if parts[0] == "course":
        parts = parts[1:]
    for k in range(len(parts), 0, -1):  # helpers.audit.report -> test_audit_report.py, else test_audit.py
        name = "test_" + "_".join(p.strip("_") for p in parts[:k]) + ".py"
        if (ROOT / "tests" / name).exists():
            return name
    return "test_" + "_".join(p.strip("_") for p in parts) + ".py (missing)"


def test_every_module_has_its_test_file():
    from helpers._deprecated import MOVED

    modules = [_module_name(p) for p in sorted(HELPERS.rglob("*.py")) if "__pycache__" not in p.parts]
    missing = [
        f"{m} -> {_test_file_for(m)}" for m in modules if m not in MOVED and _test_file_for(m).endswith("(missing)")
    ]
    assert not missing, "write a test file for: " + "; ".join(missing)


LIBRARY = (
    "helpers.metrics",
    "helpers.stats",
    "helpers.report",
    "helpers.folder_data",
    "helpers.keras",
    "helpers.audit",
)
LIBRARY += ("helpers.plotting",)
DATA_PARAMETERS = {"y_pred", "split", "alpha", "argv", "class_names"}
"""Optional parameters that are data, not options: ``show_masks(image, y_true, y_pred=None)``,
``load_oxford_pet(split)``, ``ce_jaccard_loss(alpha)`` (a loss factory's one argument, as in Keras),
``main(argv)``, ``class_legend_handles(class_names)``."""


def test_library_options_are_keyword_only():
    positional = []
    for path, tree in _modules():
        module = _module_name(path)
        public_module = not any(part.startswith("_") and part != "__init__" for part in module.split("."))
        if not module.startswith(LIBRARY) or not public_module or module == "helpers.audit.known_answers":
            continue
        for node in tree.body:
            functions = [(node.name, node, 0)] if isinstance(node, ast.FunctionDef) else []
            if isinstance(node, ast.ClassDef):
                functions = [
                    (node.name, f, 1) for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"
                ]
            for name, fn, skip in functions:
                if name.startswith("_"):
                    continue
                args = fn.args.args[skip:]
                with_default = args[len(args) - len(fn.args.defaults) :] if fn.args.defaults else []
                positional += [f"{module}.{name}({a.arg}=...)" for a in with_default if a.arg not in DATA_PARAMETERS]
    assert not positional, "make these options keyword-only (after a `*`): " + "; ".join(positional)
