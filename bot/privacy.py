"""Each feature registers how to export and erase one member's data.

`/privacy export` and `/privacy delete` walk this registry, so a feature added later is
covered by registering here in its `cog_load`, without touching the privacy commands.
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


class PrivacyRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, DataSection] = {}

    def register(self, name: str, export: Exporter, erase: Eraser) -> None:
        self._sections[name] = DataSection(name, export, erase)

    def unregister(self, name: str) -> None:
        self._sections.pop(name, None)

    @property
    def sections(self) -> list[DataSection]:
        return [self._sections[k] for k in sorted(self._sections)]
