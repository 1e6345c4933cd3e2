"""Another process holding the community's database locked: `BEGIN EXCLUSIVE`, then wait.

Prints "locked" once it holds the lock and commits when it reads "release" on stdin (or
when stdin closes), printing "released".
"""

from __future__ import annotations

import sqlite3
import sys

if __name__ == "__main__":
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    for line in sys.stdin:
        if line.strip() == "release":
            break
    conn.execute("COMMIT")
    conn.close()
    print("released", flush=True)
