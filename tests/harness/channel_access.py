"""Who may see a channel: permission overwrites a moderator sets, as Discord sends them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.harness import payloads as p

if TYPE_CHECKING:
    from tests.harness.driver import Harness

#: Discord's View Channel permission bit.
VIEW_CHANNEL = 1 << 10


def overwrite(target: int, *, member: bool = False, allow: bool = False) -> dict[str, str | int]:
    """A channel overwrite that allows or denies View Channel to a role or a member."""
    value = str(VIEW_CHANNEL)
    return {
        "id": str(target),
        "type": 1 if member else 0,
        "allow": value if allow else "0",
        "deny": "0" if allow else value,
    }


async def set_overwrites(
    h: Harness, channel_id: int, name: str, position: int, *overwrites: dict
) -> None:
    """A moderator edits a text channel's permissions (CHANNEL_UPDATE through the parser)."""
    await h.gateway(
        "CHANNEL_UPDATE",
        p.text_channel_json(
            channel_id, h.world.guild_id, name, position=position, overwrites=list(overwrites)
        ),
    )
