"""Small run-time helpers for notebooks: a quiet TensorFlow import.

TensorFlow 2.21 prints a start-up banner to the C-level stderr when it is first imported (an absl
"InitializeLog" warning and the oneDNN notice), whatever ``TF_CPP_MIN_LOG_LEVEL`` says. In a notebook
that lands in the output of whichever cell happened to import TensorFlow first. We keep oneDNN on
(turning it off with ``TF_ENABLE_ONEDNN_OPTS=0`` makes convolutions several times slower on CPU) and
silence only that first import.
"""

from __future__ import annotations

import os
import sys

__all__ = ["import_tensorflow_quietly"]


def import_tensorflow_quietly():
    """Import TensorFlow with file descriptor 2 pointed at /dev/null, and return the module.

    Errors still surface: an ImportError is raised as usual (only the C-level banner is hidden).
    Does nothing special if TensorFlow is already imported.

    Examples
    --------
    >>> tf = import_tensorflow_quietly()
    >>> tf.__name__
    'tensorflow'
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (some embedded consoles)
        import tensorflow

        return tensorflow
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow
