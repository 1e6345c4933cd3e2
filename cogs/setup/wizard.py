"""The setup wizard's frame: the session every step edits, and the pieces steps are made of.

`Wizard` holds one administrator's staged draft and redraws the message; `Action`,
`Menu` and `WizardModal` are the button, string menu and modal every step is built
from. The steps (`channels_step`, `money_step`, `limits_step`) see the session only
through this module, and `views.SetupWizard` adds which items each step shows and the
way through them, so no step needs to import the wizard that lists it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import is_manager
from bot.error_handler import EntraideModal, EntraideView
from bot.errors import UserError
from bot.i18n import t
from bot.ui import locale_of, reply
from cogs.setup import render
from cogs.setup.rules import LOCALES, region_of

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.guilds import GuildSettings

#: Channels that can hold Entraide's posts (news channels are text channels to discord.py).
POSTABLE_TYPES = [discord.ChannelType.text, discord.ChannelType.news, discord.ChannelType.forum]
STEPS = ("channels", "money", "rules")
WIZARD_TIMEOUT = 600  # seconds; under the 15 minutes an interaction token lives


class Wizard(EntraideView):
    """One administrator's setup session (ephemeral, theirs only): the staged draft.

    Choices are staged here and saved only at Finish. Subclasses say which items the
    current step shows (`build`).
    """

    def __init__(
        self,
        bot: Entraide,
        guild: discord.Guild,
        owner_id: int,
        locale: str,
        settings: GuildSettings,
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=WIZARD_TIMEOUT)
        self.bot = bot
        self.guild_id = guild.id
        self.locale = locale
        self.original = settings
        draft = settings
        if not settings.is_set_up and settings.locale == "en":
            # A French-speaking server gets French public posts unless told otherwise.
            guild_lang = str(guild.preferred_locale.value).split("-")[0]
            if guild_lang in LOCALES:
                draft = dataclasses.replace(draft, locale=guild_lang)
        self.draft = draft
        self.step = 0
        self.region = region_of(settings.timezone)
        self.build()

    # -- access --------------------------------------------------------------------------

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not await super().interaction_check(interaction):
            return False
        if not is_manager(interaction.user):
            await reply(interaction, t("common.errors.not_manager", locale_of(interaction)))
            return False
        return True

    @property
    def guild(self) -> discord.Guild:
        guild = self.bot.get_guild(self.guild_id)
        if guild is None:
            raise UserError("common.errors.guild_only")
        return guild

    # -- what the administrator sees -------------------------------------------------------

    def embed(self) -> discord.Embed:
        name = STEPS[self.step]
        title = t(
            "setup.wizard.title",
            self.locale,
            step=self.step + 1,
            steps=len(STEPS),
            name=t(f"setup.wizard.step_{name}", self.locale),
        )
        embed, _ = render.settings_embed(
            self.guild,
            self.draft,
            self.locale,
            self.bot.clock.now(),
            title=title,
            description=t(f"setup.wizard.intro_{name}", self.locale),
        )
        embed.set_footer(text=t("setup.wizard.pending", self.locale))
        return embed

    def build(self) -> None:
        """Put the current step's menus and buttons on the view."""
        raise NotImplementedError

    async def refresh(self, interaction: discord.Interaction) -> None:
        self.build()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    def stage(self, **changes: Any) -> None:
        self.draft = dataclasses.replace(self.draft, **changes)


# -- the pieces a step is made of ----------------------------------------------------------


class Action(discord.ui.Button[Wizard]):
    """A wizard button; `name` picks its label (`setup.wizard.button_<name>`)."""

    def __init__(
        self,
        wizard: Wizard,
        name: str,
        handler: Callable[[discord.Interaction], Any],
        *,
        row: int,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            label=t(f"setup.wizard.button_{name}", wizard.locale),
            custom_id=f"setup:{name}",
            style=style,
            row=row,
        )
        self.handler = handler

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.handler(interaction)


class Menu(discord.ui.Select[Wizard]):
    """A string menu: its one value goes to a step's `pick`, then the wizard is redrawn.

    `pick` stages the choice (or refuses it with a `UserError`, and nothing is redrawn).
    """

    def __init__(
        self,
        wizard: Wizard,
        name: str,
        options: list[discord.SelectOption],
        pick: Callable[[str], None],
        row: int,
    ) -> None:
        super().__init__(
            custom_id=f"setup:{name}",
            placeholder=t(f"setup.wizard.pick_{name}", wizard.locale),
            options=options[:25],
            min_values=1,
            max_values=1,
            row=row,
        )
        self.wizard = wizard
        self.pick = pick

    async def callback(self, interaction: discord.Interaction) -> None:
        self.pick(self.values[0])
        await self.wizard.refresh(interaction)


def choice_menu(
    wizard: Wizard,
    name: str,
    choices: Iterable[tuple[str, str]],
    *,
    current: str | None,
    pick: Callable[[str], None],
    row: int,
) -> Menu:
    """A `Menu` of (value, label) choices with the staged one (`current`) selected."""
    options = [
        discord.SelectOption(label=label, value=value, default=value == current)
        for value, label in choices
    ]
    return Menu(wizard, name, options, pick, row)


class WizardModal(EntraideModal):
    """A modal opened from the wizard; its result updates the wizard's message."""

    def __init__(self, wizard: Wizard, name: str) -> None:
        super().__init__(
            title=t(f"setup.modal.{name}_title", wizard.locale),
            custom_id=f"setup:{name}-modal",
            timeout=WIZARD_TIMEOUT,
        )
        self.wizard = wizard

    def field(
        self, name: str, key: str, default: str, max_length: int = 20, **params: object
    ) -> discord.ui.TextInput[Any]:
        item: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(f"setup.modal.{key}", self.wizard.locale, **params)[:45],
            custom_id=name,
            default=default,
            max_length=max_length,
            required=True,
        )
        self.add_item(item)
        return item

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.wizard.owner_id or not is_manager(interaction.user):
            raise UserError("common.errors.not_manager")
        self.apply()
        await self.wizard.refresh(interaction)

    def apply(self) -> None:
        raise NotImplementedError
