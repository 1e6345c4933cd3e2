"""`/requester review`, flagging a review, and every review of a subject a page at a time.

The flag button and the review list work for reviews of any subject kind (requesters and
platforms share the review machinery: `cogs.requesters.reviewing`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import checks
from bot.clock import to_epoch
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import NO_PINGS, locale_of, reply
from cogs.requesters import cards, review_gate, reviewing, rules, service
from cogs.requesters.cog.base import (
    RequesterIdText,
    RequestersBase,
    RequesterText,
    Score,
    choices,
    platform_choices,
    requester_group,
)
from cogs.requesters.review_ui import FlagModal, reviews_page_view
from cogs.requesters.reviewing import REQUESTER_REVIEWS
from db import audit, requesters, reviews

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.guilds import GuildSettings


#: Reviews per page of the "All reviews" list (one Flag button each: at most 5 a row).
REVIEWS_PAGE = 5


class ReviewsMixin(RequestersBase):
    """Writing, flagging and listing reviews."""

    # -- /requester review ------------------------------------------------------------------

    @requester_group.command(
        name=ls("requesters.review_cmd.name"), description=ls("requesters.review_cmd.description")
    )
    @app_commands.choices(
        platform=platform_choices(),
        tasks_done=choices("requesters.review.experience", REQUESTER_REVIEWS.experience),
    )
    async def review(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: RequesterText,
        pay: Score,
        fast: Score,
        fair: Score,
        communication: Score,
        tasks_done: str,
        platform: str | None = None,
        requester_id: RequesterIdText | None = None,
        text: app_commands.Range[str, 1, reviewing.BODY_LIMIT] | None = None,
    ) -> None:
        """Rate a requester; a second review of the same requester edits the first.

        The same limits as reports, shared with platform reviews (`review_gate`): the
        server must be set up (a review can add a requester to the registry every server
        shares), new members wait the server's `new_member_days`, and a member writes at
        most `reports_per_day` new reviews a day in a server. A refused review stores
        nothing, not even the requester it would have created (one transaction).
        """
        now_dt = self.bot.clock.now()
        settings = await review_gate.require_reviewer(interaction, now_dt)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        checked = reviewing.validate_review(
            REQUESTER_REVIEWS,
            {"pay": pay, "fast": fast, "fair": fair, "communication": communication},
            tasks_done,
            text,
        )
        now = to_epoch(now_dt)
        async with self.bot.db.transaction():
            target = await service.resolve_requester(self.bot.db, query, create=True, now=now)
            saved = await review_gate.save_review(
                self.bot.db,
                REQUESTER_REVIEWS,
                target.id,
                checked,
                author_id=interaction.user.id,
                settings=settings,
                now=now,
            )
            await requesters.mark_listed(self.bot.db, target.id)
        await reply(interaction, embed=cards.review_receipt(saved, target, locale))

    review.autocomplete("requester")(RequestersBase.requester_autocomplete)

    # -- review flags ---------------------------------------------------------------------

    async def _flaggable(
        self, interaction: discord.Interaction[Entraide], review_id: int
    ) -> GuildSettings:
        """The server's settings, if this member may flag this review from here.

        A flag (a moderator's above all) can hide a review from every server's scores, so
        it takes what writing one takes, a server that ran /setup (a server nobody set up
        has no moderators' choices behind it: its owner is a "moderator" by owning it), and
        a review this server can see: any requester's (the registry is shared), a
        platform's only if it is built in or listed here. A review the server cannot see
        is answered as unknown, so a forged button learns nothing about it.
        """
        settings = await checks.require_setup(interaction)
        review = await reviews.get(self.bot.db, review_id)
        if review is None or (
            await self._visible_subject(review.subject_kind, review.subject_id, settings.guild_id)
            is None
        ):
            raise UserError("requesters.errors.unknown_review", number=review_id)
        if review.author_id == interaction.user.id:
            raise UserError("requesters.errors.own_review")
        return settings

    async def flag_button(self, interaction: discord.Interaction[Entraide], review_id: int) -> None:
        await self._flaggable(interaction, review_id)
        # Refused before the form opens: nobody writes a reason only to be told it is moot.
        if await reviews.has_flagged(self.bot.db, review_id, interaction.user.id):
            raise UserError("requesters.errors.already_flagged", number=review_id)
        await interaction.response.send_modal(FlagModal(self, review_id, locale_of(interaction)))

    async def flag_submitted(
        self, interaction: discord.Interaction[Entraide], review_id: int, reason: str
    ) -> None:
        """Record the flag; checked again (the form may be submitted long after it opened)."""
        locale = locale_of(interaction)
        settings = await self._flaggable(interaction, review_id)
        text = rules.check_text(
            reason,
            limit=reviewing.FLAG_REASON_LIMIT,
            required=False,
            field="common.fields.reason",
        )
        moderator = checks.is_moderator(interaction.user, settings)
        now = self._now()
        result = await reviews.flag(
            self.bot.db,
            review_id,
            interaction.user.id,
            settings.guild_id,
            by_moderator=moderator,
            reason=text,
            now=now,
            hide_rule=reviewing.is_hidden,
        )
        if not result.added:
            raise UserError("requesters.errors.already_flagged", number=review_id)
        if moderator:
            await audit.record(
                self.bot.db,
                guild_id=settings.guild_id,
                actor_id=interaction.user.id,
                action="review_flag",
                target_kind="review",
                target_id=review_id,
                reason=text,
                now=now,
                detail={"hidden": result.hidden},
            )
        key = (
            "requesters.flag.hidden"
            if result.changed and result.hidden
            else "requesters.flag.saved"
        )
        await reply(interaction, t(key, locale, number=review_id))

    # -- every review of a subject, paged ------------------------------------------------------

    async def _visible_subject(
        self, kind: str, subject_id: int, guild_id: int
    ) -> tuple[reviewing.ReviewSchema, str] | None:
        """The schema and name of what reviews are about, if this server sees it.

        Any requester (the registry is shared); a platform only if built in or listed here.
        """
        db = self.bot.db
        if kind == REQUESTER_REVIEWS.kind:
            found = await requesters.get(db, subject_id)
            if found is not None:
                return REQUESTER_REVIEWS, found.name
        else:
            # imported here: the platforms feature imports this one
            from cogs.platforms.rules import PLATFORM_REVIEWS
            from db import platforms as platforms_db

            if kind == PLATFORM_REVIEWS.kind:
                platform = await platforms_db.visible_by_id(db, guild_id, subject_id)
                if platform is not None:
                    return PLATFORM_REVIEWS, platform.name
        return None

    async def reviews_page(
        self,
        interaction: discord.Interaction[Entraide],
        kind: str,
        subject_id: int,
        page: int,
        *,
        opening: bool,
    ) -> None:
        """Every visible review, newest first, a page at a time, each with a Flag button."""
        settings = await checks.guild_settings(interaction)
        locale = locale_of(interaction)
        subject = await self._visible_subject(kind, subject_id, settings.guild_id)
        if subject is None:
            raise UserError("requesters.errors.unknown_review_subject")
        schema, name = subject
        page = max(1, page)
        shown, total = await reviews.page(
            self.bot.db, kind, subject_id, offset=(page - 1) * REVIEWS_PAGE, limit=REVIEWS_PAGE
        )
        pages = max(1, -(-total // REVIEWS_PAGE))
        if page > pages:  # reviews were removed since the list was drawn
            page = pages
            shown, total = await reviews.page(
                self.bot.db, kind, subject_id, offset=(page - 1) * REVIEWS_PAGE, limit=REVIEWS_PAGE
            )
        embed = cards.reviews_page_embed(
            name,
            shown,
            page=page,
            pages=pages,
            total=total,
            locale=locale,
            guild_name=self._guild_name,
            schema=schema,
        )
        flaggable = [r.id for r in shown if r.author_id != interaction.user.id]
        view = reviews_page_view(
            kind, subject_id, page=page, pages=pages, flaggable=flaggable, locale=locale
        )
        if opening:
            await reply(interaction, embed=embed, view=view)
        else:
            await interaction.response.edit_message(
                embed=embed, view=view, allowed_mentions=NO_PINGS
            )
