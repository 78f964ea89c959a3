"""Pre-flight for `make lab` / `make test`: find a Python the course can use, before anything is downloaded.

The course needs CPython 3.11, 3.12 or 3.13 (64-bit): Keras 3.15 needs >= 3.11 and TensorFlow 2.21 has no
wheels for 3.14. This script tries, in order, ``$PYTHON`` (if set; then nothing else), an existing ``.venv``,
``python3``, ``python3.13``, ``python3.12``, ``python3.11`` (and ``py -3.13`` ... on Windows). For the first one
in range it also checks that it can create a virtual environment (``venv`` + ``ensurepip``; on Debian/Ubuntu
that is the separate ``python3.X-venv`` package) and that TensorFlow publishes wheels for the platform.

    python3 tools/preflight.py            # report, exit 0 if a usable Python was found, else 1
    python3 tools/preflight.py --print    # print only the chosen interpreter's path (for the Makefile)

It runs under any Python 3 (3.6 and later are tested), so an old ``python3`` can still say what to install.
It never installs or downloads anything.
"""

import json
import os
import shutil
import subprocess
import sys

SUPPORTED = ((3, 11), (3, 12), (3, 13))
NAMES = ("python3", "python3.13", "python3.12", "python3.11")
WINDOWS_LAUNCHER_VERSIONS = ("3.13", "3.12", "3.11")

# Run inside each candidate (so it must itself work on old Pythons, even Python 2).
PROBE = r"""
import json, platform, struct, sys
info = {"version": list(sys.version_info[:3]), "executable": sys.executable,
        "bits": struct.calcsize("P") * 8, "system": platform.system(), "machine": platform.machine(),
        "implementation": platform.python_implementation(), "venv": True, "ensurepip": True,
        "libc": list(platform.libc_ver())}
try:
    import venv
except Exception:
    info["venv"] = False
try:
    import ensurepip
    ensurepip.version()
except Exception:
    info["ensurepip"] = False
print(json.dumps(info))
"""

INSTALL_HELP = """How to get Python 3.11, 3.12 or 3.13 (any one will do; 3.12 is a good choice):

  Ubuntu / Debian:
      Ubuntu 24.04 and Debian 12/13 ship a suitable python3: sudo apt install python3 python3-venv
      Ubuntu 22.04 (python3 is 3.10):
          sudo add-apt-repository ppa:deadsnakes/ppa && sudo apt update
          sudo apt install python3.12 python3.12-venv
  macOS (Apple silicon):
      brew install python@3.12        (or the installer from python.org)
  macOS (Intel): TensorFlow publishes no wheels for Intel Macs any more; run the course on
      Google Colab, Kaggle or Binder instead (badges at the top of every notebook and in README.md).
  Windows:
      winget install Python.Python.3.12   (or the installer from python.org; tick "Add python.exe to PATH")
      then follow README.md's Windows section (no make needed).

Then run make again (it finds python3.13/python3.12/python3.11 by itself), or name one:
    make lab PYTHON=/path/to/python3.12
"""


def _which(name, path=None):
    return shutil.which(name, path=path)


