"""helpers.course.aerial: the real aerial images found, downloaded (from a local server here) and checked."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from helpers.course import aerial as A

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "aerial-dubai"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="the shared copy of the aerial images is not beside the repository"
)


def test_registry_lists_108_files_and_matches_the_datasets_own_sums():
    reg = A.registry()
    assert len(reg) == 108
    assert sum("/images/" in k for k in reg) == 54 == sum("/masks/" in k for k in reg)
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in reg.values())
    if SHARED.is_dir():
        sums = dict(line.split("  ./")[::-1] for line in (SHARED / "SHA256SUMS").read_text().splitlines())
        assert sums == reg


def test_colours_map_exactly_and_an_unknown_colour_is_named_with_its_place():
    mask = np.zeros((3, 4, 3), np.uint8)
    mask[...] = A.PALETTE[1]
    mask[0, 0] = A.PALETTE[4]
    mask[2, 3] = A.VOID_COLOURS[0]
    labels = A.labels_from_colours(mask)
    assert labels[0, 0] == 4 and labels[2, 3] == 255 and (labels[1] == 1).all()
    mask[1, 2] = (0x85, 0x29, 0xF6)  # one off from land's colour: a blended edge
    with pytest.raises(ValueError, match=r"colour #8529F6 at \(row 1, column 2\).*1 pixels.*nearest neighbour"):
        A.labels_from_colours(mask, where="tile.png")
    with pytest.raises(ValueError, match="convert palette PNGs"):
        A.labels_from_colours(mask[..., 0])


def test_the_datasets_classes_json_does_not_describe_the_masks():
    """Why the palette is ours: the colours of classes.json are not the masks' colours."""
    import json

    if not SHARED.is_dir():
        pytest.skip("no shared copy")
    classes = json.loads((SHARED / "classes.json").read_text())["classes"]
    shipped = {c["color"].upper() for c in classes}
    ours = {A.hex_colour(c) for c in A.PALETTE}
    assert not (shipped & ours)
    assert {c["title"]: c["color"].upper() for c in classes} == A.SHIPPED_CLASSES  # the copy notebook 08 shows


@needs_shared
def test_every_shared_mask_maps_and_the_class_shares_are_the_measured_ones(monkeypatch):
    monkeypatch.delenv(A.ENV_VAR, raising=False)
    folder = A.data_folder(download=False)
    counts = np.zeros(256, np.int64)
    for pair in A.list_pairs(folder):
        image, labels = A.load_pair(pair)
        assert image.shape[:2] == labels.shape and image.dtype == np.uint8
        counts += np.bincount(labels.ravel(), minlength=256)
    share = counts / counts.sum()
    # the dataset copy's README: land 39.1 %, water 31.1 %, building 11.9 %, vegetation 9.6 %, road 7.7 %, void 0.68 %
    np.testing.assert_allclose(100 * share[:5], [39.1, 31.1, 11.9, 9.6, 7.7], atol=0.06)
    assert 0.6 < 100 * share[255] < 0.75


@needs_shared
def test_resizing_keeps_masks_exact(monkeypatch):
    monkeypatch.delenv(A.ENV_VAR, raising=False)
    pair = A.list_pairs(A.data_folder(download=False))[0]
    image, labels = A.load_pair(pair, size=128)
    assert image.shape == (128, 128, 3) and labels.shape == (128, 128)
    assert set(np.unique(labels)) <= {0, 1, 2, 3, 4, 255}


# downloads, from a local server -----------------------------------------------------------------------------------
FILES = {"Tile 1/images/a.jpg": b"image bytes " * 50, "Tile 1/masks/a.png": b"mask bytes " * 40}


@pytest.fixture
def small_registry(monkeypatch, tmp_path):
    """Two small files instead of the 108, and no shared copy or environment folder to find them in."""
    reg = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
    monkeypatch.setattr(A, "registry", lambda: dict(reg))
    monkeypatch.setattr(A, "_SHARED", tmp_path / "no-shared-copy")
    monkeypatch.delenv(A.ENV_VAR, raising=False)
    return reg


@pytest.fixture
def server(tmp_path):
    """A local HTTP server over a folder holding FILES; counts the requests it answers."""
    root = tmp_path / "mirror"
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}/", "root": root, "requests": requests}
    httpd.shutdown()
    httpd.server_close()


def test_download_checks_hashes_then_reuses_the_cache(small_registry, server, tmp_path):
    cache = tmp_path / "cache"
    folder = A.data_folder(base_url=server["url"], cache=cache)
    assert folder == cache and (cache / "Tile 1/masks/a.png").read_bytes() == FILES["Tile 1/masks/a.png"]
    assert len(server["requests"]) == 2
    assert A.data_folder(base_url=server["url"], cache=cache) == cache
    assert len(server["requests"]) == 2  # found in the cache: nothing downloaded again


def test_a_partial_or_wrong_download_leaves_nothing_in_the_cache(small_registry, server, tmp_path):
    cache = tmp_path / "cache"
    truncated = FILES["Tile 1/masks/a.png"][:-7]
    (server["root"] / "Tile 1/masks/a.png").write_bytes(truncated)
    with pytest.raises(FileNotFoundError) as err:
        A.data_folder(base_url=server["url"], cache=cache)
    text = str(err.value)
    assert "failed" in text and str(cache) in text and A.DATASET_PAGE in text and A.ENV_VAR in text
    assert not (cache / "Tile 1/masks/a.png").exists()
    assert not [p for p in cache.rglob("*") if p.is_file() and p.name != "a.jpg"]


def test_no_network_says_where_to_put_the_files(small_registry, tmp_path):
    with pytest.raises(FileNotFoundError, match="Put the dataset's folders"):
        A.data_folder(base_url="http://127.0.0.1:9/", cache=tmp_path / "cache")  # port 9: nothing listens


def test_a_folder_from_the_environment_comes_first_and_a_damaged_copy_is_named(small_registry, monkeypatch, tmp_path):
    mine = tmp_path / "mine"
    for name, data in FILES.items():
        (mine / name).parent.mkdir(parents=True, exist_ok=True)
        (mine / name).write_bytes(data)
    monkeypatch.setenv(A.ENV_VAR, str(mine))
    assert A.data_folder(download=False, cache=tmp_path / "cache") == mine
    (mine / "Tile 1/images/a.jpg").write_bytes(b"other")
    with pytest.raises(ValueError, match="do not match their sha256"):
        A.data_folder(download=False, cache=tmp_path / "cache")
    shutil.rmtree(mine)
    with pytest.raises(FileNotFoundError, match="not here"):
        A.data_folder(download=False, cache=tmp_path / "cache")


@needs_shared
def test_splits_never_share_a_tile_and_patches_keep_exact_labels(monkeypatch):
    monkeypatch.delenv(A.ENV_VAR, raising=False)
    assert not set(A.SPLITS["train"]) & set(A.SPLITS["val"] + A.SPLITS["test"])
    assert not set(A.SPLITS["val"]) & set(A.SPLITS["test"])
    x, y, tiles = A.load_split("val", scale=4, size=64)
    assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1 and x.shape[1:] == (64, 64, 3)
    assert y.shape == x.shape[:3] and set(np.unique(y)) <= {0, 1, 2, 3, 4, 255}
    assert set(tiles) == set(A.SPLITS["val"])
    present = np.bincount(y[y != 255].ravel(), minlength=5)
    assert (present > 0).all()  # every class appears in the validation tile
    with pytest.raises(ValueError, match="split must be"):
        A.load_split("training")
