"""What every parser returns or raises: a complete `ParsedTask`, or an `ExportError`.

Shared by each export format's reader, so they agree on the limits of a title or a
description and on how a missing field is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.errors import UserError
from bot.i18n import t
from cogs.tasks.eligibility import Limits

#: Longest text read (a Discord message is 4,000 characters at most with Nitro).
TEXT_MAX = 20_000
#: JSON nesting accepted (HIT JSON is 4 deep); deeper is refused before parsing.
JSON_DEPTH_MAX = 20
JSON_ITEMS_MAX = 5_000
TITLE_MAX = 256
DESCRIPTION_MAX = 300
QUAL_NAME_MAX = 80

SOURCES = ("mturk_json", "prolific_json", "mturk_suite", "free_text")


class ExportError(UserError):
    """The text is not a complete export; the message names what is missing."""

    def __init__(self, key: str, /, *, field_name: str | None = None, **params: object) -> None:
        super().__init__(key, **params)
        self.field_name = field_name

    def message(self, locale: str | None) -> str:
        params = dict(self.params)
        if self.field_name is not None:
            params["field"] = t(f"intake.fields.{self.field_name}", locale)
        return t(self.key, locale, **params)


def missing(field_name: str) -> ExportError:
    return ExportError("intake.errors.not_found", field_name=field_name)


@dataclass(frozen=True, slots=True)
class ParsedTask:
    """A task read from an export: everything found, and nothing guessed."""

    source: str
    platform: str
    reward: Decimal
    currency: str | None
    title: str | None = None
    link: str | None = None
    requester_name: str | None = None
    requester_id: str | None = None
    #: How long it takes (an estimate), if the export says; never the allowed time.
    minutes: int | None = None
    #: The time the platform allows to finish (MTurk's assignment duration).
    allowed_minutes: int | None = None
    available: int | None = None
    limits: Limits = field(default_factory=Limits)
    #: Requirements that cannot be a limit (exclusions), kept as readable notes.
    excluded: tuple[str, ...] = ()
    description: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """What a share still needs from the member (only ever the minutes)."""
        return () if self.minutes is not None else ("minutes",)
