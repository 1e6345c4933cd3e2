"""Random option values and random text at every slash command, through real dispatch.

The tree is walked, not listed, so a command added tomorrow is fuzzed too. Values ignore
every hint the client would enforce (Range, choices, lengths): negative, zero and huge
numbers, 10,000 characters, mentions, markdown, `javascript:` links, unknown ids, other
people. Whatever arrives, each interaction must:

- be answered (a member never sees "This interaction failed"),
- never get the "something went wrong" apology, never log an error,
- when refused, leave every table exactly as it was (no partial write),
- never ping anyone, and answer autocomplete within Discord's limits.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import AppCommandOptionType, app_commands
from discord.ext import commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.error_handler as error_handler
from bot.clock import ManualClock
from bot.errors import UserError
from bot.i18n import t
from bot.ui import reply
from db import members
from tests.harness import payloads as p
from tests.harness.driver import DEFAULT_NOW, Harness, configure_server
from tests.harness.driver import test_settings as make_settings
from tests.resilience.helpers import ErrorRecords, snapshot

EXAMPLES_PER_COMMAND = 5
AUTOCOMPLETE_EXAMPLES = 4

HOSTILE_TEXT = [
    "",
    " ",
    "@everyone",
    "@here please",
    "<@&1>",
    "<@1300000000000000000>",
    "**bold** __under__ ~~gone~~ `code` ||spoiler|| > quote",
    "[click](javascript:alert(1))",
    "javascript:alert(document.cookie)",
    "https://evil.example/phish?x=<script>",
    "http://localhost:8080/admin",
    "'; DROP TABLE task_alerts; --",
    "{0}{name}%s%d{{}}",
    "\x00\x01\x02",
    "\u202ereversed",
    "half \ud800 a character",
    "👍" * 600,
    "A" * 10_000,
    "1e309",
    "-1",
    "0",
    "NaN",
    "9" * 400,
    "mturk",
    "prolific",
    "USD",
    "Europe/Paris",
    "2026-11-26",
    "1.50",
    "https://worker.mturk.com/projects/3ABCDEF/tasks",
]


#: The systematic part: each option of each command gets each of these, the others benign.
SWEEP: dict[AppCommandOptionType, list[Any]] = {
    AppCommandOptionType.string: [
        "",
        "@everyone <@&1>",
        "A" * 10_000,
        "[x](javascript:alert(1)) **b**",
        "\x00\u202e",
        "\udc00",
        "-1",
    ],
    AppCommandOptionType.integer: [0, -1, -(2**53), 2**53, 10**12],
    AppCommandOptionType.number: [0.0, -1.0, 1e-300, 1e300, -1e300, 99999999.99],
}
SWEEP_FORM_TEXT = "@everyone " + "B" * 5_000


def _benign(param: Any, h: Harness) -> Any:
    """A value the option's own hints allow, so the swept option is the only odd one."""
    kind = param.type
    if param.choices:
        return param.choices[0].value
    if kind == AppCommandOptionType.string:
        return "test"[: param.max_value] if isinstance(param.max_value, int) else "test"
    if kind in (AppCommandOptionType.integer, AppCommandOptionType.number):
        low = param.min_value if isinstance(param.min_value, int | float) else 1
        return type(1 if kind == AppCommandOptionType.integer else 1.0)(max(low, 1))
    if kind == AppCommandOptionType.boolean:
        return False
    if kind in (AppCommandOptionType.user, AppCommandOptionType.mentionable):
        return h.bob
    if kind == AppCommandOptionType.channel:
        return h.world.general
    if kind == AppCommandOptionType.role:
        return h.world.mod_role
    return ("note.txt", b"hello")


def _text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=300))


def _integer() -> st.SearchStrategy[int]:
    return st.one_of(
        st.integers(min_value=-5, max_value=6),  # record ids of a young database
        st.sampled_from([2**31, -(2**31), 2**53, -(2**53), 10**12]),
        st.integers(min_value=-(2**53), max_value=2**53),
    )


def _number() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.0, -0.0, -1.0, 0.001, 1e-300, 1e300, -1e300, 99999999.99]),
        st.floats(allow_nan=False, allow_infinity=False),
    )


