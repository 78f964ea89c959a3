"""helpers.course.scenarios: the lessons' toy masks and the numbers read off them, against hand-computed values."""

from fractions import Fraction

import numpy as np
import pytest

from helpers.course import scenarios as S
from helpers.metrics import mean_iou


# ---------------------------------------------------------------------------------------------
# toy shapes, IoU and Dice
# ---------------------------------------------------------------------------------------------
def test_toy_square_is_exactly_placed():
    m = S.toy_shape_mask("square", cx=5, cy=4, size=4, grid=10)
    assert m.dtype == bool and m.shape == (10, 10)
    rows, cols = np.nonzero(m)
    assert m.sum() == 16
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (2, 5, 3, 6)
    # odd size: centred exactly
    rows, cols = np.nonzero(S.toy_shape_mask("square", 5, 5, 3, grid=10))
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (4, 6, 4, 6)
    # cut off at the border: rows/cols -2..1 -> 2 x 2 inside
    assert S.toy_shape_mask("square", 0, 0, 4, grid=10).sum() == 4
    assert S.toy_shape_mask("rectangle", 5, 5, (3, 2), grid=(8, 12)).shape == (8, 12)
    assert S.toy_shape_mask("rectangle", 5, 5, (3, 2), grid=10).sum() == 6
    assert S.toy_shape_mask("square", 5, 5, 0, grid=10).sum() == 0


@pytest.mark.parametrize("diameter, area", [(1, 1), (3, 9), (5, 21), (2, 5)])
def test_toy_disc_area(diameter, area):
    # d=3: r^2 = 2.25 keeps the 3x3 block; d=5: r^2 = 6.25 drops the 4 corners of the 5x5 block;
    # d=2: r^2 = 1 keeps the centre and its 4 neighbours
    assert S.toy_shape_mask("disc", 10, 10, diameter, grid=20).sum() == area


def test_toy_shape_rejects_bad_input():
    with pytest.raises(ValueError, match="kind"):
        S.toy_shape_mask("circle", 1, 1, 3)
    with pytest.raises(ValueError, match="size"):
        S.toy_shape_mask("square", 1, 1, -3)
    with pytest.raises(ValueError, match="int"):
        S.toy_shape_mask("square", 1.5, 1, 3)


def test_iou_dice_of_squares_offset_by_two():
    a = S.toy_shape_mask("square", 5, 5, 4, grid=12)
    b = S.toy_shape_mask("square", 7, 5, 4, grid=12)
    s = S.iou_dice_stats(a, b)
    assert s == {
        "size_a": 16,
        "size_b": 16,
        "intersection": 8,
        "union": 24,
        "iou": pytest.approx(1 / 3),
        "dice": pytest.approx(0.5),
    }
    # diagonal offset (2, 2): 2x2 = 4 shared pixels, union 28
    s = S.iou_dice_stats(a, S.toy_shape_mask("square", 7, 7, 4, grid=12))
    assert (s["intersection"], s["union"]) == (4, 28)
    assert s["iou"] == pytest.approx(1 / 7) and s["dice"] == pytest.approx(8 / 32)
    # B inside A: 2x2 in 4x4
    s = S.iou_dice_stats(a, S.toy_shape_mask("square", 5, 5, 2, grid=12))
    assert s["iou"] == pytest.approx(4 / 16) and s["dice"] == pytest.approx(8 / 20)


def test_iou_dice_edge_cases():
    a = S.toy_shape_mask("disc", 5, 5, 5, grid=12)
    same = S.iou_dice_stats(a, a)
    assert same["iou"] == 1.0 and same["dice"] == 1.0
    apart = S.iou_dice_stats(a, S.toy_shape_mask("disc", 0, 11, 1, grid=12))
    assert apart["iou"] == 0.0 and apart["dice"] == 0.0 and apart["union"] == 22
    empty = np.zeros((3, 3), bool)
    both_empty = S.iou_dice_stats(empty, empty)
    assert np.isnan(both_empty["iou"]) and np.isnan(both_empty["dice"])
    with pytest.raises(ValueError, match="same shape"):
        S.iou_dice_stats(empty, np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match="labels == k"):
        S.iou_dice_stats(np.full((3, 3), 2), empty)


def test_dice_is_a_function_of_iou():
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b = rng.random((2, 9, 9)) < 0.4
        s = S.iou_dice_stats(a, b)
        assert s["dice"] == pytest.approx(2 * s["iou"] / (1 + s["iou"]))


# ---------------------------------------------------------------------------------------------
# class imbalance
# ---------------------------------------------------------------------------------------------
def _disc_errors():
    t, p = S.imbalance_scenario(S.IMBALANCE_MAX_SIZE, 0.0)
    return int(((t == 1) != (p == 1)).sum())


