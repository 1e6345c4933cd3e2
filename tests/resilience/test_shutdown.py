"""SIGTERM: in-flight interactions finish, the scheduler stops, the database closes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path

from tests.resilience.helpers import Child


def test_sigterm_finishes_in_flight_work_then_closes(tmp_path: Path) -> None:
    with Child("tests.resilience.child_bot", str(tmp_path)) as child:
        child.wait_for(lambda lines: "inflight" in lines)
        os.kill(child.pid, signal.SIGTERM)
        code = child.finish()
    assert code == 0, child.stderr[-3000:]
    status = json.loads(child.lines[-1])
    # every interaction that was in flight got its real answer, not an error
    assert all(replies == ["saved"] for replies in status["answered"].values()), status
    assert len(status["answered"]) == 5
    assert status["scheduler_running"] is False
    assert status["ticks_before_close"] > 0 and status["ticks_after_close"] == 0
    assert status["db_closed"] is True
    assert "Traceback" not in child.stderr

    # what they saved is on disk, in a clean file
    conn = sqlite3.connect(tmp_path / "entraide.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        saved = conn.execute("SELECT user_id, timezone FROM members ORDER BY user_id").fetchall()
    finally:
        conn.close()
    assert saved == sorted((uid, "Europe/Paris") for uid in status["users"])
