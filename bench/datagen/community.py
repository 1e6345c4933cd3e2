"""Servers, members, requesters, their subscriptions, reviews and reports: the people side."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bench import world
from bench.datagen.generator import COUNTRIES, DAY, NOW, PLATFORMS, QUALIFICATIONS, WORDS, Generator
from cogs.requesters.identity import name_key


def fill_guilds(g: Generator) -> None:
    g.guild_ids = [world.guild_id(n) for n in range(g.sizes.guilds)]
    rows = []
    for n, gid in enumerate(g.guild_ids):
        if n == 0:
            alerts, mods, digest, role = world.ALERTS, world.MODS, world.DIGEST, world.MOD_ROLE
        else:
            alerts, mods, digest, role = gid + 11, gid + 12, gid + 13, gid + 2
        created = NOW - 400 * DAY + n * 3600
        rows.append((gid, alerts, mods, digest, role, "USD", "en", created, created, created))
    g.insert(
        "guild_settings",
        [
            "guild_id",
            "alerts_channel_id",
            "mod_channel_id",
            "digest_channel_id",
            "mod_role_id",
            "currency",
            "locale",
            "setup_completed_at",
            "created_at",
            "updated_at",
        ],
        rows,
    )


def fill_members(g: Generator) -> None:
    g.member_ids = [world.member_id(n) for n in range(g.sizes.members)]
    rng = g.rng

    def rows() -> Iterator[tuple[Any, ...]]:
        for uid in g.member_ids:
            quals = sorted(rng.sample(QUALIFICATIONS, rng.randint(0, 3)))
            yield (
                uid,
                rng.choice(("America/New_York", "Europe/Paris", "Asia/Manila", None)),
                rng.choice(("en", "fr", None)),
                rng.choice(COUNTRIES),
                json.dumps(quals),
                NOW - rng.randint(1, 400) * DAY,
                NOW - rng.randint(0, 30) * DAY,
            )

    g.insert(
        "members",
        ["user_id", "timezone", "locale", "country", "qualifications", "created_at", "updated_at"],
        rows(),
    )


def fill_requesters(g: Generator) -> None:
    rng = g.rng
    rows = []
    seen: set[tuple[str, str]] = set()
    for n in range(1, g.sizes.requesters + 1):
        platform = rng.choice(PLATFORMS)
        kind = rng.choice(("Lab", "Research", "Inc", "Group", "Study", "Data"))
        name = f"{rng.choice(WORDS).capitalize()} {kind} {n}"
        pid = g.word_id() if platform == "mturk" else None
        key = name_key(name)
        if (platform, key) in seen:
            continue
        seen.add((platform, key))
        status = rng.choices(("none", "caution", "scam"), weights=(96, 3, 1))[0]
        created = NOW - rng.randint(1, 400) * DAY
        changed = min(NOW, created + rng.randint(0, 300) * DAY) if status != "none" else None
        rows.append((n, platform, pid, name, key, status, changed, created, created))
        g.requester_ids.append(n)
        g.requester_names[n] = (platform, name, pid)
    g.insert(
        "requesters",
        [
            "id",
            "platform",
            "platform_requester_id",
            "name",
            "name_key",
            "status",
            "status_changed_at",
            "created_at",
            "updated_at",
        ],
        rows,
    )


def fill_subscriptions(g: Generator) -> None:
    """Subscriptions of the benchmarked server: every /task share matches against them."""
    from cogs.alerts.rules import Filters

    rng = g.rng
    total = g.sizes.subscriptions
    subscribers = g.member_ids[: max(1, total // 2)]
    per_member: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    rows = []
    while len(rows) < total:
        uid = rng.choice(subscribers)
        if per_member.get(uid, 0) >= 10:
            continue
        platform = rng.choice((None, None, *PLATFORMS))
        money = rng.random() < 0.5
        currency = "USD" if money else None
        filters = Filters(
            platform=platform,
            min_hourly_cents=rng.choice((None, 600, 900, 1200, 1500)) if money else None,
            min_reward_cents=rng.choice((None, 50, 100, 200)) if money else None,
            currency=currency,
            keywords=tuple(rng.sample(WORDS, rng.choice((0, 0, 1, 2)))),
            requester=None,
            no_warned=rng.random() < 0.2,
        )
        if filters.has_money is False:
            filters = Filters(
                platform=filters.platform, keywords=filters.keywords, no_warned=filters.no_warned
            )
        signature = filters.signature()
        if (uid, signature) in seen:
            continue
        seen.add((uid, signature))
        per_member[uid] = per_member.get(uid, 0) + 1
        rows.append(
            (
                world.GUILD_ID,
                uid,
                filters.platform or "",
                filters.min_hourly_cents,
                filters.min_reward_cents,
                filters.currency,
                json.dumps(sorted(filters.keywords)),
                None,
                int(filters.no_warned),
                rng.choice(("en", "fr")),
                signature,
                NOW - rng.randint(0, 300) * DAY,
            )
        )
    g.insert(
        "alert_subscriptions",
        [
            "guild_id",
            "user_id",
            "platform",
            "min_hourly_cents",
            "min_reward_cents",
            "currency",
            "keywords",
            "requester",
            "no_warned",
            "locale",
            "signature",
            "created_at",
        ],
        rows,
    )


def fill_reviews(g: Generator) -> None:
    """Reviews of requesters: the reputation shown on every alert is computed from these."""
    rng = g.rng
    if not g.requester_ids:
        return
    per_requester = 5
    authors = g.member_ids or [world.member_id(0)]

    def rows() -> Iterator[tuple[Any, ...]]:
        for rid in g.requester_ids:
            for author in rng.sample(authors, min(per_requester, len(authors))):
                base = rng.randint(1, 5)
                scores = {
                    c: max(1, min(5, base + rng.randint(-1, 1)))
                    for c in ("pay", "fast", "fair", "communication")
                }
                created = NOW - rng.randint(1, 700) * DAY
                yield (
                    "requester",
                    rid,
                    author,
                    world.GUILD_ID,
                    json.dumps(scores),
                    rng.choice(("1-5", "6-20", "21-100", "101+")),
                    None,
                    created,
                    created,
                )

    g.insert(
        "reviews",
        [
            "subject_kind",
            "subject_id",
            "author_id",
            "guild_id",
            "scores",
            "experience",
            "body",
            "created_at",
            "updated_at",
        ],
        rows(),
    )


def fill_reports(g: Generator) -> None:
    """Scam reports, mostly closed: the digest counts those opened and closed per period."""
    rng = g.rng
    if not g.requester_ids:
        return
    count = max(100, g.sizes.tasks // 200)
    categories = ("non_payment", "underpaid", "harvesting", "off_platform", "malware", "other")

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            created = NOW - 365 * DAY + n * (365 * DAY // count)
            state = rng.choices(("open", "confirmed", "dismissed"), weights=(5, 30, 65))[0]
            closed = None if state == "open" else created + rng.randint(600, 5 * DAY)
            yield (
                rng.choice(g.guild_ids),
                rng.choice(g.requester_ids),
                rng.choice(g.member_ids),
                rng.choice(categories),
                "Did not pay after approval; no answer to messages.",
                state,
                closed,
                created,
                closed or created,
            )

    g.insert(
        "reports",
        [
            "guild_id",
            "requester_id",
            "reporter_id",
            "category",
            "description",
            "state",
            "closed_at",
            "created_at",
            "updated_at",
        ],
        rows(),
    )


#: Ids of the generated alerts, for the tables that refer to them.
