"""The life of an alert: posted once, bumped by duplicates, redrawn on every change, ended.

Redraws of an alert's public message are coalesced: at most one edit is in flight per
alert, and changes that land meanwhile only mark it dirty, so the edit in flight is
followed by one more drawn from the row as it is then. A thousand members clicking at
once therefore cost about two edits, not a thousand, every clicker is answered from the
result of their own statement at once, and Discord still sees the edits in order.

Posting takes the alert's lock right after the share's single INSERT returns (without
yielding): a second sharer who arrives before the first alert's message exists waits on
that lock and then gets a link to it. A live alert still without a message once that
lock is free was left behind by a crash between the INSERT and the post: the next
sharer posts it (`UNPOSTED_GRACE_SECONDS`), and the expiry sweep ends the ones nobody
re-shares.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.checks import is_moderator
from bot.clock import to_epoch
from bot.delivery import ChannelProblemError, Posted, configured_channel, post_to
from bot.errors import UserError
from bot.i18n import t
from bot.ui import NO_PINGS, fit_embed, locale_of, reply, safe_text
from cogs.requesters import identity
from cogs.tasks import render, rules
from cogs.tasks.cache import TtlCache
from db import audit, guilds, requesters
from db import tasks as tasks_db
from db.audit import AuditEntry
from db.connection import Database
from db.guilds import GuildSettings
from db.requesters import Reputation, Requester
from db.tasks import Alert, NewAlert

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.ports import ButtonsFactory

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
CACHE_SIZE = 5000
FORUM_TAG_LIMIT = 20  # Discord's maximum per forum
APPLIED_TAG_LIMIT = 5  # and per post
EXPIRY_BATCH = 100
#: A live alert without a message this old (or older than this process) is not being
#: posted by anyone: the process that stored it died before posting it.
UNPOSTED_GRACE_SECONDS = 60
#: Audit actions: a sharer said a name is another requester than the flagged record it
#: matched; a moderator undid that.
OTHER_CONFIRMED = "requester_other_confirmed"
OTHER_UNDONE = "requester_other_undone"


@dataclass(frozen=True, slots=True)
class ShareOutcome:
    alert: Alert
    created: bool
    reputation: Reputation | None = None
    #: The flagged record a name alone matched (the alert carries its warning), or that
    #: the sharer confirmed this is not (`other_confirmed`).
    matched: Requester | None = None
    other_confirmed: bool = False
    #: The name alone is the name of several clean records: the alert points at none.
    several: bool = False


@dataclass(frozen=True, slots=True)
class RequesterLink:
    """What a share's requester resolves to (`cogs.requesters.identity` rules).

    `requester` is the record the alert points at (None: several clean namesakes);
    `by_name` is set when a name alone matched a flagged record.
    """

    requester: Requester | None
    by_name: bool = False


def _known(found: list[Requester]) -> list[identity.Known]:
    return [identity.Known(k.id, k.status, k.platform_requester_id) for k in found]


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


@dataclass
class _LockEntry:
    lock: asyncio.Lock
    users: int = 0


class _RedrawSlot:
    """The one edit of an alert's message in flight, and whether it is already stale."""

    __slots__ = ("dirty", "done")

    def __init__(self) -> None:
        self.dirty = False
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class AlertService:
    """Posting, redrawing and ending alerts; shared by commands, buttons and jobs."""

    def __init__(self, bot: Entraide, *, buttons: ButtonsFactory) -> None:
        self.bot = bot
        self.buttons = buttons
        self._locks: dict[int, _LockEntry] = {}
        self._slots: dict[int, _RedrawSlot] = {}
        self._posting: set[int] = set()
        self._started_at = to_epoch(bot.clock.now())
        self._tag_locks: dict[int, asyncio.Lock] = {}
        self._requesters: TtlCache[tuple[str, str | None, str], RequesterLink] = TtlCache(
            CACHE_SECONDS, CACHE_SIZE
        )
        self._reputations: TtlCache[int, Reputation] = TtlCache(CACHE_SECONDS, CACHE_SIZE)

    @property
    def db(self) -> Database:
        return self.bot.db

    def now(self) -> int:
        return to_epoch(self.bot.clock.now())

    @asynccontextmanager
    async def locked(self, alert_id: int) -> AsyncIterator[None]:
        """Serialise changes and redraws of one alert (entries vanish when unused)."""
        entry = self._locks.get(alert_id)
        if entry is None:
            entry = self._locks[alert_id] = _LockEntry(asyncio.Lock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._locks.pop(alert_id, None)

    # -- context for drawing -------------------------------------------------------------

    async def reputation(self, alert: Alert) -> Reputation | None:
        if alert.requester_id is None:
            return None
        return await self.reputation_of(alert.requester_id)

    async def reputation_of(self, requester_id: int) -> Reputation:
        return await self._reputations.get_or_load(
            requester_id, lambda: requesters.reputation(self.db, requester_id)
        )

    async def requester_link(self, draft: rules.ShareDraft, now: int) -> RequesterLink:
        """The registry record a share's requester resolves to (cached).

        Reads only, except that a requester nobody knows yet (a new id, or a name no
        record is known by) is created: a new record is clean, so no refusal can follow
        it. A platform id is authoritative; a name alone resolves to every record known
        by that name (`identity.match_name`): a flagged one wins, several clean namesakes
        give no record, and no duplicate record is ever made for a known name.
        """
        pid = draft.platform_requester_id
        name = draft.requester_name if draft.requester_name != pid else None

        async def load() -> RequesterLink:
            if pid:
                found = await requesters.find_by_platform_id(self.db, draft.platform, pid)
                if found is not None:
                    if not found.listed:
                        # A set-up server's member stands behind it now.
                        await requesters.mark_listed(self.db, found.id)
                    return RequesterLink(found)
                if name:
                    known = await requesters.find_by_name(self.db, name, draft.platform)
                    match = identity.match_name_with_new_id(_known(known))
                    if match.record is not None:
                        flagged = next(k for k in known if k.id == match.record.id)
                        return RequesterLink(flagged, by_name=True)
                created = await requesters.upsert(self.db, draft.platform, pid, name or pid, now)
                return RequesterLink(created)
            assert name is not None
            known = await requesters.find_by_name(self.db, name, draft.platform)
            match = identity.match_name(_known(known))
            by_id = {k.id: k for k in known}
            if match.kind == "flagged" and match.record is not None:
                return RequesterLink(by_id[match.record.id], by_name=True)
            if match.kind == "one" and match.record is not None:
                return RequesterLink(by_id[match.record.id])
            if match.kind == "several":
                return RequesterLink(None)
            created = await requesters.upsert(self.db, draft.platform, None, name, now)
            return RequesterLink(created)

        key = (draft.platform, pid, requesters.name_key(name or ""))
        return await self._requesters.get_or_load(key, load)

    def forget_requester(self, requester_id: int) -> None:
        """A requester's status changed or records were merged: read them afresh."""
        self._reputations.pop(requester_id)
        self._requesters.clear()  # a merge can point any name at another record

    def draw(
        self, alert: Alert, settings: GuildSettings, rep: Reputation | None
    ) -> tuple[discord.Embed, discord.ui.View]:
        locale = settings.locale
        embed = fit_embed(render.alert_embed(alert, settings, rep, locale))
        return embed, self.buttons(alert, locale)

    # -- sharing -------------------------------------------------------------------------

    async def share(
        self,
        *,
        guild_id: int,
        settings: GuildSettings,
        draft: rules.ShareDraft,
        sharer_id: int,
        locale: str | None = None,
        other_confirmed: bool = False,
    ) -> ShareOutcome:
        """Store and post a validated share, or bump the live alert for the same task.

        `locale` is the sharer's, for a refusal's reason. `other_confirmed`: the sharer
        confirmed the requester is not the flagged record its name matched (the alert
        then points at no record, and the confirmation is audit-logged for moderators).

        Database round trips: the INSERT, and for a new alert the message id; settings,
        the requester and its reputation come from caches, and a bump's redraw is
        coalesced with others.
        """
        if settings.alerts_channel_id is None:
            raise ChannelProblemError("alerts", "not_configured")
        now = self.now()
        requester_id: int | None = None
        rep: Reputation | None = None
        matched: Requester | None = None
        if draft.requester_name or draft.platform_requester_id:
            link = await self.requester_link(draft, now)
            if link.by_name:
                matched = link.requester
            if matched is not None and other_confirmed:
                if draft.platform_requester_id:
                    # The sharer vouches this id is not the flagged record: it gets its own.
                    own = await requesters.upsert(
                        self.db,
                        draft.platform,
                        draft.platform_requester_id,
                        draft.requester_name or draft.platform_requester_id,
                        now,
                    )
                    self._requesters.clear()
                    requester_id = own.id
                    rep = await self.reputation_of(requester_id)
            elif link.requester is not None:
                requester_id = link.requester.id
                rep = await self.reputation_of(requester_id)
            if rep is not None and rep.standing == "scam" and settings.scam_policy != "warn":
                # Refused before anything is written: a refusal stores nothing.
                reason = render.standing_reason(rep, locale or "en") or "—"
                if matched is not None:
                    raise NameHeldError(
                        matched,
                        reason,
                        draft.requester_name or "",
                        with_id=draft.platform_requester_id is not None,
                    )
                raise UserError(
                    "tasks.share.scam_refused",
                    name=safe_text(draft.requester_name or draft.platform_requester_id, 100),
                    reason=reason,
                )
            given = draft.requester_name
            if (
                link.requester is not None
                and not link.by_name
                and draft.platform_requester_id
                and given
                and given != draft.platform_requester_id
                and not identity.same_name(given, link.requester.name)
            ):
                # A flagged record keeps its name (the one given is kept for moderators).
                await requesters.name_given(
                    self.db, link.requester, given, guild_id=guild_id, now=now
                )
                self._requesters.clear()
        shown_name, shown_id = draft.requester_name, draft.platform_requester_id
        if matched is not None and requester_id == matched.id:
            # The alert names the flagged record whose warning it carries, with its id.
            shown_name = matched.name
            shown_id = matched.platform_requester_id or draft.platform_requester_id
        new = NewAlert(
            guild_id=guild_id,
            platform=draft.platform,
            task_key=draft.task_key,
            title=draft.title,
            reward_cents=draft.reward_cents,
            currency=draft.currency,
            minutes=draft.minutes,
            hourly_cents=draft.hourly_cents,
            sharer_id=sharer_id,
            platform_task_id=draft.platform_task_id,
            requester_id=requester_id,
            requester_name=shown_name,
            platform_requester_id=shown_id,
            link=draft.link,
            countries=draft.limits.countries,
            qualifications=draft.limits.qualifications,
            available=draft.available,
            notes=draft.notes,
            anonymous=draft.anonymous,
            warning=draft.warning,
        )
        outcome = await self._store(new, settings, rep, now)
        if matched is None:
            several = requester_id is None and bool(draft.requester_name)
            return dataclasses.replace(outcome, several=several) if several else outcome
        confirmed = other_confirmed and outcome.alert.requester_id != matched.id
        if confirmed:
            entry = await self._record_other_confirmed(outcome.alert, matched, sharer_id, now)
            self.bot.dispatch("requester_other_confirmed", entry, outcome.alert, matched)
        return dataclasses.replace(outcome, matched=matched, other_confirmed=confirmed)

    async def _store(
        self, new: NewAlert, settings: GuildSettings, rep: Reputation | None, now: int
    ) -> ShareOutcome:
        expires = rules.expires_at(now, settings.alert_expiry_minutes)
        for _attempt in range(3):
            result = await tasks_db.share(self.db, new, now=now, expires_at=expires)
            if result.created:
                alert = await self._post_new(result.alert, settings, rep)
                return ShareOutcome(alert, created=True, reputation=rep)
            if result.alert.message_id is not None:
                # The usual re-share: answer from the upsert's row, redraw in the background.
                self.request_redraw(result.alert.id)
                return ShareOutcome(result.alert, created=False, reputation=rep)
            outcome = await self._bump_unposted(result.alert.id, settings, rep)
            if outcome is not None:
                return outcome
            # The first share of this task could not be posted and was discarded: go again.
        raise UserError("common.errors.busy")

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

    async def _post_new(
        self, alert: Alert, settings: GuildSettings, rep: Reputation | None
    ) -> Alert:
        # No await between the INSERT returning and taking the lock (see module docstring).
        self._posting.add(alert.id)
        try:
            return await self._post_new_locked(alert, settings, rep)
        finally:
            self._posting.discard(alert.id)

    async def _post_new_locked(
        self, alert: Alert, settings: GuildSettings, rep: Reputation | None
    ) -> Alert:
        async with self.locked(alert.id):
            try:
                posted = await self._post(alert, settings, rep)
            except (discord.HTTPException, discord.RateLimited) as exc:
                # 5xx, or a rate limit longer than discord.py will wait: try again later.
                await tasks_db.discard(self.db, alert.id)
                log.warning("alert %s could not be posted: %s", alert.id, exc)
                raise UserError("tasks.share.post_failed") from exc
            except BaseException:
                await tasks_db.discard(self.db, alert.id)
                raise
            stored = await tasks_db.set_message(
                self.db,
                alert.id,
                channel_id=posted.channel_id,
                message_id=posted.message.id,
                is_forum=posted.thread is not None,
            )
            current = stored or alert
            unposted = dataclasses.replace(
                current, channel_id=None, message_id=None, jump_url=None, is_forum=False
            )
            if stored is not None and unposted != alert:
                # Someone re-shared it while it was being posted: show their bump too.
                await self.redraw(stored.id, stored, settings=settings)
        self.bot.dispatch("alert_posted", current)
        return current

    def _is_orphan(self, alert: Alert, now: int) -> bool:
        """Stored, live, never posted, and nobody here is posting it: a crash's leftover."""
        return (
            alert.is_live
            and alert.message_id is None
            and alert.id not in self._posting
            and (
                alert.created_at <= now - UNPOSTED_GRACE_SECONDS
                or alert.created_at <= self._started_at
            )
        )

    async def _bump_unposted(
        self, alert_id: int, settings: GuildSettings, rep: Reputation | None
    ) -> ShareOutcome | None:
        """A re-share of a live task that has no message yet.

        Under the alert's lock the row is read again: a first sharer still posting holds
        that lock, so this waits for the message and then links to it. If there is still
        no message, the share that stored it died before posting it: this sharer posts it
        now (and subscribers hear of it then, since they never did). None: the first share
        could not be posted and was discarded.
        """
        async with self.locked(alert_id):
            current = await tasks_db.get_alert(self.db, alert_id)
            if current is None:
                return None
            if not self._is_orphan(current, self.now()):
                return ShareOutcome(current, created=False, reputation=rep)
            self._posting.add(alert_id)
            try:
                posted = await self._post(current, settings, rep)
            except (discord.HTTPException, discord.RateLimited) as exc:
                log.warning("unposted alert %s could not be posted: %s", alert_id, exc)
                raise UserError("tasks.share.post_failed") from exc
            finally:
                self._posting.discard(alert_id)
            stored = await tasks_db.set_message(
                self.db,
                alert_id,
                channel_id=posted.channel_id,
                message_id=posted.message.id,
                is_forum=posted.thread is not None,
            )
            if stored is None:  # the row is gone (it cannot be: we hold its lock)
                return None
            if not stored.is_live:
                # The sweep ended it while it was being posted: show it ended.
                await self.show_ended(stored, settings)
                return ShareOutcome(stored, created=False, reputation=rep)
        log.info("alert %s was stored but never posted: posted on a re-share", alert_id)
        self.bot.dispatch("alert_posted", stored)
        return ShareOutcome(stored, created=True, reputation=rep)

    async def _post(self, alert: Alert, settings: GuildSettings, rep: Reputation | None) -> Posted:
        embed, view = self.draw(alert, settings, rep)
        channel = configured_channel(self.bot, alert.guild_id, settings.alerts_channel_id)
        forum_title = None
        forum_tags: list[discord.ForumTag] | None = None
        if isinstance(channel, discord.ForumChannel):
            locale = settings.locale
            tier = render.tier_of(alert, settings)
            names = [
                rules.platform_label(alert.platform, locale),
                t(f"tasks.tags.{tier}", locale),
            ]
            if alert.warning:
                names.append(t("tasks.tags.warning", locale))
            forum_tags = await self.forum_tags(channel, names)
            forum_title = render.forum_post_name(alert, settings, locale)
        return await post_to(
            self.bot,
            alert.guild_id,
            "alerts",
            embed=embed,
            view=view,
            forum_title=forum_title,
            forum_tags=forum_tags,
        )

    # -- forum tags ------------------------------------------------------------------------

    async def forum_tags(
        self, forum: discord.ForumChannel, names: list[str]
    ) -> list[discord.ForumTag]:
        """The forum's tags with these names, creating the missing ones when allowed."""
        lock = self._tag_locks.setdefault(forum.id, asyncio.Lock())
        async with lock:
            existing = {tag.name.casefold(): tag for tag in forum.available_tags}
            missing = [n[:20] for n in dict.fromkeys(names) if n[:20].casefold() not in existing]
            room = FORUM_TAG_LIMIT - len(existing)
            me = forum.guild.me
            if missing and room > 0 and forum.permissions_for(me).manage_channels:
                new_tags = [discord.ForumTag(name=name) for name in missing[:room]]
                try:
                    updated = await forum.edit(available_tags=[*forum.available_tags, *new_tags])
                except discord.HTTPException:
                    log.warning("could not create tags in forum %s", forum.id, exc_info=True)
                else:
                    current = updated if isinstance(updated, discord.ForumChannel) else forum
                    existing = {tag.name.casefold(): tag for tag in current.available_tags}
            elif missing:
                log.info(
                    "forum %s: cannot create tags %s (full or no permission)", forum.id, missing
                )
            found = [existing[n[:20].casefold()] for n in names if n[:20].casefold() in existing]
            return found[:APPLIED_TAG_LIMIT]

    # -- redrawing -------------------------------------------------------------------------

    async def _edit(self, alert: Alert, settings: GuildSettings, rep: Reputation | None) -> None:
        """Edit the alert's message to show `alert` (callers hold the alert's redraw slot)."""
        if alert.channel_id is None or alert.message_id is None:
            return
        embed, view = self.draw(alert, settings, rep)
        message = self.bot.get_partial_messageable(
            alert.channel_id, guild_id=alert.guild_id
        ).get_partial_message(alert.message_id)
        try:
            await message.edit(embed=embed, view=view, allowed_mentions=NO_PINGS)
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

    def request_redraw(self, alert_id: int) -> None:
        """Redraw the alert from its row in the background (coalesced); returns at once."""
        slot = self._claim(alert_id)
        if slot is not None:
            slot.dirty = True
            self.bot.spawn(self._release(alert_id, slot), name=f"tasks: redraw alert {alert_id}")

    async def redraw(
        self, alert_id: int, alert: Alert | None = None, *, settings: GuildSettings | None = None
    ) -> None:
        """Redraw the alert's message; returns once it shows at least this change.

        With `alert` (a statement's fresh RETURNING row) and `settings` that is drawn
        straight away; otherwise, or if an edit is already in flight, from the row.
        """
        slot = self._claim(alert_id)
        if slot is None:
            await asyncio.shield(self._slots[alert_id].done)
            return
        try:
            if alert is None or settings is None:
                slot.dirty = True
            else:
                await self._edit(alert, settings, await self.reputation(alert))
        finally:
            await self._release(alert_id, slot)

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

    async def requester_changed(self, requester_id: int) -> int:
        """A requester's status changed (or records merged): redraw its live alerts."""
        self.forget_requester(requester_id)
        alerts = await tasks_db.live_for_requester(self.db, requester_id)
        for alert in alerts:
            await self.refresh(alert.id)
        return len(alerts)

    # -- ending ----------------------------------------------------------------------------

    async def _close_thread(
        self, alert: Alert, settings: GuildSettings, *, lock_thread: bool
    ) -> None:
        """Tag a forum post "gone" and archive it; a removed one is also locked and renamed."""
        if not alert.is_forum or alert.channel_id is None:
            return
        thread = self.bot.get_channel(alert.channel_id)
        try:
            if not isinstance(thread, discord.Thread):
                fetched = await self.bot.fetch_channel(alert.channel_id)
                if not isinstance(fetched, discord.Thread):
                    return
                thread = fetched
            tags = list(thread.applied_tags)
            forum = thread.parent
            if isinstance(forum, discord.ForumChannel):
                gone = await self.forum_tags(forum, [t("tasks.tags.gone", settings.locale)])
                tags = [*[x for x in tags if x not in gone], *gone][-APPLIED_TAG_LIMIT:]
            if lock_thread:
                name = t("tasks.alert.removed_title", settings.locale, id=alert.id)[:100]
                await thread.edit(name=name, archived=True, locked=True, applied_tags=tags)
            else:
                await thread.edit(archived=True, applied_tags=tags)
        except discord.NotFound:
            log.info("alert %s: its forum post is gone", alert.id)
        except discord.HTTPException:
            log.warning("alert %s: could not archive its forum post", alert.id, exc_info=True)

    async def show_ended(self, alert: Alert, settings: GuildSettings) -> None:
        """An alert just ended: grey it out with buttons disabled, close its forum post.

        Callers have already redrawn interaction-owned messages if they wanted to (pass
        through here only for the REST side).
        """
        await self.redraw(alert.id, alert, settings=settings)
        await self._close_thread(alert, settings, lock_thread=False)

    async def expire_due(self) -> int:
        """The scheduler's sweep: end every live alert whose time is up, and show it.

        The database row is the truth: after a restart, whatever expired meanwhile is
        found here on the first run.
        """
        total = 0
        settings_cache: dict[int, GuildSettings] = {}
        while True:
            batch = await tasks_db.expire_due(self.db, self.now(), limit=EXPIRY_BATCH)
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
        """A moderator deletes an alert: the message goes, the row stays as removed."""
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
                title=safe_text(alert.title, 200),
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

    # -- clicks --------------------------------------------------------------------------

    async def vote(
        self, interaction: discord.Interaction[Entraide], alert_id: int, kind: str
    ) -> None:
        """Record "Still live" / "Gone" from the alert's buttons; update the message in place."""
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("common.errors.guild_only")
        settings = await guilds.get(self.db, guild_id)
        moderator = is_moderator(interaction.user, settings)
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
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("common.errors.guild_only")
        settings = await guilds.get(self.db, guild_id)
        moderator = is_moderator(interaction.user, settings)
        async with self.locked(alert_id):
            alert = await tasks_db.get_alert(self.db, alert_id)
            if alert is None or alert.guild_id != guild_id or alert.state == "removed":
                raise UserError("tasks.errors.unknown_alert")
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
        return updated, confirmed

    async def confirm_warning(
        self, interaction: discord.Interaction[Entraide], alert_id: int
    ) -> Alert:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise UserError("common.errors.guild_only")
        settings = await guilds.get(self.db, guild_id)
        moderator = is_moderator(interaction.user, settings)
        async with self.locked(alert_id):
            alert = await tasks_db.get_alert(self.db, alert_id)
            if alert is None or alert.guild_id != guild_id or alert.state == "removed":
                raise UserError("tasks.errors.unknown_alert")
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
        return updated
