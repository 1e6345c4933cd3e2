"""The platform registry and the comparison's aggregate, on a real migrated database."""

from __future__ import annotations

import pytest

from cogs.platforms import rules
from cogs.tasks.rules import PLATFORM_NAMES, PLATFORMS
from db import platforms, reviews
from db.connection import Database
from db.platforms import AddRefusedError

pytestmark = pytest.mark.both_backends

GUILD, OTHER = 111, 222
SCORES = {"pay": 4, "rejections": 4, "support": 3, "payouts": 5, "unpaid_work": 2}


async def test_built_in_platforms_use_the_tasks_features_keys_and_names(db: Database) -> None:
    seeded = await platforms.visible(db, GUILD)
    assert {p.key for p in seeded} == set(PLATFORMS) - {"other"}
    assert all(p.builtin and p.name == PLATFORM_NAMES[p.key] for p in seeded)
    assert all(rules.platform_key(p.name) == p.key for p in seeded)


async def test_an_added_platform_is_seen_only_where_it_was_added(db: Database) -> None:
    async with db.transaction():
        added = await platforms.add_to_server(db, GUILD, "remotasks", "Remotasks", 10, limit=5)
    assert not added.builtin
    assert await platforms.find(db, GUILD, "remotasks") == added
    assert await platforms.find(db, OTHER, "remotasks") is None
    assert "remotasks" not in {p.key for p in await platforms.visible(db, OTHER)}
    # A second server adding the same name shares the record (and so its reviews).
    async with db.transaction():
        again = await platforms.add_to_server(db, OTHER, "remotasks", "REMOTASKS", 20, limit=5)
    assert again.id == added.id and again.name == "Remotasks"
    assert await platforms.remove_from_server(db, GUILD, added.id)
    assert await platforms.find(db, GUILD, "remotasks") is None
    assert await platforms.find(db, OTHER, "remotasks") is not None
    assert not await platforms.remove_from_server(db, GUILD, added.id)


async def test_a_servers_platforms_sort_by_name_ignoring_ascii_case_only(db: Database) -> None:
    """SQLite's NOCASE folds ASCII letters only; PostgreSQL must order names the same."""
    async with db.transaction():
        for key, name in (("eb", "Éb"), ("ea", "éa"), ("zed", "zed"), ("abc", "ABC")):
            await platforms.add_to_server(db, GUILD, key, name, 10, limit=10)
    added = [p.name for p in await platforms.visible(db, GUILD) if not p.builtin]
    assert added == ["ABC", "zed", "Éb", "éa"]


@pytest.mark.parametrize("reason", ["builtin", "exists", "limit"])
async def test_refused_additions_leave_nothing_behind(db: Database, reason: str) -> None:
    async with db.transaction():
        await platforms.add_to_server(db, GUILD, "first", "First", 1, limit=1)
    key = {"builtin": "prolific", "exists": "first", "limit": "second"}[reason]
    before = await db.fetch_value("SELECT COUNT(*) FROM platforms")
    with pytest.raises(AddRefusedError) as refused:
        async with db.transaction():
            await platforms.add_to_server(db, GUILD, key, key.title(), 2, limit=1)
    assert refused.value.reason == reason
    assert await db.fetch_value("SELECT COUNT(*) FROM platforms") == before
    assert await platforms.added_count(db, GUILD) == 1


async def test_scores_match_the_review_machinerys_own_summary(db: Database) -> None:
    async with db.transaction():
        extra = await platforms.add_to_server(db, GUILD, "remotasks", "Remotasks", 1, limit=5)
    for author, pay in ((1, 5), (2, 3), (3, 1)):
        await reviews.save(
            db,
            "platform",
            2,
            author_id=author,
            guild_id=GUILD,
            scores={**SCORES, "pay": pay},
            experience="1_6m",
            body=None,
            now=100 * author,
        )
    hidden = await reviews.save(
        db,
        "platform",
        2,
        author_id=4,
        guild_id=GUILD,
        scores={**SCORES, "pay": 1},
        experience="1_6m",
        body="spam",
        now=500,
    )
    await db.execute("UPDATE reviews SET hidden_at = 600 WHERE id = ?", (hidden.id,))
    # A requester review with the same subject id must not be counted.
    await reviews.save(
        db,
        "requester",
        2,
        author_id=1,
        guild_id=GUILD,
        scores={"pay": 1, "fast": 1, "fair": 1, "communication": 1},
        experience="none",
        body=None,
        now=100,
    )
    result = {s.platform.key: s.summary for s in await platforms.scores(db, GUILD, "platform", 250)}
    assert set(result) == {p.key for p in await platforms.visible(db, GUILD)}
    assert extra.key in result
    prolific = result["prolific"]
    assert prolific == await reviews.summary(db, "platform", 2, 250)
    assert prolific.review_count == 3 and prolific.recent_count == 1
    assert prolific.mean("pay") == pytest.approx(3.0)
    assert result["mturk"].review_count == 0


def _plan(rows: list) -> str:
    return "\n".join(str(row["detail"]) for row in rows)


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_hot_queries_use_indexes(db: Database) -> None:
    scores_plan = _plan(
        await db.fetch_all(
            "EXPLAIN QUERY PLAN " + platforms.SCORES_SQL,
            {"guild": GUILD, "kind": "platform", "since": 0},
        )
    )
    assert "SCAN r" not in scores_plan
    assert "INDEX reviews_" in scores_plan
    find_plan = _plan(
        await db.fetch_all(
            "EXPLAIN QUERY PLAN " + platforms.FIND_SQL, {"key": "prolific", "guild": GUILD}
        )
    )
    assert "SCAN" not in find_plan
