"""An environment check for the course: versions, GPU, widgets, data; each problem with a one-line fix.

Run ``helpers.course.doctor.doctor()`` in a notebook (notebook 00 does), or from a terminal in the repository::

    python -m helpers.course.doctor

It works when TensorFlow is missing or broken: a package that is not installed and one that is installed
but fails to import are different problems with different fixes, and the report says which one it is,
with the import error.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import sys
from dataclasses import dataclass

__all__ = ["Finding", "Probe", "diagnose", "doctor", "fix_hint", "probe_import", "runtime_name"]

SUPPORTED_PYTHON = ((3, 11), (3, 13))


@dataclass
class Finding:
    """One line of the report: what was checked, what was found, whether it is fine, and the fix."""

    name: str
    found: str
    ok: bool
    fix: str = ""
    info_only: bool = False  # not a problem, just worth knowing (e.g. "no GPU")


@dataclass
class Probe:
    """The result of importing one module: its version, or why it could not be imported."""

    module: str
    version: str | None = None  # set when the import worked
    error: str = ""  # "ExceptionType: message" when it is installed but fails to import

    @property
    def installed(self) -> bool:
        return self.version is not None or bool(self.error)

    def describe(self) -> str:
        """What the report shows: the version, "not installed", or "fails to import (<error>)".

        Examples
        --------
        >>> Probe("numpy", version="2.1.3").describe()
        '2.1.3'
        >>> Probe("tensorflow").describe()
        'not installed'
        >>> Probe("tensorflow", error="ImportError: DLL load failed").describe()
        'installed but fails to import (ImportError: DLL load failed)'
        """
        if self.version is not None:
            return self.version
        if self.error:
            return f"installed but fails to import ({self.error})"
        return "not installed"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


_FAILED: dict = {}  # module name -> Probe of its first failed import in this process


def probe_import(module_name: str) -> Probe:
    """Import ``module_name`` (TensorFlow quietly) and report its version or the error; never raises.

    Examples
    --------
    >>> probe_import("json").installed
    True
    >>> probe_import("no_such_module_for_the_course").describe()
    'not installed'
    """
    if module_name in _FAILED:  # a second import of a broken package can fail differently: keep the first error
        return _FAILED[module_name]
    if module_name in sys.modules and sys.modules[module_name] is not None:
        return Probe(module_name, version=str(getattr(sys.modules[module_name], "__version__", "unknown")))
    try:
        if module_name == "tensorflow":
            from helpers.course.runtime import import_tensorflow_quietly

            module = import_tensorflow_quietly()
        else:
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name or (exc.name and module_name.startswith(exc.name + ".")):
            try:
                spec = importlib.util.find_spec(module_name)
            except (ImportError, ValueError):
                spec = None
            if spec is None:
                return Probe(module_name)
        _FAILED[module_name] = Probe(module_name, error=_first_line(exc))  # installed; a dependency is missing
        return _FAILED[module_name]
    except Exception as exc:
        _FAILED[module_name] = Probe(module_name, error=_first_line(exc))
        return _FAILED[module_name]
    return Probe(module_name, version=str(getattr(module, "__version__", "unknown")))


def runtime_name() -> str:
    """``"colab"``, ``"kaggle"`` or ``"local"``: where this kernel runs."""
    if "google.colab" in sys.modules:
        return "colab"
    if os.environ.get("KAGGLE_KERNEL_RUN_TYPE") or os.environ.get("KAGGLE_URL_BASE"):
        return "kaggle"
    return "local"


def _major_minor(version: str) -> tuple:
    """``"2.21.0rc1"`` -> ``(2, 21)``.

    Examples
    --------
    >>> _major_minor("2.21.0rc1")
    (2, 21)
    """
    parts = []
    for p in version.split(".")[:2]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _install_hint(package: str) -> str:
    where = runtime_name()
    if where == "colab":
        return f"Colab ships {package}; restart the runtime (Runtime > Restart session) and run the set-up cell again."
    if where == "kaggle":
        return (
            f"Kaggle ships {package}; in the notebook's settings pick the latest environment and "
            f"turn Internet on, then restart the session and run the set-up cell again."
        )
    return f"run `make lab` from the repository (or `pip install -r requirements.txt -e .`) to install {package}."


def _broken_import_hint(probe: Probe) -> str:
    """The fix for a package that is installed but fails to import."""
    error, package = probe.error, probe.module
    where = runtime_name()
    if where in ("colab", "kaggle"):
        service = "Colab" if where == "colab" else "Kaggle"
        return (
            f"{service}'s own {package} is broken in this session, usually by a `pip install` that replaced "
            f"it or one of its dependencies: restart the session from scratch (Colab: Runtime > Disconnect "
            f"and delete runtime) and do not pip-install TensorFlow, Keras, NumPy or ipywidgets there."
        )
    if "DLL load failed" in error:
        return (
            "Windows could not load TensorFlow's libraries: install the latest Microsoft Visual C++ "
            "Redistributable (x64), check that the CPU supports AVX, keep the repository in a short path "
            "(long-path limit), then restart the kernel."
        )
    if "numpy" in error.lower() or "_ARRAY_API" in error:
        return (
            f"{package} was built for a different NumPy: reinstall the course's versions in this "
            "environment with `python -m pip install -r requirements.txt`, then restart the kernel."
        )
    return (
        "reinstall it in this environment (`python -m pip install --force-reinstall -r requirements.txt`"
        " from the repository, or `make clean && make lab`), then restart the kernel. If that does not "
        "help, search for the error message above."
    )


def fix_hint(probe: Probe) -> str:
    """The one-line fix for a package that is missing or fails to import (empty if it imported).

    Examples
    --------
    >>> fix_hint(Probe("numpy", version="2.1.3"))
    ''
    >>> "Visual C++" in fix_hint(Probe("tensorflow", error="ImportError: DLL load failed while importing x"))
    True
    """
    if probe.version is not None:
        return ""
    return _broken_import_hint(probe) if probe.error else _install_hint(probe.module)


def _package_finding(name: str, probe: Probe, ok_if, fix_if_old: str, needs: str) -> Finding:
    if probe.version is None:
        fix = _broken_import_hint(probe) if probe.error else _install_hint(needs)
        return Finding(name, probe.describe(), False, fix)
    return Finding(name, probe.version, bool(ok_if(probe.version)), fix_if_old)


def diagnose() -> list:
    """Check the environment; return a list of :class:`Finding` (nothing is printed)."""
    findings = []
    py = platform.python_version()
    low, high = SUPPORTED_PYTHON
    findings.append(
        Finding(
            "Python",
            py,
            low <= sys.version_info[:2] <= high,
            "the course needs Python 3.11-3.13 (Keras 3.15 needs >= 3.11; TensorFlow 2.21 has no "
            "wheels for 3.14): run `make lab`, whose pre-flight finds or names one to install.",
        )
    )

    tf = _probe("tensorflow")
    findings.append(
        _package_finding(
            "TensorFlow",
            tf,
            lambda v: _major_minor(v) >= (2, 16),
            "TensorFlow >= 2.16 is needed for Keras 3: " + _install_hint("TensorFlow 2.21"),
            "TensorFlow >= 2.16",
        )
    )
    keras = _probe("keras")
    keras_finding = _package_finding(
        "Keras",
        keras,
        lambda v: _major_minor(v) >= (3, 0),
        "the course needs Keras 3: " + _install_hint("Keras 3"),
        "Keras 3",
    )
    if keras.error and tf.error:
        keras_finding.fix = "Keras imports TensorFlow: fix TensorFlow (above) first."
    findings.append(keras_finding)
    for name, module in (("NumPy", "numpy"), ("matplotlib", "matplotlib")):
        findings.append(_package_finding(name, _probe(module), lambda v: True, "", name))

    w = _probe("ipywidgets")
    w_ok = w.version is not None and _major_minor(w.version) >= (7, 7)
    findings.append(
        _package_finding(
            "ipywidgets",
            w,
            lambda v: _major_minor(v) >= (7, 7),
            "the sliders need ipywidgets 7.7 or 8.x: " + _install_hint("ipywidgets"),
            "ipywidgets",
        )
    )
    if w_ok and runtime_name() != "colab" and _major_minor(w.version) >= (8, 0):
        lab = _probe("jupyterlab_widgets")
        findings.append(
            Finding(
                "widget front-end (jupyterlab_widgets)",
                lab.describe(),
                lab.version is not None and _major_minor(lab.version) >= (3, 0),
                "sliders would show as text like IntSlider(value=...): "
                "`pip install jupyterlab_widgets~=3.0`, then restart JupyterLab.",
            )
        )
    elif w_ok and runtime_name() == "colab":
        findings.append(
            Finding(
                "widget front-end",
                "Colab (built in)",
                _major_minor(w.version) < (8, 0),
                "Colab renders ipywidgets 7.7: do not upgrade ipywidgets there; restart the "
                "runtime after `pip uninstall -y ipywidgets && pip install ipywidgets==7.7.1`.",
            )
        )

    if tf.version is not None:
        gpus = sys.modules["tensorflow"].config.list_physical_devices("GPU")
        if gpus:
            gpu_fix = ""
        elif runtime_name() == "colab":
            gpu_fix = "training is faster on a GPU: Runtime > Change runtime type > GPU."
        else:
            gpu_fix = "the course runs on a CPU; notebook 05 takes a few minutes."
        findings.append(
            Finding("GPU", f"{len(gpus)} visible" if gpus else "none (CPU only)", True, gpu_fix, info_only=True)
        )
    else:
        findings.append(Finding("GPU", "not checked (needs TensorFlow)", True, "", info_only=True))

    try:
        from helpers.course.data import load_shapes

        images, masks = load_shapes("val")
        findings.append(Finding("shapes dataset", f"{len(images)} validation images", True))
    except Exception as exc:
        findings.append(
            Finding(
                "shapes dataset",
                _first_line(exc),
                False,
                "delete data/shapes_64.npz; it is regenerated on the next load.",
            )
        )
    return findings


def _probe(module_name: str) -> Probe:
    # indirection so that tests can simulate a missing or broken package
    return probe_import(module_name)


def _marks(stream) -> dict:
    """Emoji marks where the output can show them, ASCII ones otherwise (e.g. a Windows cp1252 console)."""
    marks = {"ok": "✅", "bad": "❌", "info": "ℹ️ "}
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "".join(marks.values()).encode(encoding)
    except (LookupError, UnicodeEncodeError):
        marks = {"ok": "[ok]", "bad": "[!!]", "info": "[i]"}
    return marks


def doctor() -> bool:
    """Print the environment report, one line per check with a fix for each problem; True if all is well."""
    findings = diagnose()
    marks = _marks(sys.stdout)
    width = max(len(f.name) for f in findings)
    for f in findings:
        mark = marks["info"] if f.info_only else (marks["ok"] if f.ok else marks["bad"])
        line = f"{mark} {f.name:<{width}}  {f.found}"
        if f.fix and (not f.ok or f.info_only):
            line += f"\n   {'fix' if not f.ok else 'note'}: {f.fix}"
        print(line)
    problems = [f for f in findings if not f.ok]
    print(
        "All good: the course can run here."
        if not problems
        else f"{len(problems)} problem(s) found: apply the fix(es) above, then restart the kernel."
    )
    return not problems


if __name__ == "__main__":
    sys.exit(0 if doctor() else 1)
