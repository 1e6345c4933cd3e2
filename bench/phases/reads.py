"""What members read: the digest, the personal API, the earnings summary and chart."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

from bench import world
from bench.datagen import NOW
from bench.phases.base import RunBase, has_command, timed
from bench.report import fmt, verdict
from bot.offload import run_cpu


class ReadPhases(RunBase):
    """What members read: the digest, the personal API, the earnings summary and chart."""

    async def digest(self) -> None:
        bench = self._bench()
        try:
            from cogs.digests.compose import compose_server_digest
            from cogs.digests.render import render_server
        except ImportError:
            self.report.notes.append("digest: cogs.digests not found")
            return
        from datetime import UTC, datetime

        end = datetime.fromtimestamp(NOW, UTC)
        timings: dict[str, list[float]] = {}
        for name, days in (("daily", 1), ("weekly", 7)):
            window = (end - timedelta(days=days), end)

            async def compose(window: Any = window) -> None:
                content = await compose_server_digest(bench.h.bot, world.GUILD_ID, window)
                render_server(content, "en")

            with self.measured("digest", f"digest {name}"):
                await compose()  # warm the page cache, as a live bot's would be
                timings[name] = await timed(self.sizes.repeats, compose)
        worst = max(statistics.median(v) for v in timings.values())
        self.report.figures["digest_ms"] = round(worst, 1)
        self.report.row(
            "digest_ms (compose + render)",
            fmt(worst, 1),
            ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in timings.items()),
            "< 50",
            verdict(worst < 50),
        )

    async def api_load(self) -> None:
        """`api_alert_per_s` and `api_lookup_per_s`, over loopback with a real client."""
        from bench import api

        bench = self._bench()
        cog = bench.h.bot.get_cog("Intake")
        server = getattr(cog, "server", None)
        if server is None or not server.port:
            self.report.notes.append("api: the personal API is not available")
            return
        base = f"http://127.0.0.1:{server.port}"
        with self.probe.paused():
            now = int(bench.h.clock.now().timestamp())
            tokens = await api.make_tokens(
                bench.h.db, bench.h.world.guild_id, self.sizes.members, now
            )
            ids = await api.requester_ids(bench.h.db)
        with self.measured("api", "api alerts"):
            posted = await api.alerts(base, tokens, self.sizes.burst, start=0)
            await bench.h.settle()
        with self.measured("api", "api lookups"):
            looked = await api.lookups(base, tokens, ids, max(50, self.sizes.burst // 5))
        for what, figures, ok in (
            ("api alerts", posted, {200, 201}),
            ("api lookups", looked, {200}),
        ):
            bad = {code: n for code, n in figures.statuses.items() if code not in ok}
            if bad:
                self.report.notes.append(f"{what}: unexpected statuses {bad}")
        self.report.figures["api_alert_per_s"] = round(posted.per_s)
        self.report.figures["api_lookup_per_s"] = round(looked.per_s)
        self.report.row(
            "api_alert_per_s (HIT JSON)",
            fmt(posted.per_s),
            f"{posted.requests:,} posts, {api.CONCURRENCY} in flight, p99 {posted.p99_ms:.0f} ms",
        )
        self.report.row(
            "api_lookup_per_s (100 ids)",
            fmt(looked.per_s),
            f"{looked.requests:,} requests, p99 {looked.p99_ms:.0f} ms",
        )

    async def summary_and_chart(self) -> None:
        bench = self._bench()
        try:
            from cogs.earnings import chart as charts
            from cogs.earnings.report_commands import chart_text
            from cogs.earnings.rules import Period
            from cogs.earnings.summary import summary as member_summary
        except ImportError:
            self.report.notes.append("summary/chart: cogs.earnings not found")
            return
        member = world.summary_member().id
        today = date.fromtimestamp(NOW)
        month = Period("month", today.replace(day=1), today)
        db = bench.h.db

        async def summarise() -> Any:
            return await member_summary(db, member, month)

        with self.measured("summary", "summary"):
            result = await summarise()
            times = await timed(self.sizes.repeats, summarise)
        entries = await db.fetch_value("SELECT count(*) FROM earnings WHERE user_id = ?", (member,))
        summary_ms = statistics.median(times)
        self.report.figures["summary_ms"] = round(summary_ms, 1)
        self.report.row(
            "summary_ms (one month)",
            fmt(summary_ms, 1),
            f"member with {entries:,} entries",
            "< 20",
            verdict(summary_ms < 20),
        )
        currency = result.currencies[0].currency if result.currencies else "USD"
        spec = charts.chart_spec(result, currency, 725, chart_text("en", currency, month))

        async def draw() -> bytes:
            # The bot's own path: the chart worker process (bot/offload.py).
            return await run_cpu(charts.render_png, spec)

        with self.probe.during("chart"):
            cold = await timed(1, draw)
            warm = await timed(self.sizes.repeats, draw)
        chart_ms = statistics.median(warm)
        self.report.figures["chart_ms"] = round(chart_ms, 1)
        self.report.row(
            "chart_ms (render, worker process)", fmt(chart_ms, 1), f"first {cold[0]:.0f} (import)"
        )
        await self._whole_log_export(entries)

    async def _whole_log_export(self, entries: int) -> None:
        """`/earnings export` of the member with the longest log, through dispatch.

        Not one of the issue's figures: its loop stalls are (they count in
        `max_loop_block_ms`, charged to "earnings export"), since turning a long log into
        records, JSON or CSV on the loop holds every other member's interaction.
        """
        bench = self._bench()
        if not has_command(bench, "earnings export"):
            return
        with self.probe.paused():
            payload = bench.slash_payload("earnings export", world.summary_member())
        with self.measured("export", "earnings export"):
            result = await bench.burst([payload])
        self._check(result, "earnings export")
        (answer,) = result.answers()
        self.report.row(
            "  earnings export, whole log",
            f"{entries:,} entries answered in {result.latencies_ms()[0]:,.0f} ms "
            f"({len(answer.files)} file); worst loop stall "
            f"{self.probe.by_phase.get('earnings export', 0.0) * 1000:.1f} ms",
        )
