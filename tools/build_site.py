"""Build the course website with Jupyter Book (``make site``): the executed notebooks, docs/*.md and an API
reference, as static pages with a sidebar, search, dark mode and a print stylesheet.

Usage: python tools/build_site.py [--out site] [--book DIR] [notebooks/NN_x.ipynb ...]

1. A staging book is written into a temporary folder (``--book DIR`` keeps it, for debugging): the
   configuration in tools/book/ (``_config.yml``, the CSS, the ``iou_site`` Sphinx extension, the API
   reference pages), copies of the notebooks (all of them, or those named) and of docs/*.md in the
   repository's layout (``notebooks/``, ``docs/``), an index page from the course map
   (``helpers.course.NOTEBOOKS``), a table of contents, and MathJax from the ``jupyter-server-mathjax``
   package. The copies are changed, never the notebooks:

   - nothing is executed: each page shows the saved outputs; a notebook that was never executed is
     refused (run ``make notebooks``);
   - the set-up cell (the first code cell, ``helpers.course.setup_cell_commit``) gets the ``remove-input``
     tag: its code is left out of the page, its output stays;
   - widget outputs need a kernel: each becomes a note (:data:`WIDGET_NOTE`); the static figure that
     follows every explorer stays;
   - badge images served from the web (Colab, Kaggle, Binder) become text links;
   - links: a relative link to a page of the site stays a link inside the site (a JupyterLab heading
     anchor, ``#2.-Test-a-metric...``, becomes the anchor MyST gives that heading); a link to any other
     file of the repository goes to the repository on GitHub (``helpers.course.REPO_URL``);
   - each figure's alt text is the description saved with it (output metadata
     ``{"image/png": {"alt": ...}}``, written by ``helpers.plotting.LabFigure``), collected into
     ``_alt_text.json`` for the ``iou_site`` extension; a figure saved without one gets a generic alt
     and is listed.

2. ``jupyter-book build`` (Sphinx, MyST-NB with ``execute_notebooks: off``) writes the HTML, which is
   copied to ``--out`` (default ``site/``).

3. The result is checked: no page, style sheet or script reference loads anything from the web (the
   site must work offline; tests_browser/test_site_in_chromium.py watches the requests), and every
   internal link points to an existing page and anchor. A failed check is an error (exit 1).
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import yaml
from markdown_it import MarkdownIt

from helpers import course  # installed with `pip install -e .` (make lab / make site)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
BOOK = Path(__file__).resolve().parent / "book"
MARKER = ".iou-lab-site"  # written into --out: a folder holding it may be replaced by the next build

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    "<div class='iou-site-widget-note'><b>Interactive widget.</b> It needs a running Python kernel, "
    "so this static page cannot show it. Open the notebook in Colab, Kaggle or Binder, or run "
    "<code>make lab</code>; the static figure that follows tells the same story.</div>"
)
FALLBACK_ALT = "A figure made by the code above (saved without a text description)."

# docs/*.md in the order of the site's navigation; any other docs/*.md follows, by name
DOCS_ORDER = {
    "When something is off": ("troubleshooting.md", "questions.md"),
    "Teaching and maintaining": ("instructor-guide.md", "architecture.md"),
}
API_PAGES = ("metrics", "keras", "audit", "report", "stats", "folder_data", "plotting")


# where web pages usually fetch scripts, styles and fonts from: no file of the site may name one
CDN = re.compile(
    r"(?:https?:)?//(?:[\w-]+\.)*(?:unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|googleapis\.com|gstatic\.com|"
    r"cdn\.[\w.-]+|mathjax\.org/mathjax|polyfill\.io)[^\s\"')`]*"
)


class NotExecutedError(ValueError):
    """A notebook without saved outputs: the site shows executed notebooks only."""


class SiteCheckError(RuntimeError):
    """The built site fails a check (a page loads something from the web, a link goes nowhere)."""


# --------------------------------------------------------------------------------------------
# the notebooks' copies
# --------------------------------------------------------------------------------------------
def check_executed(nb, name: str) -> None:
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    missing = [i for i, c in enumerate(code, 1) if c.get("execution_count") is None]
    if missing:
        raise NotExecutedError(
            f"{name}: code cell(s) {missing} have no saved outputs; the site shows the executed "
            f"notebooks without running them. Run `make notebooks` (or "
            f"`python tools/build_notebooks.py notebooks/{Path(name).with_suffix('.py')}`) first."
        )


def static_widgets(nb) -> int:
    """Replace each widget output of ``nb`` by :data:`WIDGET_NOTE`, drop the widget state; how many."""
    nb.metadata.pop("widgets", None)
    replaced = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}
                output.get("metadata", {}).pop(WIDGET_MIME, None)
                replaced += 1
    return replaced


def hide_setup_cell(nb) -> bool:
    """Tag the set-up cell (the first code cell, if it is the canonical one) ``remove-input``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            if course.setup_cell_commit(cell.source) is None:
                return False
            tags = cell.metadata.setdefault("tags", [])
            if "remove-input" not in tags:
                tags.append("remove-input")
            return True
    return False


