"""helpers.plotting: runs drawn honestly (shared 0-1 IoU axis, continued runs, run colours), galleries; the lesson
figures of helpers.course.figures (push maps, seed studies); the old paths of the names that moved."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from helpers import plotting as P
from helpers.course import figures
from helpers.course.data import CLASS_NAMES
from helpers.report import gallery_indices


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


def test_iou_panels_share_one_0_1_axis_by_default():
    fig = P.plot_history({"a": _hist(4), "b": _hist(4)}, metrics=("loss", "mean_iou", "accuracy", "question_mean_iou"))
    _png(fig)
    loss_ax, iou_ax, acc_ax, question_ax = fig.axes
    assert tuple(iou_ax.get_ylim()) == (0.0, 1.0) == tuple(question_ax.get_ylim())  # a flat metric looks flat
    assert iou_ax.get_shared_y_axes().joined(iou_ax, question_ax)
    assert acc_ax.get_ylim()[0] > 0.5 and loss_ax.get_ylim() != (0.0, 1.0)  # others autoscale
    auto = P.plot_history({"a": _hist(4)}, metrics=("mean_iou", "question_mean_iou"), unit_metrics=())
    assert auto.axes[1].get_ylim()[1] - auto.axes[1].get_ylim()[0] < 0.1  # the wild-looking autoscale
    chosen = P.plot_history({"a": _hist(4)}, metrics=("accuracy", "mean_iou"), unit_metrics=("accuracy",))
    assert tuple(chosen.axes[0].get_ylim()) == (0.0, 1.0) and tuple(chosen.axes[1].get_ylim()) != (0.0, 1.0)
    with pytest.raises(ValueError, match="not in metrics"):
        P.plot_history({"a": _hist(4)}, metrics=("loss",), unit_metrics=("mean_iou",))
    with pytest.raises(ValueError, match="unit_metrics"):
        P.plot_history({"a": _hist(4)}, unit_metrics="all")


def test_a_run_that_continues_another_is_drawn_after_it():
    runs = {"(b) CE": _hist(4), "(e) Lovász from (b)": _hist(3, 0.8, 0.85)}
    fig = P.plot_history(runs, metrics=("mean_iou",), continues={"(e) Lovász from (b)": "(b) CE"}, val=False)
    _png(fig)
    lines = fig.axes[0].lines
    b_line, link, e_line = lines
    assert b_line.get_xdata().tolist() == [1, 2, 3, 4]
    assert e_line.get_xdata().tolist() == [5, 6, 7]
    assert link.get_linestyle() == ":" and link.get_xdata().tolist() == [4, 5]
    assert link.get_ydata().tolist() == [pytest.approx(0.8), pytest.approx(0.8)]
    shifted = P.plot_history(runs, metrics=("loss",), start_epoch={"(e) Lovász from (b)": 11})
    assert [ln.get_xdata()[0] for ln in shifted.axes[0].lines] == [1, 1, 11, 11]  # train and val of each
    every = P.plot_history({"x": _hist(2)}, metrics=("loss",), start_epoch=3, val=False)
    assert every.axes[0].lines[0].get_xdata().tolist() == [3, 4]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"continues": {"(e)": "(z)"}}, "not a run"),
        ({"continues": {"(z)": "(b)"}}, "not in histories"),
        ({"start_epoch": {"(e)": 0}}, "int >= 1"),
        ({"start_epoch": {"(e)": 3}, "continues": {"(e)": "(b)"}}, "both"),
        ({"continues": {"(e)": "(b)", "(b)": "(e)"}}, "cycle"),
    ],
)
def test_continues_and_start_epoch_reject_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.plot_history({"(b)": _hist(2), "(e)": _hist(2)}, metrics=("loss",), **kwargs)


def test_run_colours_are_never_class_colours():
    classes = {to_rgb(c) for c in P.CLASS_COLORS}
    assert not classes & {to_rgb(c) for c in P.RUN_COLORS}
    runs = {f"recipe {k}": np.linspace(0.2, 0.9, 5) for k in "abcde"}
    fig = P.plot_per_class_iou(runs, class_names=CLASS_NAMES)
    _png(fig)
    bar_colours = {to_rgb(b.get_facecolor()) for b in fig.axes[0].patches}
    assert len(bar_colours) == 5 and not bar_colours & classes
    hatches = {b.get_hatch() for b in fig.axes[0].patches}
    assert len(hatches) == 5  # a second cue besides the colour


def test_gallery_indices_are_non_empty_and_spread_over_the_iou_range():
    t = np.zeros((12, 8, 8), int)
    t[1:, 2:6, 2:6] = 1 + np.arange(11)[:, None, None] % 4  # image 0: background only
    p = t.copy()
    for i in range(1, 12):  # image i: i - 1 wrong object pixels, so IoU falls with i
        rows, cols = np.nonzero(t[i] > 0)
        k = i - 1
        p[i, rows[:k], cols[:k]] = 0
    picks = gallery_indices(t, p, n=4)
    assert 0 not in picks and len(picks) == 4 and len(set(picks)) == 4
    ious = [np.mean((p[i] == t[i])[t[i] > 0]) for i in picks]
    assert ious == sorted(ious) and ious[0] < 0.6 and ious[-1] > 0.8  # poor ... good
    assert 0 not in gallery_indices(t, n=4)
    assert gallery_indices(t[:3], p[:3], n=4) == [2, 1]  # fewer candidates than n: all of them
    with pytest.raises(ValueError, match="background only"):
        gallery_indices(np.zeros((2, 4, 4), int))
    with pytest.raises(ValueError, match="positive int"):
        gallery_indices(t, n=0)


def test_show_masks_draws_exact_class_colours_next_to_the_image_by_default():
    image = np.full((6, 6, 3), [1.0, 0.9, 0.0])  # a yellow photo: blue over it would read as green
    t = np.zeros((6, 6), int)
    t[1:4, 1:4] = 2  # square, sky blue
    fig = P.show_masks(image, t, t)
    _png(fig)
    truth_panel = fig.axes[1].images[0].get_array()
    assert tuple(np.asarray(truth_panel[2, 2])[:3]) == pytest.approx(to_rgb(P.CLASS_COLORS[2]))


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


def test_gallery_indices_follow_the_input_policy():
    t = np.zeros((3, 4, 4), int)
    t[1, :2, :2] = 1
    with pytest.raises(ValueError, match=r"astype\(int\)"):
        gallery_indices(t.astype(float))
    t[2, 0, 0] = 7  # a label that is no class: listed, not skipped silently
    with pytest.raises(ValueError, match="outside"):
        gallery_indices(t)
    assert gallery_indices(t, num_classes=8) == [1, 2]


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


@pytest.mark.parametrize(
    "name, new",
    [
        ("gallery_indices", "helpers.report"),
        ("plot_loss_push", "helpers.course.figures"),
        ("plot_seed_study", "helpers.course.figures"),
    ],
)
def test_moved_names_keep_working_from_helpers_plotting_for_one_release(name, new):
    import importlib

    with pytest.warns(DeprecationWarning, match=rf"helpers\.plotting\.{name} moved to {new}\.{name}"):
        old = getattr(P, name)
    assert old is getattr(importlib.import_module(new), name)
    with pytest.warns(DeprecationWarning):
        exec(f"from helpers.plotting import {name}", {})
    assert name not in P.__all__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        P.nope  # noqa: B018
