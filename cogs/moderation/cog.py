"""`/mod log` (who did what, when and why) and `/mod queue` (open reports), moderators only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot import checks
from bot.command_groups import server_group
from bot.i18n import has_key, t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply, safe_text
from cogs.moderation import rules
from cogs.moderation.views import LogPager
from db import audit, reports, requesters
from db.audit import AuditEntry

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)


class ModerationCog(commands.Cog, name="Moderation"):
    """The moderators' own tools: their audit log and their queue."""

    mod = server_group("moderation.group")

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    # -- /mod log ---------------------------------------------------------------------------

    @mod.command(name=ls("moderation.log.name"), description=ls("moderation.log.description"))
    async def log_command(
        self,
        interaction: discord.Interaction[Entraide],
        moderator: discord.Member | None = None,
    ) -> None:
        """The server's audit log, newest first, ten entries a page."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        actor_id = moderator.id if moderator is not None else None
        cursor = rules.Cursor()
        page = await self.log_page(settings.guild_id, cursor, actor_id, locale)
        view = LogPager(self, interaction.user.id, settings.guild_id, actor_id, locale)
        view.show(cursor, page)
        await reply(interaction, embed=page.embed, view=view)
        view.message = await interaction.original_response()

    async def log_page(
        self, guild_id: int, cursor: rules.Cursor, actor_id: int | None, locale: str
    ) -> rules.LogPage:
        """One page of the log, and whether older entries exist."""
        db = self.bot.db
        entries = await audit.page(
            db, guild_id, before_id=cursor.before, actor_id=actor_id, limit=rules.PAGE_SIZE + 1
        )
        has_older = len(entries) > rules.PAGE_SIZE
        entries = entries[: rules.PAGE_SIZE]
        total = await audit.count(db, guild_id, actor_id=actor_id)
        names = await requesters.get_many(
            db, [e.target_id for e in entries if e.target_kind == "requester"]
        )
        embed = discord.Embed(title=t("moderation.log.title", locale), colour=Colours.INFO)
        if actor_id is not None:
            embed.description = t("moderation.log.filtered", locale, moderator=f"<@{actor_id}>")
        if not entries:
            embed.description = "\n".join(
                x for x in (embed.description, t("moderation.log.empty", locale)) if x
            )
        for entry in entries:
            embed.add_field(
                name=self._headline(entry, names, locale),
                value=self._details(entry, locale),
                inline=False,
            )
        embed.set_footer(text=t("moderation.log.footer", locale, page=cursor.page, total=total))
        return rules.LogPage(embed, has_older, entries[-1].id if entries else None)

    def _headline(self, entry: AuditEntry, names: dict[int, Any], locale: str) -> str:
        detail = entry.detail
        if entry.action in rules.KNOWN_ACTIONS:
            action = t(
                f"moderation.actions.{entry.action}",
                locale,
                before=_status(str(detail.get("from", "none")), locale),
                after=_status(str(detail.get("to", "none")), locale),
                alias=safe_text(" ".join(str(detail.get("alias_name", "?")).split()), 80),
                alert=str(detail.get("alert", "?"))[:20],
            )
        else:
            action = entry.action
        target_key = f"moderation.targets.{entry.target_kind}"
        found = names.get(entry.target_id)
        if has_key(target_key):
            target = t(
                target_key,
                locale,
                number=entry.target_id,
                name=safe_text(" ".join(found.name.split()), 80) if found else "?",
            )
        else:
            target = f"{entry.target_kind} #{entry.target_id}"
        return f"{action} · {target}"

    def _details(self, entry: AuditEntry, locale: str) -> str:
        lines = [
            t(
                "moderation.log.by",
                locale,
                when=f"<t:{entry.created_at}:f>",
                actor=(
                    t("moderation.log.erased_actor", locale)
                    if entry.actor_id == audit.ERASED_ACTOR
                    else f"<@{entry.actor_id}>"
                ),
                number=entry.id,
            )
        ]
        if entry.reason:
            lines.append("> " + safe_text(entry.reason, rules.REASON_SHOWN).replace("\n", " "))
        return "\n".join(lines)

    # -- /mod queue ------------------------------------------------------------------------

    @mod.command(name=ls("moderation.queue.name"), description=ls("moderation.queue.description"))
    async def queue(self, interaction: discord.Interaction[Entraide]) -> None:
        """Open reports of this server; cards that could not be posted are posted again."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        db = self.bot.db
        open_reports = await reports.open_for_guild(db, settings.guild_id, rules.QUEUE_SHOWN)
        reposted = 0
        poster: Any = self.bot.get_cog("Requesters")
        if poster is not None:
            for report in open_reports:
                if report.card_message_id is None and await poster.post_card(report):
                    reposted += 1
            if reposted:
                open_reports = await reports.open_for_guild(
                    db, settings.guild_id, rules.QUEUE_SHOWN
                )
        total = await reports.count_open_for_guild(db, settings.guild_id)
        names = await requesters.get_many(db, [r.requester_id for r in open_reports])
        lines = []
        for report in open_reports:
            found = names.get(report.requester_id)
            parts = [
                f"**#{report.id}**",
                safe_text(found.name if found else "?", 80),
                t(f"requesters.categories.{report.category}", locale),
                f"<t:{report.created_at}:R>",
            ]
            if report.new_member:
                parts.append(t("moderation.queue.new_member", locale))
            if report.info_requested_at is not None:
                parts.append(t("moderation.queue.waiting", locale))
            if report.card_channel_id and report.card_message_id:
                url = rules.jump_url(
                    settings.guild_id, report.card_channel_id, report.card_message_id
                )
                parts.append(f"[{t('moderation.queue.card', locale)}]({url})")
            else:
                parts.append(t("moderation.queue.no_card", locale))
            lines.append(" · ".join(parts))
        embed = discord.Embed(
            title=t("moderation.queue.title", locale, count=total),
            description="\n".join(lines) or t("moderation.queue.empty", locale),
            colour=Colours.WARNING if total else Colours.GOOD,
        )
        if total > len(open_reports):
            embed.set_footer(
                text=t("moderation.queue.more", locale, count=total - len(open_reports))
            )
        content = t("moderation.queue.reposted", locale, count=reposted) if reposted else None
        await reply(interaction, content, embed=embed)


def _status(status: str, locale: str) -> str:
    key = f"requesters.statuses.{status}"
    return t(key, locale) if has_key(key) else status