def figure_alt_texts(nb) -> dict:
    """``{sha256 of the PNG: alt text or None}`` of every PNG output of ``nb`` (the name MyST-NB gives the
    image file is that hash)."""
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png is None:
                continue
            digest = hashlib.sha256(base64.b64decode("".join(png) if isinstance(png, list) else png)).hexdigest()
            meta = output.get("metadata", {}).get("image/png", {})
            alt = meta.get("alt") if isinstance(meta, dict) else None
            found[digest] = alt.strip() if isinstance(alt, str) and alt.strip() else None
    return found


_MD = MarkdownIt("commonmark")


def heading_anchors(markdown_sources) -> dict:
    """``{JupyterLab anchor: MyST slug}`` of the headings (levels 1-4) of a notebook's markdown cells.

    JupyterLab's anchor of a heading is its text with spaces made hyphens (``2.-Test-a-metric...?``);
    MyST's slug lowercases it and drops punctuation (``2-test-a-metric...``), numbering repeats
    (``-1``, ``-2``) over the whole notebook, as ``myst_parser``'s ``compute_unique_slug`` does.
    """
    from myst_parser.mdit_to_docutils.base import default_slugify

    anchors, slugs = {}, set()
    for source in markdown_sources:
        tokens = _MD.parse(source)
        for i, token in enumerate(tokens):
            if token.type != "heading_open" or int(token.tag[1]) > 4:
                continue
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
            slug = base = default_slugify(text)
            n = 1
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            anchors.setdefault(text.strip().replace(" ", "-"), slug)
    return anchors


