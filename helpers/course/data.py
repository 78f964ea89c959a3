"""A synthetic 5-class "shapes" dataset for semantic segmentation, generated offline.

Classes (see :data:`CLASS_NAMES`)::

    0 background   1 disc   2 square   3 triangle   4 line

The class of a pixel is defined by **geometry, not colour**: every shape gets a random
colour, and the background is a random colour gradient with a smooth random texture, all
under a smooth random illumination; a model has to learn shapes (round / four corners /
three corners / thin and long), not colours. Each image holds 0 to 3 shapes (so every image
lacks at least one class, and about 1 image in 20 is background only). Shapes vary in size
and orientation (triangles and lines at any angle, triangles irregular, squares tilted by up
to 20 degrees: a fully rotated small square is hard to tell from a disc), are placed apart
when possible but can overlap (the shape drawn later wins, in the image and in the mask) and
can touch the image border. The classes are imbalanced like real data (3 splits together)::

    background 87.5 %   disc 4.2 %   square 3.7 %   triangle 2.9 %   line 1.75 %

Lines are 1.8 to 3 pixels wide, so a one-pixel boundary error costs them a lot of IoU.

Splits (64 x 64 pixels, 1,500 images in all). Each split is generated from its own seed,
so the size of one split never changes the images of another::

    split   images  seed
    train   1000    0
    val      250    1
    test     250    2

For ``size=64`` the splits are read from ``data/shapes_64.npz`` (shipped with the course,
about 5 MB). Set the environment variable ``IOU_LAB_DATA_DIR`` to read and write the file in
another folder. The file's content is checked against :data:`SHAPES_64_SHA256`; a missing
file is regenerated (bit-identical arrays) and saved. Other sizes are generated on the fly
(about 0.7 s for 1,500 images of 64 x 64 on 2 CPU cores).

File format: a zip of ``.npy`` arrays (``np.load`` reads it), one pair per split:
``{split}_masks`` (uint8 labels, N x H x W) and ``{split}_residuals`` (uint8, N x H x W x 3):
the images stored as PNG-style prediction residuals, which deflate compresses 3x better
than raw pixels; ``load_shapes`` decodes them (lossless).

Determinism: the generator only draws uniform numbers from ``np.random.default_rng(seed)``
and only uses ``+ - * /``, ``sqrt``, comparisons and rounding (no ``sin``/``exp``, whose
last bit can differ between CPUs and maths libraries), so a seed should give the same bytes
on every platform; the tests check the shipped file against the generator.

Examples
--------
>>> from helpers.course.data import load_shapes, class_frequencies
>>> x_train, y_train = load_shapes("train")
>>> x_train.shape, x_train.dtype, y_train.shape, y_train.dtype
((1000, 64, 64, 3), dtype('float32'), (1000, 64, 64), dtype('uint8'))
>>> class_frequencies(y_train).round(3)
array([0.874, 0.042, 0.036, 0.029, 0.017])
"""

from __future__ import annotations

import hashlib
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np

from helpers._validation import as_labels, check_ignore_index, check_num_classes, check_range

CLASS_NAMES = ("background", "disc", "square", "triangle", "line")
"""Names of the 5 classes of the shapes dataset (index = label)."""

__all__ = [
    "CLASS_NAMES",
    "NUM_CLASSES",
    "SPLITS",
    "SHAPES_64_SHA256",
    "generate_shapes",
    "load_shapes",
    "one_hot",
    "class_frequencies",
    "data_dir",
    "content_sha256",
]

NUM_CLASSES = 5
"""Number of classes: background + disc, square, triangle, line."""

SPLITS = {"train": (1000, 0), "val": (250, 1), "test": (250, 2)}
"""``split -> (number of images, seed)``."""

MIN_SIZE = 16
"""Smallest image side accepted (shapes are drawn relative to a 64-pixel image)."""

FILE_NAME = "shapes_{size}.npz"
SHIPPED_SIZE = 64

SHAPES_64_SHA256 = "5260453a8dfecac0265e66b621bd1c2749aebc1371f9b211936ed3ca8cf0b8e1"
"""SHA-256 of the *content* of ``data/shapes_64.npz`` (see :func:`content_sha256`).

The hash covers the arrays (names, dtypes, shapes and bytes), not the zip file: the
compressed bytes of a zip can differ between zlib builds even for identical arrays.
"""

