"""Who may write a review, from where and how many: one gate for every subject kind.

A review moves scores every server reads (the requester registry and the built-in
platforms are shared), so `/requester review` and `/platform review` both pass here, and a
way round one is no way round the other: the server must have run /setup (a server
nobody set up has no moderators' choices behind it, and its owner can bring any number of
fresh accounts), members who joined less than the server's `new_member_days` ago wait, and
a member writes at most the server's `reports_per_day` *new* reviews in 24 hours there,
requester and platform reviews counted together (`db.reviews.save` counts every kind).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot import checks
from bot.clock import to_epoch
from bot.errors import UserError
from cogs.requesters import rules
from db import reviews
from db.reviews import ReviewRefusedError

if TYPE_CHECKING:
    import discord

    from bot.bot import Entraide
    from cogs.requesters.reviewing import ReviewInput, ReviewSchema
    from db.connection import Database
    from db.guilds import GuildSettings
    from db.reviews import Review


async def require_reviewer(
    interaction: discord.Interaction[Entraide], now: datetime
) -> GuildSettings:
    """The settings of a set-up server where this member may write reviews, or a refusal.

    Checked before anything is looked up or stored, so a refused member learns why at once.
    """
    settings = await checks.require_setup(interaction)
    joined_at = getattr(interaction.user, "joined_at", None)
    if rules.is_new_member(joined_at, now, settings.new_member_days):
        assert joined_at is not None
        raise UserError(
            "requesters.errors.review_new_member",
            days=settings.new_member_days,
            when=f"<t:{to_epoch(joined_at) + settings.new_member_days * 86400}:R>",
        )
    return settings


async def save_review(
    db: Database,
    schema: ReviewSchema,
    subject_id: int,
    review: ReviewInput,
    *,
    author_id: int,
    settings: GuildSettings,
    now: int,
) -> Review:
    """Write (or edit) a member's review within the server's daily limit.

    Past the limit a *new* review is refused with a `UserError` and nothing is stored: the
    count and the insert are one statement (`db.reviews.save`). Inside a transaction (one
    that also created the subject), the refusal rolls that back too.
    """
    try:
        return await reviews.save(
            db,
            schema.kind,
            subject_id,
            author_id=author_id,
            guild_id=settings.guild_id,
            scores=review.score_map(),
            experience=review.experience,
            body=review.body,
            now=now,
            since=now - int(rules.REPORT_WINDOW.total_seconds()),
            daily_limit=settings.reports_per_day,
        )
    except ReviewRefusedError:
        raise UserError(
            "requesters.errors.review_daily_limit", limit=settings.reports_per_day
        ) from None
