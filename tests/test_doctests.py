"""The examples in the helpers' docstrings are true."""
import doctest
import importlib

import pytest

MODULES = ["metrics", "keras_metrics", "losses", "checks", "runtime", "data", "model", "plotting", "widgets", "soft_iou", "doctor", "course"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"helpers.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0
