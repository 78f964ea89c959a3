"""tools/build_site.py (`make site`): the executed notebooks as static pages, built with the network off.

The build runs in a subprocess whose sockets all fail (a sitecustomize on PYTHONPATH), so a builder that
fetched a theme, a template or a script from the web, or started a kernel (ZeroMQ over TCP), would fail here.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB02 = ROOT / "notebooks" / "02_iou_from_first_principles.ipynb"

NO_NETWORK = """
import socket
def _refuse(*args, **kwargs):
    raise OSError("network access attempted during the site build (disabled by tests/test_site.py)")
for _name in ("connect", "connect_ex"):
    setattr(socket.socket, _name, _refuse)
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def build_offline(tmp_path: Path, *notebooks: Path):
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    out = tmp_path / "site"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(guard), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out), *map(str, notebooks)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, out


def test_network_guard_really_blocks(tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    probe = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9', timeout=2)"
    result = subprocess.run(
        [sys.executable, "-c", probe], env={"PYTHONPATH": str(guard)}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "disabled by tests/test_site.py" in result.stderr


@pytest.fixture(scope="module")
def site02(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    result, out = build_offline(tmp, NB02)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_page_shows_the_saved_outputs_and_static_figures(site02):
    page = (site02 / "02_iou_from_first_principles.html").read_text()
    saved = json.loads(NB02.read_text())
    pngs = sum("image/png" in o.get("data", {}) for c in saved["cells"] for o in c.get("outputs", []))
    assert pngs > 0 and page.count("data:image/png;base64,") >= pngs  # every saved figure, embedded
    widgets = sum(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in saved["cells"]
        for o in c.get("outputs", [])
    )
    assert widgets > 0 and page.count("iou-site-widget-note") - 1 == widgets  # -1: the CSS rule
    assert "application/vnd.jupyter.widget-state+json" not in page


def test_the_set_up_cell_is_hidden_and_the_lesson_code_is_not(site02):
    page = (site02 / "02_iou_from_first_principles.html").read_text()
    assert "urllib.request" not in page and "finish_setup" not in page  # the set-up cell's code
    assert "toy_shape_mask" in page  # a lesson cell's code is there


def test_pages_load_nothing_from_the_web(site02):
    for page in site02.glob("*.html"):
        text = page.read_text()
        remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:[^"]+)"', text)
        assert remote == [], (page.name, remote)
    assert (site02 / "mathjax" / "MathJax.js").exists()
    assert 'src="mathjax/MathJax.js?config=' in (site02 / "02_iou_from_first_principles.html").read_text()


def test_links_point_to_pages_and_the_index_lists_every_notebook(site02):
    from helpers import course

    page = (site02 / "02_iou_from_first_principles.html").read_text()
    assert 'href="index.html"' in page and 'href="03_correct_iou_in_keras.html"' in page
    index = (site02 / "index.html").read_text()
    for nb in course.NOTEBOOKS:
        assert f"href='{Path(nb['file']).stem}.html'" in index


def test_a_notebook_that_was_never_executed_is_refused(tmp_path):
    nb = json.loads(NB02.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    unexecuted = tmp_path / "02_iou_from_first_principles.ipynb"
    unexecuted.write_text(json.dumps(nb))
    result, out = build_offline(tmp_path, unexecuted)
    assert result.returncode == 1
    assert "no saved outputs" in result.stderr and "make notebooks" in result.stderr
    assert not (out / "02_iou_from_first_principles.html").exists()
