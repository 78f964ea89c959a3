"""Shared fixtures and set-up for the unit tests.

(The environment, Agg and quiet TensorFlow, is set in the root conftest.py, for nbval too.)

- ``rng``: a fresh, seeded NumPy generator per test.
- ``label_pair``: a small (truth, prediction) batch of 5-class label maps with a known confusion matrix.
- ``close_figures``: closes every pyplot figure after a test that asks for it.
"""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A NumPy generator seeded per test, so tests never share random state."""
    return np.random.default_rng(0)


@pytest.fixture
def label_pair():
    """(y_true, y_pred, num_classes, confusion matrix): 2 images of 2 x 3 pixels, 5 classes, class 4 absent."""
    y_true = np.array([[[0, 0, 1], [1, 2, 2]], [[0, 3, 3], [0, 0, 1]]])
    y_pred = np.array([[[0, 1, 1], [1, 2, 0]], [[0, 3, 2], [0, 0, 1]]])
    cm = np.zeros((5, 5), np.int64)
    for t, p in zip(y_true.ravel(), y_pred.ravel()):
        cm[t, p] += 1
    return y_true, y_pred, 5, cm


@pytest.fixture
def close_figures():
    """Close every pyplot figure after the test (figures made by pyplot stay open otherwise)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
