"""helpers.course.folder_demo: notebook 07's shapes folder and stand-in predictions."""

import numpy as np

from helpers import folder_data as F
from helpers import metrics as M
from helpers.course.data import CLASS_NAMES
from helpers.course.folder_demo import stand_in_predictions


def _all(ds):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def test_written_folder_holds_the_shapes_with_a_void_ring(shapes_folder):
    from helpers.course.data import generate_shapes

    images, labels = _all(F.load_folder(shapes_folder, num_classes=5, size=48, batch_size=4, one_hot=False))
    x, y = generate_shapes(6, size=48, seed=7)
    ring = F.void_band(y, width=3)
    assert np.array_equal(labels, np.where(ring, 255, y))
    assert np.allclose(images, x, atol=1e-6)  # PNG is lossless, and no resize at the written size
    assert sorted(p.name for p in (shapes_folder / "images").iterdir())[0] == "shapes_0000.png"
    assert (shapes_folder / "classes.txt").read_text().split() == list(CLASS_NAMES)


def test_stand_in_predictions_are_probabilities_and_deterministic():
    labels = np.zeros((2, 32, 32), int)
    labels[:, 8:24, 8:24] = 3
    y = np.eye(5, dtype=np.float32)[labels]
    p = stand_in_predictions(y, seed=1)
    assert p.shape == y.shape and p.dtype == np.float32
    assert np.allclose(p.sum(-1), 1.0, atol=1e-5)
    assert np.array_equal(p, stand_in_predictions(y, seed=1))
    miou = M.mean_iou(labels, p.argmax(-1), num_classes=5)
    assert 0.3 < miou < 1.0  # imperfect, not hopeless
