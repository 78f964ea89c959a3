"""The command line: ``python -m helpers.audit path/to/file.py:function_name`` prints the audit report.

Options, the same as :func:`~helpers.audit.audit_metric` and :func:`~helpers.audit.audit_loss` take:
``--num-classes 5``, ``--binary`` (one sigmoid channel), ``--labels`` (``y_true`` as label maps),
``--ignore-index 255``, ``--expect dice`` (repeatable: ``dice``, ``per_image``, ``foreground_only``; metrics
only), ``--loss`` (audit a loss). The exit status is 0 when the audit passed, 1 when not.

Examples
--------
>>> import helpers.course.buggy as buggy
>>> main([f"{buggy.__file__}:iou_loss", "--loss"])  # doctest: +ELLIPSIS
Audit of loss `iou_loss` (5 classes; ...)
❌ 1 finding: pixel_weighted
...
1
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from helpers.audit.probes_loss import audit_loss
from helpers.audit.probes_metric import audit_metric

__all__ = ["main", "load_target"]


def load_target(spec: str):
    """The object ``name`` of the file ``path`` in ``"path/to/file.py:name"``; ``SystemExit`` with the fix if none."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise SystemExit(f"expected path/to/file.py:function_name, got {spec!r}")
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"no such file: {file}")
    module_spec = importlib.util.spec_from_file_location(f"_audited_{file.stem}", file)
    module = importlib.util.module_from_spec(module_spec)
    sys.path.insert(0, str(file.resolve().parent))
    try:
        module_spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    if not hasattr(module, name):
        public = sorted(n for n in vars(module) if not n.startswith("_") and callable(getattr(module, n)))
        raise SystemExit(f"{file} has no {name!r}; callables there: {', '.join(public) or 'none'}")
    return getattr(module, name)


def main(argv=None) -> int:
    """``python -m helpers.audit file.py:name``: print the audit report; exit 0 if it passed, 1 if not."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.audit", description="Audit a segmentation metric (default) or loss (--loss)."
    )
    parser.add_argument("target", help="path/to/file.py:function_name (a function, or a Keras metric instance)")
    parser.add_argument("--num-classes", type=int, default=None, help="number of classes (default 5; not --binary)")
    parser.add_argument("--binary", action="store_true", help="one sigmoid channel: y_true and y_pred (B, H, W, 1)")
    parser.add_argument("--labels", action="store_true", help="y_true as label maps (B, H, W), not one-hot")
    parser.add_argument("--ignore-index", type=int, default=None, help="void label left out, e.g. 255")
    parser.add_argument(
        "--expect",
        action="append",
        choices=("dice", "per_image", "foreground_only"),
        help="a convention the metric follows on purpose (repeatable): its finding becomes a note",
    )
    parser.add_argument("--loss", action="store_true", help="audit a loss instead of a metric")
    args = parser.parse_args(argv)
    if args.binary and args.num_classes not in (None, 2):
        parser.error("--binary audits one sigmoid channel: leave --num-classes out")
    if args.loss and args.expect:
        parser.error("--expect applies to metrics only")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    obj = load_target(args.target)
    options = {
        "num_classes": None if args.binary else (args.num_classes or 5),
        "binary": args.binary,
        "y_true": "labels" if args.labels else "one_hot",
        "ignore_index": args.ignore_index,
    }
    if args.loss:
        report = audit_loss(obj, **options)
    else:
        report = audit_metric(obj, expect=tuple(args.expect or ()) or None, **options)
    print(report)
    return 0 if report.passed else 1
