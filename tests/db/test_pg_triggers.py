"""The PostgreSQL triggers against SQLite's: the same writes on both stores, the same rows.

The earnings daily rollup (insert, update, delete), review history, share sightings,
votes, and the full-text rows (inserts, title and requester edits, deletes), searched
with what `cogs.tasks.rules.fts_query` builds for FTS5.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from cogs.tasks.rules import fts_query
from tests.db import pg_stores
from tests.db.pg_stores import FTS, Both

pytestmark = pytest.mark.sqlite_only(
    reason="`db` is the SQLite side of the comparison (PostgreSQL is the other)"
)

pg_uri, pg, both = pg_stores.pg_uri, pg_stores.pg, pg_stores.both


_ENTRY = (
    "INSERT INTO earnings (user_id, number, uid, kind, status, amount_cents, currency, "
    "minutes, platform, reason, work_date, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)"
)
_DAILY = "SELECT * FROM earnings_daily ORDER BY user_id, work_date, currency, platform, kind, state"
_RECOMPUTED = (
    "SELECT user_id, work_date, COALESCE(currency, ''), COALESCE(platform, ''), kind, "
    "COALESCE(status, reason, ''), COUNT(*), SUM(amount_cents), SUM(COALESCE(minutes, 0)), "
    "SUM(CASE WHEN minutes IS NULL THEN 0 ELSE amount_cents END), "
    "SUM(CASE WHEN minutes IS NULL THEN 1 ELSE 0 END) FROM earnings "
    "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
)


def _random_entry(rng: random.Random, user: int, number: int) -> tuple[Any, ...]:
    date = f"2026-11-{rng.choice(['01', '02'])}"
    if rng.random() < 0.25:
        reason = rng.choice(["searching", "other"])
        return (
            user,
            number,
            f"u{number}",
            "unpaid",
            None,
            0,
            None,
            rng.randint(1, 60),
            rng.choice([None, "mturk"]),
            reason,
            date,
        )
    minutes = rng.choice([None, 3, 10])
    return (
        user,
        number,
        f"u{number}",
        rng.choice(["task", "bonus"]),
        rng.choice(["pending", "approved"]),
        rng.randint(0, 500),
        rng.choice(["USD", "EUR"]),
        minutes,
        rng.choice(["mturk", "prolific"]),
        None,
        date,
    )


async def test_earnings_daily_follows_inserts_updates_and_deletes(both: Both) -> None:
    rng = random.Random(16)
    live: dict[tuple[int, int], tuple[Any, ...]] = {}
    for step in range(90):
        action = rng.random()
        if action < 0.5 or len(live) < 3:
            user = rng.choice([1, 2])
            entry = _random_entry(rng, user, step + 1)
            await both.run(_ENTRY, *entry)
            live[(user, step + 1)] = entry
        elif action < 0.8:
            (user, number), old = rng.choice(sorted(live.items()))
            if old[3] == "unpaid":
                await both.run(
                    "UPDATE earnings SET minutes = ?, reason = ?, work_date = ? "
                    "WHERE user_id = ? AND number = ?",
                    rng.randint(1, 90),
                    rng.choice(["searching", "between_tasks"]),
                    rng.choice(["2026-11-01", "2026-11-03"]),
                    user,
                    number,
                )
            else:
                await both.run(
                    "UPDATE earnings SET amount_cents = ?, status = ?, minutes = ?, "
                    "currency = ? WHERE user_id = ? AND number = ?",
                    rng.randint(0, 900),
                    rng.choice(["approved", "rejected"]),
                    rng.choice([None, 7]),
                    rng.choice(["USD", "CAD"]),
                    user,
                    number,
                )
        else:
            (user, number), _ = rng.choice(sorted(live.items()))
            await both.run("DELETE FROM earnings WHERE user_id = ? AND number = ?", user, number)
            del live[(user, number)]
        daily = await both.same(_DAILY)
        assert daily == [tuple(r) for r in await both.db.fetch_all(_RECOMPUTED)]
    await both.run("UPDATE earnings SET title = 'not summed' WHERE user_id = 1")
    await both.run("DELETE FROM earnings")
    assert await both.same(_DAILY) == []


_REVIEW = (
    "INSERT INTO reviews (id, subject_kind, subject_id, author_id, guild_id, scores, "
    "experience, body, created_at, updated_at) "
    "VALUES (?, 'requester', 5, ?, 1, ?, ?, ?, ?, ?)"
)
_HISTORY = (
    "SELECT review_id, scores, experience, body, written_at, replaced_at "
    "FROM review_history ORDER BY id"
)


async def test_review_history_keeps_changed_versions_only(both: Both) -> None:
    await both.run(_REVIEW, 901, 10, '{"pay": 3}', "none", None, 100, 100)
    await both.run(_REVIEW, 902, 11, '{"pay": 5}', "1-5", "fine", 100, 100)
    edits = [
        ('{"pay": 3}', "none", None, 110),  # same content: nothing kept
        ('{"pay": 4}', "none", None, 120),  # scores changed
        ('{"pay": 4}', "1-5", None, 130),  # experience changed
        ('{"pay": 4}', "1-5", "late pay", 140),  # body NULL → text
        ('{"pay": 4}', "1-5", None, 150),  # body text → NULL
    ]
    for scores, experience, body, at in edits:
        await both.run(
            "UPDATE reviews SET scores = ?, experience = ?, body = ?, updated_at = ?, "
            "revision = revision + 1 WHERE id = 901",
            scores,
            experience,
            body,
            at,
        )
    await both.run("UPDATE reviews SET hidden_at = 1, updated_at = 160 WHERE id = 902")
    history = await both.same(_HISTORY)
    assert [(r[4], r[5]) for r in history] == [(110, 120), (120, 130), (130, 140), (140, 150)]
    await both.run("DELETE FROM reviews WHERE id = 901")
    assert await both.same(_HISTORY) == []


_ALERT = (
    "INSERT INTO task_alerts (id, guild_id, platform, task_key, title, requester_name, "
    "reward_cents, currency, minutes, hourly_cents, sharer_id, created_at, last_seen_at, "
    "expires_at) VALUES (?, 1, 'mturk', ?, ?, ?, 100, 'USD', 5, 1200, 7, 0, 0, 600)"
)
_BUMP = (
    "INSERT INTO task_alerts (guild_id, platform, task_key, title, reward_cents, currency, "
    "minutes, hourly_cents, anonymous, sharer_id, created_at, last_seen_at, expires_at) "
    "VALUES (1, 'mturk', ?, 'x', 100, 'USD', 5, 1200, ?, ?, ?, ?, 900) "
    "ON CONFLICT (guild_id, task_key) WHERE state = 'live' DO UPDATE SET "
    "seen_count = task_alerts.seen_count + 1, last_seen_at = excluded.last_seen_at, "
    "last_seen_by = excluded.sharer_id, last_seen_anonymous = excluded.anonymous, "
    "requester_name = coalesce(task_alerts.requester_name, 'ignored')"
)
_SIGHTINGS = "SELECT alert_id, user_id, anonymous, seen_at FROM task_sightings ORDER BY 1, 2"


async def test_share_bumps_record_sightings(both: Both) -> None:
    await both.run(_ALERT, 801, "k1", "Survey", "ACME")
    for user, anonymous, at in [(8, 0, 10), (9, 1, 20), (8, 1, 30)]:
        await both.run(_BUMP, "k1", anonymous, user, at, at)
    await both.run("UPDATE task_alerts SET last_seen_at = 40, last_seen_by = NULL WHERE id = 801")
    await both.run("UPDATE task_alerts SET seen_count = seen_count WHERE id = 801")
    assert await both.same(_SIGHTINGS) == [(801, 8, 1, 30), (801, 9, 1, 20)]
    assert await both.same("SELECT seen_count FROM task_alerts WHERE id = 801") == [(4,)]
    await both.run("DELETE FROM task_alerts WHERE id = 801")
    assert await both.same(_SIGHTINGS) == []


async def test_vote_columns_store_one_vote_per_member(both: Both) -> None:
    await both.run(_ALERT, 802, "k2", "Survey", "ACME")
    for user, kind, at in [(8, "live", 10), (9, "gone", 11), (8, "gone", 12)]:
        await both.run(
            "UPDATE task_alerts SET last_vote_by = ?, last_vote_kind = ?, last_voted_at = ?, "
            "live_votes = live_votes + 1 WHERE id = 802",
            user,
            kind,
            at,
        )
    await both.run("UPDATE task_alerts SET last_vote_by = NULL, last_voted_at = 13 WHERE id = 802")
    await both.run("UPDATE task_alerts SET live_votes = 0 WHERE id = 802")
    votes = await both.same("SELECT alert_id, user_id, kind, voted_at FROM task_votes ORDER BY 2")
    assert votes == [(802, 8, "gone", 12), (802, 9, "gone", 11)]


# -- full-text search: the same matches as FTS5 for what rules.fts_query builds -----------

_WORDS = [
    "Éclair",
    "eclairs",
    "naïve",
    "Café",
    "cafe",
    "Straße",
    "survey",
    "Survey2",
    "données",
    "über",
    "Müller",
    "1.50",
    "ACME",
    "acme-corp",
    "Привет",
    "数据",
    "O'Brien",
    "résumé",
    "Quick",
    "quiz",
    "Zoë",
    "e-mail",
    "#42",
    "(beta)",
]


async def _search_both(both: Both, text: str) -> list[tuple[Any, ...]]:
    match = fts_query(text)
    lite = [
        tuple(r)
        for r in await both.db.fetch_all(
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH ? ORDER BY rowid DESC", (match,)
        )
    ]
    post = [
        tuple(r)
        for r in await both.pg.fetch(
            f"SELECT alert_id FROM {FTS} WHERE document @@ entraide_fts_query($1) "
            "ORDER BY alert_id DESC",
            match,
        )
    ]
    assert lite == post, (text, match)
    return lite


async def test_search_matches_like_fts5(both: Both) -> None:
    rng = random.Random(12)
    for n in range(40):
        title = " ".join(rng.sample(_WORDS, rng.randint(1, 4)))
        requester = rng.choice([None, *rng.sample(_WORDS, 3)])
        await both.run(_ALERT, 700 + n, f"t{n}", title, requester)
    queries = [w[:k] for w in _WORDS for k in (1, 3, len(w))]
    queries += [" ".join(rng.sample(_WORDS, 2)) for _ in range(30)]
    queries = [q for q in queries if fts_query(q)]  # no words: the search is not run
    matched = 0
    for text in queries:
        matched += bool(await _search_both(both, text))
    assert matched > len(queries) // 2  # the comparison is not between empty results


async def test_search_rows_follow_edits_and_deletes(both: Both) -> None:
    await both.run(_ALERT, 601, "s1", "Quick survey", "ACME")
    await both.run(_ALERT, 602, "s2", "Long study", None)
    assert await _search_both(both, "acm") == [(601,)]
    await both.run("UPDATE task_alerts SET title = 'Long études' WHERE id = 601")
    assert await _search_both(both, "quick") == []
    assert await _search_both(both, "etude") == [(601,)]
    await both.run("UPDATE task_alerts SET requester_name = 'Zoë Labs' WHERE id = 602")
    assert await _search_both(both, "zoe lab") == [(602,)]
    assert await _search_both(both, "long") == [(602,), (601,)]
    await both.run("UPDATE task_alerts SET seen_count = 2 WHERE id = 602")  # not indexed
    await both.run("DELETE FROM task_alerts WHERE id = 602")
    assert await _search_both(both, "long") == [(601,)]
    assert await both.pg.fetchval(f"SELECT count(*) FROM {FTS}") == 1
