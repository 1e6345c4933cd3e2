"""The one error type a feature raises to tell a member what to fix.

A `UserError` carries a translation key and its parameters rather than finished text,
so the global handler can answer in the language of whoever triggered it.
"""

from __future__ import annotations

from bot.i18n import t


class UserError(Exception):
    """Something the member can fix; shown to them ephemerally, never logged as a bug."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, locale: str | None) -> str:
        return t(self.key, locale, **self.params)


class NotSetUpError(UserError):
    """A feature needs configuration an administrator has not given yet."""

    def __init__(self) -> None:
        super().__init__("common.errors.not_set_up")


class NotModeratorError(UserError):
    def __init__(self) -> None:
        super().__init__("common.errors.not_moderator")
