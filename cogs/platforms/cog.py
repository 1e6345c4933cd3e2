"""`/platform review|compare|info`, and `/platform add|remove` for moderators.

Reviews go through the requesters feature's review machinery (`db.reviews`, the rules in
`cogs/requesters/reviewing.py`, its flag button), so a platform review is edited, flagged,
hidden, exported and erased exactly like a requester review. The community hourly is the
earnings feature's k-anonymous statistic for members who opted in on this server.
"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import checks, offload
from bot.clock import to_epoch
from bot.command_groups import server_group
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import NO_PINGS, fit_embed, locale_of, reply, safe_text
from cogs.earnings import community
from cogs.earnings.rules import local_today
from cogs.earnings.stats import PlatformHourly
from cogs.platforms import chart, render, rules
from cogs.platforms.render import Comparison
from cogs.platforms.rules import PLATFORM_REVIEWS, Scored
from cogs.platforms.views import COG_NAME, ComparePageButton, compare_view
from cogs.requesters import review_gate
from cogs.requesters.review_ui import card_reviews
from cogs.requesters.reviewing import BODY_LIMIT
from db import audit
from db import platforms as platforms_db
from db.guilds import GuildSettings
from db.platforms import AddRefusedError, Platform

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

RECENT_WINDOW = timedelta(days=rules.RECENT_DAYS)
IMAGE_NAME = "platforms.png"

Score = app_commands.Range[int, 1, 5]
HourlyByKey = dict[str, list[PlatformHourly]]


def _worked_for_choices() -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=ls(f"{PLATFORM_REVIEWS.catalog}.experience.{band}"), value=band)
        for band in PLATFORM_REVIEWS.experience
    ]


class PlatformsCog(commands.Cog, name=COG_NAME):
    """Platforms rated and compared by the workers who use them."""

    platform = server_group("platforms.group")

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        #: (guild, first day, last day) → (computed at, statistics by platform key).
        self._hourly_cache: dict[tuple[int, date, date], tuple[int, HourlyByKey]] = {}
        #: member → when they last had the table drawn as a picture.
        self._images: dict[int, int] = {}

    async def cog_load(self) -> None:
        # Platform reviews live in the shared reviews table: the requesters feature's
        # privacy section exports and erases them with the member's requester reviews.
        self.bot.add_dynamic_items(ComparePageButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ComparePageButton)

    # -- helpers --------------------------------------------------------------------------

    def _now(self) -> int:
        return to_epoch(self.bot.clock.now())

    def _guild_name(self, guild_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else None

    async def _resolve(self, guild_id: int, text: str | None) -> Platform:
        """The platform a member picked or typed, if this server knows it."""
        key = rules.lookup_key(text)
        found = await platforms_db.find(self.bot.db, guild_id, key)
        if found is None:
            raise UserError("platforms.errors.unknown_platform", name=rules.preview(text or "", 40))
        return found

    async def _hourly(self, settings: GuildSettings) -> HourlyByKey:
        """The server's community hourly per platform key (groups over the floor only).

        It reads 90 days of every opted-in member's earnings rollup, and changes slowly, so
        it is kept for a few minutes: turning the comparison's pages does not recompute it.
        """
        now = self._now()
        today = local_today(self.bot.clock.now(), settings.timezone)
        start, end = rules.hourly_window(today)
        key = (settings.guild_id, start, end)
        cached = self._hourly_cache.get(key)
        if cached is not None and 0 <= now - cached[0] < rules.HOURLY_REFRESH_SECONDS:
            return cached[1]
        stats = await community.snapshot(
            self.bot.db, settings.guild_id, start, end, self.bot.clock.now()
        )
        fresh = rules.hourly_by_key(stats)
        self._hourly_cache = {
            k: v
            for k, v in self._hourly_cache.items()
            if 0 <= now - v[0] < rules.HOURLY_REFRESH_SECONDS
        }
        self._hourly_cache[key] = (now, fresh)
        return fresh

    async def comparison(self, settings: GuildSettings) -> Comparison:
        """Scores of every platform the server sees, and their headline hourly."""
        since = self._now() - int(RECENT_WINDOW.total_seconds())
        scored = [
            Scored(
                item.platform.id,
                item.platform.key,
                item.platform.name,
                item.summary.review_count,
                {c: item.summary.mean(c) for c in PLATFORM_REVIEWS.criteria},
            )
            for item in await platforms_db.scores(
                self.bot.db, settings.guild_id, PLATFORM_REVIEWS.kind, since
            )
        ]
        compared, waiting = rules.split_comparable(scored)
        by_key = await self._hourly(settings)
        hourly = {
            item.key: stat
            for item in compared
            if (stat := rules.headline_hourly(by_key.get(item.key, []), settings.currency))
        }
        return Comparison(compared, waiting, hourly)

    # -- autocomplete -----------------------------------------------------------------------

    async def platform_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._platform_choices(interaction, current, added_only=False)

    async def _platform_choices(
        self, interaction: discord.Interaction[Entraide], current: str, *, added_only: bool
    ) -> list[app_commands.Choice[str]]:
        """Platforms this server sees matching what the member typed (at most 25)."""
        if interaction.guild_id is None:
            return []
        locale = locale_of(interaction)
        try:
            known = await platforms_db.visible(self.bot.db, interaction.guild_id)
        except Exception:
            log.exception("platform autocomplete failed")
            return []
        return [
            app_commands.Choice(name=render.autocomplete_label(p, locale), value=p.key)
            for p in known
            if not (added_only and p.builtin) and rules.matches(current[:100], p.name, p.key)
        ][:25]

    # -- /platform review -------------------------------------------------------------------

    @platform.command(
        name=ls("platforms.review_cmd.name"), description=ls("platforms.review_cmd.description")
    )
    @app_commands.choices(worked_for=_worked_for_choices())
    async def review(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        platform: app_commands.Range[str, 1, 100],
        pay: Score,
        rejections: Score,
        support: Score,
        payouts: Score,
        unpaid_work: Score,
        worked_for: str,
        text: app_commands.Range[str, 1, BODY_LIMIT] | None = None,
    ) -> None:
        """Rate a platform; reviewing the same platform again edits the review.

        Every server reads the built-in platforms' scores, so the gates are requester
        reviews' (`review_gate`): a set-up server, the new-member wait, and the daily limit
        of new reviews (requester and platform reviews counted together).
        """
        locale = locale_of(interaction)
        now = self.bot.clock.now()
        settings = await review_gate.require_reviewer(interaction, now)
        checked = rules.validate_platform_review(
            {
                "pay": pay,
                "rejections": rejections,
                "support": support,
                "payouts": payouts,
                "unpaid_work": unpaid_work,
            },
            worked_for,
            text,
        )
        target = await self._resolve(settings.guild_id, platform)
        saved = await review_gate.save_review(
            self.bot.db,
            PLATFORM_REVIEWS,
            target.id,
            checked,
            author_id=interaction.user.id,
            settings=settings,
            now=to_epoch(now),
        )
        await reply(interaction, embed=render.receipt_embed(saved, target, locale))

    review.autocomplete("platform")(platform_autocomplete)

    # -- /platform compare ------------------------------------------------------------------

    @platform.command(
        name=ls("platforms.compare_cmd.name"), description=ls("platforms.compare_cmd.description")
    )
    async def compare(
        self, interaction: discord.Interaction[Entraide], image: bool = False
    ) -> None:
        """Every platform side by side; those with too few reviews are listed apart."""
        locale = locale_of(interaction)
        settings = await checks.guild_settings(interaction)
        if image:
            self._claim_image(interaction.user.id)
            await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.comparison(settings)
        files = []
        if image and result.compared:
            # a process, not a thread: matplotlib holds the GIL while it draws
            png = await offload.run_cpu(chart.render_table, *self._table_args(result, locale))
            files.append(discord.File(io.BytesIO(png), filename=IMAGE_NAME))
        await reply(
            interaction,
            embed=render.compare_embed(result, 0, locale),
            view=compare_view(0, result.pages, locale),
            files=files,
        )

    def _claim_image(self, user_id: int) -> None:
        """One picture per member every `IMAGE_COOLDOWN_SECONDS`: drawing costs CPU."""
        now = self._now()
        last = self._images.get(user_id)
        if last is not None and 0 <= now - last < rules.IMAGE_COOLDOWN_SECONDS:
            raise UserError(
                "platforms.errors.image_cooldown",
                seconds=rules.IMAGE_COOLDOWN_SECONDS - (now - last),
            )
        self._images = {
            uid: at
            for uid, at in self._images.items()
            if 0 <= now - at < rules.IMAGE_COOLDOWN_SECONDS
        }
        self._images[user_id] = now

    @staticmethod
    def _table_args(
        result: Comparison, locale: str
    ) -> tuple[str, list[str], list[list[str]], list[list[float | None]], str]:
        """What `chart.render_table` draws, as plain picklable data."""
        rows = render.table_rows(result.compared, result.hourly, locale)
        scores = [
            [item.means.get(c) for c in PLATFORM_REVIEWS.criteria] for item in result.compared
        ]
        footnote = t(
            "platforms.compare.image_note",
            locale,
            minimum=rules.MIN_REVIEWS,
            days=rules.HOURLY_WINDOW_DAYS,
            floor=rules.HOURLY_FLOOR,
        )
        title = t("platforms.compare.title", locale)
        return title, render.image_headers(locale), rows, scores, footnote

    async def compare_page(self, interaction: discord.Interaction[Entraide], page: int) -> None:
        """A page button: the page is computed again from current data."""
        locale = locale_of(interaction)
        settings = await checks.guild_settings(interaction)
        result = await self.comparison(settings)
        page = rules.clamp_page(page, result.pages)
        await interaction.response.edit_message(
            embed=fit_embed(render.compare_embed(result, page, locale)),
            view=compare_view(page, result.pages, locale),
            allowed_mentions=NO_PINGS,
        )

    # -- /platform info ---------------------------------------------------------------------

    @platform.command(
        name=ls("platforms.info_cmd.name"), description=ls("platforms.info_cmd.description")
    )
    async def info(
        self,
        interaction: discord.Interaction[Entraide],
        platform: app_commands.Range[str, 1, 100],
    ) -> None:
        """One platform in detail: scores, recent reviews, the community hourly."""
        locale = locale_of(interaction)
        settings = await checks.guild_settings(interaction)
        target = await self._resolve(settings.guild_id, platform)
        shown = await card_reviews(
            self.bot.db,
            PLATFORM_REVIEWS.kind,
            target.id,
            since=self._now() - int(RECENT_WINDOW.total_seconds()),
            moderator=checks.is_moderator(interaction.user, settings),
        )
        hourly = (await self._hourly(settings)).get(target.key, [])
        embed = render.info_embed(
            target,
            summary=shown.summary,
            hourly=hourly,
            reviews=shown.shown,
            hidden_reviews=shown.hidden,
            locale=locale,
            guild_name=self._guild_name,
        )
        await reply(interaction, embed=embed, view=shown.flag_view(interaction.user.id, locale))

    info.autocomplete("platform")(platform_autocomplete)

    # -- moderators: add and remove ----------------------------------------------------------

    @platform.command(
        name=ls("platforms.add_cmd.name"), description=ls("platforms.add_cmd.description")
    )
    async def add(
        self, interaction: discord.Interaction[Entraide], name: app_commands.Range[str, 1, 100]
    ) -> None:
        """Moderators: add a platform this server's members can review and compare."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        key, display = rules.normalize_name(name)
        now = self._now()
        try:
            async with self.bot.db.transaction():
                added = await platforms_db.add_to_server(
                    self.bot.db,
                    settings.guild_id,
                    key,
                    display,
                    now,
                    limit=rules.MAX_ADDED_PER_SERVER,
                )
                await self._audit("platform_add", added, settings, interaction.user.id, now)
        except AddRefusedError as refused:
            raise UserError(
                f"platforms.errors.add_{refused.reason}",
                name=safe_text(refused.platform.name, 60),
                limit=rules.MAX_ADDED_PER_SERVER,
            ) from None
        await reply(interaction, t("platforms.mod.added", locale, name=safe_text(added.name, 60)))

    @platform.command(
        name=ls("platforms.remove_cmd.name"), description=ls("platforms.remove_cmd.description")
    )
    async def remove(
        self,
        interaction: discord.Interaction[Entraide],
        platform: app_commands.Range[str, 1, 100],
    ) -> None:
        """Moderators: stop listing a platform this server added (reviews are kept)."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        target = await self._resolve(settings.guild_id, platform)
        if target.builtin:
            raise UserError("platforms.errors.remove_builtin", name=safe_text(target.name, 60))
        now = self._now()
        async with self.bot.db.transaction():
            removed = await platforms_db.remove_from_server(
                self.bot.db, settings.guild_id, target.id
            )
            if removed:
                await self._audit("platform_remove", target, settings, interaction.user.id, now)
        if not removed:
            raise UserError("platforms.errors.unknown_platform", name=safe_text(target.name, 40))
        await reply(
            interaction, t("platforms.mod.removed", locale, name=safe_text(target.name, 60))
        )

    async def _audit(
        self, action: str, platform: Platform, settings: GuildSettings, actor_id: int, now: int
    ) -> None:
        """A moderator's change to the server's platforms, in the audit log (same transaction)."""
        await audit.record(
            self.bot.db,
            guild_id=settings.guild_id,
            actor_id=actor_id,
            action=action,
            target_kind="platform",
            target_id=platform.id,
            reason=None,
            now=now,
            detail={"name": platform.name, "key": platform.key},
        )

    @remove.autocomplete("platform")
    async def added_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        """Only platforms this server added can be removed."""
        return await self._platform_choices(interaction, current, added_only=True)
