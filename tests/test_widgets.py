"""helpers.course.widgets: the pure functions against hand-computed values, and the explorers driven headlessly
(set a control's value, read the readout), without a frontend and without printing."""

import re
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.course import widgets as W
from helpers.course.data import CLASS_NAMES
from helpers.metrics import mean_iou

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before, "a helper left a pyplot figure open"


def cell(readout_html: str, key: str) -> str:
    """Text of the readout cell ``<td class="iou-lab-KEY" ...>TEXT</td>``."""
    m = re.search(r"""class=["']iou-lab-""" + re.escape(key) + r"""["'][^>]*>([^<]*)<""", readout_html)
    assert m, f"no cell iou-lab-{key} in readout"
    return m.group(1)


# ---------------------------------------------------------------------------------------------
# toy shapes, IoU and Dice
# ---------------------------------------------------------------------------------------------
def test_toy_square_is_exactly_placed():
    m = W.toy_shape_mask("square", cx=5, cy=4, size=4, grid=10)
    assert m.dtype == bool and m.shape == (10, 10)
    rows, cols = np.nonzero(m)
    assert m.sum() == 16
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (2, 5, 3, 6)
    # odd size: centred exactly
    rows, cols = np.nonzero(W.toy_shape_mask("square", 5, 5, 3, grid=10))
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (4, 6, 4, 6)
    # cut off at the border: rows/cols -2..1 -> 2 x 2 inside
    assert W.toy_shape_mask("square", 0, 0, 4, grid=10).sum() == 4
    assert W.toy_shape_mask("rectangle", 5, 5, (3, 2), grid=(8, 12)).shape == (8, 12)
    assert W.toy_shape_mask("rectangle", 5, 5, (3, 2), grid=10).sum() == 6
    assert W.toy_shape_mask("square", 5, 5, 0, grid=10).sum() == 0


@pytest.mark.parametrize("diameter, area", [(1, 1), (3, 9), (5, 21), (2, 5)])
def test_toy_disc_area(diameter, area):
    # d=3: r^2 = 2.25 keeps the 3x3 block; d=5: r^2 = 6.25 drops the 4 corners of the 5x5 block;
    # d=2: r^2 = 1 keeps the centre and its 4 neighbours
    assert W.toy_shape_mask("disc", 10, 10, diameter, grid=20).sum() == area


def test_toy_shape_rejects_bad_input():
    with pytest.raises(ValueError, match="kind"):
        W.toy_shape_mask("circle", 1, 1, 3)
    with pytest.raises(ValueError, match="size"):
        W.toy_shape_mask("square", 1, 1, -3)
    with pytest.raises(ValueError, match="int"):
        W.toy_shape_mask("square", 1.5, 1, 3)


def test_iou_dice_of_squares_offset_by_two():
    a = W.toy_shape_mask("square", 5, 5, 4, grid=12)
    b = W.toy_shape_mask("square", 7, 5, 4, grid=12)
    s = W.iou_dice_stats(a, b)
    assert s == {
        "size_a": 16,
        "size_b": 16,
        "intersection": 8,
        "union": 24,
        "iou": pytest.approx(1 / 3),
        "dice": pytest.approx(0.5),
    }
    # diagonal offset (2, 2): 2x2 = 4 shared pixels, union 28
    s = W.iou_dice_stats(a, W.toy_shape_mask("square", 7, 7, 4, grid=12))
    assert (s["intersection"], s["union"]) == (4, 28)
    assert s["iou"] == pytest.approx(1 / 7) and s["dice"] == pytest.approx(8 / 32)
    # B inside A: 2x2 in 4x4
    s = W.iou_dice_stats(a, W.toy_shape_mask("square", 5, 5, 2, grid=12))
    assert s["iou"] == pytest.approx(4 / 16) and s["dice"] == pytest.approx(8 / 20)


def test_iou_dice_edge_cases():
    a = W.toy_shape_mask("disc", 5, 5, 5, grid=12)
    same = W.iou_dice_stats(a, a)
    assert same["iou"] == 1.0 and same["dice"] == 1.0
    apart = W.iou_dice_stats(a, W.toy_shape_mask("disc", 0, 11, 1, grid=12))
    assert apart["iou"] == 0.0 and apart["dice"] == 0.0 and apart["union"] == 22
    empty = np.zeros((3, 3), bool)
    both_empty = W.iou_dice_stats(empty, empty)
    assert np.isnan(both_empty["iou"]) and np.isnan(both_empty["dice"])
    with pytest.raises(ValueError, match="same shape"):
        W.iou_dice_stats(empty, np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match="labels == k"):
        W.iou_dice_stats(np.full((3, 3), 2), empty)


