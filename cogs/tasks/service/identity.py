"""When a shared name matches a flagged requester: holds, "another requester", undo.

A name alone that matches a confirmed scam is held under the refuse policy
(`NameHeldError`: nothing is stored). The sharer may say it is another requester, before
posting or after (warn policy); that is audit-logged so moderators can undo it. When a
requester's status changes, its live alerts are redrawn.
"""

from __future__ import annotations

from bot.errors import UserError
from bot.ui import safe_text
from cogs.tasks.service.redraw import RedrawMixin
from db import audit, guilds, requesters
from db import tasks as tasks_db
from db.audit import AuditEntry
from db.requesters import Requester
from db.tasks import Alert

#: Audit actions: a sharer said a name is another requester than the flagged record it
#: matched; a moderator undid that.
OTHER_CONFIRMED = "requester_other_confirmed"
OTHER_UNDONE = "requester_other_undone"


class NameHeldError(UserError):
    """A name alone matched a confirmed scam under the refuse policy: nothing was stored.

    The sharer may give the requester id, or confirm it is another requester (the button
    the share command answers with).
    """

    def __init__(self, record: Requester, reason: str, name: str, *, with_id: bool) -> None:
        super().__init__(
            "tasks.share.name_held_new_id" if with_id else "tasks.share.name_held",
            name=safe_text(name, 100),
            record=safe_text(record.name, 100),
            id=safe_text(record.platform_requester_id or f"#{record.id}", 64, markdown=True),
            reason=reason,
        )
        self.record = record


class IdentityMixin(RedrawMixin):
    """A sharer's "it is another requester", a moderator's undo, status changes."""

    async def confirm_other_after_post(
        self, guild_id: int, alert_id: int, *, sharer_id: int
    ) -> tuple[Alert, Requester]:
        """The sharer says their alert's flagged namesake is another requester (warn policy).

        The alert then points at no record, audited as for a held share. Only the sharer,
        only while it still points at the flagged record.
        """
        current = await tasks_db.get_alert(self.db, alert_id)
        if current is None or current.guild_id != guild_id or current.requester_id is None:
            raise UserError("tasks.errors.unknown_alert")
        matched = await requesters.get(self.db, current.requester_id)
        if matched is None or not matched.flagged:
            raise UserError("tasks.identity.nothing_to_confirm")
        async with self.locked(alert_id):
            async with self.db.transaction():
                alert = await tasks_db.unlink_requester(
                    self.db,
                    alert_id,
                    guild_id=guild_id,
                    requester_id=matched.id,
                    sharer_id=sharer_id,
                )
                if alert is None:
                    raise UserError("tasks.identity.nothing_to_confirm")
                entry = await self._record_other_confirmed(alert, matched, sharer_id, self.now())
            self.bot.dispatch("requester_other_confirmed", entry, alert, matched)
        if alert.message_id is not None:
            settings = await guilds.get(self.db, guild_id)
            await self.redraw(alert.id, alert, settings=settings)
        return alert, matched

    async def _record_other_confirmed(
        self, alert: Alert, matched: Requester, sharer_id: int, now: int
    ) -> AuditEntry:
        """Audit a sharer's "it is another requester" (moderators see and undo it)."""
        return await audit.record(
            self.db,
            guild_id=alert.guild_id,
            actor_id=sharer_id,
            action=OTHER_CONFIRMED,
            target_kind="requester",
            target_id=matched.id,
            reason=None,
            now=now,
            detail={"alert": alert.id, "name": alert.requester_name or ""},
        )

    async def undo_other_confirmed(
        self, guild_id: int, audit_id: int, *, moderator_id: int
    ) -> tuple[Alert, Requester]:
        """A moderator undoes a sharer's "another requester".

        The alert points at the flagged record again (and shows its warning). Checked
        against this server in the statement that writes.
        """
        entry = await audit.get(self.db, audit_id)
        if entry is None or entry.guild_id != guild_id or entry.action != OTHER_CONFIRMED:
            raise UserError("tasks.identity.unknown_confirmation")
        alert_id = entry.detail.get("alert")
        if not isinstance(alert_id, int):
            raise UserError("tasks.identity.unknown_confirmation")
        requester = await requesters.resolve(self.db, entry.target_id)
        if requester is None:
            raise UserError("tasks.identity.unknown_confirmation")
        now = self.now()
        async with self.locked(alert_id), self.db.transaction():
            alert = await tasks_db.relink_requester(
                self.db, alert_id, guild_id=guild_id, requester_id=requester.id
            )
            if alert is None:
                raise UserError("tasks.identity.already_undone")
            await audit.record(
                self.db,
                guild_id=guild_id,
                actor_id=moderator_id,
                action=OTHER_UNDONE,
                target_kind="requester",
                target_id=requester.id,
                reason=None,
                now=now,
                detail={"alert": alert_id, "confirmation": audit_id},
            )
        if alert.message_id is not None and alert.state != "removed":
            settings = await guilds.get(self.db, guild_id)
            await self.redraw(alert.id, alert, settings=settings)
        return alert, requester

    async def requester_changed(self, requester_id: int) -> int:
        """A requester's status changed (or records merged): redraw its live alerts.

        Every process hears of it (`bot.shared_events`) and redraws the alerts of the
        servers of its shards (`bot.own_shards`); the others' are theirs.
        """
        self.forget_requester(requester_id)
        alerts = await tasks_db.live_for_requester(self.db, requester_id)
        return await self._refresh_ours(alerts)

    async def resync(self) -> int:
        """Events may have been missed: forget every requester, redraw what shows one."""
        self.forget_requesters()
        return await self._refresh_ours(await tasks_db.live_with_requester(self.db))

    async def _refresh_ours(self, alerts: list[Alert]) -> int:
        ours = [alert for alert in alerts if self.bot.own_shards.owns(alert.guild_id)]
        for alert in ours:
            await self.refresh(alert.id)
        return len(ours)
