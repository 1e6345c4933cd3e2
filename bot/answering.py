"""Answer an interaction at once when the work is quick; defer only when it is slow.

Deferring first and following up costs two Discord calls (and a `discord.Message` built
from the follow-up's answer) where one `response.send_message` does, and most shares take
milliseconds. `answer_when_ready` runs the work and, if it ends before a deadline counted
from when the interaction arrived (well inside Discord's three seconds), answers with one
initial response. Only if the deadline passes first does it defer (ephemeral, "thinking")
and send the answer as a follow-up once the work ends.

Race-free by construction: the deferral is started by a loop timer and the answer is
sent only after that timer is cancelled or its deferral has finished, so the two never
both try the initial response. The same holds when the work raises: the exception leaves
here only once any deferral has settled, so the error handler's `reply` (which picks
`send_message` or `followup.send` from `response.is_done()`) answers on either path.
The work must not touch `interaction.response` itself: it returns an `Answer`.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass

import discord

from bot.ui import reply

log = logging.getLogger(__name__)

#: Seconds after an interaction arrived by which the bot has either answered or deferred.
ANSWER_DEADLINE_S = 2.0
#: Discord's own limit for the initial response.
DISCORD_ANSWER_LIMIT_S = 3.0


@dataclass(frozen=True, slots=True)
class Answer:
    """What a member is told once the work is done (always sent without pings)."""

    content: str | None = None
    embed: discord.Embed | None = None
    embeds: Sequence[discord.Embed] | None = None
    view: discord.ui.View | None = None

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
        await reply(
            interaction,
            self.content,
            embed=self.embed,
            embeds=self.embeds,
            view=self.view,
            ephemeral=ephemeral,
        )


def elapsed_since_arrival(
    interaction: discord.Interaction, now: datetime.datetime | None = None
) -> float:
    """Seconds since Discord created the interaction, by its id; 0 when unknowable.

    Discord counts its three seconds from the interaction's creation, which its id
    carries. A clock that disagrees with Discord's (negative, or past the limit, as
    with made-up ids) says nothing useful, so the deadline then runs from now. `now`
    is the wall clock (UTC) unless a test gives it.
    """
    now = discord.utils.utcnow() if now is None else now
    elapsed = (now - interaction.created_at).total_seconds()
    if 0.0 <= elapsed <= DISCORD_ANSWER_LIMIT_S:
        return elapsed
    return 0.0


async def _defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    try:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.InteractionResponded:
        log.debug("interaction %s was answered before its deferral", interaction.id)
    except discord.HTTPException as exc:
        log.warning("could not defer interaction %s (HTTP %s)", interaction.id, exc.status)


async def answer_when_ready(
    interaction: discord.Interaction,
    work: Awaitable[Answer],
    *,
    deadline: float | None = None,
    ephemeral: bool = True,
) -> None:
    """Await `work` and send its answer: one initial response if it was quick.

    `deadline` (seconds, `ANSWER_DEADLINE_S` unless given) is counted from the
    interaction's arrival; tests shorten it. When the interaction was already answered
    or deferred (a button that first edited its message), the answer simply follows up.
    """
    if interaction.response.is_done():
        answer = await work
        await answer.send(interaction, ephemeral=ephemeral)
        return
    loop = asyncio.get_running_loop()
    deferral: asyncio.Task[None] | None = None

    def start_deferral() -> None:
        nonlocal deferral
        deferral = loop.create_task(_defer(interaction, ephemeral=ephemeral))

    limit = ANSWER_DEADLINE_S if deadline is None else deadline
    timer = loop.call_later(max(0.0, limit - elapsed_since_arrival(interaction)), start_deferral)
    try:
        answer = await work
    finally:
        # Synchronous with the timer: either it never fires now, or its deferral exists.
        timer.cancel()
        if deferral is not None:
            await deferral
    await answer.send(interaction, ephemeral=ephemeral)
