"""The paste form, the preview a member checks before posting, and the minutes form."""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import require_setup
from bot.error_handler import EntraideModal, EntraideView
from bot.i18n import format_duration_minutes, t
from bot.ui import Colours, fit_embed, link_text, locale_of, reply, safe_text
from cogs.intake import drafts
from cogs.intake.host import intake_host
from cogs.intake.parsers import TEXT_MAX, ParsedTask, parse_export
from cogs.tasks import rules

if TYPE_CHECKING:
    from bot.bot import Entraide

PREVIEW_SECONDS = 900
#: A modal's paragraph field holds at most 4,000 characters (Discord's limit).
PASTE_MAX = 4000


def limits_lines(parsed: ParsedTask, locale: str) -> str:
    lines = []
    if parsed.limits.countries:
        lines.append("🌍 " + rules.country_names(parsed.limits.countries, locale))
    if parsed.limits.qualifications:
        quals = sorted(rules.qualification_label(q, locale) for q in parsed.limits.qualifications)
        lines.append("🎓 " + safe_text(" · ".join(quals), 800))
    if parsed.excluded:
        lines.append("🚫 " + safe_text(" · ".join(parsed.excluded), 200))
    return "\n".join(lines) or t("intake.preview.open", locale)


def preview_embed(
    parsed: ParsedTask, draft: rules.ShareDraft, minutes: int | None, locale: str
) -> discord.Embed:
    """What was read, field by field, in the member's language; what is missing, said."""
    embed = discord.Embed(
        title=t("intake.preview.heading", locale),
        description=t(
            "intake.preview.intro", locale, source=t(f"intake.sources.{parsed.source}", locale)
        ),
        colour=Colours.INFO,
    )

    def add(key: str, value: str) -> None:
        embed.add_field(name=t(f"intake.preview.{key}", locale), value=value or "—", inline=False)

    title = safe_text(draft.title, 256)
    # Brackets escaped: a title such as "x](https://evil.example) [y" must not choose
    # where the preview's link points (`bot.ui.link_text`).
    add("title", f"[{link_text(title)}]({draft.link})" if draft.link else title)
    add("platform", rules.platform_label(draft.platform, locale))
    if draft.requester_name or draft.platform_requester_id:
        who = safe_text(draft.requester_name or "", 100)
        if draft.platform_requester_id and draft.platform_requester_id != draft.requester_name:
            who = f"{who} (`{draft.platform_requester_id}`)".strip()
        add("requester", who)
    add("reward", rules.money(draft.reward_cents, draft.currency, locale))
    add(
        "minutes",
        format_duration_minutes(minutes, locale)
        if minutes is not None
        else t("intake.preview.minutes_missing", locale),
    )
    if parsed.allowed_minutes is not None:
        add(
            "allowed",
            t(
                "intake.preview.allowed_note",
                locale,
                time=format_duration_minutes(parsed.allowed_minutes, locale),
            ),
        )
    if draft.available is not None:
        add("available", str(draft.available))
    add("limits", limits_lines(parsed, locale))
    return fit_embed(embed)


async def show_preview(interaction: discord.Interaction[Entraide], text: str | None) -> None:
    """Parse what the member pasted and show it back with Post / Change minutes / Cancel."""
    settings = await require_setup(interaction)
    locale = locale_of(interaction)
    parsed = parse_export(text or "")
    minutes = (
        parsed.minutes
        if parsed.minutes is not None and parsed.minutes <= rules.MINUTES_MAX
        else None
    )
    # Everything but the minutes is checked now, so the preview never shows a bad share.
    draft = drafts.build_draft(
        parsed, minutes=minutes, default_currency=settings.currency, locale=settings.locale
    )
    view = PastePreview(parsed, minutes, owner_id=interaction.user.id, locale=locale)
    await reply(interaction, embed=preview_embed(parsed, draft, minutes, locale), view=view)
    view.message = await interaction.original_response()


