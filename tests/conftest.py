"""Fixtures shared by the unit tests (the environment, Agg and quiet TensorFlow, is set in the root
conftest.py, for nbval too).

- ``label_pair``: a small (truth, prediction) batch of 5-class label maps with a known confusion
  matrix, for every module that counts pixels (metrics, data, ...).
"""

import numpy as np
import pytest


@pytest.fixture
def label_pair():
    """(y_true, y_pred, num_classes, confusion matrix): 2 images of 2 x 3 pixels, 5 classes, class 4 absent."""
    y_true = np.array([[[0, 0, 1], [1, 2, 2]], [[0, 3, 3], [0, 0, 1]]])
    y_pred = np.array([[[0, 1, 1], [1, 2, 0]], [[0, 3, 2], [0, 0, 1]]])
    cm = np.zeros((5, 5), np.int64)
    for t, p in zip(y_true.ravel(), y_pred.ravel()):
        cm[t, p] += 1
    return y_true, y_pred, 5, cm
