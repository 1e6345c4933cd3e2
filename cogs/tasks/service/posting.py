"""Sharing: store once, post once, and merge duplicates into the live alert.

Posting takes the alert's lock right after the share's single INSERT returns (without
yielding): a second sharer who arrives before the first alert's message exists waits on
that lock and then gets a link to it. A live alert still without a message once that
lock is free was left behind by a crash between the INSERT and the post: the next
sharer posts it (`UNPOSTED_GRACE_SECONDS`), and the expiry sweep ends the ones nobody
re-shares.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import discord

from bot.delivery import ChannelProblemError, Posted, configured_channel, post_to
from bot.errors import UserError
from bot.i18n import t
from bot.ui import safe_text
from cogs.requesters import identity
from cogs.tasks import render, rules
from cogs.tasks.service.core import UNPOSTED_GRACE_SECONDS
from cogs.tasks.service.ending import EndingMixin
from cogs.tasks.service.identity import IdentityMixin, NameHeldError
from db import requesters
from db import tasks as tasks_db
from db.guilds import GuildSettings
from db.requesters import Reputation, Requester
from db.tasks import Alert, NewAlert

log = logging.getLogger(__name__)


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
    #: A bump by a member who had already shared this live alert: not counted again.
    repeat: bool = False


class PostingMixin(IdentityMixin, EndingMixin):
    """A share from the member's command to the posted (or bumped) alert."""

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
        if await tasks_db.removed_by_moderators(self.db, guild_id, draft.task_key):
            # Moderators took this task down: sharing it again must not put it back.
            raise UserError("tasks.share.removed_task")
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
                if link.requester.flagged and not link.by_name and draft.platform_requester_id:
                    await self._flag_live_task(guild_id, draft, link.requester)
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

    async def _flag_live_task(
        self, guild_id: int, draft: rules.ShareDraft, flagged: Requester
    ) -> None:
        """The task's live alert, if any, carries the flagged requester this share named.

        By its id only (a name is no proof): the member who shared it first may have
        typed a made-up clean id. Done before a refusal, so refusing this share does not
        leave the live alert without its warning.
        """
        alert = await tasks_db.flag_live_task(
            self.db,
            guild_id=guild_id,
            task_key=draft.task_key,
            requester_id=flagged.id,
            requester_name=flagged.name,
            platform_requester_id=flagged.platform_requester_id
            or draft.platform_requester_id
            or "",
        )
        if alert is not None and alert.message_id is not None:
            self.request_redraw(alert.id)

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
                return ShareOutcome(
                    result.alert, created=False, reputation=rep, repeat=result.repeat
                )
            outcome = await self._bump_unposted(
                result.alert.id,
                settings,
                rep,
                seen_count=result.alert.seen_count,
                repeat=result.repeat,
            )
            if outcome is not None:
                return outcome
            # The first share of this task could not be posted and was discarded: go again.
        raise UserError("common.errors.busy")

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
            if stored is not None:
                self.keep_latest(stored)
            unposted = dataclasses.replace(
                current, channel_id=None, message_id=None, jump_url=None, is_forum=False
            )
            if stored is not None and unposted != alert:
                # Someone re-shared it while it was being posted: show their bump too,
                # once the sharers are answered.
                self.request_redraw(stored.id, stored, settings=settings)
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
        self,
        alert_id: int,
        settings: GuildSettings,
        rep: Reputation | None,
        *,
        seen_count: int,
        repeat: bool,
    ) -> ShareOutcome | None:
        """A re-share of a live task that has no message yet.

        Under the alert's lock the row is read again: a first sharer still posting holds
        that lock, so this waits for the message and then links to it. If there is still
        no message, the share that stored it died before posting it: this sharer posts it
        now (and subscribers hear of it then, since they never did). None: the first share
        could not be posted and was discarded. `seen_count`: this share's bump counted; the
        row the poster left is used if it already counts it, else the row is read again.
        `repeat`: the bump was by a member who had already shared it (not counted again).
        """
        async with self.locked(alert_id):
            current = self.latest(alert_id, seen_count=seen_count) or await tasks_db.get_alert(
                self.db, alert_id
            )
            if current is None:
                return None
            if not self._is_orphan(current, self.now()):
                return ShareOutcome(current, created=False, reputation=rep, repeat=repeat)
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
                return ShareOutcome(stored, created=False, reputation=rep, repeat=repeat)
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
