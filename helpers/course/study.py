"""Read and summarise the committed seed study (``data/seed_study/*.json``, written by ``make seeds``).

The study trains every recipe of :mod:`helpers.course.training` from several seeds, under execution settings
(thread counts) that change the arithmetic as learners' machines do. These functions turn its runs into
the numbers notebook 05 quotes, **at the level of the seed**: a seed is one independent draw; two
settings of one seed are not two draws (they start from the same weights and data order).

- :func:`compare` — recipe A against recipe B, seed by seed: mean paired difference, wins per seed,
  a seed-clustered bootstrap interval, a sign-test p and the verdict the interval supports
  (:func:`helpers.stats.paired_seed_comparison`).
- :func:`lost_class_rate` — "lost a class in k of n runs" with its exact interval.
- :func:`rank_agreement` — do two metrics order the recipes alike? Over pairs ``i < j`` within each
  seed, ties apart, with Kendall's tau-b per seed.
- :func:`check_balanced` — every recipe has every seed (the design the statistics assume).

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
from collections import Counter
from pathlib import Path

import numpy as np

from helpers import stats

__all__ = [
    "MAIN_SETTING",
    "STUDY_DIR",
    "check_balanced",
    "compare",
    "compare_many",
    "lost_class_rate",
    "rank_agreement",
    "load_study",
    "metric_values",
    "summarise",
    "paired_difference",
    "describe_range",
    "object_mean_iou",
    "lost_classes",
]

STUDY_DIR = Path(__file__).resolve().parents[2] / "data" / "seed_study"
"""Where ``tools/seed_study.py`` writes one JSON file per execution setting."""

MAIN_SETTING = "threads2"
"""The setting with every recipe and every seed (2 CPU threads, as the notebooks run)."""


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
        raise FileNotFoundError(f"No seed study in {directory}: run `make seeds` (about 80 minutes on 2 CPU cores).")
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
            "mean": round(float(v.mean()), 6),
            "min": round(float(v.min()), 6),
            "max": round(float(v.max()), 6),
        }
    return out


def paired_difference(runs, first: str, second: str, metric: str) -> dict:
    """``metric(first) - metric(second)`` over pairs of runs with the same seed and setting.

    Returns ``{"n", "mean", "min", "max", "wins"}``: ``wins`` counts the pairs where ``first`` is
    higher. A description, not a test: to compare recipes use :func:`compare` (an interval over seeds
    and exact tests).
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


def lost_classes(run: dict, split: str = "val", *, threshold: float = 0.05) -> list[int]:
    """Classes a run lost: those whose IoU on ``split`` is below ``threshold`` (never predicted, in effect).

    >>> lost_classes({"val_per_class_iou": [0.99, 0.9, 0.0, 0.03]})
    [2, 3]
    """
    return [k for k, v in enumerate(run[f"{split}_per_class_iou"]) if v < threshold]


def _in_setting(runs, setting):
    return [r for r in runs if setting is None or r.get("setting") == setting]


def check_balanced(runs, *, setting: str | None = MAIN_SETTING, recipes=None) -> list[int]:
    """The seeds of a balanced design (every recipe has every seed, once), else a ValueError.

    >>> check_balanced([{"recipe": "a", "seed": 0, "setting": "s"}, {"recipe": "b", "seed": 0, "setting": "s"}],
    ...                setting="s")
    [0]
    """
    runs = _in_setting(runs, setting)
    recipes = sorted(recipes or {r["recipe"] for r in runs})
    seeds = sorted({r["seed"] for r in runs})
    cells = Counter((r["recipe"], r["seed"]) for r in runs)
    if not seeds:
        raise ValueError(f"the seed study has no runs in setting {setting!r}: run `make seeds`.")
    missing = [(k, s) for k in recipes for s in seeds if cells[(k, s)] == 0]
    doubled = [key for key, n in cells.items() if n > 1]
    if missing or doubled:
        raise ValueError(
            f"the seed study in setting {setting!r} is not balanced: missing (recipe, seed) {missing[:6]}"
            f"{' ...' if len(missing) > 6 else ''}, repeated {doubled[:6]}. Finish it with `make seeds`."
        )
    return seeds


def compare(
    runs,
    first: str,
    second: str,
    *,
    metric: str = "val_mean_iou",
    setting: str | None = MAIN_SETTING,
    n_boot: int = 10_000,
) -> dict:
    """Recipe ``first`` minus recipe ``second`` on ``metric``, seed by seed (same seed, same setting).

    ``setting=None`` pools every setting, clustering by seed (a seed's settings count as one draw).
    Returns :func:`helpers.stats.paired_seed_comparison`'s dict.

    >>> runs = [{"recipe": k, "seed": s, "setting": "s", "val_mean_iou": v}
    ...         for s in range(6) for k, v in (("a", 0.8 + s / 100), ("b", 0.85 + s / 100))]
    >>> r = compare(runs, "b", "a", setting="s")
    >>> r["wins"], r["n"], r["sign_p"], r["verdict"]
    (6, 6, 0.0312, '(b) higher than (a)')
    """
    runs = _in_setting(runs, setting)
    index = {(r["recipe"], r["seed"], r.get("setting")): r for r in runs}
    pairs = [
        (seed, _value(run, metric), _value(index[(second, seed, st)], metric))
        for (recipe, seed, st), run in sorted(index.items(), key=lambda kv: (kv[0][1], str(kv[0][2])))
        if recipe == first and (second, seed, st) in index
    ]
    if not pairs:
        raise ValueError(f"No paired runs of {first!r} and {second!r} in the study (setting {setting!r}).")
    return stats.paired_seed_comparison(pairs, n_boot=n_boot, first=f"({first})", second=f"({second})")


