"""The report a run fills: the figures of the JSON line, the table's rows, and printing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.probe import LoopProbe
from bench.runtime import ErrorCounter
from bench.sizes import Sizes, describe

#: The JSON line's keys, in order (exactly the issue's list).
KEYS = (
    "share_per_s",
    "share_p50_ms",
    "share_p99_ms",
    "api_alert_per_s",
    "api_lookup_per_s",
    "click_per_s",
    "click_p99_ms",
    "dispatch_only_per_s",
    "share_vs_dispatch",
    "store_share_per_s",
    "raw_sqlite_share_per_s",
    "store_vs_raw",
    "digest_ms",
    "summary_ms",
    "chart_ms",
    "max_loop_block_ms",
    "rss_mb",
    "steady_p99_ms",
    "steady_max_ms",
    "fanout_last_notified_s",
    "fanout_role_notified_s",
    "startup_max_block_ms",
    # the share phases again on PostgreSQL, same store, same run (null without a server)
    "pg_share_per_s",
    "pg_steady_p99_ms",
    "pg_vs_sqlite",
    "pg_two_process_share_per_s",
)

#: Probe phases that make up start-up (reported apart from `max_loop_block_ms`).
START_BEFORE_GATEWAY = "start-up, before the gateway"
START_CONNECTED = "start-up, gateway connected"
STARTUP_PHASES = (START_BEFORE_GATEWAY, START_CONNECTED)


@dataclass
class Row:
    label: str
    value: str
    baseline: str = ""
    target: str = ""
    verdict: str = ""


@dataclass
class Report:
    figures: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(KEYS))
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, *args: Any, **kwargs: Any) -> None:
        self.rows.append(Row(*args, **kwargs))


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def print_report(report: Report, sizes: Sizes, probe: LoopProbe, errors: ErrorCounter) -> None:
    rows = report.rows
    width = max(len(r.label) for r in rows) if rows else 20
    print()
    print(f"{'figure':<{width}}  {'value':>10}  {'beside':<28}  {'target':<9}  verdict")
    print("-" * (width + 64))
    for r in rows:
        if r.label.startswith("  "):
            print(f"{r.label:<{width}}  {r.value}")
            continue
        print(f"{r.label:<{width}}  {r.value:>10}  {r.baseline:<28}  {r.target:<9}  {r.verdict}")
    block = probe.max_block_ms_except(*STARTUP_PHASES)
    worst = sorted(
        ((k, v) for k, v in probe.by_phase.items() if k not in STARTUP_PHASES),
        key=lambda kv: -kv[1],
    )[:3]
    print(
        f"{'max_loop_block_ms (in service)':<{width}}  {block:>10.1f}  "
        f"{'worst: ' + ', '.join(f'{k} {v * 1000:.0f}' for k, v in worst):<28}  "
        f"{'< 50':<9}  {verdict(block < 50)}"
    )
    for stall in probe.stalls[:5]:
        print(f"  stall {stall.seconds * 1000:.0f} ms in {stall.phase}: {stall.where() or '?'}")
    print("-" * (width + 64))
    print(f"sizes {describe(sizes)}")
    if errors.count:
        print(f"errors logged during the run: {errors.count}")
        for sample in errors.samples:
            print(f"  {sample}")
    for note in report.notes:
        print(f"note: {note}")
