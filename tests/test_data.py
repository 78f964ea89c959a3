"""Tests of helpers.course.data: the shapes dataset (determinism, splits, balance, file checks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers.course import data
from helpers.course.data import CLASS_NAMES, class_frequencies, generate_shapes, load_shapes, one_hot

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "shapes_64.npz"  # the repository's data/, as data_dir()


@pytest.fixture(scope="module")
def splits():
    """All three splits of the shipped 64 x 64 dataset (integer masks)."""
    return {split: load_shapes(split) for split in data.SPLITS}


@pytest.fixture(scope="module")
def regenerated():
    """The arrays of shapes_64.npz, regenerated once for the tests that need them."""
    return data._generate_all_splits(64)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty data folder used through IOU_LAB_DATA_DIR."""
    monkeypatch.setenv("IOU_LAB_DATA_DIR", str(tmp_path))
    return tmp_path


# ------------------------------------------------------------------ generation
def test_generation_is_deterministic():
    x1, y1 = generate_shapes(40, size=64, seed=3)
    x2, y2 = generate_shapes(40, size=64, seed=3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    x3, y3 = generate_shapes(40, size=64, seed=4)
    assert not np.array_equal(y1, y3) and not np.array_equal(x1, x3)


def test_generation_shapes_dtypes_and_ranges():
    x, y = generate_shapes(12, size=32, seed=1)
    assert x.shape == (12, 32, 32, 3) and x.dtype == np.float32
    assert y.shape == (12, 32, 32) and y.dtype == np.uint8
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert set(np.unique(y)) <= set(range(len(CLASS_NAMES)))
    # quantised to 1/255: survives storage as uint8 exactly
    assert np.array_equal(np.rint(x * 255) / np.float32(255), x)
    xu, yu = generate_shapes(12, size=32, seed=1, as_uint8=True)
    assert xu.dtype == np.uint8 and np.array_equal(xu.astype(np.float32) / np.float32(255), x)
    assert np.array_equal(yu, y)


def test_generate_zero_images():
    x, y = generate_shapes(0)
    assert x.shape == (0, 64, 64, 3) and y.shape == (0, 64, 64)


def test_shipped_file_matches_the_generator(splits, regenerated):
    """The shipped data are exactly what the generator gives on this machine (cross-platform
    determinism of the generator)."""
    for split in data.SPLITS:
        x = data._decode_images(regenerated[f"{split}_residuals"])
        assert np.array_equal(x.astype(np.float32) / np.float32(255), splits[split][0]), split
        assert np.array_equal(regenerated[f"{split}_masks"], splits[split][1]), split
    n, seed = data.SPLITS["val"]
    x, y = generate_shapes(n, size=64, seed=seed)
    assert np.array_equal(x, splits["val"][0]) and np.array_equal(y, splits["val"][1])


def test_image_encoding_round_trip():
    x, _ = generate_shapes(5, seed=11, as_uint8=True)
    residuals = data._encode_images(x)
    assert residuals.dtype == np.uint8 and residuals.shape == x.shape
    assert np.array_equal(data._decode_images(residuals), x)


# ------------------------------------------------------------------ splits
def test_split_shapes_and_dtypes(splits):
    for split, (n, _) in data.SPLITS.items():
        x, y = splits[split]
        assert x.shape == (n, 64, 64, 3) and x.dtype == np.float32
        assert y.shape == (n, 64, 64) and y.dtype == np.uint8
        assert 0.0 <= x.min() and x.max() <= 1.0
    assert sum(n for n, _ in data.SPLITS.values()) == 1500


def test_one_hot_split():
    x, y = load_shapes("val", one_hot=True)
    _, labels = load_shapes("val")
    assert y.shape == (250, 64, 64, 5) and y.dtype == np.float32
    assert np.array_equal(y.sum(-1), np.ones((250, 64, 64), np.float32))
    assert np.array_equal(np.argmax(y, -1), labels)
    _, y7 = load_shapes("val", one_hot=True, num_classes=7)
    assert y7.shape == (250, 64, 64, 7) and not y7[..., 5:].any()


def test_splits_are_disjoint(splits):
    fingerprints = {split: {x.tobytes() for x in (splits[split][0] * 255).astype(np.uint8)} for split in splits}
    for split, fp in fingerprints.items():
        assert len(fp) == len(splits[split][0]), f"duplicate images inside {split}"
    assert not fingerprints["train"] & fingerprints["val"]
    assert not fingerprints["train"] & fingerprints["test"]
    assert not fingerprints["val"] & fingerprints["test"]


def test_returned_arrays_are_copies():
    x, y = load_shapes("test")
    y[:] = 4
    x[:] = 0
    x2, y2 = load_shapes("test")
    assert y2.min() == 0 and x2.max() > 0


def test_other_size_is_generated_on_the_fly(data_dir):
    x, y = load_shapes("val", size=32)
    assert x.shape == (250, 32, 32, 3) and y.shape == (250, 32, 32)
    xg, yg = generate_shapes(250, size=32, seed=data.SPLITS["val"][1])
    assert np.array_equal(x, xg) and np.array_equal(y, yg)
    assert not list(data_dir.iterdir()), "no file for sizes other than 64"


# ------------------------------------------------------------------ content
def test_class_frequencies_in_promised_ranges(splits):
    all_masks = np.concatenate([splits[s][1] for s in splits])
    freq = class_frequencies(all_masks)
    assert freq.shape == (5,) and np.isclose(freq.sum(), 1.0)
    assert 0.85 <= freq[0] <= 0.90, freq  # background
    assert 0.01 <= freq[4] <= 0.03, freq  # thin lines
    assert (freq[1:4] > 0.015).all(), freq  # disc, square, triangle
    for split in splits:  # every split looks like the whole
        f = class_frequencies(splits[split][1])
        assert 0.85 <= f[0] <= 0.91 and 0.01 <= f[4] <= 0.03, (split, f)


def test_every_class_present_and_images_lack_classes(splits):
    for split in splits:
        y = splits[split][1]
        present = np.stack([(y == c).any(axis=(1, 2)) for c in range(5)], axis=1)
        assert present.any(axis=0).all(), f"a class is missing from {split}"
        assert present[:, 0].all(), "background in every image"
        assert (present.sum(1) <= 4).all(), "at most 3 shapes per image"
        assert (present.sum(1) == 1).any(), "some images are background only"
        assert (present[:, 1:].mean(0) < 0.8).all(), "each shape class is absent from many images"


def test_lines_are_thin(splits):
    """A line pixel has few line neighbours across: lines are at most 3 px wide."""
    y = splits["val"][1]
    line = y == 4
    # pixels of a line 4+ px wide would have line pixels 2 px away on both sides in some
    # direction; count pixels with line pixels at +-2 in both x and y (interior of a blob)
    pad = np.pad(line, ((0, 0), (2, 2), (2, 2)))
    interior = line & pad[:, 4:, 2:-2] & pad[:, :-4, 2:-2] & pad[:, 2:-2, 4:] & pad[:, 2:-2, :-4]
    assert interior.sum() < 0.02 * line.sum()


def test_class_is_geometry_not_colour(splits):
    x, y = splits["val"]
    means, stds = [], []
    for c in range(5):
        pixels = x[y == c]
        means.append(pixels.mean(0))
        stds.append(pixels.std(0))
    means, stds = np.array(means), np.array(stds)
    # every class has about the same average colour ...
    assert np.abs(means - means.mean(0)).max() < 0.06, means
    # ... and a wide spread of colours
    assert (stds > 0.2).all(), stds
    # a nearest-class-mean colour classifier is no better than chance among the shapes
    fg = y > 0
    d = ((x[fg][:, None, :] - means[None, 1:, :]) ** 2).sum(-1)
    accuracy = (np.argmin(d, 1) + 1 == y[fg]).mean()
    assert accuracy < 0.35, accuracy


# ------------------------------------------------------------------ file handling
def test_content_hash_of_shipped_file(regenerated):
    with np.load(SHIPPED) as f:
        stored = {k: f[k] for k in f.files}
    assert data.content_sha256(stored) == data.SHAPES_64_SHA256
    assert data.content_sha256(regenerated) == data.SHAPES_64_SHA256
    assert stored.keys() == regenerated.keys()


def test_missing_file_is_regenerated_identically(data_dir, splits, regenerated, monkeypatch):
    # generation itself is checked by test_content_hash_of_shipped_file; reuse its arrays
    monkeypatch.setattr(data, "_generate_all_splits", lambda size: regenerated)
    path = data_dir / "shapes_64.npz"
    assert not path.exists()
    x, y = load_shapes("train")
    assert path.exists(), "the regenerated file is saved"
    assert np.array_equal(x, splits["train"][0]) and np.array_equal(y, splits["train"][1])
    with np.load(path) as f:
        assert data.content_sha256({k: f[k] for k in f.files}) == data.SHAPES_64_SHA256
        assert all(f[k].dtype == np.uint8 for k in f.files)
    # the regenerated file is read back and checked
    data._CACHE.clear()
    x2, _ = load_shapes("train")
    assert np.array_equal(x, x2)


def test_regenerated_file_bytes_are_reproducible(tmp_path):
    arrays = {"a_masks": np.arange(600, dtype=np.uint8).reshape(20, 30)}
    data._save_npz(tmp_path / "one.npz", arrays)
    data._save_npz(tmp_path / "two.npz", arrays)
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()


def test_corrupt_file_raises(data_dir):
    raw = bytearray(SHIPPED.read_bytes())
    mid = len(raw) // 2
    raw[mid : mid + 64] = bytes(64)
    (data_dir / "shapes_64.npz").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="corrupt") as err:
        load_shapes("train")
    assert "Delete" in str(err.value)


