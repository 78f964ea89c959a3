"""The question's ``mean_iou`` metric and ``iou_loss``, kept as objects of study.

Source: Stack Overflow question asked by user "N.zay" (January 2021), answered by "Timbus Calin";
Stack Overflow content is licensed CC BY-SA 4.0. The two functions below are reproduced verbatim;
only the comments are ours, and they number the bugs as notebook 01 does. Nothing had to change for
TensorFlow 2.21 / Keras 3: both run as posted. (The question's ``Adam(lr=0.003, ...)`` does not: see
:func:`question_optimizer`.)

Do not use them to measure anything: the course shows, bug by bug, why ``mean_iou`` returns the same
number for a perfect, an all-wrong and a uniform prediction. Use :mod:`helpers.metrics` and
:class:`helpers.keras.metrics.StreamingMeanIoU` instead.

Examples
--------
The metric gives one number for a right, an all-wrong and a uniform prediction (notebook 01 shows why):

>>> import numpy as np
>>> y = np.eye(5, dtype=np.float32)[np.random.default_rng(0).integers(0, 5, (2, 8, 8))]
>>> right, wrong = 0.6 * y + 0.1, 0.6 * np.roll(y, 1, axis=-1) + 0.1
>>> [round(float(mean_iou(y, p)), 4) for p in (right, wrong, np.full_like(y, 0.2))]
[0.4627, 0.4627, 0.4627]
"""

import keras
import tensorflow as tf

__all__ = ["mean_iou", "iou_loss", "question_optimizer", "FIX_STAGES", "mean_iou_stage"]


def mean_iou(y_true, y_pred):
    # Bugs numbered as in notebook 01 (sections 3-7); the two traps of its section 9 are marked "Trap".
    # Bug 1: cast to int32 BEFORE rounding truncates probabilities: a channel counts as "predicted"
    #        only where p == 1.0 exactly, so softmax outputs almost always become all zeros (a
    #        saturated float32 softmax can output exactly 1.0, and then that pixel does count).
    # Bug 2: even round-then-cast rounds each channel on its own, which is not argmax:
    #        [.4, .3, .1, .1, .1] rounds to no class at all (and tf.round is half-to-even).
    #        (Also: cast and round have no gradient, so this can never be used as a loss; notebook 04.)
    y_pred = tf.round(tf.cast(y_pred, tf.int32))
    # Bug 3: axis=[1] sums over image rows only: each (image, column, class) becomes its own tiny
    #        "IoU"; this is not the IoU of a region.
    # Trap:  y_true of shape (B, H, W, 1) with integer labels broadcasts silently against (B, H, W, 5).
    intersect = tf.reduce_sum(tf.cast(y_true, tf.float32) * tf.cast(y_pred, tf.float32), axis=[1])
    union = tf.reduce_sum(tf.cast(y_true, tf.float32),axis=[1]) + tf.reduce_sum(tf.cast(y_pred, tf.float32),axis=[1])
    # Bug 4: smooth = 1 for every (image, column, class): a column where a class is absent from both
    #        truth and prediction scores (0 + 1) / (0 + 1) = 1, so empty columns dominate the mean;
    #        even summed over the whole image, + 1 inflates small or empty classes.
    smooth = tf.ones(tf.shape(intersect))
    # Bug 5: one number per batch; Keras then averages batches, which is not the dataset's IoU.
    return tf.reduce_mean((intersect + smooth) / (union - intersect + smooth))


