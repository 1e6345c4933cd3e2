"""The personal API, driven over loopback with a real HTTP client against the harness bot."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from cogs.intake.api.server import LOOKUP_TURN
from db import requesters
from tests.cogs.intake.helpers import mark_scam
from tests.cogs.intake.samples import GROUP, HIT, PROLIFIC, REQ
from tests.cogs.tasks.conftest import stored
from tests.harness.driver import Harness
from tests.harness.fake_discord import FakeDiscord
from tests.loop_turns import LoopTurns

SCAM = "A9Z8Y7X6W5V4U3"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The shared fixture's store (each backend in turn), with the API turned on.
    update = {"api_port": 0, "api_rate_per_minute": 30, "api_body_max_bytes": 4096}
    return settings.model_copy(update=update)


@pytest.fixture
async def api(configured: Harness) -> AsyncIterator[tuple[Harness, aiohttp.ClientSession, str]]:
    server = configured.bot.get_cog("Intake").server  # type: ignore[union-attr]
    assert server is not None and server.port
    assert server.host == "127.0.0.1"
    async with aiohttp.ClientSession() as session:
        yield configured, session, f"http://127.0.0.1:{server.port}"


async def create_token(h: Harness, user: Any = None) -> str:
    sent = await h.slash("api token create", user=user or h.alice, label="my script")
    assert sent.ephemeral
    match = re.search(r"(ent_[\w-]+)", sent.content)
    assert match, sent.content
    return match.group(1)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_token_to_alert_to_lookup(
    api: tuple[Harness, aiohttp.ClientSession, str], caplog: pytest.LogCaptureFixture
) -> None:
    h, http, base = api
    caplog.set_level(logging.INFO)
    token = await create_token(h)
    # Stored only as a hash.
    rows = await h.db.fetch_all("SELECT token_hash, prefix FROM api_tokens")
    assert (
        len(rows) == 1
        and token not in rows[0]["token_hash"]
        and token.startswith(rows[0]["prefix"])
    )

    async with http.post(
        f"{base}/api/v1/alerts", json={**HIT, "minutes": 6}, headers=auth(token)
    ) as r:
        body = await r.json()
        assert r.status == 201, body
    assert body["merged"] is False and body["link"].startswith("https://discord.com/channels/")
    [alert] = await stored(h)
    assert alert.id == body["id"] and alert.sharer_id == h.alice.id
    assert alert.platform_requester_id == REQ and alert.platform_task_id == GROUP
    assert alert.minutes == 6 and {"US", "CA"} <= set(alert.countries)
    posted = h.in_channel(h.world.alerts)
    assert len(posted) == 1 and "Rate images of food" in posted[-1].text

    # Idempotent on the task: the same member posting again changes nothing.
    async with http.post(
        f"{base}/api/v1/alerts", json={**HIT, "minutes": 6}, headers=auth(token)
    ) as r:
        again = await r.json()
    assert r.status == 200 and again == {**body, "merged": True}
    assert (await stored(h))[0].seen_count == 1
    # Another member's tool merges into the live alert, exactly as a share does.
    bob = await create_token(h, h.bob)
    async with http.post(
        f"{base}/api/v1/alerts", json={**HIT, "minutes": 7}, headers=auth(bob)
    ) as r:
        merged = await r.json()
    assert r.status == 200 and merged["merged"] is True and merged["id"] == body["id"]
    assert (await stored(h))[0].seen_count == 2

    # Evil Corp's first HIT is shared; then a moderator confirms it is a scam.
    evil = {
        **HIT,
        "hit_set_id": "3Z8UJEJOCZEG603II9CQDYWSGSQY7E",
        "requester_id": SCAM,
        "requester_name": "Evil Corp",
        "minutes": 5,
    }
    async with http.post(f"{base}/api/v1/alerts", json=evil, headers=auth(bob)) as r:
        assert r.status == 201
    sent = await mark_scam(h, SCAM)
    assert sent.ephemeral and "scam" in sent.content.lower(), sent.content
    async with http.get(
        f"{base}/api/v1/requesters",
        params={"platform": "mturk", "ids": f"{REQ},{SCAM},A0000000000"},
        headers=auth(token),
    ) as r:
        looked = await r.json()
    assert r.status == 200
    found = looked["requesters"]
    assert found[SCAM]["status"] == "scam" and "fake tasks" in (found[SCAM]["why"] or "")
    assert found[REQ]["status"] == "ok" and found[REQ]["known"] is True
    assert found["A0000000000"]["known"] is False
    text = json.dumps(looked)
    assert str(h.mod.id) not in text and str(h.alice.id) not in text

    # The scam requester's HIT is refused with the member-facing reason; nothing stored.
    async with http.post(
        f"{base}/api/v1/alerts",
        json={
            **HIT,
            "hit_set_id": "3Z8UJEJOCZEG603II9CQDYWSGSQY7G",
            "requester_id": SCAM,
            "minutes": 5,
        },
        headers=auth(token),
    ) as r:
        refused = await r.json()
    assert r.status == 403 and refused["error"]["code"] == "tasks.share.scam_refused"
    assert "fake tasks" in refused["error"]["message"]
    assert len(await stored(h)) == 2

    # Revoked: 401 at once.
    sent = await h.slash("api token revoke", user=h.alice, token="1")
    assert "revoked" in sent.content
    async with http.get(f"{base}/api/v1/requesters", params={"ids": REQ}, headers=auth(token)) as r:
        assert r.status == 401
        assert (await r.json())["error"]["code"] == "unauthorized"
    assert token not in caplog.text
    h.api.assert_never_pinged()


@pytest.mark.both_backends
async def test_one_member_posting_a_task_at_once_counts_once(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """A tool that fires the same HIT several times together (a retry, two tabs)."""
    h, http, base = api
    alice, bob = await create_token(h), await create_token(h, h.bob)

    async def post(token: str) -> tuple[int, dict[str, Any]]:
        body = {**HIT, "minutes": 6}
        async with http.post(f"{base}/api/v1/alerts", json=body, headers=auth(token)) as r:
            return r.status, await r.json()

    first = await asyncio.gather(*(post(alice) for _ in range(3)))
    assert sorted(status for status, _ in first) == [200, 200, 201]
    assert len({body["id"] for _, body in first}) == 1
    assert (await stored(h))[0].seen_count == 1
    again = await asyncio.gather(*(post(bob) for _ in range(3)))
    assert [(status, body["merged"]) for status, body in again] == [(200, True)] * 3
    [alert] = await stored(h)
    assert alert.seen_count == 2 and alert.seen_by == (h.bob.id,)
    [posted] = h.in_channel(h.world.alerts)
    await h.settle()  # the bumps' redraw
    freshness = h.current(posted).field("Freshness")
    assert f"Also seen by <@{h.bob.id}> — shared 2 times" in freshness


async def test_refusals_store_nothing(api: tuple[Harness, aiohttp.ClientSession, str]) -> None:
    h, http, base = api
    token = await create_token(h)
    url = f"{base}/api/v1/alerts"
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {"data": b"{}", "headers": {**auth("ent_nope"), "Content-Type": "application/json"}},
            401,
            "unauthorized",
        ),
        ({"data": b"{}", "headers": {"Content-Type": "application/json"}}, 401, "unauthorized"),
        (
            {"data": json.dumps(HIT), "headers": {**auth(token), "Content-Type": "text/plain"}},
            415,
            "unsupported_media_type",
        ),
        (
            {"data": b"x" * 5000, "headers": {**auth(token), "Content-Type": "application/json"}},
            413,
            "too_large",
        ),
        (
            {
                "data": b"[" * 1500 + b"]" * 1500,
                "headers": {**auth(token), "Content-Type": "application/json"},
            },
            400,
            "json_too_deep",
        ),
        (
            {"data": b'{"a": ', "headers": {**auth(token), "Content-Type": "application/json"}},
            400,
            "json_not_json",
        ),
        ({"json": {**HIT}, "headers": auth(token)}, 422, "intake.errors.not_found"),
        (
            {"json": {**HIT, "minutes": 6, "guild_id": "123"}, "headers": auth(token)},
            403,
            "wrong_server",
        ),
        (  # the same, in the query (it was ignored there)
            {
                "json": {"title": "x", "reward": 1, "minutes": 5},
                "params": {"guild_id": "123"},
                "headers": auth(token),
            },
            403,
            "wrong_server",
        ),
        (  # the same, inside a wrapped task (it was ignored there)
            {
                "json": {"task": {"title": "x", "reward": 1, "minutes": 5, "guild_id": "123"}},
                "headers": auth(token),
            },
            403,
            "wrong_server",
        ),
        (
            {"json": {"reward": 99999, "minutes": 5, "title": "x"}, "headers": auth(token)},
            422,
            "tasks.errors.reward_too_high",
        ),
        (
            {"json": {"reward": 1, "minutes": 5, "title": "@everyone hi"}, "headers": auth(token)},
            422,
            "tasks.errors.mention",
        ),
        (
            {"json": {"reward": 1, "minutes": 5, "title": "x", "evil": 1}, "headers": auth(token)},
            422,
            "intake.api.unknown_fields",
        ),
        (
            {"json": {"reward": [1], "minutes": 5, "title": "x"}, "headers": auth(token)},
            422,
            "intake.api.bad_type",
        ),
        (  # was read as "not anonymous": the member named on the alert
            {
                "json": {"reward": 1, "minutes": 5, "title": "x", "anonymous": "yes"},
                "headers": auth(token),
            },
            422,
            "intake.api.bad_type",
        ),
    ]
    for kwargs, status, code in cases:
        async with http.post(url, **kwargs) as r:
            body = await r.json(content_type=None)
            assert r.status == status, (kwargs, body)
            assert body["error"]["code"] == code, body
            assert body["error"]["message"]
    assert await stored(h) == []
    assert not h.in_channel(h.world.alerts)


@pytest.mark.both_backends
async def test_other_servers_token_and_member_who_left(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, http, base = api
    token = await create_token(h, h.dave)
    await h.db.execute("UPDATE api_tokens SET guild_id = 999")  # a token from another server
    async with http.post(
        f"{base}/api/v1/alerts", json={**HIT, "minutes": 6}, headers=auth(token)
    ) as r:
        assert r.status == 403 and (await r.json())["error"]["code"] == "not_member"
    assert await stored(h) == []


async def test_share_fields_and_prolific_and_french(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, http, base = api
    token = await create_token(h)
    async with http.post(
        f"{base}/api/v1/alerts",
        json={"link": "https://example.com/t/1", "title": "Survey", "reward": "1.20", "minutes": 4},
        headers=auth(token),
    ) as r:
        assert r.status == 201
    async with http.post(f"{base}/api/v1/alerts", json=PROLIFIC, headers=auth(token)) as r:
        assert r.status == 201
    alerts = await stored(h)
    assert [a.platform for a in alerts] == ["other", "prolific"]
    async with http.post(
        f"{base}/api/v1/alerts",
        json={"reward": 0, "minutes": 4, "title": "x"},
        headers={**auth(token), "Accept-Language": "fr-FR"},
    ) as r:
        body = await r.json()
    assert r.status == 422 and body["error"]["code"] == "tasks.errors.reward_positive"
    assert "supérieur à zéro" in body["error"]["message"]


@pytest.mark.both_backends
async def test_lookup_limits_and_rate_limit(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, http, base = api
    token = await create_token(h)
    ids = ",".join(f"A{n:013d}" for n in range(101))
    async with http.get(f"{base}/api/v1/requesters", params={"ids": ids}, headers=auth(token)) as r:
        assert r.status == 400 and (await r.json())["error"]["code"] == "too_many_ids"
    async with http.get(
        f"{base}/api/v1/requesters", params={"ids": "nope!"}, headers=auth(token)
    ) as r:
        assert r.status == 400
    statuses = []
    for _ in range(40):
        async with http.get(
            f"{base}/api/v1/requesters", params={"ids": REQ}, headers=auth(token)
        ) as r:
            statuses.append(r.status)
            if r.status == 429:
                assert int(r.headers["Retry-After"]) >= 1
                break
    assert statuses[-1] == 429


@pytest.mark.both_backends
async def test_lookup_gives_each_requester_its_own_crowd_pay(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, http, base = api
    token = await create_token(h)
    other = "A7K7K7K7K7K7K7"
    hits = [
        {**HIT, "hit_set_id": f"3Z8UJEJOCZEG603II9CQDYWSGSQY{n}", "requester_id": req}
        for n, req in (("A0", REQ), ("A1", REQ), ("A2", other))
    ]
    for hit in hits:
        async with http.post(
            f"{base}/api/v1/alerts", json={**hit, "minutes": 6}, headers=auth(token)
        ) as r:
            assert r.status == 201, await r.json()
    # Members' "I did it" reports, as the alerts carry them: REQ's two alerts weigh 1
    # and 3 reports, the other requester's one alert 2.
    for task, cents, reports in ((hits[0], 1200, 1), (hits[1], 1800, 3), (hits[2], 900, 2)):
        await h.db.execute(
            "UPDATE task_alerts SET crowd_hourly_cents = ?, done_count = ? "
            "WHERE platform_task_id = ?",
            (cents, reports, task["hit_set_id"]),
        )
    async with http.get(
        f"{base}/api/v1/requesters",
        params={"platform": "mturk", "ids": f"{REQ},{other}"},
        headers=auth(token),
    ) as r:
        found = (await r.json())["requesters"]
    # The median of REQ's four reports ($12, $18, $18, $18), as /requester info shows it.
    assert found[REQ]["crowd_hourly"] == {"amount": "18.00", "currency": "USD", "reports": 4}
    assert found[other]["crowd_hourly"] == {"amount": "9.00", "currency": "USD", "reports": 2}


async def test_a_full_lookup_lets_the_loop_turn(
    api: tuple[Harness, aiohttp.ClientSession, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building 100 answers is split across loop turns: group commit wakes a whole group
    of lookups at once, and members' clicks must not wait behind all of them.
    """
    h, http, base = api
    token = await create_token(h)
    ids = [f"A{n:013d}" for n in range(100)]
    for pid in ids:
        await requesters.upsert(h.db, "mturk", pid, f"Lab {pid}", int(h.clock.now().timestamp()))
    cog = h.bot.get_cog("Intake")
    turns = LoopTurns()
    seen: list[int] = []
    reputation = cog.reputation  # type: ignore[union-attr]

    async def watched(requester_id: int) -> Any:
        seen.append(turns.count)
        return await reputation(requester_id)

    monkeypatch.setattr(cog, "reputation", watched)
    async with turns:
        for _ in range(2):  # the second time, every reputation comes from the cache
            seen.clear()
            async with http.get(
                f"{base}/api/v1/requesters",
                params={"platform": "mturk", "ids": ",".join(ids)},
                headers=auth(token),
            ) as r:
                found = (await r.json())["requesters"]
            assert r.status == 200 and all(found[pid]["known"] for pid in ids)
    assert len(seen) == 100
    assert len(set(seen)) >= 100 // LOOKUP_TURN


