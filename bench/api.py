"""The personal API under load: alerts posted and requesters looked up over loopback.

A real aiohttp client talks to the bot's API server (started with `API_PORT=0`), with
personal tokens of many members, as members' userscripts would. Figures sit beside the
`/task share` ones: `api_alert_per_s` (MTurk HIT JSON → an alert, concurrent) and
`api_lookup_per_s` (requests of 100 requester ids each).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench import world
from cogs.intake.api import hash_token, new_token
from db import intake as intake_db

TOKENS = 50
CONCURRENCY = 32
LOOKUP_IDS = 100


@dataclass
class ApiFigures:
    per_s: float
    requests: int
    statuses: dict[int, int]
    p99_ms: float


async def make_tokens(db: Any, guild_id: int, members: int, now: int) -> list[str]:
    tokens = []
    for n in range(min(TOKENS, members)):
        secret = new_token()
        await intake_db.create_token(
            db,
            guild_id=guild_id,
            user_id=world.member(n).id,
            token_hash=hash_token(secret),
            prefix=secret[:8],
            label="bench",
            now=now,
            limit=5,
        )
        tokens.append(secret)
    return tokens


def hit(n: int) -> dict[str, Any]:
    return {
        "hit_set_id": f"3APIBENCH{n:020d}",
        "requester_id": f"A{n % 997:013d}",
        "requester_name": f"Bench API Lab {n % 997}",
        "title": f"Bench API task {n}",
        "monetary_reward": {
            "amount_in_dollars": round(0.1 + (n % 150) / 10, 2),
            "currency_code": "USD",
        },
        "assignment_duration_in_seconds": 3600,
        "assignable_hits_count": 10,
        "project_requirements": [],
        "minutes": 1 + n % 30,
    }


async def _fire(base: str, requests: list[tuple[str, str, dict[str, Any]]]) -> ApiFigures:
    """Send every request with CONCURRENCY in flight; (method, token, kwargs) each."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    queue: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not queue.empty():
                method, token, kwargs = queue.get_nowait()
                started = time.perf_counter()
                async with session.request(
                    method,
                    base + kwargs.pop("path"),
                    headers={"Authorization": f"Bearer {token}"},
                    **kwargs,
                ) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return ApiFigures(len(requests) / elapsed, len(requests), statuses, p99)


async def alerts(base: str, tokens: list[str], count: int, start: int) -> ApiFigures:
    requests = [
        ("POST", tokens[n % len(tokens)], {"path": "/api/v1/alerts", "json": hit(start + n)})
        for n in range(count)
    ]
    return await _fire(base, requests)


async def lookups(base: str, tokens: list[str], ids: list[str], count: int) -> ApiFigures:
    query = ",".join(ids[:LOOKUP_IDS])
    requests = [
        (
            "GET",
            tokens[n % len(tokens)],
            {"path": "/api/v1/requesters", "params": {"platform": "mturk", "ids": query}},
        )
        for n in range(count)
    ]
    return await _fire(base, requests)


async def requester_ids(db: Any) -> list[str]:
    rows = await db.fetch_all(
        "SELECT platform_requester_id FROM requesters WHERE platform = 'mturk' "
        "AND platform_requester_id IS NOT NULL LIMIT ?",
        (LOOKUP_IDS,),
    )
    ids = [r[0] for r in rows]
    n = 0
    while len(ids) < LOOKUP_IDS:  # pad with unknown ids (they cost a lookup too)
        ids.append(f"A{900_000_000_000 + n:013d}")
        n += 1
    return ids
