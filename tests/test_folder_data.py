"""helpers.folder_data (a folder of images and masks -> tf.data at 224 x 224), helpers.report (the
checklist of notebook 06 as Markdown) and the checks of notebook 07."""

import sys

import numpy as np
import pytest

from helpers import folder_data as F
from helpers import metrics as M
from helpers.course.data import CLASS_NAMES
from helpers.report import CHECKLIST, evaluation_report
from helpers.stats import bootstrap_iou, per_image_confusion_matrices


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return F.write_shapes_folder(tmp_path_factory.mktemp("shapes") / "index", n=6, size=48)


def _all(ds):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def test_written_folder_holds_the_shapes_with_a_void_ring(folder):
    from helpers.course.data import generate_shapes

    images, labels = _all(F.load_folder(folder, num_classes=5, size=48, batch_size=4, one_hot=False))
    x, y = generate_shapes(6, size=48, seed=7)
    ring = F.void_band(y, 3)
    assert np.array_equal(labels, np.where(ring, 255, y))
    assert np.allclose(images, x, atol=1e-6)  # PNG is lossless, and no resize at the written size
    assert sorted(p.name for p in (folder / "images").iterdir())[0] == "shapes_0000.png"
    assert (folder / "classes.txt").read_text().split() == list(CLASS_NAMES)


def test_one_hot_masks_at_224_with_void_rows_all_zero(folder):
    ds = F.load_folder(folder, num_classes=5, batch_size=4)
    images, masks = _all(ds)
    assert images.shape == (6, 224, 224, 3) and images.dtype == np.float32
    assert masks.shape == (6, 224, 224, 5) and masks.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    row_sums = masks.sum(-1)
    assert set(np.unique(row_sums)) == {0.0, 1.0}  # void: all zeros; every other pixel: one class
    _, labels = _all(F.load_folder(folder, num_classes=5, batch_size=4, one_hot=False))
    assert np.array_equal(row_sums == 0, labels == 255)  # nearest-neighbour resize keeps labels exact
    assert set(np.unique(labels)) <= {0, 1, 2, 3, 4, 255}
    assert [tuple(b[0].shape) for b in ds] == [(4, 224, 224, 3), (2, 224, 224, 3)]


def test_palette_masks_give_the_same_labels(tmp_path, folder):
    root = F.write_shapes_folder(tmp_path / "colours", n=6, size=48, masks="palette")
    _, a = _all(F.load_folder(root, num_classes=5, size=48, palette=F.SHAPES_PALETTE, one_hot=False))
    _, b = _all(F.load_folder(folder, num_classes=5, size=48, one_hot=False))
    assert np.array_equal(a, b)


