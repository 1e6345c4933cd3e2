"""What a request body becomes (a share draft), and what an alert or requester becomes.

The personal API's bodies, apart from its HTTP plumbing: the same share rules as
`/task share` read the fields, and a refusal keeps the message a member would read.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.errors import UserError
from bot.i18n import t
from bot.money import MoneyError, from_minor
from cogs.intake import drafts
from cogs.intake.api.plumbing import JSON_TYPE, ApiError
from cogs.intake.parsers import ExportError, is_mturk_record, is_prolific_record, parse_record
from cogs.requesters.rules import CrowdHourly
from cogs.tasks import render, rules
from cogs.tasks.service.identity import NameHeldError
from db import requesters

_SHARE_FIELDS = frozenset(
    {
        "link",
        "title",
        "platform",
        "requester",
        "requester_id",
        "reward",
        "currency",
        "minutes",
        "limits",
        "available",
        "notes",
        "anonymous",
        "warning",
        "guild_id",
    }
)


def draft_from_body(data: dict[str, Any], currency: str, server_locale: str) -> rules.ShareDraft:
    """A POST body → a share draft: an export's record (MTurk, Prolific) or share fields."""
    body = data.get("task") if isinstance(data.get("task"), dict) else data
    if is_mturk_record(body) or is_prolific_record(body) or "results" in body:
        parsed = parse_record(body)
        minutes = (
            data.get("minutes", body.get("minutes")) if parsed.minutes is None else parsed.minutes
        )
        if minutes is None:
            raise ExportError("intake.errors.not_found", field_name="minutes")
        minutes = rules.parse_minutes(_number(minutes))
        # The sharer's own choices, beside the record or in it: never silently dropped
        # (a content warning left out, or a member named who asked not to be).
        anonymous, warning = (data.get(k, body.get(k)) for k in ("anonymous", "warning"))
        return drafts.build_draft(
            parsed,
            minutes=minutes,
            default_currency=currency,
            locale=server_locale,
            anonymous=_boolean(anonymous),
            warning=_text(warning),
        )
    unknown = set(body) - _SHARE_FIELDS
    if unknown:
        raise UserError("intake.api.unknown_fields", fields=", ".join(sorted(unknown))[:200])
    raw = rules.ShareInput(
        link=_text(body.get("link")),
        title=_text(body.get("title")),
        platform=_text(body.get("platform")),
        requester=_text(body.get("requester")),
        requester_id=_text(body.get("requester_id")),
        reward=_number(body.get("reward")),
        currency=_text(body.get("currency")),
        minutes=_number(body.get("minutes")),
        limits=_text(body.get("limits")),
        available=_integer(body.get("available")),
        notes=_text(body.get("notes")),
        anonymous=_boolean(body.get("anonymous")),
        warning=_text(body.get("warning")),
    )
    return rules.build_share(raw, default_currency=currency)


def alert_response(alert: Any, *, merged: bool, status: int) -> web.Response:
    """The alert a POST made (or joined, `merged`), as the member's tool reads it."""
    return web.json_response(
        {
            "id": alert.id,
            "link": alert.jump_url,
            "merged": merged,
            "state": alert.state,
            "task_link": alert.link,
        },
        status=status,
        content_type=JSON_TYPE,
    )


def unknown_requester_json() -> dict[str, Any]:
    """What the lookup says of a requester nobody reviewed here."""
    return {
        "known": False,
        "status": "no_data",
        "why": None,
        "review_count": 0,
        "scores": {},
        "crowd_hourly": None,
    }


def requester_json(
    rep: requesters.Reputation, hourly: CrowdHourly | None, locale: str
) -> dict[str, Any]:
    """A known requester in the lookup: standing, scores, reports and the crowd's pay."""
    return {
        "known": True,
        "status": _status(rep.standing),
        "standing": rep.standing,
        "why": _why(rep, locale),
        "review_count": rep.review_count,
        "scores": {
            k: v
            for k, v in (
                ("pay", rep.pay),
                ("fast", rep.fast),
                ("fair", rep.fair),
                ("communication", rep.communication),
            )
            if v is not None
        },
        "confirmed_reports": dict(rep.confirmed),
        "crowd_hourly": None
        if hourly is None
        else {
            "amount": str(from_minor(hourly.cents, hourly.currency)),
            "currency": hourly.currency,
            "reports": hourly.reports,
        },
    }


def _status(standing: str) -> str:
    return {"scam": "scam", "caution": "caution"}.get(standing, "ok")


def _why(rep: requesters.Reputation, locale: str) -> str | None:
    return render.standing_reason(rep, locale)


def refusal(exc: UserError | MoneyError, locale: str) -> ApiError:
    """A share the rules refused → a refusal whose status a member's tool can act on."""
    if isinstance(exc, MoneyError):
        return ApiError(422, exc.key, t(exc.key, locale, **exc.params))
    if isinstance(exc, NameHeldError):
        # Held for a flagged namesake: Discord's answer offers a button a tool cannot
        # press, so the API words the way out itself.
        suffix = exc.key.rsplit(".", 1)[-1]
        return ApiError(403, exc.key, t(f"intake.api.{suffix}", locale, **exc.params))
    status = {"common.errors.not_set_up": 409, "tasks.share.scam_refused": 403}.get(exc.key, 422)
    if exc.key == "common.errors.busy":
        status = 503
    return ApiError(status, exc.key, exc.message(locale))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        raise UserError("intake.api.bad_type")
    return str(value)


def _number(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bool, dict | list)):
        raise UserError("intake.api.bad_type")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UserError("intake.api.bad_type")
        return format(Decimal(str(value)), "f")
    return str(value)


def _boolean(value: object) -> bool:
    """A JSON true or false (absent: false).

    Anything else is refused, not read as false: a tool sending "anonymous": "yes" must
    not have its member named on the alert.
    """
    if value is None:
        return False
    if not isinstance(value, bool):
        raise UserError("intake.api.bad_type")
    return value


def _integer(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError("intake.api.bad_type")
    return value
