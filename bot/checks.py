"""Checks shared by features: is the server set up, is this member a moderator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.errors import NotModeratorError, NotSetUpError, UserError
from db import guilds

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.guilds import GuildSettings


def is_moderator(member: discord.abc.User, settings: GuildSettings) -> bool:
    """Moderators hold the configured role, or may manage the server anyway."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild or member.guild_permissions.administrator:
        return True
    return settings.mod_role_id is not None and any(
        role.id == settings.mod_role_id for role in member.roles
    )


async def guild_settings(interaction: discord.Interaction[Entraide]) -> GuildSettings:
    """The settings of the server the interaction came from (refuses DMs)."""
    if interaction.guild_id is None:
        raise UserError("common.errors.guild_only")
    return await guilds.get(interaction.client.db, interaction.guild_id)


async def require_setup(interaction: discord.Interaction[Entraide]) -> GuildSettings:
    """Settings of a server whose administrators have run /setup, or a friendly refusal."""
    settings = await guild_settings(interaction)
    if not settings.is_set_up:
        raise NotSetUpError
    return settings


async def require_moderator(interaction: discord.Interaction[Entraide]) -> GuildSettings:
    """Checked on the server side for every moderator action, whatever the UI showed."""
    settings = await guild_settings(interaction)
    if not is_moderator(interaction.user, settings):
        raise NotModeratorError
    return settings


def is_manager(member: discord.abc.User) -> bool:
    """May change the server's setup: Manage Server (or Administrator), as on Discord."""
    if not isinstance(member, discord.Member):
        return False
    perms = member.guild_permissions
    return perms.manage_guild or perms.administrator


async def require_manager(interaction: discord.Interaction[Entraide]) -> GuildSettings:
    """Checked on the server side for every setup action.

    `default_permissions` only hides commands in the client, and a server can override it
    for any role.
    """
    settings = await guild_settings(interaction)
    if not is_manager(interaction.user):
        raise UserError("common.errors.not_manager")
    return settings
