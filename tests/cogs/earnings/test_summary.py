"""Summaries, week boundaries, currencies, privacy between members, and the chart."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ui import Colours
from cogs.earnings import chart
from tests.cogs.earnings.helpers import colour, log
from tests.harness.driver import Harness

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_paid_and_effective_hourly_against_the_minimum_wage(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="6", minutes=40, status="approved", requester="Acme")
    await log(h, h.alice, amount="2", minutes=20, status="rejected", requester="Bad Labs")
    await log(h, h.alice, amount="1", minutes=10, status="pending", requester="Acme")
    await h.slash("earnings unpaid", user=h.alice, minutes=30)
    sent = await h.slash("earnings summary", user=h.alice)
    assert sent.ephemeral and sent.embed["title"].startswith("Your earnings — This week")
    money = sent.field("Money")
    assert "Approved: $6.00" in money and "Pending: $1.00" in money
    assert "Rejected: $2.00 (1)" in money
    hourly = sent.field("Hourly wage")
    assert "Paid hourly: **$8.40/h**" in hourly  # $7 over 50 paid minutes
    assert "Effective hourly: **$4.20/h**" in hourly  # $7 over 100 minutes in all
    assert "only 58% of your minimum wage ($7.25/h)" in hourly
    assert "Unpaid time pulls you under" in hourly
    time = sent.field("Time")
    assert "Paid: 50 min" in time and "Unpaid: 50 min" in time
    assert "rejected/returned 20 min" in time and "Searching for work 30 min" in time
    assert colour(sent) == Colours.BAD.value
    # the line adds up: $7.00 over 1 h 40 min (50 paid + 20 lost + 30 unpaid) is $4.20/h
    assert "**MTurk**: $7.00 · 1 h 40 min · $4.20/h" in sent.field("By platform")
    requesters = sent.field("Top requesters").splitlines()
    assert requesters[0].startswith("**Acme** (MTurk): $7.00 · $8.40/h")
    assert requesters[1].endswith("1 rejected/returned")


async def test_above_the_minimum_wage_is_green(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="3", minutes=10, status="approved")
    sent = await h.slash("earnings summary", user=h.alice, period="today")
    assert "✅ 248% of your minimum wage" in sent.field("Hourly wage")
    assert colour(sent) == Colours.GOOD.value


async def test_a_personal_minimum_wage_replaces_the_servers(harness: Harness) -> None:
    h = harness
    shown = await h.slash("earnings settings", user=h.alice, minimum_wage="15", currency="USD")
    assert shown.field("Minimum wage") == "$15.00/h"
    assert "server default" in shown.field("Time zone")
    await log(h, h.alice, amount="2", minutes=10, status="approved")
    sent = await h.slash("earnings summary", user=h.alice)
    assert "80% of your minimum wage ($15.00/h)" in sent.field("Hourly wage")
    lonely = await h.slash("earnings settings", user=h.alice, currency="EUR")
    assert "together with its currency" in lonely.content
    reset = await h.slash("earnings settings", user=h.alice, reset=True)
    assert reset.field("Minimum wage") == "$7.25/h (server default)"


async def test_currencies_are_summed_apart(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="6", minutes=60, status="approved")
    await log(
        h,
        h.alice,
        amount="4.50",
        currency="GBP",
        minutes=30,
        platform="Prolific",
        status="approved",
    )
    sent = await h.slash("earnings summary", user=h.alice)
    assert "Approved: $6.00" in sent.field("Money (USD)")
    assert "Approved: £4.50" in sent.field("Money (GBP)")
    assert "$6.00/h" in sent.field("Hourly wage (USD)")
    assert "£9.00/h" in sent.field("Hourly wage (GBP)")
    assert "minimum wage is in USD: not compared" in sent.field("Hourly wage (GBP)")
    assert "never converted" in sent.embed["footer"]["text"]
    assert "$10.50" not in sent.text and "£10.50" not in sent.text


async def test_a_member_never_sees_another_members_entries(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="1", minutes=10, requester="Alice's requester")
    await log(h, h.bob, amount="99", minutes=10, requester="Bob's requester")
    alice = await h.slash("earnings summary", user=h.alice)
    bob = await h.slash("earnings summary", user=h.bob)
    assert "$99.00" not in alice.text and "Bob" not in alice.text
    assert "$1.00" not in bob.text.replace("$1.00/h", "") and "Alice" not in bob.text
    carol = await h.slash("earnings summary", user=h.carol)
    assert "Nothing logged" in carol.embed["description"]
    assert alice.ephemeral and bob.ephemeral and carol.ephemeral


async def test_weeks_follow_each_members_time_zone(harness: Harness) -> None:
    h = harness
    # Monday 30 Nov, 08:00 UTC: still Sunday evening in Pago Pago, Monday morning in Paris
    h.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await h.slash("earnings settings", user=h.alice, timezone="Pacific/Pago_Pago")
    await h.slash("earnings settings", user=h.bob, timezone="Europe/Paris")
    await log(h, h.alice, date="2026-11-29", amount="5")
    await log(h, h.bob, date="2026-11-29", amount="5")
    alice = await h.slash("earnings summary", user=h.alice, period="week")
    bob = await h.slash("earnings summary", user=h.bob, period="week")
    assert "Pending: $5.00" in alice.field("Money")
    assert "Nothing logged" in bob.embed["description"]
    last = await h.slash("earnings summary", user=h.bob, period="last_week")
    assert "Pending: $5.00" in last.field("Money")
    assert "Nov 23, 2026 – Nov 29, 2026" in last.embed["title"]


async def test_custom_ranges(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, date="2026-10-15", amount="5")
    await log(h, h.alice, date="2026-11-20", amount="7")
    sent = await h.slash("earnings summary", user=h.alice, start="2026-10-01", end="2026-10-31")
    assert "Custom range" in sent.embed["title"] and "Pending: $5.00" in sent.field("Money")
    backwards = await h.slash(
        "earnings summary", user=h.alice, start="2026-11-10", end="2026-11-01"
    )
    assert backwards.ephemeral and "after its end" in backwards.content
    month = await h.slash("earnings summary", user=h.alice, period="month")
    assert "Pending: $7.00" in month.field("Money")


async def test_goal_in_the_summary(harness: Harness) -> None:
    h = harness
    await h.slash("earnings goal", user=h.alice, amount="10")
    await log(h, h.alice, date="2026-11-24", amount="12", status="approved")
    await log(h, h.alice, amount="4", status="approved")
    sent = await h.slash("earnings summary", user=h.alice)
    goal = sent.field("Daily goal")
    assert "$4.00 of $10.00 today (40%)" in goal and "met on 1 of 2 days" in goal


def _pid_file(parent: int) -> Path:
    return Path(tempfile.gettempdir()) / f"entraide-chart-spy-{parent}"


def spy_render(spec: chart.ChartSpec) -> bytes:
    """Draws for real and notes which process drew (module level: sent to the worker)."""
    parent = multiprocessing.parent_process()
    _pid_file(parent.pid if parent else os.getpid()).write_text(str(os.getpid()))
    return chart.render_png(spec)


async def test_the_chart_is_a_real_png_drawn_in_another_process(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # was: drawn in a worker thread; matplotlib holds the GIL, so it now goes to a process
    h = harness
    # the module the running bot uses (discord.py re-imports extensions for each bot)
    live_chart = importlib.import_module("cogs.earnings.chart")
    monkeypatch.setattr(live_chart, "render_png", spy_render)
    marker = _pid_file(os.getpid())
    marker.unlink(missing_ok=True)
    await log(h, h.alice, amount="6", minutes=40, status="approved", date="2026-11-24")
    await log(h, h.alice, amount="2", minutes=20, status="rejected")
    replies = await h.slash_all("earnings summary", user=h.alice, chart=True)
    assert [r.kind for r in replies] == ["deferred", "followup"]
    sent = replies[-1]
    assert sent.ephemeral
    ((name, data),) = sent.files
    assert name == "earnings.png" and data.startswith(PNG_MAGIC) and len(data) > 5_000
    assert sent.embed["image"]["url"] == "attachment://earnings.png"
    drawn_by = int(marker.read_text())
    marker.unlink()
    assert drawn_by != os.getpid()  # not this process, so never holding the loop's GIL


async def test_empty_period_has_no_chart(harness: Harness) -> None:
    sent = await harness.slash("earnings summary", user=harness.alice, chart=True)
    assert "Nothing logged" in sent.embed["description"] and not sent.files


def test_chart_for_a_long_period_is_weekly() -> None:
    from datetime import date

    from cogs.earnings.maths import build_summary
    from cogs.earnings.rules import Period

    summary = build_summary(Period("year", date(2026, 1, 1), date(2026, 11, 26)), [])
    text = chart.ChartText("t", "a", "p", "l", "h", "w", "m", "h", "%d/%m")
    spec = chart.chart_spec(summary, "USD", 725, text)
    assert 45 <= len(spec.labels) <= 49 and spec.min_wage == 7.25
    assert chart.render_png(spec).startswith(PNG_MAGIC)


async def test_french_summary(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="6", minutes=60, status="approved")
    sent = await h.slash("earnings summary", user=h.alice, locale="fr")
    assert sent.embed["title"].startswith("Vos gains — Cette semaine")
    assert "Horaire effectif : **6,00\xa0$US/h**" in sent.field("Salaire horaire")


def test_a_field_too_long_for_its_lines_says_how_many_it_left_out() -> None:
    from cogs.earnings.render import _fit_lines

    lines = [f"**Platform {n}**: $1.00 · 10 min · $6.00/h " + "x" * 40 for n in range(30)]
    text = _fit_lines(lines, "en")
    shown = text.splitlines()
    assert len(text) <= 1024
    kept = len(shown) - 1
    assert shown[-1] == f"…and {30 - kept} more"
    assert _fit_lines(lines[:2], "fr") == "\n".join(lines[:2])