class PasteModal(EntraideModal):
    """`/task paste`: one paragraph field for the whole export."""

    def __init__(self, locale: str) -> None:
        super().__init__(
            title=t("intake.paste.heading", locale)[:45],
            custom_id=f"intake:paste:{secrets.token_hex(8)}",
            timeout=1800,
        )
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t("intake.paste.label", locale)[:45],
            placeholder=t("intake.paste.hint", locale)[:100],
            custom_id="export",
            style=discord.TextStyle.paragraph,
            max_length=PASTE_MAX,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await show_preview(interaction, self.text.value[:TEXT_MAX])


class PastePreview(EntraideView):
    """The member's own preview: post it, change the minutes, or drop it."""

    def __init__(
        self, parsed: ParsedTask, minutes: int | None, *, owner_id: int, locale: str
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=PREVIEW_SECONDS)
        self.parsed = parsed
        self.minutes = minutes
        self.done = False
        nonce = secrets.token_hex(6)
        post: discord.ui.Button[Any] = discord.ui.Button(
            label=t("intake.preview.post", locale)[:80],
            style=discord.ButtonStyle.success,
            custom_id=f"intake:post:{nonce}",
        )
        post.callback = self._post  # type: ignore[method-assign]
        change: discord.ui.Button[Any] = discord.ui.Button(
            label=t("intake.preview.set_minutes", locale)[:80],
            style=discord.ButtonStyle.secondary,
            custom_id=f"intake:minutes:{nonce}",
        )
        change.callback = self._change  # type: ignore[method-assign]
        cancel: discord.ui.Button[Any] = discord.ui.Button(
            label=t("intake.preview.cancel", locale)[:80],
            style=discord.ButtonStyle.danger,
            custom_id=f"intake:cancel:{nonce}",
        )
        cancel.callback = self._cancel  # type: ignore[method-assign]
        for item in (post, change, cancel):
            self.add_item(item)

    async def _post(self, interaction: discord.Interaction[Entraide]) -> None:
        if self.minutes is None:
            await interaction.response.send_modal(
                MinutesModal(self, locale_of(interaction), post=True)
            )
            return
        await self.publish(interaction, self.minutes)

    async def _change(self, interaction: discord.Interaction[Entraide]) -> None:
        await interaction.response.send_modal(
            MinutesModal(self, locale_of(interaction), post=False)
        )

    async def _cancel(self, interaction: discord.Interaction[Entraide]) -> None:
        self.stop()
        self.done = True
        await interaction.response.edit_message(
            content=t("intake.preview.cancelled", locale_of(interaction)), embed=None, view=None
        )

    async def publish(self, interaction: discord.Interaction[Entraide], minutes: int) -> None:
        if self.done:
            raise_gone()
        self.done = True
        try:
            await intake_host(interaction).share_parsed(interaction, self.parsed, minutes)
        except BaseException:
            self.done = False  # nothing was posted: the member may fix and try again
            raise
        self.stop()
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=None)

    async def redraw(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        draft = drafts.build_draft(
            self.parsed,
            minutes=self.minutes,
            default_currency=settings.currency,
            locale=settings.locale,
        )
        await interaction.response.edit_message(
            embed=preview_embed(self.parsed, draft, self.minutes, locale), view=self
        )


def raise_gone() -> None:
    from bot.errors import UserError

    raise UserError("intake.errors.gone")


class MinutesForm(EntraideModal):
    """What an export cannot say: how long the task took this member (one field)."""

    def __init__(self, locale: str, *, custom_id: str) -> None:
        super().__init__(
            title=t("intake.minutes.heading", locale)[:45], custom_id=custom_id, timeout=900
        )
        self.minutes: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t("intake.minutes.label", locale)[:45],
            placeholder=t("intake.minutes.hint", locale)[:100],
            custom_id="minutes",
            max_length=20,
        )
        self.add_item(self.minutes)


class MinutesModal(MinutesForm):
    """The minutes of a pasted export, asked before its preview is shared."""

    def __init__(self, preview: PastePreview, locale: str, *, post: bool) -> None:
        super().__init__(locale, custom_id=f"intake:minutes-form:{secrets.token_hex(8)}")
        self.preview = preview
        self.post = post

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        minutes = rules.parse_minutes(self.minutes.value)
        self.preview.minutes = minutes
        if self.post:
            await self.preview.publish(interaction, minutes)
        else:
            await self.preview.redraw(interaction)
