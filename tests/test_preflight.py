"""tools/preflight.py: finds a Python 3.11-3.13 or stops, before any download, saying what to install.

The interpreters here are fakes: small shell scripts on a private PATH that answer the pre-flight's probe
like a given Python would, and log how they were called (so a test can see that nothing was installed).
"""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFLIGHT = ROOT / "tools" / "preflight.py"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="fake interpreters are POSIX shell scripts")


def fake_python(
    bin_dir: Path, name: str, version: str, *, ensurepip=True, system="Linux", machine="x86_64", bits=64
) -> Path:
    """Write ``bin_dir/name``: answers the probe as CPython ``version`` would; logs its arguments."""
    info = {
        "version": [int(v) for v in version.split(".")],
        "executable": str(bin_dir / name),
        "bits": bits,
        "system": system,
        "machine": machine,
        "implementation": "CPython",
        "venv": True,
        "ensurepip": ensurepip,
        "libc": ["glibc", "2.36"],
    }
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\necho "{name} $1" >> "{bin_dir}/calls.log"\necho \'{json.dumps(info)}\'\n')
    script.chmod(0o755)
    return script


def run_preflight(bin_dir: Path, *args, python_env=None, interpreter=sys.executable):
    env = {"PATH": str(bin_dir), "VENV": str(bin_dir / "no-venv-here"), "HOME": str(bin_dir)}
    if python_env:
        env["PYTHON"] = python_env
    return subprocess.run(
        [interpreter, str(PREFLIGHT), *args], env=env, cwd=bin_dir, capture_output=True, text=True, timeout=120
    )


def calls(bin_dir: Path) -> str:
    log = bin_dir / "calls.log"
    return log.read_text() if log.exists() else ""


def test_only_python_3_10_stops_with_install_help_and_downloads_nothing(tmp_path):
    fake_python(tmp_path, "python3", "3.10.12")
    fake_python(tmp_path, "python3.10", "3.10.12")
    result = run_preflight(tmp_path)
    assert result.returncode == 1
    err = result.stderr
    assert "3.10.12" in err and "outside 3.11-3.13" in err
    for platform_help in (
        "Ubuntu / Debian",
        "deadsnakes",
        "python3.12-venv",
        "macOS",
        "brew install",
        "Windows",
        "winget",
        "Colab",
    ):
        assert platform_help in err, platform_help
    assert "Nothing was downloaded" in err
    made = calls(tmp_path).split("\n")[:-1]
    assert made and all(line.endswith(" -c") for line in made), made  # only probed: no venv, no pip
    assert result.stdout == ""


def test_python_3_10_first_on_path_is_skipped_for_python_3_12(tmp_path):
    fake_python(tmp_path, "python3", "3.10.12")
    fake_python(tmp_path, "python3.10", "3.10.12")
    good = fake_python(tmp_path, "python3.12", "3.12.3")
    result = run_preflight(tmp_path, "--print")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(good)
    report = run_preflight(tmp_path)
    assert "will use" in report.stdout and str(good) in report.stdout


def test_python3_in_range_is_preferred(tmp_path):
    first = fake_python(tmp_path, "python3", "3.11.9")
    fake_python(tmp_path, "python3.13", "3.13.1")
    assert run_preflight(tmp_path, "--print").stdout.strip() == str(first)


def test_python_3_14_is_rejected(tmp_path):
    fake_python(tmp_path, "python3", "3.14.0")
    result = run_preflight(tmp_path)
    assert result.returncode == 1 and "3.14.0" in result.stderr and "outside 3.11-3.13" in result.stderr


def test_explicit_python_out_of_range_is_named_and_nothing_else_is_tried(tmp_path):
    fake_python(tmp_path, "python3.12", "3.12.3")
    old = fake_python(tmp_path, "python3.10", "3.10.12")
    result = run_preflight(tmp_path, python_env=str(old))
    assert result.returncode == 1
    assert f"PYTHON={old}" in result.stderr and "outside 3.11-3.13" in result.stderr
    assert "python3.12" not in calls(tmp_path)


def test_missing_venv_package_names_the_debian_package(tmp_path):
    fake_python(tmp_path, "python3", "3.12.3", ensurepip=False)
    result = run_preflight(tmp_path)
    assert result.returncode == 1
    assert "sudo apt install python3.12-venv" in result.stderr


def test_intel_mac_python_is_sent_to_colab(tmp_path):
    fake_python(tmp_path, "python3", "3.12.3", system="Darwin", machine="x86_64")
    result = run_preflight(tmp_path)
    assert result.returncode == 1
    assert "Intel macOS" in result.stderr and "Colab" in result.stderr


def test_no_python_at_all_on_path(tmp_path):
    result = run_preflight(tmp_path)
    assert result.returncode == 1 and "no python3" in result.stderr


def test_the_real_interpreter_running_the_tests_is_accepted(tmp_path):
    """This machine's own Python (3.11-3.13, with venv) passes the real probe, not a fake."""
    real = tmp_path / "python3"
    real.symlink_to(sys.executable)
    result = run_preflight(tmp_path, "--print")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()


def test_preflight_source_is_valid_python_3_6():
    ast.parse(PREFLIGHT.read_text(), feature_version=(3, 6))


# a real Python 3.6 binary (pyenv's shims need bash on PATH, so the versions folder comes first)
OLD_PYTHONS = [
    p for p in (*sorted(Path("/root/.pyenv/versions").glob("3.6*/bin/python3.6")), shutil.which("python3.6")) if p
]


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python 3.6 on this machine")
def test_preflight_runs_under_python_3_6(tmp_path):
    fake_python(tmp_path, "python3", "3.10.12")
    good = fake_python(tmp_path, "python3.11", "3.11.2")
    result = run_preflight(tmp_path, "--print", interpreter=str(OLD_PYTHONS[0]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(good)
    good.unlink()
    result = run_preflight(tmp_path, interpreter=str(OLD_PYTHONS[0]))
    assert result.returncode == 1, result.stderr
    assert "3.10.12" in result.stderr and "Ubuntu / Debian" in result.stderr
