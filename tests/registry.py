"""The one registry of the course's Keras losses, shared by tests/test_common.py, test_keras_losses.py and
test_compile_matrix.py: name -> (function form, class form). Both forms take the same keyword options
(``ignore_index=``, ...), so every file tests every loss, and a new loss is added here once.

tests/test_common.py adds the metrics, the take-home module's objects and the question's code to it, and
fails when an object registered with Keras (``helpers.keras.registry.REGISTERED``) is missing.
"""

import importlib.util
import sys
from pathlib import Path

from helpers.keras import losses as L

TAKE_HOME_PATH = Path(__file__).resolve().parents[1] / "take_home" / "iou_keras.py"


def take_home():
    """``take_home/iou_keras.py``, imported once per test session as ``iou_keras`` (every test file shares it).

    Importing it a second time would register new classes under the same Keras names
    (``iou_keras>StreamingMeanIoU``, ...), and objects made from the first import would no longer be the
    registered classes: a reload in one test file would fail the registry tests of another.
    """
    if "iou_keras" not in sys.modules:
        spec = importlib.util.spec_from_file_location("iou_keras", TAKE_HOME_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules["iou_keras"] = module
        spec.loader.exec_module(module)
    return sys.modules["iou_keras"]


LOSSES = {
    "jaccard": (lambda y, p, **kw: L.soft_jaccard_loss(y, p, **kw), lambda **kw: L.SoftJaccardLoss(**kw)),
    "jaccard_pooled": (
        lambda y, p, **kw: L.soft_jaccard_loss(y, p, pooled=True, **kw),
        lambda **kw: L.SoftJaccardLoss(pooled=True, **kw),
    ),
    "dice": (lambda y, p, **kw: L.soft_dice_loss(y, p, **kw), lambda **kw: L.SoftDiceLoss(**kw)),
    "ce_jaccard": (lambda y, p, **kw: L.ce_jaccard_loss(0.5, **kw)(y, p), lambda **kw: L.CEJaccardLoss(0.5, **kw)),
    "lovasz": (lambda y, p, **kw: L.lovasz_softmax_loss(y, p, **kw), lambda **kw: L.LovaszSoftmaxLoss(**kw)),
}
"""name -> (function(y_true, y_pred, **options), make_class(**options))."""

FUNCTIONS = {name: function for name, (function, _) in LOSSES.items()}
CLASSES = {name: make for name, (_, make) in LOSSES.items()}
