"""The course website (`make site`) in headless Chromium: notebook 02's page as a reader sees it.

The page is built from the executed notebook (tools/build_site.py) into a temporary folder and opened
from disk. Checked in the browser: no request leaves the machine, the formulas are typeset by the site's
own MathJax, every figure (the explorers' static fallbacks included) is displayed, and each widget output
shows the note that sends readers to a live kernel. A full-page screenshot goes to
``test-artifacts/browser/site_02.png``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NB02 = REPO / "notebooks" / "02_iou_from_first_principles.ipynb"


def _saved_outputs(mime: str) -> int:
    cells = json.loads(NB02.read_text())["cells"]
    return sum(mime in o.get("data", {}) for c in cells for o in c.get("outputs", []))


def test_site_page_of_notebook_02(browser, artifacts, tmp_path):
    out = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_site.py"), "--out", str(out), str(NB02)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr

    page = browser.new_page()
    remote = []
    page.on(
        "request", lambda request: None if request.url.startswith(("file:", "data:")) else remote.append(request.url)
    )
    try:
        page.goto((out / "02_iou_from_first_principles.html").as_uri())
        page.wait_for_function(
            "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
            "&& document.querySelectorAll('.MathJax, .MathJax_Display').length > 0",
            timeout=60_000,
        )
        typeset = page.evaluate("document.querySelectorAll('.MathJax, .MathJax_Display').length")
        raw_tex = page.evaluate("document.body.innerText.includes('\\\\cap')")  # untypeset LaTeX would show
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        notes = page.locator(".iou-site-widget-note")
        page.screenshot(path=str(artifacts / "site_02.png"), full_page=True)

        assert remote == [], remote
        assert typeset > 0 and not raw_tex
        assert len(images) == _saved_outputs("image/png") > 0
        assert all(complete and width > 0 for complete, width in images), images
        assert notes.count() == _saved_outputs("application/vnd.jupyter.widget-view+json") > 0
        for i in range(notes.count()):
            assert notes.nth(i).is_visible()
            assert "running Python kernel" in notes.nth(i).inner_text()
        assert page.locator("nav.iou-site-nav a[href='index.html']").is_visible()
    finally:
        page.close()
