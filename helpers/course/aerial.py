"""Real images: aerial photographs of Dubai with hand-drawn masks, found or downloaded once, and checked.

The dataset "Semantic segmentation of aerial imagery" by **Humans in the Loop and the Mohammed Bin Rashid
Space Centre (MBRSC)**, Dubai, CC0 1.0 (public domain). The course uses tiles 1-6: 54 JPEG photographs
(509 x 544 to 1126 x 1058 pixels, one size per tile) and 54 RGB (or palette) PNG masks. The course never
ships these files; :func:`data_folder` finds them, in this order:

1. the folder named by the environment variable ``IOU_LAB_AERIAL_DIR``;
2. ``../shared/data/aerial-dubai`` beside the repository (where the tests and CI find it);
3. the cache folder (:func:`cache_folder`), filled by an earlier download;
4. a download into the cache with **pooch**, from a public mirror pinned to one commit
   (:data:`BASE_URL`, the only place the address is written).

Every file is checked against the sha256 in ``aerial_registry.txt`` (108 names and hashes). pooch writes
each download to a temporary file and moves it into the cache only once its hash matches, so a failed or
partial download leaves nothing half-written behind; the error says which folder to put the files in
and where else to get them.

**The masks' colours are not the ones in the dataset's own ``classes.json``**: they were found by
counting the colours of every mask (notebook 08 shows how). :data:`PALETTE` maps each real colour to a
class index exactly; "Unlabeled" (#9B9B9B) and black (#000000, in no class list) are void (255). Any
other colour is an error that names it, the file and where it is.

Examples
--------
>>> mask = np.array([[[0x84, 0x29, 0xF6], [0xE2, 0xA9, 0x29]], [[0x9B, 0x9B, 0x9B], [0x6E, 0xC1, 0xE4]]], np.uint8)
>>> labels_from_colours(mask)
array([[  0,   1],
       [255,   4]], dtype=uint8)
>>> hex_colour((226, 169, 41))
'#E2A929'
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

__all__ = [
    "BASE_URL",
    "DATASET_PAGE",
    "ENV_VAR",
    "CLASS_NAMES",
    "PALETTE",
    "VOID",
    "VOID_COLOURS",
    "SHIPPED_CLASSES",
    "CREDIT",
    "registry",
    "cache_folder",
    "data_folder",
    "list_pairs",
    "hex_colour",
    "count_colours",
    "labels_from_colours",
    "load_pair",
    "SPLITS",
    "patches",
    "load_images",
    "load_split",
]

BASE_URL = (
    "https://raw.githubusercontent.com/Kaarti22/satellite-imagery/"
    "4943c52893442a9547e0f36fc69c354bd3244e95/Semantic%20segmentation%20dataset/"
)
"""The public mirror the course downloads from, pinned to one commit (a mirror can disappear: change it here)."""

DATASET_PAGE = "https://www.kaggle.com/datasets/humansintheloop/semantic-segmentation-of-aerial-imagery"
"""The publisher's own page for the dataset (Humans in the Loop), where to get it by hand."""

ENV_VAR = "IOU_LAB_AERIAL_DIR"
"""Environment variable naming a folder that holds the files (``Tile 1/images/...``), looked at first."""

CREDIT = "Aerial images and masks: Humans in the Loop and MBRSC (Mohammed Bin Rashid Space Centre), CC0 1.0."

CLASS_NAMES = ("land", "water", "building", "vegetation", "road")
"""Class ``k`` of the labels; land (unpaved area) is the largest class (about 39 % of the pixels)."""

PALETTE = ((0x84, 0x29, 0xF6), (0xE2, 0xA9, 0x29), (0x3C, 0x10, 0x98), (0xFE, 0xDD, 0x3A), (0x6E, 0xC1, 0xE4))
"""The masks' real colour of each class in :data:`CLASS_NAMES` order (not the colours of ``classes.json``)."""

SHIPPED_CLASSES = {
    "Water": "#50E3C2",
    "Land (unpaved area)": "#F5A623",
    "Road": "#DE597F",
    "Building": "#D0021B",
    "Vegetation": "#417505",
    "Unlabeled": "#9B9B9B",
}
"""What the dataset's own ``classes.json`` says (name: colour). Only "Unlabeled" is a colour the masks hold."""

