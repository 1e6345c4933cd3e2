"""The personal API: members' own tools post alerts and look requesters up.

An aiohttp server in the bot's process (off unless `API_PORT` is set). Every request
carries a member's personal token (`Authorization: Bearer ent_…`), which is scoped to one
member and one server; what it does goes through the same rules as that member's
`/task share`. Refusals are JSON `{"error": {"code", "message"}}` where `message` is the
text a member would read in Discord. Tokens never reach the logs.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.delivery import ChannelProblemError
from bot.errors import UserError
from bot.i18n import normalize_locale, t
from bot.money import MoneyError, from_minor
from cogs.intake import drafts
from cogs.intake.parsers import (
    ExportError,
    JsonRefusedError,
    is_mturk_record,
    is_prolific_record,
    load_json,
    parse_record,
)
from cogs.requesters.rules import crowd_hourly
from cogs.tasks import rules
from cogs.tasks.links import MTURK_REQUESTER
from db import guilds, requesters
from db import intake as intake_db
from db.connection import DatabaseBusyError
from db.intake import ApiToken

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.intake.host import IntakeHost

log = logging.getLogger(__name__)

TOKEN_PREFIX = "ent_"  # noqa: S105 - a prefix, not a secret
LOOKUP_MAX = 100
#: The number (never the secret) of the token a request used, for the request log.
TOKEN_ID = web.RequestKey("token_id", int | None)
JSON_TYPE = "application/json"
_OTHER_ID = re.compile(r"^[\w.:-]{1,64}$")
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


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiError(Exception):
    """A refusal: HTTP status, a stable code, the member-facing message."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.text = message
        self.headers = headers or {}


