"""helpers.course.figures: the lesson-only figures (notebook 04's push maps, notebook 05's seed study)."""

import io

import numpy as np
import pytest

from helpers.course import figures
from helpers.course.data import CLASS_NAMES


def _png(fig):
    fig.savefig(io.BytesIO(), format="png")


def _hist(n, start=0.3, stop=0.8):
    return {
        "loss": list(np.linspace(1.0, 0.3, n)),
        "val_loss": list(np.linspace(1.1, 0.4, n)),
        "mean_iou": list(np.linspace(start, stop, n)),
        "question_mean_iou": [0.678, 0.681, 0.679, 0.680][:n],
        "accuracy": list(np.linspace(0.95, 0.97, n)),
    }


def test_plot_loss_push():
    t = np.zeros((8, 8), int)
    t[2:5, 2:5] = 1
    t[7, :] = 4
    p = np.roll(t, 1, axis=1)
    g = np.random.default_rng(0).normal(size=(8, 8, 5))
    push = figures.plot_loss_push
    fig = push(t, p, {"pooled": g, "per-class": 2 * g}, focus_loss="per-class", focus_class=4, class_names=CLASS_NAMES)
    _png(fig)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "truth" and titles[1].startswith("prediction (argmax)\nmean IoU")
    assert any("'line'" in s and "per-class" in s for s in titles)
    with pytest.raises(ValueError, match="focus_loss"):
        push(t, p, {"pooled": g}, focus_loss="x", focus_class=4, class_names=CLASS_NAMES)
    with pytest.raises(ValueError, match=r"\(H, W, C\)"):
        push(t, p, {"pooled": g[..., :3]}, focus_loss="pooled", focus_class=4, class_names=CLASS_NAMES)
    with pytest.raises(ValueError, match=r"float dtype.*astype\(int\)"):
        push(t.astype(float), p, {"pooled": g}, focus_loss="pooled", focus_class=4)
    # without names: one "class k" per logit, in the class colours
    plain = push(t, p, {"pooled": g}, focus_loss="pooled", focus_class=4)
    assert plain.axes[3].get_title() == "−∂ loss / ∂ logit of 'class 4'\n(pooled)"
    assert [x.get_text() for x in plain.legends[0].get_texts()] == [f"class {k}" for k in range(5)]


def test_plot_seed_study_draws_every_run_and_the_live_one():
    fig = figures.plot_seed_study(
        {"a": [0.8, 0.85, 0.9], "b": [0.9, 0.91]},
        labels={"a": "(a)"},
        live={"b": 0.95},
        settings={"a": ["x", "y", "x"]},
    )
    _png(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["(a)", "b"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y", "run", "mean", "this notebook's run"]


def test_the_lesson_figures_describe_what_they_draw():
    fig = figures.plot_seed_study({"a": [0.8, 0.9], "b": [0.7, 0.75]}, labels={"a": "A"}, live={"a": 0.85})
    assert fig.describe() == (
        "Seed study: mean IoU of every run, one column of dots per recipe. A: 2 runs from 0.800 to 0.900, "
        "this notebook's run 0.850; b: 2 runs from 0.700 to 0.750."
    )
    t = np.zeros((6, 6), int)
    t[1:4, 1:4] = 1
    g = np.random.default_rng(0).normal(size=(6, 6, 2))
    alt = figures.plot_loss_push(t, t, {"L": g}, focus_loss="L", focus_class=1).describe()
    assert "4 panels" in alt and "mean IoU 1.000" in alt and "logit of 'class 1'" in alt
