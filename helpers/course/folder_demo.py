"""Notebook 07's demo data for :mod:`helpers.folder_data`: a folder of shapes, and a stand-in "model".

:func:`write_shapes_folder` writes the course's shapes as a folder of PNG images and masks, in the
layout :func:`helpers.folder_data.load_folder` reads (with a void band at object borders, like the
Oxford-IIIT Pet trimaps); :func:`stand_in_predictions` makes softmax probabilities from the truth, so the
evaluation pipeline can run before a learner has a model. Both are course material: a learner's own
project uses ``load_folder`` on their own folder and ``model.predict``.

Examples
--------
>>> import tempfile
>>> from helpers.folder_data import load_folder
>>> root = write_shapes_folder(tempfile.mkdtemp(), n=4, size=64)
>>> sorted(p.name for p in root.iterdir())
['classes.txt', 'images', 'masks']
>>> images, masks = next(iter(load_folder(root, num_classes=5, size=224, batch_size=4)))
>>> tuple(images.shape), tuple(masks.shape), masks.dtype.name
((4, 224, 224, 3), (4, 224, 224, 5), 'float32')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers.course.data import CLASS_NAMES, generate_shapes
from helpers.course.scenarios import mediocre_logits
from helpers.folder_data import SIZE, VOID, VOID_COLOUR, void_band

__all__ = ["SHAPES_PALETTE", "write_shapes_folder", "stand_in_predictions"]

SHAPES_PALETTE = ((40, 40, 40), (230, 159, 0), (86, 180, 233), (0, 158, 115), (204, 121, 167))
"""The colour of each shapes class in a colour-mask folder (``masks="palette"``)."""


def write_shapes_folder(
    root, *, n: int = 16, size: int = SIZE, seed: int = 7, band: int = 3, masks: str = "index"
) -> Path:
    """Write ``n`` shapes images and masks to ``root/images`` and ``root/masks`` (PNG), with a void band.

    Parameters
    ----------
    root : path
        Folder to write (created; files of the same names are overwritten).
    n : int, default 16
        Number of image / mask pairs.
    size : int, default 224
        Side of the images in pixels (the question's 224).
    seed : int, default 7
        Seed of :func:`helpers.course.data.generate_shapes` (7: not one of the training, validation or test seeds).
    band : int, default 3
        Width of the void ring around every object (:func:`helpers.folder_data.void_band`); 0 for none.
    masks : {"index", "palette"}
        ``"index"``: single-channel PNG, labels 0-4 and 255 for void. ``"palette"``: RGB PNG in the colours
        of :data:`SHAPES_PALETTE`, void in :data:`VOID_COLOUR`.

    Returns
    -------
    pathlib.Path
        ``root``. It also holds ``classes.txt`` (one class name a line, index = label).
    """
    import tensorflow as tf

    if masks not in ("index", "palette"):
        raise ValueError(f"masks must be 'index' or 'palette', got {masks!r}.")
    if isinstance(band, bool) or not isinstance(band, (int, np.integer)) or band < 0:
        raise ValueError(f"band must be an int >= 0 (0: no void band), got {band!r}.")
    root = Path(root)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    images, labels = generate_shapes(n, size=size, seed=seed, as_uint8=True)
    if band:
        labels = np.where(void_band(labels, width=band), VOID, labels).astype(np.uint8)
    colours = np.zeros((256, 3), np.uint8)
    colours[: len(SHAPES_PALETTE)] = SHAPES_PALETTE
    colours[VOID] = VOID_COLOUR
    for i in range(n):
        stem = f"shapes_{i:04d}"
        tf.io.write_file(str(root / "images" / f"{stem}.png"), tf.io.encode_png(images[i]))
        mask = labels[i][..., None] if masks == "index" else colours[labels[i]]
        tf.io.write_file(str(root / "masks" / f"{stem}.png"), tf.io.encode_png(mask))
    (root / "classes.txt").write_text("\n".join(CLASS_NAMES) + "\n")
    return root


def stand_in_predictions(y_true, *, shift: int = 2, noise: float = 1.0, seed: int = 0) -> np.ndarray:
    """Softmax probabilities of a stand-in "model": the truth shifted by ``shift`` pixels, blurred, noisy.

    Not a model: it reads the truth, and errs where real models err most, on object borders (and on
    thin objects). Use it to try the evaluation pipeline; replace it by ``model.predict(images)``.

    Parameters
    ----------
    y_true : array_like
        One-hot masks ``(B, H, W, C)`` (an all-zero void row counts as class 0) or label maps ``(B, H, W)``
        with ``C`` taken as ``max + 1``.

    Returns
    -------
    ndarray of float32, shape (B, H, W, C)
    """
    y = np.asarray(y_true)
    if y.ndim == 4:
        c = y.shape[-1]
        labels = y.argmax(-1)
    else:
        labels = np.where(y >= VOID, 0, y)
        c = int(labels.max()) + 1
    logits = mediocre_logits(labels, strength=4.0, noise=noise, shift=shift, blur=1, num_classes=c, seed=seed)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)
