"""A member's earnings settings, and the one-query context every command starts from.

The wage and goal a member sets for themselves fall back on their server's defaults.
"""

from __future__ import annotations

from db.connection import Database
from db.earnings.records import MemberContext
from db.guilds import GuildSettings

_DEFAULTS = GuildSettings(guild_id=0)


async def context(db: Database, user_id: int, guild_id: int | None) -> MemberContext:
    """Everything a command needs to know about the member, in one query."""
    row = await db.fetch_one(
        "SELECT m.timezone AS member_timezone, p.min_wage_cents, p.wage_currency, "
        "p.goal_cents, p.goal_currency, g.timezone AS guild_timezone, "
        "g.currency AS guild_currency, g.min_wage_cents AS guild_min_wage_cents, "
        "EXISTS (SELECT 1 FROM earnings_sharing s WHERE s.guild_id = :g AND s.user_id = :u) "
        "AS sharing "
        # Cast: PostgreSQL would type a bare parameter here as text, and join text to BIGINT.
        "FROM (SELECT CAST(:u AS BIGINT) AS user_id) AS me "
        "LEFT JOIN members m ON m.user_id = me.user_id "
        "LEFT JOIN earnings_prefs p ON p.user_id = me.user_id "
        "LEFT JOIN guild_settings g ON g.guild_id = :g",
        {"u": user_id, "g": guild_id or 0},
    )
    assert row is not None
    return MemberContext(
        user_id=user_id,
        member_timezone=row["member_timezone"],
        min_wage_cents=row["min_wage_cents"],
        wage_currency=row["wage_currency"],
        goal_cents=row["goal_cents"],
        goal_currency=row["goal_currency"],
        guild_timezone=row["guild_timezone"] or _DEFAULTS.timezone,
        guild_currency=row["guild_currency"] or _DEFAULTS.currency,
        guild_min_wage_cents=(
            _DEFAULTS.min_wage_cents
            if row["guild_min_wage_cents"] is None
            else row["guild_min_wage_cents"]
        ),
        sharing=bool(row["sharing"]),
    )


async def _set_pref(
    db: Database,
    columns: tuple[str, str],
    *,
    user_id: int,
    cents: int | None,
    currency: str | None,
    now: int,
) -> None:
    """Upsert one (amount, currency) pair of the member's preferences."""
    amount, code = columns
    await db.execute(
        f"INSERT INTO earnings_prefs (user_id, {amount}, {code}, created_at, "
        f"updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        f"{amount} = excluded.{amount}, {code} = excluded.{code}, "
        "updated_at = excluded.updated_at",
        (user_id, cents, currency, now, now),
    )


async def set_wage(
    db: Database, user_id: int, cents: int | None, currency: str | None, now: int
) -> None:
    """The member's own minimum wage (None, None: back to the server's)."""
    await _set_pref(
        db,
        ("min_wage_cents", "wage_currency"),
        user_id=user_id,
        cents=cents,
        currency=currency,
        now=now,
    )


async def set_goal(
    db: Database, user_id: int, cents: int | None, currency: str | None, now: int
) -> None:
    """The member's daily goal (None, None: no goal)."""
    await _set_pref(
        db,
        ("goal_cents", "goal_currency"),
        user_id=user_id,
        cents=cents,
        currency=currency,
        now=now,
    )
