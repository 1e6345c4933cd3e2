"""Telling moderators when a configured channel stops working.

`bot.delivery` raises `channel_problem(guild_id, kind, detail)` when a post fails (the
channel was deleted, the bot lost a permission, Discord refused). The channel's own
deletion and permission changes are watched here too, so moderators hear about a broken
channel before a member's share fails. Each problem is told once: again only when it
changes or a day later, so a broken channel does not flood the moderators.

Where: the moderators' channel, in the server's language; if that is the broken one (or
fails too), a direct message to the server owner.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.clock import to_epoch
from bot.delivery import (
    CHANNEL_COLUMNS,
    ChannelProblemError,
    configured_channel,
    forget_channel,
    missing_permissions,
    post_to,
)
from bot.i18n import permission_names, t
from bot.ui import NO_PINGS, Colours, safe_text
from cogs.admin.rules import parse_problem
from db import guild_setup, guilds, members

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.guilds import GuildSettings

log = logging.getLogger(__name__)

#: A problem already reported is not reported again for this long (unless it changes).
QUIET_SECONDS = 24 * 3600


class ChannelWatchCog(commands.Cog):
    """Reports unusable channels to the people who can fix them."""

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    # -- the event from bot.delivery -------------------------------------------------------

    @commands.Cog.listener()
    async def on_channel_problem(self, guild_id: int, kind: str, detail: str) -> None:
        if kind not in CHANNEL_COLUMNS:
            return
        now = to_epoch(self.bot.clock.now())
        claimed = await guild_setup.claim_notice(
            self.bot.db, guild_id, kind, detail, now=now, quiet_seconds=QUIET_SECONDS
        )
        if not claimed:
            return
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        settings = await guilds.get(self.bot.db, guild_id)
        if kind != "mod":
            embed = self.problem_embed(guild, settings, kind, detail, settings.locale)
            try:
                await post_to(
                    self.bot,
                    guild_id,
                    "mod",
                    embed=embed,
                    forum_title=t("admin.notices.title", settings.locale),
                )
            except ChannelProblemError:
                pass  # the moderators' channel is broken too (its own problem is raised)
            except discord.HTTPException:
                log.warning("guild %s: could not post a channel notice", guild_id, exc_info=True)
            else:
                return
        await self.tell_owner(guild, settings, kind, detail)

    def problem_embed(
        self,
        guild: discord.Guild,
        settings: GuildSettings,
        kind: str,
        detail: str,
        locale: str,
        *,
        for_owner: bool = False,
    ) -> discord.Embed:
        reason, missing = parse_problem(detail)
        channel_id = getattr(settings, CHANNEL_COLUMNS[kind])
        text = t(
            f"admin.notices.{reason}",
            locale,
            channel=t(f"common.channel_kinds.{kind}", locale),
            mention=f"<#{channel_id}>" if channel_id else "—",
            perms=permission_names(missing, locale),
        )
        if for_owner:
            text = t("admin.notices.owner_intro", locale, guild=safe_text(guild.name, 100)) + (
                "\n\n" + text
            )
        embed = discord.Embed(
            title=t("admin.notices.title", locale), description=text, colour=Colours.WARNING
        )
        embed.set_footer(text=t("admin.notices.footer", locale))
        return embed

    async def tell_owner(
        self, guild: discord.Guild, settings: GuildSettings, kind: str, detail: str
    ) -> None:
        owner = guild.owner
        if owner is None:
            log.warning("guild %s: no moderators' channel and no owner to tell", guild.id)
            return
        prefs = await members.get(self.bot.db, owner.id)
        locale = prefs.locale or settings.locale
        embed = self.problem_embed(guild, settings, kind, detail, locale, for_owner=True)
        try:
            await owner.send(embed=embed, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("guild %s: could not tell the owner about the %s channel", guild.id, kind)

    # -- watching the channels themselves ----------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """Forget a configured channel the moment it is deleted, and say so."""
        settings = await guilds.get(self.bot.db, channel.guild.id)
        for kind, column in CHANNEL_COLUMNS.items():
            if getattr(settings, column) == channel.id:
                await forget_channel(self.bot, channel.guild.id, kind, "deleted")

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        if before.overwrites == after.overwrites and before.type == after.type:
            return  # a topic or position change: permissions are as they were
        await self.recheck(after.guild, only=after.id)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        me = after.guild.me
        if before.permissions == after.permissions or me is None:
            return
        if after.is_default() or after in me.roles:
            await self.recheck(after.guild)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if (
            self.bot.user is not None
            and after.id == self.bot.user.id
            and before.roles != after.roles
        ):
            await self.recheck(after.guild)

    async def recheck(self, guild: discord.Guild, *, only: int | None = None) -> None:
        """Check the bot's permissions in the server's configured channels now."""
        if guild.me is None:
            return
        settings = await guilds.get(self.bot.db, guild.id)
        for kind, column in CHANNEL_COLUMNS.items():
            channel_id = getattr(settings, column)
            if channel_id is None or (only is not None and channel_id != only):
                continue
            channel = configured_channel(self.bot, guild.id, channel_id)
            if channel is None:
                continue  # a deletion is handled by on_guild_channel_delete / post_to
            missing = missing_permissions(channel, guild.me)
            if missing:
                self.bot.dispatch("channel_problem", guild.id, kind, "missing:" + ",".join(missing))
            else:
                await guild_setup.clear_notice(self.bot.db, guild.id, kind)
