"""What a digest says is the same on SQLite and PostgreSQL, on random tasks and reports.

The digest's queries read other features' tables; here the same random rows are written
to both stores with plain SQL (so this does not depend on how those features write), and
every read of `db.digests` is compared with its types kept: ties on hourly, several
currencies, anonymous and opted-out sharers, merged requesters, NULLs where the columns
allow them.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from db import digests
from db.connection import Database
from db.migrate import migrate
from db.postgres.database import PgDatabase
from db.store import Store
from db.url import DatabaseUrl
from tests.pg_processes import typed

G1, G2 = 1_300_000_000_000_000_001, 1_300_000_000_000_000_002
MEMBER = 11
START, END = 1_780_000_000, 1_780_086_400
CURRENCIES = ["USD", "GBP", "EUR", "CAD", "AUD", "JPY", "CHF"]

_REQUESTER = (
    "INSERT INTO requesters (id, platform, name, name_key, status, status_reason, "
    "status_source, status_changed_at, merged_into_id, created_at, updated_at) "
    "VALUES (?, 'mturk', ?, ?, ?, ?, ?, ?, ?, 1, 1)"
)
_ALERT = (
    "INSERT INTO task_alerts (id, guild_id, platform, task_key, title, reward_cents, "
    "currency, minutes, hourly_cents, sharer_id, anonymous, requester_id, requester_name, "
    "state, channel_id, message_id, created_at, last_seen_at, expires_at) "
    "VALUES (?, ?, 'prolific', ?, ?, 100, ?, 5, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_REPORT = (
    "INSERT INTO reports (guild_id, requester_id, category, description, state, closed_at, "
    "created_at, updated_at) VALUES (?, ?, 'other', 'text', ?, ?, ?, ?)"
)


def _rows(seed: int) -> list[tuple[str, tuple[Any, ...]]]:
    rng = random.Random(seed)
    rows: list[tuple[str, tuple[Any, ...]]] = []
    for rid in range(1, 7):
        status = rng.choice(["none", "caution", "scam", "scam"])
        changed = rng.choice([None, rng.randint(START - 500, END + 500)])
        merged = 1 if rid == 6 else None
        source = rng.choice(["moderator", "reports", None])
        reason = rng.choice([None, "unpaid work"])
        rows.append(
            (_REQUESTER, (rid, f"R{rid}", f"r{rid}", status, reason, source, changed, merged))
        )
    for aid in range(1, 41):
        created = rng.randint(START - 2_000, END + 2_000)
        rows.append(
            (
                _ALERT,
                (
                    aid,
                    rng.choice([G1, G1, G2]),
                    f"k{aid}",
                    f"Task {aid}",
                    rng.choice(CURRENCIES[: rng.randint(1, 7)]),
                    rng.choice([500, 900, 900, 1200, 1200, 3000]),
                    rng.choice([MEMBER, 12, 13, 14, None]),
                    rng.randint(0, 1),
                    rng.choice([None, *range(1, 7)]),
                    rng.choice([None, "Acme"]),
                    rng.choice(["live", "gone", "expired", "removed"]),
                    rng.choice([None, 500]),
                    rng.choice([None, 10_000 + aid]),
                    created,
                    created,
                    created + 3_600,
                ),
            )
        )
    for _ in range(12):
        created = rng.randint(START - 2_000, END + 2_000)
        closed = rng.choice([None, created + rng.randint(0, 5_000)])
        state = "open" if closed is None else rng.choice(["confirmed", "dismissed"])
        rows.append((_REPORT, (rng.choice([G1, G2]), rng.randint(1, 6), state, closed, created, 1)))
    rows.append(
        (
            "INSERT INTO digest_members (user_id, thanks_opt_out, schedule_since, created_at, "
            "updated_at) VALUES (13, 1, 1, 1, 1)",
            (),
        )
    )
    for aid in rng.sample(range(1, 41), 12):
        table = rng.choice(["votes", "sightings", "reports", "dm"])
        rows.append(
            {
                "votes": ("INSERT INTO task_votes VALUES (?, ?, 'live', 1)", (aid, MEMBER)),
                "sightings": ("INSERT INTO task_sightings VALUES (?, ?, 0, 1)", (aid, MEMBER)),
                "reports": (
                    "INSERT INTO task_reports VALUES (?, ?, 5, 1200, NULL, 1)",
                    (aid, MEMBER),
                ),
                "dm": ("INSERT INTO alert_dm_log VALUES (?, ?, ?, 1)", (G1, MEMBER, aid)),
            }[table]
        )
    return rows


async def _reads(db: Store) -> dict[str, Any]:
    return {
        "best": await digests.best_alerts(db, G1, START, END, limit=5),
        "medians": await digests.shared_medians(db, G1, START, END, currencies=3),
        "reports": await digests.report_counts(db, G1, START, END),
        "sharers": await digests.top_sharers(db, G1, START, END, limit=2),
        "changes": await digests.status_changes(db, START, END, limit=3),
        "cautions": await digests.status_changes(db, START, END, status="caution"),
        "counts": await digests.status_change_counts(db, START, END),
        "missed": await digests.unseen_alerts(db, MEMBER, [G1, G2], START, END),
    }


@pytest.mark.parametrize("seed", range(8))
async def test_both_stores_say_the_same_digest(
    tmp_path: Path, pg_url: DatabaseUrl, seed: int
) -> None:
    lite = await Database.open(tmp_path / "digest.db")
    post = await PgDatabase.open(pg_url, min_size=1, max_size=2)
    try:
        await migrate(lite)
        for sql, params in _rows(seed):
            await lite.execute(sql, params)
            await post.execute(sql, params)
        expected, got = await _reads(lite), await _reads(post)
        assert expected["best"] and expected["missed"] and expected["medians"][0]  # not empty
        for name, wanted in expected.items():
            assert typed(got[name]) == typed(wanted), (name, got[name], wanted)
    finally:
        await lite.close()
        await post.close()
