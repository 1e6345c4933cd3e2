"""Fallback threads: where a member whose DMs are closed gets their alerts instead.

One per (server, member), a private thread or forum post in the alerts channel, made
once and reused; a thread that turned out unusable is dropped and replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Database


@dataclass(frozen=True, slots=True)
class AlertThread:
    """Where a member with closed DMs gets their alerts in one server."""

    guild_id: int
    user_id: int
    parent_id: int
    thread_id: int
    created_at: int


async def get_thread(db: Database, guild_id: int, user_id: int) -> AlertThread | None:
    row = await db.fetch_one(
        "SELECT * FROM alert_threads WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    if row is None:
        return None
    return AlertThread(
        row["guild_id"], row["user_id"], row["parent_id"], row["thread_id"], row["created_at"]
    )


async def set_thread(
    db: Database, guild_id: int, user_id: int, *, parent_id: int, thread_id: int, now: int
) -> None:
    await db.execute(
        "INSERT INTO alert_threads (guild_id, user_id, parent_id, thread_id, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
        "parent_id = excluded.parent_id, thread_id = excluded.thread_id, "
        "created_at = excluded.created_at",
        (guild_id, user_id, parent_id, thread_id, now),
    )


async def drop_thread(db: Database, guild_id: int, user_id: int, thread_id: int) -> None:
    await db.execute(
        "DELETE FROM alert_threads WHERE guild_id = ? AND user_id = ? AND thread_id = ?",
        (guild_id, user_id, thread_id),
    )
