"""The crowd-work platforms every feature knows, by the key the database stores.

One list, so tasks, requesters, subscriptions and platform reviews can never disagree on
what "prolific" is called or which platforms exist. Pure data: rules modules import it.
"""

from __future__ import annotations

#: Platform key → display name (a brand, the same in every language; "other" is
#: translated where it is shown).
PLATFORM_NAMES: dict[str, str] = {
    "mturk": "MTurk",
    "prolific": "Prolific",
    "clickworker": "Clickworker",
    "toloka": "Toloka",
    "uhrs": "UHRS",
    "appen": "Appen",
    "other": "Other",
}

#: The keys, in the order menus show them.
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_NAMES)
