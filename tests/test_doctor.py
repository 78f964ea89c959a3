"""helpers.course.doctor finds problems and names fixes: here, from a terminal, with a broken TensorFlow, and
"not installed" vs "fails to import"."""

import os
import subprocess
import sys
from pathlib import Path

from helpers.course import doctor

ROOT = Path(__file__).resolve().parents[1]
DLL_ERROR = "DLL load failed while importing _pywrap_tensorflow_internal: The specified module could not be found."


def broken_tensorflow(folder: Path) -> Path:
    """A fake ``tensorflow`` package that fails to import like TensorFlow does on a Windows machine without
    the Visual C++ runtime. Put first on PYTHONPATH, it shadows the real one."""
    pkg = folder / "tensorflow"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(f"raise ImportError({DLL_ERROR!r})\n")
    return folder


def run_doctor(extra_path=None, **env_overrides):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env_overrides}
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), str(ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "helpers.course.doctor"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_python_m_helpers_doctor_from_a_terminal():
    result = run_doctor()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "TensorFlow" in result.stdout and "All good" in result.stdout


def test_doctor_runs_with_a_broken_tensorflow_and_says_it_fails_to_import(tmp_path):
    result = run_doctor(broken_tensorflow(tmp_path))
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Traceback" not in result.stderr
    tf_line = next(line for line in out.splitlines() if "TensorFlow" in line and "fails to import" in line)
    assert "installed but fails to import (ImportError: DLL load failed" in tf_line
    assert "not installed" not in tf_line
    assert "Visual C++ Redistributable" in out  # the fix for this error
    assert "fix TensorFlow (above) first" in out  # Keras imports TensorFlow
    assert "GPU" in out and "shapes dataset" in out and "problem(s) found" in out  # the report went on


def test_not_installed_and_fails_to_import_are_told_apart(tmp_path, monkeypatch):
    (tmp_path / "course_pkg_with_missing_dep").mkdir()
    (tmp_path / "course_pkg_with_missing_dep" / "__init__.py").write_text("import course_dep_that_is_missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    missing = doctor.probe_import("course_pkg_that_does_not_exist")
    broken = doctor.probe_import("course_pkg_with_missing_dep")
    assert (missing.installed, missing.describe()) == (False, "not installed")
    assert broken.installed and broken.version is None
    assert broken.describe() == (
        "installed but fails to import (ModuleNotFoundError: No module named 'course_dep_that_is_missing')"
    )


def test_report_names_the_right_fix_for_each_case(monkeypatch, capsys):
    real = doctor._probe
    fakes = {
        "tensorflow": doctor.Probe("tensorflow"),
        "numpy": doctor.Probe("numpy", error="ImportError: numpy.core.multiarray failed to import"),
    }
    monkeypatch.setattr(doctor, "_probe", lambda name: fakes.get(name) or real(name))
    assert doctor.doctor() is False
    out = capsys.readouterr().out
    assert "❌ TensorFlow" in out and "not installed" in out and "make lab" in out
    assert "installed but fails to import (ImportError: numpy.core.multiarray" in out
    assert "different NumPy" in out


def test_broken_tensorflow_on_colab_is_never_fixed_by_pip(monkeypatch):
    import types

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real = doctor._probe
    monkeypatch.setattr(
        doctor,
        "_probe",
        lambda name: doctor.Probe(name, error="AttributeError: x") if name == "tensorflow" else real(name),
    )
    tf = {f.name: f for f in doctor.diagnose()}["TensorFlow"]
    assert not tf.ok and "Disconnect and delete runtime" in tf.fix and "do not pip-install TensorFlow" in tf.fix


def test_python_range_is_3_11_to_3_13(monkeypatch):
    assert doctor.SUPPORTED_PYTHON == ((3, 11), (3, 13))
    finding = doctor.diagnose()[0]
    assert finding.name == "Python" and finding.ok == ((3, 11) <= sys.version_info[:2] <= (3, 13))
    assert "3.11-3.13" in finding.fix


def test_ascii_console_gets_ascii_marks():
    result = run_doctor(PYTHONIOENCODING="cp1252")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok] Python" in result.stdout and "UnicodeEncodeError" not in result.stderr


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
