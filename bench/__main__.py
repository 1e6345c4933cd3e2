"""`python -m bench [--quick] [--seed N]`: see docs/benchmark.md."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench.run import PHASES, main_async


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure Entraide on the offline harness; the last line is JSON.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes: the whole run in under a minute"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    parser.add_argument(
        "--profile",
        choices=PHASES,
        help="profile one phase with pyinstrument (a dev extra) and write its report",
    )
    parser.add_argument(
        "--legacy",
        action="store_true",
        help="the baseline: housekeeping as shipped before issue 14 (SQLite's automatic "
        "checkpoints, FTS5 automerge inside commits, no GC freeze)",
    )
    args = parser.parse_args(argv)

    asyncio.run(main_async(args.quick, args.seed, args.profile, args.legacy))
    return 0


if __name__ == "__main__":
    sys.exit(main())