@pytest.mark.both_backends
async def test_a_flagged_requester_cannot_be_reached_by_another_spelling_of_its_id(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """Through the API as through /task share: the id typed where the name goes, and a
    Prolific researcher's id in capitals, are the flagged record.
    """
    h, http, base = api
    token = await create_token(h)
    # Both requesters are known from a first share each, then flagged by a moderator.
    evil = {**HIT, "hit_set_id": "3Z8UJEJOCZEG603II9CQDYWSGSQY7E", "requester_id": SCAM}
    for first in ({**evil, "requester_name": "Evil Corp", "minutes": 5}, PROLIFIC):
        async with http.post(f"{base}/api/v1/alerts", json=first, headers=auth(token)) as r:
            assert r.status == 201, await r.json()
    shared = await stored(h)
    await mark_scam(h, SCAM)
    await h.slash(
        "requester status",
        user=h.mod,
        requester="Evil Lab",
        status="scam",
        reason="fake tasks",
        platform="prolific",
        requester_id=PROLIFIC["researcher"]["id"],
    )
    task = {"title": "Rate", "reward": 1.5, "minutes": 6, "platform": "mturk"}
    for typed in (SCAM.lower(), " ".join(SCAM[i : i + 4] for i in range(0, len(SCAM), 4))):
        async with http.post(
            f"{base}/api/v1/alerts", json={**task, "requester": typed}, headers=auth(token)
        ) as r:
            body = await r.json()
        assert r.status == 403 and body["error"]["code"] == "tasks.share.scam_refused", body
    study = {**PROLIFIC, "id": "5f0c1e2d3b4a59687766aacc", "researcher": {**PROLIFIC["researcher"]}}
    study["researcher"]["id"] = PROLIFIC["researcher"]["id"].upper()
    async with http.post(f"{base}/api/v1/alerts", json=study, headers=auth(token)) as r:
        body = await r.json()
    assert r.status == 403 and body["error"]["code"] == "tasks.share.scam_refused", body
    assert await stored(h) == shared  # nothing more
    async with http.get(
        f"{base}/api/v1/requesters",
        params={"platform": "prolific", "ids": PROLIFIC["researcher"]["id"].upper()},
        headers=auth(token),
    ) as r:
        found = (await r.json())["requesters"]
    assert [entry["status"] for entry in found.values()] == ["scam"]


async def test_a_label_with_a_mention_is_refused_naming_the_label(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, _http, _base = api
    sent = await h.slash("api token create", user=h.alice, label="@everyone hi")
    assert sent.ephemeral and "label" in sent.content and "notes" not in sent.content
    assert await h.db.fetch_value("SELECT COUNT(*) FROM api_tokens") == 0
    h.api.assert_never_pinged()


@pytest.mark.both_backends
async def test_openapi_is_served(api: tuple[Harness, aiohttp.ClientSession, str]) -> None:
    _h, http, base = api
    async with http.get(f"{base}/api/v1/openapi.json") as r:
        spec = await r.json()
    assert r.status == 200 and "/api/v1/alerts" in spec["paths"]


@pytest.mark.both_backends
async def test_privacy_delete_revokes_tokens(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, http, base = api
    token = await create_token(h)
    section = next(s for s in h.bot.privacy.sections if s.name == "intake")
    exported = await section.export(h.db, h.alice.id)
    assert (
        exported["api_tokens"][0]["label"] == "my script"
        and "token_hash" not in exported["api_tokens"][0]
    )
    assert await section.erase(h.db, h.alice.id) == 1
    async with http.get(f"{base}/api/v1/requesters", params={"ids": REQ}, headers=auth(token)) as r:
        assert r.status == 401


@pytest.mark.both_backends
async def test_token_list_and_limit(api: tuple[Harness, aiohttp.ClientSession, str]) -> None:
    h, _http, _base = api
    tokens = [await create_token(h) for _ in range(5)]
    sent = await h.slash("api token create", label="one too many")
    assert sent.ephemeral and "5 active tokens" in sent.content
    listing = await h.slash("api token list")
    assert listing.ephemeral and listing.content.count("my script") == 5
    assert not any(tok in listing.content for tok in tokens)
    assert "#1" in listing.content and tokens[0][:8] in listing.content
    other = await h.slash("api token revoke", user=h.bob, token="1")
    assert "no active token" in other.content  # Bob cannot revoke Alice's
    for typed in ("²", "#¹", "1" * 19, "-1", "1e3"):  # "²" was "something went wrong"
        sent = await h.slash("api token revoke", token=typed)
        assert sent.ephemeral and "no active token" in sent.content, (typed, sent.content)
    assert await h.db.fetch_value("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL") == 5
    choices = await h.autocomplete("api token revoke", "token", token="")
    assert len(choices) == 5


async def test_a_body_sent_in_pieces_is_read_whole(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """A tool streaming its body (chunked, or in several TCP segments) is read to the end,
    and one streaming too much is refused as too large, not as "malformed JSON".
    (Found by a hostile probe: one `read(n)` took only what had arrived so far.)
    """
    h, http, base = api
    token = await create_token(h)
    headers = {**auth(token), "Content-Type": "application/json"}

    async def pieces(*parts: bytes) -> AsyncIterator[bytes]:
        for part in parts:
            yield part
            await asyncio.sleep(0.01)  # each piece its own segment

    body = json.dumps({"title": "Streamed survey", "reward": 1.5, "minutes": 6}).encode()
    async with http.post(
        f"{base}/api/v1/alerts", data=pieces(body[:10], body[10:20], body[20:]), headers=headers
    ) as r:
        answer = await r.json()
    assert r.status == 201, answer
    [alert] = await stored(h)
    assert alert.title == "Streamed survey"

    # 4096 bytes at most (the fixture's API_BODY_MAX_BYTES), sent without a length.
    async with http.post(
        f"{base}/api/v1/alerts", data=pieces(*[b" " * 1000] * 5, b"{}"), headers=headers
    ) as r:
        refused = await r.json()
    assert r.status == 413 and refused["error"]["code"] == "too_large", refused
    assert len(await stored(h)) == 1


async def raw_request(base: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes a client library would refuse to send; (status, body) of the answer."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def test_a_garbled_authorization_header_is_refused_and_never_logged(
    api: tuple[Harness, aiohttp.ClientSession, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Bytes that are not text in the header were a 500 (the token hashed as UTF-8), with
    the token in the logged exception; a control character in it made aiohttp log the
    whole header line, token included. (Found by a hostile probe.)
    """
    h, _http, base = api
    caplog.set_level(logging.DEBUG)
    token = await create_token(h)
    lookup = b"GET /api/v1/requesters?ids=" + REQ.encode() + b" HTTP/1.1\r\nHost: x\r\n"
    for garbled in (token[:-1].encode() + b"\xff", b"ent_\xed\xa0\x80", token.encode() + b"x"):
        status, body = await raw_request(
            base, lookup + b"Authorization: Bearer " + garbled + b"\r\nConnection: close\r\n\r\n"
        )
        assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized", body
    status, _body = await raw_request(
        base, lookup + b"Authorization: Bearer " + token.encode() + b"\x01\r\n\r\n"
    )
    assert status == 400
    assert "Error handling request" in caplog.text  # aiohttp did log the bad request...
    assert token not in caplog.text and token[4:24] not in caplog.text  # ...without the token
    assert "unexpected" not in caplog.text


async def test_half_a_character_is_refused_not_a_crash(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """A lone surrogate (`\\ud800` in JSON: valid syntax, half a character) reached the
    store, which cannot encode it: a 500 through the API, "something went wrong" for the
    same text typed in /task share. (Found by a hostile probe.)
    """
    h, http, base = api
    token = await create_token(h)
    headers = {**auth(token), "Content-Type": "application/json"}
    for body in (
        b'{"title": "Survey \\ud800", "reward": 1.5, "minutes": 6}',
        b'{"title": "Survey", "link": "https://example.com/\\udc00", "reward": 1, "minutes": 6}',
        b'{"task": {"title": "Survey", "notes": ["\\ud83d"], "reward": 1, "minutes": 6}}',
        json.dumps({**HIT, "requester_name": "Acme \ud800", "minutes": 6}).encode(),
    ):
        async with http.post(f"{base}/api/v1/alerts", data=body, headers=headers) as r:
            refused = await r.json()
        assert r.status == 400 and refused["error"]["code"] == "json_bad_text", (body, refused)
        assert "broken character" in refused["error"]["message"]
    # A whole character written as its two halves is one character, and fine.
    pair = b'{"title": "Survey \\ud83d\\ude00", "reward": 1.5, "minutes": 6}'
    async with http.post(f"{base}/api/v1/alerts", data=pair, headers=headers) as r:
        assert r.status == 201, await r.json()
    assert [a.title for a in await stored(h)] == ["Survey \U0001f600"]

    # The same text through Discord is refused the same way, naming the option
    # (tests/bot/test_half_characters.py: every command and form).
    sent = await h.slash("task share", user=h.bob, title="Typed \ud800 survey", reward=2, minutes=5)
    assert sent.ephemeral and "“title” holds a broken character" in sent.content, sent.content
    sent = await h.slash(
        "task share", user=h.bob, link="https://example.com/\udc00", reward=2, minutes=5
    )
    assert sent.ephemeral and "“link” holds a broken character" in sent.content, sent.content
    assert [a.title for a in await stored(h)] == ["Survey \U0001f600"]


async def lookup_status(http: aiohttp.ClientSession, base: str, token: str) -> tuple[int, str]:
    async with http.get(f"{base}/api/v1/requesters", params={"ids": REQ}, headers=auth(token)) as r:
        body = await r.json()
        return r.status, body["error"]["code"] if "error" in body else "ok"


@pytest.mark.both_backends
async def test_leaving_or_a_ban_ends_a_members_tokens(
    api: tuple[Harness, aiohttp.ClientSession, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token acts as a member of one server: a leave or a ban (live, or while the bot
    was away) revokes it, so coming back does not bring it back. (Found by a hostile
    probe: tokens outlived the membership and worked again on rejoining.)
    """
    h, http, base = api
    alice, bob, carol = [await create_token(h, u) for u in (h.alice, h.bob, h.carol)]
    dave = await create_token(h, h.dave)
    assert await lookup_status(http, base, alice) == (200, "ok")

    await h.remove_member(h.alice)
    await h.gateway("GUILD_BAN_ADD", {"guild_id": str(h.world.guild_id), "user": h.bob.user_json()})
    await h.remove_member(h.bob)
    assert await lookup_status(http, base, alice) == (403, "not_member")
    assert await lookup_status(http, base, bob) == (403, "not_member")
    await h.gateway(
        "GUILD_MEMBER_ADD", {**h.alice.member_json(), "guild_id": str(h.world.guild_id)}
    )
    assert await lookup_status(http, base, alice) == (401, "unauthorized")  # not revived
    listing = await h.slash("api token list", user=h.alice)
    assert "no active API token" in listing.content

    # Carol left while the bot was offline: no leave event, the server arrives without
    # her. Refused at once as no longer a member; its reconciliation revokes the token.
    reconcile = h.bot.membership.reconcile
    monkeypatch.setattr(h.bot.membership, "reconcile", lambda *_: asyncio.sleep(0))
    payload = h._guild_payload("en-US")
    gone = {str(h.bob.id), str(h.carol.id)}
    payload["members"] = [m for m in payload["members"] if m["user"]["id"] not in gone]
    payload["member_count"] = len(payload["members"])
    h.bot._connection._remove_guild(h.guild)
    h.bot._connection.parse_guild_create(payload)
    await h.settle()
    assert await lookup_status(http, base, carol) == (403, "not_member")
    await reconcile(h.db, h.guild)
    assert await lookup_status(http, base, carol) == (403, "not_member")
    active = await h.db.fetch_all("SELECT user_id FROM api_tokens WHERE revoked_at IS NULL")
    assert [r[0] for r in active] == [h.dave.id]
    assert await lookup_status(http, base, dave) == (200, "ok")


async def test_a_member_missing_from_a_large_servers_cache_is_looked_up(
    api: tuple[Harness, aiohttp.ClientSession, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large server's member list is not chunked: a member absent from the cache was
    refused as "no longer in the server". (Found by a hostile probe.)
    """
    h, http, base = api
    alice, bob = await create_token(h), await create_token(h, h.bob)
    monkeypatch.setattr(h.bot._connection, "_chunk_guilds", False)
    payload = h._guild_payload("en-US")
    cached = {str(u.id) for u in (h.mod, h.dave)}
    payload["members"] = [m for m in payload["members"] if m["user"]["id"] in cached]
    payload["member_count"] = 5000
    alice_json = {**h.alice.member_json(), "deaf": False, "mute": False}
    monkeypatch.setattr(h.bot.membership, "reconcile", lambda *_: asyncio.sleep(0))
    h.bot._connection._remove_guild(h.guild)
    h.bot._connection.parse_guild_create(payload)
    await h.settle()
    assert not h.guild.chunked and h.guild.get_member(h.alice.id) is None

    route = "GET /guilds/{guild_id}/members/{member_id}"
    original = FakeDiscord._REST[route]

    def lookup(self: FakeDiscord, call: Any) -> Any:
        if int(call.params["member_id"]) == h.alice.id:  # in the server, not in the cache
            return alice_json
        return original(self, call)

    monkeypatch.setitem(FakeDiscord._REST, route, lookup)
    assert await lookup_status(http, base, alice) == (200, "ok")
    assert await lookup_status(http, base, bob) == (403, "not_member")  # "Unknown Member"


async def test_a_token_of_a_server_the_bot_left(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    h, http, base = api
    token = await create_token(h)
    await h.gateway("GUILD_DELETE", {"id": str(h.world.guild_id)})  # the bot was removed
    async with http.post(
        f"{base}/api/v1/alerts", json={**HIT, "minutes": 6}, headers=auth(token)
    ) as r:
        body = await r.json()
    assert r.status == 403 and body["error"]["code"] == "not_member"
    assert "no longer in this token's server" in body["error"]["message"]
    assert await stored(h) == []


async def test_the_rate_limit_is_the_members_whatever_token(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """Tokens are free to make (and to revoke and make again): a budget per token let a
    member multiply theirs. (Found by a hostile probe.)
    """
    h, http, base = api
    first, second = await create_token(h), await create_token(h)
    statuses = [(await lookup_status(http, base, first))[0] for _ in range(31)]
    assert statuses[-1] == 429 and statuses.count(200) == 30  # the fixture's 30 a minute
    assert await lookup_status(http, base, second) == (429, "rate_limited")
    await h.slash("api token revoke", token="1")
    fresh = await create_token(h)
    assert await lookup_status(http, base, fresh) == (429, "rate_limited")
    # Another member's budget is their own.
    assert await lookup_status(http, base, await create_token(h, h.bob)) == (200, "ok")


async def test_a_name_held_for_a_scam_is_refused_with_a_way_out_a_tool_can_take(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """A HIT naming a flagged requester without its id is held, as in /task share; the
    API answered 422 with Discord's text ("press the button below"), which no tool can
    do. (Found by a hostile probe.)
    """
    h, http, base = api
    token = await create_token(h)
    evil = {**HIT, "hit_set_id": "3Z8UJEJOCZEG603II9CQDYWSGSQY7E", "requester_id": SCAM}
    async with http.post(
        f"{base}/api/v1/alerts",
        json={**evil, "requester_name": "Evil Corp", "minutes": 5},
        headers=auth(token),
    ) as r:
        assert r.status == 201
    await mark_scam(h, SCAM)
    shared = await stored(h)
    unnamed = {k: v for k, v in evil.items() if k != "requester_id"}
    held = {**unnamed, "hit_set_id": GROUP, "requester_name": "EVIL  corp", "minutes": 5}
    for locale, words in (("en-US", "requester_id"), ("fr-FR", "requester_id")):
        async with http.post(
            f"{base}/api/v1/alerts",
            json=held,
            headers={**auth(token), "Accept-Language": locale},
        ) as r:
            body = await r.json()
        assert r.status == 403 and body["error"]["code"] == "tasks.share.name_held", body
        message = body["error"]["message"]
        assert "Evil Corp" in message and SCAM in message and "fake tasks" in message
        assert words in message and "button" not in message and "bouton" not in message
    assert await stored(h) == shared  # nothing posted


async def test_an_exports_content_warning_and_anonymity_are_kept(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """Sent with an MTurk HIT or a Prolific study, `warning` and `anonymous` were silently
    dropped: the alert went up without its content warning, naming a member who asked not
    to be named. (Found by a hostile probe.)
    """
    h, http, base = api
    token = await create_token(h)
    for body in (
        {**HIT, "minutes": 6, "warning": "violence", "anonymous": True},
        {"task": PROLIFIC, "warning": "violence", "anonymous": True},
    ):
        async with http.post(f"{base}/api/v1/alerts", json=body, headers=auth(token)) as r:
            assert r.status == 201, await r.json()
    alerts = await stored(h)
    assert [(a.platform, a.warning, a.anonymous) for a in alerts] == [
        ("mturk", "violence", True),
        ("prolific", "violence", True),
    ]
    for posted in h.in_channel(h.world.alerts):
        assert str(h.alice.id) not in posted.text
    refused = {**HIT, "hit_set_id": "3Z8UJEJOCZEG603II9CQDYWSGSQY7G", "minutes": 6}
    for bad, code in (
        ({"warning": "nope"}, "tasks.errors.warning_unknown"),
        ({"anonymous": "yes"}, "intake.api.bad_type"),
    ):
        async with http.post(
            f"{base}/api/v1/alerts", json={**refused, **bad}, headers=auth(token)
        ) as r:
            body = await r.json()
        assert r.status == 422 and body["error"]["code"] == code, body
    assert len(await stored(h)) == 2


async def test_a_body_that_does_not_decode_is_a_400(
    api: tuple[Harness, aiohttp.ClientSession, str], caplog: pytest.LogCaptureFixture
) -> None:
    """A compressed body that does not decompress was a 500 and a logged traceback; a
    compression bomb stays within the body limit. (Found by a hostile probe.)
    """
    h, http, base = api
    token = await create_token(h)
    headers = {**auth(token), "Content-Type": "application/json"}
    async with http.post(
        f"{base}/api/v1/alerts",
        data=b"not gzip at all",
        headers={**headers, "Content-Encoding": "gzip"},
    ) as r:
        body = await r.json()
    assert r.status == 400 and body["error"]["code"] == "bad_encoding", body
    assert "Content-Encoding" in body["error"]["message"]
    bomb = gzip.compress(b'{"title": "' + b"a" * 5_000_000 + b'"}')  # 5 MB in about 5 kB
    assert len(bomb) < 8000
    async with http.post(
        f"{base}/api/v1/alerts",
        data=bomb,
        headers={**headers, "Content-Encoding": "gzip"},
    ) as r:
        body = await r.json()
    assert r.status == 413 and body["error"]["code"] == "too_large", body
    task = gzip.compress(json.dumps({"title": "Zipped", "reward": 1, "minutes": 5}).encode())
    async with http.post(
        f"{base}/api/v1/alerts", data=task, headers={**headers, "Content-Encoding": "gzip"}
    ) as r:
        assert r.status == 201, await r.json()
    assert [a.title for a in await stored(h)] == ["Zipped"]
    assert "unexpected" not in caplog.text and "Traceback" not in caplog.text


async def test_a_timed_out_or_screening_member_cannot_post_through_the_api(
    api: tuple[Harness, aiohttp.ClientSession, str],
) -> None:
    """Discord stops a timed-out member (or one who has not accepted the rules) from
    running /task share; their token kept posting for them. (Found by a hostile probe.)
    """
    h, http, base = api
    token = await create_token(h, h.bob)
    guild = str(h.world.guild_id)
    until = h.clock.now() + timedelta(hours=1)
    await h.gateway(
        "GUILD_MEMBER_UPDATE",
        {
            **h.bob.member_json(),
            "guild_id": guild,
            "communication_disabled_until": until.isoformat(),
        },
    )
    task = {"title": "Quiet survey", "reward": 1, "minutes": 5}
    async with http.post(f"{base}/api/v1/alerts", json=task, headers=auth(token)) as r:
        body = await r.json()
    assert r.status == 403 and body["error"]["code"] == "timed_out", body
    assert "timed out" in body["error"]["message"]
    assert await lookup_status(http, base, token) == (200, "ok")  # reading is not posting

    h.clock.advance(hours=1, minutes=1)  # the timeout is over
    async with http.post(f"{base}/api/v1/alerts", json=task, headers=auth(token)) as r:
        assert r.status == 201, await r.json()

    await h.gateway(
        "GUILD_MEMBER_UPDATE", {**h.bob.member_json(), "guild_id": guild, "pending": True}
    )
    async with http.post(
        f"{base}/api/v1/alerts", json={**task, "title": "Other"}, headers=auth(token)
    ) as r:
        body = await r.json()
    assert r.status == 403 and body["error"]["code"] == "pending", body
    assert [a.title for a in await stored(h)] == ["Quiet survey"]
