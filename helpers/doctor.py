"""An environment check for the course: versions, GPU, widgets, data; each problem with a one-line fix.

Run ``helpers.doctor.doctor()`` in a notebook (notebook 00 does), or ``python -m helpers.doctor``.
"""

from __future__ import annotations

import importlib
import platform
import sys
from dataclasses import dataclass

__all__ = ["Finding", "diagnose", "doctor"]


@dataclass
class Finding:
    """One line of the report: what was checked, what was found, whether it is fine, and the fix."""

    name: str
    found: str
    ok: bool
    fix: str = ""
    info_only: bool = False  # not a problem, just worth knowing (e.g. "no GPU")


def _in_colab() -> bool:
    return "google.colab" in sys.modules


def _version(module_name: str):
    try:
        module = importlib.import_module(module_name)
    except Exception:  # noqa: BLE001 - any import failure is a finding
        return None
    return getattr(module, "__version__", "unknown")


def _major_minor(version: str) -> tuple:
    parts = []
    for p in version.split(".")[:2]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _install_hint(package: str) -> str:
    if _in_colab():
        return f"Colab ships {package}; restart the runtime (Runtime > Restart session) and run the set-up cell again."
    return f"run `make lab` from the repository (or `pip install -r requirements.txt -e .`) to install {package}."


def diagnose() -> list:
    """Check the environment; return a list of :class:`Finding` (nothing is printed)."""
    findings = []
    py = platform.python_version()
    findings.append(Finding("Python", py, (3, 10) <= sys.version_info[:2] <= (3, 13),
                            "use Python 3.10-3.13 (e.g. `make lab PYTHON=python3.11`)."))

    if sys.modules.get("tensorflow") is None:
        from helpers.runtime import import_tensorflow_quietly

        try:
            import_tensorflow_quietly()
        except Exception:  # noqa: BLE001
            pass
    tf_version = _version("tensorflow")
    findings.append(Finding("TensorFlow", tf_version or "not installed",
                            tf_version is not None and _major_minor(tf_version) >= (2, 16),
                            _install_hint("TensorFlow >= 2.16") if tf_version is None else
                            "TensorFlow >= 2.16 is needed for Keras 3: " + _install_hint("TensorFlow 2.21")))
    keras_version = _version("keras")
    findings.append(Finding("Keras", keras_version or "not installed",
                            keras_version is not None and _major_minor(keras_version) >= (3, 0),
                            _install_hint("Keras 3")))
    np_version = _version("numpy")
    findings.append(Finding("NumPy", np_version or "not installed", np_version is not None, _install_hint("NumPy")))
    mpl_version = _version("matplotlib")
    findings.append(Finding("matplotlib", mpl_version or "not installed", mpl_version is not None,
                            _install_hint("matplotlib")))

    w_version = _version("ipywidgets")
    w_ok = w_version is not None and _major_minor(w_version) >= (7, 7)
    findings.append(Finding("ipywidgets", w_version or "not installed", w_ok,
                            "the sliders need ipywidgets 7.7 or 8.x: " + _install_hint("ipywidgets")))
    if w_ok and not _in_colab() and _major_minor(w_version) >= (8, 0):
        lab_widgets = _version("jupyterlab_widgets")
        findings.append(Finding("widget front-end (jupyterlab_widgets)", lab_widgets or "not installed",
                                lab_widgets is not None and _major_minor(lab_widgets) >= (3, 0),
                                "sliders would show as text like IntSlider(value=...): "
                                "`pip install jupyterlab_widgets~=3.0`, then restart JupyterLab."))
    elif w_ok and _in_colab():
        findings.append(Finding("widget front-end", "Colab (built in)", _major_minor(w_version) < (8, 0),
                                "Colab renders ipywidgets 7.7: do not upgrade ipywidgets there; restart the "
                                "runtime after `pip uninstall -y ipywidgets && pip install ipywidgets==7.7.1`."))

    gpus = []
    if tf_version is not None:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    findings.append(Finding("GPU", f"{len(gpus)} visible" if gpus else "none (CPU only)", True,
                            "" if gpus else ("training is faster on a GPU: Runtime > Change runtime type > GPU."
                                             if _in_colab() else "the course runs on a CPU; notebook 05 takes a few minutes."),
                            info_only=True))

    try:
        from helpers.data import load_shapes

        images, masks = load_shapes("val")
        findings.append(Finding("shapes dataset", f"{len(images)} validation images", True))
    except Exception as exc:  # noqa: BLE001
        findings.append(Finding("shapes dataset", f"{type(exc).__name__}: {exc}", False,
                                "delete data/shapes_64.npz; it is regenerated on the next load."))
    return findings


def doctor() -> bool:
    """Print the environment report, one line per check with a fix for each problem; True if all is well."""
    findings = diagnose()
    width = max(len(f.name) for f in findings)
    for f in findings:
        mark = "ℹ️ " if f.info_only else ("✅" if f.ok else "❌")
        line = f"{mark} {f.name:<{width}}  {f.found}"
        if f.fix and (not f.ok or f.info_only):
            line += f"\n   {'fix' if not f.ok else 'note'}: {f.fix}"
        print(line)
    problems = [f for f in findings if not f.ok]
    print("All good: the course can run here." if not problems else
          f"{len(problems)} problem(s) found: apply the fix(es) above, then restart the kernel.")
    return not problems


if __name__ == "__main__":
    sys.exit(0 if doctor() else 1)
