"""How alerts end: the expiry sweep, crash leftovers, and a moderator's removal.

The database row is the truth: the sweep ends whatever is due (after a restart too) and
then shows it; a removal keeps the row (as removed) and takes the message down.
"""

from __future__ import annotations

import logging

import discord

from bot.delivery import ChannelProblemError, post_to
from bot.errors import UserError
from bot.i18n import t
from bot.ui import safe_text
from cogs.tasks import render, rules
from cogs.tasks.service.core import UNPOSTED_GRACE_SECONDS
from cogs.tasks.service.forum import ForumMixin
from cogs.tasks.service.redraw import RedrawMixin
from db import guilds
from db import tasks as tasks_db
from db.guilds import GuildSettings
from db.tasks import Alert

log = logging.getLogger(__name__)

EXPIRY_BATCH = 100


class EndingMixin(RedrawMixin, ForumMixin):
    """Ending alerts and showing that they ended."""

    async def show_ended(self, alert: Alert, settings: GuildSettings) -> None:
        """An alert just ended: grey it out with buttons disabled, close its forum post.

        Callers have already redrawn interaction-owned messages if they wanted to (pass
        through here only for the REST side).
        """
        await self.redraw(alert.id, alert, settings=settings)
        await self._close_thread(alert, settings, lock_thread=False)

    async def expire_due(self) -> int:
        """The scheduler's sweep: end every live alert whose time is up, and show it.

        Only this process's servers (its shards); the others' processes sweep theirs.

        The database row is the truth: after a restart, whatever expired meanwhile is
        found here on the first run.
        """
        total = 0
        settings_cache: dict[int, GuildSettings] = {}
        while True:
            batch = await tasks_db.expire_due(
                self.db, self.now(), limit=EXPIRY_BATCH, shards=self.bot.own_shards
            )
            for alert in batch:
                settings = settings_cache.get(alert.guild_id)
                if settings is None:
                    settings = settings_cache[alert.guild_id] = await guilds.get(
                        self.db, alert.guild_id
                    )
                async with self.locked(alert.id):
                    await self.show_ended(alert, settings)
            total += len(batch)
            if len(batch) < EXPIRY_BATCH:
                break
        total += await self._expire_unposted()
        if total:
            log.info("expired %d alerts", total)
        return total

    async def _expire_unposted(self) -> int:
        """End alerts a crash left stored but never posted, once nobody re-shared them.

        Nothing to redraw (they have no message) and nothing to announce (nobody was told).
        """
        now = self.now()
        total = 0
        while True:
            batch = await tasks_db.expire_unposted(
                self.db,
                now,
                before=max(now - UNPOSTED_GRACE_SECONDS, self._started_at),
                skip=frozenset(self._posting),
                limit=EXPIRY_BATCH,
                shards=self.bot.own_shards,
            )
            total += len(batch)
            if len(batch) < EXPIRY_BATCH:
                break
        if total:
            log.info("ended %d alerts that were stored but never posted", total)
        return total

    async def remove(
        self, guild_id: int, ref: rules.AlertRef, *, moderator_id: int, reason: str
    ) -> Alert:
        """A moderator deletes an alert: the message goes, the row stays as removed.

        Dispatches `alert_removed(alert)` once it is done, for what other features
        posted about the alert.
        """
        if ref.alert_id is not None:
            target = await tasks_db.get_alert(self.db, ref.alert_id)
        else:
            target = await tasks_db.get_by_message(self.db, ref.message_id or 0)
        if target is None or target.guild_id != guild_id:
            raise UserError("tasks.errors.unknown_alert")
        if target.state == "removed":
            raise UserError("tasks.delete.already")
        async with self.locked(target.id):
            alert = await tasks_db.end_alert(
                self.db,
                target.id,
                "removed",
                guild_id=guild_id,
                by=moderator_id,
                now=self.now(),
                reason=reason,
            )
            if alert is None:
                raise UserError("tasks.delete.already")
            settings = await guilds.get(self.db, guild_id)
            if alert.message_id is not None and alert.channel_id is not None:
                if alert.is_forum:
                    await self.redraw(alert.id, alert, settings=settings)
                    await self._close_thread(alert, settings, lock_thread=True)
                else:
                    message = self.bot.get_partial_messageable(
                        alert.channel_id, guild_id=guild_id
                    ).get_partial_message(alert.message_id)
                    try:
                        await message.delete()
                    except discord.NotFound:
                        log.info("alert %s: message already deleted", alert.id)
                    except discord.HTTPException:
                        log.warning("alert %s: could not delete its message", alert.id)
                        await self.redraw(alert.id, alert, settings=settings)
        # Other features take down what they posted about it (a role mention quoting
        # the title): the removal is the tasks feature's, their messages are theirs.
        self.bot.dispatch("alert_removed", alert)
        await self._log_removal(alert, settings, moderator_id)
        return alert

    async def _log_removal(self, alert: Alert, settings: GuildSettings, moderator_id: int) -> None:
        """Tell the moderators' channel (best effort: the removal stands either way)."""
        if settings.mod_channel_id is None:
            return
        locale = settings.locale
        embed = discord.Embed(
            title=t("tasks.delete.log_title", locale, id=alert.id),
            description=t(
                "tasks.delete.log_body",
                locale,
                title=render.named_title(alert, locale),
                moderator=f"<@{moderator_id}>",
                reason=safe_text(alert.removed_reason or "—", 300),
                sharer=f"<@{alert.sharer_id}>" if alert.sharer_id else "—",
            ),
            colour=render.Colours.MUTED,
        )
        try:
            await post_to(self.bot, alert.guild_id, "mod", embed=embed)
        except ChannelProblemError:
            log.info("guild %s: removal of alert %s not logged", alert.guild_id, alert.id)