def _value_strategy(param: Any, h: Harness) -> st.SearchStrategy[Any]:
    kind = param.type
    w = h.world
    stranger = p.FakeUser(p.snowflake(), "stranger")
    if kind == AppCommandOptionType.string:
        choices = [c.value for c in (param.choices or [])]
        return st.one_of(_text(), st.sampled_from(choices)) if choices else _text()
    if kind == AppCommandOptionType.integer:
        return _integer()
    if kind == AppCommandOptionType.number:
        return _number()
    if kind == AppCommandOptionType.boolean:
        return st.booleans()
    if kind in (AppCommandOptionType.user, AppCommandOptionType.mentionable):
        return st.sampled_from([w.alice, w.bob, w.mod, w.admin, w.owner, w.bot_user, stranger])
    if kind == AppCommandOptionType.channel:
        return st.sampled_from([w.general, w.alerts, w.mods, w.digest, w.forum, p.snowflake()])
    if kind == AppCommandOptionType.role:
        return st.sampled_from([w.mod_role, w.manager_role, w.bot_role, w.everyone_role])
    if kind == AppCommandOptionType.attachment:
        names = st.sampled_from(["shot.png", "earnings.csv", "notes.txt", "x.exe", "a" * 200])
        return st.tuples(names, st.binary(max_size=2_000))
    raise AssertionError(f"no strategy for option type {kind}")


