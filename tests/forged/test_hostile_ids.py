"""Ids no honest client sends: oversized numbers, any custom_id in our namespaces from
another server or a DM, another server's channel or role as an option."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import t
from bot.ids import SQL_INT_MAX
from tests.forged.helpers import (
    APOLOGY,
    Errors,
    _custom_id,
    assert_untouched,
    refused,
    report,
    share,
    state,
)
from tests.harness.driver import DEFAULT_NOW, Harness, configure_server
from tests.harness.driver import test_settings as make_settings
from tests.harness.payloads import FakeUser
from tests.harness.world import World


@pytest.mark.parametrize(
    "custom_id",
    [
        "tasks:gone:" + "9" * 30,
        "tasks:live:" + "1" * 21,
        "tasks:gone:" + str(SQL_INT_MAX + 1),  # 19 digits, one past SQLite's integers
        "tasks:did:99999999999999999999",  # 20 digits
        "requesters:report:confirm:" + "9" * 30,
        "requesters:answer:" + "9" * 30,
        "reviews:flag:" + "9" * 30,
        "alerts:remove:" + "9" * 30,
        "alerts:remove-all:" + "9" * 30,
        "alerts:stop:" + "9" * 20,
        "earnings:entry:" + "9" * 30 + ":1:delete",
        "earnings:entry:1:" + "9" * 20 + ":delete",
        "earnings:from-alert:" + "9" * 20 + ":5",
        "earnings:from-alert:1:" + "9" * 40,
    ],
)
async def test_oversized_ids_are_refused_kindly(
    configured: Harness, errors: Errors, custom_id: str
) -> None:
    h = configured
    await share(h)
    before = state(h)
    replies = await h.press(custom_id, user=h.mod)
    refused(replies)
    assert_untouched(h, before, errors)


async def test_a_huge_integer_option_is_refused_before_the_command(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    before = state(h)
    for command, options in [
        ("earnings delete", {"entry": 10**30}),
        ("earnings status", {"entry": 10**30, "status": "approved"}),
    ]:
        sent = await h.slash(command, user=h.alice, **options)
        assert sent.ephemeral
        assert sent.content == t(
            "common.errors.option_number", "en-US", name="entry", value=str(10**30)[:30]
        )
    sent = await h.slash(
        "task delete",
        user=h.mod,
        alert="https://discord.com/channels/1/2/" + "9" * 30,
        reason="spam",
    )
    assert sent.ephemeral and sent.content != APOLOGY and "is not an alert" in sent.content
    assert_untouched(h, before, errors)


def test_forged_custom_ids_from_another_server_never_crash_or_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any id, any length, pressed by server B's members or from a DM: server A's data
    never changes, no click gets the apology and nothing is logged as an error."""
    handler = Errors()
    logging.getLogger().addHandler(handler)
    failures: list[str] = []
    try:
        with asyncio.Runner() as runner:
            h, b = runner.run(_start_two_servers(tmp_path, monkeypatch))
            before = state(h)
            people = [b.alice, b.mod, b.admin, h.alice, h.mod]

            @settings(
                max_examples=60,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(custom_id=_custom_id(), who=st.sampled_from(people), dm=st.booleans())
            def run(custom_id: str, who: FakeUser, dm: bool) -> None:
                handler.records.clear()
                world: World | None = None if dm else b
                replies = runner.run(h.press(custom_id, user=who, world=world, dm=dm))
                where = f"{custom_id!r} by {who.name} ({'DM' if dm else 'server B'})"
                assert not [r for r in replies if r.content == APOLOGY], f"{where}: apologised"
                assert not handler.records, f"{where}: logged {handler.records[0].getMessage()}"
                assert state(h) == before, f"{where}: changed server A's data"

            try:
                run()
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
            finally:
                runner.run(h.stop())
    finally:
        logging.getLogger().removeHandler(handler)
    assert not failures, failures


async def _start_two_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Harness, World]:
    from bot.clock import ManualClock

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    h = await Harness.start(make_settings(tmp_path), ManualClock(DEFAULT_NOW), monkeypatch)
    await configure_server(h)
    b = await h.add_server()
    await share(h)
    await report(h)
    await h.slash("alerts subscribe", user=h.alice, min_hourly=9.5)
    await h.slash("earnings log", user=h.alice, amount="1.50", minutes=6, platform="Prolific")
    return h, b


async def test_another_servers_channel_or_role_cannot_be_chosen(configured: Harness) -> None:
    """Option values are ids too: B's channel or role given to A's /setup changes nothing."""
    h = configured
    b = await h.add_server()
    before = state(h)
    sent = await h.slash("setup role", user=h.admin, role=b.mod_role)
    assert sent.ephemeral and sent.content == t("setup.errors.unknown_role", "en-US")
    sent = await h.slash("setup channel", user=h.admin, kind="alerts", target=b.alerts)
    assert sent.ephemeral and sent.content != APOLOGY  # discord.py's transformer refuses it
    assert_untouched(h, before)
