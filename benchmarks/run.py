"""Benchmarks for IoU Lab (`make bench`): writes benchmarks/RESULTS.md. Never a timed test.

Sections (select some with `python benchmarks/run.py metrics sliders ...`; default: all; an unknown
name stops before anything runs). A run of all sections rewrites RESULTS.md; a partial run replaces
only its own sections there, with a note of when and where they were measured, and keeps the rest:
- notebooks: wall time of each notebook executed from a fresh kernel (normal mode), and the total,
  for each of ``IOU_LAB_BENCH_RUNS`` (2) runs of the whole course;
- training: per recipe of notebook 05, seconds per epoch, total seconds, test mean IoU, time to
  reach validation mean IoU 0.8, and a time-to-mIoU figure (benchmarks/time_to_miou.png);
- stall: the idle wait between epochs with tf.data autotuning on and off (benchmarks/stall.py);
- sliders: time from a slider value change to the updated figure, median and 95th percentile;
- metrics: StreamingMeanIoU.update_state vs keras.metrics.OneHotMeanIoU.update_state on
  32x224x224x5 probabilities, eagerly, in tf.function and under XLA (jit_compile=True);
  helpers.metrics.confusion_matrix vs one bare np.bincount.
"""

import datetime
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as the notebooks' set-up cell (seed study)
import numpy as np

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

    from helpers.keras.metrics import StreamingMeanIoU
    from helpers.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    shape = (32, 224, 224)
    lab = rng.integers(0, 5, shape)
    y_true = tf.constant(np.eye(5, dtype=np.float32)[lab])
    y_pred = tf.constant(rng.dirichlet(np.ones(5), size=shape).astype(np.float32))

    ours = StreamingMeanIoU(5)
    theirs = keras.metrics.OneHotMeanIoU(num_classes=5)
    modes = [
        ("eager", (ours.update_state, theirs.update_state)),
        ("tf.function", (tf.function(ours.update_state), tf.function(theirs.update_state))),
        (
            "XLA (jit_compile=True)",
            (tf.function(ours.update_state, jit_compile=True), tf.function(theirs.update_state, jit_compile=True)),
        ),
    ]
    rows = []
    for name, (f_ours, f_theirs) in modes:
        # alternate the two calls, so that a change in the machine's load hits both alike
        for _ in range(3):
            f_ours(y_true, y_pred), f_theirs(y_true, y_pred)
        times = ([], [])
        for _ in range(15):
            for f, out in ((f_ours, times[0]), (f_theirs, times[1])):
                t0 = time.perf_counter()
                f(y_true, y_pred)
                out.append(time.perf_counter() - t0)
        rows.append((name, float(np.median(times[0])), float(np.median(times[1]))))
    # same answer?
    ours.reset_state()
    theirs.reset_state()
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    agree = abs(float(ours.result()) - float(theirs.result()))

    t_lab = lab.astype(np.int64)
    p_lab = y_pred.numpy().argmax(-1)
    t_bincount = _median_time(lambda: np.bincount(t_lab.ravel(), minlength=5), repeat=30)
    t_cm = _median_time(lambda: confusion_matrix(t_lab, p_lab, num_classes=5), repeat=30)

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
        "| labels | np.bincount (one label array) | helpers.metrics.confusion_matrix (validation included) "
        "| ratio (target <= 2x) |",
        "| --- | ---: | ---: | ---: |",
        f"| int64, 32x224x224 | {t_bincount * 1e3:.2f} ms | {t_cm * 1e3:.2f} ms | {t_cm / t_bincount:.2f}x |",
        "",
    ]
    return lines


