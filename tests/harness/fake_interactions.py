"""The fake Discord's interaction routes: callbacks (responses, deferrals, updates,
modals, autocomplete), follow-ups, and edits of an interaction's messages, each recorded
as the `Sent` a member would see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.harness import payloads as p
from tests.harness.fake_state import FakeState, attachment_list, http_error
from tests.harness.sent import EPHEMERAL, Call, Sent


class InteractionRoutes(FakeState):
    """Handlers for `AsyncWebhookAdapter.request`, one per route (see `WEBHOOK_ROUTES`)."""

    def _callback(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        interaction_id = int(call.params["webhook_id"])
        body = call.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        channel_id = self.interaction_channels.get(token)
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_ephemeral": False,
            },
        }
        if kind in (4, 5):
            flags = data.get("flags") or 0
            message = p.message_json(
                p.snowflake(),
                channel_id or 0,
                self.bot_user.user_json(),
                {**data, "flags": flags},
                attachments=attachment_list(call.files),
                message_type=20,
            )
            self.messages[int(message["id"])] = message
            self.files[int(message["id"])] = call.files
            self.originals[token] = int(message["id"])
            response["interaction"].update(
                {
                    "response_message_id": message["id"],
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                }
            )
            response["resource"] = {"type": kind, "message": message}
            self.sent.append(
                Sent(
                    "response" if kind == 4 else "deferred",
                    data,
                    message,
                    interaction_id,
                    channel_id,
                    call.files,
                )
            )
        elif kind == 7:
            target = self._interaction_message(token)
            message = self._apply_edit(target, data, call.files) if target else None
            response["resource"] = {"type": 7, "message": message} if message else {"type": 7}
            self.sent.append(Sent("update", data, message, interaction_id, channel_id, call.files))
        elif kind == 6:
            response["resource"] = {"type": 6}
            self.sent.append(Sent("deferred_update", data, None, interaction_id, channel_id))
        elif kind == 8:
            response["resource"] = {"type": 8}
            self.sent.append(Sent("autocomplete", data, None, interaction_id, channel_id))
        elif kind == 9:
            response["resource"] = {"type": 9}
            self.sent.append(Sent("modal", data, None, interaction_id, channel_id))
        else:
            self.unhandled.append(call)
        return response

    def _followup(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        channel_id = self.interaction_channels.get(token, 0)
        message = self._store_message(channel_id, call.json or {}, call.files, message_type=19)
        self.sent.append(
            Sent(
                "followup",
                call.json or {},
                message,
                self.interaction_ids.get(token),
                channel_id,
                call.files,
            )
        )
        return message

    def _webhook_message_id(self, call: Call) -> int | None:
        """The message a webhook route names: its id, or `@original` (the response's)."""
        raw_id = call.params.get("message_id", "@original")
        if raw_id == "@original":
            return self.originals.get(call.params["webhook_token"])
        return int(raw_id)

    def _known_webhook_message(self, call: Call) -> int:
        """The message a webhook route names, which must exist (else Discord's 404)."""
        message_id = self._webhook_message_id(call)
        if message_id is None or message_id not in self.messages:
            raise http_error(404, {"code": 10008, "message": "Unknown Message"})
        return message_id

    def _edit_webhook_message(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        message_id = self._known_webhook_message(call)
        message = self._apply_edit(message_id, call.json or {}, call.files)
        self.sent.append(
            Sent(
                "edit",
                call.json or {},
                message,
                self.interaction_ids.get(token),
                message.get("channel_id") and int(message["channel_id"]),
                call.files,
            )
        )
        return message

    def _get_webhook_message(self, call: Call) -> Any:
        message_id = self._known_webhook_message(call)
        return self.messages[message_id]

    def _delete_webhook_message(self, call: Call) -> Any:
        message_id = self._webhook_message_id(call)
        self.messages.pop(message_id or 0, None)
        return None


WEBHOOK_ROUTES: dict[str, Callable[[Any, Call], Any]] = {
    "POST /interactions/{webhook_id}/{webhook_token}/callback": InteractionRoutes._callback,
    "POST /webhooks/{webhook_id}/{webhook_token}": InteractionRoutes._followup,
    # each message route is spelled with the original response's alias or a message id
    **{
        f"{method} /webhooks/{{webhook_id}}/{{webhook_token}}/messages/{target}": handler
        for method, handler in (
            ("PATCH", InteractionRoutes._edit_webhook_message),
            ("GET", InteractionRoutes._get_webhook_message),
            ("DELETE", InteractionRoutes._delete_webhook_message),
        )
        for target in ("@original", "{message_id}")
    },
}
