"""Build the course website: the executed notebooks as static HTML pages plus an index page (``make site``).

Usage: python tools/build_site.py [--out site] [notebooks/NN_x.ipynb ...]

- Nothing is executed: each page is the saved ``notebooks/NN_*.ipynb`` with its outputs, rendered by
  nbconvert's JupyterLab template (a notebook that was never executed is an error: run ``make notebooks``).
- Nothing is fetched from the web, at build time or when a page is viewed: the CSS is inlined, the figures
  are embedded, MathJax is copied from the ``jupyter-server-mathjax`` package into ``site/mathjax/``, and the
  template (tools/site_template/) drops nbconvert's CDN scripts (require.js, the widget manager, mermaid).
- The set-up cell's code (the notebooks' first code cell, collapsed in Colab and JupyterLab) is left out.
- Badge images (Colab, Kaggle, Binder) become text links. Widgets need a running kernel, so each widget
  output is replaced by a note; the static figure that follows every explorer in the notebooks stays visible.
- The index page is the course map (helpers/course/__init__.py); links between notebooks point to their pages, and
  links to other files of the repository point to the repository on GitHub.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from helpers import course  # installed with `pip install -e .` (make lab / make site)

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "site_template"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
WIDGET_NOTE = (
    "<div class='iou-site-widget-note'><b>Interactive widget.</b> It needs a running Python kernel, "
    "so this static page cannot show it. Open the notebook in Colab, Kaggle or Binder, or run "
    "<code>make lab</code>; the static figure that follows tells the same story.</div>"
)


class NotExecutedError(ValueError):
    """A notebook without saved outputs: the site shows executed notebooks only."""


def _check_executed(nb, name: str) -> None:
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    missing = [i for i, c in enumerate(code, 1) if c.get("execution_count") is None]
    if missing:
        raise NotExecutedError(
            f"{name}: code cell(s) {missing} have no saved outputs; the site shows the executed "
            f"notebooks without running them. Run `make notebooks` (or "
            f"`python tools/build_notebooks.py notebooks/{Path(name).with_suffix('.py')}`) first."
        )


def _static_widgets(nb):
    """A copy of ``nb`` whose widget outputs are replaced by a note and whose widget state is dropped."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    replaced = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}
                replaced += 1
    return nb, replaced


