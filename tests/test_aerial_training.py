"""helpers.course.aerial_training: notebook 08's data, recipes, and evaluation at two resolutions; and the
committed aerial seed study (data/aerial_study/) it is checked against."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers.course import aerial_training as T

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "aerial-dubai"
STUDY = ROOT / "data" / "aerial_study"


def test_one_hot_keeps_void_as_all_zero_rows():
    labels = np.array([[0, 255, 4], [2, 2, 1]], np.uint8)
    y = T.one_hot_with_void(labels)
    assert y.shape == (2, 3, 5) and y.dtype == np.float32
    assert y[0, 1].sum() == 0 and y[0, 2, 4] == 1 and (y.sum(-1)[labels != 255] == 1).all()
    assert (y.argmax(-1)[labels != 255] == labels[labels != 255]).all()


def test_padding_reaches_a_multiple_of_8_and_keeps_the_image_top_left():
    x = np.arange(10 * 17 * 3, dtype=np.float32).reshape(10, 17, 3)
    p = T.pad_to_multiple(x)
    assert p.shape == (16, 24, 3) and (p[:10, :17] == x).all()
    assert T.pad_to_multiple(p).shape == p.shape


def _oracle(labels_small):
    """A 'model' that returns the one-hot of known labels (void as land), whatever the input."""

    def model(x, training=False):
        h, w = x.shape[1:3]
        lab = np.where(labels_small == 255, 0, labels_small)
        lab = np.pad(lab, ((0, h - lab.shape[0]), (0, w - lab.shape[1])))
        return np.eye(5, dtype=np.float32)[lab][None]

    return model


def test_evaluation_at_both_resolutions_upsamples_before_the_argmax():
    """A perfect prediction at the shrunk size scores 1 there, and less at the labels' own resolution,
    where a thin road lost by shrinking cannot come back; void pixels are left out at both."""
    native = np.zeros((30, 30), np.uint8)
    native[:, 14] = 4  # a road one pixel wide
    native[20:, 20:] = 2
    native[0, 0] = 255
    small = native[::3, ::3].copy()  # nearest neighbour, 10 x 10: the road column 14 is not sampled
    assert 4 not in small
    image = np.zeros((10, 10, 3), np.uint8)
    result = T.evaluate(_oracle(small), [{"image": image, "labels": small, "labels_native": native}])
    assert result["mean_iou_small"] == pytest.approx(1.0)
    assert result["per_class_iou_native"][4] == 0.0 and result["mean_iou_native"] < 0.8
    assert result["cms_small"].shape == (1, 5, 5) and result["cms_native"].sum() == 30 * 30 - 1
    assert result["pixel_accuracy_small"] == pytest.approx(1.0) and result["pixel_accuracy_native"] < 1


def test_predictions_keep_the_image_size():
    seen = {}

    def model(x, training=False):
        seen["shape"] = x.shape
        return np.full(x.shape[:3] + (5,), 0.2, np.float32)

    probs = T.predict_probabilities(model, np.zeros((13, 21, 3), np.uint8))
    assert probs.shape == (13, 21, 5) and seen["shape"] == (1, 16, 24, 3)


def test_recipes_are_the_question_and_the_per_class_loss():
    assert tuple(T.RECIPES) == ("a", "c")
    assert T.RECIPES["c"].loss.ignore_index == 255
    assert T.config_summary()["train_patches"] == T.TRAIN_PATCHES


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared copy of the aerial images is not beside the repository")
def test_load_data_splits_by_tile(monkeypatch):
    from helpers.course import aerial

    monkeypatch.delenv(aerial.ENV_VAR, raising=False)
    data = T.load_data()
    assert data["x_train"].shape == (T.TRAIN_PATCHES, T.PATCH, T.PATCH, 3)
    assert data["y_train"].shape == (T.TRAIN_PATCHES, T.PATCH, T.PATCH, 5)
    assert {item["tile"] for item in data["test_images"]} == set(aerial.SPLITS["test"])
    assert {item["tile"] for item in data["val_images"]} == set(aerial.SPLITS["val"])
    for item in data["test_images"]:
        h, w = item["labels_native"].shape
        assert item["labels"].shape == (h // T.SCALE, w // T.SCALE) == item["image"].shape[:2]


# the committed study ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs():
    from helpers.course import study as S

    if not (STUDY / "threads2.json").exists():
        pytest.skip("no aerial study committed yet (make aerial-seeds)")
    return S.load_study(STUDY)["runs"]


def test_the_study_matches_the_configuration_and_is_balanced(runs):
    from helpers.course import study as S

    doc = json.loads((STUDY / "threads2.json").read_text())
    assert doc["meta"]["config"] == json.loads(json.dumps(T.config_summary())), "rerun `make aerial-seeds`"
    seeds = S.check_balanced(runs, recipes=list(T.RECIPES))
    assert len(seeds) >= 5
    for r in runs:
        assert all(len(v) == T.EPOCHS for v in r["history"].values())
        assert {"val_mean_iou", "test_mean_iou", "test_mean_iou_native"} <= set(r)


def test_notebook_08s_claims_hold_with_their_margins_in_every_seed(runs):
    by = {(r["recipe"], r["seed"]): r for r in runs}
    for seed in {r["seed"] for r in runs}:
        a, c = by[("a", seed)], by[("c", seed)]
        assert c["val_mean_iou"] - a["val_mean_iou"] > T.C_OVER_A_VAL_MIN + 0.02, seed
        assert abs(c["val_question_mean_iou"] - a["val_question_mean_iou"]) < T.QUESTION_SPREAD_MAX / 2, seed
        assert max(a["val_mean_iou"], c["val_mean_iou"]) >= T.SELECTED_VAL_FLOOR + 0.01, seed
    for r in runs:
        assert abs(r["test_mean_iou_native"] - r["test_mean_iou"]) < T.NATIVE_GAP_MAX / 2, (r["recipe"], r["seed"])
