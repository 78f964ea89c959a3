"""Tests of helpers.course.model: the small UNet."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.course.data import generate_shapes, one_hot  # noqa: E402
from helpers.course.model import build_unet  # noqa: E402


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return build_unet()


def test_output_shape_and_softmax(model):
    x, _ = generate_shapes(4, seed=0)
    probs = np.asarray(model(x, training=False))
    assert model.output_shape == (None, 64, 64, 5)
    assert probs.shape == (4, 64, 64, 5)
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)


def test_parameter_count_is_small(model):
    assert 100_000 < model.count_params() < 2_000_000
    small = build_unet(base_filters=8, depth=2)
    assert 10_000 < small.count_params() < model.count_params()


def test_options():
    m = build_unet(
        input_shape=(32, 48, 1),
        num_classes=3,
        base_filters=4,
        depth=2,
        batch_norm=False,
        name="tiny",
    )
    assert m.name == "tiny" and m.output_shape == (None, 32, 48, 3)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in m.layers)
    assert isinstance(m.layers[-1], keras.layers.Conv2D)
    assert m.layers[-1].activation is keras.activations.softmax


def test_variable_input_size():
    m = build_unet(input_shape=(None, None, 3), base_filters=4, depth=2)
    out = m(np.zeros((1, 24, 40, 3), np.float32))
    assert tuple(out.shape) == (1, 24, 40, 5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"input_shape": (60, 60, 3)}, "divisible by 2\\*\\*depth = 8"),
        ({"input_shape": (64, 64, 3), "depth": 7}, "divisible by 2\\*\\*depth = 128"),
        ({"input_shape": (64, 64)}, "\\(height, width, channels\\)"),
        ({"input_shape": (1, 64, 64, 3)}, "batch dimension"),
        ({"input_shape": 64}, "\\(height, width, channels\\)"),
        ({"input_shape": (64, 64, None)}, "channels"),
        ({"input_shape": (64, -64, 3)}, "positive integers"),
        ({"num_classes": 1}, "num_classes"),
        ({"base_filters": 0}, "base_filters"),
        ({"depth": 0}, "depth"),
        ({"depth": 2.0}, "depth"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_unet(**kwargs)


def test_divisibility_message_suggests_a_fix():
    with pytest.raises(ValueError, match="e.g. \\(64, 64, 3\\)"):
        build_unet(input_shape=(60, 62, 3), depth=3)


def test_tiny_fit_runs():
    keras.utils.set_random_seed(1)
    x, y = generate_shapes(16, seed=5)
    m = build_unet(base_filters=4, depth=2)
    # run_eagerly: tracing the training graph takes longer than the fit itself (~3x here);
    # the notebooks exercise the graph mode
    m.compile(optimizer=keras.optimizers.Adam(2e-3), loss="categorical_crossentropy", run_eagerly=True)
    history = m.fit(x, one_hot(y), batch_size=8, epochs=1, verbose=0)
    loss = history.history["loss"]
    assert len(loss) == 1 and np.isfinite(loss[0])
    assert tuple(m(x[:2], training=False).shape) == (2, 64, 64, 5)
