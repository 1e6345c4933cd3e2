"""The personal API's aiohttp server: requests in, through the intake cog, JSON out."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.delivery import ChannelProblemError
from bot.errors import UserError
from bot.i18n import normalize_locale, t
from bot.money import MoneyError
from cogs.intake.api.bodies import (
    alert_response,
    draft_from_body,
    refusal,
    requester_json,
    unknown_requester_json,
)
from cogs.intake.api.plumbing import (
    JSON_TYPE,
    TOKEN_ID,
    TOKEN_SHAPE,
    ApiError,
    RateLimiter,
    TokenFilter,
    error_response,
    hash_token,
)
from cogs.intake.parsers import JsonRefusedError, load_json
from cogs.requesters.rules import crowd_hourly
from cogs.tasks import rules
from cogs.tasks.links import MTURK_REQUESTER
from db import guilds
from db import intake as intake_db
from db.connection import DatabaseBusyError
from db.intake import ApiToken
from db.requester_identity import canonical_id

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.intake.host import IntakeHost

log = logging.getLogger(__name__)
#: Where aiohttp's HTTP layer reports requests it could not parse (it quotes the bad line,
#: which may be a member's `Authorization` header): tokens are blanked out there too.
http_log = logging.getLogger(f"{__name__}.http")
for _logger in (log, http_log):
    if not any(isinstance(f, TokenFilter) for f in _logger.filters):
        _logger.addFilter(TokenFilter())

LOOKUP_MAX = 100
#: Requesters answered between two turns of the event loop (about 0.3 ms of work).
LOOKUP_TURN = 16
_OTHER_ID = re.compile(r"^[\w.:-]{1,64}$")


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
        self._runner = web.AppRunner(self.application(), access_log=None, logger=http_log)
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
        if scheme.lower() != "bearer" or not TOKEN_SHAPE.fullmatch(token):
            # Anything else (cut, padded, bytes that are not text) is no token of ours.
            raise ApiError(401, "unauthorized", t("intake.api.unauthorized", locale))
        found = await intake_db.token_by_hash(self.bot.db, hash_token(token), include_revoked=True)
        if found is None:
            raise ApiError(401, "unauthorized", t("intake.api.unauthorized", locale))
        request[TOKEN_ID] = found.id
        if not found.active:
            raise self._revoked(found, locale)
        # Per member, not per token: tokens are free to make (and revoke and make again),
        # so a budget per token would let a member multiply theirs.
        wait = self.limiter.take(found.user_id)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                "rate_limited",
                t("intake.api.rate_limited", locale, seconds=seconds),
                {"Retry-After": str(seconds)},
            )
        if self.bot.get_guild(found.guild_id) is None:  # the bot left it (or was removed)
            raise ApiError(403, "not_member", t("intake.api.server_gone", locale))
        # Not only the member cache: a large server's list is incomplete (not chunked),
        # and a member missing from it is looked up rather than refused.
        present = await self.bot.membership.is_member(found.guild_id, found.user_id)
        if present is None:
            raise ApiError(503, "busy", t("common.errors.busy", locale), {"Retry-After": "5"})
        if not present:
            raise ApiError(403, "not_member", t("intake.api.not_member", locale))
        await self._touch(found)
        return found

    def _revoked(self, token: ApiToken, locale: str) -> ApiError:
        """A revoked token: 401, or 403 when its member is known to have left the server.

        A leave revokes the member's tokens; coming back does not revive them. From the
        cache only, and outside the member's rate limit: whoever still holds a
        leaked, revoked token must not spend its member's budget, nor Discord lookups.
        """
        guild = self.bot.get_guild(token.guild_id)
        if guild is None:
            return ApiError(403, "not_member", t("intake.api.server_gone", locale))
        if guild.chunked and guild.get_member(token.user_id) is None:
            return ApiError(403, "not_member", t("intake.api.not_member", locale))
        return ApiError(401, "unauthorized", t("intake.api.unauthorized", locale))

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

    def _check_may_post(self, token: ApiToken, locale: str) -> None:
        """What Discord itself stops a member from doing, the API stops too.

        A member timed out by the moderators, or who has not yet accepted the server's
        rules (membership screening), cannot run /task share; their tool must not post
        for them either. (A member missing from a large server's cache is not known to be
        either, as for a command Discord would have refused.)
        """
        guild = self.bot.get_guild(token.guild_id)
        member = guild.get_member(token.user_id) if guild is not None else None
        if member is None:
            return
        until = member.timed_out_until
        if until is not None and until > self.bot.clock.now():
            raise ApiError(
                403,
                "timed_out",
                t("intake.api.timed_out", locale, until=until.isoformat(timespec="minutes")),
            )
        if member.pending:
            raise ApiError(403, "pending", t("intake.api.pending", locale))

    async def _read_json(self, request: web.Request) -> Any:
        locale = self._locale(request)
        if request.content_type != JSON_TYPE:
            raise ApiError(415, "unsupported_media_type", t("intake.api.content_type", locale))
        limit = self.body_max
        too_large = ApiError(
            413, "too_large", t("intake.api.too_large", locale, limit=limit), close=True
        )
        if request.content_length is not None and request.content_length > self.body_max:
            raise too_large
        # The whole body, however it arrives (chunked, or in several TCP segments): one
        # `read(n)` returns only what has arrived so far.
        parts: list[bytes] = []
        size = 0
        try:
            async for chunk in request.content.iter_any():
                size += len(chunk)
                if size > limit:
                    raise too_large
                parts.append(chunk)
        except web.RequestPayloadError:
            # Not the body's JSON but its transport: a Content-Encoding that does not
            # decode, a broken chunked encoding. Nothing more can be read from it: mark it
            # ended, or aiohttp would try to drain it after the answer and log the same
            # error again as an unhandled exception.
            request.content.feed_eof()
            raise ApiError(
                400, "bad_encoding", t("intake.api.bad_encoding", locale), close=True
            ) from None
        body = b"".join(parts)
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
        self._check_server(request, token, request.query.get("guild_id"))
        self._check_server(request, token, data.get("guild_id"))
        if isinstance(data.get("task"), dict):  # the body may wrap the task
            self._check_server(request, token, data["task"].get("guild_id"))
        self._check_may_post(token, locale)
        settings = await guilds.get(self.bot.db, token.guild_id)
        try:
            if not settings.is_set_up:
                raise UserError("common.errors.not_set_up")
            draft = draft_from_body(data, settings.currency, settings.locale)
            seen = await intake_db.live_alert_seen_by(
                self.bot.db, token.guild_id, draft.task_key, token.user_id
            )
            if seen is not None:
                alert = await self.cog.alert(seen)
                if alert is not None:
                    return alert_response(alert, merged=True, status=200)
            outcome = await self.cog.share_draft(settings, draft, token.user_id, locale)
        except ChannelProblemError as exc:
            raise ApiError(409, "channel_problem", exc.message(locale)) from None
        except (UserError, MoneyError) as exc:
            raise refusal(exc, locale) from None
        return alert_response(
            outcome.alert, merged=not outcome.created, status=201 if outcome.created else 200
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
        ids = list(dict.fromkeys(canonical_id(platform, i) for i in raw_ids))
        pattern = MTURK_REQUESTER if platform == "mturk" else _OTHER_ID
        bad = [i for i in ids if not pattern.match(i)]
        if bad:
            raise ApiError(400, "bad_id", t("intake.api.bad_id", locale, id=bad[0][:70]))
        found = await intake_db.requesters_by_platform_ids(self.bot.db, platform, ids)
        registry_ids = sorted(set(found.values()))
        samples = await intake_db.crowd_samples(self.bot.db, token.guild_id, registry_ids)
        crowd: dict[int, list[tuple[int, int, str]]] = {}
        for rid, cents, reports, currency in samples:
            crowd.setdefault(rid, []).append((cents, reports, currency))
        result: dict[str, Any] = {}
        for index, pid in enumerate(ids, start=1):
            if index % LOOKUP_TURN == 0:
                # Group commit answers a whole group of lookups at once: without a turn
                # here, each would build its 100 answers in the same loop iteration, and
                # a member's click would wait behind all of them.
                await asyncio.sleep(0)
            rid = found.get(pid)
            if rid is None:
                result[pid] = unknown_requester_json()
                continue
            rep = await self.cog.reputation(rid)
            result[pid] = requester_json(rep, crowd_hourly(crowd.get(rid, ())), locale)
        return web.json_response(
            {"platform": platform, "requesters": result}, content_type=JSON_TYPE
        )

    async def openapi(self, request: web.Request) -> web.Response:
        from cogs.intake.api.openapi import OPENAPI

        return web.json_response(OPENAPI, content_type=JSON_TYPE)
