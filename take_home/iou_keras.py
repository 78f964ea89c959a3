"""IoU for a Keras 3 segmentation model: four pieces to copy into your own project.

Self-contained: it needs TensorFlow 2.16+ with Keras 3, nothing from the course. Masks are one-hot
``(B, H, W, C)`` as in the Stack Overflow question (integer label maps ``(B, H, W)`` work too), the
model ends in ``Conv2D(C, 1, activation="softmax")``. Everything here runs under
``model.compile(..., jit_compile=True)``.

1. :func:`mean_iou`: the question's metric, corrected. Right for the batch it sees; but see its caveat.
2. The one-line answer, Keras's own metric::

       model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003, clipvalue=0.7),
                     loss=soft_jaccard_loss,
                     metrics=["accuracy", keras.metrics.OneHotMeanIoU(num_classes=5, name="mean_iou")])

   Caveats: ``OneHotMeanIoU`` takes the argmax of ``y_true`` too, so an all-zero one-hot row (a
   "void" pixel) silently counts as class 0; mark void pixels with integer labels and use
   ``keras.metrics.MeanIoU(num_classes=5, ignore_class=255, sparse_y_pred=False)`` instead. The
   *training* value in ``fit``'s log accumulates over the epoch while the weights change; read the
   ``val_`` value. Without ``name=`` it is logged as ``one_hot_mean_io_u``. It averages the classes
   present in the truth or the prediction over all batches of an epoch (absent classes excluded).
3. :class:`StreamingMeanIoU`: the same dataset-level number from a metric you can read and change:
   exact integer counts, an error for labels it does not know, void pixels (label ``ignore_index``, or
   an all-zero one-hot row) left out with ``ignore_index=255``, saved and reloaded with the model.
4. :func:`soft_jaccard_loss`: a per-class soft Jaccard loss, averaged over the classes present in the
   batch's truth (the question's ``iou_loss`` pools all classes into one IoU: it is a soft pixel
   accuracy in disguise).

Two conventions, on purpose: the metrics average the classes present in the truth **or** the
prediction (a class the model invents scores 0); the loss averages the classes present in the truth
(a loss must not reward or punish a class that is in no mask of the batch, and the prediction of a
soft model is "present" everywhere). On a prediction that invents no class they agree.
"""

import keras
import tensorflow as tf

__all__ = ["mean_iou", "StreamingMeanIoU", "soft_jaccard_loss"]


def _check_channels(y_pred):
    """One softmax channel per class: the argmax of a single sigmoid channel is always class 0."""
    if y_pred.shape[-1] is not None and y_pred.shape[-1] < 2:
        raise ValueError(
            f"y_pred {y_pred.shape} has one channel (a sigmoid?): its argmax is always class 0, so every "
            "prediction would score 1.0. For a binary model use keras.metrics.BinaryIoU(target_class_ids=[0, 1], "
            "threshold=0.5), or stack the two classes: tf.concat([1 - p, p], axis=-1)."
        )
    return y_pred.shape[-1]


def _labels(y_true, y_pred, ignore_index=None):
    """Integer labels of truth and prediction: argmax of one-hot / probabilities (never cast or round).

    An all-zero one-hot row is a void pixel: labelled ``ignore_index`` if given, else an error (under
    ``jit_compile=True`` it is left out, as other bad labels are)."""
    num_classes = _check_channels(y_pred)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == num_classes:
        void = tf.reduce_max(y_true, axis=-1) <= 0  # one-hot masks; an all-zero row marks a void pixel
        if ignore_index is None:
            tf.debugging.assert_equal(
                tf.reduce_any(void),
                False,
                message="y_true (one-hot) has all-zero rows (void pixels): pass ignore_index=255 to leave them "
                "out; without it they would count as class 0.",
            )
        void_label = tf.constant(-1 if ignore_index is None else ignore_index, tf.int32)
        y_true = tf.where(void, void_label, tf.argmax(y_true, axis=-1, output_type=tf.int32))
    elif y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, axis=-1)  # label maps with a channel, (B, H, W, 1)
    elif y_true.shape.rank != y_pred.shape.rank - 1:
        raise ValueError(
            f"y_true {y_true.shape} does not fit y_pred {y_pred.shape}: pass one-hot masks "
            f"(..., {num_classes}) or integer label maps (...) or (..., 1)."
        )
    return tf.cast(y_true, tf.int32), tf.argmax(y_pred, axis=-1, output_type=tf.int32), num_classes


