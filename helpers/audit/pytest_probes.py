"""The audit's probes as pytest test cases: one test per (metric or loss, probe), like scikit-learn's
``parametrize_with_checks``.

:func:`probe_cases` lists, for one metric or loss, each probe of the audit as a callable that runs that probe
alone and raises ``AssertionError`` with the failed checks and their hints. :func:`parametrize_with_probes`
turns a list of them into ``pytest.mark.parametrize`` over ``(subject, probe)``, so your own test suite
keeps your metric honest::

    from helpers.audit import parametrize_with_probes

    @parametrize_with_probes([my_mean_iou], num_classes=5, allow=("batch_dependent",))
    def test_my_metric(subject, probe):
        probe()

``allow`` names finding codes you accept (a plain function metric is always ``batch_dependent``: Keras
averages it over batches). pytest is imported only when :func:`parametrize_with_probes` is called.

Examples
--------
>>> import keras
>>> cases = probe_cases(keras.metrics.OneHotMeanIoU(num_classes=3), num_classes=3)
>>> [name for name, _ in cases][:3]
['standard_predictions', 'conventions', 'mixed_batch_values']
>>> for name, run in cases:
...     run()          # raises AssertionError on a failed check; OneHotMeanIoU passes every probe
>>> from helpers.course.buggy import iou_loss
>>> dict(probe_cases(iou_loss, kind="loss", num_classes=5))["class_weighting"]()
Traceback (most recent call last):
...
AssertionError: iou_loss, probe class_weighting: [pixel_weighted] ...
"""

from __future__ import annotations

from helpers.audit._calling import Skipped, name_of
from helpers.audit.probes_loss import LOSS_PROBES, _loss_under_audit
from helpers.audit.probes_metric import METRIC_PROBES, prepare_metric

__all__ = ["probe_cases", "parametrize_with_probes"]

KINDS = ("metric", "loss")


def _subject(obj, kind: str, options: dict):
    if kind == "metric":
        return METRIC_PROBES, lambda: prepare_metric(obj, **options)
    loss_options = {"num_classes": None, "binary": False, "y_true": "one_hot", "ignore_index": None, **options}
    unknown = set(loss_options) - {"num_classes", "binary", "y_true", "ignore_index"}
    if unknown:
        raise ValueError(f"audit_loss takes no option {sorted(unknown)[0]!r}; see help(audit_loss).")
    return LOSS_PROBES, lambda: _loss_under_audit(obj, **loss_options)


def probe_cases(obj, *, kind: str = "metric", allow=(), **options) -> list:
    """``[(probe name, run)]`` for each probe of the audit of ``obj``; ``run()`` raises on a failed check.

    Parameters
    ----------
    obj : callable, keras.metrics.Metric or keras.losses.Loss
        What :func:`~helpers.audit.audit_metric` or :func:`~helpers.audit.audit_loss` takes.
    kind : {"metric", "loss"}, default "metric"
    allow : iterable of str
        Finding codes that do not fail a case (e.g. ``("batch_dependent",)`` for a function metric).
    **options
        The audit's options: ``num_classes``, ``binary``, ``y_true``, ``ignore_index`` (and ``expect`` for a
        metric). They are checked at once: a ``ValueError`` names the fix.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be 'metric' or 'loss', got {kind!r}.")
    probes, make = _subject(obj, kind, options)
    make()  # the options are checked now, not inside each test
    allowed, name = frozenset(allow), name_of(obj)

    def case(probe):
        def run():
            outcome = probe(make())
            if isinstance(outcome, Skipped):
                return
            failed = [c for c in outcome if not c.ok and c.code not in allowed]
            if failed:
                lines = "; ".join(f"[{c.code}] {c.name}: expected {c.expected}, got {c.got}. {c.hint}" for c in failed)
                raise AssertionError(f"{name}, probe {probe.__name__}: {lines}")

        run.__name__ = f"{name}-{probe.__name__}"
        return run

    return [(probe.__name__, case(probe)) for probe in probes]


def parametrize_with_probes(subjects, *, kind: str = "metric", allow=(), **options):
    """``pytest.mark.parametrize("subject, probe", ...)``: one test per subject and probe of the audit.

    ``subjects`` is a list of metrics (or losses, with ``kind="loss"``) audited with the same ``options``;
    the test receives the subject and ``probe``, a callable that raises ``AssertionError`` on a failed check.
    Test ids read ``name-probe``.
    """
    import pytest

    params = []
    for obj in subjects:
        for probe_name, run in probe_cases(obj, kind=kind, allow=allow, **options):
            params.append(pytest.param(obj, run, id=f"{name_of(obj)}-{probe_name}"))
    return pytest.mark.parametrize("subject, probe", params)
