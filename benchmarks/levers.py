"""Training-speed levers for notebook 05 (issue 13), measured one at a time against the baseline.

    python benchmarks/levers.py            # writes benchmarks/levers.md and .json (RESULTS.md uses both)

Each lever trains the notebook's UNet on the 1,000 training images for ``--epochs`` epochs (3) after a
one-epoch warm-up that pays for tracing, and reports the median seconds per epoch, both wall-clock
and CPU time of this process (CPU seconds are steadier on a shared machine; on an idle 2-core machine
wall ~ CPU / 2). Every lever but ``autotune_on`` runs with tf.data autotuning off
(``helpers.course.runtime.tf_data_autotune_off``, as notebook 05 does), so a random idle stall between epochs
does not decide the comparison; the "stall" column is the mean wait before the first batch of an epoch.
Quality is not measured here: a lever that changes the arithmetic or the schedule
(batch size, width, epochs) needs the seed study's check (``make seeds``) before it is adopted.
This is a benchmark, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as the notebooks' set-up cell (seed study)
ROOT = Path(__file__).resolve().parents[1]

LEVERS = {
    "baseline": {
        "help": "NumPy arrays, batch 8, 3 monitored metrics, no XLA, no tf.data autotuning (nb 05 before issue 24)"
    },
    "autotune_on": {
        "autotune": True,
        "help": "Keras's default: tf.data autotuning on (notebook 05 before; the idle stall between epochs)",
    },
    "xla": {"jit": True, "help": "jit_compile=True (XLA on CPU)"},
    "spe25": {"spe": 25, "help": "steps_per_execution=25"},
    "xla_spe25": {"jit": True, "spe": 25, "help": "XLA + steps_per_execution=25 (notebook 05 since issue 24)"},
    "tfdata": {"tfdata": True, "help": "own tf.data: from_tensor_slices, cache, shuffle, batch, prefetch"},
    "batch16": {"batch": 16, "help": "batch 16 (half the updates per epoch)"},
    "batch32": {"batch": 32, "help": "batch 32"},
    "no_metrics": {"metrics": False, "help": "no per-batch metrics (accuracy, question's metric, mean IoU)"},
    "width6": {"filters": 6, "help": "6 filters at full resolution instead of 8"},
    "depth2": {"depth": 2, "help": "depth 2 instead of 3"},
    "lovasz": {"loss": "lovasz", "help": "Lovász-softmax loss instead of cross-entropy (sorting)"},
}


class _Timer:
    def __init__(self):
        import keras

        class T(keras.callbacks.Callback):
            def on_train_begin(s, logs=None):
                s.wall, s.cpu, s.gaps = [], [], []

            def on_epoch_begin(s, epoch, logs=None):
                s._w, s._c, s._first = time.perf_counter(), time.process_time(), True

            def on_train_batch_begin(s, batch, logs=None):
                if s._first:
                    s.gaps.append(time.perf_counter() - s._w)
                    s._first = False

            def on_epoch_end(s, epoch, logs=None):
                s.wall.append(time.perf_counter() - s._w)
                s.cpu.append(time.process_time() - s._c)

        self.callback = T()


def measure(name: str, epochs: int) -> dict:
    import keras
    import tensorflow as tf

    from helpers.course.model import build_unet
    from helpers.course.runtime import tf_data_autotune_off
    from helpers.course.training import UNET, load_training_data, question_mean_iou
    from helpers.keras import losses
    from helpers.keras.metrics import StreamingMeanIoU

    cfg = LEVERS[name]
    x, y, _, _ = load_training_data()
    keras.utils.set_random_seed(0)
    unet = dict(UNET)
    if "filters" in cfg:
        unet["base_filters"] = cfg["filters"]
    if "depth" in cfg:
        unet["depth"] = cfg["depth"]
    model = build_unet(num_classes=5, **unet)
    metrics = ["accuracy", question_mean_iou, StreamingMeanIoU(num_classes=5, name="mean_iou")]
    loss = losses.lovasz_softmax_loss if cfg.get("loss") == "lovasz" else "categorical_crossentropy"
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss=loss,
        metrics=metrics if cfg.get("metrics", True) else [],
        jit_compile=cfg.get("jit", False),
        steps_per_execution=cfg.get("spe", 1),
    )
    batch = cfg.get("batch", 8)
    timer = _Timer().callback
    autotune = cfg.get("autotune", False)
    if cfg.get("tfdata"):
        ds = (
            tf.data.Dataset.from_tensor_slices((x, y))
            .cache()
            .shuffle(len(x), seed=0)
            .batch(batch)
            .prefetch(tf.data.AUTOTUNE)
        )
        if not autotune:
            options = tf.data.Options()
            options.autotune.enabled = False
            ds = ds.with_options(options)
        model.fit(ds, epochs=1 + epochs, callbacks=[timer], verbose=0)
    elif autotune:
        model.fit(x, y, batch_size=batch, epochs=1 + epochs, callbacks=[timer], verbose=0)
    else:
        with tf_data_autotune_off():
            model.fit(x, y, batch_size=batch, epochs=1 + epochs, callbacks=[timer], verbose=0)
    return {
        "lever": name,
        "help": cfg["help"],
        "wall": statistics.median(timer.wall[1:]),
        "cpu": statistics.median(timer.cpu[1:]),
        "mean_wall": statistics.mean(timer.wall[1:]),
        "stall": statistics.mean(timer.gaps[1:]),
        "params": model.count_params(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("levers", nargs="*", help=f"default: all of {list(LEVERS)}")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "levers.md")
    args = parser.parse_args(argv)
    unknown = [n for n in args.levers if n not in LEVERS]
    if unknown:
        parser.error(f"unknown lever(s) {unknown}; choose from {list(LEVERS)}")
    names = args.levers or list(LEVERS)
    if "baseline" not in names:
        names = ["baseline", *names]
    sys.path.insert(0, str(ROOT))
    from helpers.course.runtime import import_tensorflow_quietly

    tf = import_tensorflow_quietly()
    rows = []
    for name in names:
        r = measure(name, args.epochs)
        rows.append(r)
        print(f"{name:12s} wall {r['wall']:.2f} s/epoch, cpu {r['cpu']:.2f}, stall {r['stall']:.2f} s", flush=True)
    base = rows[0]
    lines = [
        f"Measured by `python benchmarks/levers.py` ({args.epochs} epochs after a warm-up epoch, median; "
        f"TensorFlow {tf.__version__}, {os.cpu_count()} CPUs). Ratio < 1 is faster than the baseline. "
        "Stall: mean idle wait before an epoch's first batch.",
        "",
        "| lever | what | s / epoch (wall, median) | mean s / epoch (wall) | stall s | CPU s / epoch | CPU ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['lever']} | {r['help']} | {r['wall']:.2f} | {r['mean_wall']:.2f} | {r['stall']:.2f} "
            f"| {r['cpu']:.2f} | {r['cpu'] / base['cpu']:.2f} |"
        )
    args.out.write_text("\n".join(lines) + "\n")
    measured = {"tensorflow": tf.__version__, "onednn_env": os.environ.get("TF_ENABLE_ONEDNN_OPTS"), "rows": rows}
    args.out.with_suffix(".json").write_text(json.dumps(measured, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
