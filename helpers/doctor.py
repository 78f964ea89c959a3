"""Deprecated: ``helpers.doctor`` moved to ``helpers.course.doctor`` (IoU Lab 0.2.0).

This path works until the next release.

``python -m helpers.doctor`` still runs the check (``python -m helpers.course.doctor`` is the new command).
"""

from helpers._deprecated import alias, warn_moved
from helpers.course import doctor as _moved

if __name__ == "__main__":
    warn_moved("python -m helpers.doctor", "python -m helpers.course.doctor")
    raise SystemExit(0 if _moved.doctor() else 1)
alias(__name__, _moved)
