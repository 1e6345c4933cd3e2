"""Buttons and forms: moderators' report buttons, the reporter's answer, review flags.

Every button that outlives a restart is a `DynamicItem` whose custom_id carries the record
id; its callback only routes to the cog, which checks permissions and state on the server
side whatever the button looked like.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.error_handler import EntraideModal, guarded
from bot.errors import UserError
from bot.i18n import t
from bot.ids import ID_DIGITS, bounded_id
from bot.ui import truncate
from cogs.requesters import reviewing, rules

if TYPE_CHECKING:
    from bot.bot import Entraide

COG_NAME = "Requesters"
MODAL_TITLE_LIMIT = 45
INPUT_LABEL_LIMIT = 45
PLACEHOLDER_LIMIT = 100

ACTIONS = ("confirm", "dismiss", "ask", "reopen")
_STYLES = {
    "confirm": discord.ButtonStyle.danger,
    "dismiss": discord.ButtonStyle.secondary,
    "ask": discord.ButtonStyle.primary,
    "reopen": discord.ButtonStyle.secondary,
}


class RequestersActions(Protocol):
    """What the buttons and forms ask of the cog (kept narrow for readability)."""

    async def report_button(
        self, interaction: discord.Interaction[Entraide], action: str, report_id: int
    ) -> None: ...

    async def report_reason(
        self, interaction: discord.Interaction[Entraide], action: str, report_id: int, text: str
    ) -> None: ...

    async def answer_button(
        self, interaction: discord.Interaction[Entraide], report_id: int
    ) -> None: ...

    async def answer_submitted(
        self, interaction: discord.Interaction[Entraide], report_id: int, text: str
    ) -> None: ...

    async def flag_button(
        self, interaction: discord.Interaction[Entraide], review_id: int
    ) -> None: ...

    async def flag_submitted(
        self, interaction: discord.Interaction[Entraide], review_id: int, reason: str
    ) -> None: ...

    async def reviews_page(
        self,
        interaction: discord.Interaction[Entraide],
        kind: str,
        subject_id: int,
        page: int,
        *,
        opening: bool,
    ) -> None: ...


def actions_of(interaction: discord.Interaction[Entraide]) -> RequestersActions:
    cog: Any = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise UserError("requesters.errors.unavailable")
    return cog


# -- persistent buttons --------------------------------------------------------------------


class ReportActionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"requesters:report:(?P<action>confirm|dismiss|ask|reopen):(?P<id>{ID_DIGITS})",
):
    """Confirm / Dismiss / Ask for more / Reopen on a moderators' report card."""

    def __init__(self, action: str, report_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or action,
                style=_STYLES[action],
                custom_id=f"requesters:report:{action}:{report_id}",
            )
        )
        self.action = action
        self.report_id = report_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReportActionButton:
        return cls(match["action"], bounded_id(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).report_button(interaction, self.action, self.report_id)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"requesters:answer:(?P<id>{ID_DIGITS})",
):
    """In the reporter's DM: answer the moderators' question about their report."""

    def __init__(self, report_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "Answer",
                style=discord.ButtonStyle.primary,
                custom_id=f"requesters:answer:{report_id}",
            )
        )
        self.report_id = report_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AnswerButton:
        return cls(bounded_id(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).answer_button(interaction, self.report_id)


class FlagReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"reviews:flag:(?P<id>{ID_DIGITS})",
):
    """Flag one review; works for reviews of any subject kind (requesters, platforms)."""

    def __init__(self, review_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or f"Flag #{review_id}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"reviews:flag:{review_id}",
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FlagReviewButton:
        return cls(bounded_id(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).flag_button(interaction, self.review_id)


class ReviewsPageButton(
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
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewsPageButton:
        return cls(match["kind"], int(match["id"]), int(match["page"]), "…", mode=match["mode"])

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).reviews_page(
            interaction, self.kind, self.subject_id, self.page, opening=self.mode == "all"
        )


def card_view(report_id: int, state: str, locale: str) -> discord.ui.View:
    """The buttons a card shows for its state (the server re-checks the state anyway)."""
    view = discord.ui.View(timeout=None)
    actions = ("confirm", "dismiss", "ask") if state == "open" else ("reopen",)
    for action in actions:
        label = t(f"requesters.card.buttons.{action}", locale)
        view.add_item(ReportActionButton(action, report_id, label))
    return view


def answer_view(report_id: int, locale: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(report_id, t("requesters.dm.answer_button", locale)))
    return view


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
    for review_id in review_ids[:5]:
        label = t("requesters.info.flag_button", locale, number=review_id)
        view.add_item(FlagReviewButton(review_id, label))
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
    for review_id in flaggable[:5]:
        label = t("requesters.info.flag_button", locale, number=review_id)
        view.add_item(FlagReviewButton(review_id, label))
    newer = t("requesters.reviews_list.newer", locale)
    older = t("requesters.reviews_list.older", locale)
    view.add_item(ReviewsPageButton(kind, subject_id, max(1, page - 1), newer, disabled=page <= 1))
    view.add_item(
        ReviewsPageButton(kind, subject_id, min(pages, page + 1), older, disabled=page >= pages)
    )
    return view


# -- forms ---------------------------------------------------------------------------------


def _title(text: str) -> str:
    return truncate(text, MODAL_TITLE_LIMIT)


class ReasonModal(EntraideModal):
    """Why a moderator confirms, dismisses or reopens a report, or what they ask."""

    def __init__(
        self, actions: RequestersActions, action: str, report_id: int, locale: str
    ) -> None:
        super().__init__(
            title=_title(t(f"requesters.modal.{action}.title", locale, number=report_id)),
            timeout=900,
        )
        self.actions = actions
        self.action = action
        self.report_id = report_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=truncate(t(f"requesters.modal.{action}.label", locale), INPUT_LABEL_LIMIT),
            placeholder=truncate(
                t(f"requesters.modal.{action}.placeholder", locale), PLACEHOLDER_LIMIT
            ),
            style=discord.TextStyle.paragraph,
            custom_id="reason",
            min_length=3,
            max_length=rules.REASON_LIMIT,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await self.actions.report_reason(interaction, self.action, self.report_id, self.text.value)


class AnswerModal(EntraideModal):
    """The reporter's answer to the moderators' question."""

    def __init__(
        self, actions: RequestersActions, report_id: int, question: str, locale: str
    ) -> None:
        super().__init__(
            title=_title(t("requesters.modal.answer.title", locale, number=report_id)),
            timeout=1800,
        )
        self.actions = actions
        self.report_id = report_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=truncate(t("requesters.modal.answer.label", locale), INPUT_LABEL_LIMIT),
            placeholder=truncate(question, PLACEHOLDER_LIMIT) or None,
            style=discord.TextStyle.paragraph,
            custom_id="answer",
            max_length=rules.ANSWER_LIMIT,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await self.actions.answer_submitted(interaction, self.report_id, self.text.value)


class FlagModal(EntraideModal):
    """Why a member flags a review (optional)."""

    def __init__(self, actions: RequestersActions, review_id: int, locale: str) -> None:
        super().__init__(
            title=_title(t("requesters.modal.flag.title", locale, number=review_id)),
            timeout=900,
        )
        self.actions = actions
        self.review_id = review_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=truncate(t("requesters.modal.flag.label", locale), INPUT_LABEL_LIMIT),
            placeholder=truncate(t("requesters.modal.flag.placeholder", locale), PLACEHOLDER_LIMIT),
            style=discord.TextStyle.paragraph,
            custom_id="flag_reason",
            required=False,
            max_length=reviewing.FLAG_REASON_LIMIT,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await self.actions.flag_submitted(interaction, self.review_id, self.text.value)
