"""Which servers a process owns when the bot is split into shards (SHARD_COUNT, SHARD_IDS).

Discord sends each server to exactly one shard: `(guild_id >> 22) % shard_count`. A
process running some of the shards must schedule only its own servers' work (digests,
the expiry sweep, departed-server bookkeeping) and leave the rest to the processes that
hold them. That rule, in Python and as a SQL condition on a row's `guild_id`, lives here
and nowhere else: `db/` is the lowest layer, so both the repository queries and the bot
read it from the same place. It imports nothing but the standard library.

Store-wide work that belongs to no server (the daily backup, pruning old rows, personal
digests) runs in exactly one process: the one holding shard 0 (`runs_store_wide`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Bits of a Discord snowflake below its timestamp: the shard rule uses the timestamp.
SNOWFLAKE_SHIFT = 22


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends this server to (Discord's documented rule)."""
    return (guild_id >> SNOWFLAKE_SHIFT) % shard_count


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards one process runs: `ids` out of `count` (all of them when unsharded)."""

    count: int = 1
    ids: tuple[int, ...] = (0,)

    def __post_init__(self) -> None:
        if self.count < 1:
            msg = f"shard count must be at least 1, not {self.count}"
            raise ValueError(msg)
        if not self.ids or len(set(self.ids)) != len(self.ids):
            msg = f"shard ids must be one or more distinct numbers, not {self.ids}"
            raise ValueError(msg)
        if any(not 0 <= shard < self.count for shard in self.ids):
            msg = f"shard ids must be between 0 and {self.count - 1}, not {self.ids}"
            raise ValueError(msg)
        object.__setattr__(self, "ids", tuple(sorted(self.ids)))

    @classmethod
    def of(cls, count: int, ids: Iterable[int] | None = None) -> Shards:
        """`ids` of `count` shards; every shard when `ids` is None."""
        return cls(count, tuple(range(count)) if ids is None else tuple(ids))

    @property
    def is_whole(self) -> bool:
        """Whether every shard runs here (as in an unsharded bot): every server is ours."""
        return len(self.ids) == self.count

    @property
    def runs_store_wide(self) -> bool:
        """Store-wide jobs (backup, pruning, personal digests) run here: shard 0 is ours."""
        return 0 in self.ids

    def owns(self, guild_id: int) -> bool:
        """Whether this server's events and jobs belong to this process."""
        return self.is_whole or shard_of(guild_id, self.count) in self.ids

    def where(self, column: str = "guild_id") -> tuple[str, tuple[int, ...]]:
        """A SQL condition keeping rows of this process's servers, and its parameters.

        `("1 = 1", ())` when every server is ours, so callers can always `AND` it in.
        `column` is a column name written by the caller, never user input.
        """
        if self.is_whole:
            return "1 = 1", ()
        marks = ", ".join("?" for _ in self.ids)
        return f"(({column} >> {SNOWFLAKE_SHIFT}) % ?) IN ({marks})", (self.count, *self.ids)

    def describe(self) -> str:
        """For operators: "shards 0, 1 of 4", "shard 2 of 4", "all 4 shards"."""
        if self.is_whole:
            return f"all {self.count} shards" if self.count > 1 else "unsharded"
        listed = ", ".join(str(shard) for shard in self.ids)
        return f"{'shard' if len(self.ids) == 1 else 'shards'} {listed} of {self.count}"


#: An unsharded bot: one process, every server.
WHOLE = Shards()
