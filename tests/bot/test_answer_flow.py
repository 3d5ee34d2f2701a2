"""bot/answer_flow.py without Discord: the steps every question goes through, in order,
recorded by an asker (admission, checks, acknowledgement, queued note, answer, memory).
The Discord forms of the asker: cogs/test_ask_cog.py; end to end: test_e2e_*.py."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from botkit import QUOTE, OneQuoteEngine, bot_settings

from bot.answer_flow import answer_question, without_discord_markup
from bot.answer_store import AnswerStore
from bot.context import BotContext
from bot.limits import Limits
from bot.ratelimit import Busy, RateLimited
from bot.render.wording import queued_note
from index.errors import EngineError, InvalidQuestion, NotReady, UnknownArticle
from index.models import Answer


class RecordingAsker:
    """An asker that records each step; ``fail_accept`` makes the acknowledgement fail."""

    def __init__(self, ctx: BotContext, *, local: bool = False, fail_accept: bool = False):
        self.ctx = ctx
        self.user_id, self.guild_id, self.channel_id, self.source = 7, 1, 2, "test"
        self.local = local
        self.fail_accept = fail_accept
        self.steps: list[tuple[str, Any]] = []

    async def local_reply(self, question: str) -> bool:
        if self.local:
            self.steps.append(("local", question))
        return self.local

    async def accept(self) -> None:
        if self.fail_accept:
            raise ConnectionError("the interaction expired")
        self.steps.append(("accept", None))

    async def queued(self, note: str) -> None:
        self.steps.append(("queued", note))

    async def refuse(self, error: EngineError | Busy) -> None:
        self.steps.append(("refuse", error))

    async def reply(self, answer: Answer, answer_id: str | None) -> None:
        slots = self.ctx.limiter.in_flight(self.user_id)
        self.steps.append(("reply", (answer.question, answer_id, slots)))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.steps]


@pytest.fixture
async def ctx() -> AsyncIterator[BotContext]:
    context = BotContext.create(
        OneQuoteEngine(), bot_settings(rate_limit_questions=3), store=AnswerStore(":memory:")
    )
    yield context
    context.close()


async def test_a_question_is_accepted_answered_remembered_and_sent(ctx: BotContext) -> None:
    asker = RecordingAsker(ctx)
    answer = await answer_question(ctx, asker, "Who said it?", "A")
    assert answer is not None
    assert asker.kinds() == ["accept", "reply"]
    question, answer_id, slots = asker.steps[-1][1]
    assert (question, slots) == ("Who said it?", 0)  # the slot is free before the answer goes
    assert ctx.store is not None
    saved = ctx.store.answer(answer_id)
    assert saved is not None
    assert (saved.article, saved.quotes) == ("A", (QUOTE,))
    assert (ctx.live_stats.questions, ctx.live_stats.answered) == (1, 1)
    assert ctx.engine.asked == [("Who said it?", "A")]


async def test_a_long_queue_is_announced_before_the_answer(ctx: BotContext) -> None:
    ctx.limits = replace(ctx.limits, busy_note_after=0.0)
    asker = RecordingAsker(ctx)
    await answer_question(ctx, asker, "Who said it?")
    assert asker.kinds() == ["accept", "queued", "reply"]
    assert asker.steps[1][1] == queued_note(ctx.answers.seconds_per_question)


@pytest.mark.parametrize(
    ("question", "article", "error"),
    [("   ", None, InvalidQuestion), ("Who?", "nowhere.txt", UnknownArticle)],
)
async def test_a_bad_question_or_article_is_refused_before_any_work(
    ctx: BotContext, question: str, article: str | None, error: type[Exception]
) -> None:
    asker = RecordingAsker(ctx)
    assert await answer_question(ctx, asker, question, article) is None
    ((kind, refusal),) = asker.steps
    assert kind == "refuse"
    assert isinstance(refusal, error)
    assert ctx.engine.asked == []
    assert ctx.live_stats.questions == 0


async def test_an_engine_failure_is_refused_after_the_acknowledgement(ctx: BotContext) -> None:
    asker = RecordingAsker(ctx)
    assert await answer_question(ctx, asker, "boom?") is None
    assert asker.kinds() == ["accept", "refuse"]
    assert isinstance(asker.steps[1][1], NotReady)


async def test_the_rate_limit_counts_local_replies_too(ctx: BotContext) -> None:
    """Three questions per window: a help reply counts, the fourth is refused."""
    results = [
        await answer_question(ctx, RecordingAsker(ctx, local=True), "help"),
        await answer_question(ctx, RecordingAsker(ctx), "Who said it?"),
        await answer_question(ctx, RecordingAsker(ctx), "Who said it?"),
    ]
    assert [r is None for r in results] == [True, False, False]
    limited = RecordingAsker(ctx)
    await answer_question(ctx, limited, "Who said it?")
    ((kind, refusal),) = limited.steps
    assert kind == "refuse"
    assert isinstance(refusal, RateLimited)
    assert refusal.notify


async def test_a_failed_acknowledgement_cancels_the_question(ctx: BotContext) -> None:
    asker = RecordingAsker(ctx, fail_accept=True)
    with pytest.raises(ConnectionError):
        await answer_question(ctx, asker, "Who said it?")
    assert ctx.limiter.in_flight(asker.user_id) == 0
    assert ctx.live_stats.questions == 0


async def test_an_answer_that_cannot_be_saved_is_sent_without_buttons(
    ctx: BotContext, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def full(*args: Any, **kwargs: Any) -> str:
        raise sqlite3.OperationalError("database or disk is full")

    assert ctx.store is not None
    monkeypatch.setattr(ctx.store, "save_answer", full)
    asker = RecordingAsker(ctx)
    with caplog.at_level(logging.WARNING, logger="bot.answer_flow"):
        await answer_question(ctx, asker, "Who said it?")
    assert asker.steps[-1] == ("reply", ("Who said it?", None, 0))
    assert "could not save an answer" in caplog.text
    assert ctx.live_stats.questions == 1


async def test_without_a_store_answers_are_counted_but_not_saved() -> None:
    context = BotContext.create(OneQuoteEngine(), bot_settings(), limits=Limits(answer_workers=1))
    try:
        asker = RecordingAsker(context)
        await answer_question(context, asker, "Who said it?")
        assert asker.steps[-1] == ("reply", ("Who said it?", None, 0))
        assert context.live_stats.answered == 1
    finally:
        context.close()


@pytest.mark.parametrize(
    ("raw", "asked"),
    [
        ("<@123> what did Lavrov say?", "  what did Lavrov say?"),
        ("@everyone @here who? <#55>", "    who?  "),
        ("<:wave:987> hi <a:spin:12>", "  hi  "),
        ("what is 2 < 3 @ noon", "what is 2 < 3 @ noon"),
    ],
)
def test_discord_markup_is_removed_before_the_engine_reads_it(raw: str, asked: str) -> None:
    assert without_discord_markup(raw) == asked
