"""helpers.course.claims: a claim about a live training run warns a learner and fails CI (IOU_LAB_STRICT_CLAIMS).

Whether the notebooks' claims hold in every run of the seed study is tests/test_study.py's job.
"""

import numpy as np
import pytest

from helpers.course.claims import claim, strict_claims


def test_claim_warns_a_learner_and_raises_under_ci(monkeypatch, capsys):
    monkeypatch.delenv("IOU_LAB_STRICT_CLAIMS", raising=False)
    assert not strict_claims()
    assert claim(True, "x holds") is True
    assert claim(np.bool_(False), "y holds", observed="0.1", study="0.2 to 0.3") is False
    out = capsys.readouterr().out
    assert "✅ x holds" in out and "⚠️ Not on this run: y holds" in out and "0.2 to 0.3" in out
    monkeypatch.setenv("IOU_LAB_STRICT_CLAIMS", "1")
    assert strict_claims()
    with pytest.raises(AssertionError, match="Claim failed: y holds"):
        claim(False, "y holds")
    with pytest.raises(ValueError, match="statement"):
        claim(True, "")