MAX_SHAPES = 3
_N_SHAPES_P = (0.05, 0.20, 0.35, 0.40)  # P(0, 1, 2, 3 shapes in an image)
_CLASS_P = (0.22, 0.22, 0.22, 0.34)  # P(disc, square, triangle, line) for each shape
_MIN_CENTER_DIST = 0.33  # preferred distance between shape centres, in image sides
_SQUARE_MAX_TILT_TAN = 0.364  # tan(20 degrees)
_CHUNK = 250  # images rendered at a time (bounds memory; results do not depend on it)


# ----------------------------------------------------------------------------- helpers
def _check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"size must be an integer number of pixels (e.g. 64), got {size!r}.")
    if size < MIN_SIZE:
        raise ValueError(
            f"size={size} is too small: shapes need at least {MIN_SIZE} x {MIN_SIZE} pixels. "
            f"Use size >= {MIN_SIZE} (the course uses 64)."
        )
    return int(size)


def _unit_vectors(rng: np.random.Generator, shape) -> tuple[np.ndarray, np.ndarray]:
    """Uniformly random unit vectors (cos, sin) without trigonometry (rejection sampling).

    16 candidates per vector in [-1, 1]^2; the first one inside the unit disc (and not
    too close to 0) is normalised. All 16 fail with probability ~1e-11 (then (1, 0)).
    """
    cand = rng.random((*shape, 16, 2)) * 2.0 - 1.0
    r2 = cand[..., 0] ** 2 + cand[..., 1] ** 2
    ok = (r2 <= 1.0) & (r2 >= 1e-4)
    first = np.argmax(ok, axis=-1)
    any_ok = ok.any(axis=-1)
    pick = np.take_along_axis(cand, first[..., None, None], axis=-2)[..., 0, :]
    norm = np.sqrt(pick[..., 0] ** 2 + pick[..., 1] ** 2)
    c = np.where(any_ok, pick[..., 0] / np.where(any_ok, norm, 1.0), 1.0)
    s = np.where(any_ok, pick[..., 1] / np.where(any_ok, norm, 1.0), 0.0)
    return c, s


def _upsample_bilinear(lattice: np.ndarray, size: int) -> np.ndarray:
    """Smooth fields of shape (n, size, size) from (n, g, g) random lattices (bilinear)."""
    grid = lattice.shape[-1]
    pos = (np.arange(size) + 0.5) * ((grid - 1) / size)
    i0 = np.minimum(pos.astype(np.int64), grid - 2)
    f = pos - i0
    rows = lattice[:, i0, :] * (1.0 - f)[None, :, None] + lattice[:, i0 + 1, :] * f[None, :, None]
    return rows[:, :, i0] * (1.0 - f)[None, None, :] + rows[:, :, i0 + 1] * f[None, None, :]


