"""The seed study (data/seed_study/) and the claims notebooks 05 and 06 make from it.

Every claim a notebook checks on a live training run must hold, with its margin, in every run of the
committed study (all seeds, all execution settings): these tests recompute each one from the data.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.course import study as S

RECIPES = ("a", "b", "c", "d", "e", "f", "g", "h")
LIVE = ("a", "c")  # helpers.course.training.LIVE_RECIPES
MIN_SEEDS = 10


@pytest.fixture(scope="module")
def study():
    return S.load_study()


@pytest.fixture(scope="module")
def runs(study):
    return study["runs"]


@pytest.fixture(scope="module")
def main_runs(runs):
    return [r for r in runs if r["setting"] == S.MAIN_SETTING]


def _groups(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["seed"], r["setting"]), {})[r["recipe"]] = r
    return groups


def test_study_is_balanced_with_enough_seeds(study, main_runs):
    """The main setting: every recipe from every seed, once, at least 10 seeds; per-epoch history kept."""
    from helpers.course.training import RECIPES as TRAINING_RECIPES

    assert tuple(TRAINING_RECIPES) == RECIPES
    seeds = S.check_balanced(main_runs, recipes=RECIPES)
    assert len(seeds) >= MIN_SEEDS, f"the study needs >= {MIN_SEEDS} seeds per recipe, has {len(seeds)}"
    for r in main_runs:
        epochs = TRAINING_RECIPES[r["recipe"]].epochs
        assert {"val_loss", "val_mean_iou", "loss", "mean_iou"} <= set(r["history"]), r["recipe"]
        assert all(len(v) == epochs for v in r["history"].values()), (r["recipe"], r["seed"])
        # the last epoch's streaming val_mean_iou is the NumPy reference's (float32 counts vs int64)
        assert abs(r["history"]["val_mean_iou"][-1] - r["val_mean_iou"]) < 2e-4, (r["recipe"], r["seed"])
    for meta in study["settings"].values():
        assert {"tensorflow", "keras", "cpu", "config"} <= set(meta)
    with pytest.raises(ValueError, match="not balanced"):
        S.check_balanced(main_runs[1:], recipes=RECIPES)


def test_study_matches_the_training_configuration(study):
    from helpers.course.training import config_summary

    current = json.loads(json.dumps(config_summary()))
    for name, meta in study["settings"].items():
        assert meta["config"] == current, (
            f"data/seed_study/{name}.json was measured with another training configuration: rerun `make seeds`."
        )


def test_selected_model_claims_hold_in_every_run(runs):
    """Notebook 05: the model selected on validation among the live recipes reaches the quoted floors."""
    from helpers.course.training import SELECTED_TEST_FLOOR, SELECTED_VAL_FLOOR

    margin = 0.01  # a new machine is a new draw: the floors must hold with room to spare
    for key, group in _groups(runs).items():
        best = max(LIVE, key=lambda k: group[k]["val_mean_iou"])
        assert group[best]["val_mean_iou"] >= SELECTED_VAL_FLOOR + margin, key
        assert group[best]["test_mean_iou"] >= SELECTED_TEST_FLOOR + margin, key


def test_question_metric_barely_moves_in_every_group(runs):
    """Notebook 05, section 9: the question's metric barely varies across the live recipes of one group."""
    from helpers.course.training import QUESTION_SPREAD_MAX

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


NOTEBOOK_COMPARISONS = [
    ("c", "b"),
    ("d", "b"),
    ("e", "b"),
    ("h", "b"),
    ("e", "h"),
    ("d", "c"),
    ("c", "a"),
    ("a", "f"),
    ("b", "g"),
    ("g", "a"),
    ("b", "f"),
    ("c", "f"),
    ("d", "f"),
]


