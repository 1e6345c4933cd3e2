"""The unmodified `python -m bot` against a Discord-shaped server over real sockets.

`DISCORD_API_BASE` must move REST *and* the gateway: the bot asks the server's
`/gateway/bot`, connects there (zlib-stream), identifies, answers an interaction, and
resumes at READY's `resume_gateway_url` after the server drops it. Everything stays on
127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db.url import DatabaseUrl
from tests.wire.server import WireDiscord

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class Child:
    """`python -m bot …` as a child process, its stderr collected line by line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.stdout = ""
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace"))

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    async def wait_for_line(self, wanted: str, within: float = 60) -> None:
        async def poll() -> None:
            while not any(wanted in line for line in self.lines):
                if self.proc.returncode is not None:
                    msg = f"bot exited ({self.proc.returncode}) before {wanted!r}:\n{self.stderr}"
                    raise AssertionError(msg)
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), within)

    async def finish(self, within: float = 60) -> int:
        """Wait for the exit (after SIGTERM or by itself); kill only if it hangs."""
        try:
            await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise
        await asyncio.wait_for(self._reader, 10)
        assert self.proc.stdout is not None
        self.stdout = (await self.proc.stdout.read()).decode(errors="replace")
        return self.proc.returncode  # type: ignore[return-value]