def _confusion_matrix(t, p, num_classes, valid):
    """(C, C) int32 counts, rows true, columns predicted; static sizes, so XLA can compile it."""
    ids = tf.reshape(tf.where(valid, t * num_classes + p, 0), [-1])
    counts = tf.math.unsorted_segment_sum(
        tf.reshape(tf.cast(valid, tf.int32), [-1]), ids, num_segments=num_classes * num_classes
    )
    return tf.reshape(counts, (num_classes, num_classes))


def _valid_pixels(t, num_classes, ignore_index=None):
    """Pixels to count: all but ``ignore_index``; any other label outside [0, C) is an error.

    (Under ``jit_compile=True`` XLA cannot raise, and such pixels are left out: check your masks once,
    e.g. ``np.unique(masks)``.)"""
    keep = tf.ones_like(t, tf.bool) if ignore_index is None else tf.not_equal(t, ignore_index)
    in_range = (t >= 0) & (t < num_classes)
    tf.debugging.assert_equal(
        tf.reduce_all(in_range | ~keep),
        True,
        message=f"y_true has labels outside [0, {num_classes}); check num_classes, or mark void pixels "
        "with one label and pass ignore_index (e.g. 255).",
    )
    return keep & in_range


def _mean_iou_from_counts(cm):
    """Mean of TP / (TP + FP + FN) over the classes present in the truth or the prediction."""
    cm = tf.cast(cm, tf.float64)
    tp = tf.linalg.diag_part(cm)
    union = tf.reduce_sum(cm, axis=0) + tf.reduce_sum(cm, axis=1) - tp
    present = tf.cast(union > 0, tf.float64)
    return tf.math.divide_no_nan(tf.reduce_sum(tf.math.divide_no_nan(tp, union)), tf.reduce_sum(present))


def mean_iou(y_true, y_pred, *, ignore_index=None):
    """The question's ``mean_iou``, corrected: the mean IoU of one batch.

    The fixes of the course's notebook 01: argmax instead of cast-then-round (bugs 1 and 2); one
    confusion matrix over all pixels of the batch, height, width and images, instead of ``axis=[1]``
    (bug 3); no ``+ 1`` smoothing, and classes absent from truth and prediction left out of the mean
    (bug 4). Labels outside ``[0, C)`` and all-zero one-hot rows (void pixels) raise an error, unless
    ``ignore_index`` (e.g. 255, the label of void pixels in label maps) says to leave them out.

    Caveat (bug 5): in ``metrics=[mean_iou]`` Keras reports the **mean of the per-batch values**, which is not
    the dataset's mean IoU and changes with the batch size (a class missing from a batch drops out of
    that batch's mean; a small image weighs as much as a large one). Use it to check one batch; for
    ``fit`` and ``evaluate`` use ``OneHotMeanIoU`` or :class:`StreamingMeanIoU`.
    """
    y_pred = tf.convert_to_tensor(y_pred)
    t, p, c = _labels(tf.convert_to_tensor(y_true), y_pred, ignore_index)
    valid = _valid_pixels(t, c, ignore_index)
    return tf.cast(_mean_iou_from_counts(_confusion_matrix(t, p, c, valid)), tf.float32)


