"""Moving a log in and out: `/earnings export` and `/earnings import`.

Parsing and writing CSV is CPU work on up to 5 MB, so it runs in a worker thread; a file
with any bad row stores nothing, and the member is told which lines to fix.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import UserError
from bot.i18n import Number, Text, t
from bot.translator import ls
from bot.ui import locale_of, reply, safe_text, truncate
from cogs.earnings import csv_export, csv_formats, csvio, rules
from cogs.earnings.base import Choice, EarningsBase
from cogs.privacy.rules import fit_attachment
from db import earnings as earnings_db
from db.earnings import Entry

if TYPE_CHECKING:
    from bot.bot import Entraide

FORMAT_CHOICES = [Choice(name=ls(f"earnings.import.format_{f}"), value=f) for f in csvio.FORMATS]


class TransferCommands(EarningsBase):
    """Export the whole log as CSV; import Entraide's own CSV or MTurk's files."""

    @app_commands.command(
        name=ls("earnings.export.name"), description=ls("earnings.export.description")
    )
    async def export(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        # A long log (100,000 entries) takes more than Discord's three seconds to read.
        await interaction.response.defer(ephemeral=True, thinking=True)
        entries = await earnings_db.all_entries(self.bot.db, interaction.user.id)
        if not entries:
            raise UserError("earnings.export.nothing")
        name, payload = await asyncio.to_thread(
            _packed_csv, entries, "entraide-earnings.csv", _size_limit(interaction)
        )
        await reply(
            interaction,
            t("earnings.export.done", locale, count=len(entries)),
            file=discord.File(io.BytesIO(payload), name),
        )

    @app_commands.command(
        name=ls("earnings.import.name"), description=ls("earnings.import.description")
    )
    @app_commands.choices(file_format=FORMAT_CHOICES)
    async def import_file(
        self,
        interaction: discord.Interaction[Entraide],
        file: discord.Attachment,
        file_format: str = "auto",
        minutes_per_task: app_commands.Range[int, 1, rules.MAX_MINUTES] | None = None,
    ) -> None:
        locale = locale_of(interaction)
        if file.size > csvio.MAX_BYTES:
            raise UserError("earnings.import.too_big", limit="5 MB")
        if file_format not in csvio.FORMATS:
            raise UserError("earnings.import.unknown_columns")
        if minutes_per_task is not None:
            rules.check_minutes(int(minutes_per_task))
        ctx = await self._context(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            raise UserError("earnings.import.unreadable") from None
        options = csv_formats.ImportOptions(
            today=self._today(ctx),
            timezone=ctx.timezone,
            default_currency=ctx.currency,
            minutes_per_task=None if minutes_per_task is None else int(minutes_per_task),
            fmt=file_format,
        )
        parsed = await asyncio.to_thread(csvio.parse_import, data, options)
        if parsed.errors:
            await reply(interaction, import_errors_text(parsed, locale))
            return
        outcome = await earnings_db.import_entries(
            self.bot.db, interaction.user.id, parsed.entries, self._now()
        )
        await reply(
            interaction,
            t(
                "earnings.import.done",
                locale,
                count=outcome.added,
                skipped=Number(outcome.skipped),
                format=t(f"earnings.import.format_{parsed.format}", locale),
                first=parsed.first or "—",
                last=parsed.last or "—",
            ),
        )


def _packed_csv(entries: list[Entry], name: str, limit: int) -> tuple[str, bytes]:
    """The CSV, compressed if it must be: both take long for a long log (a worker's)."""
    return fit_attachment(name, csv_export.export_csv(entries), limit)


def _size_limit(interaction: discord.Interaction[Entraide]) -> int:
    return int(getattr(interaction, "filesize_limit", 0) or 8 * 1024 * 1024)


def import_errors_text(parsed: csvio.ParsedImport, locale: str) -> str:
    """The first line errors spelled out, the rest counted, within one message."""
    lines = [t("earnings.import.refused", locale, count=len(parsed.errors))]
    for error in parsed.errors[: csvio.SHOWN_ERRORS]:
        params = {
            k: v if isinstance(v, Text | Number) else safe_text(str(v), 60)
            for k, v in error.params.items()
        }
        problem = t(error.key, locale, **params)
        lines.append(t("earnings.import.line", locale, line=error.line, problem=problem))
    if len(parsed.errors) > csvio.SHOWN_ERRORS:
        lines.append(
            t("earnings.import.more_errors", locale, count=len(parsed.errors) - csvio.SHOWN_ERRORS)
        )
    return truncate("\n".join(lines), 1900)
