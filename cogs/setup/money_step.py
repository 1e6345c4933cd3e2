"""Wizard step 2, money and time: the server's currency, time zone and wage thresholds.

Common currencies and zones are menus (a zone menu per region); anything else, and the
two wage thresholds, are typed in modals and checked by the setup rules.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import discord

from bot.i18n import t
from cogs.setup.rules import (
    COMMON_CURRENCIES,
    TIMEZONE_REGIONS,
    check_choice,
    check_timezone,
    check_wages,
    currency_name,
    parse_wage,
    plain_amount,
    region_of,
    utc_offset,
    with_currency,
)
from cogs.setup.wizard import Action, Menu, Wizard, WizardModal, choice_menu


def add_items(wizard: Wizard) -> None:
    """The step's menus (the zone menu once a region is chosen) and its modal buttons."""
    wizard.add_item(CurrencyPicker(wizard, row=0))
    wizard.add_item(RegionPicker(wizard, row=1))
    if wizard.region is not None:
        wizard.add_item(ZonePicker(wizard, row=2))
    modals = (("wages", WagesModal), ("other_currency", CurrencyModal), ("other_zone", ZoneModal))
    for name, modal in modals:
        wizard.add_item(Action(wizard, name, partial(_open, modal, wizard), row=3))


async def _open(
    modal: Callable[[Wizard], WizardModal], wizard: Wizard, interaction: discord.Interaction
) -> None:
    """Open one of the step's modals (an `Action`'s handler)."""
    await interaction.response.send_modal(modal(wizard))


def pick_currency(wizard: Wizard, code: str) -> None:
    wizard.draft = with_currency(wizard.draft, code)


def pick_region(wizard: Wizard, region: str) -> None:
    wizard.region = check_choice(region, tuple(TIMEZONE_REGIONS), "timezone")
    if len(TIMEZONE_REGIONS[wizard.region]) == 1:
        wizard.stage(timezone=TIMEZONE_REGIONS[wizard.region][0])


def pick_zone(wizard: Wizard, zone: str) -> None:
    wizard.stage(timezone=check_timezone(zone))


def CurrencyPicker(wizard: Wizard, row: int) -> Menu:  # noqa: N802 - reads as a class
    current = wizard.draft.currency
    codes = list(COMMON_CURRENCIES)
    if current not in codes:
        codes = [current, *codes[:24]]
    choices = ((code, f"{code} — {currency_name(code, wizard.locale)}"[:100]) for code in codes)
    return choice_menu(
        wizard,
        "currency",
        choices,
        current=current,
        pick=partial(pick_currency, wizard),
        row=row,
    )


def RegionPicker(wizard: Wizard, row: int) -> Menu:  # noqa: N802
    choices = ((r, t(f"setup.wizard.region_{r}", wizard.locale)) for r in TIMEZONE_REGIONS)
    return choice_menu(
        wizard,
        "region",
        choices,
        current=wizard.region,
        pick=partial(pick_region, wizard),
        row=row,
    )


def ZonePicker(wizard: Wizard, row: int) -> Menu:  # noqa: N802
    now = wizard.bot.clock.now()
    zones = TIMEZONE_REGIONS.get(wizard.region or "", ())
    choices = ((zone, f"{zone} ({utc_offset(zone, now)})"[:100]) for zone in zones)
    current = wizard.draft.timezone
    return choice_menu(
        wizard, "zone", choices, current=current, pick=partial(pick_zone, wizard), row=row
    )


class WagesModal(WizardModal):
    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard, "wages")
        cur = wizard.draft.currency
        self.minimum = self.field(
            "minimum", "wages_minimum", plain_amount(wizard.draft.min_wage_cents, cur), currency=cur
        )
        self.fair = self.field(
            "fair", "wages_fair", plain_amount(wizard.draft.fair_wage_cents, cur), currency=cur
        )

    def apply(self) -> None:
        cur = self.wizard.draft.currency
        minimum = parse_wage(self.minimum.value, cur)
        fair = parse_wage(self.fair.value, cur)
        check_wages(minimum, fair, cur)
        self.wizard.stage(min_wage_cents=minimum, fair_wage_cents=fair)


class CurrencyModal(WizardModal):
    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard, "currency")
        self.code = self.field("code", "currency_label", wizard.draft.currency, max_length=10)

    def apply(self) -> None:
        self.wizard.draft = with_currency(self.wizard.draft, self.code.value)


class ZoneModal(WizardModal):
    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard, "zone")
        self.zone = self.field("zone", "zone_label", wizard.draft.timezone, max_length=64)

    def apply(self) -> None:
        zone = check_timezone(self.zone.value)
        self.wizard.stage(timezone=zone)
        self.wizard.region = region_of(zone)
