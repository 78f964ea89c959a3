"""Deprecated: ``helpers.keras_metrics`` moved to ``helpers.keras.metrics`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.keras import metrics as _moved

alias(__name__, _moved)
