"""Member-written text (`cogs.tasks.member_text`): the cheap gates change no answer.

`find_mention`, `find_markup` and `clean_text` skip work for text that cannot need it
(no `@`/`<`, no formatting character, ASCII, printable). Generated text built from the
pieces those checks react to must get exactly the answer the full checks give.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.personal_data import PersonalDataError, check_personal_data
from cogs.tasks import member_text as mt
from cogs.tasks.links import worker_id_in_text_links
from cogs.tasks.member_text import clean_text, find_markup, find_mention

_PIECES = st.sampled_from(
    [
        "Survey", "task", " ", "  ", "\t", "\n", "\r\n", "@everyone", "@here", "@", "<@123>",
        "<@!5>", "<@&7>", "<#9>", "</cmd:1>", "<", ">", "**", "*", "_", "__", "~~", "||",
        "`", "#", "# ", "-# ", "> ", ">>> ", "[a](b)", "[", "]", "(", ")", "5* rating",
        "task_name", "\x00", "\x7f", "\u200b", "\u202e", "\u2060", "e\u0301", "é", "ﬁ",
        "\u00a0", "1.50", "$",
    ]
)  # fmt: skip


def _full_mention(text: str) -> str | None:
    match = mt._MENTION.search(text)
    return match.group(0) if match else None


def _full_markup(text: str) -> str | None:
    for pattern in mt._MARKUP:
        match = pattern.search(text)
        if match:
            return match.group(0).strip()
    return None


def _full_clean(text: str, multiline: bool) -> str:
    value = unicodedata.normalize("NFC", text)
    value = mt._CONTROL.sub("", value.replace("\r\n", "\n").replace("\t", " "))
    if multiline:
        lines = [" ".join(line.split()) for line in value.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(value.split())


@given(st.lists(_PIECES, max_size=16).map("".join))
def test_the_gates_never_change_what_is_found(text: str) -> None:
    assert find_mention(text) == _full_mention(text)
    assert find_markup(text) == _full_markup(text)


def _full_outcome(text: str, multiline: bool) -> tuple[str, str | None]:
    """What `clean_text` answered before the gates: ("ok", value) or ("refused", key)."""
    value = _full_clean(text, multiline)
    if not value:
        return ("ok", None)
    if _full_mention(value):
        return ("refused", "tasks.errors.mention")
    if _full_markup(value):
        return ("refused", "tasks.errors.markdown")
    if worker_id_in_text_links(value):
        return ("refused", "tasks.errors.worker_id_in_link")
    try:
        check_personal_data(value, "tasks.fields.notes")
    except PersonalDataError as exc:
        return ("refused", exc.key)
    return ("ok", value)


@pytest.mark.parametrize("multiline", [False, True])
@given(text=st.lists(_PIECES, max_size=16).map("".join))
def test_clean_text_answers_what_the_full_steps_answer(text: str, multiline: bool) -> None:
    try:
        got = ("ok", clean_text("notes", text, 4000, multiline=multiline))
    except UserError as exc:
        got = ("refused", exc.key)
    assert got == _full_outcome(text, multiline)


def test_a_masked_link_or_command_mention_never_spans_a_bracket() -> None:
    """Found by a hostile probe: "[[[[…" (or "</</…") in a 6,000-character option was
    scanned to its end once per bracket, holding the event loop; now neither pattern
    crosses a bracket, so each start is given up at the next one."""
    assert find_markup("[a [b](https://x.example) c") == "[b](https://x.example)"
    assert find_markup("[a](https://x[b](y)") == "[b](y)"
    assert find_mention("</a </task:12>") == "</task:12>"
    assert find_markup("[" * 6000) is None and find_mention("</" * 3000) is None
