"""Small run-time helpers for notebooks: a quiet TensorFlow import, and no stall between epochs.

TensorFlow 2.21 prints a start-up banner to the C-level stderr when it is first imported (an absl
"InitializeLog" warning and the oneDNN notice), whatever ``TF_CPP_MIN_LOG_LEVEL`` says. In a notebook
that lands in the output of whichever cell happened to import TensorFlow first. We silence only that
first import. (TensorFlow turns its oneDNN CPU kernels on by itself only on CPUs with certain features,
such as AVX-512 VNNI; the notebooks' set-up cell sets ``TF_ENABLE_ONEDNN_OPTS=1``, as the seed study
ran. That does **not** make the arithmetic the same everywhere: oneDNN and XLA pick kernels by the
CPU's instruction set (AVX2 and AVX-512 give different trained weights), and the thread count changes
the order of sums. Same seed, same versions, same CPU type and thread count repeat a run bit for bit;
anything else is a new draw from the spread that notebook 05's seed study measures.)

Between epochs, ``model.fit`` on NumPy arrays can sit idle for up to tens of seconds: see
:func:`tf_data_autotune_off`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

from helpers._native import quiet_native_stderr

__all__ = ["import_tensorflow_quietly", "quiet_native_stderr", "tf_data_autotune_off"]


def import_tensorflow_quietly():
    """Import TensorFlow with file descriptor 2 pointed at /dev/null, and return the module.

    Errors still surface: an ImportError is raised as usual (only the C-level banner is hidden).
    Does nothing special if TensorFlow is already imported.

    Examples
    --------
    >>> tf = import_tensorflow_quietly()
    >>> tf.__name__
    'tensorflow'
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with quiet_native_stderr():
        import tensorflow
    return tensorflow


@contextlib.contextmanager
def tf_data_autotune_off():
    """Inside the block, the pipelines Keras builds for NumPy arrays run without tf.data autotuning.

    Why: Keras (3.13, 3.15) feeds NumPy arrays to ``fit`` through a ``tf.data`` pipeline and replaces
    its iterator every epoch. With TensorFlow 2.20 and 2.21 (the versions we tested), destroying an
    iterator can wait for tf.data's autotuning thread to finish its current sleep, and the process sits
    idle before the next epoch's first batch. ``gdb`` showed the main thread in the iterator's destructor
    and the autotuning thread (``Model::OptimizeLoop``) waiting on a timed condition. How often and how long
    varies from run to run; ``python benchmarks/run.py stall`` measures it (``benchmarks/RESULTS.md``).

    What changes: nothing in the arithmetic. For Keras's pipeline from NumPy arrays, the batches, their
    order and the trained weights are the same bit for bit on one machine and thread count
    (``tests/test_training.py`` checks it on CPU): autotuning only chooses buffer sizes and parallelism.
    Keras builds that pipeline internally, so this wraps its ``ArrayDataAdapter.get_tf_dataset`` for the
    duration of the block (process-wide: not for use from several threads at once) and restores it
    afterwards, also after an exception.
    Where that internal is missing (another Keras layout) or unused (a backend other than TensorFlow),
    it changes nothing and yields ``False``: training is the same, only without the fix.

    Examples
    --------
    >>> with tf_data_autotune_off() as active:
    ...     pass  # model.fit(x, y, epochs=...) here
    >>> active
    True
    """
    try:
        import keras
        from keras.src.trainers.data_adapters import array_data_adapter
    except ImportError:  # another Keras layout: leave it alone
        yield False
        return
    adapter = getattr(array_data_adapter, "ArrayDataAdapter", None)
    original = getattr(adapter, "get_tf_dataset", None)
    if original is None or keras.backend.backend() != "tensorflow":
        yield False
        return
    if getattr(original, "_iou_lab_autotune_off", False):  # already wrapped by an enclosing block
        yield True
        return

    @functools.wraps(original)
    def get_tf_dataset(self):
        tf = import_tensorflow_quietly()
        options = tf.data.Options()
        options.autotune.enabled = False
        return original(self).with_options(options)

    get_tf_dataset._iou_lab_autotune_off = True
    adapter.get_tf_dataset = get_tf_dataset
    try:
        yield True
    finally:
        if adapter.get_tf_dataset is get_tf_dataset:  # leave anything patched on top of ours alone
            adapter.get_tf_dataset = original