def test_stale_file_raises(data_dir):
    # a valid npz with the right keys but other content (e.g. from an older generator)
    arrays = {
        f"{split}_{kind}": np.zeros((2, 64, 64), np.uint8) for split in data.SPLITS for kind in ("residuals", "masks")
    }
    data._save_npz(data_dir / "shapes_64.npz", arrays)
    with pytest.raises(ValueError, match="stale") as err:
        load_shapes("val")
    assert "Delete the file" in str(err.value) and "SHA-256" in str(err.value)


def test_not_a_zip_raises(data_dir):
    (data_dir / "shapes_64.npz").write_text("not a dataset")
    with pytest.raises(ValueError, match="corrupt"):
        load_shapes("test")


def test_unwritable_folder_still_returns_data(data_dir, monkeypatch, splits, regenerated):
    def refuse(path, arrays):
        raise PermissionError(f"read-only: {path}")

    monkeypatch.setattr(data, "_save_npz", refuse)
    monkeypatch.setattr(data, "_generate_all_splits", lambda size: regenerated)
    x, y = load_shapes("test")
    assert np.array_equal(y, splits["test"][1]) and np.array_equal(x, splits["test"][0])
    assert not (data_dir / "shapes_64.npz").exists()


def test_regeneration_mismatch_warns_and_does_not_save(data_dir, monkeypatch, regenerated):
    monkeypatch.setattr(data, "SHAPES_64_SHA256", "0" * 64)
    monkeypatch.setattr(data, "_generate_all_splits", lambda size: regenerated)
    with pytest.warns(RuntimeWarning, match="differs from the reference"):
        x, _ = load_shapes("val")
    assert x.shape == (250, 64, 64, 3)
    assert not (data_dir / "shapes_64.npz").exists()


