"""Solutions to the exercises of notebook 03 (a correct IoU metric in Keras)."""
import numpy as np


def accumulate_confusion_matrix(cm, y_true, y_pred_labels):
    """Exercise 03.1: add this batch's confusion matrix to the running one (rows true, columns predicted)."""
    c = cm.shape[0]
    counts = np.bincount(np.ravel(y_true) * c + np.ravel(y_pred_labels), minlength=c * c)
    return cm + counts.reshape(c, c)


def make_metric():
    """Exercise 03.2: a Keras metric for one-hot masks and softmax probabilities, 3 classes."""
    import keras

    return keras.metrics.OneHotMeanIoU(num_classes=3)
