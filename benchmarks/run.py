"""Benchmarks for IoU Lab (`make bench`): writes benchmarks/RESULTS.md. Never a timed test.

Sections:
- metrics: StreamingMeanIoU.update_state vs keras.metrics.OneHotMeanIoU.update_state on
  32x224x224x5 probabilities; helpers.metrics.confusion_matrix vs one bare np.bincount.
"""
import datetime
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent


def _median_time(fn, repeat=15, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def bench_metrics():
    import keras
    import tensorflow as tf

    from helpers.keras_metrics import StreamingMeanIoU
    from helpers.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    shape = (32, 224, 224)
    lab = rng.integers(0, 5, shape)
    y_true = tf.constant(np.eye(5, dtype=np.float32)[lab])
    y_pred = tf.constant(rng.dirichlet(np.ones(5), size=shape).astype(np.float32))

    ours = StreamingMeanIoU(5)
    theirs = keras.metrics.OneHotMeanIoU(num_classes=5)
    ours_fn = tf.function(ours.update_state)
    theirs_fn = tf.function(theirs.update_state)
    rows = []
    for name, fn in [("eager", (ours.update_state, theirs.update_state)), ("tf.function", (ours_fn, theirs_fn))]:
        t_ours = _median_time(lambda: fn[0](y_true, y_pred), repeat=10)
        t_theirs = _median_time(lambda: fn[1](y_true, y_pred), repeat=10)
        rows.append((name, t_ours, t_theirs))
    # same answer?
    ours.reset_state(); theirs.reset_state()
    ours.update_state(y_true, y_pred); theirs.update_state(y_true, y_pred)
    agree = abs(float(ours.result()) - float(theirs.result()))

    t_lab = lab.astype(np.int64)
    p_lab = y_pred.numpy().argmax(-1)
    t_bincount = _median_time(lambda: np.bincount(t_lab.ravel(), minlength=5), repeat=30)
    t_cm = _median_time(lambda: confusion_matrix(t_lab, p_lab, 5), repeat=30)

    lines = [
        "## Metrics (issue 2)",
        "",
        "Inputs: 32 x 224 x 224 pixels, 5 classes; `y_true` one-hot float32, `y_pred` random softmax-like",
        "probabilities (float32). Median of repeated calls after warm-up.",
        "",
        "| update_state | StreamingMeanIoU | keras OneHotMeanIoU | speed-up (target >= 3x) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, a, b in rows:
        lines.append(f"| {name} | {a * 1e3:.1f} ms | {b * 1e3:.1f} ms | {b / a:.2f}x |")
    lines += [
        "",
        f"Both give the same mean IoU (|difference| = {agree:.1e}).",
        "",
        "| labels | np.bincount (one label array) | helpers.metrics.confusion_matrix (validation included) | ratio (target <= 2x) |",
        "| --- | ---: | ---: | ---: |",
        f"| int64, 32x224x224 | {t_bincount * 1e3:.2f} ms | {t_cm * 1e3:.2f} ms | {t_cm / t_bincount:.2f}x |",
        "",
    ]
    return lines


def main():
    import keras
    import tensorflow as tf

    header = [
        "# IoU Lab benchmarks",
        "",
        f"Written by `make bench` on {datetime.date.today().isoformat()}: {os.cpu_count()} CPU cores "
        f"({platform.machine()}, {platform.system()}), Python {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, NumPy {np.__version__}. "
        "GPUs visible: " + str(len(tf.config.list_physical_devices("GPU"))) + ".",
        "",
        "These are measurements, not tests: a slow shared machine never fails CI.",
        "",
    ]
    sections = [bench_metrics()]
    text = "\n".join(header + [l for s in sections for l in s]) + "\n"
    (HERE / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
