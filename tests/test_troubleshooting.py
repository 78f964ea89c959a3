"""docs/troubleshooting.md cannot rot: every code block on the page runs here, and every link resolves.

Each entry (a ``## N. ...`` heading and the text below it) is one test. Its code blocks are doctests
(```` ```python ```` blocks with ``>>>`` prompts), run in order in one namespace per entry, so the
numbers the page quotes are the numbers the installed Keras / TensorFlow produce. When a Keras release
changes a behaviour an entry describes, that entry's test fails here (``make test``) and under Colab's
versions (``make test-colab``).
"""

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "troubleshooting.md"
TEXT = PAGE.read_text(encoding="utf-8")

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
ENTRY = re.compile(r"^## (\d+)\. (.+)$", re.M)
LESSON_LINK = re.compile(r"\]\(\.\./notebooks/(\d\d_[a-z0-9_]+)\.ipynb(?:#[^)]*)?\)(?:,? ?§(\d+))?")


def _entries():
    """(number, heading, body, line number of the heading) for every ``## N. ...`` entry."""
    heads = list(ENTRY.finditer(TEXT))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(TEXT)
        body = TEXT[m.end() : end].split("\n## ", 1)[0]  # a trailing non-entry section is not part of it
        out.append((int(m.group(1)), m.group(2), body, TEXT.count("\n", 0, m.start()) + 1))
    return out


ENTRIES = _entries()


def test_page_has_at_least_15_numbered_entries_in_order():
    numbers = [n for n, *_ in ENTRIES]
    assert len(numbers) >= 15, numbers
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_every_code_block_is_an_executable_doctest():
    # nothing on the page is shown without being run: every fence is python with >>> prompts
    for lang, body in FENCE.findall(TEXT):
        assert lang.strip() == "python", f"code block in {lang!r}, not python:\n{body[:200]}"
        assert body.lstrip().startswith(">>> "), f"code block without >>> prompts:\n{body[:200]}"


@pytest.mark.parametrize(
    "number,heading,body", [(n, h, b) for n, h, b, _ in ENTRIES], ids=[f"entry{n:02d}" for n, *_ in ENTRIES]
)
def test_entry_has_cause_reproduction_fix_and_lesson(number, heading, body):
    for part in ("**Cause.**", "**Reproduce.**", "**Fix.**", "**Lesson:**"):
        assert part in body, f"entry {number} ({heading}) lacks {part}"
    blocks = FENCE.findall(body)
    assert len(blocks) >= 2, f"entry {number}: a reproduction and a fix, each a code block"
    lessons = LESSON_LINK.findall(body.split("**Lesson:**", 1)[1])
    assert lessons, f"entry {number}: the lesson line links no notebook"
    for stem, section in lessons:
        py = ROOT / "notebooks" / f"{stem}.py"
        assert py.exists() and (ROOT / "notebooks" / f"{stem}.ipynb").exists(), stem
        if section:  # "§N" names a numbered section of that notebook: it must still exist
            assert re.search(rf"^# ## {section}\. ", py.read_text(encoding="utf-8"), re.M), (stem, section)


@pytest.mark.parametrize("number,heading,body,line", ENTRIES, ids=[f"entry{n:02d}" for n, *_ in ENTRIES])
def test_entry_code_runs_and_prints_what_the_page_says(number, heading, body, line):
    globs = {"__name__": f"troubleshooting_entry_{number}"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for k, (_, code) in enumerate(FENCE.findall(body)):
        test = parser.get_doctest(code, globs, f"entry {number}, block {k + 1}", str(PAGE), line)
        result = runner.run(test, out=report.append, clear_globs=False)
        globs.update(test.globs)  # DocTest copies its globals: carry them to the entry's next block
        assert result.failed == 0, f"docs/troubleshooting.md entry {number} ({heading}):\n" + "".join(report)


def _anchors(text):
    return set(re.findall(r'<a id="([a-z0-9-]+)"></a>', text))


def test_every_entry_has_a_short_anchor_and_the_table_of_contents_lists_it():
    anchors = _anchors(TEXT)
    for number, heading, _body, _ in ENTRIES:
        before = TEXT.split(f"## {number}. {heading}", 1)[0].rstrip().splitlines()[-1]
        assert re.fullmatch(r'<a id="[a-z0-9-]+"></a>', before), f"entry {number}: put <a id=...></a> above it"
    toc = TEXT.split("\n## ", 1)[0]
    assert {a for a in re.findall(r"\]\(#([a-z0-9-]+)\)", toc)} == anchors


def test_links_to_the_page_resolve_and_it_is_linked_from_readme_and_notebooks():
    anchors = _anchors(TEXT)
    sources = [ROOT / "README.md", ROOT / "docs" / "instructor-guide.md", *sorted((ROOT / "notebooks").glob("0*.py"))]
    linking = set()
    for src in sources:
        for anchor in re.findall(r"troubleshooting\.md(?:#([a-z0-9-]*))?", src.read_text(encoding="utf-8")):
            linking.add(src.name)
            assert not anchor or anchor in anchors, (
                f"{src.name} links troubleshooting.md#{anchor}, which does not exist"
            )
    assert {"README.md", "00_start_here.py"} <= linking, linking
