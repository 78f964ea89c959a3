"""The notebooks' set-up cell (helpers.course.SETUP_CELL) where learners actually run it.

- With a broken TensorFlow, the cell says what is wrong and how to fix it, and notebook 00 goes on to run
  its environment check (the real cells of notebooks/00_start_here.py, in a subprocess).
- Outside the repository (Colab, Kaggle, any Jupyter), it downloads the commit the notebook was built
  from once, as a zip archive (here served from a local ``file://`` address), and reuses that copy afterwards;
  a failed download (no such file, a 404, no network at all) stops with three lines, not a traceback.
- It never installs anything.
"""

import http.server
import io
import os
import re
import subprocess
import sys
import sysconfig
import threading
import tokenize
import zipfile
from pathlib import Path

import jupytext

from helpers import course

ROOT = Path(__file__).resolve().parents[1]
DLL_ERROR = "DLL load failed while importing _pywrap_tensorflow_internal: The specified module could not be found."


def run_python(code: str, cwd: Path, env_extra: dict, *flags: str):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONIOENCODING": "utf-8",
        "MPLBACKEND": "Agg",
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, *flags, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_broken_tensorflow_notebook_00_says_so_and_its_doctor_still_runs(tmp_path):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(f"raise ImportError({DLL_ERROR!r})\n")
    nb = jupytext.read(ROOT / "notebooks" / "00_start_here.py")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    upto = next(i for i, src in enumerate(code) if "doctor()" in src)
    assert course.setup_cell_commit(code[0]) is not None
    script = "\n\n".join(code[: upto + 1]) + "\nprint('DOCTOR RESULT', all_good)\n"
    result = run_python(script, ROOT / "notebooks", {"PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)})
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Problem: TensorFlow is installed but fails to import (ImportError: DLL load failed" in out
    assert "Visual C++ Redistributable" in out  # the fix, in the set-up cell's own output
    assert "❌ TensorFlow" in out and "problem(s) found" in out  # then the doctor ran to the end
    assert "DOCTOR RESULT False" in out


COMMIT = "0123456789abcdef0123456789abcdef01234567"


def course_archive(folder: Path) -> str:
    """A zip of the course like GitHub's archive of a commit; returns the file:// 'repository' address."""
    repo = folder / "remote" / "iou-lab"
    target = repo / "archive" / f"{COMMIT}.zip"
    target.parent.mkdir(parents=True)
    top = f"iou-lab-{COMMIT}"
    with zipfile.ZipFile(target, "w") as zf:
        for path in [*(ROOT / "helpers").rglob("*.py"), *(ROOT / "notebooks").glob("*.py")]:
            zf.write(path, f"{top}/{path.relative_to(ROOT).as_posix()}")
    return repo.as_uri()


def foreign_jupyter(code: str, cwd: Path, home: Path):
    """Run ``code`` as a Jupyter outside the repository would: the packages are there (site-packages on
    PYTHONPATH), but ``python -S`` skips the editable install that makes ``helpers`` importable here."""
    site_packages = sysconfig.get_paths()["purelib"]
    return run_python(code, cwd, {"PYTHONPATH": site_packages, "HOME": str(home)}, "-S")


def test_outside_the_repository_the_course_is_downloaded_once(tmp_path):
    url = course_archive(tmp_path)
    cell = course.setup_cell(COMMIT).replace(course.REPO_URL, url)
    assert cell != course.setup_cell(COMMIT) and len(cell.splitlines()) <= 20
    elsewhere, home = tmp_path / "somewhere", tmp_path / "home"
    elsewhere.mkdir()
    home.mkdir()
    report = "\nimport helpers; print('HELPERS', helpers.__file__); print('CWD', os.getcwd())\n"
    first = foreign_jupyter(cell + report, elsewhere, home)
    assert first.returncode == 0, first.stdout + first.stderr
    copy = home / ".cache" / f"iou-lab-{COMMIT}"
    assert "Downloading the course (once)" in first.stdout
    assert f"HELPERS {copy / 'helpers' / '__init__.py'}" in first.stdout
    assert f"CWD {copy / 'notebooks'}" in first.stdout
    assert "Problem: TensorFlow" not in first.stdout  # the TensorFlow that is already there is used

    second = foreign_jupyter(cell + report, elsewhere, home)
    assert second.returncode == 0, second.stderr
    assert "Downloading" not in second.stdout and f"HELPERS {copy / 'helpers'}" in second.stdout


def test_a_failed_download_says_what_to_do_in_three_lines(tmp_path):
    cell = course.setup_cell(COMMIT).replace(course.REPO_URL, (tmp_path / "no-such-repository").as_uri())
    result = foreign_jupyter(cell, tmp_path, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("Could not download the course from") and "0123456" in lines[0]
    assert "Kaggle, turn on Internet" in lines[1] and "Colab" in lines[1]
    assert lines[2].startswith("Or, anywhere: git clone ") and "notebooks/ folder" in lines[2]
    assert not (tmp_path / ".cache" / f"iou-lab-{COMMIT}").exists()  # nothing half-written


def _three_lines(result, tmp_path, reason: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("Could not download the course from") and reason in lines[0], lines[0]
    assert "Colab" in lines[1] and lines[2].startswith("Or, anywhere: git clone ")
    assert not (tmp_path / ".cache" / f"iou-lab-{COMMIT}").exists()


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_error(404, "Not Found")

    def log_message(self, *args):
        pass


def test_a_404_says_what_to_do_in_three_lines(tmp_path):
    """A commit the host does not have (a fork's notebook, a deleted tag) answers 404."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/iou-lab/iou-lab"
        result = foreign_jupyter(course.setup_cell(COMMIT).replace(course.REPO_URL, url), tmp_path, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    _three_lines(result, tmp_path, "HTTP Error 404")


NO_NETWORK = """import socket
def _refuse(*args, **kwargs):
    raise OSError("network is unreachable (blocked by tests/test_setup_cell.py)")
socket.socket.connect = socket.socket.connect_ex = socket.create_connection = socket.getaddrinfo = _refuse
"""


def test_no_network_says_what_to_do_in_three_lines(tmp_path):
    """The real address, with every socket refused (Kaggle with Internet off, a laptop offline)."""
    result = foreign_jupyter(NO_NETWORK + course.setup_cell(COMMIT), tmp_path, tmp_path)
    _three_lines(result, tmp_path, "network is unreachable")
    assert course.REPO_URL in result.stderr.splitlines()[0]


def test_inside_the_repository_nothing_is_downloaded(tmp_path):
    result = run_python(
        course.setup_cell(COMMIT) + "\nprint('HOME', COURSE_DIR)\n", ROOT / "notebooks", {"HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert "Downloading" not in result.stdout and f"HOME {ROOT}" in result.stdout


def test_the_setup_cell_installs_nothing():
    """No process is started and no installer named: the hosted runtimes' TensorFlow, Keras and ipywidgets stay."""
    tokens = list(tokenize.generate_tokens(io.StringIO(course.setup_cell(COMMIT)).readline))
    names = {t.string for t in tokens if t.type == tokenize.NAME}
    assert not names & {"subprocess", "system", "popen", "pip", "conda", "mamba", "get_ipython"}, names
    strings = " ".join(t.string for t in tokens if t.type == tokenize.STRING)
    assert not re.search(r"pip install|-m pip|conda install|%pip|!pip", strings)
