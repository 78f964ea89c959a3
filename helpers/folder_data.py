"""Your own data: a folder of images and masks, loaded into ``tf.data`` at the question's 224 x 224.

The layout is the common one (Pascal VOC, Oxford-IIIT Pet, most Kaggle sets), one mask per image with the
same file stem::

    my_data/
        images/   0001.jpg  0002.jpg ...     (PNG or JPEG, any size, RGB)
        masks/    0001.png  0002.png ...     (PNG: class indices, or colours)

Masks come in two kinds:

- **class indices** (a single-channel PNG whose pixel values are the labels ``0 .. C-1``), with a void
  value (255 by default) for pixels to leave out; ``label_map`` renames other encodings (Oxford-IIIT Pet
  trimaps: ``{1: 1, 2: 0, 3: 255}``, pet / background / border);
- **colours** (an RGB PNG, or a palette PNG as in Pascal VOC: TensorFlow decodes both to colours),
  with ``palette`` giving the colour of each class and ``void_colour`` that of void pixels.

:func:`load_folder` yields ``(images, masks)`` batches: float32 images ``(B, 224, 224, 3)`` in [0, 1] and,
like the question, one-hot float32 masks ``(B, 224, 224, C)``, where a void pixel is an all-zero row
(``StreamingMeanIoU(..., ignore_index=255)`` leaves those out); or label maps ``(B, 224, 224)`` with
``one_hot=False``. Images are resized bilinearly, masks by nearest neighbour (a mask must never be
interpolated: the mean of labels 1 and 3 is not class 2). Files are read in sorted order, batch by batch,
so the data never has to fit in memory.

:func:`load_oxford_pet` loads the real Oxford-IIIT Pet dataset through ``tensorflow_datasets`` where it is
installed and can download (e.g. on Colab). (The course's own demo folder, the shapes written as PNG, is
:func:`helpers.course.folder_demo.write_shapes_folder`.)

Examples
--------
A folder of two 32 x 40 images with index masks (class 1 in a rectangle), read at 224 x 224:

>>> import tempfile
>>> from pathlib import Path
>>> import numpy as np, tensorflow as tf
>>> root = Path(tempfile.mkdtemp())
>>> for sub in ("images", "masks"):
...     (root / sub).mkdir()
>>> mask = np.zeros((32, 40, 1), np.uint8)
>>> mask[8:20, 10:30] = 1
>>> for i in range(2):
...     _ = tf.io.write_file(str(root / "images" / f"{i}.png"), tf.io.encode_png(np.full((32, 40, 3), 80, np.uint8)))
...     _ = tf.io.write_file(str(root / "masks" / f"{i}.png"), tf.io.encode_png(mask))
>>> [p.name for p in list_pairs(root)[0]]
['0.png', '0.png']
>>> images, masks = next(iter(load_folder(root, num_classes=2, batch_size=2)))
>>> tuple(images.shape), tuple(masks.shape), masks.dtype.name
((2, 224, 224, 3), (2, 224, 224, 2), 'float32')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers._validation import check_num_classes

__all__ = [
    "SIZE",
    "VOID",
    "VOID_COLOUR",
    "PET_CLASS_NAMES",
    "PET_LABEL_MAP",
    "void_band",
    "list_pairs",
    "load_folder",
    "pet_pair",
    "load_oxford_pet",
]

SIZE = 224
"""The question's image size (224 x 224)."""
VOID = 255
"""The void label of index masks (Pascal VOC's convention)."""
"""Colours of the 5 shape classes in colour masks (background, disc, square, triangle, line)."""
VOID_COLOUR = (255, 255, 255)
"""Colour of void pixels in colour masks."""
PET_CLASS_NAMES = ("background", "pet")
PET_LABEL_MAP = {1: 1, 2: 0, 3: VOID}
"""Oxford-IIIT Pet trimaps: 1 pet, 2 background, 3 border (void)."""

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


