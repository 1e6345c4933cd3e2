"""Members' own preferences (time zone, language, eligibility profile).

They are shared by every server; nothing here is ever shown to other members.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from db.connection import Database


@dataclass(frozen=True, slots=True)
class MemberPrefs:
    user_id: int
    timezone: str | None = None
    locale: str | None = None
    country: str | None = None
    qualifications: frozenset[str] = field(default_factory=frozenset)


async def get(db: Database, user_id: int) -> MemberPrefs:
    row = await db.fetch_one("SELECT * FROM members WHERE user_id = ?", (user_id,))
    if row is None:
        return MemberPrefs(user_id=user_id)
    return MemberPrefs(
        user_id=user_id,
        timezone=row["timezone"],
        locale=row["locale"],
        country=row["country"],
        qualifications=frozenset(json.loads(row["qualifications"] or "[]")),
    )


async def get_many(db: Database, user_ids: list[int]) -> dict[int, MemberPrefs]:
    """Preferences for several members in one query (subscription fan-out)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetch_all(f"SELECT * FROM members WHERE user_id IN ({marks})", user_ids)
    found = {
        row["user_id"]: MemberPrefs(
            user_id=row["user_id"],
            timezone=row["timezone"],
            locale=row["locale"],
            country=row["country"],
            qualifications=frozenset(json.loads(row["qualifications"] or "[]")),
        )
        for row in rows
    }
    return {uid: found.get(uid, MemberPrefs(user_id=uid)) for uid in user_ids}


async def _set(db: Database, user_id: int, column: str, value: object, now: int) -> None:
    await db.execute(
        f"INSERT INTO members (user_id, {column}, created_at, updated_at) VALUES (?, ?, ?, ?) "
        f"ON CONFLICT (user_id) DO UPDATE SET {column} = excluded.{column}, "
        "updated_at = excluded.updated_at",
        (user_id, value, now, now),
    )


async def set_timezone(db: Database, user_id: int, timezone: str | None, now: int) -> None:
    await _set(db, user_id, "timezone", timezone, now)


async def set_locale(db: Database, user_id: int, locale: str | None, now: int) -> None:
    await _set(db, user_id, "locale", locale, now)


async def set_eligibility(
    db: Database, user_id: int, country: str | None, qualifications: frozenset[str], now: int
) -> None:
    await db.execute(
        "INSERT INTO members (user_id, country, qualifications, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET country = excluded.country, "
        "qualifications = excluded.qualifications, updated_at = excluded.updated_at",
        (user_id, country, json.dumps(sorted(qualifications)), now, now),
    )


async def delete(db: Database, user_id: int) -> int:
    return await db.execute("DELETE FROM members WHERE user_id = ?", (user_id,))


async def clear_eligibility(db: Database, user_id: int) -> int:
    """Forget a member's country and qualifications, keeping their other preferences."""
    return await db.execute(
        "UPDATE members SET country = NULL, qualifications = '[]' WHERE user_id = ? "
        "AND (country IS NOT NULL OR qualifications != '[]')",
        (user_id,),
    )


async def set_country(db: Database, user_id: int, country: str | None, now: int) -> None:
    """Set (or clear, with None) only the country, in one statement."""
    await _set(db, user_id, "country", country, now)


async def set_qualifications(
    db: Database, user_id: int, qualifications: frozenset[str], now: int
) -> None:
    """Replace only the qualifications list, in one statement."""
    await _set(db, user_id, "qualifications", json.dumps(sorted(qualifications)), now)
