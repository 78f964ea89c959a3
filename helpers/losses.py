"""Deprecated: ``helpers.losses`` moved to ``helpers.keras.losses`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.keras import losses as _moved

alias(__name__, _moved)
