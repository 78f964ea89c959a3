"""helpers.stats: exact tests and intervals checked against SciPy, bootstraps against the NumPy reference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats as scipy_stats

from helpers import metrics as M
from helpers import stats


@pytest.mark.parametrize("k, n", [(0, 8), (4, 8), (8, 8), (1, 10), (3, 17), (10, 10)])
def test_clopper_pearson_matches_scipy_beta_quantiles(k, n):
    lo, hi = stats.clopper_pearson(k, n)
    want_lo = 0.0 if k == 0 else scipy_stats.beta.ppf(0.025, k, n - k + 1)
    want_hi = 1.0 if k == n else scipy_stats.beta.ppf(0.975, k + 1, n - k)
    assert lo == pytest.approx(want_lo, abs=6e-5) and hi == pytest.approx(want_hi, abs=6e-5)


@pytest.mark.parametrize("wins, losses", [(5, 0), (9, 1), (7, 3), (5, 5), (0, 10), (12, 3)])
def test_sign_test_matches_scipy_binomtest(wins, losses):
    want = scipy_stats.binomtest(wins, wins + losses, 0.5).pvalue
    assert stats.sign_test(wins, losses) == pytest.approx(want, abs=6e-5)


@pytest.mark.parametrize("k1, n1, k2, n2", [(0, 8, 1, 8), (0, 10, 7, 10), (2, 10, 6, 10), (4, 8, 7, 8), (3, 5, 0, 9)])
def test_fisher_exact_matches_scipy(k1, n1, k2, n2):
    want = scipy_stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
    assert stats.fisher_exact(k1, n1, k2, n2) == pytest.approx(want, abs=6e-5)


def test_pair_agreement_counts_each_pair_once_and_ties_apart():
    rng = np.random.default_rng(3)
    for _ in range(20):
        x = rng.integers(0, 4, 7).astype(float)
        y = rng.integers(0, 4, 7).astype(float)
        r = stats.pair_agreement(x, y)
        assert r["pairs"] == 21 == r["agree"] + r["disagree"] + r["tied"]
        brute = [np.sign(x[j] - x[i]) * np.sign(y[j] - y[i]) for i, j in itertools.combinations(range(7), 2)]
        assert r["agree"] == sum(b > 0 for b in brute) and r["disagree"] == sum(b < 0 for b in brute)
        tau = scipy_stats.kendalltau(x, y).statistic
        if np.isnan(tau):
            assert np.isnan(r["tau_b"])
        else:
            assert r["tau_b"] == pytest.approx(tau, abs=6e-5)


def test_a_coin_agrees_with_any_order_on_half_the_untied_pairs():
    """The baseline for "orders the recipes like mean IoU": a random metric, by the same function."""
    rng = np.random.default_rng(0)
    x = rng.random(8)
    shares = [stats.pair_agreement(x, rng.random(8))["agree_untied"] for _ in range(2000)]
    assert abs(np.mean(shares) - 0.5) < 0.02


def test_bootstrap_mean_resamples_clusters_not_values():
    # two values per cluster, identical within a cluster: clustering must not narrow the interval
    values = np.repeat([0.1, 0.2, 0.3, 0.4, 0.5], 2)
    clustered = stats.bootstrap_mean(values, clusters=np.repeat(np.arange(5), 2))
    single = stats.bootstrap_mean(values[::2])
    assert clustered == pytest.approx(single, abs=0.02)
    naive = stats.bootstrap_mean(values)  # 10 "independent" values: too narrow
    assert naive[1] - naive[0] < clustered[1] - clustered[0]
    with pytest.raises(ValueError, match="one label per value"):
        stats.bootstrap_mean(values, clusters=[0, 1])
    with pytest.raises(ValueError, match="NaN"):
        stats.bootstrap_mean([0.1, np.nan])


def test_paired_seed_comparison_words_follow_the_interval():
    up = [(s, 0.9, 0.8 + 0.001 * s) for s in range(10)]
    r = stats.paired_seed_comparison(up, first="A", second="B")
    assert r["verdict"] == "A higher than B" and r["wins"] == 10 and r["sign_p"] == 0.002 and r["every_pair"]
    mixed = [(s, 0.8 + 0.02 * (-1) ** s, 0.8) for s in range(10)]
    r = stats.paired_seed_comparison(mixed)
    assert r["verdict"].startswith("inconclusive") and r["wins"] == r["losses"] == 5 and not r["every_pair"]
    # two settings of one seed count as one draw
    doubled = [(s, 0.9, 0.8) for s in range(5) for _ in range(2)]
    r = stats.paired_seed_comparison(doubled)
    assert r["n"] == 5 and r["n_pairs"] == 10 and r["sign_p"] == 0.0625


def _images(seed=0, n=40, c=4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, size=(n, 16, 16))
    y[: n // 2][y[: n // 2] == c - 1] = 0  # the last class only in half the images
    good = np.where(rng.random(y.shape) < 0.85, y, rng.integers(0, c, y.shape))
    worse = np.where(rng.random(y.shape) < 0.75, y, rng.integers(0, c, y.shape))
    return y, good, worse


def test_bootstrap_iou_point_values_are_the_dataset_level_reference():
    y, good, _ = _images()
    cms = stats.per_image_confusion_matrices(y, good, num_classes=4)
    r = stats.bootstrap_iou(cms, n_boot=500)
    assert r["mean_iou"] == pytest.approx(M.mean_iou(y, good, num_classes=4), abs=1e-12)
    np.testing.assert_allclose(r["per_class_iou"], M.per_class_iou(y, good, num_classes=4), atol=1e-12)
    lo, hi = r["mean_iou_ci"]
    assert lo < r["mean_iou"] < hi and hi - lo < 0.1
    assert np.all(r["per_class_ci"][:, 0] <= r["per_class_iou"]) and np.all(
        r["per_class_iou"] <= r["per_class_ci"][:, 1]
    )


def test_bootstrap_iou_interval_narrows_with_more_images():
    widths = []
    for n in (20, 320):
        y, good, _ = _images(n=n)
        lo, hi = stats.bootstrap_iou(stats.per_image_confusion_matrices(y, good, num_classes=4))["mean_iou_ci"]
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 2.5  # about 1/sqrt(16) = 1/4


def test_paired_bootstrap_is_zero_for_one_model_and_narrower_than_separate_intervals():
    y, good, worse = _images(seed=1)
    a = stats.per_image_confusion_matrices(y, good, num_classes=4)
    b = stats.per_image_confusion_matrices(y, worse, num_classes=4)
    same = stats.paired_bootstrap_iou(a, a, n_boot=300)
    assert same["difference"] == 0 and same["ci"] == (0.0, 0.0) and same["verdict"].startswith("inconclusive")
    r = stats.paired_bootstrap_iou(a, b)
    want = M.mean_iou(y, good, num_classes=4) - M.mean_iou(y, worse, num_classes=4)
    assert r["difference"] == pytest.approx(want, abs=1e-12) and r["verdict"] == "A higher than B"
    lo_a, hi_a = stats.bootstrap_iou(a)["mean_iou_ci"]
    lo_b, hi_b = stats.bootstrap_iou(b)["mean_iou_ci"]
    assert r["ci"][1] - r["ci"][0] < (hi_a - lo_a) + (hi_b - lo_b)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: stats.bootstrap_iou(np.ones((5, 2, 3), int)), r"\(N, C, C\)"),
        (lambda: stats.bootstrap_iou(np.ones((1, 2, 2), int)), "N >= 2"),
        (lambda: stats.bootstrap_iou(np.ones((5, 2, 2))), "integer"),
        (lambda: stats.bootstrap_iou(np.ones((5, 2, 2), int), confidence=95), "confidence"),
        (lambda: stats.paired_bootstrap_iou(np.ones((5, 2, 2), int), np.ones((6, 2, 2), int)), "same images"),
        (lambda: stats.clopper_pearson(9, 8), r"k must be in \[0, 8\]"),
        (lambda: stats.sign_test(-1, 2), "wins"),
    ],
)
def test_bad_input_names_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("seed", range(5))
def test_permutation_test_matches_scipy_exact(seed):
    d = np.random.default_rng(seed).normal(0.02, 0.05, size=9)
    want = scipy_stats.permutation_test(
        (d,), np.mean, permutation_type="samples", n_resamples=np.inf, alternative="two-sided"
    ).pvalue
    assert stats.permutation_test(d) == pytest.approx(want, abs=6e-5)


def test_holm_adjusts_in_input_order_and_caps_at_one():
    assert stats.holm([0.01, 0.04, 0.03]) == [0.03, 0.06, 0.06]
    assert stats.holm([0.5, 0.6]) == [1.0, 1.0]
    with pytest.raises(ValueError, match="1 to 20"):
        stats.permutation_test(np.ones(21))


def test_verdict_is_weak_when_only_the_interval_excludes_zero():
    assert stats.verdict((0.01, 0.2), p=0.01, first="A", second="B") == "A higher than B"
    assert stats.verdict((-0.2, -0.01), p=0.2, first="A", second="B").startswith("weak: A lower than B")
    assert stats.verdict((-0.2, 0.01), p=0.001).startswith("inconclusive")
