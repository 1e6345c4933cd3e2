"""Bursts and steady streams of shares and clicks, against dispatch alone."""

from __future__ import annotations

import time

from bench import world
from bench.phases.base import RunBase, alert_count, dm_count, has_command
from bench.report import fmt, verdict
from bench.runtime import percentile
from bench.sqltrace import SqlRecorder
from bench.workload import clickers


class SharePhases(RunBase):
    """Bursts and steady streams of shares and clicks, against dispatch alone."""

    async def dispatch_only(self) -> None:
        bench = self._bench()
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.burst, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("bench share", s.user, **s.options) for s in shares]
        with self.measured("dispatch", "dispatch-only burst"):
            result = await bench.burst(payloads)
        self._check(result, "dispatch-only")
        self.report.figures["dispatch_only_per_s"] = round(result.per_second)
        self.report.row("dispatch_only_per_s", fmt(result.per_second))

    async def share_burst(self) -> None:
        bench = self._bench()
        if not has_command(bench, "task share"):
            self.report.notes.append("share burst: /task share not found")
            return
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.burst, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
        # Statement hops are counted on SQLite's connection (bench/sqltrace.py) only.
        recorder = SqlRecorder.attach(bench.h.db) if bench.h.db.dialect == "sqlite" else None
        if recorder is not None:
            recorder.recording = False
        before = await alert_count(bench)
        dms_before = dm_count(bench)
        cpu = time.process_time()
        with self.measured("share-burst", "share burst"):
            result = await bench.burst(payloads)
        cpu = time.process_time() - cpu  # the drain of background work included
        if recorder is not None:
            recorder.detach()
        self._check(result, "share burst")
        created = await alert_count(bench) - before
        dms = dm_count(bench) - dms_before
        fresh = sum(1 for s in shares if not s.duplicate)
        if created != fresh:
            self.report.notes.append(f"share burst: {fresh} new tasks gave {created} alerts")
        per_s = result.per_second
        dispatch = self.report.figures["dispatch_only_per_s"]
        ratio = per_s / dispatch if dispatch else None
        self.report.figures["share_per_s"] = round(per_s)
        self.report.figures["share_vs_dispatch"] = None if ratio is None else round(ratio, 2)
        self.report.row(
            "share_per_s (burst)",
            fmt(per_s),
            f"dispatch-only {fmt(dispatch)}",
            ">= 2,000",
            verdict(per_s >= 2000),
        )
        self.report.row(
            "share_vs_dispatch", fmt(ratio, 2), "", ">= 0.5", verdict(ratio and ratio >= 0.5)
        )
        self.report.row(
            "  burst detail",
            f"{len(shares):,} shares ({fresh:,} new, {len(shares) - fresh:,} re-shares) → "
            f"{created:,} alerts, {dms:,} subscriber DMs; "
            + (
                f"{recorder.hops / len(shares):.1f} db hops/share (fan-out included); "
                if recorder is not None
                else ""
            )
            + f"all background work done after {result.settled - result.started:.2f} s; "
            f"CPU {cpu * 1000 / len(shares):.2f} ms/share in the bot's process "
            "(SQLite's work is in it, PostgreSQL's is not)",
        )

    async def share_without_fan_out(self) -> None:
        """Diagnostic: the same burst with the `alert_posted` listeners detached.

        Not one of the issue's figures: it splits the share path's own cost from the
        subscription fan-out it triggers, so a miss can be charged to the right feature.
        """
        bench = self._bench()
        if not has_command(bench, "task share"):
            return
        bot = bench.h.bot
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.burst, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
        listeners = bot.extra_events.pop("on_alert_posted", [])
        try:
            with self.measured("share-alone", "share burst, fan-out off"):
                result = await bench.burst(payloads)
        finally:
            if listeners:
                bot.extra_events["on_alert_posted"] = listeners
        self._check(result, "share burst without fan-out")
        with self.probe.paused():
            latencies = result.latencies_ms()
        self.report.row(
            "  share_per_s, fan-out off",
            f"{result.per_second:,.0f}/s, p99 {percentile(latencies, 99):,.0f} ms "
            "(diagnostic: the share path alone, subscribers not told)",
        )

    async def share_steady(self) -> None:
        bench = self._bench()
        if not has_command(bench, "task share"):
            return
        count = int(self.sizes.steady_rate * self.sizes.steady_seconds)
        with self.probe.paused():
            shares = self.shares.burst(count, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
        with self.measured("share-steady", "steady shares"):
            result = await bench.steady(payloads, self.sizes.steady_rate)
        self._check(result, "steady shares")
        with self.probe.paused():
            latencies = result.latencies_ms()
            acks = result.latencies_ms(first_response=True)
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        late = sum(1 for a in acks if a > 3000)
        self.report.figures["share_p50_ms"] = round(p50, 1)
        self.report.figures["share_p99_ms"] = round(p99, 1)
        self.report.row(
            f"share_p50_ms ({self.sizes.steady_rate}/s for {self.sizes.steady_seconds:g} s)",
            fmt(p50, 1),
        )
        self.report.row(
            "share_p99_ms",
            fmt(p99, 1),
            f"max {fmt(latencies[-1], 1)}",
            "< 50",
            verdict(p99 < 50),
        )
        self.report.row(
            "  first response (answer or deferral) p99",
            f"{percentile(acks, 99):,.1f} ms; {late} of {len(acks)} past Discord's 3 s limit",
        )

    async def click_burst(self) -> None:
        bench = self._bench()
        if not has_command(bench, "task share"):
            self.report.notes.append("click burst: no alerts to click on")
            return
        h = bench.h
        hot = self.shares.burst(1, 0.0)[0]
        await h.slash("task share", user=hot.user, **hot.options)
        posted = h.in_channel(world.ALERTS)[-1]
        message = h.api.messages[posted.message_id]
        live = next(
            b["custom_id"] for b in posted.buttons if b["custom_id"].startswith("tasks:live:")
        )
        gone = live.replace(":live:", ":gone:")
        people = clickers(self.sizes.clicks, offset=self.sizes.members // 2)
        split = int(len(people) * 0.9)  # a rush of "still live", then it runs out
        with self.probe.paused():
            payloads = [
                bench.click_payload(message, live if n < split else gone, person)
                for n, person in enumerate(people)
            ]
        with self.measured("clicks", "click burst"):
            result = await bench.burst(payloads)
        self._check(result, "click burst")
        with self.probe.paused():
            latencies = result.latencies_ms()
        p99 = percentile(latencies, 99)
        self.report.figures["click_per_s"] = round(result.per_second)
        self.report.figures["click_p99_ms"] = round(p99, 1)
        self.report.row("click_per_s (burst, one alert)", fmt(result.per_second))
        self.report.row("click_p99_ms", fmt(p99, 1), f"p50 {fmt(percentile(latencies, 50), 1)}")
        with self.probe.paused():
            deferred = sum(1 for a in result.answers() if a.kind == "deferred_update")
        self.report.row(
            "  click detail",
            f"{deferred:,} of {len(payloads):,} answered by a deferred update (their redraw "
            f"coalesced into the edit in flight); alert redrawn, all done after "
            f"{result.settled - result.started:.2f} s",
        )
