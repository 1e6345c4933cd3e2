"""Reading the exports workers already paste (pure rules, no discord).

In order of trust: MTurk's own HIT JSON, a Prolific study (JSON), MTurk Suite's HIT
Exporter (Plain, Markdown, BBCode and Short), then free text with a task link, an amount
and a duration. The result is a `ParsedTask` that is complete (a reward, and a title or
a link) or an `ExportError` that says which field was not found: never half a task.

Two times are kept apart on purpose: `minutes` is how long the task takes (a Prolific
estimate, or what a member wrote), `allowed_minutes` is the time the platform allows
(MTurk's assignment duration). The second is never used as the first.

The package holds one module per format (`json_exports`, `suite`, `free_text`), what they
share (`model`, `text`, `amounts`, `qualifications`) and the entry point (`detect`); the
names other modules use are re-exported here.
"""

from __future__ import annotations

from cogs.intake.parsers.amounts import read_duration, read_money
from cogs.intake.parsers.detect import looks_like_export, parse_export
from cogs.intake.parsers.json_exports import (
    JsonRefusedError,
    is_mturk_record,
    is_prolific_record,
    load_json,
    parse_record,
)
from cogs.intake.parsers.model import SOURCES, TEXT_MAX, ExportError, ParsedTask
from cogs.intake.parsers.text import clean_input, plain

__all__ = [
    "SOURCES",
    "TEXT_MAX",
    "ExportError",
    "JsonRefusedError",
    "ParsedTask",
    "clean_input",
    "is_mturk_record",
    "is_prolific_record",
    "load_json",
    "looks_like_export",
    "parse_export",
    "parse_record",
    "plain",
    "read_duration",
    "read_money",
]
