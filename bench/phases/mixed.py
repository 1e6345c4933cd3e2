"""The busy evening: shares plus the other interactions members make, latency per kind."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

from bench import world
from bench.phases.base import RunBase, has_command, size_mb
from bench.probe import GcWatch
from bench.report import fmt, verdict
from bench.runtime import percentile


class MixedLoad(RunBase):
    """The busy evening: shares plus the other interactions members make, latency per kind."""

    async def steady_mixed(self) -> None:
        """A busy evening: shares plus clicks, `/earnings log`, `/requester info` and
        autocomplete, each interaction fed at its own instant; latency per kind.
        """
        bench = self._bench()
        h = bench.h
        sizes = self.sizes
        if not has_command(bench, "task share"):
            self.report.notes.append("steady mixed load: /task share not found")
            return
        seconds = sizes.mixed_seconds
        with self.probe.paused():
            rng = random.Random(self.seed * 1000 + 14)
            names = [
                row[0]
                for row in await h.db.fetch_all("SELECT name FROM requesters ORDER BY id LIMIT 500")
            ]
            targets = []
            for sent in h.in_channel(world.ALERTS)[-60:]:
                live = next(
                    (b["custom_id"] for b in sent.buttons if "tasks:live:" in b["custom_id"]),
                    None,
                )
                if live and sent.message_id in h.api.messages:
                    targets.append((h.api.messages[sent.message_id], live))
            timed: list[tuple[float, str, dict[str, Any]]] = []
            shares = self.shares.burst(int(sizes.mixed_share_rate * seconds), sizes.duplicate_share)
            for n, share in enumerate(shares):
                payload = bench.slash_payload("task share", share.user, **share.options)
                timed.append((n / sizes.mixed_share_rate, "share", payload))
            kinds = ["earnings log", "requester info", "autocomplete"]
            if targets:
                kinds.append("click")
            for n in range(int(sizes.mixed_other_rate * seconds)):
                at = n / sizes.mixed_other_rate
                user = world.member(rng.randrange(sizes.members))
                kind = kinds[n % len(kinds)]
                if kind == "click":
                    message, live = rng.choice(targets)
                    custom_id = live if rng.random() < 0.9 else live.replace(":live:", ":gone:")
                    payload = bench.click_payload(message, custom_id, user)
                elif kind == "earnings log":
                    payload = bench.slash_payload(
                        "earnings log",
                        user,
                        amount=f"{rng.uniform(0.2, 20):.2f}",
                        minutes=rng.randint(1, 60),
                        platform=rng.choice(("mturk", "prolific")),
                    )
                elif kind == "requester info":
                    payload = bench.slash_payload(
                        "requester info", user, requester=rng.choice(names or ["Nobody"])
                    )
                else:
                    prefix = rng.choice(names or ["Lab"])[: rng.randint(1, 4)]
                    payload = bench.autocomplete_payload(
                        "requester info", "requester", user, requester=prefix
                    )
                timed.append((at, kind, payload))
            timed.sort(key=lambda item: item[0])
            kind_of = {int(pl["id"]): kind for _, kind, pl in timed}
        db = h.db
        stats = getattr(db, "housekeeping", None)
        if stats is not None:  # the window's own longest merge step and wait behind one
            stats.fts_merge_seconds_max = stats.fts_merge_wait_seconds_max = 0.0
        before = dataclasses.asdict(stats) if stats is not None else None
        wal = Path(str(db.path) + "-wal")
        stalls_before = self.probe.over_50.get("steady mixed", 0)
        with GcWatch() as gcw, self.measured("mixed", "steady mixed"):
            result = await bench.schedule([(at, pl) for at, _, pl in timed])
        self._check(result, "steady mixed load")
        with self.probe.paused():
            by_kind: dict[str, list[float]] = {}
            for iid in result.ids:
                latency = bench.answers.latency(iid)
                if latency is not None:
                    by_kind.setdefault(kind_of[iid], []).append(latency * 1000)
        every = sorted(v for values in by_kind.values() for v in values)
        p99 = percentile(every, 99)
        worst = every[-1] if every else float("nan")
        self.report.figures["steady_p99_ms"] = round(p99, 1)
        self.report.figures["steady_max_ms"] = round(worst, 1)
        label = (
            f"steady_p99_ms ({sizes.mixed_share_rate:g} shares/s + "
            f"{sizes.mixed_other_rate:g} others/s, {seconds:g} s)"
        )
        self.report.row(
            label, fmt(p99, 1), f"p50 {fmt(percentile(every, 50), 1)}", "< 50", verdict(p99 < 50)
        )
        self.report.row("steady_max_ms", fmt(worst, 1), "", "< 250", verdict(worst < 250))
        for kind in sorted(by_kind):
            values = sorted(by_kind[kind])
            self.report.row(
                f"  {kind}",
                f"{len(values):,} answered: p50 {percentile(values, 50):.1f}, "
                f"p99 {percentile(values, 99):.1f}, max {values[-1]:.1f} ms",
            )
        block = self.probe.by_phase.get("steady mixed", 0.0) * 1000
        over = self.probe.over_50.get("steady mixed", 0) - stalls_before
        self.report.row(
            "  loop during the window",
            f"worst stall {block:.0f} ms, {over} stalls over 50 ms; GC {gcw.describe()}",
        )
        if stats is not None and before is not None and db.checkpointer is not None:
            after = dataclasses.asdict(stats)
            self.report.row(
                "  housekeeping in the window",
                f"{after['checkpoints'] - before['checkpoints']} background checkpoints "
                f"({after['checkpoint_frames'] - before['checkpoint_frames']:,} frames, "
                f"longest {after['checkpoint_seconds_max'] * 1000:.0f} ms, off the loop), "
                f"{after['checkpoint_busy'] - before['checkpoint_busy']} incomplete; "
                f"{after['fts_merges'] - before['fts_merges']} FTS merge steps "
                f"(longest {after['fts_merge_seconds_max'] * 1000:.1f} ms on the database's "
                f"thread), {after['fts_merge_interrupts'] - before['fts_merge_interrupts']} "
                "given way to a member (longest wait behind one "
                f"{after['fts_merge_wait_seconds_max'] * 1000:.1f} ms); "
                f"WAL now {size_mb(wal):.1f} MiB, largest {after['wal_bytes_max'] / 2**20:.1f}",
            )
        elif db.dialect == "postgresql":
            self.report.row(
                "  housekeeping in the window",
                "PostgreSQL's own (checkpoints, autovacuum, WAL) in the server's processes, "
                "on the same cores",
            )
        else:
            self.report.row(
                "  housekeeping in the window",
                "SQLite's automatic checkpoints and FTS5 automerge run inside members' "
                f"commits (not counted); WAL now {size_mb(wal):.1f} MiB",
            )
