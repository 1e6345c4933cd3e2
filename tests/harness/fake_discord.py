"""A fake of Discord's HTTP side: every REST call and interaction callback the bot makes
is recorded and answered with Discord-shaped JSON, and never leaves the process.

Only two methods are replaced: `discord.http.HTTPClient.request` (the bot's REST client)
and `discord.webhook.async_.AsyncWebhookAdapter.request` (interaction callbacks and
follow-ups), plus `HTTPClient.get_from_cdn` for attachment downloads. Everything above
them (discord.py's models, views, the command tree) runs for real.

The routes live in `fake_rest.py` and `fake_interactions.py`, the state they share in
`fake_state.py`, and what tests read (`Sent`, `Call`) in `sent.py`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import discord
import discord.webhook.async_ as webhook_async
from discord.http import HTTPClient

from tests.harness.fake_interactions import WEBHOOK_ROUTES, InteractionRoutes
from tests.harness.fake_rest import REST_ROUTES, RestRoutes
from tests.harness.fake_state import http_error
from tests.harness.sent import Call, Sent


class FakeDiscord(RestRoutes, InteractionRoutes):
    """Discord's HTTP side for one bot: installs itself, fails on demand, answers every
    route it knows and fails the test on one it does not."""

    _REST: ClassVar[dict[str, Callable[[Any, Call], Any]]] = REST_ROUTES
    _WEBHOOK: ClassVar[dict[str, Callable[[Any, Call], Any]]] = WEBHOOK_ROUTES

    # -- installation -------------------------------------------------------------------

    def install(self, monkeypatch: Any) -> None:
        fake = self

        async def rest_request(
            http: HTTPClient, route: Any, *, files: Any = None, form: Any = None, **kwargs: Any
        ) -> Any:
            return await fake._rest(route, files=files, form=form, **kwargs)

        async def webhook_request(
            adapter: Any,
            route: Any,
            session: Any,
            *,
            payload: Any = None,
            multipart: Any = None,
            files: Any = None,
            params: Any = None,
            **kwargs: Any,
        ) -> Any:
            return await fake._webhook(
                route, payload=payload, multipart=multipart, files=files, params=params
            )

        async def get_from_cdn(http: HTTPClient, url: str) -> bytes:
            if url not in fake.cdn:
                raise http_error(404, {"code": 0, "message": "404: Not Found"})
            return fake.cdn[url]

        monkeypatch.setattr(HTTPClient, "request", rest_request)
        monkeypatch.setattr(HTTPClient, "get_from_cdn", get_from_cdn)
        monkeypatch.setattr(webhook_async.AsyncWebhookAdapter, "request", webhook_request)

    # -- failure injection --------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        code: int = 0,
        message: str = "",
        match: Callable[[Call], bool] | None = None,
        retry_after: float = 0.0,
    ) -> None:
        """Make the next `times` matching requests fail with `status` (0 = forever)."""
        self._failures.append(
            {
                "method": method,
                "path": path,
                "status": status,
                "times": times,
                "code": code,
                "message": message or f"{status}",
                "match": match,
                "retry_after": retry_after,
            }
        )

    def _check_failure(self, call: Call) -> None:
        for failure in list(self._failures):
            if failure["method"] != call.method or failure["path"] != call.path:
                continue
            if failure["match"] is not None and not failure["match"](call):
                continue
            if failure["times"]:
                failure["times"] -= 1
                if failure["times"] == 0:
                    self._failures.remove(failure)
            if failure["status"] == 429:
                raise discord.RateLimited(failure["retry_after"] or 1.0)
            raise http_error(
                failure["status"], {"code": failure["code"], "message": failure["message"]}
            )

    # -- request handling ---------------------------------------------------------------

    async def _rest(self, route: Any, *, files: Any, form: Any, **kwargs: Any) -> Any:
        body = kwargs.get("json")
        if form:
            for part in form:
                if part.get("name") == "payload_json":
                    body = json.loads(part["value"])
        call = Call(
            route.method,
            route.path,
            _params(route),
            body,
            _read_files(files),
            kwargs.get("params"),
            kwargs.get("reason"),
        )
        return await self._answer(call, self._REST)

    async def _webhook(
        self, route: Any, *, payload: Any, multipart: Any, files: Any, params: Any
    ) -> Any:
        body = payload
        if multipart:
            for part in multipart:
                if part.get("name") == "payload_json":
                    body = json.loads(part["value"])
        call = Call(route.method, route.path, _params(route), body, _read_files(files), params)
        return await self._answer(call, self._WEBHOOK)

    async def _answer(self, call: Call, routes: dict[str, Callable[[Any, Call], Any]]) -> Any:
        """Record the call, fail it if a test asked for that, else answer from `routes`."""
        self.calls.append(call)
        await asyncio.sleep(0)
        self._check_failure(call)
        handler = routes.get(call.route())
        if handler is None:
            self.unhandled.append(call)
            raise AssertionError(f"the fake Discord does not know {call.route()}")
        return handler(self, call)

    # -- queries for tests --------------------------------------------------------------

    def in_channel(self, channel_id: int) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.channel_id == channel_id and s.kind in ("message", "forum_post")
        ]

    def dms_to(self, user_id: int) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.kind == "dm" and self.dm_channels.get(s.channel_id or 0) == user_id
        ]

    def for_interaction(self, interaction_id: int) -> list[Sent]:
        return [s for s in self.sent if s.interaction_id == interaction_id]

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    def message(self, message_id: int) -> dict[str, Any]:
        return self.messages[message_id]

    def assert_never_pinged(self, allowed_roles: Iterable[int] = ()) -> None:
        """Every message the bot sent or edited carried allowed_mentions that ping no one.

        `allowed_roles`: the one exception, opt-in notification roles (cogs/roles). A
        message may then allow pinging some of these roles, and still nobody else.
        """
        permitted = {int(r) for r in allowed_roles}
        for call in self.calls:
            body = call.json or {}
            if not isinstance(body, dict):
                continue
            if call.path.endswith("/callback"):
                body = body.get("data") or {}
            if not ({"content", "embeds"} & set(body)) and "message" not in body:
                continue
            target = body.get("message", body) if "message" in body else body
            allowed = target.get("allowed_mentions")
            assert allowed is not None, f"{call.route()} sent without allowed_mentions: {target}"
            assert not allowed.get("parse"), f"{call.route()} allows pings: {allowed}"
            assert not allowed.get("users"), allowed
            roles = {int(r) for r in allowed.get("roles") or ()}
            assert roles <= permitted, f"{call.route()} allows pinging roles {roles}: {allowed}"


def _params(route: Any) -> dict[str, str]:
    """Recover the route's parameters by matching its URL against its template."""
    match = _template(route.path).search(route.url.split("?", 1)[0])
    return dict(match.groupdict()) if match else {}


@functools.lru_cache(maxsize=256)
def _template(path: str) -> re.Pattern[str]:
    """A route template as a pattern, compiled once (the fake answers thousands a second)."""
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/?]+)", re.escape(path))
    return re.compile(pattern + r"$")


def _read_files(files: Any) -> list[tuple[str, bytes]]:
    result = []
    for file in files or []:
        fp = file.fp
        position = fp.tell()
        fp.seek(0)
        result.append((file.filename, fp.read()))
        fp.seek(position)
    return result