def error_response(error: ApiError) -> web.Response:
    return web.json_response(
        {"error": {"code": error.code, "message": error.text}},
        status=error.status,
        headers=error.headers,
        content_type=JSON_TYPE,
    )


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per API token: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def take(self, key: int) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        rate = self.per_minute / 60
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        if len(self._buckets) > 10_000:  # forget idle buckets now and then
            self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < 120}
        return (1 - bucket.tokens) / rate


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiServer:
    """The aiohttp application, bound to the bot; started and stopped by the intake cog."""

    def __init__(self, bot: Entraide, cog: IntakeHost) -> None:
        self.bot = bot
        self.cog = cog
        settings = bot.settings
        self.host = settings.api_host
        self.wanted_port = settings.api_port or 0
        self.body_max = settings.api_body_max_bytes
        self.limiter = RateLimiter(settings.api_rate_per_minute)
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._touched: dict[int, float] = {}

    def application(self) -> web.Application:
        app = web.Application(client_max_size=self.body_max, middlewares=[self._middleware])
        app.router.add_post("/api/v1/alerts", self.post_alert)
        app.router.add_get("/api/v1/requesters", self.get_requesters)
        app.router.add_get("/api/v1/openapi.json", self.openapi)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.wanted_port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self.wanted_port
        log.info("personal API listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- plumbing ----------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.monotonic()
        request[TOKEN_ID] = None
        try:
            response = await handler(request)
        except ApiError as error:
            response = error_response(error)
        except web.HTTPException as exc:
            code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(
                exc.status, "http_error"
            )
            response = error_response(ApiError(exc.status, code, exc.reason))
        except DatabaseBusyError:
            response = error_response(
                ApiError(
                    503,
                    "busy",
                    t("common.errors.busy", self._locale(request)),
                    {"Retry-After": "5"},
                )
            )
        except Exception:
            log.exception(
                "API %s %s failed (token %s)", request.method, request.path, request[TOKEN_ID]
            )
            response = error_response(
                ApiError(500, "unexpected", t("common.errors.unexpected", self._locale(request)))
            )
        # The path only: the query holds requester ids, never a token (tokens are headers).
        log.info(
            "API %s %s → %s in %.0f ms (token %s)",
            request.method,
            request.path,
            response.status,
            (time.monotonic() - started) * 1000,
            request[TOKEN_ID],
        )
        return response

    def _locale(self, request: web.Request) -> str:
        return normalize_locale((request.headers.get("Accept-Language") or "en")[:5])

    async def _authenticate(self, request: web.Request) -> ApiToken:
        locale = self._locale(request)
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        token = value.strip()
        if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            raise ApiError(401, "unauthorized", t("intake.api.unauthorized", locale))
        found = await intake_db.token_by_hash(self.bot.db, hash_token(token))
        if found is None:
            raise ApiError(401, "unauthorized", t("intake.api.unauthorized", locale))
        request[TOKEN_ID] = found.id
        wait = self.limiter.take(found.id)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                "rate_limited",
                t("intake.api.rate_limited", locale, seconds=seconds),
                {"Retry-After": str(seconds)},
            )
        guild = self.bot.get_guild(found.guild_id)
        if guild is None or guild.get_member(found.user_id) is None:
            raise ApiError(403, "not_member", t("intake.api.not_member", locale))
        await self._touch(found)
        return found

    async def _touch(self, token: ApiToken) -> None:
        """Record when a token was last used (at most once a minute per token)."""
        now = time.monotonic()
        if now - self._touched.get(token.id, -math.inf) < 60:
            return
        self._touched[token.id] = now
        await intake_db.touch_token(self.bot.db, token.id, int(self.bot.clock.now().timestamp()))

    def _check_server(self, request: web.Request, token: ApiToken, asked: object) -> None:
        """A request that names a server must name the token's own."""
        if asked is None:
            return
        if str(asked).strip() != str(token.guild_id):
            raise ApiError(403, "wrong_server", t("intake.api.wrong_server", self._locale(request)))

    async def _read_json(self, request: web.Request) -> Any:
        locale = self._locale(request)
        if request.content_type != JSON_TYPE:
            raise ApiError(415, "unsupported_media_type", t("intake.api.content_type", locale))
        if request.content_length is not None and request.content_length > self.body_max:
            raise ApiError(413, "too_large", t("intake.api.too_large", locale, limit=self.body_max))
        body = await request.content.read(self.body_max + 1)
        if len(body) > self.body_max:
            raise ApiError(413, "too_large", t("intake.api.too_large", locale, limit=self.body_max))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "bad_json", t("intake.errors.json_not_json", locale)) from None
        try:
            return load_json(text)
        except JsonRefusedError as exc:
            raise ApiError(
                413 if exc.reason == "too_many" else 400,
                f"json_{exc.reason}",
                t(f"intake.errors.json_{exc.reason}", locale),
            ) from None

    # -- POST /api/v1/alerts -------------------------------------------------------------------

    async def post_alert(self, request: web.Request) -> web.Response:
        token = await self._authenticate(request)
        locale = self._locale(request)
        data = await self._read_json(request)
        if not isinstance(data, dict):
            raise ApiError(400, "bad_body", t("intake.errors.unknown", locale))
        self._check_server(request, token, data.get("guild_id"))
        settings = await guilds.get(self.bot.db, token.guild_id)
        try:
            if not settings.is_set_up:
                raise UserError("common.errors.not_set_up")
            draft = self._draft(data, settings.currency, settings.locale)
            seen = await intake_db.live_alert_seen_by(
                self.bot.db, token.guild_id, draft.task_key, token.user_id
            )
            if seen is not None:
                alert = await self.cog.alert(seen)
                if alert is not None:
                    return self._alert_response(alert, merged=True, status=200)
            outcome = await self.cog.share_draft(settings, draft, token.user_id, locale)
        except ChannelProblemError as exc:
            raise ApiError(409, "channel_problem", exc.message(locale)) from None
        except (UserError, MoneyError) as exc:
            raise _refusal(exc, locale) from None
        return self._alert_response(
            outcome.alert, merged=not outcome.created, status=201 if outcome.created else 200
        )

    def _draft(self, data: dict[str, Any], currency: str, server_locale: str) -> rules.ShareDraft:
        body = data.get("task") if isinstance(data.get("task"), dict) else data
        if is_mturk_record(body) or is_prolific_record(body) or "results" in body:
            parsed = parse_record(body)
            minutes = (
                data.get("minutes", body.get("minutes"))
                if parsed.minutes is None
                else parsed.minutes
            )
            if minutes is None:
                raise ExportError("intake.errors.not_found", field_name="minutes")
            minutes = rules.parse_minutes(_number(minutes))
            return drafts.build_draft(
                parsed, minutes=minutes, default_currency=currency, locale=server_locale
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
            anonymous=body.get("anonymous") is True,
            warning=_text(body.get("warning")),
        )
        return rules.build_share(raw, default_currency=currency)

    def _alert_response(self, alert: Any, *, merged: bool, status: int) -> web.Response:
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

    # -- GET /api/v1/requesters ----------------------------------------------------------------

    async def get_requesters(self, request: web.Request) -> web.Response:
        token = await self._authenticate(request)
        locale = self._locale(request)
        self._check_server(request, token, request.query.get("guild_id"))
        platform = (request.query.get("platform") or "mturk").strip().lower()
        if platform not in rules.PLATFORMS:
            raise ApiError(
                400,
                "bad_platform",
                t(
                    "tasks.errors.platform_unknown",
                    locale,
                    field=t("tasks.fields.platform", locale),
                    platform=platform[:20],
                ),
            )
        raw_ids = [i.strip() for i in (request.query.get("ids") or "").split(",") if i.strip()]
        if not raw_ids:
            raise ApiError(400, "no_ids", t("intake.api.no_ids", locale))
        if len(raw_ids) > LOOKUP_MAX:
            raise ApiError(
                400, "too_many_ids", t("intake.api.too_many_ids", locale, limit=LOOKUP_MAX)
            )
        ids = list(dict.fromkeys(i.upper() if platform == "mturk" else i for i in raw_ids))
        pattern = MTURK_REQUESTER if platform == "mturk" else _OTHER_ID
        bad = [i for i in ids if not pattern.match(i)]
        if bad:
            raise ApiError(400, "bad_id", t("intake.api.bad_id", locale, id=bad[0][:70]))
        found = await intake_db.requesters_by_platform_ids(self.bot.db, platform, ids)
        registry_ids = sorted(set(found.values()))
        samples = await intake_db.crowd_samples(self.bot.db, token.guild_id, registry_ids)
        result: dict[str, Any] = {}
        for pid in ids:
            rid = found.get(pid)
            if rid is None:
                result[pid] = {
                    "known": False,
                    "status": "no_data",
                    "why": None,
                    "review_count": 0,
                    "scores": {},
                    "crowd_hourly": None,
                }
                continue
            rep = await self.cog.reputation(rid)
            hourly = crowd_hourly((c, n, cur) for r, c, n, cur in samples if r == rid)
            result[pid] = {
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
        return web.json_response(
            {"platform": platform, "requesters": result}, content_type=JSON_TYPE
        )

    async def openapi(self, request: web.Request) -> web.Response:
        from cogs.intake.openapi import OPENAPI

        return web.json_response(OPENAPI, content_type=JSON_TYPE)


def _status(standing: str) -> str:
    return {"scam": "scam", "caution": "caution"}.get(standing, "ok")


def _why(rep: requesters.Reputation, locale: str) -> str | None:
    from cogs.tasks import render

    return render.standing_reason(rep, locale)


def _refusal(exc: UserError | MoneyError, locale: str) -> ApiError:
    if isinstance(exc, MoneyError):
        return ApiError(422, exc.key, t(exc.key, locale, **exc.params))
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


def _integer(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError("intake.api.bad_type")
    return value
