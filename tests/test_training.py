"""helpers.course.training: the API notebooks 05 and 06 use, on tiny data and one epoch.

These tests never depend on the recipes' current epochs or learning rates (notebook 05 tunes them):
they check what every recipe must do, on 4 random images and a 2-level UNet with 4 filters.
"""

import dataclasses

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from helpers import metrics as M
from helpers.course import training as T

TINY_UNET = {"base_filters": 4, "depth": 2}


def _tiny_data(seed=0, n=4, size=64):  # 64 x 64: the input size of the models cached_model builds
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, size, size, 3)).astype(np.float32)
    labels = rng.integers(0, T.NUM_CLASSES, (n, size, size))
    y = np.eye(T.NUM_CLASSES, dtype=np.float32)[labels]
    return x, y, labels


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """Tiny data instead of the shapes dataset, a tiny UNet, 1 epoch per recipe, a temporary cache."""
    x, y, labels = _tiny_data()
    monkeypatch.setattr(T, "UNET", TINY_UNET)
    monkeypatch.setattr(T, "load_training_data", lambda: (x, y, x[:2], y[:2]))
    monkeypatch.setattr(T, "CACHE_DIR", tmp_path / "cache")
    for key, recipe in list(T.RECIPES.items()):
        monkeypatch.setitem(T.RECIPES, key, dataclasses.replace(recipe, epochs=1))
    return x, y, labels


@pytest.fixture(scope="module")
def trained_b():
    """Recipe b trained once on the tiny set-up (with the metrics), shared by the tests that only read it."""
    with pytest.MonkeyPatch.context() as mp:
        x, y, _ = _tiny_data()
        mp.setattr(T, "UNET", TINY_UNET)
        mp.setitem(T.RECIPES, "b", dataclasses.replace(T.RECIPES["b"], epochs=1))
        return T.train_recipe("b", data=(x, y, x[:2], y[:2]), verbose=0)


def test_train_recipe_logs_the_three_metrics_side_by_side(trained_b):
    result = trained_b
    assert isinstance(result, T.TrainResult) and result.recipe.key == "b"
    for key in ("loss", "accuracy", "question_mean_iou", "mean_iou"):
        assert len(result.history[key]) == 1 and len(result.history[f"val_{key}"]) == 1
    assert 0.0 <= result.history["mean_iou"][0] <= 1.0
    assert len(result.epoch_seconds) == 1 and result.seconds == pytest.approx(sum(result.epoch_seconds))
    assert result.model.output_shape == (None, 64, 64, T.NUM_CLASSES)


def test_train_recipe_is_deterministic_for_a_seed_and_monitor_false_skips_metrics(tiny):
    x, _, _ = tiny
    first = T.train_recipe("c", verbose=0, seed=3, monitor=False)
    second = T.train_recipe("c", verbose=0, seed=3, monitor=False)
    np.testing.assert_allclose(first.model.predict(x, verbose=0), second.model.predict(x, verbose=0), atol=1e-6)
    assert set(first.history) == {"loss"}  # no metrics, no validation


def test_fine_tuning_recipe_needs_the_weights_it_starts_from(tiny, trained_b):
    assert T.RECIPES["e"].init_from == "b"
    with pytest.raises(ValueError, match="init_weights"):
        T.train_recipe("e", verbose=0)
    tuned = T.train_recipe("e", verbose=0, monitor=False, init_weights=trained_b.model.get_weights())
    assert len(tuned.history["loss"]) == 1


def test_evaluate_model_agrees_with_helpers_metrics(tiny, trained_b):
    x, _, labels = tiny
    model = trained_b.model
    report = T.evaluate_model(model, x, labels, batch_size=2)
    pred = model.predict(x, verbose=0).argmax(-1)
    np.testing.assert_array_equal(report["pred"], pred)
    assert report["mean_iou"] == pytest.approx(M.mean_iou(labels, pred, num_classes=T.NUM_CLASSES))
    assert report["per_image_mean_iou"] == pytest.approx(
        M.mean_iou(labels, pred, num_classes=T.NUM_CLASSES, per_image=True)
    )
    np.testing.assert_allclose(report["per_class_iou"], M.per_class_iou(labels, pred, num_classes=T.NUM_CLASSES))
    assert report["pixel_accuracy"] == pytest.approx(np.mean(labels == pred))
    assert isinstance(report["question_mean_iou"], float)


def test_cached_model_trains_once_then_loads(tiny):
    x, _, _ = tiny
    model, trained_now = T.cached_model("b")
    assert trained_now and T.weights_path("b").exists()
    again, trained_now = T.cached_model("b")
    assert not trained_now
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_cached_model_retrains_over_a_broken_file(tiny):
    T.CACHE_DIR.mkdir(parents=True)
    T.weights_path("b").write_bytes(b"not an HDF5 file")
    _, trained_now = T.cached_model("b")
    assert trained_now


def test_save_model_weights_returns_none_when_read_only(tiny, tmp_path, monkeypatch, trained_b):
    model = trained_b.model
    assert T.save_model_weights(model, "b") == T.weights_path("b")
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setattr(T, "CACHE_DIR", blocker / "cache")  # cannot create a folder inside a file
    assert T.save_model_weights(model, "b") is None


def test_selection_round_trip_and_stale_config(tiny, monkeypatch):
    assert T.load_selection() is None  # notebook 05 has not run here
    assert T.save_selection("d") == T.CACHE_DIR / "selected.json"
    assert T.load_selection() == "d"
    monkeypatch.setattr(T, "UNET", {"base_filters": 8, "depth": 3})  # another configuration: not ours
    assert T.load_selection() is None
    with pytest.raises(ValueError, match="Unknown recipe"):
        T.save_selection("z")


def test_cached_weights_are_keyed_by_the_training_configuration(monkeypatch):
    before = T.weights_path("c")
    monkeypatch.setitem(T.RECIPES, "c", dataclasses.replace(T.RECIPES["c"], epochs=99))
    assert T.weights_path("c") != before and T.weights_path("c").name.startswith("recipe_c_")


def test_every_recipe_has_a_label_loss_and_optimizer_factory():
    import keras

    for key, recipe in T.RECIPES.items():
        assert recipe.key == key and recipe.label and recipe.epochs >= 1
        assert isinstance(recipe.optimizer(), keras.optimizers.Optimizer)
        assert recipe.init_from is None or recipe.init_from in T.RECIPES
    assert set(T.LIVE_RECIPES) <= set(T.RECIPES)


@pytest.mark.parametrize("key", ["a", "d"])
def test_a_trained_recipe_saves_and_loads_without_custom_objects(tiny, tmp_path, key):
    """Learners save models: the question's loss and metric (recipe a) and the course's losses load back."""
    import keras

    x, y, _ = tiny
    result = T.train_recipe(key, data=(x, y, x[:2], y[:2]), verbose=0)
    path = tmp_path / f"recipe_{key}.keras"
    result.model.save(path)
    loaded = keras.saving.load_model(path)
    before = result.model.evaluate(x, y, verbose=0, return_dict=True)
    after = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert set(before) == set(after)
    for name, value in before.items():
        assert np.isclose(after[name], value, rtol=1e-5, atol=1e-6), name
