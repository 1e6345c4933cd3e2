"""Wizard step 1, channels and role: where alerts, reports and digests go, who moderates.

A channel the bot cannot see is refused here, as it is chosen (and again at Finish);
the menus are put back on the staged choice when a pick is refused.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import t
from cogs.setup import render
from cogs.setup.rules import CHANNEL_COLUMN
from cogs.setup.wizard import POSTABLE_TYPES, Wizard

#: The channel menus, top to bottom (one row each); the role menu comes after them.
CHANNEL_KINDS = ("alerts", "mod", "digest")


def add_items(wizard: Wizard) -> None:
    """The step's menus: one per channel, then the moderator role."""
    for row, kind in enumerate(CHANNEL_KINDS):
        wizard.add_item(ChannelPicker(wizard, kind, row))
    wizard.add_item(RolePicker(wizard, row=3))


async def pick_channel(
    wizard: Wizard, interaction: discord.Interaction, kind: str, chosen: list[Any]
) -> None:
    column = CHANNEL_COLUMN[kind]
    if not chosen:
        if kind != "digest":
            await wizard.refresh(interaction)
            return
        wizard.stage(**{column: None})
        await wizard.refresh(interaction)
        return
    channel_id = int(chosen[0].id)
    diagnosis = render.diagnose(wizard.guild, channel_id)
    if not diagnosis.exists or not diagnosis.can_see:
        await wizard.refresh(interaction)  # puts the menu back on the staged channel
        if not diagnosis.exists:
            raise UserError("setup.errors.unknown_channel")
        raise UserError("setup.errors.cannot_see", channel=f"<#{channel_id}>")
    wizard.stage(**{column: channel_id})
    await wizard.refresh(interaction)


async def pick_role(wizard: Wizard, interaction: discord.Interaction, chosen: list[Any]) -> None:
    if not chosen:
        wizard.stage(mod_role_id=None)
        await wizard.refresh(interaction)
        return
    role = wizard.guild.get_role(int(chosen[0].id))
    if role is None or role.is_default() or role.managed:
        await wizard.refresh(interaction)
        if role is None:
            raise UserError("common.errors.bad_option", value=str(chosen[0].id))
        if role.is_default():
            raise UserError("setup.errors.everyone_role")
        raise UserError("setup.errors.managed_role", role=f"<@&{role.id}>")
    wizard.stage(mod_role_id=role.id)
    await wizard.refresh(interaction)


class ChannelPicker(discord.ui.ChannelSelect[Wizard]):
    def __init__(self, wizard: Wizard, kind: str, row: int) -> None:
        current = getattr(wizard.draft, CHANNEL_COLUMN[kind])
        defaults = (
            [discord.SelectDefaultValue(id=current, type=discord.SelectDefaultValueType.channel)]
            if current is not None
            else []
        )
        super().__init__(
            custom_id=f"setup:{kind}",
            channel_types=POSTABLE_TYPES,
            placeholder=t(f"setup.wizard.pick_{kind}", wizard.locale),
            min_values=0 if kind == "digest" else 1,
            max_values=1,
            default_values=defaults,
            row=row,
        )
        self.kind = kind
        self.wizard = wizard

    async def callback(self, interaction: discord.Interaction) -> None:
        await pick_channel(self.wizard, interaction, self.kind, list(self.values))


class RolePicker(discord.ui.RoleSelect[Wizard]):
    def __init__(self, wizard: Wizard, row: int) -> None:
        current = wizard.draft.mod_role_id
        defaults = (
            [discord.SelectDefaultValue(id=current, type=discord.SelectDefaultValueType.role)]
            if current is not None
            else []
        )
        super().__init__(
            custom_id="setup:role",
            placeholder=t("setup.wizard.pick_role", wizard.locale),
            min_values=0,
            max_values=1,
            default_values=defaults,
            row=row,
        )
        self.wizard = wizard

    async def callback(self, interaction: discord.Interaction) -> None:
        await pick_role(self.wizard, interaction, list(self.values))
