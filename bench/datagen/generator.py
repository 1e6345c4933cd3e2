"""The generator's state and vocabulary: one seeded random source every table draws from,
in a fixed order, so the same seed always gives the same store.
"""

from __future__ import annotations

import random
import sqlite3
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.sizes import Sizes
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