@pytest.mark.parametrize("size, degrade", [(28, 0.0), (28, 0.5), (28, 1.0), (5, 0.3), (1, 0.5), (12, 0.25)])
def test_imbalance_scenario_line_iou_and_accuracy(size, degrade):
    y_true, y_pred = S.imbalance_scenario(size, degrade)
    assert y_true.shape == y_pred.shape == (64, 64)
    n = 2 * size
    missed = round(degrade * n)
    s = S.imbalance_stats(y_true, y_pred)
    assert (y_true == 4).sum() == n
    assert s["per_class_iou"][4] == pytest.approx((n - missed) / n)
    # the square is shifted one row: 20 pixels lost, 20 gained -> IoU 380 / 420
    assert s["per_class_iou"][2] == pytest.approx(380 / 420)
    assert s["per_class_iou"][3] == 1.0
    wrong = _disc_errors() + 40 + missed
    assert s["pixel_accuracy"] == pytest.approx(1 - wrong / 4096)
    assert s["mean_iou"] == pytest.approx(np.mean(s["per_class_iou"]))
    assert s["class_share"][4] == pytest.approx(n / 4096)
    assert s["class_share"].sum() == pytest.approx(1.0)


def test_imbalance_accuracy_stays_high_while_mean_iou_falls():
    good = S.imbalance_stats(*S.imbalance_scenario(28, 0.0))
    bad = S.imbalance_stats(*S.imbalance_scenario(28, 1.0))
    assert bad["pixel_accuracy"] > 0.96 and good["pixel_accuracy"] - bad["pixel_accuracy"] < 0.015
    assert good["mean_iou"] - bad["mean_iou"] > 0.19  # one class in five went from 1 to 0
    absent = S.imbalance_stats(*S.imbalance_scenario(0, 0.5))
    assert np.isnan(absent["per_class_iou"][4])


def test_imbalance_rejects_bad_input():
    with pytest.raises(ValueError, match="small_class_size"):
        S.imbalance_scenario(29, 0.0)
    with pytest.raises(ValueError, match="degrade"):
        S.imbalance_scenario(10, 1.5)


# ---------------------------------------------------------------------------------------------
# conventions for absent classes
# ---------------------------------------------------------------------------------------------
# Hand computation for convention_batch() (3 images of 6 x 6, classes 0..4, "line" nowhere):
#   image 0: background 30/32, disc 4/6, square/triangle/line absent
#   image 1: background 26/27, disc 0/1 (one false pixel), square 9/9, triangle/line absent
#   image 2: background 32/36, triangle 0/4, disc/square/line absent
#   dataset: background 88/95, disc 4/7, square 1, triangle 0, line absent
F = Fraction
DATASET = [F(88, 95), F(4, 7), F(1), F(0)]
IMAGES = [[F(30, 32), F(4, 6)], [F(26, 27), F(0), F(1)], [F(32, 36), F(0)]]
EXPECTED = {
    ("exclude", "dataset"): sum(DATASET) / 4,
    ("zero", "dataset"): sum(DATASET) / 5,
    ("one", "dataset"): (sum(DATASET) + 1) / 5,
    ("exclude", "per_image"): sum(sum(r) / len(r) for r in IMAGES) / 3,
    ("zero", "per_image"): sum(sum(r) / 5 for r in IMAGES) / 3,
    ("one", "per_image"): sum((sum(r) + 5 - len(r)) / 5 for r in IMAGES) / 3,
}


def test_convention_batch_has_absent_classes():
    y_true, y_pred = S.convention_batch()
    assert y_true.shape == y_pred.shape == (3, 6, 6)
    assert not (y_true == 4).any() and not (y_pred == 4).any()
    for t, p in zip(y_true, y_pred):
        present = set(np.unique(t)) | set(np.unique(p))
        assert len(present) < 5


@pytest.mark.parametrize("absent, level", sorted(EXPECTED))
def test_convention_mean_iou_hand_computed(absent, level):
    y_true, y_pred = S.convention_batch()
    assert S.convention_mean_iou(y_true, y_pred, absent=absent, level=level) == pytest.approx(
        float(EXPECTED[(absent, level)])
    )


def test_convention_exclude_matches_helpers_metrics():
    y_true, y_pred = S.convention_batch()
    assert S.convention_mean_iou(y_true, y_pred, absent="exclude", level="dataset") == pytest.approx(
        mean_iou(y_true, y_pred, num_classes=5)
    )
    assert S.convention_mean_iou(y_true, y_pred, absent="exclude", level="per_image") == pytest.approx(
        mean_iou(y_true, y_pred, num_classes=5, per_image=True)
    )
    raw = S.convention_per_class_iou(y_true, y_pred, level="per_image")
    assert raw.shape == (3, 5) and np.isnan(raw).sum() == 3 + 2 + 3
    # the six numbers are all different: the convention matters
    assert len({round(float(v), 6) for v in EXPECTED.values()}) == 6


def test_convention_rejects_bad_input():
    y_true, y_pred = S.convention_batch()
    with pytest.raises(ValueError, match="absent"):
        S.convention_mean_iou(y_true, y_pred, absent="nan")
    with pytest.raises(ValueError, match="level"):
        S.convention_mean_iou(y_true, y_pred, absent="zero", level="batch")