def _slow_cells(nb, at_least: float = 5.0) -> list[str]:
    """The cells of an executed notebook that took ``at_least`` seconds, with Keras's epoch times.

    ``cell N`` counts every cell, markdown included (the index in the .ipynb). Epoch times are read
    from ``fit(verbose=2)`` lines ("125/125 - 12s - ..."), which is how ``train_recipe`` logs.
    """
    import re

    lines = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
            continue
        start = datetime.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
        if (end - start).total_seconds() >= at_least:
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            epochs = re.findall(r"^\d+/\d+ - (\d+)s - ", text, re.M)
            lines.append(
                f"cell {index}: {(end - start).total_seconds():.1f} s"
                + (f" (epochs: {', '.join(epochs)} s)" if epochs else "")
            )
    return lines


def bench_notebooks(runs: int | None = None):
    """Execute every notebook from a fresh kernel, as a learner would (no quick mode exists).

    The whole course runs ``runs`` times (``IOU_LAB_BENCH_RUNS``, default 2), one notebook after the
    other in course order, so notebook 06 finds notebook 05's weights as a learner's would. A target is
    called met only if the slowest run meets it: one lucky run on a shared machine proves nothing.
    """
    import nbformat
    from nbclient import NotebookClient

    runs = runs or int(os.environ.get("IOU_LAB_BENCH_RUNS", "2"))
    if runs < 1:
        raise SystemExit(f"IOU_LAB_BENCH_RUNS must be 1 or more, got {runs}.")
    root = HERE.parent / "notebooks"
    paths = sorted(root.glob("[0-9][0-9]_*.ipynb"))
    seconds = {path.name: [] for path in paths}
    for run in range(runs):
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            t0 = time.perf_counter()
            NotebookClient(
                nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(root)}}
            ).execute()
            seconds[path.name].append(time.perf_counter() - t0)
            print(f"run {run + 1}/{runs}", path.name, f"{seconds[path.name][-1]:.1f} s", flush=True)
            for line in _slow_cells(nb):  # where the time went (in the log only), to explain an outlier
                print("   ", line, flush=True)
    core = [name for name in seconds if name[:2] < "08"]  # the 300 s target is for 00-07, set before 08 existed
    totals = [sum(seconds[name][run] for name in core) for run in range(runs)]
    with_all = [sum(seconds[name][run] for name in seconds) for run in range(runs)]
    nb05 = next((times for name, times in seconds.items() if name.startswith("05_")), [float("nan")])

    def cells(times):
        return " | ".join(f"{t:.0f} s" for t in times)

    verdict = "met" if max(totals) <= 300 else "**missed**"
    verdict05 = "met" if max(nb05) <= 160 else "**missed**"
    head = " | ".join(f"run {run + 1}" for run in range(runs))
    return [
        "## Notebooks (issues 7, 13)",
        "",
        "Each notebook executed top to bottom in a fresh kernel (nbclient), in the normal mode learners run;",
        f"the whole course {runs} times in a row (`IOU_LAB_BENCH_RUNS`). Notebook 06 loads notebook 05's cached",
        "weights (as after running the course in order). A target counts as met only if every run meets it.",
        "",
        f"| notebook | {head} |",
        "| --- |" + " ---: |" * runs,
        *(f"| {name} | {cells(times)} |" for name, times in seconds.items()),
        f"| **notebooks 00-07** | {cells(totals)} |",
        f"| **whole course, with 08 (real images)** | {cells(with_all)} |",
        "",
        f"Notebooks 00-07: slowest run {max(totals):.0f} s (target <= 300 s: {verdict}); notebook 05: slowest run "
        f"{max(nb05):.0f} s (target <= 160 s: {verdict05}). Notebook 08 trains two models on real photographs "
        f"live and has no target of its own; the whole course with it: slowest run {max(with_all):.0f} s.",
        "",
    ]


