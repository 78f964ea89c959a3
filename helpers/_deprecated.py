"""One release of grace for the import paths that moved in 0.2.0 (the library/course layers).

``helpers.data``, ``helpers.keras_metrics``, ``helpers.losses``, ... are thin modules that warn with a
``DeprecationWarning`` and then *are* the module at its new place (``sys.modules`` points the old name at
it), so a learner's copy of a notebook, or a model saved with the old release, keeps working.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn_moved("helpers.old_place", "helpers.new_place")
>>> print(caught[0].message)  # doctest: +ELLIPSIS
helpers.old_place moved to helpers.new_place in IoU Lab 0.2.0; import it from there ...
"""

from __future__ import annotations

import sys
import types
import warnings

MOVED = {
    "helpers.keras_metrics": "helpers.keras.metrics",
    "helpers.losses": "helpers.keras.losses",
    "helpers.aerial": "helpers.course.aerial",
    "helpers.buggy": "helpers.course.buggy",
    "helpers.checks": "helpers.course.checks",
    "helpers.checks_07": "helpers.course.checks.nb07",
    "helpers.claims": "helpers.course.claims",
    "helpers.data": "helpers.course.data",
    "helpers.doctor": "helpers.course.doctor",
    "helpers.model": "helpers.course.model",
    "helpers.runtime": "helpers.course.runtime",
    "helpers.scenarios": "helpers.course.scenarios",
    "helpers.soft_iou": "helpers.course.soft_iou",
    "helpers.study": "helpers.course.study",
    "helpers.training": "helpers.course.training",
    "helpers.widgets": "helpers.course.widgets",
}
"""Old import path -> new one (each old path is a module of its own that calls :func:`alias`)."""


def _caller_stacklevel() -> int:
    """The stack level of the first frame outside the import machinery, this module and the aliases.

    The aliases are the old modules (:data:`MOVED`) and the module-level ``__getattr__`` of ``helpers``,
    ``helpers.plotting`` and ``helpers.folder_data`` (old names): the warning points at the learner's line,
    so Python's default filter shows it in a notebook (it shows a DeprecationWarning raised in ``__main__``).

    ``warnings.warn`` itself skips the import machinery's frames (``importlib._bootstrap``) when it counts
    levels, so they are passed over here without being counted.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None:
        name = frame.f_code.co_filename
        if "importlib" in name and "_bootstrap" in name:
            frame = frame.f_back
            continue
        module = frame.f_globals.get("__name__", "")
        in_alias = module in MOVED or (frame.f_code.co_name == "__getattr__" and module.startswith("helpers"))
        if name != __file__ and not in_alias:
            return level
        frame, level = frame.f_back, level + 1
    return 1


def warn_moved(old: str, new: str) -> None:
    """Warn (``DeprecationWarning``) that ``old`` moved to ``new``, pointing at the importing line."""
    warnings.warn(
        f"{old} moved to {new} in IoU Lab 0.2.0; import it from there (the old path goes in the next release).",
        DeprecationWarning,
        stacklevel=_caller_stacklevel(),
    )


def alias(old: str, module: types.ModuleType) -> None:
    """Make the old path ``old`` the module ``module`` itself (same object: patches and state are shared)."""
    warn_moved(old, module.__name__)
    sys.modules[old] = module
