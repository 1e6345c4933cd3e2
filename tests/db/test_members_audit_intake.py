"""db.members, db.audit and db.intake read back the same records on SQLite and PostgreSQL.

These repositories hold members' preferences, the moderators' log and the personal API's
tokens and exports; each is also an export and an erase path of `/privacy`. Every call
here runs on both stores (`both_backends`) and compares what the repository returns.
"""

from __future__ import annotations

import dataclasses

import pytest

from db import audit, intake, members
from db.connection import Database

pytestmark = pytest.mark.both_backends

G, ALICE, BOB = 1300000000000000001, 1300000000000000002, 1300000000000000003


async def test_member_preferences_round_trip_and_partial_updates(db: Database) -> None:
    assert await members.get(db, ALICE) == members.MemberPrefs(user_id=ALICE)
    await members.set_timezone(db, ALICE, "Europe/Paris", 10)
    await members.set_eligibility(db, ALICE, "FR", frozenset({"b", "a"}), 11)
    await members.set_locale(db, ALICE, "fr", 12)
    got = await members.get(db, ALICE)
    assert (got.timezone, got.locale, got.country) == ("Europe/Paris", "fr", "FR")
    assert got.qualifications == frozenset({"a", "b"})
    await members.set_country(db, ALICE, None, 13)
    await members.set_qualifications(db, ALICE, frozenset({"c"}), 14)
    got = await members.get(db, ALICE)
    assert got.country is None and got.qualifications == frozenset({"c"})
    many = await members.get_many(db, [BOB, ALICE])
    assert many[BOB] == members.MemberPrefs(user_id=BOB) and many[ALICE] == got
    assert await members.clear_eligibility(db, ALICE) == 1
    assert await members.clear_eligibility(db, ALICE) == 0  # nothing left to clear
    assert (await members.get(db, ALICE)).timezone == "Europe/Paris"
    assert await members.delete(db, ALICE) == 1
    assert await members.delete(db, ALICE) == 0


async def test_audit_entries_about_one_target_narrow_to_a_server_and_an_action(
    db: Database,
) -> None:
    made = []
    for n in range(12):
        made.append(
            await audit.record(
                db,
                guild_id=G if n % 3 else G + 1,
                actor_id=ALICE,
                action="other.confirmed" if n % 2 else "other.undone",
                target_kind="requester",
                target_id=7,
                reason=None,
                now=100 + n,
            )
        )
    await audit.record(
        db,
        guild_id=G,
        actor_id=ALICE,
        action="other.confirmed",
        target_kind="requester",
        target_id=8,
        reason=None,
        now=200,
    )
    ids = [e.id for e in made]
    assert [e.id for e in await audit.for_target(db, "requester", 7)] == ids
    ours = [e.id for e in made if e.guild_id == G and e.action == "other.confirmed"]
    newest = await audit.for_target(
        db, "requester", 7, guild_id=G, action="other.confirmed", newest=2
    )
    assert [e.id for e in newest] == ours[::-1][:2]
    later = await audit.for_target(db, "requester", 7, guild_id=G, after_id=ids[6])
    assert [e.id for e in later] == [e.id for e in made[7:] if e.guild_id == G]


async def test_audit_pages_newest_first_by_actor_and_erases_the_actor(db: Database) -> None:
    made = []
    for n in range(7):
        made.append(
            await audit.record(
                db,
                guild_id=G,
                actor_id=ALICE if n % 2 else BOB,
                action="requester.status",
                target_kind="requester",
                target_id=n,
                reason=None if n == 3 else f"because {n}",
                now=100 + n,
                detail={"n": n, "é": "ü"},
            )
        )
    assert made[3].reason is None and made[3].detail == {"n": 3, "é": "ü"}
    first = await audit.page(db, G, limit=3)
    assert [e.target_id for e in first] == [6, 5, 4]
    rest = await audit.page(db, G, before_id=first[-1].id, limit=10)
    assert [e.target_id for e in rest] == [3, 2, 1, 0]
    alices = await audit.page(db, G, actor_id=ALICE)
    assert [e.target_id for e in alices] == [5, 3, 1]
    assert await audit.count(db, G) == 7 and await audit.count(db, G, actor_id=ALICE) == 3
    assert await audit.get(db, made[2].id) == made[2]
    assert await audit.get(db, 10**12) is None
    assert [e.id for e in await audit.for_target(db, "requester", 4)] == [made[4].id]
    exported = await audit.export_actor(db, ALICE)
    assert [row["target"] for row in exported] == ["requester:1", "requester:3", "requester:5"]
    assert exported[1] == {
        "server_id": G,
        "action": "requester.status",
        "target": "requester:3",
        "reason": None,
        "at": 103,
    }
    assert await audit.anonymise_actor(db, ALICE) == 3
    assert await audit.export_actor(db, ALICE) == []
    assert await audit.count(db, G, actor_id=audit.ERASED_ACTOR) == 3
    assert await audit.count(db, G) == 7  # the entries stay, only who acted is forgotten


async def test_intake_tokens_exports_and_the_members_erasure(db: Database) -> None:
    token = await intake.create_token(
        db, guild_id=G, user_id=ALICE, token_hash="h1", prefix="ab", label=None, now=5, limit=2
    )
    assert token is not None and token.active and token.label is None
    assert await intake.token_by_hash(db, "h1") == token
    await intake.touch_token(db, token.id, 9)
    assert (await intake.token_by_hash(db, "h1")).last_used_at == 9  # type: ignore[union-attr]
    assert [t.id for t in await intake.tokens_of(db, G, ALICE)] == [token.id]
    assert await intake.revoke_token(db, token.id, guild_id=G, user_id=BOB, now=10) is None
    revoked = await intake.revoke_token(db, token.id, guild_id=G, user_id=ALICE, now=10)
    assert revoked is not None and not revoked.active
    assert await intake.token_by_hash(db, "h1") is None

    assert await intake.exports_channel(db, G) is None
    await intake.set_exports_channel(db, G, 77, 1)
    assert await intake.exports_channel(db, G) == 77
    await intake.set_exports_channel(db, G, None, 2)
    assert await intake.exports_channel(db, G) is None

    export = intake.ExportMessage(
        message_id=900, guild_id=G, channel_id=77, author_id=ALICE, alert_id=None,
        created=False, reply_id=None, posted_at=50,
    )  # fmt: skip
    await intake.record_export(db, export)
    assert await intake.get_export(db, 900) == export
    await intake.record_export(db, dataclasses.replace(export, created=True))
    assert (await intake.get_export(db, 900)).created is True  # type: ignore[union-attr]

    data = await intake.export_member(db, ALICE)
    assert [t["prefix"] for t in data["api_tokens"]] == ["ab"]
    assert data["api_tokens"][0]["revoked_at"] == 10
    assert data["exports_channel_messages"] == [
        {
            "message_id": 900,
            "guild_id": G,
            "channel_id": 77,
            "alert_id": None,
            "created": True,
            "reply_id": None,
            "posted_at": 50,
            "claimed_at": None,
        }
    ]  # every stored value of the member's row (found by a hostile probe)
    assert await intake.erase_member(db, ALICE) == 2
    assert await intake.erase_member(db, ALICE) == 0
    assert await intake.export_member(db, ALICE) == {
        "api_tokens": [],
        "exports_channel_messages": [],
    }
    await intake.forget_export(db, 900)  # already gone: nothing to do, no error
