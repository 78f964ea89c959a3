"""The course website (`make site`, Jupyter Book) in headless Chromium, as a reader sees it.

The site is built from notebooks 00 and 02 (with docs/*.md and the API reference) into a temporary folder
and served from 127.0.0.1 (Sphinx's search loads its index by script, which browsers refuse from file://).
Checked in the browser: no request leaves the machine; notebook 02's formulas are typeset by the site's own
MathJax; every figure is displayed, with the alt text saved with it; the set-up cell's code is not on the
page; the sidebar leads to the troubleshooting page; a search finds pages (and the troubleshooting page for
"void"). Screenshots go to ``test-artifacts/browser/site_02.png`` and ``site_search.png``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NB00 = REPO / "notebooks" / "00_start_here.ipynb"
NB02 = REPO / "notebooks" / "02_iou_from_first_principles.ipynb"


def _saved_alts() -> list:
    cells = json.loads(NB02.read_text())["cells"]
    return [
        o.get("metadata", {}).get("image/png", {}).get("alt")
        for c in cells
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    build = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_site.py"), "--out", str(out), str(NB00), str(NB02)],
        cwd=REPO,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _watch(page, origin: str, remote: list) -> None:
    # about:blank: MathJax's test of web-font support, which loads nothing
    local = (origin, "data:", "blob:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else remote.append(r.url))


def test_a_notebook_page(browser, artifacts, site_url):
    page = browser.new_page()
    remote: list = []
    _watch(page, site_url, remote)
    try:
        page.goto(f"{site_url}/notebooks/02_iou_from_first_principles.html")
        page.wait_for_function(
            "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
            "&& document.querySelectorAll('.MathJax, .MathJax_Display').length > 0",
            timeout=60_000,
        )
        page.wait_for_load_state("networkidle")
        raw_tex = page.evaluate("document.querySelector('main').innerText.includes('\\\\cap')")
        figures = page.evaluate(
            "Array.from(document.querySelectorAll('main img')).filter(i => i.src.includes('/_images/'))"
            ".map(i => [i.complete, i.naturalWidth, i.alt])"
        )
        main_text = page.locator("main").inner_text()
        page.screenshot(path=str(artifacts / "site_02.png"), full_page=False)

        assert remote == [], remote
        assert not raw_tex
        alts = _saved_alts()
        assert len(figures) == len(alts) > 0
        assert all(complete and width > 0 for complete, width, _ in figures), figures
        assert [alt for _, _, alt in figures] == alts  # the alt text written where each figure was made
        assert any("IoU" in alt and any(ch.isdigit() for ch in alt) for alt in alts)
        assert "finish_setup" not in main_text and "urllib" not in main_text  # the set-up cell's code is hidden
        notes = page.locator(".iou-site-widget-note")
        assert notes.count() > 0 and notes.first.is_visible()
        link = page.locator(".bd-sidebar-primary a[href='../docs/troubleshooting.html']")
        assert link.count() == 1
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/docs/troubleshooting.html") and remote == []
    finally:
        page.close()


def test_search_finds_pages(browser, artifacts, site_url):
    page = browser.new_page()
    remote: list = []
    _watch(page, site_url, remote)
    try:
        page.goto(f"{site_url}/search.html?q=void")
        page.wait_for_function(  # results are added one by one; the summary comes when all are in
            "() => (document.querySelector('#search-results .search-summary') || {}).textContent?.includes('found')",
            timeout=60_000,
        )
        results = page.locator("#search-results ul.search li")
        hrefs = [results.nth(i).locator("a").first.get_attribute("href") for i in range(results.count())]
        page.screenshot(path=str(artifacts / "site_search.png"), full_page=False)
        assert any("docs/troubleshooting.html" in h for h in hrefs), hrefs
        assert any("02_iou_from_first_principles.html" in h for h in hrefs), hrefs
        assert remote == [], remote
    finally:
        page.close()
