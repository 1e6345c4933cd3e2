"""Pasted exports (`/task paste`, the "Share as task alert" message menu) become shares."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import require_manager, require_setup
from bot.clock import to_epoch
from bot.command_groups import server_group
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import locale_of, reply, safe_text
from cogs.intake import drafts
from cogs.intake.api import ApiServer, hash_token, new_token
from cogs.intake.exports import EXPORTS_CACHE, ExportMinutesButton, ExportsChannel
from cogs.intake.parsers import ParsedTask
from cogs.intake.views import PasteModal, show_preview
from cogs.tasks import member_text
from cogs.tasks.ports import COG_NAME as TASKS_COG
from db import intake as intake_db
from db import tasks as tasks_db
from db.requesters import Reputation
from db.tasks import Alert

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.ports import DraftSharer
    from cogs.tasks.service import AlertService, ShareOutcome
    from db.connection import Database
    from db.guilds import GuildSettings

log = logging.getLogger(__name__)


TOKENS_PER_MEMBER = 5
LABEL_MAX = 50


class IntakeCog(commands.Cog, name="Intake"):
    """Exports and pasted posts become task alerts, through the same share rules."""

    api = server_group("intake.api.group")
    token = app_commands.Group(
        name=ls("intake.token.group.name"),
        description=ls("intake.token.group.description"),
        parent=api,
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=ls("intake.menu.name"), callback=self.share_message
        )
        self.menu.guild_only = True
        self.server: ApiServer | None = None
        self.exports = ExportsChannel(self)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        self.bot.add_dynamic_items(ExportMinutesButton)
        self.bot.privacy.register(
            "intake",
            intake_db.export_member,
            intake_db.erase_member,
            ("api_tokens.user_id", "export_messages.author_id"),
        )
        # A token acts as a member of one server: leaving it (or a ban) revokes it.
        self.bot.membership.register("intake", intake_db.token_holders, self.forget_departed)
        if self.bot.settings.api_port is not None:
            self.server = ApiServer(self.bot, self)
            await self.server.start()

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.bot.remove_dynamic_items(ExportMinutesButton)
        self.bot.privacy.unregister("intake")
        self.bot.membership.unregister("intake")
        if self.server is not None:
            await self.server.stop()
            self.server = None

    def now(self) -> int:
        return to_epoch(self.bot.clock.now())

    async def forget_departed(self, db: Database, guild_id: int, user_ids: list[int]) -> int:
        """Members who left a server (or were banned): their tokens for it are revoked.

        Called by `bot.membership` on a leave or ban, and for those who left while the bot
        was away when the server arrives.
        """
        return await intake_db.revoke_member_tokens(db, guild_id, user_ids, now=self.now())

    async def alert(self, alert_id: int) -> Alert | None:
        return await tasks_db.get_alert(self.bot.db, alert_id)

    async def reputation(self, requester_id: int) -> Reputation:
        return await self.alerts.reputation_of(requester_id)

    # -- the exports channel ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_shared_cache_forget(self, name: str, key: int | None) -> None:
        """Another process (or this one) set a server's exports channel."""
        if name == EXPORTS_CACHE:
            self.exports.forget(key)

    @commands.Cog.listener()
    async def on_bus_resync(self) -> None:
        self.exports.forget(None)

    @property
    def reads_messages(self) -> bool:
        return self.bot.settings.message_content_intent

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if self.reads_messages:
            await self.exports.on_message(message)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if self.reads_messages and payload.guild_id is not None:
            await self.exports.on_delete(payload.message_id)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if self.reads_messages and payload.guild_id is not None:
            await self.exports.on_edit(payload)

    async def setup_exports(
        self,
        interaction: discord.Interaction[Entraide],
        target: discord.abc.GuildChannel | None,
    ) -> None:
        """`/setup channel exports`: choose (or clear) the exports channel."""
        settings = await require_manager(interaction)
        locale = locale_of(interaction)
        guild = interaction.guild
        if guild is None:
            raise UserError("common.errors.guild_only")
        if target is None:
            await intake_db.set_exports_channel(self.bot.db, settings.guild_id, None, self.now())
            self.exports.changed(settings.guild_id)
            await reply(interaction, t("intake.exports.cleared", locale))
            return
        if not isinstance(target, discord.TextChannel):
            raise UserError("intake.exports.text_only")
        me = guild.me
        perms = target.permissions_for(me)
        needed = ("view_channel", "read_message_history", "send_messages")
        missing = [name for name in needed if not getattr(perms, name)]
        if missing:
            raise UserError(
                "common.errors.bot_missing_permissions",
                perms=", ".join(m.replace("_", " ") for m in missing),
            )
        await intake_db.set_exports_channel(self.bot.db, settings.guild_id, target.id, self.now())
        self.exports.changed(settings.guild_id)
        lines = [t("intake.exports.set", locale, channel=target.mention)]
        if not self.reads_messages:
            lines.append(t("intake.exports.intent_needed", locale))
        await reply(interaction, "\n".join(lines))

    # -- /api token ------------------------------------------------------------------------

    @token.command(
        name=ls("intake.token.create.name"), description=ls("intake.token.create.description")
    )
    async def token_create(
        self, interaction: discord.Interaction[Entraide], label: str | None = None
    ) -> None:
        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        if self.server is None:
            raise UserError("intake.token.api_off")
        clean = member_text.clean_text("label", label, LABEL_MAX) if label else None
        secret = new_token()
        stored = await intake_db.create_token(
            self.bot.db,
            guild_id=settings.guild_id,
            user_id=interaction.user.id,
            token_hash=hash_token(secret),
            prefix=secret[:8],
            label=clean,
            now=self.now(),
            limit=TOKENS_PER_MEMBER,
        )
        if stored is None:
            raise UserError("intake.token.too_many", limit=TOKENS_PER_MEMBER)
        await reply(
            interaction,
            t(
                "intake.token.created",
                locale,
                id=stored.id,
                token=secret,
                base=f"http://{self.server.host}:{self.server.port}",
            ),
        )

    @token.command(
        name=ls("intake.token.list.name"), description=ls("intake.token.list.description")
    )
    async def token_list(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        tokens = await intake_db.tokens_of(self.bot.db, settings.guild_id, interaction.user.id)
        if not tokens:
            await reply(interaction, t("intake.token.none", locale))
            return
        lines = [
            t(
                "intake.token.line",
                locale,
                id=tok.id,
                prefix=tok.prefix,
                label=safe_text(tok.label or "—", LABEL_MAX),
                created=f"<t:{tok.created_at}:R>",
                used=f"<t:{tok.last_used_at}:R>"
                if tok.last_used_at
                else t("intake.token.never", locale),
            )
            for tok in tokens
        ]
        await reply(interaction, "\n".join([t("intake.token.list_title", locale), *lines]))

    @token.command(
        name=ls("intake.token.revoke.name"), description=ls("intake.token.revoke.description")
    )
    async def token_revoke(self, interaction: discord.Interaction[Entraide], token: str) -> None:
        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        ident = token.strip().lstrip("#")
        # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
        if not (ident.isascii() and ident.isdigit()) or len(ident) > 18:
            raise UserError("intake.token.unknown")
        revoked = await intake_db.revoke_token(
            self.bot.db,
            int(ident),
            guild_id=settings.guild_id,
            user_id=interaction.user.id,
            now=self.now(),
        )
        if revoked is None:
            raise UserError("intake.token.unknown")
        await reply(
            interaction, t("intake.token.revoked", locale, id=revoked.id, prefix=revoked.prefix)
        )

    @token_revoke.autocomplete("token")
    async def _token_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        tokens = await intake_db.tokens_of(self.bot.db, interaction.guild_id, interaction.user.id)
        return [
            app_commands.Choice(
                name=f"#{tok.id} {tok.prefix}… {tok.label or ''}".strip()[:100], value=str(tok.id)
            )
            for tok in tokens
            if current.strip().lstrip("#") in str(tok.id)
            or current.lower() in (tok.label or "").lower()
        ][:25]

    @property
    def alerts(self) -> AlertService:
        cog = self.bot.get_cog("Tasks")
        if cog is None:
            raise UserError("tasks.errors.unavailable")
        return cog.service  # type: ignore[attr-defined, no-any-return]

    async def open_paste(self, interaction: discord.Interaction[Entraide]) -> None:
        """`/task paste`: a modal with one paragraph field."""
        await require_setup(interaction)
        await interaction.response.send_modal(PasteModal(locale_of(interaction)))

    async def share_message(
        self, interaction: discord.Interaction[Entraide], message: discord.Message
    ) -> None:
        """The message menu: read the message's text (and embeds) as an export."""
        parts = [message.content or ""]
        for embed in message.embeds[:1]:
            if not message.content and embed.description:
                parts.append(embed.description)
        text = "\n".join(p for p in parts if p).strip()
        if not text:
            raise UserError("intake.errors.no_text")
        await show_preview(interaction, text)

    async def share_parsed(
        self, interaction: discord.Interaction[Entraide], parsed: ParsedTask, minutes: int
    ) -> None:
        """Share what the member checked exactly as `/task share` shares a draft.

        The same refusals, warnings and answer, and the same way out of a name held for a
        scam ("it's a different requester"), whose button the held answer mentions.
        """
        settings = await require_setup(interaction)
        draft = drafts.build_draft(
            parsed, minutes=minutes, default_currency=settings.currency, locale=settings.locale
        )
        tasks = self.bot.get_cog(TASKS_COG)
        if tasks is None:
            raise UserError("tasks.errors.unavailable")
        sharer: DraftSharer = tasks.share_draft  # type: ignore[attr-defined]
        await sharer(interaction, settings, draft)

    async def share_draft(
        self, settings: GuildSettings, draft: object, sharer_id: int, locale: str
    ) -> ShareOutcome:
        return await self.alerts.share(
            guild_id=settings.guild_id,
            settings=settings,
            draft=draft,  # type: ignore[arg-type]
            sharer_id=sharer_id,
            locale=locale,
        )
