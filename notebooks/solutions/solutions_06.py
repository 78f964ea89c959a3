"""Solutions to the exercises of notebook 06 (evaluating segmentation)."""
import numpy as np


def worst_images(image_ious, k):
    """Exercise 06.1: indices of the k lowest per-image IoUs, lowest first; NaN never counts."""
    ious = np.where(np.isnan(image_ious), np.inf, image_ious)
    return np.argsort(ious, kind="stable")[:k]


def with_void_band(masks, band):
    """Exercise 06.2: a copy of masks with the band set to the void label 255."""
    return np.where(band, 255, masks)
