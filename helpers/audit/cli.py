"""The command line: ``python -m helpers.audit path/to/file.py:function_name`` prints the audit report.

Options: ``--num-classes 5``, ``--labels`` (the metric takes label maps), ``--ignore-index 255``,
``--loss`` (audit a loss). The exit status is 0 when the audit passed, 1 when not.

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
    parser.add_argument("--num-classes", type=int, default=5, help="number of classes (default 5)")
    parser.add_argument("--labels", action="store_true", help="the metric takes label maps (B, H, W) as y_true")
    parser.add_argument("--ignore-index", type=int, default=None, help="void label the metric leaves out, e.g. 255")
    parser.add_argument("--loss", action="store_true", help="audit a loss instead of a metric")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    obj = load_target(args.target)
    if args.loss:
        report = audit_loss(obj, num_classes=args.num_classes)
    else:
        report = audit_metric(
            obj,
            num_classes=args.num_classes,
            y_true="labels" if args.labels else "one_hot",
            ignore_index=args.ignore_index,
        )
    print(report)
    return 0 if report.passed else 1
