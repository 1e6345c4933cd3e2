"""The requesters cog: its parts, combined, and the member's data it exports and erases.

`RequestersCog` is the parts below (each a module of this package) put together. They are
imported in the order members see the sub-commands of `/requester` in (review, report,
info, status, merge, forget-name): each part adds its sub-commands to the shared group as
it is imported, and Discord lists them in that order.
"""

from __future__ import annotations

import logging
from typing import Any

from discord.ext import commands

# isort: off
from cogs.requesters.cog.reviews import ReviewsMixin
from cogs.requesters.cog.reports import ReportsMixin
from cogs.requesters.cog.info import InfoMixin
from cogs.requesters.cog.moderation import ModerationMixin

# isort: on
from cogs.requesters import reviewing
from cogs.requesters.review_ui import FlagReviewButton, ReviewsPageButton
from cogs.requesters.views import COG_NAME, AnswerButton, ReportActionButton
from db import audit, reports, reviews

#: Columns naming a member that this feature's privacy section exports and erases.
PRIVACY_COLUMNS = (
    "reviews.author_id",
    "review_flags.flagger_id",
    "reports.reporter_id",
    "reports.closed_by",
    "report_notes.author_id",
    "audit_log.actor_id",
)


log = logging.getLogger(__name__)


class RequestersCog(
    ReviewsMixin, ReportsMixin, InfoMixin, ModerationMixin, commands.Cog, name=COG_NAME
):
    """Reviews, scam reports and the moderators' queue for requesters."""

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(
            ReportActionButton, AnswerButton, FlagReviewButton, ReviewsPageButton
        )
        self.bot.privacy.register(
            "requesters", self.export_member, self.erase_member, PRIVACY_COLUMNS
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(
            ReportActionButton, AnswerButton, FlagReviewButton, ReviewsPageButton
        )
        self.bot.privacy.unregister("requesters")

    # -- privacy --------------------------------------------------------------------------

    async def export_member(self, db: Any, user_id: int) -> dict[str, Any]:
        """Everything naming the member: reviews (with history), flags, reports.

        Their own reports, the reports they closed or wrote notes on, and every audit-log
        entry naming them as the actor.
        """
        return {
            **await reviews.export_author(db, user_id),
            "reports": await reports.export_reporter(db, user_id),
            **await reports.export_moderated(db, user_id),
            "moderation": await audit.export_actor(db, user_id),
        }

    async def erase_member(self, db: Any, user_id: int) -> int:
        """Delete reviews and flags; anonymise reports and the audit log.

        Reports, notes and audit entries stay (a server must be able to account for its
        decisions about requesters), but no longer say who: not the reporter, not the
        moderator who closed a report or asked a question, not the actor of any entry in
        `/mod log` (a reporter's answer is one).
        """
        cards = await reports.involving(db, user_id)
        changed = await reviews.erase_author(db, user_id, reviewing.is_hidden, self._now())
        changed += await reports.anonymise_reporter(db, user_id)
        changed += await audit.anonymise_actor(db, user_id)
        # The cards already posted in moderators' channels named them: drawn again.
        for report_id in cards:
            try:
                await self.refresh_card(report_id)
            except Exception:
                log.warning("report %s: card not redrawn after erasure", report_id, exc_info=True)
        return changed
