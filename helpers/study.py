"""Read and summarise the committed seed study (``data/seed_study/*.json``, written by ``make seeds``).

The study trains every recipe of :mod:`helpers.training` from several seeds, under several execution
settings (thread counts, oneDNN on or off) that change the arithmetic as learners' machines do. These
functions turn its runs into the numbers notebook 05 quotes: the range of a metric per recipe, and
paired differences between two recipes (same seed, same setting), so that a ranking is claimed only
where it holds in every pair.

NumPy and the standard library only: no TensorFlow.

Examples
--------
>>> runs = [{"recipe": "a", "seed": 0, "setting": "s", "val_mean_iou": 0.80},
...         {"recipe": "b", "seed": 0, "setting": "s", "val_mean_iou": 0.90},
...         {"recipe": "a", "seed": 1, "setting": "s", "val_mean_iou": 0.86},
...         {"recipe": "b", "seed": 1, "setting": "s", "val_mean_iou": 0.88}]
>>> summarise(runs, "val_mean_iou")["a"]
{'n': 2, 'mean': 0.83, 'min': 0.8, 'max': 0.86}
>>> paired_difference(runs, "b", "a", "val_mean_iou")
{'n': 2, 'mean': 0.06, 'min': 0.02, 'max': 0.1, 'wins': 2}
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = [
    "STUDY_DIR",
    "load_study",
    "metric_values",
    "summarise",
    "paired_difference",
    "describe_range",
    "object_mean_iou",
    "lost_classes",
]

STUDY_DIR = Path(__file__).resolve().parent.parent / "data" / "seed_study"
"""Where ``tools/seed_study.py`` writes one JSON file per execution setting."""


def load_study(directory=None) -> dict:
    """All runs and the metadata of each setting: ``{"runs": [...], "settings": {name: meta}}``.

    Raises
    ------
    FileNotFoundError
        When the study has not been run (no ``*.json`` in the folder); the message says how to run it.
    """
    directory = Path(directory) if directory is not None else STUDY_DIR
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"No seed study in {directory}: run `make seeds` (about an hour on 2 CPU cores).")
    runs, settings = [], {}
    for path in files:
        doc = json.loads(path.read_text())
        meta = doc.get("meta", {})
        settings[meta.get("setting", path.stem)] = meta
        runs.extend(doc.get("runs", []))
    return {"runs": runs, "settings": settings}


def object_mean_iou(run: dict, split: str = "test") -> float:
    """Mean IoU of the object classes (every class but background, index 0) of one run."""
    return float(np.mean(run[f"{split}_per_class_iou"][1:]))


def metric_values(runs, recipe: str, metric: str) -> np.ndarray:
    """Values of ``metric`` for one recipe over all its runs.

    ``metric`` is a key of a run (e.g. ``"test_mean_iou"``), ``"<split>_object_mean_iou"``, or
    ``"<split>_iou_<k>"`` for the IoU of class ``k``.
    """
    values = []
    for run in runs:
        if run["recipe"] != recipe:
            continue
        values.append(_value(run, metric))
    return np.asarray(values, dtype=float)


def _value(run: dict, metric: str) -> float:
    if metric.endswith("_object_mean_iou"):
        return object_mean_iou(run, metric.split("_", 1)[0])
    if "_iou_" in metric and metric.split("_iou_")[-1].isdigit():
        split, k = metric.split("_iou_")
        return float(run[f"{split}_per_class_iou"][int(k)])
    if metric not in run:
        raise KeyError(f"Unknown metric {metric!r}; a run has {sorted(run)}.")
    return float(run[metric])


def summarise(runs, metric: str, recipes=None) -> dict:
    """``{recipe: {"n", "mean", "min", "max"}}`` of ``metric`` over all runs (seeds x settings), rounded."""
    recipes = recipes or sorted({r["recipe"] for r in runs})
    out = {}
    for key in recipes:
        v = metric_values(runs, key, metric)
        if v.size == 0:
            continue
        out[key] = {
            "n": int(v.size),
            "mean": round(float(v.mean()), 4),
            "min": round(float(v.min()), 4),
            "max": round(float(v.max()), 4),
        }
    return out


def paired_difference(runs, first: str, second: str, metric: str) -> dict:
    """``metric(first) - metric(second)`` over pairs of runs with the same seed and setting.

    Returns ``{"n", "mean", "min", "max", "wins"}``: ``wins`` counts the pairs where ``first`` is
    higher. A ranking "first > second" holds across the study when ``min > 0``.
    """
    index = {(r["recipe"], r["seed"], r.get("setting")): r for r in runs}
    diffs = []
    for (recipe, seed, setting), run in index.items():
        if recipe != first or (second, seed, setting) not in index:
            continue
        diffs.append(_value(run, metric) - _value(index[(second, seed, setting)], metric))
    if not diffs:
        raise ValueError(f"No paired runs of {first!r} and {second!r} in the study.")
    d = np.asarray(diffs)
    return {
        "n": int(d.size),
        "mean": round(float(d.mean()), 4),
        "min": round(float(d.min()), 4),
        "max": round(float(d.max()), 4),
        "wins": int((d > 0).sum()),
    }


def describe_range(summary: dict) -> str:
    """``"0.880 to 0.930 (mean 0.905, 10 runs)"`` for one entry of :func:`summarise`.

    >>> describe_range({"n": 10, "mean": 0.905, "min": 0.88, "max": 0.93})
    '0.880 to 0.930 (mean 0.905, 10 runs)'
    """
    return f"{summary['min']:.3f} to {summary['max']:.3f} (mean {summary['mean']:.3f}, {summary['n']} runs)"


def lost_classes(run: dict, split: str = "val", threshold: float = 0.05) -> list[int]:
    """Classes a run lost: those whose IoU on ``split`` is below ``threshold`` (never predicted, in effect).

    >>> lost_classes({"val_per_class_iou": [0.99, 0.9, 0.0, 0.03]})
    [2, 3]
    """
    return [k for k, v in enumerate(run[f"{split}_per_class_iou"]) if v < threshold]
