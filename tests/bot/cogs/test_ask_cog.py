"""bot/cogs/ask.py without Discord: which messages are questions, and what the two askers
send at each step of the answer flow. End to end: test_e2e_ask.py, test_e2e_messages.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from botkit import QUOTE, FakeInteraction, OneQuoteEngine, bot_settings

from bot.answer_store import AnswerStore
from bot.cogs.ask import AskCog, InteractionAsker, MessageAsker, question_in, without_mentions_of
from bot.context import BotContext
from bot.ratelimit import Busy, RateLimited
from bot.render.wording import NO_TEXT, SHUTTING_DOWN, help_text
from index.errors import InvalidQuestion
from index.models import Answer

ME = SimpleNamespace(id=42, display_name="Quotes")
ANSWER = Answer("Who?", True, (QUOTE,))


def message(content: str, *, guild: bool = False, mentions: tuple[int, ...] = (), **author: Any):
    """A message as the cog reads it; in a DM unless ``guild``; sends are recorded."""
    sent: list[tuple[str, dict[str, Any]]] = []

    async def send(content: str | None = None, **kwargs: Any) -> None:
        sent.append((content or "", kwargs))

    return SimpleNamespace(
        content=content,
        author=SimpleNamespace(id=author.get("id", 7), bot=author.get("bot", False)),
        type=author.get("type", discord.MessageType.default),
        guild=SimpleNamespace(id=1, me=None) if guild else None,
        raw_mentions=list(mentions),
        channel=SimpleNamespace(id=3, send=send),
        sent=sent,
    )


@pytest.fixture
async def ctx() -> AsyncIterator[BotContext]:
    context = BotContext.create(OneQuoteEngine(), bot_settings(), store=AnswerStore(":memory:"))
    yield context
    context.close()


@pytest.fixture
def cog(ctx: BotContext) -> AskCog:
    return AskCog(SimpleNamespace(user=ME, tree=None), ctx)


# ---------------------------------------------------------------- which messages are questions
@pytest.mark.parametrize(
    ("msg", "question"),
    [
        (message("who closed it?"), "who closed it?"),  # any DM
        (message("who closed it?", guild=True), None),  # a server message not for the bot
        (message("<@42> who closed it?", guild=True, mentions=(42,)), "  who closed it?"),
        (message("<@!42> who?", guild=True, mentions=(42,)), "  who?"),
        (message("who?", bot=True), None),  # other bots are never answered
        (message("who?", id=42), None),  # nor the bot itself
        (message("who?", type=discord.MessageType.pins_add), None),  # nor system messages
    ],
)
def test_question_in(msg: Any, question: str | None) -> None:
    assert question_in(msg, ME) == question
    assert question_in(msg, None) is None  # not logged in yet


def test_without_mentions_of_removes_both_mention_forms() -> None:
    assert without_mentions_of("<@42> a <@!42> b <@43>", 42) == "  a   b <@43>"


# ---------------------------------------------------------------- the interaction asker
async def test_interaction_asker_defers_then_follows_up_with_the_answer(ctx: BotContext) -> None:
    interaction = FakeInteraction(SimpleNamespace(ctx=ctx))
    asker = InteractionAsker(interaction, private=True)
    await asker.accept()
    await asker.reply(ANSWER, "a" * 16)
    (defer, followup) = interaction.sent
    assert defer == ("defer", None, {"thinking": True, "ephemeral": True})
    how, _, sent = followup
    assert (how, sent["ephemeral"]) == ("followup", True)
    assert sent["embed"].title == "Who?"
    assert sent["view"] is not None  # saved: buttons
    assert sent["allowed_mentions"].to_dict()["parse"] == []


async def test_interaction_asker_raises_a_refusal_for_the_error_handler() -> None:
    asker = InteractionAsker(FakeInteraction(None), private=False)
    with pytest.raises(InvalidQuestion):
        await asker.refuse(InvalidQuestion("Please ask a question: it was empty."))


async def test_interaction_asker_edits_the_queued_note_into_the_refusal_or_answer() -> None:
    refused = FakeInteraction(None)
    asker = InteractionAsker(refused, private=False)
    await asker.queued("queued note")
    await asker.refuse(Busy("I'm shutting down; please ask again in a minute."))
    assert [(how, text) for how, text, _ in refused.sent] == [
        ("edit", "queued note"),
        ("edit", "I'm shutting down; please ask again in a minute."),
    ]
    answered = FakeInteraction(None)
    asker = InteractionAsker(answered, private=False)
    await asker.queued("queued note")
    await asker.reply(ANSWER, None)
    (how, content, last) = answered.sent[-1]
    assert (how, content, last["view"], last["embed"].title) == ("edit", None, None, "Who?")


# ---------------------------------------------------------------- the message asker
async def test_message_asker_answers_help_words_itself() -> None:
    dm = message("Help")
    asker = MessageAsker(dm, "Quotes")
    assert await asker.local_reply(" Help ")
    assert dm.sent[0][0] == help_text("Quotes")
    assert not await asker.local_reply("who closed the embassy?")


async def test_message_asker_is_told_to_slow_down_once() -> None:
    dm = message("who?")
    asker = MessageAsker(dm, "Quotes")
    await asker.refuse(RateLimited(20, 5, 30, notify=True))
    await asker.refuse(RateLimited(19, 5, 30, notify=False))  # already told: silent
    assert [text for text, _ in dm.sent] == [
        "You're asking faster than I can take questions (up to 5 every 30 s). "
        "Please try again in 20 s."
    ]


async def test_message_asker_answers_a_dm_in_plain_text() -> None:
    dm = message("who?")
    await MessageAsker(dm, "Quotes").reply(ANSWER, None)
    ((text, kwargs),) = dm.sent
    assert text.startswith("1. “It is so.”")
    assert "view" not in kwargs
    assert kwargs["allowed_mentions"].to_dict()["parse"] == []


# ---------------------------------------------------------------- the cog
async def test_ask_defers_and_answers(cog: AskCog, ctx: BotContext) -> None:
    interaction = FakeInteraction(SimpleNamespace(ctx=ctx))
    await cog.ask.callback(cog, interaction, "Who said it?", private=False, article=None)
    assert [how for how, _, _ in interaction.sent] == ["defer", "followup"]
    assert interaction.sent[-1][2]["embed"].fields[0].value.startswith("“It is so.”")


@pytest.mark.parametrize("text", ["", "   ", "<@42>"])
async def test_ask_the_article_without_text_says_so(cog: AskCog, text: str) -> None:
    interaction = FakeInteraction(None)
    await cog.ask_the_article(interaction, message(text))
    assert interaction.replies() == [NO_TEXT]


async def test_ask_the_article_asks_the_message_text(cog: AskCog, ctx: BotContext) -> None:
    interaction = FakeInteraction(SimpleNamespace(ctx=ctx))
    await cog.ask_the_article(interaction, message("<@42> who said it?"))
    assert ctx.engine.asked == [("who said it?", None)]
    assert ctx.store is not None
    assert ctx.store.totals().questions == 1


async def test_a_message_while_stopping_is_told_to_ask_again(cog: AskCog, ctx: BotContext) -> None:
    ctx.in_flight.stopping = True
    dm = message("who?")
    await cog.on_message(dm)
    assert [text for text, _ in dm.sent] == [SHUTTING_DOWN]
    assert ctx.engine.asked == []
