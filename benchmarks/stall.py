"""The idle wait between epochs of ``model.fit`` on NumPy arrays, with tf.data autotuning on and off.

    python benchmarks/stall.py            # writes benchmarks/stall.md (included in RESULTS.md)

Trains notebook 05's recipe (a) as the notebook does (7 epochs, batch 8, the three metrics,
validation every epoch), once with Keras's default (autotuning on) and once inside
``helpers.course.runtime.tf_data_autotune_off()``, each in a fresh process, and records for every epoch
its wall time and the wait before its first batch. It also checks that both runs trained the same
weights bit for bit. The wait comes and goes with timing, so one pair of runs can show none; the
table says what this run saw. This is a benchmark, never a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as the notebooks' set-up cell (seed study)
ROOT = Path(__file__).resolve().parents[1]


def _child(mode: str, out: Path) -> None:
    """Train recipe (a) in this process and write per-epoch times and a weights digest to ``out``."""
    import hashlib

    sys.path.insert(0, str(ROOT))
    import keras
    import numpy as np

    from helpers.course import runtime
    from helpers.course import training as T
    from helpers.course.model import build_unet

    class Timer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.wall, self.wait = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self._t, self._first = time.perf_counter(), True

        def on_train_batch_begin(self, batch, logs=None):
            if self._first:
                self.wait.append(time.perf_counter() - self._t)
                self._first = False

        def on_epoch_end(self, epoch, logs=None):
            self.wall.append(time.perf_counter() - self._t)

    x, y, xv, yv = T.load_training_data()
    recipe = T.RECIPES["a"]
    keras.utils.set_random_seed(T.SEED)
    model = build_unet(input_shape=x.shape[1:], num_classes=T.NUM_CLASSES, **T.UNET)
    T.compile_model(model, recipe)
    timer = Timer()
    fit = dict(validation_data=(xv, yv), epochs=recipe.epochs, batch_size=T.BATCH_SIZE, callbacks=[timer], verbose=0)
    if mode == "off":
        with runtime.tf_data_autotune_off():
            model.fit(x, y, **fit)
    else:
        model.fit(x, y, **fit)
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in model.get_weights())).hexdigest()
    out.write_text(json.dumps({"mode": mode, "wall": timer.wall, "wait": timer.wait, "weights": digest}))


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] in ("on", "off"):
        _child(sys.argv[1], Path(sys.argv[2]))
        return 0
    import tempfile

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("on", "off"):
            out = Path(tmp) / f"{mode}.json"
            subprocess.run([sys.executable, __file__, mode, str(out)], check=True)
            results[mode] = json.loads(out.read_text())
            r = results[mode]
            print(mode, "epochs", [round(t, 1) for t in r["wall"]], "waits", [round(t, 1) for t in r["wait"]])
    same = results["on"]["weights"] == results["off"]["weights"]
    lines = [
        "Recipe (a) as notebook 05 trains it (7 epochs, metrics, validation), each mode in a fresh process",
        "(`python benchmarks/stall.py`). Wait: idle time from the start of an epoch to its first batch.",
        "",
        "| tf.data autotuning | epoch wall times (s) | waits before the first batch (s) | total s |",
        "| --- | --- | --- | ---: |",
    ]
    for mode, label in (("on", "on (Keras's default)"), ("off", "off (`tf_data_autotune_off`)")):
        r = results[mode]
        lines.append(
            f"| {label} | {', '.join(f'{t:.1f}' for t in r['wall'])} | {', '.join(f'{t:.1f}' for t in r['wait'])} "
            f"| {sum(r['wall']):.0f} |"
        )
    lines += ["", f"Same trained weights in both modes (SHA-256 of all weights): {'yes' if same else '**no**'}."]
    (ROOT / "benchmarks" / "stall.md").write_text("\n".join(lines) + "\n")
    print("wrote benchmarks/stall.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
