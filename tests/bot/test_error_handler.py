"""The global error handler, driven through real dispatch with a test-only cog."""

from __future__ import annotations

import logging
import re

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.error_handler import EntraideModal, EntraideView, guarded
from bot.errors import UserError
from bot.ui import reply
from db.connection import DatabaseBusyError
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


class Boom(discord.ui.DynamicItem[discord.ui.Button], template=r"boom:(?P<n>\d+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label="Boom", custom_id=f"boom:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):  # type: ignore[override]
        return cls(int(match["n"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        if self.n == 1:
            raise UserError("common.errors.not_moderator")
        raise RuntimeError("kaboom")


class AskModal(EntraideModal, title="Ask"):
    answer = discord.ui.TextInput(label="Answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if self.answer.value == "bad":
            raise UserError("common.errors.bad_amount", text="bad")
        await reply(interaction, f"got {self.answer.value}")


class Buttons(EntraideView):
    @discord.ui.button(label="Fail", custom_id="fail")
    async def fail(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        raise UserError("common.errors.guild_only")


class Probe(commands.Cog):
    @app_commands.command(name="probe", description="test")
    async def probe(self, interaction: discord.Interaction, what: str) -> None:
        if what == "user":
            raise UserError("common.errors.not_set_up")
        if what == "busy":
            raise DatabaseBusyError("database is locked")
        if what == "ratelimited":
            raise discord.RateLimited(3.2)
        if what == "crash":
            raise ZeroDivisionError("oops")
        if what == "deferred":
            await interaction.response.defer(ephemeral=True)
            raise UserError("common.errors.not_set_up")
        if what == "modal":
            await interaction.response.send_modal(AskModal(custom_id="ask-modal"))
            return
        if what == "view":
            await reply(interaction, "buttons", view=Buttons(), ephemeral=False)
            return
        if what == "dynamic":
            view = discord.ui.View(timeout=None)
            view.add_item(Boom(1))
            view.add_item(Boom(2))
            await reply(interaction, "dynamic", view=view, ephemeral=False)
            return
        await reply(interaction, "fine")


@pytest.fixture
async def probe(harness: Harness) -> Harness:
    await harness.bot.add_cog(Probe())
    harness.bot.add_dynamic_items(Boom)
    return harness


async def test_user_error_is_answered_ephemerally(probe: Harness) -> None:
    sent = await probe.slash("probe", what="user")
    assert sent.ephemeral
    assert "/setup" in sent.content


async def test_user_error_after_defer_uses_a_followup(probe: Harness) -> None:
    sent = await probe.slash_all("probe", what="deferred")
    assert [s.kind for s in sent] == ["deferred", "followup"]
    assert sent[1].ephemeral and "/setup" in sent[1].content


async def test_busy_database_asks_to_try_again(probe: Harness) -> None:
    sent = await probe.slash("probe", what="busy")
    assert sent.ephemeral and "try again" in sent.content


async def test_rate_limit_is_explained_not_logged(
    probe: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        sent = await probe.slash("probe", what="ratelimited")
    assert sent.ephemeral and "3 s" in sent.content
    assert not [r for r in caplog.records if "unhandled error" in r.getMessage()]


async def test_unexpected_error_apologises_and_logs_ids(
    probe: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        sent = await probe.slash("probe", what="crash", user=probe.bob)
    assert sent.ephemeral and sent.content.startswith("Sorry")
    assert "ZeroDivisionError" not in sent.content
    record = next(r for r in caplog.records if "unhandled error" in r.getMessage())
    assert (
        str(probe.bob.id) in record.getMessage()
        and str(probe.world.guild_id) in record.getMessage()
    )
    assert record.exc_info is not None


async def test_french_member_gets_french_error(probe: Harness) -> None:
    sent = await probe.slash("probe", what="user", locale="fr")
    assert "administrateur" in sent.content


async def test_view_button_error_reaches_member(probe: Harness) -> None:
    posted = await probe.slash("probe", what="view")
    sent = await probe.click(posted, "Fail", user=probe.bob)
    assert sent[-1].ephemeral and "server" in sent[-1].content


async def test_dynamic_item_errors_are_answered(
    probe: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    posted = await probe.slash("probe", what="dynamic")
    sent = await probe.click(posted, "boom:1")
    assert sent[-1].ephemeral and "moderators" in sent[-1].content
    with caplog.at_level(logging.ERROR):
        sent = await probe.click(posted, "boom:2")
    assert sent[-1].content.startswith("Sorry")


async def test_modal_submit_and_its_errors(probe: Harness) -> None:
    modal = await probe.slash("probe", what="modal")
    assert modal.kind == "modal"
    ok = await probe.submit_modal(modal, {"answer": "forty-two"})
    assert ok[-1].content == "got forty-two"
    modal = await probe.slash("probe", what="modal")
    bad = await probe.submit_modal(modal, {"Answer": "bad"})
    assert bad[-1].ephemeral and "amount" in bad[-1].content


class Prefixed(commands.Cog):
    @commands.command(name="ping")
    async def ping(self, ctx: commands.Context) -> None:
        raise UserError("common.errors.not_moderator")


async def test_message_command_errors_use_the_same_handler(harness: Harness) -> None:
    """A MESSAGE_CREATE mentioning the bot runs a message command; its UserError is answered."""
    from tests.harness import payloads as p

    await harness.bot.add_cog(Prefixed())
    me = harness.world.bot_user
    message = p.message_json(
        p.snowflake(),
        harness.world.general,
        harness.alice.user_json(),
        {"content": f"<@{me.id}> ping"},
        guild_id=harness.world.guild_id,
    )
    message["member"] = {k: v for k, v in harness.alice.member_json().items() if k != "user"}
    message["mentions"] = [me.user_json()]
    await harness.gateway("MESSAGE_CREATE", message)
    replies = harness.in_channel(harness.world.general)
    assert replies and "moderators" in replies[-1].content
    harness.api.assert_never_pinged()