def _hide_setup_cell(nb):
    """The set-up cell's code is left out of the page (a reader who runs nothing needs none); its output stays."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            if course.setup_cell_commit(cell.source) is not None:
                cell.metadata.setdefault("transient", {})["remove_source"] = True
            return nb
    return nb


def _rewrite_links(page: str, pages: set) -> str:
    """``NN_x.ipynb`` links -> ``NN_x.html``; other relative links -> the file in the repository on GitHub."""
    own_pages = {"index.html"} | {Path(p).with_suffix(".html").name for p in pages}

    def fix(match):
        attr, target = match.group(1), html.unescape(match.group(2))
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^data:|^mathjax/", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        if path in own_pages:
            return match.group(0)
        if path in pages:
            target = Path(path).with_suffix(".html").name + (f"#{anchor}" if anchor else "")
        else:
            resolved = (Path("notebooks") / path).as_posix()
            while "/../" in f"/{resolved}":  # notebooks/../README.md -> README.md
                resolved = re.sub(r"(^|/)[^/]+/\.\./", r"\1", resolved, count=1)
            target = f"{course.REPO_URL}/blob/{course.BRANCH}/{resolved}" + (f"#{anchor}" if anchor else "")
        return f'{attr}="{html.escape(target, quote=True)}"'

    return re.sub(r'(href)="([^"]*)"', fix, page)


def _local_badges(page: str) -> str:
    """Badge images served from the web (Colab, Kaggle, Binder) -> the same links as text, so that a page
    loads nothing from the web and the links work offline-first."""

    def text(match):
        alt = re.search(r'alt="([^"]*)"', match.group(0))
        return f"<span class='iou-site-badge'>{alt.group(1) if alt else 'link'}</span>"

    return re.sub(r'<img\b[^>]*\bsrc="https?://[^"]*"[^>]*>', text, page)


def _nav(index: int) -> str:
    items = ['<a href="index.html"><b>IoU Lab</b>: course map</a>']
    if index > 0:
        prev = course.NOTEBOOKS[index - 1]
        items.append(
            f'<a href="{Path(prev["file"]).stem}.html">&larr; {prev["file"][:2]} {html.escape(prev["title"])}</a>'
        )
    if index + 1 < len(course.NOTEBOOKS):
        nxt = course.NOTEBOOKS[index + 1]
        items.append(
            f'<a href="{Path(nxt["file"]).stem}.html">{nxt["file"][:2]} {html.escape(nxt["title"])} &rarr;</a>'
        )
    file = course.NOTEBOOKS[index]["file"]
    items.append(
        "<span>run it: "
        + " &middot; ".join(
            f'<a href="{html.escape(url(file))}">{name}</a>'
            for name, url in (("Colab", course.colab_url), ("Kaggle", course.kaggle_url), ("Binder", course.binder_url))
        )
        + "</span>"
    )
    return " ".join(items)


FOOTER = (
    f"IoU Lab &middot; <a href='{course.REPO_URL}'>source</a> &middot; static pages of the executed notebooks; "
    f"run them yourself to change anything. Code <a href='{course.REPO_URL}/blob/{course.BRANCH}/LICENSE'>MIT</a>; "
    f"the question's code CC BY-SA 4.0 "
    f"(<a href='{course.REPO_URL}/blob/{course.BRANCH}/NOTICE.md'>NOTICE.md</a>)."
)


def render_notebook(path: Path, pages: set, index: int) -> tuple:
    """HTML of one executed notebook, and how many widget outputs were replaced by the note."""
    if not path.exists():
        raise NotExecutedError(f"{path} does not exist: the site shows executed notebooks; run `make notebooks`.")
    nb = nbformat.read(path, as_version=4)
    _check_executed(nb, path.name)
    nb, replaced = _static_widgets(nb)
    nb = _hide_setup_cell(nb)
    exporter = HTMLExporter(template_name="iou_lab_site", extra_template_basedirs=[str(TEMPLATES)])
    exporter.mathjax_url = MATHJAX_URL
    resources = {
        "metadata": {"name": course.NOTEBOOKS[index]["title"] if index >= 0 else path.stem},
        "site_nav": _nav(index) if index >= 0 else "",
        "site_footer": FOOTER,
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return _local_badges(_rewrite_links(body, pages)), replaced


def _inline_markdown(text: str) -> str:
    """Escaped text with `code` spans, enough for the course map's cells."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def index_page() -> str:
    rows = []
    for nb in course.NOTEBOOKS:
        page = Path(nb["file"]).with_suffix(".html").name
        run = " &middot; ".join(
            f"<a href='{html.escape(url(nb['file']))}'>{name}</a>"
            for name, url in (("Colab", course.colab_url), ("Kaggle", course.kaggle_url), ("Binder", course.binder_url))
        )
        rows.append(
            f"<tr><td>{nb['file'][:2]}</td><td><a href='{page}'>{html.escape(nb['title'])}</a></td>"
            f"<td>{_inline_markdown(nb['learn'])}</td><td>{nb['minutes']}&nbsp;min</td>"
            f"<td>{_inline_markdown(nb['needs'])}</td><td>{run}</td></tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>IoU Lab: is my IoU right?</title>
<style>
 body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60em; margin: 2em auto;
        padding: 0 1em; line-height: 1.5; color: #222; }}
 table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .4em .6em;
 text-align: left; vertical-align: top; }} th {{ background: #f4f4f4; }}
 footer {{ margin-top: 3em; color: #666; font-size: 90%; }}
</style></head>
<body>
<h1>IoU Lab: is my IoU right?</h1>
<p>An open, interactive course on measuring and optimising Intersection-over-Union (IoU) for multi-class
semantic segmentation with TensorFlow / Keras 3. These pages show the notebooks as executed, with their
outputs; to run and change them, open one in Colab, Kaggle or Binder, or clone
<a href="{course.REPO_URL}">the repository</a> and run <code>make lab</code>.</p>
<table><tr><th>#</th><th>notebook</th><th>you learn</th><th>time</th><th>needs</th><th>run it</th></tr>
{chr(10).join(rows)}
</table>
<footer>{FOOTER}</footer>
</body></html>
"""


def copy_mathjax(out: Path) -> None:
    try:
        import jupyter_server_mathjax
    except ImportError as exc:
        raise SystemExit(
            "make site needs MathJax from the jupyter-server-mathjax package, which requirements.txt "
            "installs: run `.venv/bin/python -m pip install -r requirements.txt`."
        ) from exc
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(static, out / "mathjax", dirs_exist_ok=True)


def build(out: Path, notebooks=None) -> list:
    """Write the site into ``out``; return the pages written."""
    files = [nb["file"] for nb in course.NOTEBOOKS]
    paths = [Path(p).resolve() for p in notebooks] if notebooks else [NOTEBOOKS / f for f in files]
    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out)
    written = []
    for path in paths:
        index = files.index(path.name) if path.name in files else -1
        page, replaced = render_notebook(path, set(files), index)
        target = out / path.with_suffix(".html").name
        target.write_text(page, encoding="utf-8")
        written.append(target)
        print(
            f"{target.relative_to(out.parent) if out.parent in target.parents else target}: "
            f"{len(page) // 1024} KiB, {replaced} widget output(s) shown as a note",
            flush=True,
        )
    (out / "index.html").write_text(index_page(), encoding="utf-8")
    written.append(out / "index.html")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.notebooks)
    except NotExecutedError as exc:
        print(f"make site: {exc}", file=sys.stderr)
        return 1
    print(f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
