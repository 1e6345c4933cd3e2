"""Does a second process add capacity? A burst from one worker, then from two at once.

Each worker (`python -m bench.worker`) is a whole bot on the same PostgreSQL database,
serving its own server of the store as two shards would. First one worker bursts alone,
then two fresh workers (other servers, other links) burst at the same instant; the figure
is every share of both divided by the span from the first start to the last answer,
beside the lone worker's figure from the same run. On a machine with few cores the
PostgreSQL server, both bots and everything else running share those cores, which the
table says beside the figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.pgcpu import server_cpu_seconds
from bench.phases.base import RunBase
from bench.report import fmt
from bench.worker import ENV_URL, PREFIX
from db.url import DatabaseUrl

#: Servers of the store the workers serve (0, the benchmarked one, had its own phases).
ALONE, PAIR = (1,), (2, 3)
READY_TIMEOUT_S = 300
BURST_TIMEOUT_S = 600


async def cpu_of(postmaster: int | None) -> float | None:
    return await asyncio.to_thread(server_cpu_seconds, postmaster)


async def cpu_since(postmaster: int | None, before: float | None) -> float | None:
    after = await cpu_of(postmaster)
    return None if after is None or before is None else after - before


def cpu_per_share(shares: int, bot_s: float, server_s: float | None) -> str:
    """What one share cost in CPU, and the ceiling that puts on this machine."""
    bot = bot_s * 1000 / shares
    if server_s is None:
        return f"bot {bot:.2f} ms, PostgreSQL server n/a (not started by the bench)"
    server = server_s * 1000 / shares
    cores = os.cpu_count() or 1
    return (
        f"bot {bot:.2f} ms + PostgreSQL server {server:.2f} ms: on {cores} idle cores at "
        f"most {cores * 1000 / (bot + server):,.0f} shares/s"
    )


@dataclass
class Burst:
    """What the workers of one burst reported, and the server's CPU meanwhile."""

    reports: list[dict[str, Any]]
    server_cpu_s: float | None = None

    @property
    def count(self) -> int:
        return sum(r["count"] for r in self.reports)

    @property
    def per_second(self) -> float:
        span = max(r["answered"] for r in self.reports) - min(r["started"] for r in self.reports)
        return self.count / span

    @property
    def cpu(self) -> str:
        """CPU per share: the bot processes', and the server's when known."""
        return cpu_per_share(self.count, sum(r["cpu_s"] for r in self.reports), self.server_cpu_s)

    @property
    def failed(self) -> int:
        return sum(r["apologies"] + r["unanswered"] for r in self.reports)


class WorkerError(RuntimeError):
    """A worker process did not get ready or did not report (its log's tail says why)."""


class TwoProcesses(RunBase):
    """`pg_two_process_share_per_s`, beside one process's figure from the same run."""

    async def two_processes(self, url: DatabaseUrl, postmaster: int | None) -> None:
        one = await self._burst(url, ALONE, postmaster)
        two = await self._burst(url, PAIR, postmaster)
        alone, both = one.per_second, two.per_second
        # Shares that failed are quick to fail: then there is no figure, only the note.
        ok = not one.failed and not two.failed
        self.report.figures["pg_two_process_share_per_s"] = round(both) if ok else None
        cores = os.cpu_count() or 1
        self.report.row(
            "pg_two_process_share_per_s",
            fmt(both) if ok else "n/a",
            f"one process {fmt(alone)} (x{both / alone:.2f})" if ok else "shares failed",
        )
        self.report.row(
            "  two-process detail",
            f"{two.count:,} shares from 2 bot processes at once (one alone: {one.count:,}); "
            f"{cores} cores shared by both bots, the PostgreSQL server and the rest of the "
            f"machine (load average {os.getloadavg()[0]:.2f} now)",
        )
        self.report.row("  CPU per share, two processes", two.cpu)
        self.report.row("  CPU per share, one process", one.cpu)
        for what, burst in (("one process", one), ("two processes", two)):
            if burst.failed:
                self.report.notes.append(
                    f"{what}: {burst.failed} shares got the apology or no answer"
                )

    async def _burst(
        self, url: DatabaseUrl, servers: tuple[int, ...], postmaster: int | None = None
    ) -> Burst:
        """Start a worker per server, wait until all are ready, start them together."""
        env = {**os.environ, ENV_URL: url.dsn()}
        procs = []
        logs = []
        try:
            for server in servers:
                log = self.folder / f"worker-{server}.log"
                logs.append(log)
                args = [
                    "--server",
                    str(server),
                    "--shares",
                    str(self.sizes.burst),
                    "--duplicates",
                    str(self.sizes.duplicate_share),
                    "--members",
                    str(self.sizes.members),
                    "--seed",
                    str(self.seed * 100 + server),
                    "--first-link",
                    str(10_000_000 * server),
                ]
                with log.open("wb") as err:
                    procs.append(
                        await asyncio.create_subprocess_exec(
                            sys.executable,
                            "-m",
                            "bench.worker",
                            *args,
                            stdin=asyncio.subprocess.PIPE,
                            stdout=asyncio.subprocess.PIPE,
                            stderr=err,
                            env=env,
                        )
                    )
            for proc, log in zip(procs, logs, strict=True):
                await _expect(proc, log, "ready", READY_TIMEOUT_S)
            server_cpu = await cpu_of(postmaster)
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(b"go\n")
                await proc.stdin.drain()
            reports = [
                await _expect(proc, log, "count", BURST_TIMEOUT_S)
                for proc, log in zip(procs, logs, strict=True)
            ]
            server_cpu = await cpu_since(postmaster, server_cpu)
            for proc in procs:
                await asyncio.wait_for(proc.wait(), timeout=60)
            return Burst(reports, server_cpu)
        finally:
            for proc in procs:
                if proc.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()


async def _expect(
    proc: asyncio.subprocess.Process, log: Path, key: str, seconds: float
) -> dict[str, Any]:
    """The worker's next `BENCH` line that has `key` (other output is skipped)."""
    assert proc.stdout is not None

    async def read() -> dict[str, Any]:
        assert proc.stdout is not None
        while line := await proc.stdout.readline():
            text = line.decode(errors="replace")
            if text.startswith(PREFIX):
                message = json.loads(text[len(PREFIX) :])
                if key in message:
                    return message
        return {}

    try:
        message = await asyncio.wait_for(read(), timeout=seconds)
    except TimeoutError:
        message = {}
    if not message:
        text = await asyncio.to_thread(log.read_text, errors="replace")
        tail = text.strip().splitlines()[-1:] or ["(no output)"]
        msg = f"worker on {log.stem} gave no '{key}': {tail[0][:200]}"
        raise WorkerError(msg)
    return message
