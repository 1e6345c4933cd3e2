"""Members' own preferences (time zone, language), shared by every server."""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Database
from db.models import from_row


@dataclass(frozen=True, slots=True)
class MemberPrefs:
    user_id: int
    timezone: str | None = None
    locale: str | None = None


async def get(db: Database, user_id: int) -> MemberPrefs:
    row = await db.fetch_one("SELECT * FROM members WHERE user_id = ?", (user_id,))
    return MemberPrefs(user_id=user_id) if row is None else from_row(MemberPrefs, row)


async def set_timezone(db: Database, user_id: int, timezone: str | None, now: int) -> None:
    await db.execute(
        "INSERT INTO members (user_id, timezone, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone, "
        "updated_at = excluded.updated_at",
        (user_id, timezone, now, now),
    )


async def set_locale(db: Database, user_id: int, locale: str | None, now: int) -> None:
    await db.execute(
        "INSERT INTO members (user_id, locale, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale, "
        "updated_at = excluded.updated_at",
        (user_id, locale, now, now),
    )
