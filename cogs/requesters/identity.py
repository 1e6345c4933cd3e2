"""Requester identity: how names are compared, and what a name alone may resolve to.

One place decides when two requester names are "the same name" and what a share, a
review or a report naming a requester is linked to, so every feature follows the same
rules (shares, reviews, reports, `/requester info`, search and the digest). Pure
functions, no discord and no SQL: the database stores `name_key(name)` and looks records
up by it (`db.requesters`).

Names are not unique and not authoritative; a platform's requester id is. So:

- a name is matched on its *key* (`db.requester_identity.name_key`: look-alikes, accents,
  case, spacing and punctuation folded; "ACME research", "Acme-Research" and
  "AcmeResearch" are one name). The fold lives in `db/` because the database stores it;
  it is named here too, so features find every identity rule in one module;
- a name that matches a flagged (caution/scam) record carries that record's warning,
  whatever clean namesakes exist: dodging a warning by typing the name differently, or
  by leaving the id out, must not work;
- a name never overwrites the name of a flagged record (`may_rename`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from db.requester_identity import FLAGGED, may_rename, name_key, same_name

__all__ = [
    "FLAGGED",
    "Known",
    "NameMatch",
    "match_name",
    "match_name_with_new_id",
    "may_rename",
    "more_severe",
    "name_key",
    "same_name",
]

_SEVERITY = {"none": 0, "caution": 1, "scam": 2}


# -- what a name resolves to ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """A requester record known under some name (a survivor, never an alias)."""

    id: int
    status: str
    platform_requester_id: str | None = None

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED


@dataclass(frozen=True, slots=True)
class NameMatch:
    """What a name alone resolves to.

    `kind` is one of:
    - `none`: nobody is known by this name: a new record may be created for it;
    - `one`: exactly one clean record: link to it;
    - `several`: several clean namesakes and nothing to tell them apart: link to none
      of them (and create nothing: the name already exists);
    - `flagged`: a flagged record is known by this name: `record` is the most severe
      one, whose warning the share carries until the sharer gives an id or confirms it
      is another requester.
    """

    kind: str
    record: Known | None = None


def match_name(found: Iterable[Known]) -> NameMatch:
    records = {k.id: k for k in found}
    flagged = [k for k in records.values() if k.flagged]
    if flagged:
        worst = min(flagged, key=lambda k: (-_SEVERITY.get(k.status, 0), k.id))
        return NameMatch("flagged", worst)
    if not records:
        return NameMatch("none")
    if len(records) == 1:
        return NameMatch("one", next(iter(records.values())))
    return NameMatch("several")


def match_name_with_new_id(found: Iterable[Known]) -> NameMatch:
    """What a name given with a platform id nobody knows yet resolves to.

    The id is authoritative: a flagged namesake with *another* id is another requester.
    But a flagged record known only by its name (reports often name a requester without
    its id) may be this very requester: its warning applies until the sharer says
    otherwise. Otherwise the id is new (`none`) and gets its own record.
    """
    without_id = [k for k in found if k.flagged and k.platform_requester_id is None]
    match = match_name(without_id)
    return match if match.kind == "flagged" else NameMatch("none")


def more_severe(a: str, b: str) -> bool:
    """Whether status `a` is more severe than `b`."""
    return _SEVERITY.get(a, 0) > _SEVERITY.get(b, 0)