@contextlib.asynccontextmanager
async def bot_process(
    server: WireDiscord, tmp_path: Path, *args: str, prelude: str = "", **env: str
) -> AsyncIterator[Child]:
    """`python -m bot *args`; with a `prelude`, that code runs first in the same process."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISCORD_TOKEN", "DATABASE_PATH", "DISCORD_API_BASE", "DEV_GUILD_ID"}
    }
    base |= {
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": server.token,
        "DISCORD_API_BASE": server.api_base,
        "DATABASE_PATH": str(tmp_path / "entraide.db"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "LOG_LEVEL": "INFO",
        # Nothing may leave loopback: a proxy setting would send the bot elsewhere.
        "NO_PROXY": "127.0.0.1",
        **env,
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        base.pop(name, None)
    base = {k: v for k, v in base.items() if v != ""}  # `NAME=""` in env: not set at all
    if prelude:
        entry = ["-c", f"{prelude}\nimport sys, bot.cli\nsys.exit(bot.cli.main(sys.argv[1:]))"]
    else:
        entry = ["-m", "bot"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *entry,
        *args,
        cwd=tmp_path,
        env=base,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    child = Child(proc)
    try:
        yield child
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await child.finish()


def free_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_run_follows_the_servers_gateway_answers_and_resumes(tmp_path: Path) -> None:
    async with (
        WireDiscord() as server,
        bot_process(server, tmp_path, "run", DEV_GUILD_ID=str(server.guild_id)) as bot,
    ):
        await server.wait("identified")
        await bot.wait_for_line("ready as")
        first = server.sessions[0]
        assert first.path == "/gateway"
        assert first.query["compress"] == "zlib-stream" and first.query["encoding"] == "json"
        assert server.identify["token"] == server.token
        await server.wait("heartbeat")
        assert 1 in first.ops()

        # An interaction over the gateway; its callback comes back over REST.
        interaction_id = await server.slash("about")
        callback = await asyncio.wait_for(server.callbacks.get(), 30)
        assert callback.path.startswith(f"/interactions/{interaction_id}/")
        assert callback.json["type"] == 4
        assert callback.json["data"]["embeds"][0]["title"]

        # Dropped: the bot resumes at READY's resume_gateway_url, not the first URL.
        await server.drop()
        await server.wait("resumed")
        resumed = server.sessions[-1]
        assert resumed.path == "/resume" and resumed.query["compress"] == "zlib-stream"
        assert 6 in resumed.ops() and 2 not in resumed.ops()
        assert server.resume["session_id"] == server.session_id
        assert server.resume["seq"] == 3  # READY, GUILD_CREATE, INTERACTION_CREATE
        await bot.wait_for_line("successfully RESUMED")

        # The resumed session still answers.
        again = await server.slash("about", locale="fr")
        callback = await asyncio.wait_for(server.callbacks.get(), 30)
        assert callback.path.startswith(f"/interactions/{again}/")

        bot.proc.send_signal(signal.SIGTERM)
        assert await bot.finish() == 0, bot.stderr

    synced = [r for r in server.requests if r.method == "PUT"]
    assert synced and synced[0].path.endswith(f"/guilds/{server.guild_id}/commands")
    assert "about" in {cmd["name"] for cmd in synced[0].json}
    assert [r.path for r in server.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert any(r.path == "/gateway/bot" for r in server.requests)
    assert not server.unknown, [f"{r.method} {r.path}" for r in server.unknown]
    assert "gateway.discord.gg" not in bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr
    assert server.token not in bot.stderr + bot.stdout


async def test_sync_publishes_commands_without_touching_the_database(tmp_path: Path) -> None:
    async with WireDiscord() as server, bot_process(server, tmp_path, "sync") as bot:
        assert await bot.finish() == 0, bot.stderr
    assert "Synced" in bot.stdout
    puts = [r for r in server.requests if r.method == "PUT"]
    assert len(puts) == 1 and puts[0].path == f"/applications/{server.application_id}/commands"
    assert not server.sessions, "sync never connects to the gateway"
    assert not (tmp_path / "entraide.db").exists(), "sync must not open or migrate the database"
    assert not server.unknown


async def run_failing(tmp_path: Path, **server_options: object) -> tuple[WireDiscord, Child]:
    """`python -m bot run` against a server set up to fail (`server_options`): it must
    stop on its own with exit code 1. The server and the finished child, to read."""
    async with (
        WireDiscord(**server_options) as server,  # type: ignore[arg-type]
        bot_process(server, tmp_path, "run") as bot,
    ):
        code = await bot.finish()
    assert code == 1
    return server, bot


async def test_an_unreachable_gateway_is_one_clear_line(tmp_path: Path) -> None:
    port = free_port()
    gateway = f"ws://127.0.0.1:{port}/"
    _, bot = await run_failing(tmp_path, gateway_url=gateway)
    lines = [line for line in bot.stderr.splitlines() if line.strip()]
    assert f"Cannot reach the gateway at {gateway}" in lines[-1]
    assert "DISCORD_API_BASE" in lines[-1]
    assert "Traceback" not in bot.stderr and "AttributeError" not in bot.stderr, bot.stderr
    assert "NoneType" not in bot.stderr


async def test_a_server_without_gateway_bot_is_named(tmp_path: Path) -> None:
    server, bot = await run_failing(tmp_path, gateway_bot=False)
    assert f"Cannot reach the gateway at {server.api_base}/gateway/bot" in bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr


async def test_a_gateway_that_refuses_the_token_is_one_clear_line(tmp_path: Path) -> None:
    _, bot = await run_failing(tmp_path, refuse_identify=True)
    assert "The gateway refused the token in DISCORD_TOKEN" in bot.stderr.splitlines()[-1]
    assert "Traceback" not in bot.stderr, bot.stderr


async def test_sync_refuses_a_tree_discord_would_refuse(tmp_path: Path) -> None:
    """Checked before publishing: one clear list instead of Discord's 400 for every server."""
    prelude = "import bot.command_limits as limits\nlimits.MAX_COMMAND_CHARS = 1000"
    async with (
        WireDiscord() as server,
        bot_process(server, tmp_path, "sync", prelude=prelude) as bot,
    ):
        code = await bot.finish()
    assert code == 1, bot.stderr
    assert "Not synced: Discord would refuse these commands:" in bot.stderr
    assert "/earnings: 2," in bot.stderr and "(at most 1,000)" in bot.stderr
    assert not [r for r in server.requests if r.method == "PUT"], "nothing was published"
    assert "Traceback" not in bot.stderr