VOID = 255
VOID_COLOURS = ((0x9B, 0x9B, 0x9B), (0x00, 0x00, 0x00))
"""Colours mapped to the void label: "Unlabeled" (#9B9B9B) and black (in no class list, a few pixels)."""

_REGISTRY_FILE = Path(__file__).with_name("aerial_registry.txt")
_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "aerial-dubai"


def registry() -> dict:
    """``{relative path: sha256}`` of the 108 files (54 images, 54 masks), from ``aerial_registry.txt``."""
    out = {}
    for line in _REGISTRY_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(None, 1)
            out[name.strip()] = digest
    return out


def cache_folder() -> Path:
    """Where downloads go: the user's cache (``pooch.os_cache``, e.g. ``~/.cache/iou-lab``) / aerial-dubai."""
    try:
        import pooch
    except ImportError:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "iou-lab"
    else:
        base = Path(pooch.os_cache("iou-lab"))
    return base / "aerial-dubai"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _complete(folder: Path, files: dict) -> bool:
    """True when every file is there with its hash; False when files are missing (a folder not filled)."""
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        return False
    wrong = [name for name, digest in files.items() if _sha256(folder / name) != digest]
    if wrong:
        raise ValueError(
            f"{len(wrong)} file(s) in {folder} do not match their sha256 (first: {wrong[0]!r}): the copy is damaged "
            f"or another version. Delete them and run again to download them, or copy the originals from "
            f"{DATASET_PAGE} (tiles 1-6)."
        )
    return True


def _help(folder: Path) -> str:
    return (
        f"Put the dataset's folders 'Tile 1' ... 'Tile 6' in {folder} (or in any folder named by the environment "
        f"variable {ENV_VAR}), from the publisher's page {DATASET_PAGE}, and run again."
    )


def data_folder(*, download: bool = True, base_url: str | None = None, cache: Path | str | None = None) -> Path:
    """The folder that holds all 108 files, checked; downloads them into the cache if no folder has them.

    Parameters
    ----------
    download : bool, default True
        False: only look (environment variable, shared folder, cache); raise if none is complete.
    base_url, cache : optional
        Another mirror or cache folder (tests use a local server; default :data:`BASE_URL`,
        :func:`cache_folder`).

    Raises
    ------
    FileNotFoundError
        No complete folder and ``download=False``; or the download failed (no network, a missing file, a
        wrong hash). The message names the folder to put the files in and where to get them.
    ValueError
        A folder has every file but one of them has the wrong hash.
    """
    files = registry()
    cache = Path(cache) if cache is not None else cache_folder()
    candidates = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
    candidates += [_SHARED, cache]
    for folder in candidates:
        if folder.is_dir() and _complete(folder, files):
            return folder
    if not download:
        raise FileNotFoundError(
            f"The aerial images are not here (looked in {', '.join(map(str, candidates))}). " + _help(cache)
        )
    try:
        import pooch
    except ImportError:
        raise FileNotFoundError(
            "Downloading the aerial images needs the package pooch, which is not installed "
            "(pip install pooch). Or: " + _help(cache)
        ) from None
    fetcher = pooch.create(
        path=cache, base_url=base_url or BASE_URL, registry={k: f"sha256:{v}" for k, v in files.items()}
    )
    todo = [name for name in files if not (cache / name).is_file()]
    print(
        f"Downloading {len(todo)} files of aerial images (about 11 MB for all 108) once, into {cache} ...", flush=True
    )
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # one line above instead of one per file
    try:
        for name in files:
            fetcher.fetch(name, progressbar=False)
    except Exception as exc:  # network, HTTP error, hash mismatch: pooch leaves no partial file in the cache
        raise FileNotFoundError(
            f"Downloading the aerial images from {base_url or BASE_URL} failed ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no message'}). " + _help(cache)
        ) from None
    finally:
        logger.setLevel(level)
    return cache


