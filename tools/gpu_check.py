"""The GPU path, checked on a machine with a GPU (`make test-gpu`; issue 11).

On a GPU, Keras compiles ``fit``/``evaluate`` with XLA by itself (``jit_compile="auto"`` becomes True),
which is what learners on a Colab GPU runtime get. This script, on a machine where TensorFlow sees a
GPU:

1. prints the device, the versions, and what ``jit_compile="auto"`` resolves to;
2. runs ``tests/test_compile_matrix.py`` (its ``auto`` mode is then XLA on the GPU);
3. executes notebooks 03, 05 and 06 from a fresh kernel (copies in a temporary folder: the tracked
   notebooks are not touched; outputs are not compared, since GPU arithmetic differs in the last bits);

and prints a Markdown summary with timings for ``benchmarks/RESULTS.md`` (also written to ``--out``).
Without a visible GPU it says why and exits with status 2: it never passes by checking nothing.

    python tools/gpu_check.py [--out gpu_check.md] [--skip-notebooks]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["03_correct_iou_in_keras.ipynb", "05_training_a_small_unet.ipynb", "06_evaluating_segmentation.ipynb"]
NO_GPU = 2


def _gpu_or_exit():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return tf, gpus
    print("make test-gpu: no GPU is visible to TensorFlow (tf.config.list_physical_devices('GPU') is empty),")
    print("so the GPU path cannot be checked on this machine. Nothing was run.")
    if not tf.test.is_built_with_cuda():
        print(f"This TensorFlow {tf.__version__} is built without CUDA (requirements.txt installs tensorflow-cpu on")
        print("Linux x86-64). On a machine with an NVIDIA GPU and driver, install the CUDA build in this venv:")
        print(f"    {sys.executable} -m pip uninstall -y tensorflow-cpu")
        print(f"    {sys.executable} -m pip install 'tensorflow[and-cuda]=={tf.__version__}'")
    else:
        print("TensorFlow is built with CUDA: check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES.")
    print("Without a GPU, `make test` covers the same XLA code path on the CPU (jit_compile=True).")
    sys.exit(NO_GPU)


def _auto_jit(tf):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("adam", "mse")  # jit_compile="auto", Keras's default
    return model.jit_compile


def _run(cmd, timeout):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return proc, time.perf_counter() - t0


def _execute_notebook(name, workdir, timeout):
    import nbformat
    from nbclient import NotebookClient

    src = ROOT / "notebooks" / name
    nb = nbformat.read(src, as_version=4)
    t0 = time.perf_counter()
    try:  # run in notebooks/ (relative paths), save the executed copy elsewhere
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
        ).execute()
        ok, detail = True, ""
    except Exception as exc:  # reported, and the script fails
        ok, detail = False, f"{type(exc).__name__}: {str(exc)[-1500:]}"
    nbformat.write(nb, Path(workdir) / name)
    return ok, time.perf_counter() - t0, detail


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the Markdown summary to this file")
    parser.add_argument("--skip-notebooks", action="store_true", help="only the compile matrix")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per step")
    args = parser.parse_args(argv)

    tf, gpus = _gpu_or_exit()
    import keras

    details = tf.config.experimental.get_device_details(gpus[0])
    device = f"{len(gpus)} x {details.get('device_name', gpus[0].name)}"
    auto = _auto_jit(tf)
    print(f"GPU: {device}; TensorFlow {tf.__version__}, Keras {keras.__version__}, Python {platform.python_version()}")
    print(f"compile(jit_compile='auto') resolves to: {auto}", flush=True)

    rows, failed = [], False
    matrix = [sys.executable, "-m", "pytest", "tests/test_compile_matrix.py", "-q", "-p", "no:cacheprovider"]
    proc, seconds = _run(matrix, args.timeout)
    last = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
    rows.append(("tests/test_compile_matrix.py", proc.returncode == 0, seconds, last))
    failed |= proc.returncode != 0
    print(f"compile matrix: {last} ({seconds:.0f} s)", flush=True)
    if proc.returncode != 0:
        print(proc.stdout[-6000:], proc.stderr[-3000:])

    if not args.skip_notebooks:
        workdir = tempfile.mkdtemp(prefix="iou_lab_gpu_")
        try:
            for name in NOTEBOOKS:
                ok, seconds, detail = _execute_notebook(name, workdir, args.timeout)
                rows.append((f"notebooks/{name}", ok, seconds, "executed" if ok else detail.splitlines()[0]))
                failed |= not ok
                print(f"{name}: {'ok' if ok else 'FAILED'} ({seconds:.0f} s)", flush=True)
                if not ok:
                    print(detail)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    lines = [
        "## GPU check (`make test-gpu`)",
        "",
        f"{device}; TensorFlow {tf.__version__}, Keras {keras.__version__}, Python {platform.python_version()}; "
        f'`jit_compile="auto"` resolved to `{auto}`. Measured {time.strftime("%Y-%m-%d")}.',
        "",
        "| step | result | wall time |",
        "| --- | --- | ---: |",
        *[f"| {step} | {'passed' if ok else '**failed**'}: {note} | {sec:.0f} s |" for step, ok, sec, note in rows],
        "",
    ]
    summary = "\n".join(lines)
    print("\n" + summary)
    if args.out:
        args.out.write_text(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
