"""Earnings, their sharing settings and digest settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from bench import world
from bench.datagen.generator import DAY, NOW, PLATFORMS, Generator


def fill_earnings(g: Generator) -> None:
    """Everyone's private earnings log; one member (alice) has `member_entries` of them."""
    rng = g.rng
    heavy = world.summary_member().id
    others = g.member_ids[: max(1, len(g.member_ids) // 2)]
    rest = g.sizes.earnings - g.sizes.member_entries
    per_other, extra = divmod(max(0, rest), len(others))
    requesters = g.requester_ids or [None]
    names = g.requester_names
    statuses = ("approved",) * 16 + ("pending",) * 3 + ("rejected", "returned")
    reasons = ("searching", "qualification", "between_tasks", "other")
    row_id = 0

    def member_rows(uid: int, count: int, days: int) -> Iterator[tuple[Any, ...]]:
        nonlocal row_id
        start = NOW - days * DAY
        for number in range(1, count + 1):
            row_id += 1
            at = start + (number * days * DAY) // (count + 1)
            day = time.strftime("%Y-%m-%d", time.gmtime(at))
            roll = rng.random()
            if roll < 0.1:
                yield (
                    row_id,
                    uid,
                    number,
                    f"g{row_id}",
                    "unpaid",
                    None,
                    0,
                    None,
                    rng.randint(5, 60),
                    None,
                    None,
                    None,
                    None,
                    None,
                    rng.choice(reasons),
                    day,
                    "manual",
                    None,
                    at,
                    at,
                )
                continue
            kind = "bonus" if roll < 0.15 else "task"
            rid = rng.choice(requesters)
            platform, rname, _ = (
                names[rid] if rid is not None else (rng.choice(PLATFORMS), None, None)
            )
            key = " ".join(rname.split()).casefold() if rname else None
            minutes = None if kind == "bonus" or rng.random() < 0.05 else rng.randint(1, 60)
            yield (
                row_id,
                uid,
                number,
                f"g{row_id}",
                kind,
                rng.choice(statuses),
                rng.randint(1, 1500),
                "USD",
                minutes,
                platform,
                rname,
                key,
                rid,
                None,
                None,
                day,
                rng.choice(("manual", "manual", "alert", "import")),
                None,
                at,
                at,
            )

    def rows() -> Iterator[tuple[Any, ...]]:
        yield from member_rows(heavy, g.sizes.member_entries, 3 * 365)
        for index, uid in enumerate(others):
            yield from member_rows(uid, per_other + (1 if index < extra else 0), 365)

    g.insert(
        "earnings",
        [
            "id",
            "user_id",
            "number",
            "uid",
            "kind",
            "status",
            "amount_cents",
            "currency",
            "minutes",
            "platform",
            "requester_name",
            "requester_key",
            "requester_id",
            "title",
            "reason",
            "work_date",
            "source",
            "alert_id",
            "created_at",
            "updated_at",
        ],
        rows(),
    )


def fill_earnings_sharing(g: Generator) -> None:
    """Members who let their hourly feed the server's anonymous statistics."""
    rng = g.rng
    rows = [
        (world.GUILD_ID, uid, NOW - rng.randint(1, 300) * DAY)
        for uid in g.member_ids[: len(g.member_ids) // 2]
        if rng.random() < 0.3
    ]
    g.insert("earnings_sharing", ["guild_id", "user_id", "since_at"], rows)


def fill_digest_settings(g: Generator) -> None:
    g.insert(
        "digest_settings",
        ["guild_id", "daily", "weekly", "send_hour", "schedule_since", "created_at", "updated_at"],
        [(gid, 1, 1, 8, NOW - 300 * DAY, NOW - 300 * DAY, NOW - 300 * DAY) for gid in g.guild_ids],
    )


#: Table fillers in dependency order; each runs only if its table exists in the schema.
