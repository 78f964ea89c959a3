"""Run every entry of the audit corpus (issue 22) through helpers.audit and compare with the expected verdict.

    cd /work/main && TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/python benchmarks/audit/run_corpus.py [C01 C07 ...]

Prints one line per entry (id, expected, got, match, seconds) and a summary, and writes the table to
``benchmarks/audit/corpus-results.md`` (only when the whole corpus ran). The entries are the re-implementations
in ``tests/audit_corpus.py``; their sources are in ``benchmarks/audit/corpus.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "corpus-results.md"
sys.path.insert(0, str(ROOT / "tests"))  # audit_corpus is a plain module of the test suite
sys.path.insert(0, str(ROOT))


def fmt(codes) -> str:
    return "{" + ", ".join(sorted(codes)) + "}"


def run_entry(entry, audit):
    """``(got, seconds)``: the set of findings, or a string when the audit itself raised."""
    fn = audit.audit_metric if entry.kind == "metric" else audit.audit_loss
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = set(fn(entry.make(), **entry.options).findings)
    except Exception as exc:  # an option the audit does not know yet, or a bug in the audit
        first = (str(exc).splitlines() or [""])[0][:100]
        got = f"audit raised {type(exc).__name__}: {first}"
    return got, time.perf_counter() - start


def write_table(rows, summary):
    import keras
    import tensorflow as tf

    lines = [
        "# Audit corpus: results",
        "",
        f"*Written by `benchmarks/audit/run_corpus.py` on {date.today().isoformat()}: Python "
        f"{platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}, CPU.*",
        "",
        "Each entry of `tests/audit_corpus.py` (sources and patterns in [corpus.md](corpus.md)) audited with its "
        "options; *expected* is the verdict of a correct audit, *got* what `helpers.audit` reports.",
        "",
        f"**{summary}**",
        "",
        "| id | function | kind | options | expected | got | match | s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry, got, seconds, ok in rows:
        opts = ", ".join(f"{k}={v!r}" for k, v in entry.options.items())
        got_text = fmt(got) if isinstance(got, set) else got
        lines.append(
            f"| {entry.id} | `{entry.name}` | {entry.kind} | {opts} | `{fmt(entry.expected)}` | "
            f"`{got_text}` | {'yes' if ok else 'no'} | {seconds:.1f} |"
        )
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="entry ids to run (default: all)")
    args = parser.parse_args(argv)

    from audit_corpus import CORPUS

    from helpers import audit

    entries = [e for e in CORPUS if not args.ids or e.id in args.ids]
    if not entries:
        raise SystemExit(f"no entry among {args.ids}; ids are {CORPUS[0].id}..{CORPUS[-1].id}")
    rows = []
    for entry in entries:
        got, seconds = run_entry(entry, audit)
        ok = got == set(entry.expected)
        rows.append((entry, got, seconds, ok))
        got_text = fmt(got) if isinstance(got, set) else got
        print(
            f"{entry.id}  {entry.name:<42} expected {fmt(entry.expected):<58} got {got_text:<58} "
            f"match {'yes' if ok else 'no '}  {seconds:5.1f} s",
            flush=True,
        )
    matched = sum(ok for *_, ok in rows)
    slowest = max(rows, key=lambda r: r[2])
    summary = f"{matched} of {len(rows)} got the expected verdict; slowest audit {slowest[2]:.1f} s ({slowest[0].id})"
    print(summary)
    if len(entries) == len(CORPUS):
        write_table(rows, summary)
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