_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_BADGE = re.compile(r"\[!\[([^\]]*)\]\(https?://[^)\s]+\)\]\(([^)\s]+)\)")
_REMOTE_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(https?://[^)]*\)")
_REMOTE_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']https?://[^>]*>", re.IGNORECASE)
_MD_LINK = re.compile(r"\]\((<[^>\n]*>|[^)\s]+)((?:\s+\"[^\"\n]*\")?)\)")
_HTML_LINK = re.compile(r"(\bhref=)([\"'])([^\"']*)\2", re.IGNORECASE)


class LinkRewriter:
    """Links of one book: pages of the site stay relative links, other repository files go to GitHub."""

    def __init__(self, pages: dict):
        self.pages = pages  # repository path of each page -> {JupyterLab anchor: MyST slug}
        self.external = 0
        self._html = False  # True while rewriting a cell's output: links to pages name the .html file

    def output(self, text: str, source: str) -> str:
        """``text`` (a Markdown or HTML output of a cell of ``source``) with its links rewritten.

        MyST resolves ``page.ipynb`` links in markdown cells, not in outputs: there a link to a page of the
        site is written as the page's HTML file (``page.html``), which is where the site has it.
        """
        self._html = True
        try:
            return self.markdown(text, source)
        finally:
            self._html = False

    def target(self, target: str, source: str) -> str:
        """``target`` of a link in the file ``source`` (a repository path), as the book's copy needs it."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("//", "mailto:")):
            return target
        path, hashmark, anchor = target.partition("#")
        if not path:  # an anchor of this page
            return "#" + self.pages.get(source, {}).get(anchor, anchor) if hashmark else target
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if resolved.startswith("../"):
            return target  # outside the repository: left as it is (the link check reports it)
        if resolved in self.pages:
            if self._html:
                path = posixpath.splitext(path)[0] + ".html"
            if hashmark:
                return f"{path}#{self.pages[resolved].get(anchor, anchor)}"
            return path
        self.external += 1
        return f"{course.REPO_URL}/blob/{course.BRANCH}/{resolved}" + (f"#{anchor}" if hashmark else "")

    def markdown(self, text: str, source: str) -> str:
        """``text`` (Markdown) with its links rewritten; fenced code blocks are left alone."""
        out, block, fence = [], [], None
        for line in text.splitlines(keepends=True):
            m = _FENCE.match(line)
            if fence is None and m:
                out.append(self._prose("".join(block), source))
                block, fence = [line], m.group(2)[0] * len(m.group(2))
            elif fence is not None:
                block.append(line)
                closing = line.strip()
                if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                    out.append("".join(block))
                    block, fence = [], None
            else:
                block.append(line)
        out.append("".join(block) if fence is not None else self._prose("".join(block), source))
        return "".join(out)

    def _prose(self, text: str, source: str) -> str:
        text = _BADGE.sub(r"[\1](\2)", text)  # badge image -> its text, same link
        text = _REMOTE_MD_IMAGE.sub(r"\1", text)
        text = _REMOTE_HTML_IMAGE.sub(lambda m: html.escape(_attr(m.group(0), "alt") or "image"), text)

        def md_link(m):
            raw = m.group(1)
            inner = raw[1:-1] if raw.startswith("<") else raw
            new = self.target(inner, source)
            if new == inner:
                return m.group(0)
            return f"]({'<' + new + '>' if raw.startswith('<') else new}{m.group(2)})"

        text = _MD_LINK.sub(md_link, text)
        return _HTML_LINK.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{self.target(html.unescape(m.group(3)), source)}{m.group(2)}", text
        )


def _attr(tag: str, name: str):
    m = re.search(rf"\b{name}=[\"']([^\"']*)[\"']", tag)
    return html.unescape(m.group(1)) if m else None


def badge_links(text: str) -> str:
    """The badge line of a title cell as text links separated by middle dots."""
    return re.sub(r"\)\s+\[(Open In|Launch)", r") · [\1", text)


def prepare_notebook(path: Path, rel: str, rewriter: LinkRewriter, alt_texts: dict) -> dict:
    """Write the book's copy of one executed notebook; a summary of what was changed."""
    if not path.exists():
        raise NotExecutedError(f"{path} does not exist: the site shows executed notebooks; run `make notebooks`.")
    nb = nbformat.read(path, as_version=4)
    check_executed(nb, path.name)
    nb = copy.deepcopy(nb)
    replaced = static_widgets(nb)
    hidden = hide_setup_cell(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = badge_links(rewriter.markdown(cell.source, rel))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/markdown", "text/html"):
                if mime in data:
                    text = "".join(data[mime]) if isinstance(data[mime], list) else data[mime]
                    data[mime] = rewriter.output(text, rel)
    found = figure_alt_texts(nb)
    alt_texts.update({k: v for k, v in found.items() if v or k not in alt_texts})
    return {
        "nb": nb,
        "widgets": replaced,
        "setup_hidden": hidden,
        "figures": len(found),
        "without_alt": sum(v is None for v in found.values()),
    }


# --------------------------------------------------------------------------------------------
# index, table of contents, configuration
# --------------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def index_markdown(built: set) -> str:
    """The home page: the course map (helpers.course.NOTEBOOKS) and the other parts of the site."""
    rows = [
        "| # | notebook | you learn | time | needs | run it |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for nb in course.NOTEBOOKS:
        file = nb["file"]
        rel = f"notebooks/{file}"
        link = rel if rel in built else f"{course.REPO_URL}/blob/{course.BRANCH}/{rel}"
        run = " · ".join(
            f"[{name}]({url(file)})"
            for name, url in (("Colab", course.colab_url), ("Kaggle", course.kaggle_url), ("Binder", course.binder_url))
        )
        rows.append(
            f"| {file[:2]} | [{_cell(nb['title'])}]({link}) | {_cell(nb['learn'])} | {nb['minutes']} min "
            f"| {_cell(nb['needs'])} | {run} |"
        )
    docs = [
        f"- [{title}]({rel})" + (f": {blurb}" if blurb else "")
        for rel, title, blurb in (
            ("docs/troubleshooting.md", "Troubleshooting", "IoU symptoms (a number, an error), their causes and fixes"),
            ("docs/questions.md", "The questions learners ask", "52 questions from public threads and their answers"),
            ("docs/instructor-guide.md", "Instructor guide", "running the course as a workshop"),
            ("docs/architecture.md", "Architecture", "how the repository is built, for maintainers"),
            ("api/index.md", "API reference", "the library layer of `helpers`, from its docstrings"),
        )
        if rel in built
    ]
    return f"""# IoU Lab: is my IoU right?

An open, interactive course on measuring and optimising Intersection-over-Union (IoU) for multi-class
semantic segmentation with TensorFlow / Keras 3. These pages show the notebooks as executed, with their
outputs; to run and change them, open one in Colab, Kaggle or Binder, or clone
[the repository]({course.REPO_URL}) and run `make lab`.

{chr(10).join(rows)}

## Also on this site

{chr(10).join(docs)}
"""


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def toc(notebooks: list, docs: list) -> dict:
    """The table of contents (sphinx-external-toc's ``jb-book`` format)."""
    parts = [{"caption": "The course", "chapters": [{"file": n.removesuffix(".ipynb")} for n in notebooks]}]
    placed = set()
    for caption, names in DOCS_ORDER.items():
        chapters = [{"file": f"docs/{n[:-3]}"} for n in names if f"docs/{n}" in docs]
        placed.update(f"docs/{n}" for n in names)
        if caption == "Teaching and maintaining":
            chapters += [{"file": d[:-3]} for d in docs if d not in placed]
        if chapters:
            parts.append({"caption": caption, "chapters": chapters})
    parts.append({"caption": "Reference", "chapters": [{"file": "api/index", "sections": _api_sections()}]})
    return {"format": "jb-book", "root": "index", "parts": parts}


def _api_sections() -> list:
    return [{"file": f"api/{name}"} for name in API_PAGES]


def book_config() -> dict:
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    config["repository"].update({"url": course.REPO_URL, "branch": course.BRANCH})
    return config


def copy_mathjax(static: Path) -> None:
    try:
        import jupyter_server_mathjax
    except ImportError as exc:
        raise SystemExit(
            "make site needs MathJax from the jupyter-server-mathjax package, which requirements.txt "
            "installs: run `.venv/bin/python -m pip install --require-hashes -r requirements-lock.txt`."
        ) from exc
    # without the a11y extensions: the speech-rule engine in them loads its rules from a CDN (the menu that
    # would turn them on is switched off in _config.yml)
    shutil.copytree(
        Path(jupyter_server_mathjax.__file__).parent / "static",
        static / "mathjax",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("a11y"),
    )


def write_book(book: Path, notebook_paths: list) -> dict:
    """Write the staging book into ``book``; return what the build changed (for the summary)."""
    shutil.copytree(BOOK, book, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    copy_mathjax(book / "_extra" / "_static")  # html_extra_path: copied as it is into the site's _static/
    rels = [f"notebooks/{p.name}" for p in notebook_paths]
    docs = sorted(f"docs/{p.name}" for p in DOCS.glob("*.md"))
    sources = {}
    for path, rel in zip(notebook_paths, rels):
        if path.exists():
            nb = nbformat.read(path, as_version=4)
            sources[rel] = [c.source for c in nb.cells if c.cell_type == "markdown"]
    pages = {rel: heading_anchors(sources.get(rel, [])) for rel in rels}
    pages.update({rel: {} for rel in docs})
    rewriter = LinkRewriter(pages)
    alt_texts: dict = {}
    summary = {"notebooks": {}, "docs": docs}
    for path, rel in zip(notebook_paths, rels):
        info = prepare_notebook(path, rel, rewriter, alt_texts)
        (book / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(info.pop("nb"), book / rel)
        summary["notebooks"][rel] = info
    for rel in docs:
        (book / rel).parent.mkdir(parents=True, exist_ok=True)
        (book / rel).write_text(rewriter.markdown((ROOT / rel).read_text(encoding="utf-8"), rel), encoding="utf-8")
    if (DOCS / "img").is_dir():
        shutil.copytree(DOCS / "img", book / "docs" / "img", dirs_exist_ok=True)
    built = set(rels) | set(docs) | {"api/index.md"}
    (book / "index.md").write_text(index_markdown(built), encoding="utf-8")
    (book / "_toc.yml").write_text(yaml.safe_dump(toc(rels, docs), sort_keys=False), encoding="utf-8")
    (book / "_config.yml").write_text(yaml.safe_dump(book_config(), sort_keys=False), encoding="utf-8")
    (book / "_alt_text.json").write_text(
        json.dumps({k: v or FALLBACK_ALT for k, v in alt_texts.items()}, indent=1), encoding="utf-8"
    )
    summary["github_links"] = rewriter.external
    return summary


# --------------------------------------------------------------------------------------------
# checks of the built site
# --------------------------------------------------------------------------------------------
class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.remote, self.images = set(), [], [], []
        self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:  # an inline script that names a URL could load it (thebe's did)
            self.remote += [
                f"<script> names {url}" for url in re.findall(r"(?:https?:)?//[\w.-]+\.\w+/[^\s\"'`]*", data)
            ]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "script" and not a.get("src"):
            self._in_script = True
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])
        loads = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src", "audio": "src"}
        url = a.get(loads[tag]) if tag in loads else None
        if tag == "link" and (a.get("rel") or "") not in ("canonical", "alternate", "next", "prev", "search", "index"):
            url = a.get("href")
        if url and re.match(r"^(https?:)?//", url):
            self.remote.append(f"<{tag}> {url}")
        if tag == "img":
            self.images.append((a.get("src") or "", a.get("alt")))


def check_site(out: Path) -> dict:
    """Check the built site: nothing loaded from the web, every internal link resolves. Raise SiteCheckError."""
    pages = {}
    for path in sorted(out.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path] = parser
    problems = []
    for path in sorted([*out.rglob("*.js"), *out.rglob("*.css"), *out.rglob("*.html")]):
        for url in sorted(set(CDN.findall(path.read_text("utf-8", errors="replace")))):
            problems.append(f"{path.relative_to(out)} names a CDN: {url}")
    for path in sorted(out.rglob("*.css")):
        if "mathjax" in path.parts:
            continue
        for url in re.findall(r"(?:url\(\s*[\"']?|@import\s+[\"'])((?:https?:)?//[^\"')\s]+)", path.read_text("utf-8")):
            problems.append(f"{path.relative_to(out)} loads {url}")
    for path, page in pages.items():
        name = path.relative_to(out).as_posix()
        problems += [f"{name} loads {r}" for r in page.remote]
        for href in page.links:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
                continue
            target, _, anchor = href.partition("#")
            target = target.split("?")[0]
            dest = (path.parent / target).resolve() if target else path
            if dest.is_dir():
                dest = dest / "index.html"
            if not dest.exists():
                problems.append(f"{name}: link to a missing file: {href}")
            elif anchor and dest.suffix == ".html" and dest in pages and anchor not in pages[dest].ids:
                problems.append(f"{name}: link to a missing anchor: {href}")
    if problems:
        raise SiteCheckError(
            "the built site fails its checks:\n  "
            + "\n  ".join(problems[:40])
            + ("\n  ..." if len(problems) > 40 else "")
        )
    images = [img for p in pages.values() for img in p.images if "_images/" in img[0]]
    return {
        "pages": len(pages),
        "figures": len(images),
        "described": sum(bool(alt) and alt != FALLBACK_ALT and not alt.endswith(".png") for _, alt in images),
    }


# --------------------------------------------------------------------------------------------
# the build
# --------------------------------------------------------------------------------------------
def run_jupyter_book(book: Path) -> None:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONWARNINGS"] = env.get("PYTHONWARNINGS", "ignore::DeprecationWarning")
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(book), "--quiet"]
    result = subprocess.run(cmd, cwd=book, env=env, capture_output=True, text=True)
    log = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not (book / "_build" / "html" / "index.html").exists():
        raise SiteCheckError(f"jupyter-book build failed (exit {result.returncode}):\n{log[-6000:]}")
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    if warnings:
        print("\n".join(warnings), flush=True)


def _replace_out(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists() and out.resolve() != (ROOT / "site").resolve():
            raise SystemExit(f"make site: {out} is not empty and is not a site built here; not replacing it.")
        shutil.rmtree(out)


def build(out: Path, notebooks=None, book: Path | None = None) -> dict:
    """Build the site into ``out``; return a summary."""
    files = [nb["file"] for nb in course.NOTEBOOKS]
    paths = [Path(p).resolve() for p in notebooks] if notebooks else [NOTEBOOKS / f for f in files]
    t0 = time.perf_counter()
    keep = book is not None
    book = Path(book) if keep else Path(tempfile.mkdtemp(prefix="iou-lab-book-"))
    try:
        if keep and book.exists():
            shutil.rmtree(book)
        book.mkdir(parents=True, exist_ok=True)
        summary = write_book(book, paths)
        run_jupyter_book(book)
        _replace_out(out)
        shutil.copytree(book / "_build" / "html", out)
        (out / MARKER).write_text("built by tools/build_site.py (make site); replaced by the next build\n")
        summary.update(check_site(out))
    finally:
        if not keep:
            shutil.rmtree(book, ignore_errors=True)
    summary["seconds"] = time.perf_counter() - t0
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--book", type=Path, default=None, help="write (and keep) the staging book here")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    try:
        summary = build(args.out, args.notebooks, args.book)
    except (NotExecutedError, SiteCheckError) as exc:
        print(f"make site: {exc}", file=sys.stderr)
        return 1
    for rel, info in summary["notebooks"].items():
        print(
            f"{rel}: {info['figures']} figure(s), {info['without_alt']} without a saved description; "
            f"{info['widgets']} widget output(s) shown as a note; set-up cell "
            f"{'hidden' if info['setup_hidden'] else 'not found'}",
            flush=True,
        )
    print(
        f"{summary['pages']} pages ({len(summary['notebooks'])} notebooks, {len(summary['docs'])} docs, "
        "API reference), "
        f"{summary['figures']} figures, {summary['described']} with their own alt text; "
        f"{summary['github_links']} link(s) to repository files point to GitHub; {summary['seconds']:.1f} s"
    )
    print(f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
