"""IoU for Keras 3: streaming metrics and differentiable losses, registered for ``load_model``.

Importing ``helpers.keras`` (or either submodule) registers every metric and loss under the package
name ``iou_lab`` (:data:`helpers.keras.registry.PACKAGE`), so a model compiled with them saves to
``.keras`` and loads with ``keras.saving.load_model("m.keras")``, no ``custom_objects`` needed.

- :mod:`helpers.keras.metrics`: ``StreamingMeanIoU`` (exact, batch-size independent, XLA-safe),
  ``ForegroundIoU`` (one sigmoid channel) and ``batch_mean_iou`` (a per-batch function metric);
- :mod:`helpers.keras.losses`: soft Jaccard, soft Dice, CE + Jaccard and Lovasz-softmax, as functions
  and as ``keras.losses.Loss`` classes with a config;
- :mod:`helpers.keras.registry`: the package name, the registration decorator and the parsing of
  ``y_true`` (one-hot, label map, label map with a channel) that metrics and losses share.

>>> import helpers.keras as HK
>>> sorted(HK.REGISTERED)[:3]
['iou_lab>CEJaccardLoss', 'iou_lab>ForegroundIoU', 'iou_lab>LovaszSoftmaxLoss']
"""

from helpers.keras import losses, metrics
from helpers.keras.losses import (
    CEJaccardLoss,
    LovaszSoftmaxLoss,
    SoftDiceLoss,
    SoftJaccardLoss,
    ce_jaccard_loss,
    lovasz_softmax_loss,
    soft_dice_loss,
    soft_jaccard_loss,
)
from helpers.keras.metrics import ForegroundIoU, StreamingMeanIoU, batch_mean_iou
from helpers.keras.registry import PACKAGE, REGISTERED

__all__ = [
    "PACKAGE",
    "REGISTERED",
    "StreamingMeanIoU",
    "ForegroundIoU",
    "batch_mean_iou",
    "soft_jaccard_loss",
    "soft_dice_loss",
    "ce_jaccard_loss",
    "lovasz_softmax_loss",
    "SoftJaccardLoss",
    "SoftDiceLoss",
    "CEJaccardLoss",
    "LovaszSoftmaxLoss",
    "losses",
    "metrics",
]
