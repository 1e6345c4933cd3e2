"""CPU time of the PostgreSQL server the bench started, read from Linux's /proc.

On this kind of machine the server shares the cores with the bot, so what a share costs
is the bot's CPU plus the server's. The server's is its postmaster's own time, the time
of the backends it already reaped (the postmaster's children totals) and that of its
live backends. Elsewhere (no /proc, or a server the bench did not start) it is unknown:
None, and the table says n/a.
"""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")


def _fields(pid: int) -> list[str] | None:
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; what follows its ")" is fixed.
    return text[text.rindex(")") + 2 :].split()


def server_cpu_seconds(postmaster: int | None) -> float | None:
    """CPU seconds used so far by the server whose postmaster is `postmaster`."""
    if postmaster is None:
        return None
    own = _fields(postmaster)
    if own is None:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    # After ")": state, ppid, …; utime, stime, cutime, cstime are fields 14-17 of stat.
    total = sum(int(v) for v in own[11:15])
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _fields(int(entry.name))
        if fields is not None and fields[1] == str(postmaster):
            total += int(fields[11]) + int(fields[12])
    return total / tick
