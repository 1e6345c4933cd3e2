"""`/earnings …`: a member's private log of what they earn and the time it really takes.

Every answer is ephemeral and every query is scoped to the member who asked: nothing about
one member's earnings is ever shown to anyone else. The only shared output is the
community statistics, computed from members who opted in, and only where at least
`stats.K_ANONYMITY` of them contribute.

The commands live in one mixin per family (`log_commands`, `report_commands`,
`settings_commands`, `transfer_commands`); this module composes them into the cog and
attaches them to the `/earnings` group in the order members see them.
"""

from __future__ import annotations

from discord.ext import commands

from cogs.earnings.base import EARNINGS, SHARE
from cogs.earnings.log_commands import LogCommands
from cogs.earnings.report_commands import ReportCommands
from cogs.earnings.settings_commands import SettingsCommands
from cogs.earnings.transfer_commands import TransferCommands
from cogs.earnings.views import EntryButton, FromAlertButton
from db import earnings as earnings_db

# Discord lists sub-commands in the order they were added: this is the published order.
# (Attached before the cog class exists, so discord.py sees them as the group's children.)
for _command in (
    LogCommands.log_task,
    LogCommands.log_bonus,
    LogCommands.log_unpaid,
    LogCommands.set_status,
    LogCommands.pending,
    LogCommands.recent,
    LogCommands.delete,
    ReportCommands.summary,
    SettingsCommands.goal,
    SettingsCommands.settings,
    ReportCommands.community,
    TransferCommands.export,
    TransferCommands.import_file,
):
    EARNINGS.add_command(_command)
for _command in (SettingsCommands.share_on, SettingsCommands.share_off):
    SHARE.add_command(_command)


class EarningsCog(LogCommands, ReportCommands, SettingsCommands, TransferCommands, commands.Cog):
    """The private earnings log, its settings, summaries, import/export and sharing."""

    earnings = EARNINGS
    share = SHARE

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(EntryButton, FromAlertButton)
        self.bot.privacy.register(
            "earnings",
            earnings_db.export_member,
            earnings_db.erase_member,
            (
                "earnings.user_id",
                "earnings_daily.user_id",
                "earnings_prefs.user_id",
                "earnings_sharing.user_id",
                "shifts.user_id",
            ),
        )
        # Leaving a server (even while the bot is offline) stops feeding its statistics.
        self.bot.membership.register(
            "earnings", earnings_db.sharing_member_ids, earnings_db.forget_guild_sharing_many
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(EntryButton, FromAlertButton)
        self.bot.privacy.unregister("earnings")
        self.bot.membership.unregister("earnings")
