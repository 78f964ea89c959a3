"""helpers.course.widgets: the explorers driven headlessly (set a control's value, read the readout), without a
frontend and without printing; their numbers come from helpers.course.scenarios (tests/test_scenarios.py)."""

import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from test_scenarios import EXPECTED  # the convention batch's values, computed by hand there

from helpers.course import widgets as W
from helpers.course.data import CLASS_NAMES

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
# the sharpness explorer (notebook 04)
# ---------------------------------------------------------------------------------------------
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


@pytest.mark.parametrize(
    "make, words",
    [
        (W.iou_explorer_static, ("5 panels", "IoU = 1.000", "IoU = 0.000")),
        (W.imbalance_explorer_static, ("pixel accuracy 0.9", "mean IoU 0.7")),
        (W.convention_explorer_static, ("six mean IoUs", "counted as 0")),
        (W.sharpness_explorer_static, ("T = 0.1: soft IoU", "hard IoU of")),
    ],
)
def test_static_fallbacks_describe_their_lesson_in_the_alt_text(make, words):
    alt = make().describe()
    assert all(w in alt for w in words), alt
