"""The repository alone against raw sqlite3 replaying the same statements."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from bench import world
from bench.datagen import NOW
from bench.phases.base import RunBase, copy_db
from bench.report import fmt, verdict
from bench.sqltrace import SqlRecorder, open_raw, replay


def _same_alerts(a: Path, b: Path) -> bool:
    sql = (
        "SELECT count(*), max(id), sum(seen_count), total(length(seen_by)), "
        "sum(expires_at) FROM task_alerts"
    )
    results = []
    for path in (a, b):
        conn = open_raw(path)
        try:
            results.append(tuple(conn.execute(sql).fetchone()))
        finally:
            conn.close()
    return results[0] == results[1]


def _new_alert(task_rules: Any, tasks_db: Any, share: Any) -> Any:
    """The repository's input for a share, built by the same rules the command uses."""
    options = share.options
    draft = task_rules.build_share(
        task_rules.ShareInput(
            link=options.get("link"),
            title=options.get("title"),
            requester=options.get("requester"),
            reward=options["reward"],
            minutes=options["minutes"],
        ),
        default_currency="USD",
    )
    return tasks_db.NewAlert(
        guild_id=world.GUILD_ID,
        platform=draft.platform,
        task_key=draft.task_key,
        title=draft.title,
        reward_cents=draft.reward_cents,
        currency=draft.currency,
        minutes=draft.minutes,
        hourly_cents=draft.hourly_cents,
        sharer_id=share.user.id,
        platform_task_id=draft.platform_task_id,
        requester_name=draft.requester_name,
        link=draft.link,
    )


class StorePhases(RunBase):
    """The repository alone against raw sqlite3 replaying the same statements."""

    async def store_vs_raw(self) -> None:
        assert self.store is not None
        try:
            from cogs.tasks import rules as task_rules
            from db import tasks as tasks_db
        except ImportError:
            self.report.notes.append("store share: db.tasks not found")
            return
        from db.connection import Database

        store_path = self.folder / "store" / "entraide.db"
        raw_path = self.folder / "raw" / "entraide.db"
        store_path.parent.mkdir(parents=True, exist_ok=True)
        raw_path.parent.mkdir(parents=True, exist_ok=True)
        with self.probe.during("copies"):
            await copy_db(self.store, store_path)
            await copy_db(self.store, raw_path)
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.store_ops, self.sizes.duplicate_share)
            alerts = [_new_alert(task_rules, tasks_db, s) for s in shares]
        expires = NOW + 7200
        database = await Database.open(store_path)
        recorder = SqlRecorder.attach(database)
        try:
            with self.measured("store", "store shares"):
                started = time.perf_counter()
                await asyncio.gather(
                    *(tasks_db.share(database, a, now=NOW, expires_at=expires) for a in alerts)
                )
                store_seconds = time.perf_counter() - started
            statements = list(recorder.statements)
            hops = recorder.hops
        finally:
            recorder.detach()
            await database.close()
        conn = await asyncio.to_thread(open_raw, raw_path)
        try:
            with self.probe.during("raw sqlite replay"):
                raw_seconds = await asyncio.to_thread(replay, conn, statements)
        finally:
            await asyncio.to_thread(conn.close)
        same = await asyncio.to_thread(_same_alerts, store_path, raw_path)
        if not same:
            self.report.notes.append("raw replay did not reproduce the store's rows!")
        store_per_s = len(alerts) / store_seconds
        raw_per_s = len(alerts) / raw_seconds
        ratio = store_per_s / raw_per_s
        self.report.figures["store_share_per_s"] = round(store_per_s)
        self.report.figures["raw_sqlite_share_per_s"] = round(raw_per_s)
        self.report.figures["store_vs_raw"] = round(ratio, 2)
        self.report.row(
            "store_share_per_s",
            fmt(store_per_s),
            f"raw sqlite3 {fmt(raw_per_s)}",
            "",
        )
        self.report.row("store_vs_raw", fmt(ratio, 2), "", ">= 0.33", verdict(ratio >= 0.33))
        queries = [s for s in statements if s.kind in ("execute", "executemany")]
        self.report.row(
            "  store detail",
            f"{len(alerts):,} concurrent calls, {hops / len(alerts):.1f} hops and "
            f"{len(queries) / len(alerts):.1f} statements per share, replay identical: {same}",
        )
