"""The share phases again with the store on PostgreSQL, in the same run as SQLite's.

Once the SQLite bot is stopped, the same generated store is loaded into a PostgreSQL
database (bench/pgserver.py, bench/pgload.py) and a second bot, the same harness with only
`DATABASE_URL` changed, runs the same phase code: the dispatch-only burst, the share
burst, the steady shares and the steady mixed load. Its figures sit beside SQLite's from
this run (`pg_share_per_s`, `pg_steady_p99_ms`, `pg_vs_sqlite`); then the two-process
burst runs on the same database (bench/phases/processes.py). No server: one line, and
the keys stay null.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
import traceback
from pathlib import Path

from bench.dispatch import DispatchOnly
from bench.pgload import load_store
from bench.pgserver import BenchServer, open_server
from bench.phases.mixed import MixedLoad
from bench.phases.processes import TwoProcesses, cpu_of, cpu_per_share, cpu_since
from bench.phases.shares import SharePhases
from bench.report import Report, fmt
from bench.runtime import BenchBot
from bench.sizes import Sizes
from db.url import DatabaseUrl


class PgRun(SharePhases, MixedLoad):
    """The share phases' own code, on a bot whose store is a PostgreSQL database."""

    def __init__(
        self, sizes: Sizes, seed: int, folder: Path, url: DatabaseUrl, postmaster: int | None
    ) -> None:
        super().__init__(sizes, seed, folder)
        self.url = url
        self.postmaster = postmaster
        self.server_info = ""
        self.cpu_info = ""

    async def start_bot(self) -> None:
        from bench import world

        self.bench = await BenchBot.start(
            self.folder, database_url=self.url.dsn(), members=self.sizes.members
        )
        await self.bench.guild_loaded()
        bot = self.bench.h.bot
        await bot.add_cog(DispatchOnly(bot, world.ALERTS))
        await self.bench.h.settle()
        version = await self.bench.h.db.fetch_value("SHOW server_version")
        settings = bot.settings
        self.server_info = (
            f"PostgreSQL {version}, the bot's pool {settings.db_pool_min_size}"
            f"-{settings.db_pool_max_size} connections, {os.cpu_count() or 1} cores shared"
        )

    async def phases(self) -> None:
        await self.dispatch_only()
        bot_cpu, server_cpu = time.process_time(), await cpu_of(self.postmaster)
        await self.share_burst()
        bot_cpu = time.process_time() - bot_cpu
        server_cpu = await cpu_since(self.postmaster, server_cpu)
        self.cpu_info = cpu_per_share(self.sizes.burst, bot_cpu, server_cpu)
        await self.share_steady()
        await self.steady_mixed()


class PostgresPhases(TwoProcesses):
    """Runs `PgRun` and the two-process burst, and writes their figures into this report."""

    async def postgres_phases(self) -> None:
        assert self.store is not None
        server = await asyncio.to_thread(open_server)
        if isinstance(server, str):
            self.report.row("PostgreSQL phases", "skipped", f"no server: {server}")
            print(f"PostgreSQL phases skipped: no server ({server}); the pg_* keys are null")
            return
        print(f"PostgreSQL: {server.where}")
        try:
            await self._on_server(server)
        finally:
            await asyncio.to_thread(server.stop)

    async def _on_server(self, server: BenchServer) -> None:
        assert self.store is not None
        url = await server.create_database()
        try:
            how = await load_store(self.store, url)
            print(f"  store loaded into {url.display}: {how}")
            pg = PgRun(self.sizes, self.seed, self.folder / "pg-bot", url, server.postmaster)
            pg.errors = self.errors
            pg.probe.start()
            try:
                await pg.start_bot()
                await pg.phases()
            finally:
                await pg.close()
                await pg.probe.stop()
            self._take(pg.report, pg)
            await self.two_processes(url, server.postmaster)
        except Exception as exc:  # a phase that fails on PostgreSQL: say so, keys stay null
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.report.notes.append(
                f"PostgreSQL phases stopped: {type(exc).__name__}: {str(exc)[:200]} "
                f"(at {Path(where.filename).name}:{where.lineno})"
            )
        finally:
            await server.drop_database(url)

    def _take(self, pg_report: Report, pg: PgRun) -> None:
        """PostgreSQL's figures beside SQLite's, and its own rows under a `pg:` prefix."""
        mine, theirs = self.report.figures, pg_report.figures
        # A burst of apologies is fast and proves nothing: a phase whose interactions
        # failed (its notes say how) gives no figure.
        for key, phase in (("share_per_s", "share burst:"), ("steady_p99_ms", "steady mixed")):
            if any(note.startswith(phase) for note in pg_report.notes):
                theirs[key] = None
        share, pg_share = mine["share_per_s"], theirs["share_per_s"]
        ratio = pg_share / share if pg_share is not None and share else None
        mine["pg_share_per_s"] = pg_share
        mine["pg_steady_p99_ms"] = theirs["steady_p99_ms"]
        mine["pg_vs_sqlite"] = None if ratio is None else round(ratio, 2)
        self.report.row("pg_share_per_s (burst)", fmt(pg_share), f"SQLite {fmt(share)}")
        self.report.row("pg_vs_sqlite", fmt(ratio, 2), "pg_share_per_s / share_per_s")
        self.report.row(
            "pg_steady_p99_ms",
            fmt(theirs["steady_p99_ms"], 1),
            f"SQLite {fmt(mine['steady_p99_ms'], 1)}",
        )
        self.report.row(
            "  pg steady shares p99",
            f"{fmt(theirs['share_p99_ms'], 1)} ms (SQLite {fmt(mine['share_p99_ms'], 1)}) at "
            f"{self.sizes.steady_rate}/s for {self.sizes.steady_seconds:g} s",
        )
        for row in pg_report.rows:
            label = f"  pg: {row.label.strip()}" if row.label.startswith("  ") else None
            if label is None:
                label = f"  pg: {row.label}"
                value = " ".join(v for v in (row.value, row.baseline) if v)
                self.report.row(label, value)
            else:
                self.report.rows.append(dataclasses.replace(row, label=label))
        self.report.row("  pg: server", pg.server_info)
        self.report.row("  pg: CPU per share (burst)", pg.cpu_info)
        worst = pg.probe.max_block_ms_except()
        self.report.row("  pg: worst loop stall", f"{worst:,.0f} ms (not in max_loop_block_ms)")
        self.report.notes.extend(f"PostgreSQL: {note}" for note in pg_report.notes)
