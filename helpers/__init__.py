"""IoU Lab helpers: a correct IoU, soft-IoU losses, a shapes dataset, a small UNet, plots and widgets.

Submodules (import the one you need; TensorFlow is only imported by the Keras-facing ones):

- ``helpers.metrics``        NumPy reference: confusion matrix, per-class IoU, mean IoU (framework-free)
- ``helpers.keras_metrics``  ``StreamingMeanIoU`` (exact, batch-size independent) and ``batch_mean_iou``
- ``helpers.losses``         soft Jaccard, soft Dice, CE + Jaccard, Lovasz-softmax
- ``helpers.buggy``          the Stack Overflow question's ``mean_iou`` and ``iou_loss``, annotated
- ``helpers.data``           a synthetic 5-class shapes dataset, generated offline
- ``helpers.model``          a small UNet
"""

__version__ = "0.1.0"

CLASS_NAMES = ("background", "disc", "square", "triangle", "line")
"""Names of the 5 classes of the shapes dataset (index = label)."""