def test_dice_is_a_function_of_iou():
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b = rng.random((2, 9, 9)) < 0.4
        s = W.iou_dice_stats(a, b)
        assert s["dice"] == pytest.approx(2 * s["iou"] / (1 + s["iou"]))


# ---------------------------------------------------------------------------------------------
# class imbalance
# ---------------------------------------------------------------------------------------------
def _disc_errors():
    t, p = W.imbalance_scenario(W.IMBALANCE_MAX_SIZE, 0.0)
    return int(((t == 1) != (p == 1)).sum())


@pytest.mark.parametrize("size, degrade", [(28, 0.0), (28, 0.5), (28, 1.0), (5, 0.3), (1, 0.5), (12, 0.25)])
def test_imbalance_scenario_line_iou_and_accuracy(size, degrade):
    y_true, y_pred = W.imbalance_scenario(size, degrade)
    assert y_true.shape == y_pred.shape == (64, 64)
    n = 2 * size
    missed = round(degrade * n)
    s = W.imbalance_stats(y_true, y_pred)
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
    good = W.imbalance_stats(*W.imbalance_scenario(28, 0.0))
    bad = W.imbalance_stats(*W.imbalance_scenario(28, 1.0))
    assert bad["pixel_accuracy"] > 0.96 and good["pixel_accuracy"] - bad["pixel_accuracy"] < 0.015
    assert good["mean_iou"] - bad["mean_iou"] > 0.19  # one class in five went from 1 to 0
    absent = W.imbalance_stats(*W.imbalance_scenario(0, 0.5))
    assert np.isnan(absent["per_class_iou"][4])


def test_imbalance_rejects_bad_input():
    with pytest.raises(ValueError, match="small_class_size"):
        W.imbalance_scenario(29, 0.0)
    with pytest.raises(ValueError, match="degrade"):
        W.imbalance_scenario(10, 1.5)


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
    y_true, y_pred = W.convention_batch()
    assert y_true.shape == y_pred.shape == (3, 6, 6)
    assert not (y_true == 4).any() and not (y_pred == 4).any()
    for t, p in zip(y_true, y_pred):
        present = set(np.unique(t)) | set(np.unique(p))
        assert len(present) < 5


@pytest.mark.parametrize("absent, level", sorted(EXPECTED))
def test_convention_mean_iou_hand_computed(absent, level):
    y_true, y_pred = W.convention_batch()
    assert W.convention_mean_iou(y_true, y_pred, absent=absent, level=level) == pytest.approx(
        float(EXPECTED[(absent, level)])
    )


def test_convention_exclude_matches_helpers_metrics():
    y_true, y_pred = W.convention_batch()
    assert W.convention_mean_iou(y_true, y_pred, absent="exclude", level="dataset") == pytest.approx(
        mean_iou(y_true, y_pred, num_classes=5)
    )
    assert W.convention_mean_iou(y_true, y_pred, absent="exclude", level="per_image") == pytest.approx(
        mean_iou(y_true, y_pred, num_classes=5, per_image=True)
    )
    raw = W.convention_per_class_iou(y_true, y_pred, level="per_image")
    assert raw.shape == (3, 5) and np.isnan(raw).sum() == 3 + 2 + 3
    # the six numbers are all different: the convention matters
    assert len({round(float(v), 6) for v in EXPECTED.values()}) == 6


def test_convention_rejects_bad_input():
    y_true, y_pred = W.convention_batch()
    with pytest.raises(ValueError, match="absent"):
        W.convention_mean_iou(y_true, y_pred, absent="nan")
    with pytest.raises(ValueError, match="level"):
        W.convention_mean_iou(y_true, y_pred, absent="zero", level="batch")