def test_shipped_file_is_small():
    assert SHIPPED.stat().st_size < 6_000_000


# ------------------------------------------------------------------ helpers
def test_one_hot():
    labels = np.array([[0, 1], [4, 2]], dtype=np.uint8)
    oh = one_hot(labels)
    assert oh.shape == (2, 2, 5) and oh.dtype == np.float32
    assert np.array_equal(np.argmax(oh, -1), labels) and np.array_equal(oh.sum(-1), np.ones((2, 2)))
    assert one_hot([[0, 2]], num_classes=3).tolist() == [[[1, 0, 0], [0, 0, 1]]]


def test_class_frequencies():
    assert np.allclose(class_frequencies([[0, 0, 1, 4]]), [0.5, 0.25, 0, 0, 0.25])
    assert np.array_equal(class_frequencies(np.zeros((0,), np.uint8)), np.zeros(5))
    voids = np.array([[0, 255, 1, 1], [255, 255, 0, 1]])
    assert np.allclose(class_frequencies(voids, num_classes=2, ignore_index=255), [0.4, 0.6])


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, bool])
def test_class_frequencies_refuses_integer_one_hot_masks(dtype):
    # read as labels, an integer one-hot mask would give the share of 0s and 1s, not of the classes
    masks = np.eye(5, dtype=dtype)[np.array([[0, 0, 1, 4], [2, 2, 2, 0]])]
    with pytest.raises(ValueError, match=r"one-hot.*to_labels\(masks, one_hot=True\)"):
        class_frequencies(masks)
    from helpers.metrics import to_labels

    assert np.allclose(class_frequencies(to_labels(masks, one_hot=True)), [3 / 8, 1 / 8, 3 / 8, 0, 1 / 8])