async def test_run_with_two_shards_opens_a_connection_per_shard(tmp_path: Path) -> None:
    """SHARD_COUNT=2: two gateway connections, each identifying its own shard, each given
    only its shard's server; a slash command answers on a server of each shard."""
    async with (
        WireDiscord(shards=2) as server,
        bot_process(server, tmp_path, "run", SHARD_COUNT="2") as bot,
    ):
        await bot.wait_for_line("ready as", within=90)
        assert sorted(tuple(i["shard"]) for i in server.identifies) == [(0, 2), (1, 2)]
        assert len(server.sessions) == 2
        for session in server.sessions:
            assert session.path == "/gateway" and session.query["compress"] == "zlib-stream"
            (identify,) = [frame for frame in session.received if frame["op"] == 2]
            assert identify["d"]["shard"] == [session.shard_id, 2]
        assert "(all 2 shards)" in bot.stderr
        for shard in (0, 1):
            (guild_id,) = server.guilds_of(shard)
            interaction_id = await server.slash("about", guild_id=guild_id)
            callback = await asyncio.wait_for(server.callbacks.get(), 30)
            assert callback.path.startswith(f"/interactions/{interaction_id}/")
            fields = {f["name"]: f["value"] for f in callback.json["data"]["embeds"][0]["fields"]}
            assert fields["Shards (this process)"] == "0, 1 of 2"
            assert fields["Servers"] == "2"
        bot.proc.send_signal(signal.SIGTERM)
        assert await bot.finish() == 0, bot.stderr
    assert any(r.path == "/gateway/bot" for r in server.requests)
    assert not server.unknown, [f"{r.method} {r.path}" for r in server.unknown]
    assert "Traceback" not in bot.stderr, bot.stderr
    assert server.token not in bot.stderr + bot.stdout


async def test_run_with_some_shards_connects_only_those(tmp_path: Path) -> None:
    async with (
        WireDiscord(shards=2) as server,
        bot_process(server, tmp_path, "run", SHARD_COUNT="2", SHARD_IDS="1") as bot,
    ):
        await bot.wait_for_line("ready as", within=90)
        assert [i["shard"] for i in server.identifies] == [[1, 2]]
        assert [s.shard_id for s in server.sessions] == [1]
        assert "in 1 servers (shard 1 of 2)" in bot.stderr
        (guild_id,) = server.guilds_of(1)
        interaction_id = await server.slash("about", guild_id=guild_id)
        callback = await asyncio.wait_for(server.callbacks.get(), 30)
        assert callback.path.startswith(f"/interactions/{interaction_id}/")
        bot.proc.send_signal(signal.SIGTERM)
        assert await bot.finish() == 0, bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr


async def test_a_sharded_bot_with_an_unreachable_gateway_is_one_clear_line(
    tmp_path: Path,
) -> None:
    gateway = f"ws://127.0.0.1:{free_port()}/"
    async with (
        WireDiscord(shards=2, gateway_url=gateway) as server,
        bot_process(server, tmp_path, "run", SHARD_COUNT="2") as bot,
    ):
        code = await bot.finish()
    assert code == 1, bot.stderr
    lines = [line for line in bot.stderr.splitlines() if line.strip()]
    assert f"Cannot reach the gateway at {gateway}" in lines[-1]
    assert "Traceback" not in bot.stderr, bot.stderr


async def test_run_on_postgresql_answers_about_naming_the_backend(
    tmp_path: Path, pg_url: DatabaseUrl
) -> None:
    """`DATABASE_URL` on the test server: the bot migrates nothing twice, answers /about
    naming PostgreSQL (no file size), and never prints the password it was given (the
    test server trusts local sockets, so any password connects)."""
    secret = "wire-s3cret-pw"
    url = dataclasses.replace(pg_url, password=secret)
    async with (
        WireDiscord() as server,
        bot_process(server, tmp_path, "run", DATABASE_PATH="", DATABASE_URL=url.dsn()) as bot,
    ):
        await bot.wait_for_line("ready as", within=90)
        interaction_id = await server.slash("about")
        callback = await asyncio.wait_for(server.callbacks.get(), 30)
        assert callback.path.startswith(f"/interactions/{interaction_id}/")
        fields = {f["name"]: f["value"] for f in callback.json["data"]["embeds"][0]["fields"]}
        assert fields["Storage"] == pg_url.display
        assert fields["Storage"].startswith("PostgreSQL ")
        assert "Database" not in fields  # a file's size: nothing on disk here
        bot.proc.send_signal(signal.SIGTERM)
        assert await bot.finish() == 0, bot.stderr
    assert not (tmp_path / "entraide.db").exists(), "no SQLite file beside a PostgreSQL store"
    assert "Traceback" not in bot.stderr, bot.stderr
    assert secret not in bot.stderr + bot.stdout
    assert server.token not in bot.stderr + bot.stdout
