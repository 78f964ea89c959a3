"""IoU Lab helpers: a correct IoU, soft-IoU losses, a shapes dataset, a small UNet, plots and widgets.

Submodules (import the one you need; TensorFlow is only imported by the Keras-facing ones; the map of
who may import whom is in docs/architecture.md):

- ``helpers.metrics``        NumPy reference: confusion matrix, per-class IoU, mean IoU (framework-free)
- ``helpers.keras_metrics``  ``StreamingMeanIoU`` (exact, batch-size independent, XLA-safe) and ``batch_mean_iou``
- ``helpers.losses``         soft Jaccard, soft Dice, CE + Jaccard, Lovasz-softmax (functions and registered
  ``keras.losses.Loss`` classes: ``SoftJaccardLoss``, ``SoftDiceLoss``, ``CEJaccardLoss``, ``LovaszSoftmaxLoss``)
- ``helpers.buggy``          the Stack Overflow question's ``mean_iou`` and ``iou_loss``, annotated
- ``helpers.scenarios``      toy predictions and conventions of the lessons (NumPy only)
- ``helpers.soft_iou``       soft-versus-hard IoU analysis (notebook 04)
- ``helpers.data``           a synthetic 5-class shapes dataset, generated offline
- ``helpers.folder_data``    a folder of images and masks (your data) as a ``tf.data`` pipeline at 224 x 224
- ``helpers.model``          a small UNet
- ``helpers.training``       the recipes of notebook 05; ``helpers.study`` reads the committed seed study
- ``helpers.claims``         ``claim(...)``: a training claim that warns a learner and fails CI
- ``helpers.audit``          ``audit_metric`` / ``audit_loss``: "is my IoU right?" for any function
- ``helpers.report``         the reporting checklist of notebook 06, written as markdown
- ``helpers.plotting``, ``helpers.widgets``  figures and ipywidgets explorers (display only)
- ``helpers.checks``, ``helpers.checks_07``  the exercises' self-checks
- ``helpers.course``, ``helpers.doctor``, ``helpers.runtime``  course map, environment check, quiet TF import
"""

__version__ = "0.1.0"

CLASS_NAMES = ("background", "disc", "square", "triangle", "line")
"""Names of the 5 classes of the shapes dataset (index = label)."""
