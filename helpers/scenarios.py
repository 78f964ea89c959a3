"""Deprecated: ``helpers.scenarios`` moved to ``helpers.course.scenarios`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.course import scenarios as _moved

alias(__name__, _moved)