def list_pairs(folder) -> list[dict]:
    """``[{"tile": 1, "name": "image_part_001", "image": Path, "mask": Path}, ...]`` sorted by tile and name."""
    folder = Path(folder)
    pairs = []
    for name in sorted(registry()):
        if "/images/" not in name:
            continue
        tile = int(name.split("/")[0].split()[-1])
        stem = Path(name).stem
        pairs.append(
            {
                "tile": tile,
                "name": stem,
                "image": folder / name,
                "mask": folder / name.replace("/images/", "/masks/").replace(".jpg", ".png"),
            }
        )
    return sorted(pairs, key=lambda p: (p["tile"], p["name"]))


def hex_colour(rgb) -> str:
    """``(226, 169, 41)`` -> ``'#E2A929'``."""
    r, g, b = (int(v) for v in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def count_colours(masks) -> dict:
    """``{'#RRGGBB': pixel count}`` over RGB masks (one array or a list), most frequent first.

    The way to find a dataset's real palette: count what the masks hold, never trust a class file.

    >>> count_colours([np.array([[[1, 2, 3], [1, 2, 3]]], np.uint8)])
    {'#010203': 2}
    """
    if isinstance(masks, np.ndarray):
        masks = [masks]
    total = {}
    for m in masks:
        m = np.asarray(m)
        if m.ndim != 3 or m.shape[-1] < 3 or m.dtype != np.uint8:
            raise ValueError(f"count_colours needs RGB uint8 masks of shape (H, W, 3), got {m.dtype} {m.shape}.")
        codes = (m[..., 0].astype(np.int64) << 16) | (m[..., 1].astype(np.int64) << 8) | m[..., 2]
        values, counts = np.unique(codes.ravel(), return_counts=True)
        for v, c in zip(values.tolist(), counts.tolist()):
            key = hex_colour(((v >> 16) & 255, (v >> 8) & 255, v & 255))
            total[key] = total.get(key, 0) + c
    return dict(sorted(total.items(), key=lambda kv: -kv[1]))


def labels_from_colours(mask, *, palette=PALETTE, void_colours=VOID_COLOURS, where: str = "the mask") -> np.ndarray:
    """RGB mask ``(H, W, 3)`` uint8 -> labels ``(H, W)`` uint8: class ``k`` for ``palette[k]``, 255 for void.

    Exact colours only. Any other colour raises ``ValueError`` naming the colour, ``where`` (a file name),
    the first pixel (row, column) and how many pixels have an unknown colour.
    """
    m = np.asarray(mask)
    if m.ndim != 3 or m.shape[-1] != 3 or m.dtype != np.uint8:
        raise ValueError(
            f"{where}: need an RGB uint8 mask (H, W, 3), got {m.dtype} {m.shape} (convert palette PNGs "
            "to RGB first: Image.open(path).convert('RGB'))."
        )
    codes = (m[..., 0].astype(np.int32) << 16) | (m[..., 1].astype(np.int32) << 8) | m[..., 2]
    out = np.full(codes.shape, -1, dtype=np.int16)
    for k, col in enumerate(palette):
        out[codes == ((col[0] << 16) | (col[1] << 8) | col[2])] = k
    for col in void_colours:
        out[codes == ((col[0] << 16) | (col[1] << 8) | col[2])] = VOID
    unknown = out < 0
    if unknown.any():
        r, c = np.argwhere(unknown)[0]
        raise ValueError(
            f"{where}: colour {hex_colour(m[r, c])} at (row {r}, column {c}) is neither a class of the palette nor "
            f"void ({int(unknown.sum())} pixels have unknown colours). If it is a class's real colour, add it to the "
            "palette; if there are many colours between two classes' (blended edges), the mask was resized with "
            "interpolation or saved as JPEG: use the original PNG masks and resize them with nearest neighbour."
        )
    return out.astype(np.uint8)


def load_pair(pair: dict, *, size: int | None = None):
    """``(image, labels)`` of one pair: uint8 RGB ``(H, W, 3)`` and uint8 labels ``(H, W)`` with 255 void.

    ``size`` resizes both to ``size x size``: the image bilinearly, the mask by **nearest neighbour** only
    (an interpolated label is not a class). None keeps the labels' own resolution.
    """
    from PIL import Image

    with Image.open(pair["image"]) as im:
        image = im.convert("RGB")
    with Image.open(pair["mask"]) as im:
        mask = im.convert("RGB")
    if image.size != mask.size:
        raise ValueError(f"{pair['image']} is {image.size} but its mask is {mask.size}: not a pair.")
    if size is not None:
        image = image.resize((size, size), Image.BILINEAR)
        mask = mask.resize((size, size), Image.NEAREST)
    labels = labels_from_colours(np.asarray(mask), where=str(pair["mask"]))
    return np.asarray(image), labels


SPLITS = {"train": (3, 4, 5, 6), "val": (2,), "test": (1,)}
"""Tiles per split: different areas of the city never share a split. Validation and test tiles hold all
five classes (tile 1: land 62 %, water 14 %, building 5 %, vegetation 5 %, road 13 %; tile 2 similar);
the training tiles are the most varied (tile 4 is 40 % building, tile 6 32 % vegetation). Patches of one
photograph are neighbours that share light, season and buildings: split them at random and a model is
tested on near-copies of what it trained on."""


def patches(image, labels, *, size: int):
    """Cut ``(image, labels)`` into non-overlapping ``size x size`` patches (the remainder is dropped).

    >>> img = np.zeros((5, 9, 3), np.uint8); lab = np.zeros((5, 9), np.uint8)
    >>> x, y = patches(img, lab, size=4)
    >>> x.shape, y.shape
    ((2, 4, 4, 3), (2, 4, 4))
    """
    h, w = labels.shape
    rows, cols = h // size, w // size
    if rows == 0 or cols == 0:
        raise ValueError(f"a {h} x {w} image has no {size} x {size} patch: use a smaller patch size or scale.")
    img = image[: rows * size, : cols * size].reshape(rows, size, cols, size, -1).swapaxes(1, 2)
    lab = labels[: rows * size, : cols * size].reshape(rows, size, cols, size).swapaxes(1, 2)
    return img.reshape(-1, size, size, image.shape[-1]), lab.reshape(-1, size, size)


def load_images(split: str, *, scale: int = 4, folder=None) -> list[dict]:
    """The whole photographs of the tiles of ``split`` (:data:`SPLITS`), shrunk ``scale`` times, with both masks.

    Returns one dict per photograph: ``tile``, ``name``, ``image`` (uint8 RGB, shrunk bilinearly), ``labels``
    (the mask shrunk by nearest neighbour, 255 void) and ``labels_native`` (the mask at its own resolution).
    The shrunk size is ``(width // scale, height // scale)``; the native one is the file's.
    """
    from PIL import Image

    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}.")
    folder = Path(folder) if folder is not None else data_folder()
    out = []
    for pair in list_pairs(folder):
        if pair["tile"] not in SPLITS[split]:
            continue
        image, native = load_pair(pair)
        new = (image.shape[1] // scale, image.shape[0] // scale)
        small = np.asarray(Image.fromarray(image).resize(new, Image.BILINEAR))
        labels = np.asarray(Image.fromarray(native).resize(new, Image.NEAREST))  # labels as a grey image: exact
        out.append(
            {"tile": pair["tile"], "name": pair["name"], "image": small, "labels": labels, "labels_native": native}
        )
    return out


def load_split(split: str, *, scale: int = 4, size: int = 64, folder=None):
    """Patches of the tiles of ``split`` (:data:`SPLITS`): each photograph shrunk ``scale`` times (the
    image bilinearly, the mask by nearest neighbour, :func:`load_images`), then cut into ``size x size``
    patches.

    Returns ``(images, labels, tiles)``: float32 ``(N, size, size, 3)`` in [0, 1], uint8 labels
    ``(N, size, size)`` with 255 void, and the tile of each patch.
    """
    xs, ys, tiles = [], [], []
    for item in load_images(split, scale=scale, folder=folder):
        x, y = patches(item["image"], item["labels"], size=size)
        xs.append(x)
        ys.append(y)
        tiles += [item["tile"]] * len(x)
    return np.concatenate(xs).astype(np.float32) / 255.0, np.concatenate(ys), np.array(tiles)