@keras.saving.register_keras_serializable(package="iou_keras")
class StreamingMeanIoU(keras.metrics.Metric):
    """Dataset-level mean IoU: one exact int64 confusion matrix accumulated over every batch.

    ``result()`` is the mean IoU of all pixels seen since the last reset (classes absent from truth and
    prediction excluded), whatever the batch size. Pixels whose true label is ``ignore_index`` (give
    void pixels e.g. 255 in integer label maps) and, when ``ignore_index`` is set, all-zero one-hot rows
    are left out; an all-zero row without ``ignore_index`` or any other label outside
    ``[0, num_classes)`` raises ``InvalidArgumentError`` (under ``jit_compile=True`` XLA cannot raise,
    and such pixels are left out). Works under ``jit_compile=True``.

    Example: ``model.compile(..., metrics=[StreamingMeanIoU(num_classes=5)])``; a saved model reloads
    with ``keras.models.load_model(path)`` once this module is imported.
    """

    def __init__(self, num_classes, ignore_index=None, name="mean_iou", dtype="float32"):
        super().__init__(name=name, dtype=dtype)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2 (one per softmax channel), got {num_classes!r}.")
        if ignore_index is not None and 0 <= ignore_index < num_classes:
            raise ValueError(
                f"ignore_index={ignore_index} is a real class; use a label outside [0, {num_classes}), e.g. 255."
            )
        self.num_classes, self.ignore_index = num_classes, ignore_index
        self.total_cm = self.add_variable(
            shape=(num_classes, num_classes), initializer="zeros", dtype="int64", name="confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "StreamingMeanIoU counts pixels exactly; instead of sample_weight, label the "
                "pixels to leave out with ignore_index (e.g. 255)."
            )
        y_pred = tf.convert_to_tensor(y_pred)
        if _check_channels(y_pred) != self.num_classes:
            raise ValueError(f"y_pred has {y_pred.shape[-1]} channels but num_classes={self.num_classes}.")
        t, p, c = _labels(tf.convert_to_tensor(y_true), y_pred, self.ignore_index)
        valid = _valid_pixels(t, c, self.ignore_index)
        self.total_cm.assign_add(tf.cast(_confusion_matrix(t, p, c, valid), tf.int64))

    def result(self):
        return tf.cast(_mean_iou_from_counts(self.total_cm), self.dtype)

    def reset_state(self):
        self.total_cm.assign(tf.zeros_like(self.total_cm))

    def get_config(self):
        return {
            "num_classes": self.num_classes,
            "ignore_index": self.ignore_index,
            "name": self.name,
            "dtype": self.dtype,
        }


def _check_one_hot_like(y_true, y_pred):
    """The loss multiplies y_true by y_pred: (B, H, W, 1) labels would broadcast over the classes silently."""
    t, p = tf.TensorShape(y_true.shape), tf.TensorShape(y_pred.shape)
    if t.rank != p.rank or not t[-1:].is_compatible_with(p[-1:]):  # unknown sizes (None) pass
        c = p[-1]
        raise ValueError(
            f"soft_jaccard_loss needs one-hot y_true with {c} channels, like y_pred {y_pred.shape}; got y_true "
            f"{y_true.shape}. Convert integer labels (B, H, W, 1) with tf.one_hot(tf.squeeze(labels, -1), {c})."
        )


def soft_jaccard_loss(y_true, y_pred):
    """1 - mean over classes of the soft IoU ``I_c / U_c``, over the classes present in the batch's truth.

    ``y_true`` one-hot ``(B, H, W, C)`` (label maps raise), ``y_pred`` softmax probabilities of that shape;
    ``I_c = sum(y_c * p_c)`` and ``U_c = sum(y_c) + sum(p_c) - I_c`` over all pixels of the batch.
    On a one-hot prediction it is 1 - the hard IoU averaged over the classes present in the truth.
    """
    _check_one_hot_like(y_true, y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    axes = list(range(len(y_pred.shape) - 1))  # every axis but the classes: one soft IoU per class
    intersection = tf.reduce_sum(y_true * y_pred, axis=axes)
    true_sum = tf.reduce_sum(y_true, axis=axes)
    union = true_sum + tf.reduce_sum(y_pred, axis=axes) - intersection
    present = tf.cast(true_sum > 0, y_pred.dtype)  # a class in no mask of the batch has no IoU
    soft_iou = tf.math.divide_no_nan(intersection, union)
    return 1.0 - tf.math.divide_no_nan(tf.reduce_sum(soft_iou * present), tf.reduce_sum(present))
