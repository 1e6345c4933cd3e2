"""Loading the generated SQLite store into the run's PostgreSQL database.

Both backends must be measured on the same data, so the PostgreSQL database is filled from
the very file the SQLite phases copy, by the operators' own tool: `python -m bot
copy-store` (all or nothing, verified table by table; docs/postgresql.md, "Moving a
community"). It runs as a child process, so the copy's CPU never lands in the bench's
loop. If it refuses, the PostgreSQL phases stop with its reason (their keys stay null).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from db.url import DatabaseUrl


class StoreLoadError(Exception):
    """copy-store refused or failed; the message is its last line."""


async def load_store(store: Path, target: DatabaseUrl) -> str:
    """Fill the empty database `target` from `store`; say how long it took."""
    started = time.perf_counter()
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "copy-store", f"sqlite:///{store}", target.dsn()],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["?"]
        msg = f"copy-store refused: {last[0][:200]}"
        raise StoreLoadError(msg)
    return f"python -m bot copy-store, {time.perf_counter() - started:.1f} s"
