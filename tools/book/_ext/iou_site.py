"""Sphinx extension of the course website (tools/book/_config.yml loads it; tools/build_site.py writes its input).

Alt text of the notebooks' figures: MyST-NB gives the ``<img>`` of a notebook output no alt (the HTML
writer then repeats the file name). The course's figures carry a description in their output's metadata
(``{"image/png": {"alt": "..."}}``, written by ``helpers.plotting.LabFigure``); tools/build_site.py
collects them into ``_alt_text.json``, keyed by the SHA-256 of the PNG, which is also the name MyST-NB
gives the image file (``<sha256>.png``). Each image whose file name is a key gets that alt text.

Docstring markup errors: a docstring that docutils cannot parse (``|A|`` read as a substitution, say)
leaves a "problematic" node linking to an error message that the page never shows; the link is dropped
(the text stays), so that the page has no link to nowhere (tools/build_site.py checks every link).

No thebe: Jupyter Book always loads ``sphinx_thebe``, which writes the address of thebe's script on a CDN into
every page (loaded only when a reader presses a "live code" button, which this site does not have). Its two
scripts are taken out of the pages, so that no page names a script on the web (tools/build_site.py checks it).
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes

ALT_FILE = "_alt_text.json"


def _load(app) -> None:
    path = Path(app.srcdir) / ALT_FILE
    app.iou_alt_text = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _apply_alt(app, doctree) -> None:
    table = getattr(app, "iou_alt_text", {})
    for node in doctree.findall(nodes.image):
        alt = table.get(Path(node.get("uri", "")).stem)
        if alt:
            node["alt"] = alt


def _plain_problematic(app, doctree) -> None:
    for node in doctree.findall(nodes.problematic):
        node.attributes.pop("refid", None)


def _drop_thebe(app, env, docnames) -> None:
    def wanted(filename, body) -> bool:
        return "thebe" not in str(filename or "").lower() and "THEBE_JS_URL" not in str(body or "")

    registry = app.registry.js_files
    registry[:] = [(f, a) for f, a in registry if wanted(f, a.get("body"))]
    builder_files = getattr(app.builder, "_js_files", None)
    if builder_files is not None:
        builder_files[:] = [js for js in builder_files if wanted(js.filename, js.attributes.get("body"))]


def setup(app):
    app.connect("builder-inited", _load)
    app.connect("doctree-read", _apply_alt)
    app.connect("doctree-read", _plain_problematic)
    app.connect("env-before-read-docs", _drop_thebe, priority=900)  # after sphinx_thebe's own (500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
