"""Is my IoU right? Audit any segmentation metric or loss on small inputs whose answers are known.

:func:`audit_metric` runs a metric, a function ``f(y_true, y_pred) -> scalar`` (TensorFlow or NumPy
code) or a ``keras.metrics.Metric`` instance (``reset_state`` / ``update_state`` / ``result``), on
probes whose right answer is known: a perfect, an all-wrong and a uniform prediction; a mixed batch of
discs, diagonal bands, a small object and strips, at three confidences; classes absent from truth and
prediction; the same images as one batch and as batches of 3 + 1; void pixels; labels out of range.
Every value is compared with the **dataset-level** IoU of the probe's batch (one confusion matrix,
absent classes left out), and a value off it is always a finding: named after the one known convention
that gives every value observed (Dice, per image, pooled over classes, probabilities, +1 smoothing ...),
or ``wrong_value`` when none does. :func:`audit_loss` does the same for a loss: gradients (and NaN
gradients), the minimum at the truth, class weighting, NaN and inf, float16 at a realistic size, void
pixels.

Inputs, like Keras passes them: ``y_true`` one-hot float32 ``(B, H, W, C)`` (integer label maps
``(B, H, W)`` with ``y_true="labels"``), ``y_pred`` softmax probabilities ``(B, H, W, C)``; with
``binary=True``, 0/1 masks and one sigmoid channel ``(B, H, W, 1)`` (the reference is the foreground's
IoU at 0.5). ``expect="dice"`` / ``"per_image"`` / ``"foreground_only"`` declares a convention the
metric follows on purpose: its finding becomes a note.

Both return an :class:`AuditReport`: ``.passed``, ``.findings`` (codes from :data:`METRIC_FINDINGS`
or :data:`LOSS_FINDINGS`), ``.notes`` and ``.checks`` (name, expected, got, ✅/❌, hint). It prints as
text and shows as a table in Jupyter. From a shell::

    python -m helpers.audit path/to/file.py:function_name [--num-classes 5 | --binary] [--labels]
                            [--ignore-index 255] [--expect dice] [--loss]

In your own tests, :func:`parametrize_with_probes` gives one pytest case per probe.

The package, in reading order:

- :mod:`~helpers.audit.report`: the finding codes, :class:`Check` and :class:`AuditReport` (text, HTML);
- :mod:`~helpers.audit.known_answers`: the probes' inputs, the conventions and their values (NumPy, float64);
- :mod:`~helpers.audit._calling`: the one safe call (an error becomes a finding, its cause in words) and the
  loop over probes;
- :mod:`~helpers.audit.probes_metric`: one function per probe of a metric, the diagnosis, :func:`audit_metric`;
- :mod:`~helpers.audit.probes_loss`: one function per probe of a loss, and :func:`audit_loss`;
- :mod:`~helpers.audit.pytest_probes`: the probes as pytest cases;
- :mod:`~helpers.audit.cli`: the command line (``__main__.py`` runs it).

Examples
--------
>>> from helpers.course.buggy import mean_iou
>>> audit_metric(mean_iou, num_classes=5).findings   # the question's metric: bugs 1, 3, 4 and 5 of notebook 01
['constant_output', 'absent_class_as_one', 'wrong_value', 'batch_dependent']
>>> import numpy as np
>>> def argmax_iou(y_true, y_pred):       # correct IoU of one batch, as a Keras function metric
...     t, p = y_true.argmax(-1).ravel(), y_pred.argmax(-1).ravel()
...     cm = np.bincount(t * 5 + p, minlength=25).reshape(5, 5)
...     tp = np.diag(cm); union = cm.sum(0) + cm.sum(1) - tp
...     return np.mean(tp[union > 0] / union[union > 0])
>>> audit_metric(argmax_iou, num_classes=5).findings          # the lesson of notebook 03
['batch_dependent']
"""

from helpers.audit.cli import main
from helpers.audit.probes_loss import audit_loss
from helpers.audit.probes_metric import audit_metric
from helpers.audit.pytest_probes import parametrize_with_probes, probe_cases
from helpers.audit.report import FAIL as FAIL  # ✅/❌ of a check, also here as before the split
from helpers.audit.report import LOSS_FINDINGS, METRIC_FINDINGS, AuditReport, Check
from helpers.audit.report import PASS as PASS

__all__ = [
    "METRIC_FINDINGS",
    "LOSS_FINDINGS",
    "Check",
    "AuditReport",
    "audit_metric",
    "audit_loss",
    "main",
    "parametrize_with_probes",
    "probe_cases",
]
