"""Deprecated: ``helpers.buggy`` moved to ``helpers.course.buggy`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.course import buggy as _moved

alias(__name__, _moved)
