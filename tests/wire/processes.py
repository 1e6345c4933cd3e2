"""The unmodified `python -m bot` as a child process of a test, bounded and observed.

Shared by the wire tests: one bot against the loopback server (test_gateway.py) and two
bots on one PostgreSQL (test_two_processes.py). A child's stderr is collected line by
line, every wait has a bound, and a child still running at the end is stopped with
SIGTERM (killed only if it hangs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from tests.wire.server import WireDiscord

ROOT = Path(__file__).resolve().parents[2]


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
        await self.wait_until(lambda: any(wanted in line for line in self.lines), wanted, within)

    async def wait_until(self, check: Callable[[], bool], what: str, within: float = 60) -> None:
        """Until `check()` holds (polled as the output grows); fails if the bot exits."""

        async def poll() -> None:
            while not check():
                if self.proc.returncode is not None:
                    msg = f"bot exited ({self.proc.returncode}) before {what!r}:\n{self.stderr}"
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
        and k not in {"DATABASE_URL", "SHARD_COUNT", "SHARD_IDS"}
    }
    base |= {
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": server.token,
        "DISCORD_API_BASE": server.api_base,
        "BACKUP_DIR": str(tmp_path / "backups"),
        "LOG_LEVEL": "INFO",
        # Nothing may leave loopback: a proxy setting would send the bot elsewhere.
        "NO_PROXY": "127.0.0.1",
        **env,
    }
    if "DATABASE_URL" not in env:  # DATABASE_URL wins; both set must name one database
        base["DATABASE_PATH"] = str(tmp_path / "entraide.db")
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


def owner_of_connection(local_port: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the loopback TCP connection whose own end is `local_port`
    (Linux: /proc/net/tcp gives the socket's inode, /proc/<pid>/fd who holds it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if str(fd.readlink()) in inodes:
                        return pid
    return None
