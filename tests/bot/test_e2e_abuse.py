"""End to end: the per-user rate limit on each path, and a flood that queues, through the
emulator with the real model. Time is a hand-moved clock (no sleeps to wait out a limit);
slow answers are a gate in front of the real engine."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botkit import EngineProxy, World, bot_settings, running_bot
from emulator import DiscordEmulator, StoredMessage

from bot.client import QuoteBot
from bot.limits import Limits
from index.engine import Engine
from index.models import Answer

pytestmark = [pytest.mark.e2e, pytest.mark.model]

QUESTION = "What did Lavrov say about the attack?"
LIMITED = re.compile(
    r"^You're asking faster than I can take questions \(up to 2 every 60 s\)\. "
    r"Please try again in (\d+) s\.$"
)
QUEUED = re.compile(
    r"^I'm busy right now: your question is queued and should be answered in about (\d+) s\.$"
)
TOO_BUSY = re.compile(
    r"^I'm answering too many questions right now; please try again in (\d+) s\.$"
)


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@contextlib.asynccontextmanager
async def limited_bot(
    emu: DiscordEmulator, engine: Engine, clock: Clock, **settings: Any
) -> AsyncIterator[QuoteBot]:
    """A bot allowing 2 questions per user per 60 s on ``clock``."""
    config = bot_settings(rate_limit_questions=2, rate_limit_seconds=60, **settings)
    async with running_bot(emu, engine, config, clock=clock) as bot:
        yield bot


async def dm_reply(emu: DiscordEmulator, user_id: int, text: str) -> StoredMessage:
    asked = await emu.send_dm(user_id, text)
    (reply,) = await emu.wait_for_messages(asked.channel_id, after=asked)
    return reply


async def mention_reply(emu: DiscordEmulator, world: World, user_id: int) -> StoredMessage:
    said = await emu.send_channel_message(world.channel_id, user_id, QUESTION, mention_bot=True)
    (reply,) = await emu.wait_for_messages(world.channel_id, after=said)
    assert reply.message_reference is not None
    assert reply.message_reference["message_id"] == str(said.id)
    return reply


async def slash(emu: DiscordEmulator, world: World, user_id: int) -> Any:
    result = await emu.invoke_slash(
        "ask", {"question": QUESTION}, user_id=user_id, guild_id=world.guild_id
    )
    await result.reply()
    assert result.ack_seconds is not None
    assert result.ack_seconds < 3
    return result


async def nothing_after(emu: DiscordEmulator, channel_id: int, after: StoredMessage) -> None:
    await asyncio.sleep(0.3)
    assert [m for m in emu.messages(channel_id, author_id=emu.bot.id) if m.id > after.id] == []


def replies_to(emu: DiscordEmulator, said: StoredMessage) -> list[StoredMessage]:
    """The bot's replies to ``said`` (the slash answers share the channel)."""
    return [
        m
        for m in emu.messages(said.channel_id, author_id=emu.bot.id)
        if (m.message_reference or {}).get("message_id") == str(said.id)
    ]


def answered(message: StoredMessage) -> bool:
    return message.content.startswith("1. “") or bool(
        message.embeds and message.embeds[0].get("fields")
    )