def _draw_parameters(n: int, size: int, rng: np.random.Generator) -> dict:
    """All random numbers of a dataset, drawn up front in a fixed order (float64)."""
    s = size / 64.0
    p = {}
    p["n_shapes"] = rng.choice(MAX_SHAPES + 1, size=n, p=_N_SHAPES_P)
    p["cls"] = 1 + rng.choice(NUM_CLASSES - 1, size=(n, MAX_SHAPES), p=_CLASS_P)
    # centres: first of 8 candidates that is far enough from the earlier shapes' centres
    # (shapes still overlap sometimes: large ones, or when no candidate is far enough)
    cand = (0.12 + 0.76 * rng.random((n, MAX_SHAPES, 8, 2))) * size
    center = cand[:, :, 0, :].copy()
    for k in range(1, MAX_SHAPES):
        d2 = ((cand[:, k, :, None, :] - center[:, None, :k, :]) ** 2).sum(-1).min(-1)
        first = np.argmax(d2 >= (_MIN_CENTER_DIST * size) ** 2, axis=-1)
        center[:, k] = np.take_along_axis(cand[:, k], first[:, None, None], axis=1)[:, 0]
    p["center"] = center
    p["dir_c"], p["dir_s"] = _unit_vectors(rng, (n, MAX_SHAPES))
    u = rng.random((n, MAX_SHAPES, 4))
    p["disc_r"] = (6.0 + 9.0 * u[..., 0]) * s
    p["square_h"] = (5.0 + 7.5 * u[..., 0]) * s
    p["tri_r"] = (9.0 + 11.0 * u[..., 0]) * s
    p["tri_jitter"] = 0.8 + 0.35 * u[..., 1:4]  # per-vertex radius factor -> irregular triangles
    p["line_half_len"] = (16.0 + 18.0 * u[..., 0]) * s
    p["line_half_w"] = 0.9 + 0.6 * u[..., 1]  # 1.8 to 3 px wide, at any size
    # colours: background = gradient between two random colours, shapes = random colours
    # that differ enough from the background's mean colour (first of 8 candidates)
    p["bg_a"] = rng.random((n, 3))
    p["bg_b"] = rng.random((n, 3))
    p["bg_dir_c"], p["bg_dir_s"] = _unit_vectors(rng, (n,))
    cand = rng.random((n, MAX_SHAPES, 8, 3))
    bg_mean = 0.5 * (p["bg_a"] + p["bg_b"])
    dist2 = ((cand - bg_mean[:, None, None, :]) ** 2).sum(axis=-1)
    first = np.argmax(dist2 >= 0.35**2, axis=-1)
    p["colour"] = np.take_along_axis(cand, first[..., None, None], axis=-2)[..., 0, :]
    # background texture (additive) and illumination (multiplicative, also shades shapes)
    p["tex_amp"] = 0.025 + 0.05 * rng.random(n)
    p["tex"] = rng.random((n, 9, 9))
    p["light_amp"] = 0.10 + 0.20 * rng.random(n)
    p["light"] = rng.random((n, 4, 4))
    # squares are only tilted a little (a fully rotated small square looks much like a disc):
    # unit vector (1, t) / |(1, t)| with t uniform in [-tan(max tilt), tan(max tilt)]
    t = (2.0 * rng.random((n, MAX_SHAPES)) - 1.0) * _SQUARE_MAX_TILT_TAN
    p["tilt_c"] = 1.0 / np.sqrt(1.0 + t * t)
    p["tilt_s"] = t * p["tilt_c"]
    return p


def _render(p: dict, lo: int, hi: int, size: int):
    """Render images [lo, hi) (float32 in [0, 1], before quantisation) and their masks."""
    m = hi - lo
    coords = np.arange(size, dtype=np.float32) + np.float32(0.5)  # pixel centres
    ys = coords[None, :, None]
    xs = coords[None, None, :]

    # background: linear gradient between two colours + smooth texture
    t = (xs - size / 2) * p["bg_dir_c"][lo:hi, None, None].astype(np.float32) + (ys - size / 2) * p["bg_dir_s"][
        lo:hi, None, None
    ].astype(np.float32)
    t = np.clip(t / np.float32(size) + np.float32(0.5), 0.0, 1.0)[..., None]  # (m, H, W, 1)
    a = p["bg_a"][lo:hi, None, None, :].astype(np.float32)
    b = p["bg_b"][lo:hi, None, None, :].astype(np.float32)
    img = a + (b - a) * t
    tex = _upsample_bilinear(p["tex"][lo:hi], size).astype(np.float32) - np.float32(0.5)
    img = img + (p["tex_amp"][lo:hi, None, None, None] * 2).astype(np.float32) * tex[..., None]

    mask = np.zeros((m, size, size), dtype=np.uint8)
    for k in range(MAX_SHAPES):
        active = p["n_shapes"][lo:hi] > k
        for cls in range(1, NUM_CLASSES):
            idx = np.nonzero(active & (p["cls"][lo:hi, k] == cls))[0]
            if idx.size == 0:
                continue
            g = idx + lo  # rows in the parameter arrays

            def par(name, *extra, g=g, k=k):
                v = p[name][(g, k, *extra)] if extra else p[name][g, k]
                return v.astype(np.float32)[:, None, None]

            dx = xs - par("center", 0)
            dy = ys - par("center", 1)
            c, s = par("dir_c"), par("dir_s")
            if cls == 1:  # disc
                r = par("disc_r")
                inside = dx * dx + dy * dy <= r * r
            elif cls == 2:  # slightly tilted square
                h = par("square_h")
                c, s = par("tilt_c"), par("tilt_s")
                u = dx * c + dy * s
                v = -dx * s + dy * c
                inside = (np.abs(u) <= h) & (np.abs(v) <= h)
            elif cls == 3:  # irregular triangle: vertices at 0, 120, 240 degrees (+ rotation)
                r = par("tri_r")
                c120, s120 = np.float32(-0.5), np.float32(np.sqrt(np.float32(3.0)) / 2)
                vc = [c, c * c120 - s * s120, c * c120 + s * s120]
                vs = [s, s * c120 + c * s120, s * c120 - c * s120]
                vx = [vc[j] * r * par("tri_jitter", j) for j in range(3)]
                vy = [vs[j] * r * par("tri_jitter", j) for j in range(3)]
                e = []
                for j in range(3):
                    j2 = (j + 1) % 3
                    e.append((vx[j2] - vx[j]) * (dy - vy[j]) - (vy[j2] - vy[j]) * (dx - vx[j]))
                inside = ((e[0] >= 0) & (e[1] >= 0) & (e[2] >= 0)) | ((e[0] <= 0) & (e[1] <= 0) & (e[2] <= 0))
            else:  # thin line: a long rectangle, 1.8 to 3 px wide
                along = dx * c + dy * s
                across = -dx * s + dy * c
                inside = (np.abs(along) <= par("line_half_len")) & (np.abs(across) <= par("line_half_w"))
            colour = p["colour"][g, k].astype(np.float32)[:, None, None, :]
            sub = img[idx]
            img[idx] = np.where(inside[..., None], colour, sub)
            mask[idx] = np.where(inside, np.uint8(cls), mask[idx])

    # smooth global illumination (multiplicative: shades background and shapes alike)
    light = _upsample_bilinear(p["light"][lo:hi], size).astype(np.float32) - np.float32(0.5)
    light_amp = (p["light_amp"][lo:hi, None, None, None] * 2).astype(np.float32)
    img = img * (1 + light_amp * light[..., None])
    return img, mask


