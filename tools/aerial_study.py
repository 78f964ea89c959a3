"""The seed study behind notebook 08's claims on the real aerial images (``make aerial-seeds``; not run by CI).

Trains recipes ``a`` (the question's) and ``c`` (per-class soft Jaccard) of
:mod:`helpers.course.aerial_training` from several seeds, exactly as notebook 08 trains them (``train``,
with the per-epoch validation), on 2 CPU threads with oneDNN on, and records per run: the per-epoch
history, training seconds, and on the whole validation and test photographs (``evaluate``) the mean IoU,
per-class IoU, per-image mean IoU and pixel accuracy against the shrunk masks, the same against the masks
at their own resolution (``*_native``), and the question's metric.

    python tools/aerial_study.py --seeds 0

(``make aerial-seeds`` runs one process per seed, as ``make seeds`` does.) Results go to
``data/aerial_study/threads2.json`` (committed), saved after every run; runs already there with the same
configuration are skipped, so an interrupted study resumes. ``helpers.course.study`` reads it
(``load_study(directory=...)``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "aerial_study" / "threads2.json"
THREADS = 2

sys.path.insert(0, str(ROOT / "tools"))
from seed_study import cpu_name, save_json  # noqa: E402  (one study writer for both studies)


def _rounded(values):
    return [round(float(v), 5) for v in values]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    parser.add_argument("--recipes", nargs="+", default=["a", "c"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"
    for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[var] = str(THREADS)
    from helpers.course.runtime import import_tensorflow_quietly

    tf = import_tensorflow_quietly()
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(THREADS)
    import keras
    import numpy as np

    from helpers.course import aerial_training as T

    unknown = sorted(set(args.recipes) - set(T.RECIPES))
    if unknown:
        parser.error(f"unknown recipe(s) {unknown}; choose from {sorted(T.RECIPES)}")
    config = json.loads(json.dumps(T.config_summary()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    doc = json.loads(args.out.read_text()) if args.out.exists() else {"runs": []}
    doc["runs"] = [r for r in doc["runs"] if r.get("config") == config]
    doc["meta"] = {
        "setting": "threads2",
        "setting_help": "2 CPU threads, oneDNN on, XLA (as notebook 08 trains on a 2-core CPU)",
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "cpu": cpu_name(),
        "machine": platform.machine(),
        "config": config,
    }
    done = {(r["recipe"], r["seed"]) for r in doc["runs"]}
    data = T.load_data()
    for seed in args.seeds:
        for key in args.recipes:
            if (key, seed) in done:
                continue
            t0 = time.perf_counter()
            result = T.train(key, data, seed=seed, verbose=0)
            seconds = time.perf_counter() - t0
            record = {
                "recipe": key,
                "seed": seed,
                "setting": "threads2",
                "config": config,
                "train_seconds": round(seconds, 1),
                "epoch_seconds": [round(s, 2) for s in result.epoch_seconds],
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "history": {k: _rounded(v) for k, v in result.history.items()},
            }
            for split in ("val", "test"):
                ev = T.evaluate(result.model, data[f"{split}_images"])
                record[f"{split}_question_mean_iou"] = round(ev["question_mean_iou"], 5)
                for level, suffix in (("small", ""), ("native", "_native")):
                    record[f"{split}_mean_iou{suffix}"] = round(ev[f"mean_iou_{level}"], 5)
                    record[f"{split}_per_class_iou{suffix}"] = _rounded(ev[f"per_class_iou_{level}"])
                    record[f"{split}_pixel_accuracy{suffix}"] = round(ev[f"pixel_accuracy_{level}"], 5)
                    record[f"{split}_per_image_mean_iou{suffix}"] = round(ev[f"per_image_mean_iou_{level}"], 5)
            doc["runs"].append(record)
            done.add((key, seed))
            save_json(args.out, doc)
            print(
                f"aerial seed {seed} {key}: val {record['val_mean_iou']:.3f} test {record['test_mean_iou']:.3f} "
                f"(native {record['test_mean_iou_native']:.3f}) ({seconds:.0f} s)",
                flush=True,
            )
            keras.backend.clear_session()
    save_json(args.out, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
