"""Pure helpers for the privacy commands (no discord import)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from typing import Any

from bot.errors import UserError

EXPORT_FORMAT = "entraide-export/1"


def build_export(
    user_id: int, exported_at: str, sections: Mapping[str, Any], failed: list[str]
) -> bytes:
    """The member's data as one JSON document, section by section.

    Sections that could not be read are listed under `incomplete`, so an export is never
    silently partial.
    """
    document = {
        "format": EXPORT_FORMAT,
        "user_id": str(user_id),
        "exported_at": exported_at,
        "incomplete": sorted(failed),
        "sections": {name: sections[name] for name in sorted(sections)},
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def packed_export(
    user_id: int, exported_at: str, sections: dict[str, Any], failed: list[str], limit: int
) -> tuple[str, bytes]:
    """The export file as it is attached: JSON, compressed if it must be.

    Run it in a worker thread: a long earnings log makes megabytes of both.
    """
    data = build_export(user_id, exported_at, sections, failed)
    return fit_attachment(f"entraide-data-{user_id}.json", data, limit)


def fit_attachment(name: str, data: bytes, limit: int) -> tuple[str, bytes]:
    """Keep a file under Discord's attachment limit: as is, else gzip-compressed.

    Raises a `UserError` when even the compressed file is too big.
    """
    if len(data) <= limit:
        return name, data
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    if len(packed) > limit:
        raise UserError("privacy.errors.too_big")
    return name + ".gz", packed


def erase_total(counts: Mapping[str, int]) -> int:
    return sum(max(0, n) for n in counts.values())
