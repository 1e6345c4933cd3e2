"""`/notify-role add|remove|list|join|leave` and the listener that mentions the roles.

Moderators register existing roles with alert filters; members join and leave them
through the bot (the role membership lives in Discord); when an alert is posted, the
service mentions the matching roles once (see `cogs.roles.service`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_settings, require_moderator
from bot.clock import to_epoch
from bot.command_groups import server_group
from bot.errors import NotSetUpError, UserError
from bot.i18n import permission_names, t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply
from cogs.alerts import render as alert_render
from cogs.alerts import rules as alert_rules
from cogs.roles import render, rules, service
from db import audit, notify_roles

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: Mention records are kept this long: far past any second dispatch of the same alert.
PINGS_KEEP = timedelta(days=7)
PRUNE_JOB_ID = "roles:prune-pings"


def role_check(
    guild: discord.Guild,
    role: discord.Role | None,
    actor: discord.abc.User | None = None,
    *,
    moderator_role_id: int | None = None,
) -> rules.RoleCheck:
    """Read what the rules decide on from discord.py's cache (never the option's copy).

    `role` must come from `guild.get_role`: the copy in an interaction's options carries
    whatever position and flags the payload claimed, and may belong to another server.
    `moderator_role_id`: the server's moderator role (`/setup`), never a notification role.
    """
    if role is None:
        return rules.RoleCheck(in_guild=False)
    everyone = guild.default_role.permissions.value
    extra = discord.Permissions(role.permissions.value & ~everyone)
    opens = any(channel.overwrites_for(role).pair()[0].value for channel in guild.channels)
    me = guild.me
    bot_is_owner = me.id == guild.owner_id
    actor_can_assign = False
    if isinstance(actor, discord.Member):
        perms = actor.guild_permissions
        actor_can_assign = actor.id == guild.owner_id or (
            perms.manage_roles and role < actor.top_role
        )
    return rules.RoleCheck(
        in_guild=True,
        is_default=role.is_default(),
        managed=role.managed,
        mentionable=role.mentionable,
        below_bot=bot_is_owner or role < me.top_role,
        bot_manages_roles=me.guild_permissions.manage_roles,
        actor_can_assign=actor_can_assign,
        extra_permissions=tuple(name for name, on in extra if on),
        opens_channels=opens,
        is_moderator_role=moderator_role_id is not None and role.id == moderator_role_id,
    )


class RolesCog(commands.Cog):
    roles = server_group("roles.group")

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # Nothing here names a member (see docs/alerts.md): no privacy section to register.
        if not self.bot.own_shards.runs_store_wide:
            return  # pruning old rows is store-wide: the process holding shard 0 does it
        self.bot.scheduler.add_job(
            self.prune_pings, "interval", hours=6, id=PRUNE_JOB_ID, replace_existing=True
        )

    async def cog_unload(self) -> None:
        if self.bot.scheduler.get_job(PRUNE_JOB_ID):
            self.bot.scheduler.remove_job(PRUNE_JOB_ID)

    async def prune_pings(self) -> int:
        """Forget mention records no duplicate event can still need."""
        before = to_epoch(self.bot.clock.now() - PINGS_KEEP)
        return await notify_roles.prune_pings(self.bot.db, before)

    # -- listeners ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_alert_posted(self, alert: Alert) -> None:
        """Raised by the tasks feature once per new alert, after it is posted."""
        try:
            mentioned = await service.announce(self.bot, alert)
        except Exception:
            log.exception("role mentions failed for alert %s", alert.id)
            return
        if mentioned:
            log.info("alert %s: mentioned %d notification roles", alert.id, len(mentioned))

    @commands.Cog.listener()
    async def on_alert_removed(self, alert: Alert) -> None:
        """Raised by the tasks feature when a moderator removes an alert: its mention goes.

        The mention quotes the title, which a removal takes out of the channel.
        """
        try:
            gone = await service.withdraw(self.bot, alert.guild_id, alert.id)
        except Exception:
            log.exception("role mentions of removed alert %s not deleted", alert.id)
            return
        if gone:
            log.info("alert %s removed: deleted %d role mention messages", alert.id, gone)

    @commands.Cog.listener()
    async def on_alert_warning_changed(self, alert: Alert) -> None:
        """Raised by the tasks feature when an alert's content warning changes."""
        try:
            await service.rewarn(self.bot, alert)
        except Exception:
            log.exception("role mentions of alert %s not redrawn for its warning", alert.id)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        """A role deleted in Discord is no longer registered (nor listed, nor matched)."""
        await notify_roles.remove(self.bot.db, role.guild.id, role.id)

    @commands.Cog.listener()
    async def on_guild_config_purged(self, guild_id: int) -> None:
        """A server the bot left long ago: its registered roles go with its configuration."""
        await notify_roles.purge_guild(self.bot.db, guild_id)

    # -- moderators --------------------------------------------------------------------------

    @roles.command(name=ls("roles.add.name"), description=ls("roles.add.description"))
    async def add(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        interaction: discord.Interaction[Entraide],
        role: discord.Role,
        platform: app_commands.Range[str, 1, 40] | None = None,
        min_hourly: app_commands.Range[float, 0.01, 1000.0] | None = None,
        min_reward: app_commands.Range[float, 0.01, 10000.0] | None = None,
        currency: app_commands.Range[str, 3, 3] | None = None,
        keywords: app_commands.Range[str, 1, 200] | None = None,
        requester: app_commands.Range[str, 1, 100] | None = None,
        no_warned: bool = False,
    ) -> None:
        settings = await require_moderator(interaction)
        if not settings.is_set_up:
            raise NotSetUpError
        guild = interaction.guild
        assert guild is not None  # require_moderator refuses DMs
        actual = guild.get_role(role.id)
        check = role_check(guild, actual, interaction.user, moderator_role_id=settings.mod_role_id)
        refusal = rules.add_refusal(check)
        if refusal is not None:
            raise UserError(
                refusal,
                role=render.role_name(actual or role),
                permissions=permission_names(check.extra_permissions, locale_of(interaction)),
            )
        assert actual is not None
        options = (platform, min_hourly, min_reward, currency, keywords, requester, no_warned)
        filters = alert_rules.filters_from_options(settings.currency, *options)
        now = to_epoch(self.bot.clock.now())
        stored = await notify_roles.add(
            self.bot.db,
            guild.id,
            actual.id,
            render.stored_filters(filters),
            now,
            limit=rules.MAX_ROLES,
        )
        if stored == "duplicate":
            raise UserError("roles.errors.duplicate", role=render.role_name(actual))
        if stored == "limit":
            raise UserError("roles.errors.limit", limit=rules.MAX_ROLES)
        await self._audit(interaction, "notify_role_add", actual, filters, now)
        locale = locale_of(interaction)
        embed = discord.Embed(
            title=t("roles.add.saved_title", locale),
            description=t(
                "roles.add.saved",
                locale,
                role=actual.mention,
                filters=alert_render.describe(filters, locale),
            ),
            colour=Colours.GOOD,
        )
        await reply(interaction, embed=embed)

    @roles.command(name=ls("roles.remove.name"), description=ls("roles.remove.description"))
    async def remove(self, interaction: discord.Interaction[Entraide], role: discord.Role) -> None:
        await require_moderator(interaction)
        assert interaction.guild_id is not None
        removed = await notify_roles.remove(self.bot.db, interaction.guild_id, role.id)
        if removed is None:
            raise UserError("roles.errors.not_registered", role=render.role_name(role))
        now = to_epoch(self.bot.clock.now())
        await self._audit(interaction, "notify_role_remove", role, service.filters_of(removed), now)
        await reply(
            interaction, t("roles.remove.removed", locale_of(interaction), role=role.mention)
        )

    async def _audit(
        self,
        interaction: discord.Interaction[Entraide],
        action: str,
        role: discord.Role,
        filters: alert_rules.Filters,
        now: int,
    ) -> None:
        assert interaction.guild_id is not None
        await audit.record(
            self.bot.db,
            guild_id=interaction.guild_id,
            actor_id=interaction.user.id,
            action=action,
            target_kind="role",
            target_id=role.id,
            reason=None,
            now=now,
            detail={"name": role.name[:100], "filters": filters.signature()},
        )

    # -- everyone ----------------------------------------------------------------------------

    @roles.command(name=ls("roles.list.name"), description=ls("roles.list.description"))
    async def list_(self, interaction: discord.Interaction[Entraide]) -> None:
        await guild_settings(interaction)
        guild = interaction.guild
        assert guild is not None
        registered = await notify_roles.for_guild(self.bot.db, guild.id)
        await reply(interaction, embed=render.list_embed(guild, registered, locale_of(interaction)))

    @roles.command(name=ls("roles.join.name"), description=ls("roles.join.description"))
    async def join(self, interaction: discord.Interaction[Entraide], role: discord.Role) -> None:
        await self._change(interaction, role, joining=True)

    @roles.command(name=ls("roles.leave.name"), description=ls("roles.leave.description"))
    async def leave(self, interaction: discord.Interaction[Entraide], role: discord.Role) -> None:
        await self._change(interaction, role, joining=False)

    async def _change(
        self, interaction: discord.Interaction[Entraide], role: discord.Role, *, joining: bool
    ) -> None:
        """Add or remove a registered role on the member who asked, and only that."""
        settings = await guild_settings(interaction)
        guild, member = interaction.guild, interaction.user
        assert guild is not None
        if not isinstance(member, discord.Member):
            raise UserError("common.errors.guild_only")
        actual = guild.get_role(role.id)
        registered = actual is not None and (
            await notify_roles.get(self.bot.db, guild.id, actual.id) is not None
        )
        check = role_check(guild, actual, moderator_role_id=settings.mod_role_id)
        refusal = rules.join_refusal(check, registered=registered, joining=joining)
        if refusal is not None:
            raise UserError(
                refusal,
                role=render.role_name(actual or role),
                permissions=permission_names(check.extra_permissions, locale_of(interaction)),
            )
        assert actual is not None
        locale = locale_of(interaction)
        has = any(r.id == actual.id for r in member.roles)
        if has == joining:
            key = "roles.join.already" if joining else "roles.leave.not_member"
            await reply(interaction, t(key, locale, role=actual.mention))
            return
        try:
            if joining:
                await member.add_roles(actual, reason="/notify-role join")
            else:
                await member.remove_roles(actual, reason="/notify-role leave")
        except discord.Forbidden:
            raise UserError(
                "roles.errors.bot_no_manage_roles", role=render.role_name(actual)
            ) from None
        key = "roles.join.joined" if joining else "roles.leave.left"
        await reply(interaction, t(key, locale, role=actual.mention))
