"""Solutions to the exercises of notebook 05 (training a small UNet)."""
import numpy as np


def best_epoch(history):
    """Exercise 05.1: the epoch with the highest validation mean IoU."""
    return int(np.argmax(history["val_mean_iou"]))


def pooled_loss_from_accuracy(a, n):
    """Exercise 05.2: the question's iou_loss from soft pixel accuracy a over n pixels."""
    intersection = a * n
    return 1 - (intersection + 1) / (n + n - intersection + 1)
