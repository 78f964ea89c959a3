"""take_home/iou_keras.py alone in a learner's project, on each Keras backend installed here.

Each case copies ``iou_keras.py`` and ``take_home_check.py`` into an empty folder and runs the check in
two fresh processes (save, then load) with ``KERAS_BACKEND`` set, ``helpers`` made unimportable and no
``custom_objects``. ``make test`` runs the TensorFlow case (the course's environment); ``make
test-backends`` builds ``.venv-backends`` (Keras with JAX and PyTorch, no TensorFlow) and runs the others.
"""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_take_home_alone_in_a_project(backend, tmp_path):
    if importlib.util.find_spec(backend) is None or importlib.util.find_spec("keras") is None:
        runner = "make test" if backend == "tensorflow" else "make test-backends"
        pytest.skip(f"Keras with {backend} is not installed here ({runner} runs it)")
    shutil.copy(ROOT / "take_home" / "iou_keras.py", tmp_path)
    shutil.copy(ROOT / "tests" / "take_home_check.py", tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")

    def run(step):
        done = subprocess.run(
            [sys.executable, "take_home_check.py", step, str(tmp_path)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"{step} on {backend} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    saved = run("save")
    assert saved["backend"] == backend
    (tmp_path / "saved.json").write_text(json.dumps(saved))
    assert len(run("load")["reloaded"]) == 10  # 5 recipes x jit_compile on and off, loaded in a new process
