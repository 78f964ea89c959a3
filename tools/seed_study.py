"""The seed-and-machine study behind notebook 05's conclusions (``make seeds``; not run by CI).

Trains every recipe of :mod:`helpers.course.training` from several seeds under one *execution setting* and
records, per run, the validation and test mean IoU and per-class IoU (NumPy reference, dataset level),
pixel accuracy, the question's metric, training seconds, the library versions and the CPU.

An execution setting changes the arithmetic without changing the recipe: the number of CPU threads
(summation order) or oneDNN on/off (other kernels). Runs with the same setting on the same machine
are bit-for-bit repeatable; across settings they differ as they would across learners' machines.

    python tools/seed_study.py --setting threads2 --seeds 0 1 2 3 4 5 6 7 8 9

(``make seeds`` runs one process per seed: XLA's compiled programs pile up in one long process.)

Results go to ``data/seed_study/<setting>.json`` (committed), one record per (recipe, seed), saved
after every run; runs already there are skipped, so an interrupted study resumes where it stopped.
``helpers.course.study`` reads and summarises them.

Training runs here exactly as in notebook 05 (``train_recipe`` with the per-epoch metrics and
validation), so a run here is the model notebook 05 trains from the same seed under the same setting
and CPU; each record keeps the per-epoch history (training and validation loss, accuracy, the
question's metric and mean IoU) and the time it finished.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

SETTINGS = {
    "threads2": {
        "threads": 2,
        "onednn": True,
        "help": "2 CPU threads, oneDNN on, XLA (as notebook 05 trains on a 2-core CPU)",
    },
    "threads1": {"threads": 1, "onednn": True, "help": "1 CPU thread, oneDNN on"},
    "onednn0": {"threads": 2, "onednn": False, "help": "2 CPU threads, oneDNN off"},
}

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "seed_study"


def _configure(setting: str) -> None:
    """Environment for a setting; must run before TensorFlow is imported."""
    s = SETTINGS[setting]
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if s["onednn"] else "0"
    for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[var] = str(s["threads"])


def cpu_name() -> str:
    """The CPU model, as the study records it (also used by tools/aerial_study.py)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def save_json(path: Path, doc: dict) -> None:
    """Write ``doc`` to ``path`` atomically (a killed run never leaves half a file)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="threads2")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--recipes", nargs="+", default=None, help="recipe keys (default: all)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    _configure(args.setting)
    from helpers.course.runtime import import_tensorflow_quietly

    tf = import_tensorflow_quietly()
    threads = SETTINGS[args.setting]["threads"]
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    import numpy as np

    from helpers import metrics as M
    from helpers.course import training as T
    from helpers.course.data import load_shapes
    from helpers.course.soft_iou import boundary_mask

    keys = args.recipes or list(T.RECIPES)
    unknown = sorted(set(keys) - set(T.RECIPES))
    if unknown:
        parser.error(f"unknown recipe(s) {unknown}; choose from {sorted(T.RECIPES)}")
    # a fine-tuning recipe needs its parent from the same seed: train parents first
    keys = sorted(keys, key=lambda k: T.RECIPES[k].init_from is not None)

    out = args.out or OUT_DIR / f"{args.setting}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = json.loads(out.read_text()) if out.exists() else {"runs": []}
    doc["meta"] = {
        "setting": args.setting,
        "setting_help": SETTINGS[args.setting]["help"],
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "cpu": cpu_name(),
        "machine": platform.machine(),
        "config": T.config_summary(),
    }
    done = {(r["recipe"], r["seed"]) for r in doc["runs"] if r.get("config") == T.config_summary()}
    doc["runs"] = [r for r in doc["runs"] if r.get("config") == T.config_summary()]

    data = T.load_training_data()
    x_val, m_val = load_shapes("val")
    x_test, m_test = load_shapes("test")
    for seed in args.seeds:
        models = {}
        for key in keys:
            recipe = T.RECIPES[key]
            if (key, seed) in done and not any(T.RECIPES[k].init_from == key and (k, seed) not in done for k in keys):
                continue
            init = None
            if recipe.init_from is not None:
                parent = models.get(recipe.init_from)
                if parent is None:
                    parent = T.train_recipe(recipe.init_from, data, seed=seed, verbose=0).model
                    models[recipe.init_from] = parent
                init = parent.get_weights()
            t0 = time.perf_counter()
            result = T.train_recipe(key, data, seed=seed, init_weights=init, verbose=0)
            seconds = time.perf_counter() - t0
            models[key] = result.model
            if (key, seed) in done:
                continue
            val = T.evaluate_model(result.model, x_val, m_val)
            test = T.evaluate_model(result.model, x_test, m_test)
            record = {
                "recipe": key,
                "seed": seed,
                "setting": args.setting,
                "config": T.config_summary(),
                "train_seconds": round(seconds, 1),
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "history": {k: [round(float(v), 5) for v in vs] for k, vs in result.history.items()},
            }
            for split, r in (("val", val), ("test", test)):
                record[f"{split}_mean_iou"] = round(float(r["mean_iou"]), 5)
                record[f"{split}_per_class_iou"] = [round(float(v), 5) for v in r["per_class_iou"]]
                record[f"{split}_pixel_accuracy"] = round(float(r["pixel_accuracy"]), 5)
                record[f"{split}_question_mean_iou"] = round(float(r["question_mean_iou"]), 5)
                record[f"{split}_per_image_mean_iou"] = round(float(r["per_image_mean_iou"]), 5)
            void = boundary_mask(m_test)
            record["test_mean_iou_boundary_void"] = round(
                float(M.mean_iou(np.where(void, 255, m_test), test["pred"], num_classes=5, ignore_index=255)), 5
            )
            doc["runs"].append(record)
            done.add((key, seed))
            save_json(out, doc)
            print(
                f"{args.setting} seed {seed} {key}: val {record['val_mean_iou']:.3f} "
                f"test {record['test_mean_iou']:.3f} ({seconds:.0f} s)",
                flush=True,
            )
        keras.backend.clear_session()
    save_json(out, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
