"""Deprecated: ``helpers.soft_iou`` moved to ``helpers.course.soft_iou`` (IoU Lab 0.2.0).

This path works until the next release."""

from helpers._deprecated import alias
from helpers.course import soft_iou as _moved

alias(__name__, _moved)
