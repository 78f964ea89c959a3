"""What every exercise check shares: the result type, the ✅/❌ line, and running the learner's code safely.

The checks themselves live in one module per notebook (:mod:`helpers.course.checks.nb01` ...
:mod:`helpers.course.checks.nb07`).

Examples
--------
>>> r = report(False, "That is the Dice coefficient, not IoU.")
❌ That is the Dice coefficient, not IoU.
>>> bool(r), run_learner_function(lambda x: x + 1, 1)
(False, (True, 2))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PASS", "FAIL", "CheckResult", "report", "run_learner_function", "run_number", "close", "to_numpy"]

PASS = "✅"
FAIL = "❌"


@dataclass
class CheckResult:
    """Outcome of a check: ``ok`` and the message shown (``bool(result)`` is ``ok``)."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:  # the printed line is the feedback; the repr stays short
        return f"CheckResult(ok={self.ok})"

    def _ipython_display_(self) -> None:  # as a cell's last value, show nothing: the line is printed
        pass


def report(ok: bool, message: str) -> CheckResult:
    """Print ✅ or ❌ with ``message`` and return the :class:`CheckResult`."""
    line = f"{PASS if ok else FAIL} {message}"
    print(line)
    return CheckResult(ok, line)


def run_learner_function(fn, *args):
    """``(True, fn(*args))``, or ``(False, result)`` with a printed hint when ``fn`` is a stub or raises.

    A stub or a crash becomes a hint instead of a traceback.
    """
    try:
        return True, fn(*args)
    except NotImplementedError:
        return False, report(False, "Not done yet: replace the `...` / `raise NotImplementedError` with your code.")
    except Exception as exc:
        return False, report(False, f"Your function raised {type(exc).__name__}: {exc}")


def run_number(fn, *args):
    """Call the learner's function and read its answer as one float: ``(value, None)``, or
    ``(None, CheckResult)`` when it could not (a stub, a crash, or not a number)."""
    done, out = run_learner_function(fn, *args)
    if not done:
        return None, out
    try:
        return float(out), None
    except (TypeError, ValueError):
        return None, report(False, f"Return one number (a float), not {type(out).__name__}.")


def close(a, b, tol=1e-6) -> bool:
    """Whether ``a`` and ``b`` are arrays (or numbers) of one shape, equal within ``tol`` (NaN equals NaN)."""
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and np.allclose(a, b, atol=tol, equal_nan=True)


def to_numpy(x):
    """A tensor or array-like as a NumPy array."""
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)