def bench_sliders(repeat: int = 40):
    """Median and 95th percentile of value change -> updated figure, for each explorer."""
    from helpers.course import widgets as W

    cases = {
        "iou_explorer (move B)": (W.iou_explorer(), "x", [10, 12, 14, 16, 18, 20, 22, 24, 26, 28]),
        "imbalance_explorer (shrink class)": (W.imbalance_explorer(), "size", [28, 24, 20, 16, 12, 8, 4, 2]),
        "convention_explorer (toggle)": (W.convention_explorer(), "absent", ["exclude", "zero", "one"]),
        "sharpness_explorer (temperature)": (W.sharpness_explorer(), None, None),
    }
    rows = []
    for name, (explorer, key, values) in cases.items():
        if key is None:  # the first control, whatever it is called
            key = next(iter(explorer.controls))
            slider = explorer.controls[key]
            values = list(np.linspace(slider.min, slider.max, 9))
        control = explorer.controls[key]
        times = []
        for i in range(repeat):
            t0 = time.perf_counter()
            control.value = (
                values[i % len(values)] if values[i % len(values)] != control.value else values[(i + 1) % len(values)]
            )
            times.append(time.perf_counter() - t0)  # observers run synchronously: compute + render + PNG
        med, p95 = np.median(times) * 1e3, np.percentile(times, 95) * 1e3
        rows.append(f"| {name} | {med:.1f} ms | {p95:.1f} ms | {'met' if med < 100 else '**missed**'} |")
        print(name, f"{med:.1f} ms", flush=True)
    return [
        "## Slider response (issue 7)",
        "",
        "Time from setting a control's value to the updated picture and readout (the observer runs the pure",
        "function, redraws and encodes the PNG), measured in the kernel process; the browser adds its own",
        "rendering on top.",
        "",
        "| explorer | median | 95th percentile | target: median < 100 ms |",
        "| --- | ---: | ---: | --- |",
        *rows,
        "",
    ]