def compare_many(runs, comparisons, metric: str = "val_mean_iou", *, setting: str | None = MAIN_SETTING) -> dict:
    """:func:`compare` for several ``(first, second)`` pairs, corrected for making them all.

    Each result gains ``perm_p_holm`` (the exact permutation p, Holm-adjusted over the comparisons) and
    its ``verdict`` is reworded from the interval **and** that adjusted p
    (:func:`helpers.stats.verdict`): "higher"/"lower", "weak: ..." or "inconclusive".

    >>> runs = [{"recipe": k, "seed": s, "setting": "s", "val_mean_iou": v + s / 100}
    ...         for s in range(8) for k, v in (("a", 0.80), ("b", 0.85), ("c", 0.80))]
    >>> out = compare_many(runs, [("b", "a"), ("c", "a")], setting="s")
    >>> out[("b", "a")]["verdict"], out[("c", "a")]["verdict"]
    ('(b) higher than (a)', 'inconclusive: the interval contains 0')
    """
    out = {pair: compare(runs, *pair, metric=metric, setting=setting) for pair in comparisons}
    adjusted = stats.holm([out[pair]["perm_p"] for pair in comparisons])
    for pair, p in zip(comparisons, adjusted):
        out[pair]["perm_p_holm"] = p
        out[pair]["verdict"] = stats.verdict(out[pair]["ci"], p=p, first=f"({pair[0]})", second=f"({pair[1]})")
    return out


def lost_class_rate(runs, recipe: str, *, split: str = "val", setting: str | None = MAIN_SETTING) -> dict:
    """How often ``recipe`` lost a class: ``{"k", "n", "rate", "ci"}`` with the exact 95 % interval.

    >>> lost_class_rate([{"recipe": "a", "setting": "s", "val_per_class_iou": [0.9, 0.0]}], "a", setting="s")
    {'k': 1, 'n': 1, 'rate': 1.0, 'ci': (0.025, 1.0)}
    """
    mine = [r for r in _in_setting(runs, setting) if r["recipe"] == recipe]
    if not mine:
        raise ValueError(f"No runs of recipe {recipe!r} in the study (setting {setting!r}).")
    k = sum(bool(lost_classes(r, split)) for r in mine)
    return {"k": k, "n": len(mine), "rate": k / len(mine), "ci": stats.clopper_pearson(k, len(mine))}


def rank_agreement(runs, first: str, second: str, *, setting: str | None = MAIN_SETTING, recipes=None) -> dict:
    """Do metrics ``first`` and ``second`` order the recipes alike, within each seed (and setting)?

    Pairs of recipes ``i < j`` are counted once per group; a pair tied in either metric is counted
    apart (never as a disagreement). Returns the summed counts (``pairs``, ``agree``, ``disagree``,
    ``tied``, ``agree_untied``) and ``tau_b``, Kendall's tau-b of each group.

    >>> runs = [{"recipe": k, "seed": 0, "setting": "s", "x": x, "y": y}
    ...         for k, x, y in (("a", 1, 1), ("b", 2, 3), ("c", 3, 2))]
    >>> r = rank_agreement(runs, "x", "y", setting="s")
    >>> r["agree"], r["disagree"], r["tied"], r["tau_b"]
    (2, 1, 0, [0.3333])
    """
    groups = {}
    for r in _in_setting(runs, setting):
        if recipes is None or r["recipe"] in recipes:
            groups.setdefault((r["seed"], r.get("setting")), []).append(r)
    if not groups:
        raise ValueError(f"No runs to rank (setting {setting!r}).")
    total = Counter()
    taus = []
    for key in sorted(groups, key=lambda g: (g[0], str(g[1]))):
        group = sorted(groups[key], key=lambda r: r["recipe"])
        res = stats.pair_agreement([_value(r, first) for r in group], [_value(r, second) for r in group])
        total.update({k: res[k] for k in ("pairs", "agree", "disagree", "tied")})
        taus.append(res["tau_b"])
    out = {k: int(total[k]) for k in ("pairs", "agree", "disagree", "tied")}
    untied = out["agree"] + out["disagree"]
    out["agree_untied"] = out["agree"] / untied if untied else float("nan")
    out["tau_b"] = taus
    return out