def _options(
    command: app_commands.Command[Any, ..., Any], h: Harness
) -> st.SearchStrategy[dict[str, Any]]:
    required = {}
    optional = {}
    for name, param in command._params.items():
        strategy = _value_strategy(param, h)
        (required if param.required else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def leaf_commands(tree: app_commands.CommandTree) -> Iterator[app_commands.Command[Any, ..., Any]]:
    def walk(item: Any) -> Iterator[app_commands.Command[Any, ..., Any]]:
        if isinstance(item, app_commands.Group):
            for child in item.commands:
                yield from walk(child)
        elif isinstance(item, app_commands.Command):
            yield item

    for command in tree.get_commands():
        yield from walk(command)


class Refusals:
    """Notes every interaction the global handler answered (a refusal or a failure)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.original = error_handler.handle_interaction_error

    async def __call__(self, interaction: Any, error: BaseException, *, where: str = "") -> None:
        self.ids.add(interaction.id)
        await self.original(interaction, error, where=where)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, module in list(sys.modules.items()):
            if not name.startswith(("bot.", "cogs.")):
                continue
            if getattr(module, "handle_interaction_error", None) is self.original:
                monkeypatch.setattr(module, "handle_interaction_error", self)


async def _start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    h = await Harness.start(make_settings(tmp_path), ManualClock(DEFAULT_NOW), monkeypatch)
    return await configure_server(h)


class Fuzzer:
    """Runs hypothesis examples against one started harness on its own event loop."""

    def __init__(
        self, runner: asyncio.Runner, h: Harness, refusals: Refusals, errors: ErrorRecords
    ) -> None:
        self.runner = runner
        self.h = h
        self.refusals = refusals
        self.errors = errors
        self.path = h.bot.settings.database_path
        self.people = [h.alice, h.bob, h.mod, h.admin, h.world.owner]
        self.failures: list[str] = []
        # The store as it was after the last interaction. Dumping every table around
        # each interaction is slow, so it is only re-read when the bot's connection
        # reports changes (total_changes counts every row written, even rolled back).
        self.state = snapshot(self.path)

    def _changes(self) -> int:
        return int(self.h.db.conn.total_changes)

    def check(self, command: Any, values: dict[str, Any], who: Any, locale: str, data: Any) -> None:
        h = self.h
        before = self._changes()
        self.errors.records.clear()
        replies = self.runner.run(
            h.slash_all(command.qualified_name, user=who, locale=locale, **values)
        )
        shown = {k: (v[:60] if isinstance(v, str) else v) for k, v in values.items()}
        where = f"/{command.qualified_name} {shown} by {who.name} ({locale})"
        self._judge(where, replies, locale, before)
        modal = next((r for r in replies if r.kind == "modal"), None)
        if modal is not None:
            # The form it opened gets the same treatment: hostile text in every field.
            inputs = [c["custom_id"] for c in modal.walk_components() if c.get("type") == 4]
            filled = {
                cid: data.draw(_text(), label=cid) if data is not None else SWEEP_FORM_TEXT
                for cid in inputs
            }
            before = self._changes()
            self.errors.records.clear()
            replies = self.runner.run(h.submit_modal(modal, filled, user=who, locale=locale))
            self._judge(f"{where}, form {filled}", replies, locale, before)

    def _judge(self, where: str, replies: list[Any], locale: str, before: int) -> None:
        assert replies, f"{where}: no answer at all"
        apology = t("common.errors.unexpected", locale)
        assert not [r for r in replies if r.content == apology], f"{where}: apologised"
        logged = [r.getMessage() for r in self.errors.records]
        assert not logged, f"{where}: logged {logged}"
        if self._changes() == before:
            return  # nothing written at all
        now = snapshot(self.path)
        if self.h.last_interaction_id in self.refusals.ids:
            assert now == self.state, f"{where}: refused but changed the database"
        self.state = now

    def check_autocomplete(self, command: Any, name: str, typed: str, who: Any) -> None:
        self.errors.records.clear()
        choices = self.runner.run(
            self.h.autocomplete(command.qualified_name, name, user=who, **{name: typed})
        )
        where = f"/{command.qualified_name} autocomplete {name}={typed[:40]!r}"
        assert not self.errors.records, f"{where}: logged errors"
        assert len(choices) <= 25, f"{where}: {len(choices)} choices"
        for choice in choices:
            assert 1 <= len(choice["name"]) <= 100, f"{where}: choice name {choice}"
            if isinstance(choice["value"], str):
                assert len(choice["value"]) <= 100, f"{where}: choice value {choice}"

    def sweep_command(self, command: Any) -> None:
        """Every hostile value in every option, one at a time, the rest benign."""
        benign = {
            name: _benign(param, self.h)
            for name, param in command._params.items()
            if param.required
        }
        for name, param in command._params.items():
            for value in SWEEP.get(param.type, []):
                try:
                    self.check(command, {**benign, name: value}, self.h.alice, "en-US", None)
                except AssertionError as exc:
                    self.failures.append(str(exc).splitlines()[0])

    def fuzz_command(self, command: Any) -> None:
        @settings(
            max_examples=EXAMPLES_PER_COMMAND,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            values=_options(command, self.h),
            who=st.sampled_from(self.people),
            locale=st.sampled_from(["en-US", "fr"]),
            data=st.data(),
        )
        def run(values: dict[str, Any], who: Any, locale: str, data: Any) -> None:
            self.check(command, values, who, locale, data)

        self._collect(run)
        for name, param in command._params.items():
            if param.autocomplete is not None:
                self.fuzz_autocomplete(command, name)

    def fuzz_autocomplete(self, command: Any, name: str) -> None:
        @settings(
            max_examples=AUTOCOMPLETE_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(typed=_text(), who=st.sampled_from(self.people))
        def run(typed: str, who: Any) -> None:
            self.check_autocomplete(command, name, typed, who)

        self._collect(run)

    def _collect(self, run: Any) -> None:
        try:
            run()
        except AssertionError as exc:
            self.failures.append(str(exc).splitlines()[0])


def test_every_slash_command_survives_random_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        with asyncio.Runner() as runner:
            h = runner.run(_start(tmp_path, monkeypatch))
            refusals = Refusals()
            refusals.install(monkeypatch)
            fuzzer = Fuzzer(runner, h, refusals, errors)
            commands = sorted(leaf_commands(h.bot.tree), key=lambda c: c.qualified_name)
            assert commands, "no slash commands found"
            try:
                for command in commands:
                    fuzzer.sweep_command(command)
                    fuzzer.fuzz_command(command)
                h.api.assert_never_pinged()
            finally:
                runner.run(h.stop())
    finally:
        root.removeHandler(errors)
    assert not h.api.unhandled, f"routes the fake does not know: {h.api.unhandled[:3]}"
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


class Careless(commands.Cog):
    """Commands with exactly the bugs the fuzzer exists to find."""

    def __init__(self, h: Harness) -> None:
        self.h = h

    @app_commands.command(name="halfsave", description="test")
    async def halfsave(self, interaction: discord.Interaction, zone: str) -> None:
        await members.set_timezone(self.h.db, interaction.user.id, zone[:50], 1)
        if len(zone) > 5:
            raise UserError("common.errors.bad_input", detail="too long")  # after writing!
        await reply(interaction, "saved")

    @app_commands.command(name="divide", description="test")
    async def divide(self, interaction: discord.Interaction, by: int) -> None:
        await reply(interaction, str(100 // by))


def test_the_fuzzer_finds_partial_writes_and_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    try:
        with asyncio.Runner() as runner:
            h = runner.run(_start(tmp_path, monkeypatch))
            runner.run(h.bot.add_cog(Careless(h)))
            refusals = Refusals()
            refusals.install(monkeypatch)
            fuzzer = Fuzzer(runner, h, refusals, errors)
            for name in ("halfsave", "divide"):
                command = h.bot.tree.get_command(name)
                fuzzer.sweep_command(command)
            runner.run(h.stop())
    finally:
        logging.getLogger().removeHandler(errors)
    found = "\n".join(fuzzer.failures)
    assert "/halfsave" in found and "refused but changed the database" in found
    assert "/divide {'by': 0}" in found and "apologised" in found
