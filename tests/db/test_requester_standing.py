"""The standing an alert shows: the status first, then enough low pay or fairness scores."""

from __future__ import annotations

from db.requester_standing import standing


def test_standing() -> None:
    scores = {"pay": 4.0, "fast": 4.0, "fair": 4.0, "communication": 4.0}
    assert standing("scam", 10, scores) == "scam"
    assert standing("caution", 0, {}) == "caution"
    assert standing("none", 0, {}) == "no_data"
    assert standing("none", 1, scores) == "good"
    low_pay = {**scores, "pay": 1.7}
    assert standing("none", 2, low_pay) == "good"  # too few reviews to judge
    assert standing("none", 3, low_pay) == "caution"
    assert standing("none", 3, {**scores, "fair": 2.0}) == "caution"
    assert standing("none", 3, {**scores, "communication": 1.0}) == "good"
