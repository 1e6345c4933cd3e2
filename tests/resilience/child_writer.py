"""A bot-like process that writes through the real repository code and says "ack" after
each write it would have confirmed to a member.

Run by tests/resilience/test_crash.py as `python -m tests.resilience.child_writer DB N`;
the test kills it with SIGKILL part-way through and checks that every acknowledged write
survived. Writers run concurrently, like interactions do, through one `Database`, and
rotate through three kinds of write:

- `requester`: a registry upsert (one statement);
- `share`: a task share as `/task share` stores it, the alert's INSERT then the message
  it was posted as (two statements; acknowledged after both, as the member is told);
- `earning`: an earnings entry, whose trigger keeps the daily roll-up in the same
  statement (the test checks the roll-up still adds up after the crash).
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from pathlib import Path

from db import earnings, requesters
from db import tasks as tasks_db
from db.connection import Database
from db.migrate import migrate

WRITERS = 8
GUILD_ID = 4242
BASE_TIME = 1_800_000_000


async def write(database: Database, n: int) -> str:
    now = BASE_TIME + n
    kind = ("requester", "share", "earning")[n % 3]
    if kind == "requester":
        stored = await requesters.upsert(database, "mturk", f"A{n:013d}", f"Requester {n}", now)
        return f"requester {stored.id}"
    if kind == "share":
        new = tasks_db.NewAlert(
            guild_id=GUILD_ID,
            platform="mturk",
            task_key=f"mturk:crash{n}",
            title=f"Task {n}",
            reward_cents=100 + n,
            currency="USD",
            minutes=5,
            hourly_cents=(100 + n) * 12,
            sharer_id=1000 + n,
        )
        result = await tasks_db.share(database, new, now=now, expires_at=now + 7200)
        await tasks_db.set_message(
            database, result.alert.id, channel_id=77, message_id=10_000 + n, is_forum=False
        )
        return f"share {result.alert.id}"
    entry = earnings.NewEntry(
        kind="task",
        work_date="2026-11-26",
        status="approved",
        amount_cents=100 + n,
        currency="USD",
        minutes=5,
        platform="mturk",
        uid=f"crash-{n}",
    )
    stored_entry = await earnings.add_entry(database, 7, entry, now)
    return f"earning {stored_entry.uid}"


async def write_all(path: Path, count: int) -> None:
    database = await Database.open(path)
    await migrate(database)
    print("ready", flush=True)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def writer() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            what = await write(database, n)
            # Only now would a member be told "saved": this line is the acknowledgement.
            print(f"ack {n} {what}", flush=True)

    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    await database.close()
    print("finished", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(write_all(Path(sys.argv[1]), int(sys.argv[2])))
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(2)
