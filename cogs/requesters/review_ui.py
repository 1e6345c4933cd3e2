"""Reviews under an info card, for any subject kind: what it shows, its buttons, the flag form.

Requester and platform reviews share one machinery (`cogs.requesters.reviewing`,
`db.reviews`), so they share their buttons too: `cogs.requesters.cog` shows them under
`/requester info` and `cogs.platforms.cog` under `/platform info`, and every click comes
back to the requesters cog, which knows each subject kind. The custom_ids carry the
review (or the subject and page), so the buttons keep working after a restart.
`card_reviews` reads what both info cards show of a subject's reviews (and, for
moderators, the hidden ones), so the two commands read and offer them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.components import FromMatch
from bot.error_handler import EntraideModal, guarded
from bot.i18n import t
from bot.ids import ID_DIGITS
from cogs.requesters import reviewing
from cogs.requesters.views import (
    RecordButton,
    RequestersActions,
    actions_of,
    modal_title,
    paragraph,
)
from db import reviews

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database
    from db.reviews import Review, Summary

#: Flag buttons under a card or a page of the list (Discord fits five to a row).
FLAGS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class CardReviews:
    """What an info card shows of one subject's reviews."""

    #: Whose reviews: the subject kind and the subject's id.
    subject: tuple[str, int]
    summary: Summary
    shown: list[Review]
    #: The hidden reviews, for moderators only (None for everyone else).
    hidden: list[Review] | None

    def flag_view(self, viewer_id: int, locale: str) -> discord.ui.View | None:
        """Flag buttons for the reviews shown (not the viewer's own) and "All reviews"."""
        flaggable = [r.id for r in self.shown if r.author_id != viewer_id]
        # more reviews than the card shows: a list reaches them all (and their Flag buttons)
        everything = (
            (*self.subject, self.summary.review_count)
            if self.summary.review_count > len(self.shown)
            else None
        )
        return flag_view(flaggable, locale, everything)


#: Reviews an info card shows (the "All reviews" button reaches the rest).
REVIEWS_SHOWN = 3
#: Hidden reviews a moderator's info card shows.
HIDDEN_SHOWN = 5


async def card_reviews(
    db: Database, kind: str, subject_id: int, *, since: int, moderator: bool
) -> CardReviews:
    """A subject's scores (all time and since `since`) and newest reviews.

    Moderators also get the hidden reviews, which nobody else sees.
    """
    summary = await reviews.summary(db, kind, subject_id, since)
    shown = await reviews.recent(db, kind, subject_id, limit=REVIEWS_SHOWN)
    hidden = (
        await reviews.recent(db, kind, subject_id, limit=HIDDEN_SHOWN, hidden=True)
        if moderator
        else None
    )
    return CardReviews((kind, subject_id), summary, shown, hidden)


class FlagReviewButton(
    RecordButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"reviews:flag:(?P<id>{ID_DIGITS})",
):
    """Flag one review; works for reviews of any subject kind (requesters, platforms)."""

    prefix = "reviews:flag"
    style = discord.ButtonStyle.secondary
    fallback_label = "Flag #{id}"

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).flag_button(interaction, self.record_id)


class ReviewsPageButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"reviews:(?P<mode>all|page):(?P<kind>[a-z]{1,32}):(?P<id>[0-9]{1,18}):(?P<page>[0-9]{1,4})",
):
    """Every visible review of a subject, a page at a time, each with its Flag button.

    `all` (under a card) opens the list privately; `page` (in the list) turns its pages.
    Stateless, so it works after a restart; works for any subject kind.
    """

    def __init__(
        self,
        kind: str,
        subject_id: int,
        page: int,
        label: str,
        *,
        mode: str = "page",
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"reviews:{mode}:{kind}:{subject_id}:{page}",
                disabled=disabled,
                row=1,
            )
        )
        self.kind = kind
        self.subject_id = subject_id
        self.page = page
        self.mode = mode

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match["kind"], int(match["id"]), int(match["page"]), "…", mode=match["mode"])

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).reviews_page(
            interaction, self.kind, self.subject_id, self.page, opening=self.mode == "all"
        )


def _add_flag_buttons(view: discord.ui.View, review_ids: list[int], locale: str) -> None:
    for review_id in review_ids[:FLAGS_SHOWN]:
        label = t("requesters.info.flag_button", locale, number=review_id)
        view.add_item(FlagReviewButton(review_id, label))


def flag_view(
    review_ids: list[int],
    locale: str,
    all_reviews: tuple[str, int, int] | None = None,
) -> discord.ui.View | None:
    """Flag buttons for the reviews shown, and an "All reviews" button.

    Given `(kind, subject id, count)`, the button reaches every other review and its Flag
    button (a card shows only the newest few).
    """
    show_all = all_reviews is not None and all_reviews[2] > 0
    if not review_ids and not show_all:
        return None
    view = discord.ui.View(timeout=None)
    _add_flag_buttons(view, review_ids, locale)
    if show_all:
        assert all_reviews is not None
        kind, subject_id, count = all_reviews
        label = t("requesters.reviews_list.open", locale, count=count)
        view.add_item(ReviewsPageButton(kind, subject_id, 1, label, mode="all"))
    return view


def reviews_page_view(
    kind: str,
    subject_id: int,
    *,
    page: int,
    pages: int,
    flaggable: list[int],
    locale: str,
) -> discord.ui.View:
    """Flag buttons for a page of the list, and the buttons that turn its pages."""
    view = discord.ui.View(timeout=None)
    _add_flag_buttons(view, flaggable, locale)
    newer = t("requesters.reviews_list.newer", locale)
    older = t("requesters.reviews_list.older", locale)
    view.add_item(ReviewsPageButton(kind, subject_id, max(1, page - 1), newer, disabled=page <= 1))
    view.add_item(
        ReviewsPageButton(kind, subject_id, min(pages, page + 1), older, disabled=page >= pages)
    )
    return view


class FlagModal(EntraideModal):
    """Why a member flags a review (optional)."""

    def __init__(self, actions: RequestersActions, review_id: int, locale: str) -> None:
        super().__init__(
            title=modal_title(t("requesters.modal.flag.title", locale, number=review_id)),
            timeout=900,
        )
        self.actions = actions
        self.review_id = review_id
        self.text = paragraph(
            t("requesters.modal.flag.label", locale),
            t("requesters.modal.flag.placeholder", locale),
            "flag_reason",
            required=False,
            max_length=reviewing.FLAG_REASON_LIMIT,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await self.actions.flag_submitted(interaction, self.review_id, self.text.value)