def bench_training():
    """Notebook 05's live recipes: s/epoch, total s, validation mean IoU, time to reach val mean IoU 0.8.

    As in the notebook: recipes are compared on validation data; only the one selected there is
    evaluated on the test split.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.course.data import load_shapes
    from helpers.course.training import (
        BATCH_SIZE,
        LIVE_RECIPES,
        RECIPES,
        evaluate_model,
        load_training_data,
        train_recipe,
    )

    data = load_training_data()
    x_val, m_val = data[2], data[3].argmax(-1)
    x_test, m_test = load_shapes("test")
    results, rows, val_miou = {}, [], {}
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for key in LIVE_RECIPES:
        recipe = RECIPES[key]
        init = results[recipe.init_from].model.get_weights() if recipe.init_from else None
        r = train_recipe(recipe, data, init_weights=init, verbose=0)
        results[key] = r
        val_miou[key] = evaluate_model(r.model, x_val, m_val)["mean_iou"]
        offset = results[recipe.init_from].seconds if recipe.init_from else 0.0
        t = offset + np.cumsum(r.epoch_seconds)
        val = np.array(r.history["val_mean_iou"])
        reached = t[np.argmax(val >= 0.8)] if (val >= 0.8).any() else None
        ax.plot(t, val, marker="o", ms=3, label=recipe.label)
        rows.append(
            f"| {recipe.label} | {np.mean(r.epoch_seconds[1:] or r.epoch_seconds):.1f} s | {r.seconds:.0f} s | "
            f"{val_miou[key]:.3f} | {f'{reached:.0f} s' if reached is not None else 'not reached'} |"
        )
        print(recipe.label, f"{r.seconds:.0f} s", f"val mIoU {val_miou[key]:.3f}", flush=True)
    ax.axhline(0.8, color="0.5", ls=":", lw=1)
    ax.set(
        xlabel="training seconds (CPU, cumulative; (e) starts where (b) ended)",
        ylabel="validation mean IoU",
        title="Time to mean IoU, live recipes of notebook 05",
        ylim=(0, 1),
    )
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(HERE / "time_to_miou.png", dpi=100)
    best = max(val_miou, key=val_miou.get)
    test = evaluate_model(results[best].model, x_test, m_test)["mean_iou"]
    total = sum(r.seconds for r in results.values())
    return [
        "## Training (issues 7, 13)",
        "",
        f"The live recipes of notebook 05 (helpers.course.training), seed 0, batch size {BATCH_SIZE}; epoch 1 includes",
        "graph tracing, so seconds per epoch is the mean of the later epochs. Time to val mIoU 0.8 for (e)",
        "counts (b)'s training too, since (e) fine-tunes (b). The other recipes come from the seed study",
        "(`make seeds`, data/seed_study/), which also gives each recipe's spread over seeds and machines.",
        "",
        "| recipe | s / epoch | training s | val mean IoU | time to val mIoU 0.8 |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Training, all live recipes: {total:.0f} s. Selected on validation: {RECIPES[best].label}; its test "
        f"mean IoU (the test split used once, after selection): {test:.4f} (target >= 0.90: "
        f"{'met' if test >= 0.90 else '**missed**'}).",
        "",
        "![time to mean IoU](time_to_miou.png)",
        "",
    ]


def bench_seed_study():
    """Summary of the committed seed study (data/seed_study/, `make seeds`): no training here."""
    from helpers.course import study as S
    from helpers.course.training import RECIPES

    study = S.load_study()
    runs = [r for r in study["runs"] if r["setting"] == S.MAIN_SETTING]
    seeds = S.check_balanced(runs, recipes=list(RECIPES))
    val = S.summarise(runs, "val_mean_iou", list(RECIPES))
    test = S.summarise(runs, "test_mean_iou", list(RECIPES))
    rows = []
    for key, recipe in RECIPES.items():
        rate = S.lost_class_rate(runs, key)
        rows.append(
            f"| {recipe.label} | {S.describe_range(val[key])} | {S.describe_range(test[key])} | "
            f"{rate['k']}/{rate['n']} ({100 * rate['ci'][0]:.0f} % to {100 * rate['ci'][1]:.0f} %) |"
        )
    meta = study["settings"][S.MAIN_SETTING]
    finished = sorted(r["finished"] for r in runs if "finished" in r)
    hours = sum(r["train_seconds"] for r in runs) / 3600
    span = f", finished between {finished[0]} and {finished[-1]}" if finished else ""
    return [
        "## Seed study (issues 10, 13, 24)",
        "",
        f"`make seeds` trained every recipe from {len(seeds)} seeds ({min(seeds)} to {max(seeds)}), balanced,",
        f"under one execution setting ({meta['setting_help']}; TF {meta['tensorflow']}, Keras {meta['keras']},",
        f"{meta['cpu']}): {len(runs)} runs, {hours:.1f} hours of training{span}.",
        "Dataset-level mean IoU, min to max over the seeds; a lost class is one with validation IoU < 0.05",
        "(exact 95 % interval of the rate). Notebook 05 section 5 compares the recipes seed by seed.",
        "",
        "| recipe | val mean IoU | test mean IoU | lost a class (95 % interval) |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
    ]


def bench_determinism():
    """Cost and effect of tf.config.experimental.enable_op_determinism() on CPU (benchmarks/determinism.py)."""
    import json
    import subprocess
    import tempfile

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("nodet", "det"):
            path = f"{tmp}/{mode}.npz"
            line = (
                subprocess.run(
                    [sys.executable, str(HERE / "determinism.py"), mode, path],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            out[mode] = json.loads(line)
            out[mode]["weights"] = np.load(path)["weights"]
    diff = float(np.abs(out["det"]["weights"] - out["nodet"]["weights"]).max())
    rows = [
        f"| {'op determinism on' if m == 'det' else 'default'} | "
        f"{' / '.join(f'{c:.1f}' for c in out[m]['cpu'])} | {'yes' if out[m]['repeat_identical'] else 'no'} |"
        for m in ("nodet", "det")
    ]
    return [
        "## Determinism (issue 10)",
        "",
        "Recipe d, 2 epochs on 400 training images, trained twice in one process per mode (CPU seconds of each",
        "run; identical = bit-for-bit equal weights).",
        "",
        "| mode | CPU s (run 1 / run 2) | runs identical |",
        "| --- | ---: | --- |",
        *rows,
        "",
        f"Largest weight difference between the two modes: {diff:.3g}"
        + (" (the same kernels here)." if diff == 0 else " (op determinism selects other kernels: another draw)."),
        "On this CPU, runs with the same seed, thread count and versions repeat bit for bit without op",
        "determinism, and turning it on costs little; neither mode makes two machines agree (CPU instruction",
        "sets and thread counts change the arithmetic: see the seed study). Notebook 05 leaves it off: on a GPU",
        "it also makes some ops raise (no deterministic kernel), and the course must run there.",
        "",
    ]


def bench_gpu_note():
    """Where the GPU path stands (no measurement without a GPU: tools/gpu_check.py)."""
    return [
        "## GPU path (issue 11)",
        "",
        "GPU path verified only through XLA on CPU: `jit_compile=True` (the path Keras takes by itself when a",
        "GPU is visible) runs the compile matrix (`tests/test_compile_matrix.py`) and notebook 03 on this CPU,",
        "under Keras 3.15 and Colab's 3.13. No GPU machine was available; `make test-gpu` (tools/gpu_check.py)",
        "runs the matrix and notebooks 03, 05, 06 on one and prints the rows for this section.",
        "",
    ]


def bench_levers(measure: bool = True):
    """Training-speed levers of issue 13, one at a time against the baseline (benchmarks/levers.py).

    ``measure=False`` rewrites the section from the last measurement (benchmarks/levers.json).
    """
    import json
    import subprocess

    if measure:
        subprocess.run([sys.executable, str(HERE / "levers.py")], check=True)
    measured = json.loads((HERE / "levers.json").read_text())
    rows = {r["lever"]: r for r in measured["rows"]}
    base = rows["baseline"]

    def ratio(name):
        return rows[name]["cpu"] / base["cpu"] if name in rows else float("nan")

    lines = [
        "## Training-speed levers (issue 13)",
        "",
        *(HERE / "levers.md").read_text().splitlines(),
        "",
        *(
            []
            if measured.get("onednn_env") == "1"
            else [
                "These rows were measured with TensorFlow's own oneDNN default, which is off on this CPU (no",
                "AVX-512 VNNI); the notebooks' set-up cell now turns oneDNN on (`TF_ENABLE_ONEDNN_OPTS=1`), as the",
                "seed study always ran. Compare rows with each other, not with the notebook timings above.",
                "",
            ]
        ),
        "What was kept, and why the rest was not:",
        "",
    ]
    if "autotune_on" in rows:
        on = rows["autotune_on"]
        lines += [
            "- **Kept: tf.data autotuning off** (`helpers.course.runtime.tf_data_autotune_off`, around `fit` and",
            "  `predict` in `helpers.course.training`). It removes an idle wait between epochs that comes and goes",
            '  (section "tf.data stall between epochs"; docs/troubleshooting.md, entry 21). In this run of the',
            f"  levers, Keras's default (`autotune_on`) waited {on['stall']:.2f} s on average before an epoch's first",
            f"  batch, against {base['stall']:.2f} s with autotuning off. The trained weights are the same bit for",
            "  bit (tests/test_training.py), so the seed study still describes the notebook's runs.",
        ]
    lines += [
        "- **Kept: fewer live runs.** Notebook 05 trains two recipes live, the question's (a) and per-class",
        "  soft Jaccard (c); the others come from the committed seed study, and the notebook says which is which.",
        "- **Kept since issue 24: XLA with steps_per_execution=25** (`helpers.course.training.JIT_COMPILE`,",
        f"  `STEPS_PER_EXECUTION`): CPU ratio {ratio('xla_spe25'):.2f} against the baseline after the warm-up",
        "  epoch (XLA's compilation not counted). It changes the arithmetic, so the seed study was rerun",
        "  with it (`make seeds`): the study describes what the notebook trains.",
        "- **Not kept: the levers that change the schedule or the model** (batch size, width, depth, epochs):",
        f"  XLA alone {ratio('xla'):.2f}, batch 16 {ratio('batch16'):.2f}, batch 32 {ratio('batch32'):.2f},",
        f"  width 6 {ratio('width6'):.2f}, depth 2 {ratio('depth2'):.2f}.",
        f"- **Not kept: steps_per_execution=25 alone** (CPU ratio {ratio('spe25'):.2f}), **an own tf.data",
        f"  pipeline** ({ratio('tfdata'):.2f}) and **fewer monitored metrics** ({ratio('no_metrics'):.2f}): none",
        "  was faster here, and the per-epoch curves of mean IoU and the question's metric are the lesson",
        "  of notebook 05's section 4.",
        f"- **Lovász** costs {ratio('lovasz'):.2f}x the CPU time of cross-entropy per epoch (the sort), which is",
        "  why it only fine-tunes (3 epochs, recipe e) and is not trained live.",
        "- One process on a 2-core virtual machine whose speed drifts by tens of percent over minutes:",
        "  compare rows of one run (measured one after the other), and read ratios near 1 as no effect.",
        "",
    ]
    return lines


def bench_stall():
    """The idle wait between epochs with tf.data autotuning on and off (benchmarks/stall.py)."""
    import subprocess

    subprocess.run([sys.executable, str(HERE / "stall.py")], check=True)
    return [
        "## tf.data stall between epochs (issue 13)",
        "",
        *(HERE / "stall.md").read_text().splitlines(),
        "",
        "The wait is idle time: `gdb` showed the main thread in tf.data's iterator destructor, waiting",
        "for the autotuning thread, when Keras replaced the epoch's iterator (docs/troubleshooting.md,",
        "entry 21). It comes and goes with timing, so a run may show none; notebook 05 and the seed study",
        "train inside `helpers.course.runtime.tf_data_autotune_off()`.",
        "",
    ]


def bench_audit(repeat: int = 3):
    """Issue 22: seconds per audit of one function (goal < 2 s on 2 cores), and the corpus's verdicts."""
    import statistics
    import sys
    import time

    import keras

    from helpers.audit import audit_loss, audit_metric
    from helpers.course.buggy import iou_loss, mean_iou
    from helpers.keras.losses import soft_jaccard_loss
    from helpers.keras.metrics import StreamingMeanIoU, batch_mean_iou

    cases = [
        ("audit_metric: the question's mean_iou", lambda: audit_metric(mean_iou, num_classes=5)),
        ("audit_metric: batch_mean_iou", lambda: audit_metric(batch_mean_iou, num_classes=5)),
        ("audit_metric: StreamingMeanIoU (a Keras metric)", lambda: audit_metric(StreamingMeanIoU(5), num_classes=5)),
        (
            "audit_metric: keras.metrics.BinaryIoU, binary=True",
            lambda: audit_metric(keras.metrics.BinaryIoU(), binary=True),
        ),
        ("audit_loss: the question's iou_loss", lambda: audit_loss(iou_loss, num_classes=5)),
        (
            "audit_loss: soft_jaccard_loss, labels, ignore_index=255",
            lambda: audit_loss(soft_jaccard_loss, num_classes=5, y_true="labels", ignore_index=255),
        ),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Audit (issue 22)",
        "",
        "| audit of | first call (s) | median of the next 3 (s) |",
        "| --- | --- | --- |",
    ]
    worst = 0.0
    for name, run in cases:
        start = time.perf_counter()
        run()
        first = time.perf_counter() - start
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        worst = max(worst, first, *times)
        lines.append(f"| {name} | {first:.2f} | {statistics.median(times):.2f} |")
    sys.path.insert(0, str(HERE.parent / "tests"))
    from audit_corpus import CORPUS

    matched, slowest = 0, (0.0, "")
    for entry in CORPUS:
        audit = audit_metric if entry.kind == "metric" else audit_loss
        start = time.perf_counter()
        got = set(audit(entry.make(), **entry.options).findings)
        seconds = time.perf_counter() - start
        slowest = max(slowest, (seconds, entry.id))
        matched += got == set(entry.expected)
    lines += [
        "",
        f"Slowest single audit above: {worst:.2f} s (goal: under 2 s on 2 CPU cores). The first call of a "
        f"function includes TensorFlow tracing it. Load average when this section started: {load:.1f} (2 means "
        "both cores busy with other work).",
        "",
        f"**Corpus** (`benchmarks/audit/corpus.md`: real metrics and losses from public repositories, each "
        f"re-implemented in our words in `tests/audit_corpus.py`): **{matched} of {len(CORPUS)}** got the verdict "
        f"expected for them; slowest {slowest[0]:.2f} s ({slowest[1]}). The originals were read at their pinned "
        "commits, not run: most are Keras 2 or TF1 code that does not import under Keras 3, so each verdict is "
        "about the pattern its re-implementation reproduces. Per entry: `benchmarks/audit/corpus-results.md` "
        "(`python benchmarks/audit/run_corpus.py`).",
        "",
    ]
    return lines