def probe(command):
    """Run PROBE with ``command`` (a list); return its facts as a dict, or None if it cannot run."""
    try:
        proc = subprocess.Popen(
            list(command) + ["-c", PROBE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True
        )
        out, _ = proc.communicate(timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    for line in reversed(out.strip().splitlines()):
        try:
            info = json.loads(line)
        except ValueError:
            continue
        if isinstance(info, dict) and "version" in info:
            return info
    return None


def version_text(info):
    return ".".join(str(v) for v in info["version"])


def in_range(info):
    return tuple(info["version"][:2]) in SUPPORTED


def platform_problem(info):
    """Why TensorFlow 2.21 cannot be installed for this interpreter's platform, or None."""
    system, machine = info.get("system", ""), (info.get("machine") or "").lower()
    if info.get("implementation", "CPython") != "CPython":
        return "this is {}; TensorFlow publishes wheels for CPython only.".format(info.get("implementation"))
    if info.get("bits", 64) != 64:
        return "this is a 32-bit Python; TensorFlow needs a 64-bit one."
    if system == "Darwin" and machine in ("x86_64", "i386"):
        return (
            "TensorFlow publishes no wheels for Intel macOS (none since 2.16.2). On an Apple-silicon Mac this "
            "means the Python runs under Rosetta: install an arm64 Python (e.g. Homebrew in /opt/homebrew). "
            "On an Intel Mac use Google Colab, Kaggle or Binder (see README.md)."
        )
    if system == "Linux" and machine not in ("x86_64", "amd64", "aarch64", "arm64"):
        return f"TensorFlow publishes Linux wheels for x86-64 and aarch64 only, not {machine}."
    libc = info.get("libc") or ["", ""]
    if system == "Linux" and libc[0] == "glibc" and libc[1]:
        try:
            glibc = tuple(int(p) for p in libc[1].split(".")[:2])
        except ValueError:
            glibc = None
        if glibc is not None and glibc < (2, 27):
            return f"TensorFlow 2.21 needs glibc 2.27 or newer; this system has {libc[1]}."
    return None


def venv_problem(info):
    """Why ``python -m venv`` would fail, or None."""
    if info.get("venv") and info.get("ensurepip"):
        return None
    mm = "{}.{}".format(*info["version"][:2])
    if info.get("system") == "Linux":
        return (
            f"it cannot create virtual environments (no ensurepip). On Debian/Ubuntu: sudo apt install python{mm}-venv"
        )
    return (
        "it cannot create virtual environments (the venv/ensurepip modules are missing): reinstall it from python.org."
    )


def candidates(env, venv_dir):
    """(label, command) pairs to try, in order."""
    if env.get("PYTHON"):
        return [("PYTHON=" + env["PYTHON"], [env["PYTHON"]])]
    found = []
    venv_python = os.path.join(
        venv_dir, "Scripts" if os.name == "nt" else "bin", "python.exe" if os.name == "nt" else "python"
    )
    if os.path.exists(venv_python):
        found.append(("existing " + venv_dir, [venv_python]))
    for name in NAMES:
        path = _which(name, env.get("PATH"))
        if path:
            found.append((name, [path]))
    if os.name == "nt" and _which("py", env.get("PATH")):
        found.extend(("py -" + v, ["py", "-" + v]) for v in WINDOWS_LAUNCHER_VERSIONS)
    return found


def choose(env=None, venv_dir=".venv"):
    """Return (command or None, report lines). The command is the first usable interpreter."""
    env = os.environ if env is None else env
    lines, seen = [], set()
    for label, command in candidates(env, venv_dir):
        info = probe(command)
        if info is None:
            lines.append(f"  {label}: does not run")
            continue
        key = os.path.realpath(info.get("executable") or command[0])
        if key in seen:
            continue
        seen.add(key)
        where = "{} (Python {}, {})".format(label, version_text(info), info.get("executable"))
        if not in_range(info):
            if label.startswith("existing"):
                lines.append(f"  {where}: outside 3.11-3.13; delete it (make clean) so it is rebuilt")
                return None, lines
            lines.append(f"  {where}: outside 3.11-3.13")
            continue
        problem = platform_problem(info)
        if problem:
            lines.append(f"  {where}: {problem}")
            return None, lines
        if not label.startswith("existing"):
            problem = venv_problem(info)
            if problem:
                lines.append(f"  {where}: {problem}")
                return None, lines
        lines.append(f"  {where}: OK")
        return info.get("executable") or command[0], lines
    if not lines:
        lines.append("  no python3, python3.13, python3.12 or python3.11 on PATH")
    return None, lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    venv_dir = os.environ.get("VENV") or ".venv"
    chosen, lines = choose(venv_dir=venv_dir)
    if "--print" in argv:
        if chosen:
            print(chosen)
            return 0
    if chosen:
        print(f"Pre-flight: the course will use {chosen}")
        return 0
    stream = sys.stderr
    print(
        "Pre-flight: no usable Python for the course (it needs CPython 3.11-3.13, 64-bit). Nothing was "
        "downloaded or installed.",
        file=stream,
    )
    print("Checked:", file=stream)
    for line in lines:
        print(line, file=stream)
    print("", file=stream)
    print(INSTALL_HELP, file=stream)
    return 1


if __name__ == "__main__":
    sys.exit(main())
