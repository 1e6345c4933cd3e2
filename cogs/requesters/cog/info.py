"""`/requester info`: everything the community knows about a requester, privately.

Scores and standing, recent reviews (hidden ones for moderators), aliases and other
names, the crowd hourly and recent alerts from task shares, and the identity
confirmations sharers made in this server.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import checks
from bot.i18n import format_money, format_number, t
from bot.translator import ls
from bot.ui import locale_of, reply
from cogs.requesters import cards, rules, service
from cogs.requesters.cards import CONFIRMATIONS_SHOWN
from cogs.requesters.cog.base import (
    RequesterIdText,
    RequestersBase,
    RequesterText,
    platform_choices,
    requester_group,
)
from cogs.requesters.review_ui import card_reviews
from cogs.requesters.reviewing import REQUESTER_REVIEWS
from db import audit, reports, requester_standing, requesters
from db import tasks as tasks_db
from db.requesters import Requester

if TYPE_CHECKING:
    from bot.bot import Entraide


RECENT_WINDOW = timedelta(days=90)
#: Recent alerts of the server the crowd hourly is computed from.
HOURLY_ALERTS = 100
RECENT_ALERTS = 5


class InfoMixin(RequestersBase):
    """The private card about one requester."""

    # -- /requester info --------------------------------------------------------------------

    @requester_group.command(
        name=ls("requesters.info_cmd.name"), description=ls("requesters.info_cmd.description")
    )
    @app_commands.choices(platform=platform_choices())
    async def info(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: RequesterText,
        platform: str | None = None,
        requester_id: RequesterIdText | None = None,
    ) -> None:
        """Everything the community knows about a requester, privately."""
        settings = await checks.guild_settings(interaction)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        db = self.bot.db
        target = await service.resolve_requester(db, query, create=False, now=self._now())
        moderator = checks.is_moderator(interaction.user, settings)
        shown = await card_reviews(
            db,
            REQUESTER_REVIEWS.kind,
            target.id,
            since=self._now() - int(RECENT_WINDOW.total_seconds()),
            moderator=moderator,
        )
        summary = shown.summary
        standing = requester_standing.standing(
            target.status,
            summary.review_count,
            {c: summary.mean(c) for c in REQUESTER_REVIEWS.criteria},
        )
        aliases = await requesters.aliases(db, target.id)
        other_names = await requesters.other_names(db, target.id) if moderator else None
        confirmations = (
            await self._confirmations(target.id, settings.guild_id, locale) if moderator else None
        )
        embed = cards.info_card(
            target,
            standing=standing,
            summary=summary,
            confirmed=await reports.confirmed_counts(db, target.id),
            aliases=aliases,
            reviews=shown.shown,
            hidden_reviews=shown.hidden,
            facts=await self._task_facts(target, aliases, settings.guild_id, locale),
            locale=locale,
            guild_name=self._guild_name,
            other_names=other_names,
            confirmations=confirmations,
        )
        await reply(interaction, embed=embed, view=shown.flag_view(interaction.user.id, locale))

    info.autocomplete("requester")(RequestersBase.requester_autocomplete)

    async def _confirmations(self, requester_id: int, guild_id: int, locale: str) -> list[str]:
        """Shares in this server whose sharer said this flagged name is another requester."""
        db = self.bot.db
        shown = await audit.for_target(
            db,
            "requester",
            requester_id,
            guild_id=guild_id,
            action="requester_other_confirmed",
            newest=CONFIRMATIONS_SHOWN,
        )
        if not shown:
            return []
        # An undo comes after what it undoes, so only those after the oldest shown count.
        undos = await audit.for_target(
            db,
            "requester",
            requester_id,
            guild_id=guild_id,
            action="requester_other_undone",
            after_id=shown[-1].id,
        )
        undone = {e.detail.get("confirmation") for e in undos}
        lines = []
        for entry in shown:
            key = "confirmation_undone" if entry.id in undone else "confirmation_line"
            lines.append(
                t(
                    f"requesters.info.{key}",
                    locale,
                    alert=entry.detail.get("alert", "?"),
                    sharer=(
                        t("requesters.info.sharer_erased", locale)
                        if entry.actor_id == audit.ERASED_ACTOR
                        else f"<@{entry.actor_id}>"
                    ),
                    when=f"<t:{entry.created_at}:R>",
                )
            )
        return lines

    async def _task_facts(
        self, requester: Requester, aliases: list[Requester], guild_id: int, locale: str
    ) -> cards.TaskFacts:
        """Crowd hourly, share of content warnings and recent alerts, from task alerts.

        Warnings count every server's alerts; the hourly and the recent alerts are this
        server's (where the member can open them), aliases included.
        """
        db = self.bot.db
        warned, total = await tasks_db.warned_alert_stats(db, requester.id)
        recent = await tasks_db.search(
            db,
            tasks_db.SearchFilters(
                guild_id=guild_id, requester_ids=(requester.id, *(a.id for a in aliases))
            ),
            limit=HOURLY_ALERTS,
        )
        hourly = rules.crowd_hourly(
            (a.crowd_hourly_cents, a.done_count, a.currency)
            for a in recent
            if a.crowd_hourly_cents is not None
        )
        return cards.TaskFacts(
            hourly_text=None
            if hourly is None
            else t(
                "requesters.info.hourly_one"
                if hourly.reports == 1
                else "requesters.info.hourly_other",
                locale,
                amount=format_money(hourly.cents, hourly.currency, locale),
                reports=hourly.reports,
            ),
            warned_text=None
            if total == 0
            else t(
                "requesters.info.warnings_value",
                locale,
                warned=warned,
                total=total,
                percent=format_number(100 * warned / total, locale),
            ),
            recent_alerts=tuple(cards.alert_line(a, locale) for a in recent[:RECENT_ALERTS]),
            more_alerts=max(0, len(recent) - RECENT_ALERTS),
            more_alerts_plus=len(recent) >= HOURLY_ALERTS,
        )
