"""The benchmark's PostgreSQL figures: the keys exist, stay null without a server or when
the shares failed, and sit beside SQLite's. No timing is asserted (figures are the bench's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import pgserver
from bench.phases import postgres
from bench.phases.postgres import PostgresPhases
from bench.phases.processes import Burst
from bench.report import KEYS, Report, print_report
from bench.runtime import ErrorCounter
from bench.sizes import QUICK

PG_KEYS = ("pg_share_per_s", "pg_steady_p99_ms", "pg_vs_sqlite", "pg_two_process_share_per_s")


def _run(tmp_path: Path) -> PostgresPhases:
    run = PostgresPhases(QUICK, 7, tmp_path)
    run.store = tmp_path / "store.db"
    return run


def test_the_json_line_has_the_postgresql_keys_null_by_default() -> None:
    assert set(PG_KEYS) <= set(KEYS)
    figures = Report().figures
    assert all(figures[key] is None for key in PG_KEYS)


async def test_no_server_says_so_in_one_line_and_leaves_the_keys_null(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(pgserver.ENV_SWITCH, "0")
    run = _run(tmp_path)
    await run.postgres_phases()
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "PostgreSQL phases skipped" in out[0]
    assert "BENCH_POSTGRES=0" in out[0]
    assert all(run.report.figures[key] is None for key in PG_KEYS)
    assert json.loads(json.dumps({k: run.report.figures[k] for k in KEYS}))["pg_vs_sqlite"] is None
    print_report(run.report, QUICK, run.probe, ErrorCounter())
    assert "no server" in capsys.readouterr().out


def test_an_unusable_bench_url_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(pgserver.ENV_SWITCH, raising=False)
    monkeypatch.setenv(pgserver.ENV_URL, "sqlite:///x.db")
    assert "postgresql://" in pgserver.open_server()  # type: ignore[operator]
    monkeypatch.setenv(pgserver.ENV_URL, "mysql://bench:hunter2@db/x")
    why = pgserver.open_server()
    assert isinstance(why, str)
    assert "hunter2" not in why
    assert "\n" not in why


def test_a_given_server_is_used_and_shown_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(pgserver.ENV_SWITCH, raising=False)
    monkeypatch.setenv(pgserver.ENV_URL, "postgresql://bench:hunter2@db.example:5433/postgres")
    server = pgserver.open_server()
    assert isinstance(server, pgserver.BenchServer)
    assert not server.started
    assert "hunter2" not in server.where
    assert "db.example" in server.where
    server.stop()  # an existing server is left alone: nothing to stop, no error


def _pg_report(**figures: float | None) -> Report:
    report = Report()
    report.figures.update(figures)
    report.row("share_per_s (burst)", "500", "dispatch-only 1,000")
    report.row("  burst detail", "300 shares")
    return report


def test_postgresql_figures_sit_beside_sqlites(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.report.figures.update(share_per_s=1000, steady_p99_ms=9.5, share_p99_ms=20.0)
    pg = postgres.PgRun(QUICK, 7, tmp_path, None, None)  # type: ignore[arg-type]
    run._take(_pg_report(share_per_s=500, steady_p99_ms=12.0, share_p99_ms=30.0), pg)
    figures = run.report.figures
    assert figures["pg_share_per_s"] == 500
    assert figures["pg_steady_p99_ms"] == 12.0
    assert figures["pg_vs_sqlite"] == 0.5
    rows = {row.label: row for row in run.report.rows}
    assert rows["pg_share_per_s (burst)"].baseline == "SQLite 1,000"
    assert rows["pg_steady_p99_ms"].baseline == "SQLite 9.5"
    assert "  pg: share_per_s (burst)" in rows
    assert "  pg: burst detail" in rows


def test_failed_shares_give_no_postgresql_figure(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.report.figures.update(share_per_s=1000, steady_p99_ms=9.5)
    failed = _pg_report(share_per_s=5000, steady_p99_ms=1.0)
    failed.notes += ["share burst: 300 interactions got the apology", "steady mixed load: 2 x"]
    pg = postgres.PgRun(QUICK, 7, tmp_path, None, None)  # type: ignore[arg-type]
    run._take(failed, pg)
    figures = run.report.figures
    assert figures["pg_share_per_s"] is None
    assert figures["pg_vs_sqlite"] is None
    assert figures["pg_steady_p99_ms"] is None
    assert any("apology" in note for note in run.report.notes)


def test_two_processes_count_every_share_over_the_whole_span() -> None:
    a = {"started": 100.0, "answered": 101.0, "count": 300, "apologies": 0, "unanswered": 0}
    b = {"started": 100.5, "answered": 102.0, "count": 300, "apologies": 1, "unanswered": 2}
    a["cpu_s"], b["cpu_s"] = 0.6, 0.9
    burst = Burst([a, b])
    assert burst.count == 600
    assert burst.per_second == 300  # 600 shares from 100.0 to 102.0
    assert burst.failed == 3
    assert burst.cpu.startswith("bot 2.50 ms")  # 1.5 s of CPU over 600 shares
    assert "n/a" in burst.cpu  # no server CPU measured
    timed = Burst([a, b], server_cpu_s=0.3)
    assert "bot 2.50 ms + PostgreSQL server 0.50 ms" in timed.cpu
    assert Burst([a]).failed == 0


def test_each_worker_serves_a_server_the_store_set_up() -> None:
    from bench import world
    from bench.servers import server_world

    assert server_world(0) == world.bench_world()
    other = server_world(2)
    assert other.guild_id == world.guild_id(2)
    assert other.alerts == world.guild_id(2) + 11  # fill_guilds' alerts channel
    assert other.bot_user == world.bench_world().bot_user  # one bot, several shards
