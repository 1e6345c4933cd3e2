"""The standing an alert shows for a requester: no_data, good, caution or scam.

`db.requesters.reputation` computes it in the same query that gathers the reviews, and
`/requester info` shows the same word, so the one rule sits here, below both (`db/`
imports nothing from `cogs/`). Pure: no discord, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping

STANDINGS: tuple[str, ...] = ("no_data", "good", "caution", "scam")
#: Reviews needed before low scores alone put a requester in caution.
LOW_SCORE_MIN_REVIEWS = 3
#: An average at or below this on pay or fairness is a warning sign.
LOW_SCORE = 2.0
LOW_SCORE_CRITERIA = ("pay", "fair")


def standing(status: str, review_count: int, means: Mapping[str, float | None]) -> str:
    """no_data / good / caution / scam, from the status and the visible reviews."""
    if status == "scam":
        return "scam"
    if status == "caution":
        return "caution"
    if review_count <= 0:
        return "no_data"
    if review_count >= LOW_SCORE_MIN_REVIEWS and any(
        (mean := means.get(criterion)) is not None and mean <= LOW_SCORE
        for criterion in LOW_SCORE_CRITERIA
    ):
        return "caution"
    return "good"