# ----------------------------------------------------------------------------- public API
def generate_shapes(n: int, *, size: int = 64, seed: int = 0, as_uint8: bool = False):
    """Generate ``n`` images of random shapes and their segmentation masks.

    Parameters
    ----------
    n : int
        Number of images (>= 0).
    size : int, default 64
        Image side in pixels (>= 16). Shape sizes scale with ``size``; lines stay 1.8-3 px wide.
    seed : int, default 0
        Seed of ``np.random.default_rng``: same ``(n, size, seed)``, same bytes.
    as_uint8 : bool, default False
        Return the images as uint8 in [0, 255] (how they are stored) instead of float32.

    Returns
    -------
    images : np.ndarray, float32, shape (n, size, size, 3)
        RGB in [0, 1], quantised to multiples of 1/255 (so they survive storage as uint8
        exactly).
    masks : np.ndarray, uint8, shape (n, size, size)
        Class labels 0..4 (background, disc, square, triangle, line).

    Notes
    -----
    All random parameters are drawn up front for the ``n`` images, so the first images
    of ``generate_shapes(1000)`` differ from ``generate_shapes(10)``: a dataset is defined
    by ``(n, size, seed)``. Speed: ~0.7 s for 1,500 images of 64 x 64 on 2 CPU cores.

    Examples
    --------
    >>> x, y = generate_shapes(4, size=32, seed=7)
    >>> x.shape, x.dtype, y.shape, y.dtype
    ((4, 32, 32, 3), dtype('float32'), (4, 32, 32), dtype('uint8'))
    >>> int(y.max()) <= 4 and 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer (number of images), got {n!r}.")
    size = _check_size(size)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    n = int(n)
    rng = np.random.default_rng(int(seed))
    p = _draw_parameters(n, size, rng)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.empty((n, size, size), dtype=np.uint8)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        img, msk = _render(p, lo, hi, size)
        np.clip(img, 0.0, 1.0, out=img)
        img *= np.float32(255.0)
        images[lo:hi] = np.rint(img).astype(np.uint8)
        masks[lo:hi] = msk
    if as_uint8:
        return images, masks
    return _to_float(images), masks


def _to_float(images_u8: np.ndarray) -> np.ndarray:
    return images_u8.astype(np.float32) / np.float32(255.0)


def one_hot(masks, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """One-hot encode integer label masks.

    Parameters
    ----------
    masks : array_like of int, shape (...)
        Labels in ``0 .. num_classes - 1``.
    num_classes : int, default 5

    Returns
    -------
    np.ndarray, float32, shape (..., num_classes)

    Examples
    --------
    >>> one_hot([[0, 2]], num_classes=3)
    array([[[1., 0., 0.],
            [0., 0., 1.]]], dtype=float32)
    """
    num_classes = check_num_classes(num_classes)
    masks = np.asarray(masks)
    if masks.size and not np.issubdtype(masks.dtype, np.integer):
        raise ValueError(
            f"masks must hold integer labels, got dtype {masks.dtype}. "
            "If they are already one-hot, take np.argmax(masks, axis=-1) first."
        )
    check_range(masks, "masks", num_classes, may_ignore=False)
    return np.eye(num_classes, dtype=np.float32)[masks.astype(np.intp)]


_one_hot = one_hot  # load_shapes has a parameter called one_hot


def class_frequencies(masks, *, num_classes: int = NUM_CLASSES, ignore_index: int | None = None) -> np.ndarray:
    """Fraction of pixels of each class: the first thing to look at in a new dataset.

    Parameters
    ----------
    masks : array_like of int
        Integer label maps (any shape), as the input policy of ``helpers/_validation.py`` defines
        them. One-hot masks are refused with a pointer to ``helpers.metrics.to_labels`` (float ones
        as floats, integer ones because they would be misread as labels).
    num_classes : int, default 5
    ignore_index : int, optional
        A label outside ``[0, num_classes)`` (e.g. 255) marking void pixels, left out of the counts.

    Returns
    -------
    np.ndarray, float64, shape (num_classes,), summing to 1 (all zeros if there are no pixels).

    Examples
    --------
    >>> class_frequencies([[0, 0, 1, 4]])
    array([0.5 , 0.25, 0.  , 0.  , 0.25])
    >>> class_frequencies([[0, 255, 1, 1]], num_classes=2, ignore_index=255)
    array([0.33333333, 0.66666667])
    """
    num_classes = check_num_classes(num_classes)
    ignore_index = check_ignore_index(ignore_index, num_classes)
    masks = np.asarray(masks)
    if masks.size == 0:
        return np.zeros(num_classes)
    masks = as_labels(masks, "masks", num_classes)
    check_range(masks, "masks", num_classes, ignore_index)
    labels = masks.ravel()
    if ignore_index is not None:
        labels = labels[labels != ignore_index]
    counts = np.bincount(labels.astype(np.intp), minlength=num_classes).astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts


# ----------------------------------------------------------------------------- storage
def data_dir() -> Path:
    """Folder of the dataset file: ``$IOU_LAB_DATA_DIR`` if set, else ``<repo>/data``."""
    env = os.environ.get("IOU_LAB_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[2] / "data"


def content_sha256(arrays: dict) -> str:
    """SHA-256 over the arrays' names, dtypes, shapes and bytes (sorted by name).

    Used instead of the file's hash because zip/zlib output may differ between builds.
    """
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}|{a.dtype.str}|{a.shape}\n".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _encode_images(images_u8: np.ndarray) -> np.ndarray:
    """PNG-style prediction residuals (mod 256) of uint8 images (N, H, W, C): each value minus
    (left + up - up-left). Smooth backgrounds give residuals near 0, which deflate compresses
    ~3x better than raw pixels. Lossless: see :func:`_decode_images`."""
    x = images_u8.astype(np.int16)
    r = np.diff(np.diff(x, axis=2, prepend=0), axis=1, prepend=0)
    return (r & 0xFF).astype(np.uint8)


def _decode_images(residuals_u8: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_encode_images` (uint8 cumulative sums wrap modulo 256)."""
    return np.cumsum(np.cumsum(residuals_u8, axis=1, dtype=np.uint8), axis=2, dtype=np.uint8)


