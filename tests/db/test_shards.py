"""The shard rule (db/shards.py): Discord's `(guild_id >> 22) % count`, in Python and SQL."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.shards import WHOLE, Shards, shard_of

#: Discord snowflakes: 64-bit, the top bit never set (SQLite's INTEGER is signed 64-bit).
snowflakes = st.integers(min_value=0, max_value=2**63 - 1)
counts = st.integers(min_value=1, max_value=64)


def test_discords_documented_example() -> None:
    # Discord's docs: a guild id 197038439483310086 is on shard (id >> 22) % count.
    guild_id = 197038439483310086
    assert shard_of(guild_id, 1) == 0
    assert guild_id >> 22 == 46977624770
    assert shard_of(guild_id, 2) == 0
    assert shard_of(guild_id, 1000) == 770
    assert shard_of(guild_id + (1 << 22), 2) == 1


def test_ids_are_validated_and_kept_sorted() -> None:
    assert Shards(4, (3, 1)).ids == (1, 3)
    assert Shards.of(3).ids == (0, 1, 2)
    for count, ids in ((0, (0,)), (2, ()), (2, (1, 1)), (2, (2,)), (2, (-1,))):
        with pytest.raises(ValueError, match="shard"):
            Shards(count, ids)


def test_what_a_process_holds() -> None:
    assert WHOLE.is_whole and WHOLE.runs_store_wide and WHOLE.describe() == "unsharded"
    assert Shards.of(4).is_whole and Shards.of(4).describe() == "all 4 shards"
    part = Shards(4, (0, 1))
    assert not part.is_whole and part.runs_store_wide
    assert part.describe() == "shards 0, 1 of 4"
    one = Shards(4, (2,))
    assert not one.runs_store_wide and one.describe() == "shard 2 of 4"
    assert one.owns(2 << 22) and one.owns(6 << 22) and not one.owns(3 << 22)


def test_a_whole_process_adds_no_sql() -> None:
    assert Shards.of(3).where() == ("1 = 1", ())
    condition, params = Shards(3, (0, 2)).where("g.guild_id")
    assert condition == "((g.guild_id >> 22) % ?) IN (?, ?)" and params == (3, 0, 2)


@given(guild_id=snowflakes, count=counts)
def test_every_server_belongs_to_exactly_one_shard(guild_id: int, count: int) -> None:
    owners = [shard for shard in range(count) if Shards(count, (shard,)).owns(guild_id)]
    assert owners == [shard_of(guild_id, count)]
    assert Shards.of(count).owns(guild_id)


@given(
    guild_id=snowflakes,
    count=counts,
    data=st.data(),
)
def test_a_set_of_shards_owns_the_union_of_its_shards(
    guild_id: int, count: int, data: st.DataObject
) -> None:
    ids = data.draw(st.sets(st.integers(0, count - 1), min_size=1))
    shards = Shards(count, tuple(ids))
    assert shards.owns(guild_id) == any(Shards(count, (i,)).owns(guild_id) for i in ids)


@settings(max_examples=60, deadline=None)
@given(
    guild_ids=st.lists(snowflakes, min_size=1, max_size=30, unique=True),
    count=counts,
    data=st.data(),
)
def test_the_sql_condition_keeps_exactly_the_servers_owns_keeps(
    guild_ids: list[int], count: int, data: st.DataObject
) -> None:
    """The condition the repository queries add, run by SQLite itself."""
    ids = data.draw(st.sets(st.integers(0, count - 1), min_size=1))
    shards = Shards(count, tuple(ids))
    condition, params = shards.where()
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE TABLE servers (guild_id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO servers VALUES (?)", [(g,) for g in guild_ids])
        rows = conn.execute(f"SELECT guild_id FROM servers WHERE {condition}", params)
        kept = sorted(row[0] for row in rows)
    assert kept == sorted(g for g in guild_ids if shards.owns(g))
