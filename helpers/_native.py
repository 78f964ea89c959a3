"""Quiet native (C++) log lines: shared by the library (the audit) and the course (a quiet TensorFlow import)."""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["quiet_native_stderr"]


@contextlib.contextmanager
def quiet_native_stderr():
    """Inside the block, C-level writes to file descriptor 2 (TensorFlow's C++ log lines) go nowhere.

    Python exceptions still propagate; only native log lines are hidden, such as the one-off
    "oneDNN supports DT_HALF only on platforms with AVX-512. Falling back to ..." notice that the first
    float16 operation prints on CPUs without AVX-512. Does nothing where there is no real fd 2.

    Examples
    --------
    >>> with quiet_native_stderr():
    ...     x = 1 + 1
    >>> x
    2
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (some embedded consoles)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
