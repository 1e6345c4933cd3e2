"""`python -m bench.worker`: one bot process of the two-process burst (see processes.py).

The worker is the benchmark's harness bot on the PostgreSQL database the parent names
(in the environment, `BENCH_WORKER_DATABASE_URL`, so no password sits in a process list),
serving one server of the store as one shard would. It builds its burst of `/task share`
payloads, says `ready`, waits for the parent's `go` on stdin (so every worker starts at
once), feeds the burst as a gateway would and reports, on one `BENCH {json}` line, when
the burst started and when its last member had an answer (wall-clock, so the parent can
span several processes), the CPU time it used (background work drained included), and
whether any interaction failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.runtime import BenchBot
from bench.workload import ShareMaker

ENV_URL = "BENCH_WORKER_DATABASE_URL"
PREFIX = "BENCH "


def say(message: dict[str, Any]) -> None:
    print(PREFIX + json.dumps(message), flush=True)


async def work(args: argparse.Namespace, url: str) -> dict[str, Any]:
    wall = time.time() - time.perf_counter()  # perf_counter → wall-clock seconds
    with tempfile.TemporaryDirectory(prefix="entraide-bench-worker-") as tmp:
        bench = await BenchBot.start(
            Path(tmp), database_url=url, members=args.members, server=args.server
        )
        try:
            await bench.guild_loaded()
            maker = ShareMaker(args.seed, args.members)
            maker.counter = args.first_link  # links no other worker or phase uses
            shares = maker.burst(args.shares, args.duplicates)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
            say({"ready": True})
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            cpu = time.process_time()
            result = await bench.burst(payloads)
            cpu = time.process_time() - cpu  # this process's CPU, drain included
            answered = len(bench.answers.answered.keys() & set(result.ids))
            return {
                "started": result.started + wall,
                "answered": result.answered + wall,
                "count": len(result.ids),
                "apologies": result.apologies(),
                "unanswered": len(result.ids) - answered,
                "cpu_s": cpu,
            }
        finally:
            await bench.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("--server", type=int, required=True, help="the store's server n")
    parser.add_argument("--shares", type=int, required=True)
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--first-link", type=int, default=0)
    args = parser.parse_args(argv)
    url = os.environ.get(ENV_URL)
    if not url:
        print(f"{ENV_URL} is not set", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    say(asyncio.run(work(args, url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
