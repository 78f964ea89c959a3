"""Deprecated: ``helpers.checks_07`` moved to ``helpers.course.checks.nb07`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.course.checks import nb07 as _moved

alias(__name__, _moved)
