"""Claims about training outcomes, checked without crashing a learner's lesson.

A training run varies with the seed, the machine (CPU instruction set, thread count) and library
versions. A notebook that states "recipe X beats recipe Y" must state it with the margin that held in
the committed seed study (``data/seed_study.json``), and check it on the run at hand.

:func:`claim` does that check:

- under CI and the test suite (environment variable ``IOU_LAB_STRICT_CLAIMS=1``, which the repository's
  ``conftest.py`` sets, so nbval's kernels inherit it), a claim that fails raises ``AssertionError``:
  the course must never teach a conclusion its own run contradicts;
- for a learner, a claim that fails prints a ⚠️ message with the range seen in the study, and the
  lesson goes on. Their run is one more draw from the distribution; the notebook says what to make of
  it.

A claim that holds prints one ✅ line that does not depend on the run's numbers (so nbval can compare
it), unless ``quiet=True``.
"""

from __future__ import annotations

import os

__all__ = ["claim", "strict_claims"]

STRICT_ENV = "IOU_LAB_STRICT_CLAIMS"


def strict_claims() -> bool:
    """True when failed claims must raise (``IOU_LAB_STRICT_CLAIMS`` set to 1/true/yes).

    Examples
    --------
    >>> import os
    >>> old = os.environ.pop("IOU_LAB_STRICT_CLAIMS", None)
    >>> strict_claims()
    False
    >>> os.environ["IOU_LAB_STRICT_CLAIMS"] = "1"; strict_claims()
    True
    >>> _ = os.environ.pop("IOU_LAB_STRICT_CLAIMS") if old is None else os.environ.update(IOU_LAB_STRICT_CLAIMS=old)
    """
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def claim(holds, statement: str, *, observed: str = "", study: str = "", quiet: bool = False) -> bool:
    """Check one claim about a training outcome; raise under CI, warn a learner otherwise.

    Parameters
    ----------
    holds : bool
        Whether the claim holds on this run (compute it with the margin that held in every run of
        the seed study, and write that margin in the statement).
    statement : str
        The claim in words, e.g. ``"the selected recipe reaches a validation mean IoU >= 0.85"``.
    observed : str, optional
        What this run measured, shown when the claim fails (e.g. ``"val mean IoU 0.81"``).
    study : str, optional
        What the seed study measured for the same quantity, shown when the claim fails
        (e.g. ``"0.88 to 0.93 over 10 runs"``).
    quiet : bool, default False
        Print nothing when the claim holds.

    Returns
    -------
    bool
        ``holds``, as a plain bool.

    Raises
    ------
    AssertionError
        When the claim fails and :func:`strict_claims` is true (CI, ``make test``).

    Examples
    --------
    >>> import os
    >>> old = os.environ.pop("IOU_LAB_STRICT_CLAIMS", None)
    >>> claim(0.91 >= 0.85, "the best recipe reaches mean IoU >= 0.85")
    ✅ the best recipe reaches mean IoU >= 0.85
    True
    >>> claim(0.80 >= 0.85, "the best recipe reaches mean IoU >= 0.85",
    ...       observed="0.80", study="0.88 to 0.93 over 10 runs")  # doctest: +ELLIPSIS
    ⚠️ Not on this run: the best recipe reaches mean IoU >= 0.85. This run: 0.80. Seed study: 0.88 to 0.93 ...
    False
    >>> os.environ["IOU_LAB_STRICT_CLAIMS"] = "1"
    >>> claim(False, "x > y")
    Traceback (most recent call last):
        ...
    AssertionError: Claim failed: x > y. ...
    >>> _ = os.environ.pop("IOU_LAB_STRICT_CLAIMS") if old is None else os.environ.update(IOU_LAB_STRICT_CLAIMS=old)
    """
    if not isinstance(statement, str) or not statement:
        raise ValueError("statement must be a non-empty string saying what is claimed.")
    holds = bool(holds)
    if holds:
        if not quiet:
            print(f"✅ {statement}")
        return True
    details = "".join([f" This run: {observed}." if observed else "", f" Seed study: {study}." if study else ""])
    if strict_claims():
        raise AssertionError(
            f"Claim failed: {statement}.{details} The notebook's prose relies on this claim; "
            "if training changed on purpose, rerun the seed study (make seeds) and update the claim "
            "and its margin from the new data."
        )
    print(
        f"⚠️ Not on this run: {statement}.{details} Training varies with the seed, the machine and "
        "library versions; the lesson's conclusions rest on the seed study (section 'One run is one "
        "draw'), not on this single run. Carry on."
    )
    return False