# --------------------------------------------------------------------------------------------
# writing a folder
# --------------------------------------------------------------------------------------------
def void_band(masks, *, width: int = 3) -> np.ndarray:
    """Background pixels within ``width`` pixels of an object (8-neighbours): a void ring around objects.

    Oxford-IIIT Pet trimaps and Pascal VOC masks mark a band along object outlines as void, because
    those pixels are ambiguous. Here the ring lies on the background side of the outline only, so that
    objects keep all their pixels (the shapes' lines are 2-3 pixels wide and would vanish otherwise).

    Parameters
    ----------
    masks : array_like of int, shape (H, W) or (B, H, W); 0 is background
    width : int, default 3

    Returns
    -------
    ndarray of bool, same shape

    Examples
    --------
    >>> m = np.zeros((1, 7, 7), int); m[0, 3, 3] = 1
    >>> int(void_band(m, width=1).sum()), int(void_band(m, width=2).sum())
    (8, 24)
    """
    masks = np.asarray(masks)
    if masks.ndim not in (2, 3) or not np.issubdtype(masks.dtype, np.integer):
        raise ValueError(f"masks must be integer label maps (H, W) or (B, H, W), got {masks.dtype} {masks.shape}.")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be an int >= 1 (pixels around each object), got {width!r}.")
    objects = masks > 0
    h, w = objects.shape[-2:]
    grown = objects
    for _ in range(int(width)):
        p = np.pad(grown, [(0, 0)] * (grown.ndim - 2) + [(1, 1), (1, 1)])
        step = np.zeros_like(grown)
        for i in range(3):
            for j in range(3):
                step |= p[..., i : i + h, j : j + w]
        grown = step
    return grown & ~objects


# --------------------------------------------------------------------------------------------
# reading a folder
# --------------------------------------------------------------------------------------------
def list_pairs(root) -> list:
    """Matching ``(image, mask)`` paths of ``root/images`` and ``root/masks``, sorted by file stem.

    Raises ``ValueError`` naming what is missing: a folder, any image, or a mask for an image.
    """
    root = Path(root)
    for sub in ("images", "masks"):
        if not (root / sub).is_dir():
            raise ValueError(
                f"{root / sub} is not a folder: expected {root}/images/ and {root}/masks/, one mask "
                "(PNG) per image with the same file name stem (0001.jpg <-> 0001.png)."
            )
    images = {p.stem: p for p in sorted((root / "images").iterdir()) if p.suffix.lower() in _IMAGE_SUFFIXES}
    masks = {p.stem: p for p in sorted((root / "masks").iterdir()) if p.suffix.lower() == ".png"}
    if not images:
        raise ValueError(f"no .png/.jpg images in {root / 'images'}.")
    missing = sorted(set(images) - set(masks))
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise ValueError(
            f"{len(missing)} image(s) have no mask in {root / 'masks'} (by file stem): {shown}. "
            "Each image needs a PNG mask of the same stem (masks must be lossless: no JPEG)."
        )
    return [(images[s], masks[s]) for s in sorted(images)]


def _lookup_table(num_classes: int, label_map, void_value: int) -> np.ndarray:
    table = np.full(256, -1, dtype=np.int32)
    if label_map is None:
        table[:num_classes] = np.arange(num_classes)
        table[void_value] = VOID
    else:
        for raw, label in dict(label_map).items():
            if not (0 <= int(raw) < 256) or not (0 <= int(label) < num_classes or int(label) == VOID):
                raise ValueError(
                    f"label_map entry {raw}: {label} is out of range: keys are mask values 0..255, "
                    f"values classes 0..{num_classes - 1} or {VOID} (void)."
                )
            table[int(raw)] = int(label)
    return table


