"""tools/build_site.py (`make site`): the course website, built by Jupyter Book with the network off.

The pure parts (links, anchors, the set-up cell, alt text) are tested on small inputs. One site is built
for the module, from notebooks 00 and 02 (plus docs/*.md and the API reference, always included), in a
subprocess whose sockets all fail (a sitecustomize on PYTHONPATH): a build that fetched a theme, a
template or a script from the web, or started a kernel (ZeroMQ over TCP), would fail here.
"""

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import course

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_site as B  # noqa: E402

NB00 = ROOT / "notebooks" / "00_start_here.ipynb"
NB02 = ROOT / "notebooks" / "02_iou_from_first_principles.ipynb"
PAGE02 = "notebooks/02_iou_from_first_principles.html"

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
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(guard), "HOME": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out), *map(str, notebooks)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return result, out


# ---------------------------------------------------------------------------------------------
# the pieces, without a build
# ---------------------------------------------------------------------------------------------
def test_network_guard_really_blocks(tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    probe = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9', timeout=2)"
    result = subprocess.run(
        [sys.executable, "-c", probe], env={"PYTHONPATH": str(guard)}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "disabled by tests/test_site.py" in result.stderr


def test_links_stay_on_the_site_and_other_files_go_to_the_repository():
    pages = {
        "notebooks/02_a.ipynb": {"2.-Many-classes": "2-many-classes"},
        "notebooks/03_b.ipynb": {},
        "docs/troubleshooting.md": {},
    }
    rw = B.LinkRewriter(pages)
    src = "notebooks/02_a.ipynb"
    assert rw.target("03_b.ipynb", src) == "03_b.ipynb"  # MyST turns it into the page's .html
    assert rw.target("02_a.ipynb#2.-Many-classes", src) == "02_a.ipynb#2-many-classes"
    assert rw.target("#2.-Many-classes", src) == "#2-many-classes"
    assert rw.target("../docs/troubleshooting.md#void-255", src) == "../docs/troubleshooting.md#void-255"
    assert rw.target("../helpers/metrics.py", src) == f"{course.REPO_URL}/blob/{course.BRANCH}/helpers/metrics.py"
    assert rw.target("https://example.org/x", src) == "https://example.org/x"
    # a cell's output (course map, report): MyST leaves its links as written, so they name the .html page
    out = rw.output("[next](03_b.ipynb) and [help](../docs/troubleshooting.md#q1)", src)
    assert out == "[next](03_b.html) and [help](../docs/troubleshooting.html#q1)"
    # code blocks are left alone
    fenced = "```python\n[x](03_b.ipynb)\n```\n"
    assert rw.markdown(fenced, src) == fenced


def test_jupyterlab_heading_anchors_become_myst_slugs():
    pytest.importorskip("myst_parser", reason="Jupyter Book is not installed here (make site's requirements)")
    anchors = B.heading_anchors(["# 1. Test a metric: is it right?\n\n## Summary", "## Summary"])
    assert anchors["1.-Test-a-metric:-is-it-right?"] == "1-test-a-metric-is-it-right"
    assert anchors["Summary"] == "summary"  # the first of two headings of that name


def test_the_set_up_cell_is_tagged_remove_input_and_alt_text_is_read_from_the_outputs():
    nb = nbformat.read(NB02, as_version=4)
    assert B.hide_setup_cell(nb)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert course.setup_cell_commit(first.source) is not None and "remove-input" in first.metadata.tags
    png = base64.b64encode(b"\x89PNG fake").decode()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "fig",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data", data={"image/png": png}, metadata={"image/png": {"alt": " IoU 0.5 "}}
                    ),
                    nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(b"other").decode()}),
                ],
            )
        ]
    )
    found = B.figure_alt_texts(nb)
    assert found == {hashlib.sha256(b"\x89PNG fake").hexdigest(): "IoU 0.5", hashlib.sha256(b"other").hexdigest(): None}


def test_the_cdn_pattern_catches_the_usual_hosts():
    for url in (
        "https://unpkg.com/thebe@0.8.2/lib/index.js",
        "//cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js",
        "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js",
        "https://fonts.googleapis.com/css?family=Lato",
    ):
        assert B.CDN.search(url), url
    assert not B.CDN.search("https://colab.research.google.com/github/x/y/blob/main/a.ipynb")


