"""The review machinery, generic over what is reviewed (pure rules, no discord).

Requesters are the first subject kind. Issue #9 reviews platforms with the same
machinery: declare a `ReviewSchema` with its own criteria and experience bands, store
through `db.reviews` with that kind, and reuse `validate_review` and `is_hidden` (and the
review buttons in `cogs/requesters/review_ui.py`, which work for any kind).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import UserError
from cogs.requesters.rules import check_text, preview

SCORE_MIN = 1
SCORE_MAX = 5
BODY_LIMIT = 2000
FLAG_REASON_LIMIT = 500

#: Turkopticon's rule: a review with two flags, one of them a moderator's, is hidden.
FLAGS_TO_HIDE = 2
MODERATOR_FLAGS_TO_HIDE = 1


@dataclass(frozen=True, slots=True)
class ReviewSchema:
    """What one kind of subject is rated on.

    `catalog` is the translation prefix for labels: `{catalog}.criteria.{criterion}` and
    `{catalog}.experience.{band}`.
    """

    kind: str
    criteria: tuple[str, ...]
    experience: tuple[str, ...]
    catalog: str
    body_limit: int = BODY_LIMIT


REQUESTER_REVIEWS = ReviewSchema(
    kind="requester",
    criteria=("pay", "fast", "fair", "communication"),
    experience=("none", "1-5", "6-20", "21-100", "101+"),
    catalog="requesters.review",
)


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """A review that passed every rule and may be stored."""

    scores: tuple[tuple[str, int], ...]
    experience: str
    body: str | None

    def score_map(self) -> dict[str, int]:
        return dict(self.scores)


def validate_review(
    schema: ReviewSchema,
    scores: Mapping[str, object],
    experience: str,
    body: str | None,
) -> ReviewInput:
    """Every criterion scored 1–5 (discord.py does not re-check `Range`), a known band."""
    checked: list[tuple[str, int]] = []
    for criterion in schema.criteria:
        value = scores.get(criterion)
        if isinstance(value, bool) or not isinstance(value, int):
            raise UserError("requesters.errors.score_missing", criterion=criterion)
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise UserError(
                "requesters.errors.score_range",
                value=preview(str(value), 20),
                low=SCORE_MIN,
                high=SCORE_MAX,
            )
        checked.append((criterion, value))
    unknown = set(scores) - set(schema.criteria)
    if unknown:
        raise UserError("requesters.errors.score_missing", criterion=preview(min(unknown), 20))
    if experience not in schema.experience:
        raise UserError("requesters.errors.unknown_experience", value=preview(experience, 20))
    text = check_text(body, limit=schema.body_limit, required=False, field="common.fields.review")
    return ReviewInput(tuple(checked), experience, text)


def is_hidden(flags: int, moderator_flags: int) -> bool:
    """Hidden from scores (moderators still read it) once flagged enough."""
    return flags >= FLAGS_TO_HIDE and moderator_flags >= MODERATOR_FLAGS_TO_HIDE
