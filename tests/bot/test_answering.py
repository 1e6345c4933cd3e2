"""`bot.answering.answer_when_ready`: one callback when quick, a deferral then a follow-up
when slow, and errors answered kindly on either path, for commands, buttons and modals.

Driven through real dispatch with a test-only cog. "Slow" is work waiting on an event the
test sets only once the deferral was recorded, with the deadline at 0: nothing sleeps.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot import answering
from bot.answering import Answer, answer_when_ready
from bot.error_handler import EntraideModal, EntraideView
from bot.errors import UserError
from bot.ui import reply
from tests.harness.answers import CALLBACK, FOLLOWUP, deferred_then_open
from tests.harness.driver import Harness
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends


class Probe(commands.Cog):
    """`/answerprobe what:… slow:…`: the work `answer_when_ready` runs, as chosen."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()

    def deadline(self, slow: bool) -> float | None:
        return 0.0 if slow else None  # None: the real 2-second default

    async def work(self, what: str, slow: bool) -> Answer:
        if slow:
            await self.gate.wait()
        if what == "user":
            raise UserError("common.errors.not_set_up")
        if what == "crash":
            raise ZeroDivisionError("oops")
        return Answer(f"done {what}", view=Buttons(self) if what == "view" else None)

    def answer(
        self, interaction: discord.Interaction, work: Awaitable[Answer], slow: bool
    ) -> Awaitable[None]:
        return answer_when_ready(interaction, work, deadline=self.deadline(slow))

    @app_commands.command(name="answerprobe", description="test")
    async def probe(self, interaction: discord.Interaction, what: str, slow: bool = False) -> None:
        if what == "modal":
            await interaction.response.send_modal(AskModal(self, slow=slow))
            return
        if what == "posted":
            await reply(interaction, "buttons", view=Buttons(self), ephemeral=False)
            return
        await self.answer(interaction, self.work(what, slow), slow)


