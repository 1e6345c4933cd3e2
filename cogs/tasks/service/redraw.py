"""Keeping an alert's public message up to date, for the price of few edits.

Redraws of an alert's public message are coalesced: at most one edit is in flight per
alert, and changes that land meanwhile only mark it dirty, so the edit in flight is
followed by one more drawn from the row as it is then. A thousand members clicking at
once therefore cost about two edits, not a thousand, every clicker is answered from the
result of their own statement at once, and Discord still sees the edits in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.in_flight import MEMBERS_FIRST_MAX_S
from bot.raw_messages import edit_message
from bot.ui import NO_PINGS
from cogs.tasks.service.core import ServiceCore, _RedrawSlot
from db import guilds
from db import tasks as tasks_db
from db.guilds import GuildSettings
from db.requesters import Reputation
from db.tasks import Alert

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)


class RedrawMixin(ServiceCore):
    """At most one edit per alert in flight; what lands meanwhile is drawn once, after."""

    async def _edit(self, alert: Alert, settings: GuildSettings, rep: Reputation | None) -> None:
        """Edit the alert's message to show `alert` (callers hold the alert's redraw slot)."""
        if alert.channel_id is None or alert.message_id is None:
            return
        embed, view = self.draw(alert, settings, rep)
        message = self.bot.get_partial_messageable(
            alert.channel_id, guild_id=alert.guild_id
        ).get_partial_message(alert.message_id)
        try:
            await edit_message(message, embed=embed, view=view, allowed_mentions=NO_PINGS)
        except discord.NotFound:
            log.info("alert %s: its message is gone; not redrawn", alert.id)
        except discord.HTTPException:
            log.warning("alert %s: could not redraw its message", alert.id, exc_info=True)

    def _claim(self, alert_id: int) -> _RedrawSlot | None:
        """Take the alert's redraw slot, or (None) mark the edit in flight as stale.

        Synchronous on purpose: callers claim right after their statement returns, so
        whoever holds the slot draws a state at least as new as any marked dirty before.
        """
        slot = self._slots.get(alert_id)
        if slot is not None:
            slot.dirty = True
            return None
        slot = self._slots[alert_id] = _RedrawSlot()
        return slot

    async def _release(self, alert_id: int, slot: _RedrawSlot) -> None:
        """Give the slot back, first redrawing from the row (once) if changes landed meanwhile."""
        try:
            while slot.dirty:
                slot.dirty = False
                try:
                    await self._redraw_stored(alert_id)
                except Exception:
                    log.warning("alert %s: could not redraw it", alert_id, exc_info=True)
                    break
        finally:
            if self._slots.get(alert_id) is slot:
                del self._slots[alert_id]
            if not slot.done.done():
                slot.done.set_result(None)

    async def _redraw_stored(self, alert_id: int) -> None:
        alert = await tasks_db.get_alert(self.db, alert_id)
        if alert is None or alert.message_id is None or alert.state == "removed":
            return
        settings = await guilds.get(self.db, alert.guild_id)
        await self._edit(alert, settings, await self.reputation(alert))

    def request_redraw(
        self, alert_id: int, alert: Alert | None = None, *, settings: GuildSettings | None = None
    ) -> None:
        """Redraw the alert in the background (coalesced); returns at once.

        With `alert` (a statement's fresh RETURNING row) and `settings` that row is drawn,
        otherwise the row as it is then. The slot is claimed now, so a change landing
        before the edit starts is drawn after it, never overwritten by an older state.
        The edit waits for members' interactions to be answered first (`bot.in_flight`,
        at most `MEMBERS_FIRST_MAX_S`): a count on the public alert may lag a burst by
        that much, the members sharing in it are not kept waiting behind it.
        """
        slot = self._claim(alert_id)
        if slot is None:
            return  # the edit in flight is marked stale: it is followed by one from the row
        self.bot.spawn(
            self._draw_and_release(alert_id, slot, alert, settings, members_first=True),
            name=f"tasks: redraw alert {alert_id}",
        )

    async def _draw_and_release(
        self,
        alert_id: int,
        slot: _RedrawSlot,
        alert: Alert | None,
        settings: GuildSettings | None,
        *,
        members_first: bool = False,
    ) -> None:
        """Draw `alert` (without it, mark the slot to draw the row), then give the slot back.

        `members_first`: a background edit, which first lets members' interactions be
        answered (at most `MEMBERS_FIRST_MAX_S`, or until someone waits for this edit).
        """
        try:
            if members_first:
                await self.bot.in_flight.until_quiet(MEMBERS_FIRST_MAX_S, wake=slot.hurry)
            if alert is None or settings is None:
                slot.dirty = True
            else:
                await self._edit(alert, settings, await self.reputation(alert))
        finally:
            await self._release(alert_id, slot)

    async def redraw(
        self, alert_id: int, alert: Alert | None = None, *, settings: GuildSettings | None = None
    ) -> None:
        """Redraw the alert's message; returns once it shows at least this change.

        With `alert` (a statement's fresh RETURNING row) and `settings` that is drawn
        straight away; otherwise, or if an edit is already in flight, from the row.
        """
        slot = self._claim(alert_id)
        if slot is None:
            held = self._slots[alert_id]
            if not held.hurry.done():
                held.hurry.set_result(None)
            await asyncio.shield(held.done)
            return
        await self._draw_and_release(alert_id, slot, alert, settings)

    async def _answer_with_redraw(
        self, interaction: discord.Interaction[Entraide], alert: Alert, settings: GuildSettings
    ) -> None:
        """Answer a click on the alert by showing `alert` in place, unless an edit is in flight.

        Then the click is only acknowledged, and the edit in flight is followed by one
        more from the row: N clicks at once cost about two edits of the message.
        """
        slot = self._claim(alert.id)
        if slot is None:
            await interaction.response.defer()
            return
        try:
            embed, view = self.draw(alert, settings, await self.reputation(alert))
            await interaction.response.edit_message(
                embed=embed, view=view, allowed_mentions=NO_PINGS
            )
        except BaseException:
            slot.dirty = True  # the message may not show it: redraw it the other way
            raise
        finally:
            await self._release(alert.id, slot)

    async def refresh(self, alert_id: int) -> Alert | None:
        """Redraw an alert from its stored state (after changes made elsewhere)."""
        alert = await tasks_db.get_alert(self.db, alert_id)
        if alert is None or alert.message_id is None or alert.state == "removed":
            return alert
        settings = await guilds.get(self.db, alert.guild_id)
        await self.redraw(alert_id, alert, settings=settings)
        return alert