# ---------------------------------------------------------------------------------------------
# explorers, driven headlessly
# ---------------------------------------------------------------------------------------------
def test_iou_explorer_readout_follows_the_sliders(capsys):
    e = W.iou_explorer()
    assert isinstance(e, ipywidgets.VBox)
    assert "iou-lab-iou-explorer" in e._dom_classes  # for browser tests
    assert set(e.controls) == {"x", "y", "size", "kind"}
    assert isinstance(e.controls["x"], ipywidgets.IntSlider)
    assert isinstance(e.controls["kind"], ipywidgets.ToggleButtons)
    assert isinstance(e.readout, ipywidgets.HTML) and isinstance(e.plot, ipywidgets.Image)
    first_png = bytes(e.plot.value)
    assert first_png.startswith(PNG)
    # A is the 14 x 14 square at (15, 17); B the same square 7 columns right: |A∩B| = 7*14 = 98,
    # |A∪B| = 2*196 - 98 = 294, IoU = 1/3, Dice = 1/2
    e.controls["kind"].value = "square"
    e.controls["size"].value = 14
    e.controls["y"].value = 17
    e.controls["x"].value = 22
    assert e.stats["intersection"] == 98 and e.stats["union"] == 294
    assert cell(e.readout.value, "intersection") == "98"
    assert cell(e.readout.value, "union") == "294"
    assert cell(e.readout.value, "iou") == "0.333"
    assert cell(e.readout.value, "dice") == "0.500"
    assert bytes(e.plot.value).startswith(PNG) and bytes(e.plot.value) != first_png
    # B on top of A
    e.controls["x"].value = 15
    assert cell(e.readout.value, "iou") == "1.000"
    # discs: the readout equals the pure functions
    e.controls["kind"].value = "disc"
    e.controls["size"].value = 9
    e.controls["x"].value = 18
    a, b = W.toy_shape_mask("disc", 15, 17, 14, 40), W.toy_shape_mask("disc", 18, 17, 9, 40)
    expected = W.iou_dice_stats(a, b)
    assert e.stats == expected
    assert cell(e.readout.value, "iou") == f"{expected['iou']:.3f}"
    assert cell(e.readout.value, "size_b") == str(b.sum())
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_imbalance_explorer_readout_follows_the_sliders(capsys):
    e = W.imbalance_explorer()
    assert "iou-lab-imbalance-explorer" in e._dom_classes
    assert set(e.controls) == {"size", "degrade"}
    assert isinstance(e.controls["degrade"], ipywidgets.FloatSlider)
    assert cell(e.readout.value, "iou-4") == "1.000"
    for size, degrade in [(28, 0.5), (28, 1.0), (6, 1.0), (10, 0.25)]:
        e.controls["size"].value = size
        e.controls["degrade"].value = degrade
        s = W.imbalance_stats(*W.imbalance_scenario(size, degrade))
        assert cell(e.readout.value, "pixel_accuracy") == f"{s['pixel_accuracy']:.3f}"
        assert cell(e.readout.value, "mean_iou") == f"{s['mean_iou']:.3f}"
        for k in range(5):
            assert cell(e.readout.value, f"iou-{k}") == f"{s['per_class_iou'][k]:.3f}"
        assert e.stats["mean_iou"] == pytest.approx(s["mean_iou"])
    assert cell(e.readout.value, "iou-4") == "0.750"  # 20 pixels, round(0.25 * 20) = 5 missed: 15/20
    for name in CLASS_NAMES:
        assert name in e.readout.value
    assert bytes(e.plot.value).startswith(PNG)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_convention_explorer_toggles(capsys):
    e = W.convention_explorer()
    assert "iou-lab-convention-explorer" in e._dom_classes
    assert set(e.controls) == {"absent", "level"}
    assert [v for _, v in e.controls["absent"].options] == ["exclude", "zero", "one"]
    assert [v for _, v in e.controls["level"].options] == ["dataset", "per_image"]
    assert bytes(e.plot.value).startswith(PNG)
    for (absent, level), value in EXPECTED.items():
        e.controls["absent"].value = absent
        e.controls["level"].value = level
        assert e.stats["mean_iou"] == pytest.approx(float(value))
        assert cell(e.readout.value, "mean_iou") == f"{float(value):.3f}"
        # all six are shown, whatever is selected
        assert cell(e.readout.value, f"{absent}-{level}") == f"{float(value):.3f}"
    assert "0 (absent)" not in e.readout.value  # last one set was "one"
    e.controls["absent"].value = "zero"
    assert "0 (absent)" in e.readout.value
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_callback_errors_go_to_the_readout_not_stdout(capsys, monkeypatch):
    e = W.iou_explorer()

    def boom(a, b):
        raise RuntimeError("no luck")

    from helpers.course.widgets import iou as iou_module

    monkeypatch.setattr(iou_module, "iou_dice_stats", boom)  # the function the explorer calls
    e.controls["x"].value = 3
    assert "iou-lab-error" in e.readout.value and "no luck" in e.readout.value
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.parametrize(
    "make, n_axes",
    [(W.iou_explorer_static, 5), (W.imbalance_explorer_static, 3), (W.convention_explorer_static, 7)],
)
def test_static_fallbacks(make, n_axes):
    import io

    fig = make()
    assert isinstance(fig, Figure) and hasattr(fig, "_repr_png_")
    assert len(fig.axes) == n_axes
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.getvalue().startswith(PNG)


