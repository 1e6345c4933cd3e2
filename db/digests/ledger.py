"""The ledger of digest runs: each period is claimed before it is sent, so it goes once.

A row per (scope, owner, cadence, period): claimed, then sent, skipped or failed. A
second fire of the same period (a restart, a catch-up) finds the claim and stops.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Database
from db.models import from_row

#: Whose digest a run is: a server's (posted in its channel) or a member's (a DM).
GUILD = "guild"
MEMBER = "member"


@dataclass(frozen=True, slots=True)
class DigestRun:
    id: int
    scope: str
    owner_id: int
    cadence: str
    period_key: str
    due_at: int
    status: str
    detail: str | None
    channel_id: int | None
    message_id: int | None
    claimed_at: int
    finished_at: int | None


@dataclass(frozen=True, slots=True)
class RunKey:
    """Which digest: whose (a server or a member), which cadence, which period."""

    scope: str
    owner_id: int
    cadence: str
    period_key: str
    due_at: int


async def claim(db: Database, key: RunKey, now: int) -> int | None:
    """Claim a period before sending it, in one statement.

    Returns the run's id, or None when the period was already claimed (sent, skipped,
    failed, or being sent right now by an earlier fire).
    """
    row = await db.fetch_one(
        "INSERT INTO digest_runs (scope, owner_id, cadence, period_key, due_at, status, "
        "claimed_at) VALUES (?, ?, ?, ?, ?, 'claimed', ?) "
        "ON CONFLICT (scope, owner_id, cadence, period_key) DO NOTHING RETURNING id",
        (key.scope, key.owner_id, key.cadence, key.period_key, key.due_at, now),
    )
    return None if row is None else int(row["id"])


async def record_skipped(db: Database, key: RunKey, now: int, detail: str) -> bool:
    """Note a period that will not be sent (too late); never overrides an earlier record."""
    row = await db.fetch_one(
        "INSERT INTO digest_runs (scope, owner_id, cadence, period_key, due_at, status, "
        "detail, claimed_at, finished_at) VALUES (?, ?, ?, ?, ?, 'skipped', ?, ?, ?) "
        "ON CONFLICT (scope, owner_id, cadence, period_key) DO NOTHING RETURNING id",
        (key.scope, key.owner_id, key.cadence, key.period_key, key.due_at, detail, now, now),
    )
    return row is not None


async def finish(
    db: Database,
    run_id: int,
    status: str,
    now: int,
    *,
    detail: str | None = None,
    channel_id: int | None = None,
    message_id: int | None = None,
) -> None:
    await db.execute(
        "UPDATE digest_runs SET status = ?, detail = ?, channel_id = ?, message_id = ?, "
        "finished_at = ? WHERE id = ?",
        (status, detail, channel_id, message_id, now, run_id),
    )


async def prune_runs(db: Database, before: int) -> int:
    """Forget ledger rows of periods due before `before` (they can never be due again)."""
    return await db.execute("DELETE FROM digest_runs WHERE due_at < ?", (before,))


async def runs_for(db: Database, scope: str, owner_id: int, limit: int = 50) -> list[DigestRun]:
    rows = await db.fetch_all(
        "SELECT * FROM digest_runs WHERE scope = ? AND owner_id = ? ORDER BY due_at DESC LIMIT ?",
        (scope, owner_id, limit),
    )
    return [from_row(DigestRun, row) for row in rows]


async def last_sent(db: Database, scope: str, owner_id: int) -> DigestRun | None:
    row = await db.fetch_one(
        "SELECT * FROM digest_runs WHERE scope = ? AND owner_id = ? AND status = 'sent' "
        "ORDER BY due_at DESC LIMIT 1",
        (scope, owner_id),
    )
    return None if row is None else from_row(DigestRun, row)