def test_class_frequencies_refuses_float_one_hot_masks_with_the_fix():
    with pytest.raises(ValueError, match=r"to_labels\(masks\)"):
        class_frequencies(one_hot([[0, 0, 1, 4]]))


def test_masks_saved_as_0_255_get_the_binary_fix_first():
    png_mask = np.array([[0, 255], [255, 0]], np.uint8)
    with pytest.raises(ValueError, match=r"mask // 255") as err:
        class_frequencies(png_mask, num_classes=2)
    assert "num_classes is too small" not in str(err.value) and "ignore_index=255 only if" in str(err.value)
    with pytest.raises(ValueError, match=r"mask // 255"):
        one_hot(png_mask, num_classes=2)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"split": "training"}, "Unknown split"),
        ({"split": "train", "size": 8}, "too small"),
        ({"split": "train", "size": 64.0}, "size must be an integer"),
        ({"split": "train", "num_classes": 3, "one_hot": True}, "num_classes=3"),
        ({"split": "train", "num_classes": 1}, "num_classes must be at least 2"),
    ],
)
def test_load_shapes_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_shapes(**kwargs)


@pytest.mark.parametrize(
    "args, match",
    [
        ((-1,), "non-negative"),
        ((2.5,), "non-negative"),
        ((4, {"size": 10}), "too small"),
        ((4, {"size": 64, "seed": -3}), "seed"),
    ],
)
def test_generate_shapes_bad_input(args, match):
    *n, options = args if isinstance(args[-1], dict) else (*args, {})
    with pytest.raises(ValueError, match=match):
        generate_shapes(*n, **options)


def test_helpers_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        one_hot([[0, 5]])
    with pytest.raises(ValueError, match="integer labels"):
        one_hot(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        class_frequencies([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="integer"):
        class_frequencies(np.array([0.5, 1.0]))


def test_class_frequencies_are_the_confusion_matrix_row_shares(label_pair):
    y_true, y_pred, c, cm = label_pair
    np.testing.assert_allclose(class_frequencies(y_true, num_classes=c), cm.sum(axis=1) / cm.sum())
    np.testing.assert_allclose(class_frequencies(y_pred, num_classes=c), cm.sum(axis=0) / cm.sum())
