"""Forum channels: the tags an alert's post carries, and closing a post when it ends."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.i18n import t
from cogs.tasks import render
from cogs.tasks.service.core import ServiceCore
from db.guilds import GuildSettings
from db.tasks import Alert

log = logging.getLogger(__name__)

FORUM_TAG_LIMIT = 20  # Discord's maximum per forum
APPLIED_TAG_LIMIT = 5  # and per post


class ForumMixin(ServiceCore):
    """Tags found or created once per forum (under a lock), and archiving ended posts."""

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

    async def _post_with_tag(
        self, channel_id: int, tag_name: str
    ) -> tuple[discord.Thread, list[discord.ForumTag], list[discord.ForumTag]] | None:
        """An alert's forum post, its other tags, and the tag named `tag_name`.

        The post comes from the cache or is asked of Discord (None: not a post); the tag
        is created in the forum if needed.
        """
        thread = self.bot.get_channel(channel_id)
        if not isinstance(thread, discord.Thread):
            fetched = await self.bot.fetch_channel(channel_id)
            if not isinstance(fetched, discord.Thread):
                return None
            thread = fetched
        tags = list(thread.applied_tags)
        named: list[discord.ForumTag] = []
        if isinstance(thread.parent, discord.ForumChannel):
            named = await self.forum_tags(thread.parent, [tag_name])
            tags = [x for x in tags if x not in named]
        return thread, tags, named

    async def _close_thread(
        self, alert: Alert, settings: GuildSettings, *, lock_thread: bool
    ) -> None:
        """Tag a forum post "gone" and archive it; a removed one is also locked and renamed."""
        if not alert.is_forum or alert.channel_id is None:
            return
        try:
            gone_tag = t("tasks.tags.gone", settings.locale)
            post = await self._post_with_tag(alert.channel_id, gone_tag)
            if post is None:
                return
            thread, others, gone = post
            tags = [*others, *gone][-APPLIED_TAG_LIMIT:]
            if lock_thread:
                name = t("tasks.alert.removed_title", settings.locale, id=alert.id)[:100]
                await thread.edit(name=name, archived=True, locked=True, applied_tags=tags)
            else:
                await thread.edit(archived=True, applied_tags=tags)
        except discord.NotFound:
            log.info("alert %s: its forum post is gone", alert.id)
        except discord.HTTPException:
            log.warning("alert %s: could not archive its forum post", alert.id, exc_info=True)

    async def _retitle_post(self, alert: Alert, settings: GuildSettings) -> None:
        """Name and tag a forum post by the alert's content warning as it is now.

        A post's name shows in the forum's list, where no spoiler can hide it: a warning
        set after posting renames it by the warning (and tags it); a cleared one gives
        the title back.
        """
        if not alert.is_forum or alert.channel_id is None:
            return
        locale = settings.locale
        try:
            post = await self._post_with_tag(alert.channel_id, t("tasks.tags.warning", locale))
            if post is None:
                return
            thread, tags, warned = post
            if alert.warning:
                tags = [*tags, *warned][-APPLIED_TAG_LIMIT:]
            name = render.forum_post_name(alert, settings, locale)
            if thread.archived:
                await thread.edit(name=name, applied_tags=tags, archived=True)
            else:
                await thread.edit(name=name, applied_tags=tags)
        except discord.NotFound:
            log.info("alert %s: its forum post is gone", alert.id)
        except discord.HTTPException:
            log.warning("alert %s: could not rename its forum post", alert.id, exc_info=True)
