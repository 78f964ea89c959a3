"""The examples in the helpers' docstrings are true, and every module has at least one.

Every module of the package is found automatically (a new module is collected without editing this
file). A module whose docstrings hold no example fails: its first example is its first test, and a
reader's first view of how to call it. The deprecated aliases of old import paths (``helpers.data``,
...; :data:`helpers._deprecated.MOVED`) are left out: each *is* the module at its new place.
"""

import doctest
import importlib
import pkgutil

import pytest

import helpers
from helpers._deprecated import MOVED

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(helpers.__path__, prefix="helpers.", onerror=lambda name: None)
    if m.name not in MOVED and not m.name.startswith(tuple(f"{old}." for old in MOVED))
)


def test_every_module_is_collected():
    expected = {"helpers.metrics", "helpers.course.scenarios", "helpers.course.widgets.base", "helpers._validation"}
    assert expected <= set(MODULES)
    assert "helpers.data" not in MODULES  # an alias, tested in tests/test_deprecated.py


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no docstring example: add one (an Examples section) to its main function"
