"""Each feature registers how to export and erase one member's data.

`/privacy export` and `/privacy delete` walk this registry, so a feature added later is
covered by registering here in its `cog_load`, without touching the privacy commands.

Each section also names the columns (`"table.column"`) that store a member's user id and
that it exports and erases or anonymises. `tests/cogs/privacy/test_every_user_column.py`
reads the migrated schema and fails when a column that looks like it stores a user id is
claimed by no section, so a new table cannot quietly escape `/privacy delete`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from db.connection import Database

Exporter = Callable[[Database, int], Awaitable[Any]]
Eraser = Callable[[Database, int], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class DataSection:
    """One feature's share of a member's data."""

    name: str
    export: Exporter  # returns JSON-serialisable data for the member
    erase: Eraser  # deletes (or anonymises) it; returns how many rows changed
    columns: tuple[str, ...] = ()  # "table.column" holding the member's id, covered here


class PrivacyRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, DataSection] = {}

    def register(
        self, name: str, export: Exporter, erase: Eraser, columns: tuple[str, ...] = ()
    ) -> None:
        self._sections[name] = DataSection(name, export, erase, tuple(columns))

    def unregister(self, name: str) -> None:
        self._sections.pop(name, None)

    @property
    def sections(self) -> list[DataSection]:
        return [self._sections[k] for k in sorted(self._sections)]

    @property
    def columns(self) -> dict[str, list[str]]:
        """Every claimed `table.column`, with the sections that claim it."""
        claimed: dict[str, list[str]] = {}
        for section in self.sections:
            for column in section.columns:
                claimed.setdefault(column, []).append(section.name)
        return claimed