SECTIONS = {
    "notebooks": bench_notebooks,
    "training": bench_training,
    "stall": bench_stall,
    "levers": bench_levers,
    "seeds": bench_seed_study,
    "determinism": bench_determinism,
    "gpu": bench_gpu_note,
    "sliders": bench_sliders,
    "metrics": bench_metrics,
    "audit": bench_audit,
}


def parse_sections(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Split a RESULTS.md into its header lines and its ``## `` sections as (title, lines).

    The title is the heading without its "(issue N)" tail, e.g. ``"Metrics"``.
    """
    header, sections = [], []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].split(" (")[0].strip(), [line]))
        elif sections:
            sections[-1][1].append(line)
        else:
            header.append(line)
    return header, sections


def merge_results(old_text: str, new_sections: list[list[str]], note: str) -> str:
    """RESULTS.md with ``new_sections`` replacing the sections of the same title (or appended), and
    every other section of ``old_text`` kept as it was. ``note`` goes under each new heading."""
    header, sections = parse_sections(old_text)
    for lines in new_sections:
        title = lines[0][3:].split(" (")[0].strip()
        lines = [lines[0], "", note, *lines[1:]]
        for i, (t, _) in enumerate(sections):
            if t == title:
                sections[i] = (t, lines)
                break
        else:
            sections.append((title, lines))
    return "\n".join(header + [line for _, s in sections for line in s]).rstrip("\n") + "\n"


def choose_sections(args: list[str]) -> list[str]:
    """The section names asked for (all when none), or SystemExit naming the valid ones."""
    unknown = [a for a in args if a not in SECTIONS]
    if unknown:
        raise SystemExit(
            f"benchmarks/run.py: unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)} "
            "(or none for all)."
        )
    return list(dict.fromkeys(args)) or list(SECTIONS)


def main(argv=None):
    chosen = choose_sections(sys.argv[1:] if argv is None else argv)
    import keras
    import tensorflow as tf

    machine = (
        f"{os.cpu_count()} CPU cores ({platform.machine()}, {platform.system()}), Python {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, NumPy {np.__version__}. "
        "GPUs visible: " + str(len(tf.config.list_physical_devices("GPU"))) + "."
    )
    today = datetime.date.today().isoformat()
    header = [
        "# IoU Lab benchmarks",
        "",
        f"Written by `make bench` on {today}: {machine}",
        "",
        "These are measurements, not tests: a slow shared machine never fails CI.",
        "",
    ]
    sections = [SECTIONS[name]() for name in chosen]
    results = HERE / "RESULTS.md"
    if chosen == list(SECTIONS) or not results.exists():
        text = "\n".join(header + [line for s in sections for line in s]) + "\n"
    else:  # a partial run updates only its own sections, and says when and where they were measured
        command = f"python benchmarks/run.py {' '.join(chosen)}"
        note = f"_This section was re-measured alone (`{command}`) on {today}: {machine}_"
        text = merge_results(results.read_text(), sections, note)
    results.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