def _labels_from_mask(mask, num_classes, table, palette, void_colour, path=None):
    """Mask tensor (H, W, channels) uint8 -> int32 labels (H, W), void = 255; asserts on unknown values.

    The error names the file (``path``, a string tensor), the first unknown value or colour, where it is
    (row, column) and how many pixels have one.
    """
    import tensorflow as tf

    if palette is None:
        labels = tf.gather(tf.constant(table), tf.cast(mask[..., 0], tf.int32))
        what = (
            f"a mask value that is neither a class (0..{num_classes - 1}) nor void: pass label_map={{value: class}} "
            "(e.g. Oxford-IIIT Pet trimaps: {1: 1, 2: 0, 3: 255})"
        )
    else:
        colours = list(palette) + ([tuple(void_colour)] if void_colour is not None else [])
        codes = tf.constant([list(col) for col in colours], tf.int32)  # (K, 3)
        rgb = tf.cast(mask[..., :3], tf.int32)
        match = tf.reduce_all(rgb[..., None, :] == codes, axis=-1)  # (H, W, K)
        found = tf.reduce_any(match, axis=-1)
        index = tf.argmax(tf.cast(match, tf.int32), axis=-1, output_type=tf.int32)
        labels = tf.where(index >= len(palette), VOID, index)
        labels = tf.where(found, labels, -1)
        what = (
            "a mask colour that is in neither palette nor void_colour. If it is a class's real colour, add it (or "
            "fix the palette's order). If it is one of many colours between two classes' (blended edges), the mask "
            "was resized with interpolation or saved as JPEG: use the original PNG masks and resize them with "
            "nearest neighbour"
        )
    unknown = labels < 0
    where = tf.cast(tf.where(unknown), tf.int32)  # (n, 2): row, column of every unknown pixel
    first = tf.concat([where, tf.zeros((1, 2), tf.int32)], axis=0)[0]  # (0, 0) when there is none
    value = tf.cast(mask, tf.int32)[first[0], first[1]]
    tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(unknown)),
        [
            f"Found {what}. File:",
            path if path is not None else "(a mask)",
            "first unknown value (r, g, b) or index:",
            value,
            "at (row, column):",
            first,
            "pixels with unknown values:",
            tf.shape(where)[0],
        ],
        summarize=8,
        name="unknown_mask_values",
    )
    return labels


def load_folder(
    root,
    *,
    num_classes: int,
    size: int = SIZE,
    batch_size: int = 8,
    palette=None,
    void_colour=VOID_COLOUR,
    label_map=None,
    void_value: int = VOID,
    one_hot: bool = True,
):
    """A ``tf.data.Dataset`` of ``(images, masks)`` batches from ``root/images`` and ``root/masks``.

    Parameters
    ----------
    root : path
        Folder with ``images/`` and ``masks/`` (see the module's docstring).
    num_classes : int
        Number of classes ``C`` (the question's 5).
    size : int, default 224
        Images are resized to ``size x size`` (bilinear), masks too (nearest neighbour).
    batch_size : int, default 8
    palette : sequence of (r, g, b), optional
        Colour masks: the colour of class 0, 1, ... Leave ``None`` for class-index masks.
    void_colour : (r, g, b), default white
        Colour masks: the colour of void pixels (``None`` if there is none).
    label_map : dict, optional
        Index masks: ``{mask value: class}``, with 255 for void; default: values ``0..C-1`` are the
        classes and ``void_value`` is void. Any other value raises ``InvalidArgumentError`` when read.
    void_value : int, default 255
        Index masks without ``label_map``: the value of void pixels.
    one_hot : bool, default True
        True: masks as one-hot float32 ``(B, size, size, C)``, void pixels all zeros (the question's format).
        False: int32 label maps ``(B, size, size)`` with 255 for void.

    Returns
    -------
    tf.data.Dataset
        Read lazily, in sorted file order, batch by batch (the last batch may be smaller).
    """
    import tensorflow as tf

    num_classes = check_num_classes(num_classes)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive int (pixels), got {size!r}; the question uses 224.")
    size = int(size)
    pairs = list_pairs(root)
    first = tf.io.decode_png(tf.io.read_file(str(pairs[0][1])))
    channels = int(first.shape[-1])
    if palette is None and channels >= 3:
        raise ValueError(
            f"{pairs[0][1].name} is a colour mask ({channels} channels): pass palette=[(r, g, b) of class "
            "0, of class 1, ...] and void_colour, or use single-channel masks of class indices."
        )
    if palette is not None:
        if channels < 3:
            raise ValueError(
                f"{pairs[0][1].name} holds class indices (1 channel): drop palette=..., or pass colour masks."
            )
        if len(palette) != num_classes:
            raise ValueError(f"palette has {len(palette)} colours but num_classes={num_classes}: one colour per class.")
    table = _lookup_table(num_classes, label_map, void_value)
    mask_channels = 1 if palette is None else 3

    def read(image_path, mask_path):
        image = tf.io.decode_image(tf.io.read_file(image_path), channels=3, expand_animations=False)
        image = tf.image.resize(tf.cast(image, tf.float32) / 255.0, (size, size), method="bilinear")
        mask = tf.io.decode_png(tf.io.read_file(mask_path), channels=mask_channels)
        labels = _labels_from_mask(mask, num_classes, table, palette, void_colour, path=mask_path)
        labels = tf.image.resize(labels[..., None], (size, size), method="nearest")[..., 0]
        image = tf.ensure_shape(tf.clip_by_value(image, 0.0, 1.0), (size, size, 3))
        labels = tf.ensure_shape(labels, (size, size))
        if one_hot:
            return image, tf.one_hot(labels, num_classes, dtype=tf.float32)  # void (255) -> all zeros
        return image, labels

    paths = tf.data.Dataset.from_tensor_slices(([str(i) for i, _ in pairs], [str(m) for _, m in pairs]))
    return paths.map(read, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).batch(batch_size).prefetch(2)