# ---------------------------------------------------------------- rate limit, per path
async def test_slash_over_the_limit_gets_an_ephemeral_retry_time(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    clock = Clock()
    async with limited_bot(emu, bot_engine, clock):
        for _ in range(2):
            assert answered(await (await slash(emu, world, world.reader.id)).reply())
        clock.now += 15
        refused = await slash(emu, world, world.reader.id)
        assert (await refused.ack()).type == 4  # answered at once, no "thinking…"
        assert refused.ephemeral
        reply = await refused.reply()
        assert LIMITED.match(reply.content).group(1) == "45"
        assert not reply.embeds
        # the limit is per user: someone else is answered
        assert answered(await (await slash(emu, world, world.admin.id)).reply())
        clock.now += 45
        assert answered(await (await slash(emu, world, world.reader.id)).reply())


async def test_dm_over_the_limit_is_told_once_when_to_retry(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    clock = Clock()
    async with limited_bot(emu, bot_engine, clock):
        for _ in range(2):
            assert answered(await dm_reply(emu, world.stranger.id, QUESTION))
        clock.now += 1
        told = await dm_reply(emu, world.stranger.id, QUESTION)
        assert LIMITED.match(told.content).group(1) == "59"
        # more questions during the same cooldown get no reply at all (no amplification)
        for _ in range(3):
            await emu.send_dm(world.stranger.id, QUESTION)
        await nothing_after(emu, told.channel_id, told)
        clock.now += 59
        assert answered(await dm_reply(emu, world.stranger.id, QUESTION))


async def test_mention_over_the_limit_gets_a_reply_with_the_retry_time(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    clock = Clock()
    async with limited_bot(emu, bot_engine, clock):
        for _ in range(2):
            assert answered(await mention_reply(emu, world, world.reader.id))
        told = await mention_reply(emu, world, world.reader.id)
        assert LIMITED.match(told.content).group(1) == "60"
        assert emu.would_ping(told) == set()
        said = await emu.send_channel_message(
            world.channel_id, world.reader.id, QUESTION, mention_bot=True
        )
        await nothing_after(emu, world.channel_id, said)
        clock.now += 60
        assert answered(await mention_reply(emu, world, world.reader.id))


async def test_slash_dm_and_mention_share_one_limit(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    clock = Clock()
    async with limited_bot(emu, bot_engine, clock):
        assert answered(await (await slash(emu, world, world.reader.id)).reply())
        clock.now += 10
        assert answered(await dm_reply(emu, world.reader.id, QUESTION))
        clock.now += 10
        told = await mention_reply(emu, world, world.reader.id)
        assert LIMITED.match(told.content).group(1) == "40"  # the slash one leaves at +60
        refused = await slash(emu, world, world.reader.id)
        assert LIMITED.match((await refused.reply()).content)  # slash is always answered
        assert refused.ephemeral


async def test_users_in_admin_user_ids_are_exempt(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    clock = Clock()
    admins = frozenset({world.reader.id})
    async with limited_bot(emu, bot_engine, clock, admin_user_ids=admins):
        for _ in range(3):
            assert answered(await dm_reply(emu, world.reader.id, QUESTION))
            assert answered(await (await slash(emu, world, world.reader.id)).reply())
        # a server administrator who is not listed is limited like everyone else
        for _ in range(2):
            assert answered(await dm_reply(emu, world.admin.id, QUESTION))
        assert LIMITED.match((await dm_reply(emu, world.admin.id, QUESTION)).content)


# ---------------------------------------------------------------- a flood queues
class GatedEngine(EngineProxy):
    """The real engine behind a gate: while closed, questions wait in the worker thread."""

    def __init__(self, inner: Engine) -> None:
        super().__init__(inner)
        self.gate = threading.Event()
        self.gate.set()
        self.batches: list[int] = []

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        self.batches.append(len(questions))
        if not self.gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        return self.inner.ask_many(questions, articles)

    def ask(self, question: str, article: str | None = None) -> Answer:
        return self.ask_many([question], None if article is None else [article])[0]


@contextlib.asynccontextmanager
async def flooded_bot(
    emu: DiscordEmulator, engine: Engine, **limits: Any
) -> AsyncIterator[tuple[QuoteBot, GatedEngine]]:
    """One answer worker, answers held at the gate, 3 s measured per question."""
    gated = GatedEngine(engine)
    async with running_bot(
        emu, gated, bot_settings(), limits=Limits(answer_workers=1, **limits)
    ) as bot:
        bot.ctx.answers.seconds_per_question = 3.0  # as if measured on a slow machine
        gated.gate.clear()
        try:
            yield bot, gated
        finally:
            gated.gate.set()


async def test_a_long_queue_tells_users_their_question_is_queued(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    extra = [emu.add_user(f"user-{n}") for n in range(2)]
    for user in extra:
        emu.add_member(world.guild_id, user.id)
    async with flooded_bot(emu, bot_engine) as (bot, gated):
        # the first question runs (held at the gate): an estimated 3 s, no note
        first = await emu.send_dm(world.stranger.id, QUESTION)
        await asyncio.sleep(0.2)
        assert emu.messages(first.channel_id, author_id=emu.bot.id) == []
        # behind it, the estimate is 6 s or more: each user is told the question is queued
        asked = await emu.send_dm(world.reader.id, QUESTION)
        (note,) = await emu.wait_for_messages(asked.channel_id, after=asked)
        assert QUEUED.match(note.content).group(1) == "6"
        said = await emu.send_channel_message(
            world.channel_id, extra[0].id, QUESTION, mention_bot=True
        )
        (mention_note,) = await emu.wait_for_messages(world.channel_id, after=said)
        assert QUEUED.match(mention_note.content).group(1) == "9"
        assert mention_note.message_reference["message_id"] == str(said.id)
        result = await emu.invoke_slash(
            "ask", {"question": QUESTION}, user_id=extra[1].id, guild_id=world.guild_id
        )
        deferred = await result.reply()  # the "thinking…" message now says why
        assert result.ack_seconds < 3
        assert QUEUED.match(deferred.content).group(1) == "12"
        assert bot.ctx.answers.pending == 3

        gated.gate.set()
        (answer,) = await emu.wait_for_messages(first.channel_id, after=first)
        assert answered(answer)
        note, reply = await emu.wait_for_messages(asked.channel_id, 2, after=asked)
        assert answered(reply)

        def note_and_answer() -> list[StoredMessage] | None:
            found = replies_to(emu, said)
            return found if len(found) == 2 else None

        replies_to_said = await emu.notifier.wait_for(
            note_and_answer, timeout=10, describe="the mention's answer"
        )
        assert replies_to_said[0] == mention_note
        assert answered(replies_to_said[1])
        final = await emu.notifier.wait_for(
            lambda: result.original if result.original.embeds else None,
            timeout=10,
            describe="the slash answer",
        )
        assert answered(final)
        assert final.content == ""  # the note was replaced by the answer: one message
        assert result.followups == []
        await asyncio.sleep(0.2)
        assert len(emu.messages(first.channel_id, author_id=emu.bot.id)) == 1
        assert len(emu.messages(asked.channel_id, author_id=emu.bot.id)) == 2
        assert len(replies_to(emu, said)) == 2
        assert gated.batches == [1, 3]  # the queued three were answered in one batch


async def test_a_full_queue_says_too_busy_and_when_to_retry(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    async with flooded_bot(emu, bot_engine, max_pending=1, busy_note_after=60) as (bot, gated):
        running = await emu.send_dm(world.stranger.id, QUESTION)
        await asyncio.sleep(0.2)
        queued = await emu.send_dm(world.admin.id, QUESTION)
        await asyncio.sleep(0.2)
        assert bot.ctx.answers.pending == 1
        refused = await dm_reply(emu, world.reader.id, QUESTION)
        assert TOO_BUSY.match(refused.content).group(1) == "9"  # 1 running + 1 queued + it
        result = await emu.invoke_slash(
            "ask", {"question": QUESTION}, user_id=world.reader.id, guild_id=world.guild_id
        )
        assert TOO_BUSY.match((await result.reply()).content)
        assert (await result.ack()).type == 4  # refused before deferring: only they see it
        assert result.ephemeral
        said = await emu.send_channel_message(
            world.channel_id, world.reader.id, QUESTION, mention_bot=True
        )
        (busy,) = await emu.wait_for_messages(world.channel_id, after=said)
        assert TOO_BUSY.match(busy.content)
        assert bot.ctx.answers.refused == 3

        gated.gate.set()
        for asked in (running, queued):
            (answer,) = await emu.wait_for_messages(asked.channel_id, after=asked)
            assert answered(answer)