def test_a_real_palette_png_as_in_pascal_voc(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    labels = np.array([[0, 1, 255], [2, 1, 0], [0, 0, 2]], dtype=np.uint8)
    img = PIL.fromarray(labels, mode="P")
    voc = [(0, 0, 0), (128, 0, 0), (0, 128, 0)]
    img.putpalette([v for colour in voc for v in colour] + [0] * 3 * 252 + [224, 224, 192])
    img.save(tmp_path / "masks" / "a.png")
    PIL.fromarray(np.zeros((3, 3, 3), np.uint8)).save(tmp_path / "images" / "a.jpg")
    _, got = _all(
        F.load_folder(tmp_path, num_classes=3, size=3, palette=voc, void_colour=(224, 224, 192), one_hot=False)
    )
    assert got.tolist() == [labels.tolist()]  # TensorFlow decodes palette PNGs to colours; the palette maps them back
    with pytest.raises(ValueError, match="colour mask"):
        F.load_folder(tmp_path, num_classes=3)


def test_label_map_renames_pet_style_trimaps(tmp_path):
    import tensorflow as tf

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    trimap = np.array([[1, 2], [3, 2]], dtype=np.uint8)
    tf.io.write_file(str(tmp_path / "masks" / "p.png"), tf.io.encode_png(trimap[..., None]))
    tf.io.write_file(str(tmp_path / "images" / "p.png"), tf.io.encode_png(np.zeros((2, 2, 3), np.uint8)))
    _, got = _all(F.load_folder(tmp_path, num_classes=2, size=2, label_map=F.PET_LABEL_MAP, one_hot=False))
    assert got.tolist() == [[[1, 0], [255, 0]]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="label_map") as error:
        _all(F.load_folder(tmp_path, num_classes=2, size=2))  # 3 is neither a class nor void
    message = str(error.value)
    # the file, the first unknown value (2) at (row 0, column 1), and how many pixels (2, 3, 2)
    assert "p.png" in message and "index:] [2]" in message and "[0 1]" in message and "values:] [3]" in message


def test_unknown_colour_names_the_colour_where_it_is_and_the_usual_cause(tmp_path):
    import tensorflow as tf

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    colours = np.array([[[0, 0, 0], [255, 0, 0]], [[128, 0, 0], [255, 0, 0]]], np.uint8)  # (128, 0, 0): a blend
    tf.io.write_file(str(tmp_path / "masks" / "m.png"), tf.io.encode_png(colours))
    tf.io.write_file(str(tmp_path / "images" / "m.png"), tf.io.encode_png(np.zeros((2, 2, 3), np.uint8)))
    palette = [(0, 0, 0), (255, 0, 0)]
    with pytest.raises(tf.errors.InvalidArgumentError) as error:
        _all(F.load_folder(tmp_path, num_classes=2, size=2, palette=palette, one_hot=False))
    message = str(error.value)
    for needed in ("m.png", "[128 0 0]", "[1 0]", "nearest neighbour", "JPEG"):
        assert needed in message, (needed, message[:600])


@pytest.mark.parametrize(
    "layout, match",
    [
        ("no_masks", "is not a folder"),
        ("missing_mask", "have no mask"),
        ("no_images", "no .png/.jpg images"),
    ],
)
def test_bad_folders_name_the_fix(tmp_path, layout, match):
    (tmp_path / "images").mkdir()
    if layout != "no_masks":
        (tmp_path / "masks").mkdir()
    if layout == "missing_mask":
        (tmp_path / "images" / "0001.jpg").write_bytes(b"")
    with pytest.raises(ValueError, match=match):
        F.load_folder(tmp_path, num_classes=5)


def test_index_masks_with_a_palette_are_explained(folder):
    with pytest.raises(ValueError, match="class indices"):
        F.load_folder(folder, num_classes=5, palette=F.SHAPES_PALETTE)
    with pytest.raises(ValueError, match="num_classes must be an int >= 2"):
        F.load_folder(folder, num_classes=1)


def test_void_band_is_a_ring_outside_objects():
    m = np.zeros((9, 9), int)
    m[3:6, 3:6] = 2
    ring = F.void_band(m, width=2)
    assert not (ring & (m > 0)).any()
    assert int(ring.sum()) == 7 * 7 - 9  # the 7 x 7 square around the object, minus the object
    with pytest.raises(ValueError, match="width"):
        F.void_band(m, width=0)


def test_stand_in_predictions_are_probabilities_and_deterministic():
    labels = np.zeros((2, 32, 32), int)
    labels[:, 8:24, 8:24] = 3
    y = np.eye(5, dtype=np.float32)[labels]
    p = F.stand_in_predictions(y, seed=1)
    assert p.shape == y.shape and p.dtype == np.float32
    assert np.allclose(p.sum(-1), 1.0, atol=1e-5)
    assert np.array_equal(p, F.stand_in_predictions(y, seed=1))
    miou = M.mean_iou(labels, p.argmax(-1), num_classes=5)
    assert 0.3 < miou < 1.0  # imperfect, not hopeless


def test_pet_pair_maps_the_trimap_border_to_void():
    image = np.full((4, 4, 3), 255, np.uint8)
    trimap = np.array([[1, 1, 3, 2], [1, 3, 2, 2], [3, 2, 2, 2], [2, 2, 2, 2]], np.uint8)[..., None]
    x, y = (v.numpy() for v in F.pet_pair(image, trimap, size=4))
    assert x.shape == (4, 4, 3) and np.allclose(x, 1.0)
    assert y.shape == (4, 4, 2)
    assert np.array_equal(y.sum(-1) == 0, trimap[..., 0] == 3)  # border: void, an all-zero row
    assert np.array_equal(y[..., 1] == 1, trimap[..., 0] == 1)  # pet: class 1; background (2): class 0
    x2, y2 = F.pet_pair(image, trimap, size=224)
    assert tuple(x2.shape) == (224, 224, 3) and tuple(y2.shape) == (224, 224, 2)


def test_oxford_pet_without_tensorflow_datasets_is_a_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # import fails
    ds, message = F.load_oxford_pet()
    assert ds is None and "tensorflow_datasets" in message


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------
def test_report_numbers_come_from_the_confusion_matrix():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 500)
    p = np.where(rng.uniform(size=500) < 0.3, rng.integers(0, 4, 500), t)
    t[t == 3] = 0
    p[p == 3] = 1  # class 3 absent from both
    cm = M.confusion_matrix(t, p, num_classes=4)
    text = evaluation_report(
        cm,
        class_names=["bg", "a", "b", "c"],
        data="500 pixels",
        void="none",
        model="noise",
        predictions="argmax",
        implementation="numpy",
        cross_check=("helpers.metrics.mean_iou", M.mean_iou(t, p, num_classes=4)),
        per_image_confusion=per_image_confusion_matrices(t.reshape(20, 25), p.reshape(20, 25), num_classes=4),
        training_runs="1 run",
    )
    miou = M.mean_iou(t, p, num_classes=4)
    boot = bootstrap_iou(per_image_confusion_matrices(t.reshape(20, 25), p.reshape(20, 25), num_classes=4))
    lo, hi = boot["mean_iou_ci"]
    assert f"**Mean IoU {miou:.4f} (95 % interval over images {lo:.4f} to {hi:.4f}; bootstrap of 20 images)**" in text
    assert lo < miou < hi
    for k, (name, v) in enumerate(zip(["bg", "a", "b"], M.per_class_iou(t, p, num_classes=4))):
        a, b = boot["per_class_ci"][k]
        assert f"| {name} | {v:.4f} | {a:.4f} to {b:.4f} |" in text
    assert "| c | absent | – | 0 | 0.0 % |" in text and "excluded from the mean (c)" in text
    assert f"Pixel accuracy {M.pixel_accuracy(t, p):.4f}" in text
    assert "(agrees, difference" in text and "not stated" not in text
    for i, item in enumerate(CHECKLIST, 1):
        assert f"{i}. **{item}**:" in text


