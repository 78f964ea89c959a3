"""docs/questions.md, the list of questions learners ask in public, stays sourced and findable.

Every entry (a ``### N. ...`` heading) names where it was asked, in a form a reader can follow
(``owner/repo#number`` for a GitHub thread, a URL otherwise), and every relative link on the page
resolves: ``troubleshooting.md#id`` to an ``<a id="id">`` of docs/troubleshooting.md, a notebook
``.ipynb#anchor`` to a heading (or ``<a id>``) of the notebook's paired ``.py`` file, ``#id`` to an
``<a id>`` of the page itself, and any other path to a file that exists.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGE = DOCS / "questions.md"
TEXT = PAGE.read_text(encoding="utf-8")

ENTRY = re.compile(r"^### (\d+)\. (.+)$", re.M)
GITHUB_SOURCE = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*#\d+\b")
URL_SOURCE = re.compile(r"https?://[^\s)>\]]+")
LINK = re.compile(r"\]\(([^)\s]+)\)")  # the target of every [text](target) link
A_ID = re.compile(r'<a id="([^"]+)"></a>')
HEADING = re.compile(r"^# #+ (.+?)\s*$", re.M)  # a markdown heading in a jupytext percent file


def _entries():
    """(number, heading, body) for every ``### N. ...`` entry."""
    heads = list(ENTRY.finditer(TEXT))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(TEXT)
        body = re.split(r"^##? ", TEXT[m.end() : end], maxsplit=1, flags=re.M)[0]  # stop at the next group
        out.append((int(m.group(1)), m.group(2), body))
    return out


ENTRIES = _entries()


def jupyter_anchor(heading: str) -> str:
    """The anchor Jupyter gives a markdown heading: its rendered text, spaces replaced by ``-``.

    Rendering drops the backticks of inline code; every other character is kept.
    """
    return heading.strip().replace("`", "").replace(" ", "-")


def notebook_anchors(py_file: Path) -> set:
    text = py_file.read_text(encoding="utf-8")
    return {jupyter_anchor(h) for h in HEADING.findall(text)} | set(A_ID.findall(text))


def link_problem(target: str, page: Path = PAGE):
    """Why the relative link ``target`` on ``page`` does not resolve, or None when it does."""
    if re.match(r"[a-z]+:", target):  # http:, https:, mailto: ... are not checked here
        return None
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    if not file.is_file():
        return f"{target}: no file {file}"
    if not anchor:
        return None
    if file.suffix == ".ipynb":
        paired = file.with_suffix(".py")
        if not paired.is_file():
            return f"{target}: no paired {paired.name} to read the headings from"
        anchors = notebook_anchors(paired)
    else:
        anchors = set(A_ID.findall(file.read_text(encoding="utf-8")))
    if anchor not in anchors:
        return f"{target}: no heading or <a id> '{anchor}' in {file.name}"
    return None


def test_the_link_checker_can_fail():
    assert jupyter_anchor("5. One run is one draw: the seed study") == "5.-One-run-is-one-draw:-the-seed-study"
    assert jupyter_anchor("1. One call: `audit_metric`") == "1.-One-call:-audit_metric"
    assert link_problem("troubleshooting.md#meaniou-constant") is None
    assert link_problem("troubleshooting.md#no-such-entry") is not None
    assert link_problem("../notebooks/05_training_a_small_unet.ipynb#5.-One-run-is-one-draw:-the-seed-study") is None
    assert link_problem("../notebooks/05_training_a_small_unet.ipynb#5.-One-run-is-one-draw") is not None
    assert link_problem("../notebooks/99_missing.ipynb") is not None
    assert link_problem("https://example.org/anything") is None


def test_at_least_40_entries_numbered_in_order():
    numbers = [n for n, *_ in ENTRIES]
    assert len(numbers) >= 40, f"only {len(numbers)} entries"
    assert numbers == list(range(1, len(numbers) + 1)), numbers


@pytest.mark.parametrize("number, heading, body", ENTRIES, ids=[f"entry-{n}" for n, *_ in ENTRIES])
def test_entry_has_its_fields_and_a_source(number, heading, body):
    for field in (
        "**Asked in:**",
        "**Recurs:**",
        "**Library / version:**",
        "**Answer:**",
        "**Where the course answers it:**",
    ):
        assert field in body, f"entry {number} ({heading}) lacks {field}"
    asked = body.split("**Asked in:**", 1)[1].split("**Recurs:**", 1)[0]
    assert GITHUB_SOURCE.search(asked) or URL_SOURCE.search(asked), (
        f"entry {number}: 'Asked in' needs a source as owner/repo#number or a URL"
    )
    where = body.split("**Where the course answers it:**", 1)[1]
    assert LINK.search(where) or "not yet answered" in where, (
        f"entry {number}: link the answer, or say 'not yet answered'"
    )


def test_every_entry_not_yet_answered_is_in_the_list_of_gaps():
    gaps = TEXT.split("## Gaps", 1)[1] if "## Gaps" in TEXT else ""
    for number, _heading, body in ENTRIES:
        where = body.split("**Where the course answers it:**", 1)[1]
        if "not yet answered" in where:
            assert re.search(rf"\(#q{number}\)", gaps), f"entry {number} is not yet answered but not in the gaps"


def test_every_relative_link_resolves():
    problems = [p for target in LINK.findall(TEXT) if (p := link_problem(target))]
    assert not problems, "\n".join(problems)


def test_the_count_quoted_in_the_page_and_the_readme_is_the_real_one():
    import re

    n = len(ENTRIES)
    readme = (PAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    troubleshooting = (PAGE.parent / "troubleshooting.md").read_text(encoding="utf-8")
    for name, text in (
        ("docs/questions.md", TEXT),
        ("README.md", readme),
        ("docs/troubleshooting.md", troubleshooting),
    ):
        quoted = {int(m) for m in re.findall(r"(\d+) (?:questions|of them as they were asked)", text)}
        assert quoted <= {n}, f"{name} quotes {sorted(quoted)} questions; docs/questions.md has {n}"
