"""From a share to the members it must reach: subscribers' DMs at Discord's pace, and the
one message that mentions a notification role.
"""

from __future__ import annotations

import time
from typing import Any

from bench import roles
from bench.phases.base import RunBase, has_command
from bench.report import fmt, verdict


class FanOut(RunBase):
    """Subscribers' DMs at Discord's pace, and the one message that mentions a role."""

    async def fan_out(self) -> None:
        """From a share to the last matching subscriber's DM, at Discord's pace; and to
        the one message that mentions a notification role as many members hold.
        """
        bench = self._bench()
        h = bench.h
        outbox = getattr(h.bot.get_cog("AlertsCog"), "outbox", None)
        if outbox is None or not has_command(bench, "task share"):
            self.report.notes.append("fan-out: no alert outbox")
            return
        await h.settle()
        role: roles.RoleWatch | None = None
        if h.bot.get_cog("RolesCog") is not None:
            with self.probe.paused():
                role = await roles.register(bench, self.sizes.subscriptions)
        else:
            self.report.notes.append("fan-out: no notification roles (cogs.roles)")
        delivered: dict[int, list[float]] = {}
        note = outbox._note

        def timed_note(letter: Any, outcome: str) -> None:
            if outcome != "failed":
                delivered.setdefault(letter.out.alert.id, []).append(time.perf_counter())
            note(letter, outcome)

        outbox._note = timed_note
        results: list[tuple[int, float]] = []
        opened = h.bot.direct.channels_opened
        by_role: list[float | None] = []
        try:
            with self.probe.during("fan-out"):
                for share in self.shares.burst(self.sizes.fanout_shares, 0.0):
                    with self.probe.paused():
                        payload = bench.slash_payload("task share", share.user, **share.options)
                    iid = int(payload["id"])
                    waiter = bench._waiters([iid])[0]
                    fed = time.perf_counter()
                    bench.feed(payload, fed)
                    await waiter
                    await h.settle()  # the outbox sends at its real pace here
                    alert_id = await h.db.fetch_value("SELECT max(id) FROM task_alerts")
                    times = delivered.get(int(alert_id), [])
                    results.append((len(times), max(times) - fed if times else 0.0))
                    if role is not None:
                        by_role.append(role.first_after(fed))
        finally:
            del outbox._note
            if role is not None:
                await role.close()
        worst = max(r[1] for r in results)
        self.report.figures["fanout_last_notified_s"] = round(worst, 2)
        self.report.row(
            "fanout_last_notified_s",
            fmt(worst, 2),
            f"{self.sizes.subscriptions:,} subscriptions",
            "< 2",
            verdict(worst < 2),
        )
        self.report.row(
            "  fan-out detail",
            "; ".join(f"{n} members notified, last after {s:.2f} s" for n, s in results)
            + f" (DM requests at {outbox.rate:g}/s; {h.bot.direct.channels_opened - opened:,}"
            " of them asked Discord for a member's DM channel first)",
        )
        if role is None:
            return
        posted = [r for r in by_role if r is not None]
        worst_role = max(posted) if len(posted) == len(by_role) else None
        if worst_role is None:
            self.report.notes.append("fan-out: a share's role mention was never posted")
        self.report.figures["fanout_role_notified_s"] = (
            None if worst_role is None else round(worst_role, 3)
        )
        self.report.row(
            "fanout_role_notified_s",
            fmt(worst_role, 3),
            f"{role.holders:,} members hold the role",
            "< 2",
            verdict(None if worst_role is None else worst_role < 2),
        )
        self.report.row(
            "  role detail",
            "; ".join("never" if r is None else f"{r * 1000:.0f} ms" for r in by_role)
            + " from the share to the one message mentioning the role (every holder told)",
        )
