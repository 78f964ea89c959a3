"""The seed study (data/seed_study/) and the claims notebooks 05 and 06 make from it.

Every claim a notebook checks on a live training run must hold, with its margin, in every run of the
committed study (all seeds, all execution settings): these tests recompute each one from the data.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import study as S
from helpers.claims import claim, strict_claims

RECIPES = ("a", "b", "c", "d", "e", "f", "g")
LIVE = ("a", "c")  # helpers.training.LIVE_RECIPES


@pytest.fixture(scope="module")
def study():
    return S.load_study()


@pytest.fixture(scope="module")
def runs(study):
    return study["runs"]


def _groups(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["seed"], r["setting"]), {})[r["recipe"]] = r
    return groups


def test_study_is_complete(study, runs):
    """At least 2 execution settings, at least 5 seeds, and every recipe in every (seed, setting) trained."""
    settings = set(study["settings"])
    assert len(settings) >= 2, "the study needs at least two execution settings"
    seeds_per_setting = {t: {r["seed"] for r in runs if r["setting"] == t} for t in settings}
    assert max(len(s) for s in seeds_per_setting.values()) >= 5, f"the study needs >= 5 seeds: {seeds_per_setting}"
    assert all(len(s) >= 2 for s in seeds_per_setting.values()), seeds_per_setting
    have = {(r["recipe"], r["seed"], r["setting"]) for r in runs}
    missing = [
        (k, s, t) for t, seeds in seeds_per_setting.items() for s in seeds for k in RECIPES if (k, s, t) not in have
    ]
    assert not missing, f"incomplete (seed, setting) groups in the study: {missing[:5]} ..."
    for meta in study["settings"].values():
        assert {"tensorflow", "keras", "cpu", "config"} <= set(meta)


def test_study_matches_the_training_configuration(study):
    from helpers.training import config_summary

    current = json.loads(json.dumps(config_summary()))
    for name, meta in study["settings"].items():
        assert meta["config"] == current, (
            f"data/seed_study/{name}.json was measured with another training configuration: rerun `make seeds`."
        )


def test_selected_model_claims_hold_in_every_run(runs):
    """Notebook 05: the model selected on validation among the live recipes reaches the quoted floors."""
    from helpers.training import SELECTED_TEST_FLOOR, SELECTED_VAL_FLOOR

    margin = 0.01  # a new machine is a new draw: the floors must hold with room to spare
    for key, group in _groups(runs).items():
        best = max(LIVE, key=lambda k: group[k]["val_mean_iou"])
        assert group[best]["val_mean_iou"] >= SELECTED_VAL_FLOOR + margin, key
        assert group[best]["test_mean_iou"] >= SELECTED_TEST_FLOOR + margin, key


def test_question_metric_barely_moves_in_every_group(runs):
    """Notebook 05, section 9: the question's metric barely varies across the live recipes of one group."""
    from helpers.training import QUESTION_SPREAD_MAX

    for key, group in _groups(runs).items():
        live = [group[k]["val_question_mean_iou"] for k in LIVE]
        assert max(live) - min(live) < QUESTION_SPREAD_MAX - 0.004, key


def test_claims_of_notebook_06_hold_for_the_selected_model_of_every_run(runs):
    """Notebook 06 evaluates the live recipe selected on validation: accuracy > mean IoU, and ignoring a
    boundary band raises the mean, in every (seed, setting) of the study. Its fallback (no cache) is the
    study's choice on validation, which must be a live recipe."""
    for key, group in _groups(runs).items():
        r = group[max(LIVE, key=lambda k: group[k]["val_mean_iou"])]
        assert r["test_pixel_accuracy"] > r["test_mean_iou"], key
        assert r["test_mean_iou_boundary_void"] > r["test_mean_iou"], key
    means = S.summarise(runs, "val_mean_iou", LIVE)
    assert max(means, key=lambda k: means[k]["mean"]) in LIVE


def test_paired_difference_and_summary():
    runs = [
        {"recipe": k, "seed": s, "setting": "x", "val_mean_iou": v, "val_per_class_iou": [v, v / 2]}
        for (k, s, v) in [("a", 0, 0.5), ("b", 0, 0.7), ("a", 1, 0.6), ("b", 1, 0.55), ("b", 2, 0.9)]
    ]
    d = S.paired_difference(runs, "b", "a", "val_mean_iou")
    assert d["n"] == 2 and d["wins"] == 1
    assert d["min"] == pytest.approx(-0.05) and d["max"] == pytest.approx(0.2)
    assert S.summarise(runs, "val_iou_1")["b"]["max"] == pytest.approx(0.45)
    assert S.metric_values(runs, "a", "val_object_mean_iou").tolist() == [0.25, 0.3]
    with pytest.raises(ValueError, match="No paired runs"):
        S.paired_difference(runs, "a", "c", "val_mean_iou")
    with pytest.raises(KeyError, match="Unknown metric"):
        S.metric_values(runs, "a", "nonsense")


def test_load_study_says_how_to_run_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make seeds"):
        S.load_study(tmp_path)


def test_claim_warns_a_learner_and_raises_under_ci(monkeypatch, capsys):
    monkeypatch.delenv("IOU_LAB_STRICT_CLAIMS", raising=False)
    assert not strict_claims()
    assert claim(True, "x holds") is True
    assert claim(np.bool_(False), "y holds", observed="0.1", study="0.2 to 0.3") is False
    out = capsys.readouterr().out
    assert "✅ x holds" in out and "⚠️ Not on this run: y holds" in out and "0.2 to 0.3" in out
    monkeypatch.setenv("IOU_LAB_STRICT_CLAIMS", "1")
    assert strict_claims()
    with pytest.raises(AssertionError, match="Claim failed: y holds"):
        claim(False, "y holds")
    with pytest.raises(ValueError, match="statement"):
        claim(True, "")