def test_notebook_comparisons_recomputed_by_hand(main_runs):
    """Notebook 05's 13 comparisons, recomputed without helpers.stats: the mean paired difference, the
    wins per seed, SciPy's sign test, and a bootstrap over seeds written out as a loop."""
    import scipy.stats

    by = {(r["recipe"], r["seed"]): r["val_mean_iou"] for r in main_runs}
    seeds = sorted({r["seed"] for r in main_runs})
    rng = np.random.default_rng(123)
    for first, second in NOTEBOOK_COMPARISONS:
        d = np.array([by[(first, s)] - by[(second, s)] for s in seeds])
        got = S.compare(main_runs, first, second)
        assert got["n"] == len(seeds) and got["mean"] == pytest.approx(d.mean(), abs=6e-5)
        assert got["wins"] == int((d > 0).sum()) and got["losses"] == int((d < 0).sum())
        wins, losses = got["wins"], got["losses"]
        want_p = scipy.stats.binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
        assert got["sign_p"] == pytest.approx(want_p, abs=6e-5)
        boot = [d[rng.integers(0, d.size, d.size)].mean() for _ in range(4000)]
        lo, hi = np.quantile(boot, [0.025, 0.975])
        assert got["ci"][0] == pytest.approx(lo, abs=0.006) and got["ci"][1] == pytest.approx(hi, abs=0.006)
        if lo > 0.003:
            assert got["verdict"] == f"({first}) higher than ({second})"
        elif hi < -0.003:
            assert got["verdict"] == f"({first}) lower than ({second})"
        elif lo < -0.003 and hi > 0.003:
            assert got["verdict"].startswith("inconclusive")
    # the notebook's verdicts: interval and exact permutation p, Holm-adjusted over the 13 comparisons
    many = S.compare_many(main_runs, NOTEBOOK_COMPARISONS)
    raw = []
    for first, second in NOTEBOOK_COMPARISONS:
        d = np.array([by[(first, s)] - by[(second, s)] for s in seeds])
        exact = scipy.stats.permutation_test(
            (d,), np.mean, permutation_type="samples", n_resamples=np.inf, alternative="two-sided"
        ).pvalue
        assert many[(first, second)]["perm_p"] == pytest.approx(exact, abs=6e-5)
        raw.append(exact)
    order = np.argsort(raw)
    holm, running = {}, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(raw) - rank) * raw[i]))
        holm[NOTEBOOK_COMPARISONS[i]] = running
    for pair, res in many.items():
        assert res["perm_p_holm"] == pytest.approx(holm[pair], abs=1e-3)
        lo, hi = res["ci"]
        if (lo > 0 or hi < 0) and holm[pair] < 0.05:
            assert not res["verdict"].startswith(("weak", "inconclusive")), pair
        elif lo > 0 or hi < 0:
            assert res["verdict"].startswith("weak"), pair
        else:
            assert res["verdict"].startswith("inconclusive"), pair


def test_rank_agreement_counts_pairs_once_with_ties_apart(main_runs):
    """Notebook 05, section 9: pairs i < j of recipes within a seed, ties never counted as disagreement."""
    import itertools

    seeds = sorted({r["seed"] for r in main_runs})
    for metric in ("val_pixel_accuracy", "val_question_mean_iou"):
        agree = disagree = tied = 0
        for seed in seeds:
            group = {r["recipe"]: r for r in main_runs if r["seed"] == seed}
            for x, y in itertools.combinations(sorted(group), 2):
                s1 = np.sign(group[x][metric] - group[y][metric])
                s2 = np.sign(group[x]["val_mean_iou"] - group[y]["val_mean_iou"])
                agree += s1 * s2 > 0
                disagree += s1 * s2 < 0
                tied += s1 * s2 == 0
        got = S.rank_agreement(main_runs, metric, "val_mean_iou")
        assert (got["agree"], got["disagree"], got["tied"]) == (agree, disagree, tied)
        assert got["pairs"] == len(seeds) * len(RECIPES) * (len(RECIPES) - 1) // 2
        assert len(got["tau_b"]) == len(seeds)


def test_lost_class_rates_and_intervals(main_runs):
    import scipy.stats

    for key in RECIPES:
        rate = S.lost_class_rate(main_runs, key)
        mine = [r for r in main_runs if r["recipe"] == key]
        k = sum(min(r["val_per_class_iou"]) < 0.05 for r in mine)
        assert (rate["k"], rate["n"]) == (k, len(mine))
        ci = scipy.stats.binomtest(k, len(mine)).proportion_ci(method="exact")
        assert rate["ci"] == pytest.approx((ci.low, ci.high), abs=6e-5)


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