def test_report_marks_what_the_caller_did_not_state_and_disagreements():
    cm = np.array([[5, 1], [2, 4]])
    text = evaluation_report(cm, class_names=["bg", "fg"], cross_check=("other", 0.1))
    assert text.count("**not stated**") == 7
    assert "differs: find out why" in text


def test_report_refuses_per_image_matrices_of_other_predictions():
    cms = np.array([[[5, 1], [2, 4]], [[3, 0], [0, 3]]])
    with pytest.raises(ValueError, match="does not sum"):
        evaluation_report(cms.sum(0) + 1, per_image_confusion=cms, class_names=["bg", "fg"])
    with pytest.raises(ValueError, match="one matrix per image"):
        evaluation_report(cms.sum(0), per_image_confusion=cms[0], class_names=["bg", "fg"])


@pytest.mark.parametrize(
    "cm, names, match",
    [
        (np.ones((2, 3), int), ["a", "b"], "square"),
        (np.ones((2, 2)), ["a", "b"], "integer"),
        (np.ones((2, 2), int), ["a"], "one name per class"),
        (np.zeros((2, 2), int), ["a", "b"], "empty"),
    ],
)
def test_report_rejects_bad_input(cm, names, match):
    with pytest.raises(ValueError, match=match):
        evaluation_report(cm, class_names=names)


# ---------------------------------------------------------------------------------------------
# the checks of notebook 07 reject the stub and typical mistakes and accept the solutions
# ---------------------------------------------------------------------------------------------
def _stub(*args):
    raise NotImplementedError


def test_check_fixed_metric(capsys):
    sys.path.insert(0, "notebooks/solutions")
    from solutions_07 import fixed_mean_iou

    from helpers.course.checks.nb07 import check_fixed_metric

    assert not check_fixed_metric(_stub)
    assert "Not done yet" in capsys.readouterr().out

    def smoothed(y_true, y_pred):
        import tensorflow as tf

        y_pred = tf.one_hot(tf.argmax(y_pred, -1), 5)
        inter = tf.reduce_sum(y_true * y_pred, axis=[1, 2])
        union = tf.reduce_sum(y_true, axis=[1, 2]) + tf.reduce_sum(y_pred, axis=[1, 2]) - inter
        return tf.reduce_mean((inter + 1e-6) / (union + 1e-6))

    assert not check_fixed_metric(smoothed)
    assert "absent_class_as_one" in capsys.readouterr().out
    assert check_fixed_metric(fixed_mean_iou)
    from helpers.keras.metrics import batch_mean_iou

    assert check_fixed_metric(batch_mean_iou)
    assert "StreamingMeanIoU" in capsys.readouterr().out


def test_check_palette_to_labels(capsys):
    sys.path.insert(0, "notebooks/solutions")
    from solutions_07 import palette_to_labels

    from helpers.course.checks.nb07 import check_palette_to_labels

    assert not check_palette_to_labels(_stub)

    def red_channel_only(mask, palette, void_colour):
        reds = {c[0]: k for k, c in enumerate(palette)}
        return np.vectorize(lambda r: reds.get(r, 255))(mask[..., 0])

    assert not check_palette_to_labels(red_channel_only)
    assert "ALL three channels" in capsys.readouterr().out

    def silent(mask, palette, void_colour):
        labels = np.zeros(mask.shape[:2], int)
        for k, c in enumerate(palette):
            labels[np.all(mask == c, -1)] = k
        labels[np.all(mask == void_colour, -1)] = 255
        return labels

    assert not check_palette_to_labels(silent)
    assert "raise" in capsys.readouterr().out
    assert check_palette_to_labels(palette_to_labels)


def test_docstring_examples():
    import doctest

    import helpers.course.checks.nb07
    import helpers.report

    for module in (F, helpers.report, helpers.course.checks.nb07):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
