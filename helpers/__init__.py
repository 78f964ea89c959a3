"""IoU Lab helpers, in three layers (docs/architecture.md has the map and the rules).

**The library** (what you take away; it never imports the course):

- ``helpers.metrics``      NumPy reference: confusion matrix, per-class IoU, mean IoU (framework-free)
- ``helpers.keras``        Keras: ``StreamingMeanIoU``, ``ForegroundIoU``, ``batch_mean_iou``
  (``helpers.keras.metrics``) and the soft Jaccard, soft Dice, CE + Jaccard and Lovasz-softmax losses
  (``helpers.keras.losses``); importing ``helpers.keras`` registers all of them for ``keras.saving.load_model``
- ``helpers.audit``        ``audit_metric`` / ``audit_loss``: "is my IoU right?" for any function
- ``helpers.report``       the reporting checklist of an evaluation, written as markdown
- ``helpers.stats``        intervals and tests for IoU (image bootstrap, sign and permutation tests)
- ``helpers.folder_data``  a folder of images and masks (your data) as a ``tf.data`` pipeline
- ``helpers.plotting``     figures of masks, errors, confusion matrices, per-class IoU, histories (display only)

**The course** (``helpers.course``: the lessons' machinery, built on the library): metadata and set-up,
the environment check (``doctor``), the shapes data and model, the question's code (``buggy``), the
scenarios, the soft-IoU analysis, training, the seed study, claims, lesson-only figures, the widgets
and the exercises' checks (``helpers.course.checks``, one module per notebook).

Import the module you need: TensorFlow is imported only by the Keras-facing ones.
"""

__version__ = "0.2.0"


def __getattr__(name):
    # helpers.CLASS_NAMES moved to helpers.course.data (the shapes dataset's names): one release of grace
    if name == "CLASS_NAMES":
        import importlib

        from helpers._deprecated import warn_moved

        warn_moved("helpers.CLASS_NAMES", "helpers.course.data.CLASS_NAMES")
        return importlib.import_module("helpers.course.data").CLASS_NAMES
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
