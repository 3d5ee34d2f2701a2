"""The one answer flow, shared by /ask, the "Ask the article" menu, DMs and mentions.

Every question goes through the same steps: admit it (rate limit, in-flight cap), check
it (question, article filter), queue it, acknowledge it, tell the user when the queue is
long, wait for the answer, remember it (statistics and the answer store, for its buttons)
and send it. Only how each step looks in Discord differs between a slash command and a
message, and that is the :class:`Asker`'s job (``bot/cogs/ask.py``); this module imports
no Discord code, so the flow is unit-tested with a recording asker.

The user's in-flight slot is held until the answer exists, not while it is sent, so a
user who has seen the answer can always ask again at once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from typing import Protocol

from bot.answer_store import page_size
from bot.context import BotContext
from bot.ratelimit import Busy
from bot.render.wording import queued_note
from index.errors import EngineError
from index.models import Answer
from index.retrieval.retriever import validate_question

log = logging.getLogger(__name__)


class Asker(Protocol):
    """Where a question came from, and how each step of the flow is shown there."""

    user_id: int
    guild_id: int | None
    channel_id: int | None
    #: Saved with the answer and logged: "slash", "context menu", "dm" or "mention".
    source: str

    async def local_reply(self, question: str) -> bool:
        """Answer without the engine (e.g. "help" in a DM); True if it did. Runs after the
        question was admitted, so it counts against the rate limit."""
        ...

    async def accept(self) -> None:
        """Acknowledge the question once it is queued (a slash command defers)."""
        ...

    async def queued(self, note: str) -> None:
        """Say the question waits in a long queue (``note``); must not raise for a send."""
        ...

    async def refuse(self, error: EngineError | Busy) -> None:
        """Tell the user why the question was not answered (or re-raise it, for a slash
        command whose refusal the command tree's error handler reports)."""
        ...

    async def reply(self, answer: Answer, answer_id: str | None) -> None:
        """Send the answer, with its buttons when it was saved (``answer_id``)."""
        ...


_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
_CUSTOM_EMOJI = re.compile(r"<a?:\w+:\d+>")


def without_discord_markup(question: str) -> str:
    """The question without Discord's mention and custom-emoji syntax (``<@123>``,
    ``@everyone``, ``<:name:123>``): what the engine is asked."""
    return _CUSTOM_EMOJI.sub(" ", _MENTION.sub(" ", question))


async def answer_question(
    ctx: BotContext, asker: Asker, question: str, article: str | None = None
) -> Answer | None:
    """Take ``question`` (limited to ``article``) from admission to the sent answer.

    Returns the answer sent, or None when the question was refused or answered locally.
    Domain errors (``EngineError``, ``Busy``) go to :meth:`Asker.refuse`; anything else
    (a failed send, a bug) propagates to the caller's error handling.
    """
    question = without_discord_markup(question)
    try:
        with ctx.gate.admit(asker.user_id):
            if await asker.local_reply(question):
                return None
            validate_question(question)  # cheap: a bad question is refused before any work
            engine = ctx.engine_for(asker.guild_id)  # the defaults + this server's own
            if article is not None:
                engine.article(article)  # so is an unknown article (UnknownArticle)
            ticket = ctx.answers.submit(question, article, engine)  # and a full queue (Busy)
            try:
                await asker.accept()
            except BaseException:
                ticket.future.cancel()  # nobody will read the answer
                raise
            started = time.perf_counter()
            if ticket.estimated_wait >= ctx.limits.busy_note_after:
                await asker.queued(queued_note(ticket.estimated_wait))
            answer = await ticket
    except (EngineError, Busy) as exc:
        await asker.refuse(exc)
        return None
    seconds = time.perf_counter() - started
    answer_id = await remember(ctx, answer, asker, seconds=seconds, article=article)
    await asker.reply(answer, answer_id)
    log.info(
        "%s by %s answered in %.0f ms (%d quotes)",
        asker.source,
        asker.user_id,
        seconds * 1000,
        len(answer.quotes),
    )
    log.debug("question %r", question)
    return answer


async def remember(
    ctx: BotContext, answer: Answer, asker: Asker, *, seconds: float, article: str | None
) -> str | None:
    """Count the answer for /stats and save it for its buttons; returns its id, or None
    when it could not be saved (the answer is then sent without buttons)."""
    ctx.live_stats.record_answer(bool(answer.answered and answer.quotes), seconds)
    if ctx.store is None:
        return None
    try:
        return await asyncio.to_thread(
            ctx.store.save_answer,
            answer,
            user_id=asker.user_id,
            source=asker.source,
            seconds=seconds,
            page_size=page_size(answer, ctx.top_k),
            article=article,
            guild_id=asker.guild_id,
            channel_id=asker.channel_id,
        )
    except (sqlite3.Error, OSError) as exc:
        log.warning("could not save an answer (sent without buttons): %s", exc)
        return None
