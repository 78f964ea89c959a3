"""A small UNet for the 64 x 64 shapes dataset (Keras 3).

Sized to train on a laptop CPU in about a minute: with the defaults (``base_filters=8``,
``depth=3``, 123,205 parameters), categorical cross-entropy, Adam(3e-3) with cosine decay
and batches of 8, 10 epochs (~6 s each on 2 cores) reach a validation mean IoU of about 0.9
on ``helpers.course.data.load_shapes`` (measurements in the docstring of :func:`build_unet`).

Examples
--------
>>> from helpers.course.model import build_unet
>>> model = build_unet()
>>> model.output_shape
(None, 64, 64, 5)
"""

from __future__ import annotations

import keras
from keras import layers

__all__ = ["build_unet"]


def _conv_block(x, filters: int, batch_norm: bool, name: str):
    for i in (1, 2):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{i}")(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn{i}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    return x


def _checked_shape(input_shape, *, num_classes, base_filters, depth) -> tuple:
    """``input_shape`` as a tuple, after checking every option of :func:`build_unet` (messages name the fix)."""
    for label, value, low in (
        ("num_classes", num_classes, 2),
        ("base_filters", base_filters, 1),
        ("depth", depth, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{label} must be an integer >= {low}, got {value!r}.")
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = None
    if shape is None or len(shape) != 3:
        raise ValueError(
            "input_shape must be (height, width, channels), e.g. (64, 64, 3), "
            f"got {input_shape!r}. "
            "Do not include the batch dimension."
        )
    for side in shape:
        if side is not None and (isinstance(side, bool) or not isinstance(side, int) or side < 1):
            raise ValueError(f"input_shape must hold positive integers (or None), got {input_shape!r}.")
    if shape[2] is None:
        raise ValueError(f"The number of channels must be known, got input_shape={input_shape!r}.")
    factor = 2**depth
    bad = [side for side in shape[:2] if side is not None and side % factor]
    if bad:
        fixed = tuple(max(factor, round(side / factor) * factor) if side else side for side in shape[:2])
        raise ValueError(
            f"input_shape {shape}: height and width must be divisible by 2**depth = {factor} "
            f"(depth={depth}). Resize or pad the images to e.g. {fixed + shape[2:]}, or use a "
            "smaller depth."
        )
    return shape


def build_unet(
    *,
    input_shape=(64, 64, 3),
    num_classes: int = 5,
    base_filters: int = 8,
    depth: int = 3,
    batch_norm: bool = True,
    name: str = "small_unet",
) -> keras.Model:
    """Build a small UNet with a per-pixel softmax head.

    Encoder: ``depth`` blocks of two 3x3 convolutions (+ batch norm + ReLU) followed by 2x2
    max pooling, with ``base_filters * 2**level`` filters; a bottleneck block; a decoder that
    mirrors the encoder (2x upsampling, concatenation with the skip connection, conv block);
    and ``Conv2D(num_classes, 1, activation="softmax")``.

    Parameters
    ----------
    input_shape : tuple of 3 ints, default (64, 64, 3)
        ``(height, width, channels)``; height and width must be divisible by ``2**depth``
        (``None`` is allowed for a variable size, checked at call time by the layers).
    num_classes : int, default 5
        Number of output channels (classes), >= 2.
    base_filters : int, default 8
        Filters of the first level (doubled at each level down).
    depth : int, default 3
        Number of poolings (>= 1). The receptive field grows with depth.
    batch_norm : bool, default True
        Batch normalisation after each convolution (trains much faster). Its momentum is 0.9
        (Keras: 0.99) so that the moving statistics keep up with short trainings.
    name : str, default "small_unet"

    Returns
    -------
    keras.Model
        Input ``(None, *input_shape)``, output ``(None, height, width, num_classes)``:
        per-pixel class probabilities (they sum to 1 over the last axis).

    Raises
    ------
    ValueError
        Bad ``input_shape`` (e.g. sides not divisible by ``2**depth``), ``num_classes``,
        ``base_filters`` or ``depth``; the message says what to change.

    Notes
    -----
    Measured on a shared 2-core CPU (TensorFlow 2.21 with oneDNN, Keras 3.15): 1000 training
    images, categorical cross-entropy, ``keras.utils.set_random_seed(seed)``; val mean IoU =
    one confusion matrix over the 250 validation images, mean over the classes. Seconds per
    epoch are the fastest epochs seen; the first epoch costs ~10 s more (graph tracing).

    ============ ======= ========================= ===== ====== ========================
    filters, d   params  optimiser, batch          s/ep  epochs val mean IoU
    ============ ======= ========================= ===== ====== ========================
    8, 3         123,205 Adam 3e-3 cosine, 8       6.2   10     0.928 0.925 0.878 (seeds)
    8, 3         123,205 Adam 3e-3 cosine, 8       6.2   8      0.906 0.886 0.818 (seeds)
    8, 3         123,205 Adam 2e-3 constant, 32    5.0   15     0.845 (lines only from ep 13)
    8, 4         493,381 Adam 3e-3 cosine, 8       8.0   9      0.916
    16, 3        489,477 Adam 3e-3 cosine, 8       10.8  6      0.608 (0.91, older data)
    8, 2         30,277  Adam 5e-3 cosine, 16      6.3   12     0.27 (older data; small RF)
    ============ ======= ========================= ===== ====== ========================

    Small batches matter more than width here: what counts in a one-minute budget is the
    number of updates. Runs vary a lot between seeds, mostly in when the thin ``line`` class
    is first picked up.

    Examples
    --------
    >>> import keras
    >>> from helpers.course.model import build_unet
    >>> model = build_unet(base_filters=8, depth=2)
    >>> model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="categorical_crossentropy")
    >>> model.output_shape
    (None, 64, 64, 5)
    >>> build_unet(input_shape=(60, 60, 3), depth=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: input_shape (60, 60, 3): height and width must be divisible by 2**depth = 8 ...
    """
    shape = _checked_shape(input_shape, num_classes=num_classes, base_filters=base_filters, depth=depth)
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    skips = []
    for level in range(depth):
        x = _conv_block(x, base_filters * 2**level, batch_norm, name=f"enc{level}")
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{level}")(x)
    x = _conv_block(x, base_filters * 2**depth, batch_norm, name="bottleneck")
    for level in reversed(range(depth)):
        x = layers.UpSampling2D(2, name=f"up{level}")(x)
        x = layers.Concatenate(name=f"skip{level}")([x, skips[level]])
        x = _conv_block(x, base_filters * 2**level, batch_norm, name=f"dec{level}")
    outputs = layers.Conv2D(num_classes, 1, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)
