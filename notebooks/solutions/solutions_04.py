"""Solutions to the exercises of notebook 04 (soft versus hard IoU)."""
import numpy as np


def soft_iou(y, p):
    """Exercise 04.1: soft IoU of one class from a 0/1 mask and probabilities."""
    intersection = np.sum(y * p)
    return float(intersection / (np.sum(y) + np.sum(p) - intersection))


def dice_from_jaccard(j):
    """Exercise 04.2: the Dice coefficient of two masks whose IoU is j."""
    return 2 * j / (1 + j)
