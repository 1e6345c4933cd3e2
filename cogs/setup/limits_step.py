"""Wizard step 3, the server's rules: its language, scam policy and numeric limits.

The language and policy are menus; the limits (alert expiry, alert DMs an hour, reports
a day, new-member days) are typed in one modal, each checked against its range.
"""

from __future__ import annotations

from functools import partial

import discord

from bot.i18n import t
from cogs.setup.rules import (
    ALERT_DMS_PER_HOUR,
    EXPIRY_MINUTES,
    LOCALES,
    NEW_MEMBER_DAYS,
    REPORTS_PER_DAY,
    SCAM_POLICIES,
    check_choice,
    parse_whole,
)
from cogs.setup.wizard import Action, Menu, Wizard, WizardModal, choice_menu


def add_items(wizard: Wizard) -> None:
    """The step's two menus and its limits button."""
    wizard.add_item(LanguagePicker(wizard, row=0))
    wizard.add_item(PolicyPicker(wizard, row=1))
    wizard.add_item(Action(wizard, "limits", partial(open_limits, wizard), row=2))


def pick_language(wizard: Wizard, value: str) -> None:
    wizard.stage(locale=check_choice(value, LOCALES, "locale"))


def pick_policy(wizard: Wizard, value: str) -> None:
    wizard.stage(scam_policy=check_choice(value, SCAM_POLICIES, "scam_policy"))


async def open_limits(wizard: Wizard, interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(LimitsModal(wizard))


def LanguagePicker(wizard: Wizard, row: int) -> Menu:  # noqa: N802 - reads as a class
    choices = ((lang, t(f"setup.value.lang_{lang}", wizard.locale)) for lang in LOCALES)
    current = wizard.draft.locale
    return choice_menu(
        wizard,
        "language",
        choices,
        current=current,
        pick=partial(pick_language, wizard),
        row=row,
    )


def PolicyPicker(wizard: Wizard, row: int) -> Menu:  # noqa: N802
    choices = ((p, t(f"setup.choice.policy_{p}", wizard.locale)) for p in SCAM_POLICIES)
    current = wizard.draft.scam_policy
    return choice_menu(
        wizard, "policy", choices, current=current, pick=partial(pick_policy, wizard), row=row
    )


class LimitsModal(WizardModal):
    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard, "limits")
        d = wizard.draft
        self.expiry = self.field("expiry", "limits_expiry", str(d.alert_expiry_minutes), 9)
        self.dms = self.field("dms", "limits_dms", str(d.alert_dms_per_hour), 9)
        self.reports = self.field("reports", "limits_reports", str(d.reports_per_day), 9)
        self.new = self.field("new_member_days", "limits_new", str(d.new_member_days), 9)

    def apply(self) -> None:
        self.wizard.stage(
            alert_expiry_minutes=parse_whole(
                self.expiry.value, EXPIRY_MINUTES, "alert_expiry_minutes"
            ),
            alert_dms_per_hour=parse_whole(
                self.dms.value, ALERT_DMS_PER_HOUR, "alert_dms_per_hour"
            ),
            reports_per_day=parse_whole(self.reports.value, REPORTS_PER_DAY, "reports_per_day"),
            new_member_days=parse_whole(self.new.value, NEW_MEMBER_DAYS, "new_member_days"),
        )
