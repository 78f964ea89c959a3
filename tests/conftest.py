"""Fixtures shared by the unit tests (the environment, Agg and quiet TensorFlow, is set in the root
conftest.py, for nbval too).

- ``label_pair``: a small (truth, prediction) batch of 5-class label maps with a known confusion
  matrix, for every module that counts pixels (metrics, data, ...);
- ``random_pair``: a builder of random (truth, prediction) label maps with a chosen error rate;
- ``one_hot``: label maps -> float32 one-hot masks (what the question's masks look like);
- ``shapes_folder``: 6 shapes images and index masks (48 x 48, void ring of 3) written as a folder, once.
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


@pytest.fixture
def random_pair():
    """``make(shape, num_classes, *, error=0.3, seed=0)`` -> (y_true, y_pred) int label maps."""

    def make(shape, num_classes, *, error=0.3, seed=0):
        rng = np.random.default_rng(seed)
        y_true = rng.integers(0, num_classes, shape)
        wrong = rng.uniform(size=shape) < error
        return y_true, np.where(wrong, rng.integers(0, num_classes, shape), y_true)

    return make


@pytest.fixture
def one_hot():
    """``encode(labels, num_classes)`` -> float32 one-hot masks ``(..., num_classes)``."""
    return lambda labels, num_classes: np.eye(num_classes, dtype=np.float32)[np.asarray(labels)]


@pytest.fixture(scope="session")
def shapes_folder(tmp_path_factory):
    """A folder in load_folder's layout: 6 shapes images and index masks, 48 x 48, void ring of 3 pixels."""
    from helpers.course.folder_demo import write_shapes_folder

    return write_shapes_folder(tmp_path_factory.mktemp("shapes") / "index", n=6, size=48)
