"""Persistent buttons rebuilt from their custom_id, with discord.py's hook written once.

Every persistent button is a `discord.ui.DynamicItem`: on a click discord.py matches the
custom_id against the class's `template` and calls `from_custom_id(interaction, item,
match)` to rebuild the button. Nearly all of ours only read the match (and sometimes keep
the clicked button's label), so that long signature stood in every feature's views.
`FromMatch`, mixed in before the `DynamicItem`, holds it once; a class says only how its
match becomes constructor arguments, in `from_match`.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.ids import bounded_id


class FromMatch:
    """discord.py's `from_custom_id`, answered by the class's `from_match`.

    Mix in before `discord.ui.DynamicItem[...]`. The default `from_match` suits a button
    whose template has one `id` group and whose constructor takes that id first.
    `from_match` must not raise (discord.py would only log it and the member would see
    "This interaction failed"): bound ids with `bot.ids.bounded_id`.
    """

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls.from_match(match, item)

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        """The button a click on `item` (whose custom_id gave `match`) stands for."""
        return cls(bounded_id(match["id"]))


def label_of(item: discord.ui.Item[Any]) -> str:
    """The clicked button's label ("" when it has none), to rebuild it as it was."""
    return getattr(item, "label", None) or ""


class DrawnView(discord.ui.View):
    """A row of persistent buttons sent as ready-made component payloads.

    Every alert posted or redrawn carries the same few `DynamicItem` buttons, differing
    only in the id inside each custom_id. Building them as discord.py items (a `Button`,
    a `DynamicItem` around it, `View.add_item`'s checks) costs ~30 µs per alert, on the
    share and click paths, for objects that are turned straight back into these dicts.
    A `DrawnView` holds the dicts themselves (the feature fills in a template it makes
    once per language and state). It dispatches nothing: clicks reach the `DynamicItem` classes
    the feature registered at load, so discord.py stores nothing for it either.
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(timeout=None)
        self._rows = rows

    def to_components(self) -> list[dict[str, Any]]:
        return self._rows

    def is_dispatchable(self) -> bool:
        return False