def iou_loss(y_true, y_pred):
    # Flattening pools every pixel of every class, background included, into ONE IoU.
    y_true = tf.reshape(y_true, [-1])
    y_pred = tf.reshape(y_pred, [-1])
    # With one-hot y_true and softmax y_pred, sum(y_true) = sum(y_pred) = number of pixels N, so the
    # score is (I + 1) / (2N - I + 1) with I = soft pixel accuracy * N: a function of accuracy alone.
    # It rewards confidence on the majority class: a confident "background everywhere" (0.97) can beat
    # a less confident prediction (0.8) that finds the objects; at equal confidence the latter wins
    # (notebook 04, section 4).
    intersection = tf.reduce_sum(tf.cast(y_true, tf.float32) * tf.cast(y_pred, tf.float32))
    score = (intersection + 1.) / (tf.reduce_sum(tf.cast(y_true, tf.float32)) +
    tf.reduce_sum(tf.cast(y_pred, tf.float32)) - intersection + 1.)
    return 1 - score


def question_optimizer():
    """The question's optimizer in Keras 3 spelling: ``Adam(learning_rate=0.003, clipvalue=0.7)``.

    The question (January 2021) wrote ``tf.keras.optimizers.Adam(lr=0.003, clipvalue=0.7)``. What
    ``lr`` did depends on the version:

    - TensorFlow <= 2.10 (``OptimizerV2``, what the asker had): ``lr`` was an accepted alias of
      ``learning_rate``, so the asker did train at 0.003;
    - TensorFlow 2.11-2.15 (the new optimizers): a logged warning, and ``lr`` was dropped: training
      ran at the default 0.001;
    - Keras 3 (TensorFlow >= 2.16): ``ValueError``.
    """
    return keras.optimizers.Adam(learning_rate=0.003, clipvalue=0.7)


FIX_STAGES = (
    "as posted",
    "fix 1: round before casting",
    "fix 2: argmax instead of rounding each channel",
    "fix 3: sum over height and width (axis=[1, 2])",
    "fix 4: no +1 smoothing, skip classes absent from an image",
    "fix 5: one confusion matrix over the whole dataset",
)
"""What each stage of :func:`mean_iou_stage` changes, cumulatively."""


def mean_iou_stage(y_true, y_pred, stage: int):
    """The question's ``mean_iou`` with the first ``stage`` fixes applied (see :data:`FIX_STAGES`).

    Stage 0 is the code as posted; stage 4 equals ``helpers.metrics.mean_iou(..., per_image=True)``;
    stage 5 equals the dataset-level ``helpers.metrics.mean_iou``. Inputs: one-hot ``y_true`` and
    probabilities ``y_pred``, both ``(B, H, W, C)``.
    """
    if stage not in range(len(FIX_STAGES)):
        raise ValueError(f"stage must be 0..{len(FIX_STAGES) - 1}, got {stage!r}.")
    if stage == 0:
        return mean_iou(y_true, y_pred)
    y_true = tf.cast(y_true, tf.float32)
    y_pred = tf.convert_to_tensor(y_pred)
    if y_true.shape.rank != 4 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"expected one-hot y_true and probabilities y_pred of the same shape (B, H, W, C), got "
            f"{y_true.shape} and {y_pred.shape}."
        )
    if stage == 1:
        y_pred = tf.cast(tf.round(y_pred), tf.float32)  # round first: 0.9 -> 1, 0.4 -> 0
    else:
        y_pred = tf.one_hot(tf.argmax(y_pred, axis=-1), y_pred.shape[-1])  # exactly one class a pixel
    axes = {1: [1], 2: [1], 3: [1, 2], 4: [1, 2], 5: [0, 1, 2]}[stage]
    intersect = tf.reduce_sum(y_true * y_pred, axis=axes)
    union = tf.reduce_sum(y_true, axis=axes) + tf.reduce_sum(y_pred, axis=axes) - intersect
    if stage <= 3:
        return tf.reduce_mean((intersect + 1.0) / (union + 1.0))
    present = tf.cast(union > 0, tf.float32)
    iou = tf.math.divide_no_nan(intersect, union)
    per_group = tf.reduce_sum(iou * present, axis=-1) / tf.reduce_sum(present, axis=-1)
    return tf.reduce_mean(per_group)  # stage 4: mean over images; stage 5: already one number