# --------------------------------------------------------------------------------------------
# the real Oxford-IIIT Pet
# --------------------------------------------------------------------------------------------
def pet_pair(image, trimap, *, size: int = SIZE):
    """One Oxford-IIIT Pet example as the question's pair: image ``(size, size, 3)`` in [0, 1] and one-hot
    mask ``(size, size, 2)`` (background, pet), the trimap's border (3) void (all zeros)."""
    import tensorflow as tf

    table = _lookup_table(2, PET_LABEL_MAP, VOID)
    image = tf.image.resize(tf.cast(image, tf.float32) / 255.0, (size, size), method="bilinear")
    labels = _labels_from_mask(tf.cast(trimap, tf.uint8), 2, table, None, None)
    labels = tf.image.resize(labels[..., None], (size, size), method="nearest")[..., 0]
    return tf.clip_by_value(image, 0.0, 1.0), tf.one_hot(labels, 2, dtype=tf.float32)


def load_oxford_pet(split: str = "test[:64]", *, size: int = SIZE, batch_size: int = 8):
    """Oxford-IIIT Pet through ``tensorflow_datasets``, as the question's pairs (see :func:`pet_pair`).

    Returns ``(dataset, message)``: the dataset, or ``None`` with the reason it could not be loaded
    (``tensorflow_datasets`` missing, no network, ...). It never raises: offline it is a no-op.
    """
    try:
        import tensorflow_datasets as tfds
    except Exception as exc:
        return None, f"tensorflow_datasets is not available ({type(exc).__name__}); on Colab it is preinstalled."
    try:
        ds = tfds.load("oxford_iiit_pet", split=split)
    except Exception as exc:
        return None, f"could not load oxford_iiit_pet ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})."
    ds = ds.map(lambda ex: pet_pair(ex["image"], ex["segmentation_mask"], size=size))
    return ds.batch(batch_size).prefetch(2), f"Oxford-IIIT Pet, split {split!r}, at {size}x{size}"


_MOVED_TO_COURSE = {"write_shapes_folder", "stand_in_predictions", "SHAPES_PALETTE"}


def __getattr__(name):
    # Notebook 07's demo moved to helpers.course.folder_demo in 0.2.0; one release of grace. A dynamic import:
    # the one deliberate reference from this library module to the course, removed in the next release.
    if name in _MOVED_TO_COURSE:
        import importlib

        from helpers._deprecated import warn_moved

        warn_moved(f"helpers.folder_data.{name}", f"helpers.course.folder_demo.{name}")
        return getattr(importlib.import_module("helpers.course.folder_demo"), name)
    raise AttributeError(f"module 'helpers.folder_data' has no attribute {name!r}")
