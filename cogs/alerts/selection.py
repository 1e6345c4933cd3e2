"""Which of a member's subscriptions `/alerts remove` means: all, a position, or a record.

Split from `cogs.alerts.rules` (what a subscription matches): reading the typed or
autocompleted choice is a question of its own. Pure, no discord.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import UserError
from bot.ids import bounded_id

ALL_WORDS = frozenset({"all", "tout", "tous", "toutes", "*"})
_POSITION = re.compile(r"#?\s*([0-9]{1,4})")
_RECORD = re.compile(r"s([0-9]{1,19})")


@dataclass(frozen=True, slots=True)
class Selector:
    """What `/alerts remove` was asked for: everything, a list position, or a record."""

    everything: bool = False
    position: int | None = None
    record_id: int | None = None


def parse_selector(text: str | None) -> Selector:
    """`all`, `3` / `#3` (third in the list) or `s42` (what autocomplete sends)."""
    value = (text or "").strip().casefold()
    if value in ALL_WORDS:
        return Selector(everything=True)
    if match := _RECORD.fullmatch(value):
        return Selector(record_id=bounded_id(match[1]))
    if match := _POSITION.fullmatch(value):
        return Selector(position=int(match[1]))
    raise UserError("alerts.errors.bad_selector")


def pick(ids_in_order: Sequence[int], selector: Selector) -> int:
    """The record id a position or record selector designates among a member's list."""
    if not ids_in_order:
        raise UserError("alerts.errors.none_to_remove")
    if selector.record_id is not None:
        if selector.record_id not in ids_in_order:
            raise UserError("alerts.errors.not_found")
        return selector.record_id
    position = selector.position or 0
    if not 1 <= position <= len(ids_in_order):
        raise UserError("alerts.errors.bad_number", count=len(ids_in_order))
    return ids_in_order[position - 1]