# ---------------------------------------------------------------------------------------------
# soft versus hard IoU: the sharpness toy (notebook 04)
# ---------------------------------------------------------------------------------------------
def test_sharpness_toy_is_fixed_and_has_every_class():
    y_true, logits = S.sharpness_toy()
    g = S.SHARPNESS_GRID
    assert y_true.shape == (g, g) and logits.shape == (g, g, 5)
    assert set(np.unique(y_true)) == set(range(5))  # so both present-class conventions agree
    y2, l2 = S.sharpness_toy()
    np.testing.assert_array_equal(y_true, y2)
    np.testing.assert_array_equal(logits, l2)
    # the winning logit leads the runner-up by at least 0.5 everywhere
    ranked = np.sort(logits, axis=-1)
    assert (ranked[..., -1] - ranked[..., -2]).min() >= 0.5 - 1e-12
    # a decent but imperfect argmax
    hard = mean_iou(y_true, logits.argmax(-1), num_classes=5)
    assert 0.7 < hard < 0.95


def test_sharpness_probs():
    p = S.sharpness_probs(1.0)
    np.testing.assert_allclose(p.sum(-1), 1.0)
    _, logits = S.sharpness_toy()
    for t in (0.05, 0.3, 5.0):
        pt = S.sharpness_probs(t)
        assert (pt.argmax(-1) == logits.argmax(-1)).all()  # the temperature never changes the argmax
    assert S.sharpness_probs(0.05).max(-1).min() > 0.99
    assert S.sharpness_probs(1e6).std() < 1e-5  # flat: uniform
    for bad in (0, -1, float("nan"), "hot"):
        with pytest.raises(ValueError, match="temperature"):
            S.sharpness_probs(bad)


def test_sharpness_soft_iou_approaches_hard_iou_as_t_goes_to_zero():
    curve = S.sharpness_curve(np.logspace(np.log10(0.05), np.log10(5), 201))
    hard = curve["hard_iou"]
    assert np.ptp(hard) == 0.0  # the hard IoU does not depend on T
    gap = curve["gap"]
    assert np.all(gap >= 0)  # on the toy the soft IoU never exceeds the hard one
    assert np.all(np.diff(gap) > 0)  # and the gap shrinks monotonically as T falls
    assert gap[0] < 1e-5 and gap[-1] > 0.5
    assert S.sharpness_stats(1.0)["gap"] > 0.2
    # Dice and the pooled IoU converge too, but to their own hard values, not to the mean IoU
    s = S.sharpness_stats(0.01)
    assert s["soft_dice"] > s["hard_iou"] + 0.05 and s["pooled_soft_iou"] > s["hard_iou"] + 0.05
    y_true, logits = S.sharpness_toy()
    pred = logits.argmax(-1)
    acc = (pred == y_true).mean()
    n = y_true.size
    assert s["pooled_soft_iou"] == pytest.approx((acc * n + 1) / (2 * n - acc * n + 1), abs=1e-9)


@pytest.mark.parametrize("t", [0.05, 0.2, 1.0, 3.0])
def test_sharpness_stats_equal_the_tf_losses(t):
    tf = pytest.importorskip("tensorflow")
    from helpers.course import buggy
    from helpers.keras import losses as L

    y_true, _ = S.sharpness_toy()
    s = S.sharpness_stats(t)
    y = tf.one_hot(y_true, 5, dtype=tf.float64)
    p = tf.constant(S.sharpness_probs(t))
    assert s["soft_iou"] == pytest.approx(1 - float(L.soft_jaccard_loss(y, p)), abs=1e-9)
    assert s["soft_dice"] == pytest.approx(1 - float(L.soft_dice_loss(y, p)), abs=1e-9)
    assert s["pooled_soft_iou"] == pytest.approx(1 - float(L.soft_jaccard_loss(y, p, pooled=True)), abs=1e-9)
    assert s["pooled_soft_iou"] == pytest.approx(1 - float(buggy.iou_loss(y, p)), abs=1e-5)  # float32 inside
    assert s["hard_iou"] == pytest.approx(mean_iou(y_true, S.sharpness_probs(t).argmax(-1), num_classes=5))
    assert s["gap"] == pytest.approx(s["hard_iou"] - s["soft_iou"])
    assert np.nanmean(s["per_class_soft_iou"]) == pytest.approx(s["soft_iou"])


def test_sharpness_stats_custom_input_and_errors():
    y = np.array([[0, 0], [1, 1]])
    logits = np.array([[[2.0, 0.0], [0.0, 2.0]], [[0.0, 2.0], [0.0, 2.0]]])
    s = S.sharpness_stats(1e-3, y_true=y, logits=logits)
    assert s["hard_iou"] == pytest.approx(np.mean([1 / 2, 2 / 3]))
    assert s["soft_iou"] == pytest.approx(s["hard_iou"], abs=1e-9)
    with pytest.raises(ValueError, match="both"):
        S.sharpness_stats(1.0, y_true=y)
    with pytest.raises(ValueError, match="shapes"):
        S.sharpness_stats(1.0, y_true=y, logits=logits[0])
