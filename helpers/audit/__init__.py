"""Is my IoU right? Audit any segmentation metric or loss on small inputs whose answers are known.

:func:`audit_metric` runs a metric, a function ``f(y_true, y_pred) -> scalar`` (TensorFlow or NumPy
code) or a ``keras.metrics.Metric`` instance (``reset_state`` / ``update_state`` / ``result``), on a
handful of probes, each built so that **one defect trips one check**: a perfect, an all-wrong and a
uniform prediction; the same argmax at low and high confidence; a class absent from truth and
prediction; a value that Dice and IoU tell apart; the same data in batches of 1 and of 4; void
pixels; labels out of range. :func:`audit_loss` does the same for a loss: gradients, the minimum at
the truth, class weighting, NaN and inf.

Inputs, like Keras passes them: ``y_true`` one-hot float32 ``(B, H, W, C)`` (or integer label maps
``(B, H, W)`` with ``y_true="labels"``), ``y_pred`` softmax probabilities float32 ``(B, H, W, C)``;
4 images of 16 x 16 pixels (wider for more than 8 classes), the same every run.

Both return an :class:`AuditReport`: ``.passed``, ``.findings`` (codes from :data:`METRIC_FINDINGS`
or :data:`LOSS_FINDINGS`) and ``.checks`` (name, expected, got, ✅/❌, hint). It prints as text and
shows as a table in Jupyter. From a shell::

    python -m helpers.audit path/to/file.py:function_name [--num-classes 5] [--labels]
                                                            [--ignore-index 255] [--loss]

The package, in reading order:

- :mod:`~helpers.audit.report`: the finding codes, :class:`Check` and :class:`AuditReport` (text, HTML);
- :mod:`~helpers.audit.known_answers`: the probes' inputs and their right answers (NumPy, float64);
- :mod:`~helpers.audit._calling`: the one safe call (an error becomes a finding) and the loop over probes;
- :mod:`~helpers.audit.probes_metric`: one function per probe of a metric, and :func:`audit_metric`;
- :mod:`~helpers.audit.probes_loss`: one function per probe of a loss, and :func:`audit_loss`;
- :mod:`~helpers.audit.cli`: the command line (``__main__.py`` runs it).

Examples
--------
>>> from helpers.course.buggy import mean_iou
>>> audit_metric(mean_iou, num_classes=5).findings
['constant_output', 'threshold_not_argmax']
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
]
