"""Task alerts and what members did with them (votes, reports, sightings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bench import world
from bench.datagen.generator import CURRENCIES, DAY, NOW, PLATFORMS, Generator

LIVE_WINDOW = 2 * 3600


def fill_task_alerts(g: Generator) -> None:
    """The past tasks of every server, oldest first; the last two hours are still live."""
    rng = g.rng
    total = g.sizes.tasks
    span = 365 * DAY
    others = g.guild_ids[1:] or g.guild_ids
    names = g.requester_names
    requesters = g.requester_ids
    members = g.member_ids
    links = {
        "mturk": "https://worker.mturk.com/projects/{}/tasks",
        "prolific": "https://app.prolific.com/studies/{}",
        "clickworker": "https://workplace.clickworker.com/en/jobs/{}",
        "toloka": "https://toloka.ai/tasks/{}",
        "uhrs": "https://prod.uhrs.playmsn.com/job/{}",
        "appen": "https://connect.appen.com/qrp/core/vendors/projects/{}",
    }

    def rows() -> Iterator[tuple[Any, ...]]:
        random_ = rng.random
        randint = rng.randint
        choice = rng.choice
        for n in range(1, total + 1):
            created = NOW - span + (n * span) // total
            guild = world.GUILD_ID if random_() < 0.5 else choice(others)
            platform = choice(PLATFORMS)
            task_id = f"T{n:09d}"
            requester_id = choice(requesters) if requesters and random_() < 0.9 else None
            if requester_id is not None:
                _, rname, rpid = names[requester_id]
            else:
                rname, rpid = None, None
            reward = randint(5, 2000)
            minutes = randint(1, 90)
            live = created > NOW - LIVE_WINDOW
            if live:
                state, ended = "live", None
            else:
                state = "expired" if random_() < 0.7 else ("gone" if random_() < 0.9 else "removed")
                ended = created + randint(600, 7200)
            seen = 1 if random_() < 0.8 else randint(2, 6)
            warning = choice(("violence", "hate", "other")) if random_() < 0.01 else None
            sharer = choice(members)
            yield (
                n,
                guild,
                platform,
                f"{platform}:{task_id.lower()}",
                task_id,
                g.title(),
                requester_id,
                rname,
                rpid,
                reward,
                choice(CURRENCIES),
                minutes,
                reward * 60 // minutes,
                links[platform].format(task_id),
                "US" if random_() < 0.2 else "",
                '["masters"]' if random_() < 0.1 else "[]",
                sharer,
                warning,
                sharer if warning else None,
                world.ALERTS if guild == world.GUILD_ID else guild + 11,
                world.MEMBER_BASE * 2 + n,
                state,
                seen,
                randint(0, 4),
                randint(0, 2),
                randint(0, 3),
                created,
                created + randint(0, 1800),
                created + 7200,
                ended,
            )

    g.insert(
        "task_alerts",
        [
            "id",
            "guild_id",
            "platform",
            "task_key",
            "platform_task_id",
            "title",
            "requester_id",
            "requester_name",
            "platform_requester_id",
            "reward_cents",
            "currency",
            "minutes",
            "hourly_cents",
            "link",
            "countries",
            "qualifications",
            "sharer_id",
            "warning",
            "warning_confirmed_by",
            "channel_id",
            "message_id",
            "state",
            "seen_count",
            "live_votes",
            "gone_votes",
            "done_count",
            "created_at",
            "last_seen_at",
            "expires_at",
            "ended_at",
        ],
        rows(),
    )


def _recent_alerts(g: Generator, how_many: int) -> range:
    total = g.sizes.tasks
    return range(max(1, total - how_many + 1), total + 1)


def fill_task_votes(g: Generator) -> None:
    rng = g.rng

    def rows() -> Iterator[tuple[Any, ...]]:
        for alert_id in _recent_alerts(g, g.sizes.tasks // 20):
            for uid in rng.sample(g.member_ids, rng.randint(0, 4)):
                yield (alert_id, uid, "live" if rng.random() < 0.7 else "gone", NOW - DAY)

    g.insert("task_votes", ["alert_id", "user_id", "kind", "voted_at"], rows())


def fill_task_reports(g: Generator) -> None:
    rng = g.rng

    def rows() -> Iterator[tuple[Any, ...]]:
        for alert_id in _recent_alerts(g, g.sizes.tasks // 10):
            for uid in rng.sample(g.member_ids, rng.randint(0, 2)):
                minutes = rng.randint(1, 60)
                yield (
                    alert_id,
                    uid,
                    minutes,
                    rng.randint(100, 3000),
                    rng.choice((None, "good", "bad")),
                    NOW - DAY,
                )

    g.insert(
        "task_reports",
        ["alert_id", "user_id", "minutes", "hourly_cents", "rating", "reported_at"],
        rows(),
    )


def fill_task_sightings(g: Generator) -> None:
    rng = g.rng

    def rows() -> Iterator[tuple[Any, ...]]:
        for alert_id in _recent_alerts(g, g.sizes.tasks // 20):
            if rng.random() < 0.2:
                for uid in rng.sample(g.member_ids, rng.randint(1, 3)):
                    yield (alert_id, uid, 0, NOW - DAY)

    g.insert("task_sightings", ["alert_id", "user_id", "anonymous", "seen_at"], rows())
