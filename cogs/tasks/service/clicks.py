"""Members' clicks and forms on an alert: freshness votes, "I did it", content warnings.

Each answers the member from the row its own statement returned; the message is
redrawn in place (or, with an edit already in flight, once more after it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.checks import is_moderator
from bot.errors import UserError
from bot.i18n import t
from bot.ui import locale_of, reply
from cogs.tasks import rules
from cogs.tasks.service.forum import ForumMixin
from cogs.tasks.service.redraw import RedrawMixin
from db import guilds
from db import tasks as tasks_db
from db.guilds import GuildSettings
from db.tasks import Alert

if TYPE_CHECKING:
    from bot.bot import Entraide


class ClicksMixin(RedrawMixin, ForumMixin):
    """The alert's buttons, as the service answers them."""

    async def _clicker(
        self, interaction: discord.Interaction[Entraide]
    ) -> tuple[int, GuildSettings, bool]:
        """The clicker's server, its settings, and whether the clicker moderates it."""
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("common.errors.guild_only")
        settings = await guilds.get(self.db, guild_id)
        return guild_id, settings, is_moderator(interaction.user, settings)

    async def _shown_alert(self, alert_id: int, guild_id: int) -> Alert:
        """The alert as stored, if it is this server's and not removed."""
        alert = await tasks_db.get_alert(self.db, alert_id)
        if alert is None or alert.guild_id != guild_id or alert.state == "removed":
            raise UserError("tasks.errors.unknown_alert")
        return alert

    async def vote(
        self, interaction: discord.Interaction[Entraide], alert_id: int, kind: str
    ) -> None:
        """Record "Still live" / "Gone" from the alert's buttons; update the message in place."""
        guild_id, settings, moderator = await self._clicker(interaction)
        now = self.now()
        # No lock: the two statements are each atomic, the counters are recomputed from
        # the votes, and only a "gone" vote's statement can end the alert (its WHERE wants
        # it live), so it ends exactly once whoever clicks at the same time. Both statements
        # also want the voter's server: a button forged with another server's alert id
        # writes nothing.
        alert = await tasks_db.vote(
            self.db,
            alert_id,
            interaction.user.id,
            kind,
            guild_id=guild_id,
            now=now,
            extend_to=rules.expires_at(now, settings.alert_expiry_minutes),
            gone_needed=rules.GONE_VOTES_NEEDED,
            moderator=moderator,
        )
        if alert is None:
            await self._not_live(alert_id, guild_id)
            return
        await self._answer_with_redraw(interaction, alert, settings)
        if not alert.is_live:
            await self._close_thread(alert, settings, lock_thread=False)
        if kind == "gone":
            locale = locale_of(interaction)
            if alert.is_live:
                missing = max(0, rules.GONE_VOTES_NEEDED - alert.gone_votes)
                await reply(interaction, t("tasks.vote.gone_noted", locale, count=missing))
            else:
                await reply(interaction, t("tasks.vote.gone_done", locale))

    async def _not_live(self, alert_id: int, guild_id: int) -> None:
        """Explain why a vote was not taken (raises)."""
        alert = await tasks_db.get_alert(self.db, alert_id)
        if alert is None or alert.guild_id != guild_id:
            raise UserError("tasks.errors.unknown_alert")
        raise UserError(f"tasks.vote.already_{alert.state}")

    async def report_done(
        self,
        interaction: discord.Interaction[Entraide],
        alert: Alert,
        minutes_text: str,
        rating: str | None,
    ) -> Alert:
        """Store an "I did it" (real minutes, good/bad) and redraw the crowd's hourly."""
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        minutes = rules.parse_minutes(minutes_text)
        if rating not in (None, "good", "bad"):
            raise UserError("tasks.errors.rating")
        async with self.locked(alert.id):
            updated = await tasks_db.report_done(
                self.db,
                alert.id,
                interaction.user.id,
                guild_id=interaction.guild_id,
                minutes=minutes,
                hourly_cents=rules.hourly_cents(alert.reward_cents, minutes),
                rating=rating,
                now=self.now(),
            )
            if updated is None:
                raise UserError("tasks.errors.unknown_alert")
            settings = await guilds.get(self.db, updated.guild_id)
            await self.redraw(updated.id, updated, settings=settings)
        return updated

    async def add_warning(
        self, interaction: discord.Interaction[Entraide], alert_id: int, category: str
    ) -> tuple[Alert, bool]:
        """Set or suggest a content warning; returns (alert, whether it is confirmed).

        A warning from the sharer or a moderator stands; anyone else's waits for a second
        member (or a moderator) to confirm it.
        """
        guild_id, settings, moderator = await self._clicker(interaction)
        async with self.locked(alert_id):
            alert = await self._shown_alert(alert_id, guild_id)
            if category == "clear":
                if not moderator:
                    raise UserError("common.errors.not_moderator")
                updated = await tasks_db.clear_warning(self.db, alert_id, guild_id=guild_id)
                confirmed = True
            else:
                if category not in rules.WARNING_CATEGORIES:
                    raise rules.FieldError("tasks.errors.warning_unknown", "warning")
                if alert.warning == category:
                    raise UserError("tasks.warn.already")
                confirmed = moderator or alert.sharer_id == interaction.user.id
                updated = await tasks_db.set_warning(
                    self.db,
                    alert_id,
                    category,
                    guild_id=guild_id,
                    by=interaction.user.id,
                    confirmed=confirmed,
                )
            if updated is None:
                raise UserError("tasks.errors.unknown_alert")
            await self.redraw(updated.id, updated, settings=settings)
        if updated.warning != alert.warning:
            await self._retitle_post(updated, settings)
            self.bot.dispatch("alert_warning_changed", updated)
        return updated, confirmed

    async def confirm_warning(
        self, interaction: discord.Interaction[Entraide], alert_id: int
    ) -> Alert:
        guild_id, settings, moderator = await self._clicker(interaction)
        async with self.locked(alert_id):
            alert = await self._shown_alert(alert_id, guild_id)
            if alert.warning_pending is None:
                raise UserError("tasks.warn.nothing_pending")
            if alert.warning_proposed_by == interaction.user.id and not moderator:
                raise UserError("tasks.warn.own")
            updated = await tasks_db.confirm_warning(
                self.db, alert_id, guild_id=guild_id, by=interaction.user.id, allow_own=moderator
            )
            if updated is None:
                raise UserError("tasks.warn.nothing_pending")
            await self._answer_with_redraw(interaction, updated, settings)
        if updated.warning != alert.warning:
            await self._retitle_post(updated, settings)
            self.bot.dispatch("alert_warning_changed", updated)
        return updated
