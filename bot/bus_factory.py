"""Which bus a store needs: `build_bus(dsn)` (apart, so the two buses never import each other)."""

from __future__ import annotations

from bot.bus import Bus, LocalBus, Spawn
from bot.pg_bus import PgBus


def build_bus(dsn: str | None, *, spawn: Spawn | None = None) -> Bus:
    """A `PgBus` on this PostgreSQL DSN, or a `LocalBus` when there is none (SQLite).

    The DSN is the store's `DATABASE_URL`; it is kept by the bus to reconnect and never
    logged.
    """
    if dsn is not None and dsn.startswith(("postgresql://", "postgres://")):
        return PgBus(dsn, spawn=spawn)
    return LocalBus(spawn=spawn)