def test_iou_explorer_static_numbers():
    fig = W.iou_explorer_static()
    titles = [ax.get_title() for ax in fig.axes]
    assert "IoU = 1.000" in titles[0]
    assert "|A∩B| = 0" in titles[-1] and "IoU = 0.000" in titles[-1]


# ---------------------------------------------------------------------------------------------
# soft versus hard IoU: the sharpness toy and its explorer (notebook 04)
# ---------------------------------------------------------------------------------------------
def test_sharpness_toy_is_fixed_and_has_every_class():
    y_true, logits = W.sharpness_toy()
    g = W.SHARPNESS_GRID
    assert y_true.shape == (g, g) and logits.shape == (g, g, 5)
    assert set(np.unique(y_true)) == set(range(5))  # so both present-class conventions agree
    y2, l2 = W.sharpness_toy()
    np.testing.assert_array_equal(y_true, y2)
    np.testing.assert_array_equal(logits, l2)
    # the winning logit leads the runner-up by at least 0.5 everywhere
    ranked = np.sort(logits, axis=-1)
    assert (ranked[..., -1] - ranked[..., -2]).min() >= 0.5 - 1e-12
    # a decent but imperfect argmax
    hard = mean_iou(y_true, logits.argmax(-1), num_classes=5)
    assert 0.7 < hard < 0.95


def test_sharpness_probs():
    p = W.sharpness_probs(1.0)
    np.testing.assert_allclose(p.sum(-1), 1.0)
    _, logits = W.sharpness_toy()
    for t in (0.05, 0.3, 5.0):
        pt = W.sharpness_probs(t)
        assert (pt.argmax(-1) == logits.argmax(-1)).all()  # the temperature never changes the argmax
    assert W.sharpness_probs(0.05).max(-1).min() > 0.99
    assert W.sharpness_probs(1e6).std() < 1e-5  # flat: uniform
    for bad in (0, -1, float("nan"), "hot"):
        with pytest.raises(ValueError, match="temperature"):
            W.sharpness_probs(bad)


def test_sharpness_soft_iou_approaches_hard_iou_as_t_goes_to_zero():
    curve = W.sharpness_curve(np.logspace(np.log10(0.05), np.log10(5), 201))
    hard = curve["hard_iou"]
    assert np.ptp(hard) == 0.0  # the hard IoU does not depend on T
    gap = curve["gap"]
    assert np.all(gap >= 0)  # on the toy the soft IoU never exceeds the hard one
    assert np.all(np.diff(gap) > 0)  # and the gap shrinks monotonically as T falls
    assert gap[0] < 1e-5 and gap[-1] > 0.5
    assert W.sharpness_stats(1.0)["gap"] > 0.2
    # Dice and the pooled IoU converge too, but to their own hard values, not to the mean IoU
    s = W.sharpness_stats(0.01)
    assert s["soft_dice"] > s["hard_iou"] + 0.05 and s["pooled_soft_iou"] > s["hard_iou"] + 0.05
    y_true, logits = W.sharpness_toy()
    pred = logits.argmax(-1)
    acc = (pred == y_true).mean()
    n = y_true.size
    assert s["pooled_soft_iou"] == pytest.approx((acc * n + 1) / (2 * n - acc * n + 1), abs=1e-9)


@pytest.mark.parametrize("t", [0.05, 0.2, 1.0, 3.0])
def test_sharpness_stats_equal_the_tf_losses(t):
    tf = pytest.importorskip("tensorflow")
    from helpers.course import buggy
    from helpers.keras import losses as L

    y_true, _ = W.sharpness_toy()
    s = W.sharpness_stats(t)
    y = tf.one_hot(y_true, 5, dtype=tf.float64)
    p = tf.constant(W.sharpness_probs(t))
    assert s["soft_iou"] == pytest.approx(1 - float(L.soft_jaccard_loss(y, p)), abs=1e-9)
    assert s["soft_dice"] == pytest.approx(1 - float(L.soft_dice_loss(y, p)), abs=1e-9)
    assert s["pooled_soft_iou"] == pytest.approx(1 - float(L.soft_jaccard_loss(y, p, pooled=True)), abs=1e-9)
    assert s["pooled_soft_iou"] == pytest.approx(1 - float(buggy.iou_loss(y, p)), abs=1e-5)  # float32 inside
    assert s["hard_iou"] == pytest.approx(mean_iou(y_true, W.sharpness_probs(t).argmax(-1), num_classes=5))
    assert s["gap"] == pytest.approx(s["hard_iou"] - s["soft_iou"])
    assert np.nanmean(s["per_class_soft_iou"]) == pytest.approx(s["soft_iou"])


