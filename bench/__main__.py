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
    parser.add_argument(
        "--mixed-share-rate",
        type=float,
        metavar="PER_S",
        help="shares per second in the steady mixed load (default 20): where the two "
        "backends part, docs/benchmark.md 'SQLite or PostgreSQL'",
    )
    args = parser.parse_args(argv)
    if args.mixed_share_rate is not None and not 0 < args.mixed_share_rate <= 2000:
        parser.error("--mixed-share-rate must be above 0 and at most 2000")

    asyncio.run(main_async(args.quick, args.seed, args.profile, args.legacy, args.mixed_share_rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
