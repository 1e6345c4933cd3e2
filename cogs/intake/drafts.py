"""From a parsed export to a share draft, through the same rules as `/task share`.

Pure (no discord): `cogs.tasks.rules.build_share` checks everything a typed share is
checked for (reward range, currency, link, requester id, text); the structured limits
read from the export then replace the empty ones, since they are already canonical.
"""

from __future__ import annotations

import dataclasses

from bot.i18n import t
from cogs.intake.parsers import ParsedTask
from cogs.tasks import member_text, rules

NOTES_PART = 300


def share_input(parsed: ParsedTask, minutes: int | None, locale: str | None) -> rules.ShareInput:
    notes = []
    if parsed.description:
        notes.append(parsed.description[:NOTES_PART])
    if parsed.excluded:
        notes.append(t("intake.preview.excluded", locale, items=" · ".join(parsed.excluded)))
    return rules.ShareInput(
        link=parsed.link,
        title=parsed.title,
        platform=parsed.platform,
        requester=parsed.requester_name,
        requester_id=parsed.requester_id,
        reward=format(parsed.reward, "f"),
        currency=parsed.currency,
        minutes=minutes,
        available=min(parsed.available, rules.AVAILABLE_MAX) if parsed.available else None,
        notes="\n".join(notes) or None,
    )


def build_draft(
    parsed: ParsedTask,
    *,
    minutes: int | None,
    default_currency: str,
    locale: str | None = None,
    anonymous: bool = False,
    warning: str | None = None,
) -> rules.ShareDraft:
    """A validated draft; `minutes=None` checks everything but the minutes (a preview).

    `anonymous` and the content `warning` are the sharer's, not the export's: checked
    like `/task share`'s options.
    """
    raw = share_input(parsed, minutes if minutes is not None else 1, locale)
    raw = dataclasses.replace(raw, anonymous=anonymous, warning=warning)
    draft = rules.build_share(raw, default_currency=default_currency)
    # The limits read from the export replace the (empty) typed ones: what they will show
    # is refused for what a typed limits text would be (personal data, a worker id).
    for name in sorted(parsed.limits.qualifications):
        member_text.check_shown("limits", name)
    return dataclasses.replace(draft, limits=parsed.limits)