def _generate_all_splits(size: int) -> dict:
    """The arrays stored in ``shapes_{size}.npz``: ``{split}_residuals`` (encoded images,
    see :func:`_encode_images`) and ``{split}_masks`` (uint8 labels) for each split."""
    arrays = {}
    for split, (n, seed) in SPLITS.items():
        x, y = generate_shapes(n, size=size, seed=seed, as_uint8=True)
        arrays[f"{split}_residuals"] = _encode_images(x)
        arrays[f"{split}_masks"] = y
    return arrays


def _save_npz(path: Path, arrays: dict) -> None:
    """Like ``np.savez_compressed`` but with fixed zip timestamps, so the bytes are
    reproducible; written to a temporary file then renamed (no half-written file)."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        # deflate at zlib's default level (9 is ~10x slower on these residuals for 6 % less)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for key in sorted(arrays):
                info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with zf.open(info, "w", force_zip64=True) as fid:
                    array = np.ascontiguousarray(arrays[key])
                    np.lib.format.write_array(fid, array, allow_pickle=False)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _load_npz(path: Path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except Exception as exc:  # truncated zip, bad header, ...
        raise ValueError(
            f"{path} is corrupt or not a dataset file ({type(exc).__name__}: {exc}). "
            "Delete it and call load_shapes again to regenerate it."
        ) from exc


_CACHE: dict = {}  # (path, mtime_ns, bytes) -> decoded arrays of the last file read


def _decoded(arrays: dict) -> dict:
    return {split: (_decode_images(arrays[f"{split}_residuals"]), arrays[f"{split}_masks"]) for split in SPLITS}


def _shipped_splits(size: int) -> dict:
    """``split -> (images uint8, masks uint8)`` for the shipped size: read from the file
    (content checked against :data:`SHAPES_64_SHA256`), or regenerated and saved if missing."""
    path = data_dir() / FILE_NAME.format(size=size)
    if path.exists():
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
        if key in _CACHE:
            return _CACHE[key]
        arrays = _load_npz(path)
        expected = {f"{s}_{kind}" for s in SPLITS for kind in ("residuals", "masks")}
        digest = content_sha256(arrays)
        if set(arrays) != expected or digest != SHAPES_64_SHA256:
            raise ValueError(
                f"{path} is corrupt or stale: its content SHA-256 is {digest[:12]}..., expected "
                f"{SHAPES_64_SHA256[:12]}... (helpers.course.data.SHAPES_64_SHA256). Delete the file and "
                "call load_shapes again to regenerate it (or restore it with `git checkout data/`)."
            )
        _CACHE.clear()
        _CACHE[key] = _decoded(arrays)
        return _CACHE[key]

    arrays = _generate_all_splits(size)
    digest = content_sha256(arrays)
    if digest != SHAPES_64_SHA256:
        # not expected (the generator avoids platform-dependent maths); do not save a file
        # that the next load would reject
        warnings.warn(
            f"The regenerated shapes dataset differs from the reference (content SHA-256 "
            f"{digest[:12]}... instead of {SHAPES_64_SHA256[:12]}...): NumPy's random streams may "
            "have changed. Using it without saving it; restore data/shapes_64.npz from the course "
            "repository to get the reference data.",
            RuntimeWarning,
            stacklevel=3,
        )
        return _decoded(arrays)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _save_npz(path, arrays)
    except OSError:
        pass  # read-only location: just return the arrays
    return _decoded(arrays)


def load_shapes(split: str, *, size: int = 64, one_hot: bool = False, num_classes: int = NUM_CLASSES):
    """Load one split of the shapes dataset.

    Parameters
    ----------
    split : {"train", "val", "test"}
        1000, 250 and 250 images (seeds 0, 1, 2).
    size : int, default 64
        Image side. 64 reads ``data/shapes_64.npz`` (checked against
        :data:`SHAPES_64_SHA256`; regenerated and saved if missing); other sizes (>= 16) are
        generated on the fly.
    one_hot : bool, default False
        Return one-hot float32 masks of shape (N, H, W, num_classes) instead of labels.
    num_classes : int, default 5
        Only used with ``one_hot=True``; must be at least 5 (the dataset's classes).

    Returns
    -------
    images : np.ndarray, float32, shape (N, H, W, 3), values in [0, 1]
    masks : np.ndarray, uint8 (N, H, W) labels 0..4, or float32 (N, H, W, num_classes)

    Raises
    ------
    ValueError
        Unknown split, bad size or num_classes, or a corrupt/stale data file (the message
        says to delete it so that it is regenerated).

    Examples
    --------
    >>> x_val, y_val = load_shapes("val", one_hot=True)
    >>> x_val.shape, y_val.shape
    ((250, 64, 64, 3), (250, 64, 64, 5))
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}: use one of {sorted(SPLITS)}.")
    size = _check_size(size)
    num_classes = check_num_classes(num_classes)
    if num_classes < NUM_CLASSES:
        raise ValueError(
            f"num_classes={num_classes} is smaller than the dataset's {NUM_CLASSES} classes; "
            f"use num_classes={NUM_CLASSES}."
        )
    if size == SHIPPED_SIZE:
        images_u8, masks = _shipped_splits(size)[split]
    else:
        n, seed = SPLITS[split]
        images_u8, masks = generate_shapes(n, size=size, seed=seed, as_uint8=True)
    images = _to_float(images_u8)
    masks = masks.copy()  # never hand out the cached arrays
    if one_hot:
        return images, _one_hot(masks, num_classes)
    return images, masks
