"""The `/setup wizard`: three steps of menus and buttons, modals for numbers.

Choices are staged in the view and saved in one statement when the administrator presses
Finish, so a wizard abandoned half-way, or a refused value, changes nothing. Each step is
re-checked on the server side (Manage Server, the bot can see the channel, the values are
in range), whatever the client let through.

This module is the way through the steps (which items each shows, back, next, cancel,
finish); the session itself is `wizard.Wizard`, and each step's items live in its own
module: `channels_step`, `money_step`, `limits_step`.
"""

from __future__ import annotations

import discord

from bot.errors import UserError
from bot.i18n import t
from bot.ui import locale_of
from cogs.setup import channels_step, limits_step, money_step, render
from cogs.setup.rules import CHANNEL_COLUMN, changes_between, missing_required, validate
from cogs.setup.wizard import STEPS, Action, Wizard
from db import guild_setup
from db.errors import IntegrityError

#: Which module puts each step's items on the view, in the order of `STEPS`.
STEP_ITEMS = {
    "channels": channels_step.add_items,
    "money": money_step.add_items,
    "rules": limits_step.add_items,
}


class SetupWizard(Wizard):
    """One administrator's setup session (ephemeral, theirs only)."""

    def build(self) -> None:
        """Put the current step's menus and buttons on the view."""
        self.clear_items()
        STEP_ITEMS[STEPS[self.step]](self)
        if self.step > 0:
            self.add_item(Action(self, "back", self.back, row=4))
        if self.step < len(STEPS) - 1:
            self.add_item(Action(self, "next", self.next, row=4, style=discord.ButtonStyle.primary))
        else:
            self.add_item(
                Action(self, "finish", self.finish, row=4, style=discord.ButtonStyle.success)
            )
        self.add_item(Action(self, "cancel", self.cancel, row=4, style=discord.ButtonStyle.danger))

    # -- moving around ---------------------------------------------------------------------

    async def back(self, interaction: discord.Interaction) -> None:
        self.step = max(0, self.step - 1)
        await self.refresh(interaction)

    async def next(self, interaction: discord.Interaction) -> None:
        if STEPS[self.step] == "channels" and missing_required(self.draft):
            missing = render.missing_labels(self.draft, locale_of(interaction))
            raise UserError("setup.errors.missing_required", missing=missing)
        self.step = min(len(STEPS) - 1, self.step + 1)
        await self.refresh(interaction)

    async def cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=t("setup.wizard.cancelled", self.locale), embed=None, view=None
        )

    async def finish(self, interaction: discord.Interaction) -> None:
        if missing_required(self.draft):
            missing = render.missing_labels(self.draft, locale_of(interaction))
            raise UserError("setup.errors.missing_required", missing=missing)
        validate(self.draft)
        for kind in channels_step.CHANNEL_KINDS:
            channel_id = getattr(self.draft, CHANNEL_COLUMN[kind])
            diagnosis = render.diagnose(self.guild, channel_id)
            if channel_id is not None and not diagnosis.can_see:
                raise UserError("setup.errors.cannot_see", channel=f"<#{channel_id}>")
        now = int(self.bot.clock.now().timestamp())
        try:
            saved = await guild_setup.save(
                self.bot.db, self.guild_id, now, changes_between(self.original, self.draft)
            )
        except IntegrityError:
            raise UserError("setup.errors.conflict") from None
        self.stop()
        self.bot.dispatch("guild_settings_changed", saved)
        embed, diagnoses = render.settings_embed(
            self.guild,
            saved,
            self.locale,
            self.bot.clock.now(),
            title=render.guild_title("setup.wizard.saved_title", self.guild, self.locale),
        )
        problems = any(d.channel_id is not None and not d.ok for d in diagnoses)
        embed.description = t(
            "setup.wizard.saved_warnings" if problems else "setup.saved.now_complete", self.locale
        )
        await interaction.response.edit_message(content=None, embed=embed, view=None)
