"""What the fake Discord recorded: a request the bot made (`Call`) and a thing a member
would see (`Sent`), with the readers tests assert on (`.content`, `.embed`, `.button()`).

Apart from the fake itself because every test reads these and none needs the routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EPHEMERAL = 1 << 6


@dataclass
class Call:
    """One request the bot made to Discord."""

    method: str
    path: str  # the route template, e.g. /channels/{channel_id}/messages
    params: dict[str, str]
    json: dict[str, Any] | None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    query: dict[str, Any] | None = None
    reason: str | None = None

    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Sent:
    """Something a member would see: a message, an edit, a modal, autocomplete choices."""

    kind: (
        str  # response | deferred | update | followup | message | edit | modal | autocomplete | dm
    )
    payload: dict[str, Any]
    message: dict[str, Any] | None = None
    interaction_id: int | None = None
    channel_id: int | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def content(self) -> str:
        source = self.message if self.message is not None else self.payload
        return source.get("content") or ""

    @property
    def ephemeral(self) -> bool:
        source = self.message if self.message is not None else self.payload
        return bool((source.get("flags") or 0) & EPHEMERAL)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        source = self.message if self.message is not None else self.payload
        return source.get("embeds") or []

    @property
    def embed(self) -> dict[str, Any]:
        assert self.embeds, f"no embed in {self.kind}: {self.payload}"
        return self.embeds[0]

    def field(self, name: str, embed_index: int = 0) -> str:
        """The value of the embed field whose name contains `name`."""
        for item in self.embeds[embed_index].get("fields", []):
            if name.lower() in item["name"].lower():
                return item["value"]
        names = [f["name"] for f in self.embeds[embed_index].get("fields", [])]
        raise AssertionError(f"no field {name!r} in {names}")

    @property
    def text(self) -> str:
        """Everything readable: content, titles, descriptions, fields, footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
            parts.append((embed.get("author") or {}).get("name", ""))
        if self.kind == "modal":
            parts.append(self.payload.get("title", ""))
        return "\n".join(x for x in parts if x)

    @property
    def components(self) -> list[dict[str, Any]]:
        source = self.message if self.message is not None else self.payload
        return source.get("components") or []

    def walk_components(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                found.append(item)
                walk(item.get("components") or [])
                if "component" in item:
                    walk([item["component"]])

        walk(self.components)
        return found

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.walk_components() if c.get("type") == 2]

    def button(self, label: str) -> dict[str, Any]:
        for button in self.buttons:
            if label.lower() in (button.get("label") or "").lower():
                return button
        raise AssertionError(f"no button {label!r} in {[b.get('label') for b in self.buttons]}")

    @property
    def message_id(self) -> int:
        assert self.message is not None
        return int(self.message["id"])
