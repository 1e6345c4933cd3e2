"""What every part of the alert service shares: the per-alert lock, caches, drawing.

Each part (posting, clicks, redraws, ending, requester choices) works on one alert at
a time under `locked`, draws it with `draw`, and reads requesters and their reputation
through the short-lived caches kept here. A share's requester is resolved here too
(`requester_link`), since that resolution is what the requester cache holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.clock import to_epoch
from bot.ui import fit_embed
from cogs.requesters import identity
from cogs.tasks import render, rules
from cogs.tasks.cache import TtlCache
from db import requesters
from db.connection import Database
from db.guilds import GuildSettings
from db.requester_identity import FLAGGED
from db.requesters import Reputation, Requester
from db.tasks import Alert

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.ports import ButtonsFactory

CACHE_SECONDS = 60.0
CACHE_SIZE = 5000
#: A live alert without a message this old (or older than this process) is not being
#: posted by anyone: the process that stored it died before posting it.
UNPOSTED_GRACE_SECONDS = 60


@dataclass(frozen=True, slots=True)
class RequesterLink:
    """What a share's requester resolves to (`cogs.requesters.identity` rules).

    `requester` is the record the alert points at (None: several clean namesakes);
    `by_name` is set when a name alone matched a flagged record.
    """

    requester: Requester | None
    by_name: bool = False


def _known(found: list[Requester], platform: str | None = None) -> list[identity.Known]:
    """The records as name matching sees them.

    With `platform`, a record of another platform shows no id: its id cannot be compared
    with one given for this platform, so a different id says nothing against it.
    """
    return [
        identity.Known(
            k.id,
            k.status,
            k.platform_requester_id if platform is None or k.platform == platform else None,
        )
        for k in found
    ]


@dataclass
class _LockEntry:
    lock: asyncio.Lock
    users: int = 0
    #: The row as the last holder left it (`keep_latest`), for whoever waited behind.
    latest: Alert | None = None


class _RedrawSlot:
    """The one edit of an alert's message in flight, and whether it is already stale."""

    __slots__ = ("dirty", "done", "hurry")

    def __init__(self) -> None:
        self.dirty = False
        #: Done once someone waits for this edit (`redraw`): a background one stops
        #: deferring to members' interactions, since a member is what waits.
        self.hurry: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class ServiceCore:
    """The service's state, and what all its parts call: locks, caches, `draw`."""

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

    def keep_latest(self, alert: Alert) -> None:
        """Leave the alert's row, as just stored, to those waiting for its lock.

        A re-share that arrives while the first share is still posting waits for the
        lock and then needs the row with the message in it: the one the poster just
        stored, which spares it a read of its own (`latest`).
        """
        entry = self._locks.get(alert.id)
        if entry is not None:
            entry.latest = alert

    def latest(self, alert_id: int, *, seen_count: int) -> Alert | None:
        """The row a previous lock holder left, if it already counts `seen_count` shares."""
        entry = self._locks.get(alert_id)
        if entry is None or entry.latest is None or entry.latest.seen_count < seen_count:
            return None
        return entry.latest

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
                    known = await self._namesakes(draft.platform, name)
                    match = identity.match_name_with_new_id(_known(known, draft.platform))
                    if match.record is not None:
                        flagged = next(k for k in known if k.id == match.record.id)
                        return RequesterLink(flagged, by_name=True)
                created = await requesters.upsert(self.db, draft.platform, pid, name or pid, now)
                return RequesterLink(created)
            assert name is not None
            same = await requesters.find_by_id_in_name(self.db, draft.platform, name)
            if same is not None:
                # A record's id typed where the name goes is that record, as an id is.
                return RequesterLink(same)
            inside = await requesters.flagged_id_inside_name(self.db, draft.platform, name)
            if inside is not None:
                # "Evil Corp (A9SCAM…)": a flagged id written beside a made-up name.
                return RequesterLink(inside, by_name=True)
            known = await self._namesakes(draft.platform, name)
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

    async def _namesakes(self, platform: str, name: str) -> list[Requester]:
        """The records known by `name` on the task's platform (flagged first).

        A task on "other" (no link, the member did not say where it is) could be on any
        platform: a flagged namesake anywhere counts, so choosing "other" is no way round
        a warning. Clean namesakes elsewhere do not: they are other requesters.
        """
        known = await requesters.find_by_name(self.db, name, platform)
        if platform == "other" and not any(k.status in FLAGGED for k in known):
            elsewhere = await requesters.find_by_name(self.db, name, None)
            known = [k for k in elsewhere if k.status in FLAGGED] + known
        return known

    def forget_requester(self, requester_id: int) -> None:
        """A requester's status changed or records were merged: read them afresh."""
        self._reputations.pop(requester_id)
        self._requesters.clear()  # a merge can point any name at another record

    def forget_requesters(self) -> None:
        """Read every requester and reputation afresh (events may have been missed)."""
        self._reputations.clear()
        self._requesters.clear()

    def draw(
        self, alert: Alert, settings: GuildSettings, rep: Reputation | None
    ) -> tuple[discord.Embed, discord.ui.View]:
        locale = settings.locale
        embed = fit_embed(render.alert_embed(alert, settings, rep, locale))
        return embed, self.buttons(alert, locale)
