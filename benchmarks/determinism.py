"""Op determinism and thread settings (issue 10): cost and effect, for `make bench` (never a test).

    python benchmarks/determinism.py nodet OUT.npz     # default kernels
    python benchmarks/determinism.py det OUT.npz       # tf.config.experimental.enable_op_determinism()

Trains recipe d for 2 epochs on 400 training images, twice in one process, and prints one JSON line:
CPU seconds of each run, and whether the two runs gave identical weights. The weights of the first run
are saved to OUT.npz so that benchmarks/run.py can compare the two modes.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def main(mode: str, out: str) -> None:
    import tensorflow as tf

    if mode == "det":
        tf.config.experimental.enable_op_determinism()
    from helpers.course import training as T

    data = tuple(a[:400] for a in T.load_training_data())
    weights, cpu = [], []
    for _ in range(2):
        c0 = time.process_time()
        r = T.train_recipe("d", data, epochs=2, verbose=0, monitor=False)
        cpu.append(time.process_time() - c0)
        weights.append(np.concatenate([w.ravel() for w in r.model.get_weights()]))
    np.savez(out, weights=weights[0])
    print(json.dumps({"mode": mode, "cpu": cpu, "repeat_identical": bool(np.array_equal(*weights))}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
