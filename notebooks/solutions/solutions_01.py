"""Solutions to the exercises of notebook 01 (the buggy mean_iou)."""
import numpy as np


def labels_from_probabilities(y_pred):
    """Exercise 01.1: the most likely class of each pixel."""
    return np.argmax(y_pred, axis=-1)


def iou_per_image_and_class(y_true, y_pred):
    """Exercise 01.2: IoU of each class in each image, from one-hot (B, H, W, C) arrays; NaN if absent."""
    intersection = np.sum(y_true * y_pred, axis=(1, 2))
    union = np.sum(y_true, axis=(1, 2)) + np.sum(y_pred, axis=(1, 2)) - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, intersection / union, np.nan)
