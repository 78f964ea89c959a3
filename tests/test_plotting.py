"""helpers.plotting: colours of known masks, what each figure shows, errors on bad input."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from helpers import plotting as P
from helpers.course.data import CLASS_NAMES
from helpers.metrics import confusion_matrix, mean_iou, per_class_iou


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def legend_texts(fig) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [t.get_text() for leg in legends for t in leg.get_texts()]


def all_texts(fig) -> str:
    parts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before, "a plotting function left a pyplot figure open"


@pytest.fixture
def example():
    rng = np.random.default_rng(0)
    image = rng.random((16, 20, 3))
    y_true = np.zeros((16, 20), dtype=np.int64)
    y_true[2:8, 2:8] = 1
    y_true[10:12, 3:18] = 4
    y_true[0, :] = 255
    y_pred = y_true.copy()
    y_pred[0, :] = 0
    y_pred[2:8, 3:9] = 1  # shifted disc: 6 FP, 6 FN for class 1
    y_pred[2:8, 2] = 0
    y_pred[10, 3:18] = 3  # half the line predicted as triangle
    return image, y_true, y_pred


# ---------------------------------------------------------------------------------------------
# palette and pure functions
# ---------------------------------------------------------------------------------------------
def test_palette_is_fixed_and_distinct():
    assert len(P.CLASS_COLORS) == len(CLASS_NAMES) == 5
    rgbs = [to_rgb(c) for c in P.CLASS_COLORS] + [to_rgb(P.IGNORE_COLOR)]
    assert len(set(rgbs)) == 6
    assert P.IGNORE_INDEX == 255
    handles = P.class_legend_handles(CLASS_NAMES, ignore=True)
    assert [h.get_label() for h in handles] == list(CLASS_NAMES) + ["ignored (void)"]
    assert to_rgb(handles[1].get_facecolor()) == to_rgb(P.CLASS_COLORS[1])


def test_colorize_mask_pixel_colours():
    mask = np.array([[0, 1, 2], [3, 4, 255]])
    rgb = P.colorize_mask(mask)
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.float64
    for (r, c), color in {
        (0, 0): P.CLASS_COLORS[0],
        (0, 1): P.CLASS_COLORS[1],
        (0, 2): P.CLASS_COLORS[2],
        (1, 0): P.CLASS_COLORS[3],
        (1, 1): P.CLASS_COLORS[4],
        (1, 2): P.IGNORE_COLOR,
    }.items():
        np.testing.assert_allclose(rgb[r, c], to_rgb(color))
    # a trailing channel of 1 and bool masks are accepted (integer-valued floats are not: see below)
    np.testing.assert_allclose(P.colorize_mask(mask[..., None]), rgb)
    np.testing.assert_allclose(P.colorize_mask(np.array([[True, False]]))[0, 0], to_rgb(P.CLASS_COLORS[1]))
    # custom colours; ignore_index=None makes 255 a (bad) label for 2 colours
    two = P.colorize_mask(np.array([[0, 1]]), colors=["black", "white"])
    np.testing.assert_allclose(two[0], [[0, 0, 0], [1, 1, 1]])


@pytest.mark.parametrize(
    "mask, kwargs, match",
    [
        (np.array([[0.5, 1.0]]), {}, "float dtype"),
        (np.array([[-1, 0]]), {}, "outside"),
        (np.zeros((2, 2, 5), int), {}, "to_labels"),
        (np.array([[0, 2]]), {"colors": ["k", "w"]}, "outside"),
        (np.array([[0, 255]]), {"colors": ["k", "w"], "ignore_index": None}, "outside"),
    ],
)
def test_colorize_mask_rejects_bad_masks(mask, kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.colorize_mask(mask, **kwargs)


def test_blend_mask_alpha(example):
    image, y_true, _ = example
    np.testing.assert_allclose(P.blend_mask(image, y_true, alpha=0.0), image)
    np.testing.assert_allclose(P.blend_mask(image, y_true, alpha=1.0), P.colorize_mask(y_true))
    np.testing.assert_allclose(P.blend_mask(image, y_true, alpha=0.25), 0.75 * image + 0.25 * P.colorize_mask(y_true))
    # uint8 images are read as 0..255, grey images become RGB
    grey = np.full((16, 20), 255, dtype=np.uint8)
    np.testing.assert_allclose(P.blend_mask(grey, y_true, alpha=0.0), np.ones((16, 20, 3)))
    with pytest.raises(ValueError, match="alpha"):
        P.blend_mask(image, y_true, alpha=1.5)
    with pytest.raises(ValueError, match="height x width"):
        P.blend_mask(image[:8], y_true)


def test_error_map_codes():
    t = np.array([0, 1, 1, 2, 255, 0])
    p = np.array([0, 1, 2, 1, 1, 1])
    np.testing.assert_array_equal(P.error_map(t, p), [0, 0, 1, 1, 2, 1])
    # class 1: TP, FN, FP, ignored, FP ... (0 TP, 1 FP, 2 FN, 3 TN, 4 ignored)
    np.testing.assert_array_equal(P.error_map(t, p, error_class=1), [3, 0, 2, 1, 4, 1])
    rgb = P.colorize_errors(t[None], p[None])
    np.testing.assert_allclose(rgb[0, 0], to_rgb(P.ERROR_COLORS["correct"]))
    np.testing.assert_allclose(rgb[0, 2], to_rgb(P.ERROR_COLORS["wrong"]))
    np.testing.assert_allclose(rgb[0, 4], to_rgb(P.IGNORE_COLOR))
    with pytest.raises(ValueError, match="same shape"):
        P.error_map(t, p[:3])


def test_intersection_union_map():
    a = np.array([[1, 1, 0, 0]], bool)
    b = np.array([[0, 1, 1, 0]], bool)
    np.testing.assert_array_equal(P.intersection_union_map(a, b), [[1, 3, 2, 0]])
    rgb = P.colorize_intersection_union(a, b)
    for j, key in enumerate(["A only", "A∩B", "B only", "neither"]):
        np.testing.assert_allclose(rgb[0, j], to_rgb(P.IU_COLORS[key]))
    with pytest.raises(ValueError, match="boolean"):
        P.intersection_union_map(np.array([[0, 2]]), b[:, :2])


# ---------------------------------------------------------------------------------------------
# mask figures
# ---------------------------------------------------------------------------------------------
def test_show_masks_panels_titles_legend(example):
    image, y_true, y_pred = example
    fig = P.show_masks(image, y_true, y_pred, class_names=CLASS_NAMES, title="one example")
    assert isinstance(fig, Figure)
    png(fig)
    assert len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "image" and titles[1] == "true mask"
    assert titles[2].startswith("prediction")
    assert f"mIoU {mean_iou(y_true, y_pred, num_classes=5, ignore_index=255):.3f}" in titles[2]
    n_wrong = int(((y_true != y_pred) & (y_true != 255)).sum())
    assert titles[3] == f"errors: {n_wrong} wrong px"
    texts = legend_texts(fig)
    for name in CLASS_NAMES:
        assert name in texts
    assert {"correct", "wrong", "ignored (void)"} <= set(texts)
    assert fig._suptitle.get_text() == "one example"


def test_show_masks_variants(example):
    image, y_true, y_pred = example
    assert len(P.show_masks(image, y_true).axes) == 2
    assert len(P.show_masks(None, y_true, y_pred).axes) == 3
    fig = P.show_masks(image, y_true, y_pred, class_names=CLASS_NAMES, error_class=1, alpha=1.0)
    png(fig)
    texts = legend_texts(fig)
    assert "false positive (disc)" in texts and "false negative (disc)" in texts
    assert "errors for class 'disc'" in fig.axes[3].get_title()
    # the masks are drawn with the class colours when alpha=1
    shown = fig.axes[1].get_images()[0].get_array()
    np.testing.assert_allclose(shown[3, 3], to_rgb(P.CLASS_COLORS[1]))


def test_show_masks_rejects_bad_input(example):
    image, y_true, y_pred = example
    with pytest.raises(ValueError, match="height x width"):
        P.show_masks(image[:, :10], y_true, y_pred)
    with pytest.raises(ValueError, match="height x width"):
        P.show_masks(image, y_true, y_pred[:, :10])
    with pytest.raises(ValueError, match="outside"):
        P.show_masks(image, y_true, np.full_like(y_pred, 7), class_names=CLASS_NAMES)
    with pytest.raises(ValueError, match="to_labels"):
        P.show_masks(image, y_true, np.zeros((16, 20, 5)))
    with pytest.raises(ValueError, match="error_class"):
        P.show_masks(image, y_true, y_pred, error_class=9)
    with pytest.raises(ValueError, match="class_names"):
        P.show_masks(image, y_true, class_names="background")


def test_overlay_mask(example):
    image, y_true, _ = example
    fig = P.overlay_mask(image, y_true, alpha=0.3, class_names=CLASS_NAMES)
    png(fig)
    assert len(fig.axes) == 1
    assert "alpha = 0.3" in fig.axes[0].get_title()
    # the legend names the classes present (0, 1, 4) and the ignored pixels
    assert legend_texts(fig) == ["background", "disc", "line", "ignored (void)"]
    np.testing.assert_allclose(fig.axes[0].get_images()[0].get_array(), P.blend_mask(image, y_true, alpha=0.3))
    # into a given axes
    f2 = Figure()
    ax = f2.add_subplot()
    assert P.overlay_mask(image, y_true, ax=ax) is f2
    with pytest.raises(ValueError, match="alpha"):
        P.overlay_mask(image, y_true, alpha=-0.1)


def test_show_gallery(example):
    image, y_true, y_pred = example
    images = np.stack([image] * 5)
    t = np.stack([y_true] * 5)
    p = np.stack([y_pred] * 5)
    fig = P.show_gallery(images, t, p, n=3, class_names=CLASS_NAMES)
    png(fig)
    assert len(fig.axes) == 3 * 4
    miou = mean_iou(y_true, y_pred, num_classes=5, ignore_index=255)
    assert fig.axes[2].get_title() == f"pred. mIoU {miou:.3f}"
    assert set(CLASS_NAMES) <= set(legend_texts(fig))
    assert len(P.show_gallery(None, t, None, indices=[4, 0]).axes) == 2
    with pytest.raises(ValueError, match="to_labels"):
        P.show_gallery(images, t, np.zeros((5, 16, 20, 5)))
    with pytest.raises(ValueError, match="one image per mask"):
        P.show_gallery(images[:2], t, p)
    with pytest.raises(ValueError, match="show_masks"):
        P.show_gallery(image, y_true, y_pred)
    with pytest.raises(ValueError, match="indices"):
        P.show_gallery(images, t, p, indices=[7])


def test_show_intersection_union_numbers_and_legend():
    a = np.zeros((8, 10), bool)
    b = np.zeros((8, 10), bool)
    a[2:6, 1:5] = True  # 4x4
    b[2:6, 3:7] = True  # the same square shifted 2 columns: |A∩B| = 8, |A∪B| = 24
    fig = P.show_intersection_union(a, b)
    png(fig)
    title = fig.axes[0].get_title()
    assert "|A∩B| = 8" in title and "|A∪B| = 24" in title and "IoU = 0.333" in title
    assert legend_texts(fig) == ["A∩B (intersection)", "A only", "B only"]
    img = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(img[3, 1], to_rgb(P.IU_COLORS["A only"]))
    np.testing.assert_allclose(img[3, 4], to_rgb(P.IU_COLORS["A∩B"]))
    np.testing.assert_allclose(img[3, 6], to_rgb(P.IU_COLORS["B only"]))
    np.testing.assert_allclose(img[0, 0], to_rgb(P.IU_COLORS["neither"]))
    # small multiples: draw into a given axes, with labels
    f2 = Figure()
    axes = f2.subplots(1, 2)
    assert P.show_intersection_union(a, b, ax=axes[1], labels=("truth", "pred"), title="x") is f2
    assert "|truth∩pred| = 8" in axes[1].get_title() and axes[1].get_title().startswith("x\n")
    empty = np.zeros((3, 3), bool)
    assert "undefined" in P.show_intersection_union(empty, empty).axes[0].get_title()


def test_show_intersection_union_rejects_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        P.show_intersection_union(np.zeros((3, 3), bool), np.zeros((3, 4), bool))
    with pytest.raises(ValueError, match="y_true == k"):
        P.show_intersection_union(np.array([[0, 3]]), np.array([[0, 1]]))


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------
def test_plot_confusion_matrix(example):
    _, y_true, y_pred = example
    cm = confusion_matrix(y_true, y_pred, num_classes=5, ignore_index=255)
    fig = P.plot_confusion_matrix(cm, class_names=CLASS_NAMES)
    png(fig)
    assert len(fig.axes) == 2
    counts, norm = fig.axes
    assert counts.get_title() == "pixel counts" and "row-normalised" in norm.get_title()
    assert counts.get_xlabel() == "predicted class" and counts.get_ylabel() == "true class"
    assert [t.get_text() for t in counts.get_yticklabels()] == list(CLASS_NAMES)
    cells = [t.get_text() for t in counts.texts]
    assert len(cells) == 25 and cells[0] == str(cm[0, 0]) and cells[6] == str(cm[1, 1])
    ncells = [t.get_text() for t in norm.texts]
    assert ncells[6] == f"{cm[1, 1] / cm[1].sum():.2f}"
    assert ncells[2 * 5] == "–"  # no true "square" pixel: the row has no fractions
    assert len(P.plot_confusion_matrix(cm, normalize="true").axes) == 1
    assert len(P.plot_confusion_matrix(cm, normalize=None).axes) == 1
    big = P.plot_confusion_matrix(np.array([[123456, 1], [0, 5]]), class_names=["a", "b"], normalize=None)
    assert big.axes[0].texts[0].get_text() == "123k"


@pytest.mark.parametrize(
    "cm, names, kwargs, match",
    [
        (np.zeros((2, 3)), ["a", "b"], {}, "square"),
        (np.zeros((3, 3)), ["a", "b"], {}, "one name per class"),
        (-np.ones((2, 2)), ["a", "b"], {}, "non-negative"),
        (np.ones((2, 2)), ["a", "b"], {"normalize": "all"}, "normalize"),
    ],
)
def test_plot_confusion_matrix_rejects_bad_input(cm, names, kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.plot_confusion_matrix(cm, class_names=names, **kwargs)


def test_plot_per_class_iou_single_model_nan_is_absent():
    ious = np.array([0.9, 0.5, np.nan, 0.0, 0.7])
    fig = P.plot_per_class_iou(ious, class_names=CLASS_NAMES)
    png(fig)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == list(CLASS_NAMES)
    bars = ax.patches
    assert len(bars) == 4  # no bar for the absent class; a 0 IoU still gets its (empty) bar
    np.testing.assert_allclose(sorted(b.get_height() for b in bars), [0.0, 0.5, 0.7, 0.9])
    absent = [t for t in ax.texts if t.get_text() == "absent"]
    assert len(absent) == 1 and absent[0].get_position()[0] == pytest.approx(2.0)
    mean = np.nanmean(ious)
    assert legend_texts(fig) == [f"mean IoU = {mean:.3f}"]
    assert ax.lines[0].get_ydata()[0] == pytest.approx(mean)
    # one model: bars take the class colours
    assert to_rgb(bars[1].get_facecolor()) == pytest.approx(to_rgb(P.CLASS_COLORS[1]))


def test_plot_per_class_iou_several_models():
    runs = {"CE": per_class_iou([0, 1, 2, 3], [0, 1, 2, 2], num_classes=5), "CE + Jaccard": [1.0, 1.0, 0.5, 0.5, 0.25]}
    fig = P.plot_per_class_iou(runs, class_names=CLASS_NAMES, title="two models")
    png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "two models"
    texts = legend_texts(fig)
    assert "CE" in texts and "CE + Jaccard" in texts
    assert f"mean IoU (CE) = {np.nanmean(runs['CE']):.3f}" in texts
    assert len(ax.patches) == 4 + 5
    assert sum(t.get_text() == "absent" for t in ax.texts) == 1
    with pytest.raises(ValueError, match="one IoU per class"):
        P.plot_per_class_iou([0.5, 0.5], class_names=CLASS_NAMES)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        P.plot_per_class_iou([0.5, 1.5, 0, 0, 0], class_names=CLASS_NAMES)
    with pytest.raises(ValueError, match="empty"):
        P.plot_per_class_iou({}, class_names=CLASS_NAMES)


class FakeHistory:
    """What keras.Model.fit returns, as far as plot_history cares."""

    def __init__(self, history):
        self.history = history


def test_plot_history_runs_train_solid_val_dashed():
    h1 = FakeHistory(
        {
            "loss": [1.0, 0.6, 0.4],
            "val_loss": [1.1, 0.8, 0.6],
            "mean_iou": [0.3, 0.5, 0.6],
            "val_mean_iou": [0.2, 0.4, 0.5],
        }
    )
    h2 = {"loss": [0.9, 0.5], "mean_iou": [0.4, 0.6]}
    fig = P.plot_history({"cross-entropy": h1, "soft Jaccard": h2})
    png(fig)
    assert len(fig.axes) == 2
    loss_ax, iou_ax = fig.axes
    assert loss_ax.get_title() == "loss" and iou_ax.get_title() == "mean_iou"
    assert loss_ax.get_xlabel() == "epoch"
    styles = sorted(line.get_linestyle() for line in loss_ax.lines)
    assert styles == ["-", "-", "--"]
    np.testing.assert_allclose(loss_ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(iou_ax.lines[1].get_ydata(), [0.2, 0.4, 0.5])
    assert legend_texts(fig) == ["cross-entropy", "soft Jaccard", "train", "validation"]
    # one run, as a History or a plain dict; val=False
    one = P.plot_history(h1, metrics=("mean_iou",), val=False)
    assert len(one.axes) == 1 and len(one.axes[0].lines) == 1
    assert legend_texts(one) == ["train"]
    assert len(P.plot_history([h1, h2], metrics="loss").axes[0].lines) == 3


def test_plot_history_rejects_bad_input():
    with pytest.raises(ValueError, match="available keys"):
        P.plot_history({"loss": [1, 0.5]}, metrics=("loss", "mean_io_u"))
    with pytest.raises(ValueError, match="History"):
        P.plot_history(42)
    with pytest.raises(ValueError, match="one number per epoch"):
        P.plot_history({"run": {"loss": [[1, 2], [3, 4]]}})


def test_every_function_returns_a_figure_without_pyplot(example):
    image, y_true, y_pred = example
    figs = [
        P.show_masks(image, y_true, y_pred),
        P.overlay_mask(image, y_true),
        P.show_gallery(image[None], y_true[None], y_pred[None]),
        P.show_intersection_union(y_true == 1, y_pred == 1),
        P.plot_confusion_matrix(confusion_matrix(y_true, y_pred, num_classes=5, ignore_index=255)),
        P.plot_per_class_iou(per_class_iou(y_true, y_pred, num_classes=5, ignore_index=255)),
        P.plot_history({"loss": [1.0, 0.5], "mean_iou": [0.2, 0.4]}),
    ]
    for fig in figs:
        assert isinstance(fig, P.LabFigure)
        png(fig)
        # shown as an image by Jupyter even when pyplot (and so the inline backend) is not loaded
        assert fig._repr_png_().startswith(b"\x89PNG")
    assert plt.get_fignums() == []


def test_plot_iou_histogram():
    import io

    from helpers.plotting import plot_iou_histogram

    fig = plot_iou_histogram([0.2, 0.9, 0.95, np.nan, 0.8], mark_below=0.5, title="t")
    ax = fig.axes[0]
    assert ax.get_title() == "t"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "mean = 0.712"  # 2.85 / 4 = 0.7125 (binary: just below) and "median = 0.850" in labels
    fig.savefig(io.BytesIO(), format="png")
    with pytest.raises(ValueError, match="all NaN"):
        plot_iou_histogram([np.nan])
    with pytest.raises(ValueError, match="1-D"):
        plot_iou_histogram(np.zeros((2, 2)))


# ---------------------------------------------------------------------------------------------
# one input policy, class names, keyword-only options, layers
# ---------------------------------------------------------------------------------------------
def test_an_integer_valued_float_mask_is_refused_with_the_fix(example):
    image, y_true, y_pred = example
    mask = np.array([[0.0, 1.0], [2.0, 255.0]])  # integer-valued, but floats: the package's policy refuses them
    for call in (
        lambda: P.colorize_mask(mask),
        lambda: P.show_masks(image, y_true.astype(float), y_pred, class_names=CLASS_NAMES),
        lambda: P.show_masks(image, y_true, y_pred.astype(np.float32), class_names=CLASS_NAMES),
        lambda: P.overlay_mask(image, y_true.astype(float)),
        lambda: P.show_gallery(None, y_true[None].astype(float), y_pred[None]),
        lambda: P.error_map(y_true.astype(float), y_pred),
    ):
        with pytest.raises(ValueError, match=r"float dtype") as info:
            call()
        message = str(info.value)
        assert ".astype(int)" in message and "helpers.metrics.to_labels" in message
    with pytest.raises(ValueError, match=r"\.astype\(int\)"):
        P.show_intersection_union(np.array([[0.0, 1.0]]), np.array([[1, 1]]))
    # the integer labels it asks for are drawn
    np.testing.assert_allclose(P.colorize_mask(mask.astype(int))[1, 1], to_rgb(P.IGNORE_COLOR))


def test_a_prediction_holds_the_ignore_index_only_where_the_truth_does(example):
    image, y_true, y_pred = example
    bad = y_pred.copy()
    bad[5, 5] = 255  # a real pixel (truth: background) predicted as "void"
    with pytest.raises(ValueError, match="not ignored"):
        P.show_masks(image, y_true, bad, class_names=CLASS_NAMES)
    ok = y_pred.copy()
    ok[0, :] = 255  # where the truth is void: harmless
    P.show_masks(image, y_true, ok, class_names=CLASS_NAMES)


def test_class_names_none_names_every_label_class_k_in_the_same_colours(example):
    image, y_true, y_pred = example
    fig = P.show_masks(image, y_true, y_pred)
    names = [f"class {k}" for k in range(5)]  # labels 0..4 present (255 is void)
    texts = legend_texts(fig)
    assert texts[:5] == names and not set(CLASS_NAMES) & set(texts)
    shown = fig.axes[1].get_images()[0].get_array()
    np.testing.assert_allclose(shown[3, 3], to_rgb(P.CLASS_COLORS[1]))  # colours do not depend on names
    cm = confusion_matrix(y_true, y_pred, num_classes=5, ignore_index=255)
    ticks = [t.get_text() for t in P.plot_confusion_matrix(cm).axes[0].get_xticklabels()]
    assert ticks == names
    bars = P.plot_per_class_iou([0.5, 0.7, 0.9])
    assert [t.get_text() for t in bars.axes[0].get_xticklabels()] == ["class 0", "class 1", "class 2"]
    assert legend_texts(P.overlay_mask(image, y_true)) == ["class 0", "class 1", "class 4", "ignored (void)"]
    assert [h.get_label() for h in P.class_legend_handles()] == names
    small = P.show_gallery(None, (y_true[None] == 1).astype(int), None)
    assert legend_texts(small)[:2] == ["class 0", "class 1"]


def test_options_are_keyword_only():
    import inspect

    data = {"image", "images", "mask", "y_true", "y_pred", "a", "b", "cm", "ious", "histories", "values"}
    for name in P.__all__:
        obj = getattr(P, name)
        if not inspect.isfunction(obj):
            continue
        params = inspect.signature(obj).parameters.values()
        positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        allowed = data | ({"class_names"} if name == "class_legend_handles" else set())
        assert set(positional) <= allowed, f"{name}: options {set(positional) - allowed} must be keyword-only"
    cm = np.eye(5, dtype=int)
    with pytest.raises(TypeError):
        P.plot_confusion_matrix(cm, CLASS_NAMES)
    with pytest.raises(TypeError):
        P.show_intersection_union(cm == 1, cm == 1, None)


def test_the_plotting_package_does_not_import_the_course():
    import subprocess
    import sys

    code = (
        "import sys, helpers.plotting; "
        "bad = sorted(m for m in sys.modules if m.startswith('helpers.course')); "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------------------------
# runs drawn honestly (shared 0-1 IoU axis, continued runs, run colours); the old paths of moved names
# ---------------------------------------------------------------------------------------------
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


def test_show_masks_draws_exact_class_colours_next_to_the_image_by_default():
    image = np.full((6, 6, 3), [1.0, 0.9, 0.0])  # a yellow photo: blue over it would read as green
    t = np.zeros((6, 6), int)
    t[1:4, 1:4] = 2  # square, sky blue
    fig = P.show_masks(image, t, t)
    _png(fig)
    truth_panel = fig.axes[1].images[0].get_array()
    assert tuple(np.asarray(truth_panel[2, 2])[:3]) == pytest.approx(to_rgb(P.CLASS_COLORS[2]))


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


# ---------------------------------------------------------------------------------------------
# alt text: each figure says in words what it shows (saved with its PNG; the site's <img alt>)
# ---------------------------------------------------------------------------------------------
def test_alt_text_is_saved_with_the_png():
    fig = P.plot_per_class_iou(np.array([0.9, 0.5]), class_names=["a", "b"], title="Two classes")
    data, metadata = fig._repr_mimebundle_()
    assert data == {}  # IPython draws the PNG itself; the bundle adds only the metadata
    assert metadata["image/png"]["alt"] == fig.describe()
    assert fig.describe() == "Two classes: bar chart of the IoU of each class (0 to 1). a 0.90, b 0.50; mean IoU 0.700."
    fig.alt_text = "my own words"
    assert fig._repr_mimebundle_()[1] == {"image/png": {"alt": "my own words"}}


def test_each_figure_describes_what_it_draws():
    t = np.zeros((3, 8, 8), int)
    t[:, 2:5, 2:5] = 1
    p = np.roll(t, 1, axis=2)
    t[0, 0, 0] = 255
    names = ["bg", "square"]
    miou = mean_iou(t[0], p[0], num_classes=2, ignore_index=255)
    alt = P.show_masks(None, t[0], p[0], class_names=names, title="Toy").describe()
    assert alt.startswith("Toy. 3 panels") and f"mean IoU {miou:.3f}" in alt and "void" in alt
    alt = P.show_gallery(None, t, p, class_names=names, indices=[2, 1]).describe()
    assert "2 rows" in alt and "#2: " in alt and "#1: " in alt
    alt = P.show_intersection_union(t[1] == 1, p[1] == 1).describe()
    assert "number 6" in alt and "union) 12" in alt and "IoU = 0.500" in alt
    alt = P.plot_confusion_matrix(np.array([[8, 2], [1, 9]]), class_names=names).describe()
    assert "bg: 80% predicted right, most often confused with square (20%)" in alt
    alt = P.plot_iou_histogram(np.array([0.2, 0.5, 0.9]), mark_below=0.6).describe()
    assert "3 images, from 0.200 to 0.900" in alt and "2 below 0.6" in alt
    alt = P.plot_history({"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]}, metrics=("loss",)).describe()
    assert "train from 1 to 0.5 over 2 epochs" in alt and "validation from 1.2 to 0.7" in alt
    alt = P.overlay_mask(np.zeros((8, 8, 3)), t[1], class_names=names).describe()
    assert "8 x 8 pixel image" in alt and "bg, square" in alt


def test_a_figure_of_several_panels_is_described_panel_by_panel():
    fig = plt.figure(FigureClass=P.LabFigure)
    axes = fig.subplots(1, 2)
    P.plot_per_class_iou([0.5, 0.25], ax=axes[0], title="first")
    P.plot_iou_histogram([0.5, 0.7], ax=axes[1], title="second")
    fig.suptitle("Both")
    alt = fig.describe()
    plt.close(fig)
    assert alt.startswith("Both. 2 panels: (1) first: bar chart") and "(2) second: histogram" in alt