def test_a_notebook_that_was_never_executed_is_refused(tmp_path):
    nb = json.loads(NB02.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    unexecuted = tmp_path / "02_iou_from_first_principles.ipynb"
    unexecuted.write_text(json.dumps(nb))
    with pytest.raises(B.NotExecutedError, match="make notebooks"):
        B.prepare_notebook(unexecuted, "notebooks/02_iou_from_first_principles.ipynb", B.LinkRewriter({}), {})


# ---------------------------------------------------------------------------------------------
# one site, built offline
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # Jupyter Book is in requirements.txt (make test, make site), not in Colab's set (make test-colab)
    pytest.importorskip("jupyter_book", reason="Jupyter Book is not installed here (make site's requirements)")
    result, out = build_offline(tmp_path_factory.mktemp("site"), NB00, NB02)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out


def _saved_pngs(path: Path) -> list:
    """(sha256 of the PNG, alt text saved with it) of each figure of a notebook."""
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                digest = hashlib.sha256(base64.b64decode("".join(png) if isinstance(png, list) else png)).hexdigest()
                found.append((digest, output.get("metadata", {}).get("image/png", {}).get("alt")))
    return found


def test_every_figure_is_shown_with_the_alt_text_saved_with_it(site):
    page = (site / PAGE02).read_text()
    images = dict(re.findall(r'<img alt="([^"]*)" [^>]*src="\.\./_images/([0-9a-f]{64})\.png"', page))
    images = {digest: alt for alt, digest in images.items()}
    saved = _saved_pngs(NB02)
    assert len(saved) > 5
    for digest, alt in saved:
        assert digest in images and (site / "_images" / f"{digest}.png").exists()
        assert alt, "a figure of notebook 02 was saved without alt text: re-execute it (make notebooks)"
        assert images[digest] == alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def test_the_set_up_cell_is_hidden_and_the_lesson_code_is_not(site):
    page = (site / PAGE02).read_text()
    assert "urllib.request" not in page and "finish_setup" not in page  # the set-up cell's code
    assert "toy_shape_mask" in page  # a lesson cell's code is there
    assert "iou-site-widget-note" in page and "application/vnd.jupyter.widget-state+json" not in page


def test_nothing_is_loaded_from_the_web(site):
    for path in [*site.rglob("*.html"), *site.rglob("*.js"), *site.rglob("*.css")]:
        text = path.read_text(errors="replace")
        assert not B.CDN.search(text), (path, B.CDN.search(text).group(0))
        if path.suffix == ".html":
            remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', text)
            assert remote == [], (path.name, remote)
    assert (site / "_static" / "mathjax" / "MathJax.js").exists()
    page = (site / PAGE02).read_text()
    assert 'src="../_static/mathjax/MathJax.js?config=' in page
    # the fonts MathJax is told to use are the ones the site has (else it waits for fontdata.js forever)
    assert '"webFont": "STIX-Web"' in page and (site / "_static/mathjax/fonts/HTML-CSS/STIX-Web").is_dir()
    assert '"processClass": "tex2jax_process|mathjax_process|math|output_area"' in page


def test_links_between_pages_stay_on_the_site(site):
    page = (site / PAGE02).read_text()
    assert 'href="../docs/troubleshooting.html' in page and 'href="00_start_here.html"' in page
    assert "github.com/iou-lab/iou-lab/blob/main/docs/" not in page and 'href="../index.html"' in page
    start = (site / "notebooks" / "00_start_here.html").read_text()  # the course map is a cell's output
    assert 'href="02_iou_from_first_principles.html"' in start
    index = (site / "index.html").read_text()
    assert 'href="notebooks/02_iou_from_first_principles.html"' in index
    for nb in course.NOTEBOOKS:
        assert Path(nb["file"]).stem in index  # notebooks not built link to the repository


def test_sidebar_search_docs_api_and_print_stylesheet(site):
    page = (site / PAGE02).read_text()
    sidebar = page[page.index("bd-sidebar-primary") :]
    for target in ("00_start_here.html", "../docs/troubleshooting.html", "../docs/instructor-guide.html", "../api/"):
        assert f'href="{target}' in sidebar, target
    assert (site / "search.html").exists()
    index = (site / "searchindex.js").read_text()
    assert "confus" in index and "02_iou_from_first_principles" in index
    api = (site / "api" / "metrics.html").read_text()
    assert 'id="helpers.metrics.mean_iou"' in api and "Parameters" in api
    css = (site / "_static" / "iou-lab.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert "white-space: pre-wrap" in print_rules and "iou-lab.css" in page


@pytest.mark.parametrize("entry", course.NOTEBOOKS, ids=lambda nb: nb["file"][:2])
def test_every_figure_of_every_notebook_was_saved_with_alt_text(entry):
    path = ROOT / "notebooks" / entry["file"]
    if not path.exists():
        pytest.skip(f"{entry['file']} is not built yet (tests/test_project.py fails for it)")
    missing = [i for i, (_, alt) in enumerate(_saved_pngs(path), 1) if not (alt and alt.strip())]
    assert not missing, (
        f"{entry['file']}: figure(s) {missing} (counting from the top) were saved without alt text; draw them "
        f"as a helpers.plotting.LabFigure (alt_text or describe_axes) and re-execute the notebook"
    )
