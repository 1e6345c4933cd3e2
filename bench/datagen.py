"""The generated community store: deterministic (seeded), big, written fast.

Run as a child process (`python -m bench.datagen --sizes full --seed 7 --out store.db`) so
the benchmark's own memory figure is not inflated by the generator's garbage. The schema
comes from the bot's migrations (`Database.open` + `migrate`), then each table is filled
with the standard `sqlite3` module in large transactions; secondary indexes are dropped
during the load and rebuilt from their own `CREATE INDEX` text afterwards, which is much
faster than maintaining them row by row and leaves exactly the schema the bot created.

`ensure_store` caches the result by everything that shapes it (sizes, seed, migration
files, this generator's source), so repeated runs reuse the file.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import world
from bench.sizes import FULL, QUICK, Sizes
from cogs.requesters.identity import name_key
from db.connection import Database
from db.migrate import MIGRATIONS_DIR, migrate
from tests.harness.driver import DEFAULT_NOW

NOW = int(DEFAULT_NOW.timestamp())
DAY = 86_400
CHUNK = 50_000

PLATFORMS = ("mturk", "prolific", "clickworker", "toloka", "uhrs", "appen")
COUNTRIES = ("US", "US", "US", "GB", "CA", "FR", "DE", "IN", "PH", "BR", "NG", "KE", "VE")
QUALIFICATIONS = ("masters", "hits_1000", "approval_99", "hits_5000", "english", "us_only")
CURRENCIES = ("USD", "USD", "USD", "USD", "GBP", "EUR")
WORDS = (
    "survey",
    "psychology",
    "study",
    "decision",
    "making",
    "quick",
    "transcription",
    "audio",
    "image",
    "tagging",
    "receipt",
    "batch",
    "video",
    "sentiment",
    "labeling",
    "research",
    "academic",
    "consumer",
    "opinion",
    "game",
    "memory",
    "attention",
    "writing",
    "search",
    "relevance",
    "bounding",
    "box",
    "translation",
    "voice",
    "recording",
    "health",
    "nutrition",
    "politics",
    "finance",
    "product",
    "feedback",
    "short",
    "long",
    "easy",
)


@dataclass
class Generator:
    conn: sqlite3.Connection
    rng: random.Random
    sizes: Sizes
    counts: dict[str, int] = field(default_factory=dict)
    # facts later tables refer to
    member_ids: list[int] = field(default_factory=list)
    guild_ids: list[int] = field(default_factory=list)
    requester_ids: list[int] = field(default_factory=list)
    requester_names: dict[int, tuple[str, str, str | None]] = field(default_factory=dict)

    def has_table(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.conn.execute(f'PRAGMA table_info("{table}")')]

    def insert(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        """Bulk insert in chunks, inside the caller's transaction.

        Columns the table no longer has are dropped (features evolve their schema while
        the generator follows); a new NOT NULL column fails loudly in SQLite instead.
        """
        present = set(self.columns(table))
        keep = [i for i, name in enumerate(columns) if name in present]
        if len(keep) != len(columns):
            dropped = [name for name in columns if name not in present]
            print(f"  ({table}: no column {', '.join(dropped)}; not generated)", flush=True)
            columns = [columns[i] for i in keep]
            rows = (tuple(row[i] for i in keep) for row in rows)
        sql = (
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        )
        total = 0
        for chunk in _chunks(rows, CHUNK):
            self.conn.executemany(sql, chunk)
            total += len(chunk)
        self.counts[table] = self.counts.get(table, 0) + total
        return total

    def title(self) -> str:
        words = self.rng.sample(WORDS, self.rng.randint(2, 6))
        return " ".join(words).capitalize()

    def word_id(self, length: int = 13) -> str:
        return "A" + "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=length))


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- the tables -------------------------------------------------------------------------------


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
FILLERS: list[tuple[str, Callable[[Generator], None]]] = [
    ("guild_settings", fill_guilds),
    ("members", fill_members),
    ("requesters", fill_requesters),
    ("reviews", fill_reviews),
    ("reports", fill_reports),
    ("task_alerts", fill_task_alerts),
    ("task_votes", fill_task_votes),
    ("task_reports", fill_task_reports),
    ("task_sightings", fill_task_sightings),
    ("alert_subscriptions", fill_subscriptions),
    ("earnings", fill_earnings),
    ("earnings_sharing", fill_earnings_sharing),
    ("digest_settings", fill_digest_settings),
]


# -- building the file ----------------------------------------------------------------------


async def _create_schema(path: Path) -> None:
    database = await Database.open(path)
    try:
        await migrate(database)
    finally:
        await database.close()


def generate(path: Path, sizes: Sizes, seed: int) -> dict[str, int]:
    """Write a fresh store at `path`; return the row count of each table filled."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    asyncio.run(_create_schema(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA foreign_keys = OFF")
    g = Generator(conn, random.Random(seed), sizes)
    for table, filler in FILLERS:
        if not g.has_table(table):
            continue
        started = time.perf_counter()
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        # Full-text indexes kept by triggers are rebuilt in one pass instead of per row.
        fts = _fts_tables_of(conn, table)
        triggers = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                (table,),
            ).fetchall()
            if any(f in sql for f in fts)
        ]
        conn.execute("BEGIN")
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        filler(g)
        for _, sql in indexes:
            conn.execute(sql)
        for _, sql in triggers:
            conn.execute(sql)
        for name in fts:
            conn.execute(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')
        conn.execute("COMMIT")
        took = time.perf_counter() - started
        print(f"  {table:<28} {g.counts.get(table, 0):>10,} rows  {took:6.1f} s", flush=True)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        msg = f"generated data breaks {len(problems)} foreign keys, e.g. {problems[:3]}"
        raise RuntimeError(msg)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return g.counts


def _fts_tables_of(conn: sqlite3.Connection, table: str) -> list[str]:
    """External-content FTS5 tables whose content is `table`."""
    found = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    ).fetchall():
        compact = "".join(sql.split()).lower()
        if "usingfts5" in compact and (
            f"content='{table}'" in compact or f'content="{table}"' in compact
        ):
            found.append(name)
    return found


def cache_key(sizes: Sizes, seed: int) -> str:
    digest = hashlib.sha256()
    digest.update(repr((sizes, seed)).encode())
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        digest.update(path.read_bytes())
    for module in ("datagen.py", "world.py"):
        digest.update((Path(__file__).with_name(module)).read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "entraide-bench"


def ensure_store(sizes: Sizes, seed: int, *, fresh: bool = False) -> tuple[Path, bool]:
    """The generated store for these sizes, built (in a child process) if not cached."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"store-{sizes.name}-{cache_key(sizes, seed)}.db"
    done = path.with_suffix(".done")
    if done.exists() and path.exists() and not fresh:
        return path, True
    done.unlink(missing_ok=True)
    for stale in folder.glob(f"store-{sizes.name}-*"):
        stale.unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.datagen",
            "--sizes",
            sizes.name,
            "--seed",
            str(seed),
            "--out",
            str(path),
        ],
        check=True,
    )
    done.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    return path, False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the benchmark's community store.")
    parser.add_argument("--sizes", choices=("full", "quick"), default="quick")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    sizes = FULL if args.sizes == "full" else QUICK
    started = time.perf_counter()
    counts = generate(args.out, sizes, args.seed)
    size_mb = args.out.stat().st_size / 1024 / 1024
    print(
        f"  generated {sum(counts.values()):,} rows, {size_mb:,.1f} MiB "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
