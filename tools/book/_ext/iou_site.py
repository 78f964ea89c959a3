"""Sphinx extension of the course website (tools/book/_config.yml loads it; tools/build_site.py writes its input).

Alt text of the notebooks' figures: MyST-NB gives the ``<img>`` of a notebook output no alt (the HTML
writer then repeats the file name). The course's figures carry a description in their output's metadata
(``{"image/png": {"alt": "..."}}``, written by ``helpers.plotting.LabFigure``); tools/build_site.py
collects them into ``_alt_text.json``, keyed by the SHA-256 of the PNG, which is also the name MyST-NB
gives the image file (``<sha256>.png``). Each image whose file name is a key gets that alt text.

Docstring markup errors: a docstring that docutils cannot parse (``|A|`` read as a substitution, say)
leaves a "problematic" node linking to an error message that the page never shows; the link is dropped
(the text stays), so that the page has no link to nowhere (tools/build_site.py checks every link).
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


def setup(app):
    app.connect("builder-inited", _load)
    app.connect("doctree-read", _apply_alt)
    app.connect("doctree-read", _plain_problematic)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
