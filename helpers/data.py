"""Deprecated: ``helpers.data`` moved to ``helpers.course.data`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.course import data as _moved

alias(__name__, _moved)
