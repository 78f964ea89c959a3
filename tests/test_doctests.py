"""The examples in the helpers' docstrings are true: every module of the package, found automatically."""

import doctest
import importlib
import pkgutil

import pytest

import helpers

MODULES = sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, prefix="helpers."))


def test_every_module_is_collected():
    # a new module is picked up without editing this file; these are here for sure
    assert {"helpers.metrics", "helpers.scenarios", "helpers.widgets.base", "helpers._validation"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0
