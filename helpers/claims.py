"""Deprecated: ``helpers.claims`` moved to ``helpers.course.claims`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.course import claims as _moved

alias(__name__, _moved)
