"""`python -m bot copy-store SOURCE_URL TARGET_URL`: the operator's side of `db.copy_store`.

Kept apart from `bot.cli` (which only hands it the arguments) so the entry point stays
small. It needs no settings and no token: both stores are named on the command line, in
the forms `DATABASE_URL` takes. Everything printed is scrubbed of the URLs' passwords,
and stores are only ever named by their display form.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.logging_setup import scrub, setup_logging
from db.copy_store import CopyReport, CopyStoreError, copy_store
from db.url import DatabaseUrl, DatabaseUrlError, parse_database_url

log = logging.getLogger(__name__)

HELP = "copy a store into a new, empty one (SQLite <-> PostgreSQL), all or nothing"
DESCRIPTION = (
    "Copy every row of SOURCE_URL into TARGET_URL, which must be new or empty (it is "
    "migrated first). All or nothing: the whole copy is one transaction on the target, "
    "verified (row counts and per-table checksums) before it is committed; any failure, "
    "difference or Ctrl-C rolls it back and leaves the target as it was. Stop the bot on "
    "both stores first. URLs take the forms of DATABASE_URL: sqlite:///relative.db, "
    "sqlite:////absolute.db, postgresql://user:password@host:5432/database."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.add_argument("source", metavar="SOURCE_URL", help="the store to copy from")
    parser.add_argument("target", metavar="TARGET_URL", help="a new or empty store to fill")


def _fail(text: str, secrets: list[str], code: int = 1) -> int:
    sys.stderr.write(scrub(f"copy-store: {text}", secrets) + "\n")
    return code


def _undone(exc: BaseException) -> str:
    return f"{str(exc).rstrip('.')}. Nothing was copied."


def _parse(text: str, role: str) -> DatabaseUrl:
    try:
        return parse_database_url(text)
    except DatabaseUrlError as exc:
        msg = f"{role} is not a usable URL: {exc}"
        raise CopyStoreError(msg) from None


def _passwords(*texts: str) -> list[str]:
    found = []
    for text in texts:
        try:
            password = parse_database_url(text).password
        except DatabaseUrlError:
            continue
        if password:
            found.append(password)
    return found


def summary(report: CopyReport) -> str:
    """The table printed once the copy is committed: rows and checksum of each table."""
    width = max(len(t.name) for t in report.tables)
    lines = [f"{'table'.ljust(width)}  {'rows':>12}  {'checksum':<32}  how"]
    for t in sorted(report.tables, key=lambda t: t.name):
        lines.append(f"{t.name.ljust(width)}  {t.rows:>12,}  {t.checksum:<32}  {t.how}")
    lines.append(
        f"Copied {report.rows:,} rows from {report.source} to {report.target} in "
        f"{report.seconds:.1f} s; schema version {report.schema_version}; every table "
        "verified."
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    secrets = _passwords(args.source, args.target)
    setup_logging("WARNING", secrets)
    try:
        source = _parse(args.source, "SOURCE_URL")
        target = _parse(args.target, "TARGET_URL")
    except CopyStoreError as exc:
        return _fail(str(exc), secrets, code=2)

    def progress(line: str) -> None:
        sys.stderr.write(scrub(line, secrets) + "\n")
        sys.stderr.flush()

    try:
        report = asyncio.run(copy_store(source, target, progress=progress))
    except KeyboardInterrupt:
        return _fail("interrupted; the target was rolled back and is as it was.", secrets, 130)
    except CopyStoreError as exc:
        return _fail(_undone(exc), secrets)
    except Exception as exc:
        from db.errors import DatabaseBusyError, DatabaseConfigError
        from db.migrate import MigrationError

        if isinstance(exc, DatabaseBusyError | DatabaseConfigError | MigrationError):
            return _fail(_undone(exc), secrets)
        log.exception("copy-store failed")
        return _fail(f"failed ({type(exc).__name__}: {exc}); nothing was copied.", secrets)
    sys.stdout.write(scrub(summary(report), secrets) + "\n")
    return 0