def test_sharpness_stats_custom_input_and_errors():
    y = np.array([[0, 0], [1, 1]])
    logits = np.array([[[2.0, 0.0], [0.0, 2.0]], [[0.0, 2.0], [0.0, 2.0]]])
    s = W.sharpness_stats(1e-3, y_true=y, logits=logits)
    assert s["hard_iou"] == pytest.approx(np.mean([1 / 2, 2 / 3]))
    assert s["soft_iou"] == pytest.approx(s["hard_iou"], abs=1e-9)
    with pytest.raises(ValueError, match="both"):
        W.sharpness_stats(1.0, y_true=y)
    with pytest.raises(ValueError, match="shapes"):
        W.sharpness_stats(1.0, y_true=y, logits=logits[0])


def test_sharpness_explorer_readout_follows_the_slider(capsys):
    e = W.sharpness_explorer()
    assert isinstance(e, ipywidgets.VBox)
    assert "iou-lab-sharpness-explorer" in e._dom_classes
    assert set(e.controls) == {"log_temperature", "class"}
    assert isinstance(e.controls["log_temperature"], ipywidgets.FloatSlider)
    assert isinstance(e.controls["class"], ipywidgets.ToggleButtons)
    assert [v for _, v in e.controls["class"].options] == list(range(5))
    assert isinstance(e.readout, ipywidgets.HTML) and isinstance(e.plot, ipywidgets.Image)
    first_png = bytes(e.plot.value)
    assert first_png.startswith(PNG)
    assert e.temperature() == pytest.approx(1.0)
    hard_shown = set()
    for log_t in (-1.3, -0.5, 0.0, 0.3, 0.7):
        e.controls["log_temperature"].value = log_t
        hard_shown.add(cell(e.readout.value, "hard_iou"))
        t = 10.0**log_t
        s = W.sharpness_stats(t)
        assert e.stats["soft_iou"] == pytest.approx(s["soft_iou"])
        for key in ("soft_iou", "hard_iou", "gap", "soft_dice", "pooled_soft_iou"):
            assert cell(e.readout.value, key) == f"{s[key]:.3f}", key
        assert cell(e.readout.value, "temperature") == f"{t:.3g}"
    assert len(hard_shown) == 1  # the hard IoU does not move with T
    png_t = bytes(e.plot.value)
    assert png_t.startswith(PNG) and png_t != first_png
    e.controls["class"].value = 4  # another class's probability map: numbers unchanged, picture new
    assert cell(e.readout.value, "gap") == f"{W.sharpness_stats(10.0**0.7)['gap']:.3f}"
    assert bytes(e.plot.value) != png_t
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_sharpness_explorer_start_values_and_errors(capsys, monkeypatch):
    e = W.sharpness_explorer(temperature=0.1, class_index=4)
    assert e.controls["log_temperature"].value == pytest.approx(-1.0)
    assert e.controls["class"].value == 4
    assert cell(e.readout.value, "gap") == f"{W.sharpness_stats(0.1)['gap']:.3f}"
    with pytest.raises(ValueError, match="temperature"):
        W.sharpness_explorer(temperature=0)
    with pytest.raises(ValueError, match="class_index"):
        W.sharpness_explorer(class_index=5)

    def boom(*args, **kwargs):
        raise RuntimeError("no luck")

    from helpers.course.widgets import sharpness as sharpness_module

    monkeypatch.setattr(sharpness_module, "sharpness_stats", boom)  # the function the explorer calls
    e.controls["log_temperature"].value = 0.5
    assert "iou-lab-error" in e.readout.value and "no luck" in e.readout.value
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_sharpness_explorer_static():
    import io

    fig = W.sharpness_explorer_static()
    assert isinstance(fig, Figure) and hasattr(fig, "_repr_png_")
    assert len(fig.axes) == 5  # three probability maps, the curves and a colour bar
    assert "hard IoU" in fig.axes[3].get_title()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.getvalue().startswith(PNG)