class Buttons(EntraideView):
    def __init__(self, probe: Probe) -> None:
        super().__init__(timeout=None)
        self.probe = probe

    @discord.ui.button(label="Quick", custom_id="answer:quick")
    async def quick(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.probe.answer(interaction, self.probe.work("button", False), False)

    @discord.ui.button(label="Slow", custom_id="answer:slow")
    async def slow(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.probe.answer(interaction, self.probe.work("button", True), True)

    @discord.ui.button(label="Slow fail", custom_id="answer:slow-fail")
    async def slow_fail(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.probe.answer(interaction, self.probe.work("user", True), True)


class AskModal(EntraideModal, title="Ask"):
    text = discord.ui.TextInput(label="Text", custom_id="text")

    def __init__(self, probe: Probe, *, slow: bool) -> None:
        super().__init__(custom_id="answer-modal")
        self.probe = probe
        self.slow = slow

    async def on_submit(self, interaction: discord.Interaction) -> None:
        work = self.probe.work(self.text.value, self.slow)
        await self.probe.answer(interaction, work, self.slow)


@pytest.fixture
async def probe(harness: Harness) -> Harness:
    await harness.bot.add_cog(Probe())
    return harness


def _cog(h: Harness) -> Probe:
    cog = h.bot.get_cog("Probe")
    assert isinstance(cog, Probe)
    return cog


async def _deferred_then_open(h: Harness, run: Awaitable[list[Sent]]) -> list[Sent]:
    return await deferred_then_open(h, run, _cog(h).gate)


def _callbacks(h: Harness) -> list[dict[str, Any]]:
    return [c.json or {} for c in h.api.calls_to("POST", CALLBACK)]


# -- commands -------------------------------------------------------------------------------


async def test_quick_work_is_one_ephemeral_callback(probe: Harness) -> None:
    sent = await probe.slash_all("answerprobe", what="fine")
    assert [s.kind for s in sent] == ["response"]
    assert sent[0].ephemeral and sent[0].content == "done fine"
    assert [c["type"] for c in _callbacks(probe)] == [4]
    assert _callbacks(probe)[0]["data"]["flags"] & 64
    assert not probe.api.calls_to("POST", FOLLOWUP)


async def test_slow_work_defers_then_follows_up_with_the_same_answer(probe: Harness) -> None:
    sent = await _deferred_then_open(probe, probe.slash_all("answerprobe", what="fine", slow=True))
    assert [s.kind for s in sent] == ["deferred", "followup"]
    assert sent[0].ephemeral and sent[1].ephemeral and sent[1].content == "done fine"
    assert [c["type"] for c in _callbacks(probe)] == [5]
    assert len(probe.api.calls_to("POST", FOLLOWUP)) == 1


async def test_user_error_on_the_quick_path_is_one_callback(probe: Harness) -> None:
    sent = await probe.slash_all("answerprobe", what="user")
    assert [s.kind for s in sent] == ["response"]
    assert sent[0].ephemeral and "/setup" in sent[0].content


async def test_user_error_on_the_slow_path_follows_the_deferral(probe: Harness) -> None:
    sent = await _deferred_then_open(probe, probe.slash_all("answerprobe", what="user", slow=True))
    assert [s.kind for s in sent] == ["deferred", "followup"]
    assert sent[1].ephemeral and "/setup" in sent[1].content


@pytest.mark.parametrize("slow", [False, True])
async def test_unexpected_error_apologises_on_either_path(
    probe: Harness, caplog: pytest.LogCaptureFixture, slow: bool
) -> None:
    run = probe.slash_all("answerprobe", what="crash", slow=slow)
    with caplog.at_level(logging.ERROR):
        sent = await (_deferred_then_open(probe, run) if slow else run)
    assert [s.kind for s in sent] == (["deferred", "followup"] if slow else ["response"])
    assert sent[-1].ephemeral and sent[-1].content.startswith("Sorry")
    assert [r for r in caplog.records if "unhandled error" in r.getMessage()]


async def test_the_answer_carries_its_view(probe: Harness) -> None:
    sent = await probe.slash("answerprobe", what="view")
    assert sent.kind == "response" and sent.button("Quick")


async def test_a_failed_deferral_is_logged_and_the_answer_still_tried(
    probe: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    probe.api.fail("POST", CALLBACK, 500)  # the deferral
    with caplog.at_level(logging.WARNING):
        sent = await _settled_after_failed_deferral(probe)
    assert "could not defer" in caplog.text
    assert [s.kind for s in sent] == ["response"] and sent[0].content == "done fine"


async def _settled_after_failed_deferral(h: Harness) -> list[Sent]:
    task = asyncio.ensure_future(h.slash_all("answerprobe", what="fine", slow=True))
    for _ in range(10_000):
        await asyncio.sleep(0)
        if h.api.calls_to("POST", CALLBACK):
            break
    _cog(h).gate.set()
    return await task


async def test_work_ending_while_the_deferral_is_in_flight_follows_it(
    probe: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the answer waits for the deferral's callback, never sends a second one."""
    from discord.webhook import async_ as webhook_async

    installed = webhook_async.AsyncWebhookAdapter.request

    async def slow_deferral(adapter: Any, route: Any, *args: Any, **kwargs: Any) -> Any:
        if (kwargs.get("payload") or {}).get("type") == 5:
            _cog(probe).gate.set()  # the work ends now, mid-deferral
            for _ in range(50):
                await asyncio.sleep(0)
        return await installed(adapter, route, *args, **kwargs)

    monkeypatch.setattr(webhook_async.AsyncWebhookAdapter, "request", slow_deferral)
    sent = await probe.slash_all("answerprobe", what="fine", slow=True)
    assert [s.kind for s in sent] == ["deferred", "followup"]
    assert [c["type"] for c in _callbacks(probe)] == [5]
    assert sent[1].content == "done fine"


# -- components and modals ------------------------------------------------------------------


async def test_button_quick_and_slow(probe: Harness) -> None:
    posted = await probe.slash("answerprobe", what="posted")
    quick = await probe.click(posted, "Quick", user=probe.bob)
    assert [s.kind for s in quick] == ["response"] and quick[0].ephemeral
    assert quick[0].content == "done button"
    slow = await _deferred_then_open(probe, probe.click(posted, "Slow", user=probe.bob))
    assert [s.kind for s in slow] == ["deferred", "followup"]
    assert slow[0].ephemeral and slow[1].ephemeral and slow[1].content == "done button"


async def test_button_error_after_a_deferral(probe: Harness) -> None:
    posted = await probe.slash("answerprobe", what="posted")
    sent = await _deferred_then_open(probe, probe.click(posted, "Slow fail", user=probe.bob))
    assert [s.kind for s in sent] == ["deferred", "followup"]
    assert sent[1].ephemeral and "/setup" in sent[1].content


@pytest.mark.parametrize("slow", [False, True])
async def test_modal_on_either_path(probe: Harness, slow: bool) -> None:
    modal = await probe.slash("answerprobe", what="modal", slow=slow)
    run = probe.submit_modal(modal, {"text": "fine"})
    sent = await (_deferred_then_open(probe, run) if slow else run)
    assert [s.kind for s in sent] == (["deferred", "followup"] if slow else ["response"])
    assert sent[-1].ephemeral and sent[-1].content == "done fine"
    modal = await probe.slash("answerprobe", what="modal", slow=slow)
    _cog(probe).gate = asyncio.Event()
    run = probe.submit_modal(modal, {"text": "user"})
    sent = await (_deferred_then_open(probe, run) if slow else run)
    assert sent[-1].ephemeral and "/setup" in sent[-1].content


# -- the deadline's clock -------------------------------------------------------------------


_NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


class _Arrived:
    def __init__(self, seconds_ago: float) -> None:
        self.created_at = _NOW - dt.timedelta(seconds=seconds_ago)


@pytest.mark.parametrize(
    ("seconds_ago", "expected"),
    [(0.5, 0.5), (2.5, 2.5), (-4.0, 0.0), (3600.0, 0.0)],
)
def test_elapsed_trusts_only_a_plausible_clock(seconds_ago: float, expected: float) -> None:
    arrived = _Arrived(seconds_ago)
    waited = answering.elapsed_since_arrival(arrived, now=_NOW)  # type: ignore[arg-type]
    assert waited == expected
