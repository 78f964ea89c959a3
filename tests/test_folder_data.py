"""helpers.folder_data: a folder of images and masks -> tf.data at 224 x 224 (shapes_folder: tests/conftest.py)."""

import sys

import numpy as np
import pytest

from helpers import folder_data as F
from helpers.course.folder_demo import SHAPES_PALETTE, write_shapes_folder


def _all(ds):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def test_one_hot_masks_at_224_with_void_rows_all_zero(shapes_folder):
    ds = F.load_folder(shapes_folder, num_classes=5, batch_size=4)
    images, masks = _all(ds)
    assert images.shape == (6, 224, 224, 3) and images.dtype == np.float32
    assert masks.shape == (6, 224, 224, 5) and masks.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    row_sums = masks.sum(-1)
    assert set(np.unique(row_sums)) == {0.0, 1.0}  # void: all zeros; every other pixel: one class
    _, labels = _all(F.load_folder(shapes_folder, num_classes=5, batch_size=4, one_hot=False))
    assert np.array_equal(row_sums == 0, labels == 255)  # nearest-neighbour resize keeps labels exact
    assert set(np.unique(labels)) <= {0, 1, 2, 3, 4, 255}
    assert [tuple(b[0].shape) for b in ds] == [(4, 224, 224, 3), (2, 224, 224, 3)]


def test_palette_masks_give_the_same_labels(tmp_path, shapes_folder):
    root = write_shapes_folder(tmp_path / "colours", n=6, size=48, masks="palette")
    _, a = _all(F.load_folder(root, num_classes=5, size=48, palette=SHAPES_PALETTE, one_hot=False))
    _, b = _all(F.load_folder(shapes_folder, num_classes=5, size=48, one_hot=False))
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


def test_index_masks_with_a_palette_are_explained(shapes_folder):
    with pytest.raises(ValueError, match="class indices"):
        F.load_folder(shapes_folder, num_classes=5, palette=SHAPES_PALETTE)
    with pytest.raises(ValueError, match="num_classes must be at least 2"):
        F.load_folder(shapes_folder, num_classes=1)


def test_void_band_is_a_ring_outside_objects():
    m = np.zeros((9, 9), int)
    m[3:6, 3:6] = 2
    ring = F.void_band(m, width=2)
    assert not (ring & (m > 0)).any()
    assert int(ring.sum()) == 7 * 7 - 9  # the 7 x 7 square around the object, minus the object
    with pytest.raises(ValueError, match="width"):
        F.void_band(m, width=0)


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
