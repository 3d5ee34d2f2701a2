"""End to end: faults while the bot works. Dropped gateway connections mid-question, 429s
on sends, expired interaction tokens, a damaged index at start, a full disk during
/reindex, and shutdown with questions in flight. Through the local Discord emulator.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botkit import (
    ARTICLE_TEXT,
    GatedEncoder,
    World,
    bot_settings,
    make_engine,
    running_bot,
)
from emulator import DiscordEmulator, StoredMessage

from bot.client import QuoteBot
from bot.limits import Limits
from bot.render.wording import SHUTTING_DOWN
from index import store
from index.engine import Engine

pytestmark = [pytest.mark.e2e, pytest.mark.model]

LAVROV = "What did Lavrov say about the attack?"
PESKOV = "Who confirmed the strike could be grounds for a nuclear response?"


@pytest.fixture(scope="module")
def held(
    real_encoder: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Engine, GatedEncoder]:
    encoder = GatedEncoder(real_encoder, answers=True)
    return make_engine(encoder, tmp_path_factory.mktemp("held-index")), encoder


@pytest.fixture
async def held_bot(
    emu: DiscordEmulator, held: tuple[Engine, GatedEncoder]
) -> AsyncIterator[tuple[QuoteBot, GatedEncoder]]:
    engine, encoder = held
    try:
        async with running_bot(emu, engine, bot_settings()) as bot:
            yield bot, encoder
    finally:
        encoder.release()


def assert_lavrov_embed(reply: StoredMessage) -> None:
    field = reply.embeds[0]["fields"][0]
    assert "Sergey Lavrov" in field["name"]
    assert field["value"].rsplit("\n", 1)[0][1:-1] in ARTICLE_TEXT


def assert_lavrov_text(reply: StoredMessage) -> None:
    assert "Sergey Lavrov" in reply.content
    first = next(line for line in reply.content.splitlines() if "“" in line)
    assert first[first.index("“") + 1 : first.rindex("”")] in ARTICLE_TEXT


async def dm_reply(emu: DiscordEmulator, asked: StoredMessage, count: int = 1):
    return await emu.wait_for_messages(asked.channel_id, count, after=asked)


# ------------------------------------------------------------------ gateway
async def test_gateway_reconnect_request_mid_question(
    emu: DiscordEmulator, world: World, held_bot: tuple[QuoteBot, GatedEncoder]
) -> None:
    """op 7 while /ask is being answered: the bot resumes and the answer still arrives."""
    _, encoder = held_bot
    encoder.hold()
    result = await emu.invoke_slash(
        "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
    )
    assert (await result.ack()).deferred
    await encoder.wait_until_held()
    assert await emu.gateway_reconnect_request() == 1
    await emu.wait_for_gateway("resume")
    encoder.release()
    assert_lavrov_embed(await result.reply())
    assert len(emu.gateway_log("identify")) == 1  # resumed, not a new session


async def test_gateway_hard_close_mid_question(
    emu: DiscordEmulator, world: World, held_bot: tuple[QuoteBot, GatedEncoder]
) -> None:
    """The socket drops while a DM is being answered, and a second DM arrives while the bot
    is away: after RESUME both are answered."""
    _, encoder = held_bot
    encoder.hold()
    first = await emu.send_dm(world.reader.id, LAVROV)
    await encoder.wait_until_held()
    assert await emu.gateway_hard_close(1006) == 1
    second = await emu.send_dm(world.stranger.id, LAVROV)  # replayed after RESUME
    await emu.wait_for_gateway("resume")
    encoder.release()
    assert_lavrov_text((await dm_reply(emu, first))[0])
    assert_lavrov_text((await dm_reply(emu, second))[0])
    assert len(emu.gateway_log("identify")) == 1


# ------------------------------------------------------------------ REST faults
async def test_429_on_sends_is_retried_and_delivered(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    """A 429 on the /ask follow-up, on the interaction callback (global) and on a DM reply:
    discord.py waits and retries; every answer is delivered once."""
    followup = emu.inject_rate_limit("POST", r"^/webhooks/\d+/[^/]+$", retry_after=0.3)
    result = await emu.invoke_slash(
        "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
    )
    assert_lavrov_embed(await result.reply())
    assert followup.hits == 1
    assert len(emu.messages(world.channel_id, author_id=emu.bot.id)) == 1  # delivered once

    callback = emu.inject_rate_limit(
        "POST", r"/callback$", retry_after=0.3, is_global=True, with_headers=True
    )
    result = await emu.invoke_slash(
        "ask", {"question": LAVROV}, user_id=world.admin.id, guild_id=world.guild_id
    )
    assert_lavrov_embed(await result.reply())
    assert callback.hits == 1
    assert result.ack_seconds is not None
    assert result.ack_seconds < 3

    dm = emu.inject_rate_limit(
        "POST", r"^/channels/\d+/messages$", retry_after=0.3, with_headers=True
    )
    asked = await emu.send_dm(world.stranger.id, LAVROV)
    replies = await dm_reply(emu, asked)
    assert_lavrov_text(replies[0])
    assert dm.hits == 1
    await asyncio.sleep(0.2)
    assert len(emu.messages(asked.channel_id, author_id=emu.bot.id)) == 1  # not sent twice


async def test_expired_interaction_token_is_logged_without_crashing(
    emu: DiscordEmulator,
    world: World,
    held_bot: tuple[QuoteBot, GatedEncoder],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The answer takes longer than the token lives: the follow-up is refused (401 50027);
    the bot logs one warning, sends nothing else, and keeps answering."""
    _, encoder = held_bot
    emu.expect_violation("expired_token")
    encoder.hold()
    result = await emu.invoke_slash(
        "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
    )
    assert (await result.ack()).deferred
    await encoder.wait_until_held()
    emu.expire_interaction_token(result)
    with caplog.at_level(logging.INFO, logger="bot"):
        encoder.release()
        violation = await emu.wait_for_violation("expired_token")
        assert violation.details["code"] == 50027
        await asyncio.sleep(0.3)
    expired = [r for r in caplog.records if "expired" in r.getMessage()]
    assert [r.levelno for r in expired] == [logging.WARNING]
    assert not [r for r in caplog.records if r.name.startswith("bot") and r.levelno >= 40]
    assert len(emu.violations_of("expired_token")) == 1  # no second try with a dead token

    again = await emu.invoke_slash(
        "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
    )
    assert_lavrov_embed(await again.reply())


# ------------------------------------------------------------------ the index on disk
def damage(index_dir: Path, how: str) -> None:
    build = store.current_build(index_dir)
    if how == "truncated":
        path = build / store.SENTENCES
        path.write_bytes(path.read_bytes()[:100])
    elif how == "deleted":
        (build / store.CORPUS).unlink()
    elif how == "garbled":
        path = build / store.MANIFEST
        path.write_bytes(b"\x00garbage{" + path.read_bytes()[40:])


@pytest.fixture(scope="module")
def good_index(held: tuple[Engine, GatedEncoder]) -> Path:
    """A whole index of the bundled article (real model), to copy and damage."""
    return held[0].config.index_dir


@pytest.mark.parametrize("how", ["truncated", "deleted", "garbled"])
async def test_bot_start_with_damaged_index_rebuilds_and_answers(
    emu: DiscordEmulator,
    world: World,
    real_encoder: Any,
    good_index: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    """Index files damaged between runs: the next start detects it, logs why, rebuilds and
    answers. (The engine-level variants are in tests/index/test_engine.py.)"""
    index_dir = tmp_path / "index"
    shutil.copytree(good_index, index_dir)
    damage(index_dir, how)

    engine = make_engine(real_encoder, index_dir, start=False)  # a new process
    with caplog.at_level(logging.INFO, logger="index"):
        async with running_bot(emu, engine, bot_settings()):
            result = await emu.invoke_slash(
                "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
            )
            assert_lavrov_embed(await result.reply())
    rebuilt = [r for r in caplog.records if r.getMessage().startswith("rebuilding the index: ")]
    assert len(rebuilt) == 1, caplog.text
    assert rebuilt[0].levelno == logging.WARNING
    assert store.load(index_dir, model=real_encoder.fingerprint, articles=None)


# ------------------------------------------------------------------ disk full
async def test_disk_full_during_reindex_keeps_the_old_index(
    emu: DiscordEmulator,
    world: World,
    real_encoder: Any,
    articles_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ENOSPC while /reindex saves (writing a vector file, then the CURRENT pointer): the
    admin gets one clear line, the old build stays current and whole on disk, nothing of
    the new one is left behind, and questions keep being answered."""
    engine = await asyncio.to_thread(
        make_engine, real_encoder, tmp_path / "index", articles_dir=articles_dir
    )
    index_dir = engine.config.index_dir
    before = (index_dir / store.CURRENT).read_text(), sorted(p.name for p in index_dir.iterdir())
    live = engine.info()

    def disk_full(*args: Any) -> None:
        target = args[-1]
        if isinstance(target, Path):  # a partial file, as a full disk leaves it
            target.write_bytes(b"\x00" * 64)
        raise OSError(errno.ENOSPC, "No space left on device")

    async with running_bot(emu, engine, bot_settings()):
        for where in ("vectors", "pointer"):
            with monkeypatch.context() as patch:
                if where == "vectors":
                    patch.setattr(store.VectorIndex, "save", disk_full)
                else:
                    patch.setattr(store, "_write_pointer", disk_full)
                result = await emu.invoke_slash(
                    "reindex", user_id=world.admin.id, guild_id=world.guild_id
                )
                reply = await result.reply(timeout=30)
            assert result.ephemeral
            assert reply.content == (
                "Reindex failed; the previous index is still answering: cannot save the new "
                "index in INDEX_DIR (No space left on device)"
            ), where
            assert (index_dir / store.CURRENT).read_text() == before[0]
            assert sorted(p.name for p in index_dir.iterdir()) == before[1]
            assert engine.info() == live
            store.load(index_dir, model=live.model, articles=None)  # still whole on disk

            asked = await emu.invoke_slash(
                "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
            )
            assert_lavrov_embed(await asked.reply())

        result = await emu.invoke_slash("reindex", user_id=world.admin.id, guild_id=world.guild_id)
        assert (await result.reply(timeout=30)).content.startswith("Reindexed 1 article(s)")


# ------------------------------------------------------------------ shutdown
async def test_close_lets_questions_in_flight_finish(
    emu: DiscordEmulator, world: World, held: tuple[Engine, GatedEncoder]
) -> None:
    """close() (what SIGTERM calls) waits for questions being answered, refuses new ones
    meanwhile, then disconnects. tests/bot/test_e2e_sigterm.py does it with a real signal."""
    engine, encoder = held
    try:
        async with running_bot(emu, engine, bot_settings()) as bot:
            encoder.hold()
            slash = await emu.invoke_slash(
                "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
            )
            dm = await emu.send_dm(world.stranger.id, LAVROV)
            await encoder.wait_until_held()
            await asyncio.sleep(0.1)
            assert bot.ctx.in_flight.count == 2

            closing = asyncio.create_task(bot.close())
            await asyncio.sleep(0.2)
            assert not closing.done()
            assert bot.ctx.in_flight.stopping
            late = await emu.send_dm(world.admin.id, PESKOV)  # arrives while draining
            (refusal,) = await dm_reply(emu, late)
            assert refusal.content == SHUTTING_DOWN
            late_slash = await emu.invoke_slash(
                "ask", {"question": PESKOV}, user_id=world.admin.id, guild_id=world.guild_id
            )
            assert (await late_slash.reply()).content == SHUTTING_DOWN
            assert late_slash.ephemeral

            encoder.release()
            assert_lavrov_embed(await slash.reply())
            assert_lavrov_text((await dm_reply(emu, dm))[0])
            await asyncio.wait_for(closing, 10)
            assert bot.is_closed()
    finally:
        encoder.release()


async def test_close_gives_up_after_the_drain_timeout(
    emu: DiscordEmulator,
    world: World,
    held: tuple[Engine, GatedEncoder],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A question stuck past ``drain_seconds`` does not keep the bot from stopping."""
    engine, encoder = held
    try:
        async with running_bot(
            emu, engine, bot_settings(), limits=Limits(drain_seconds=0.3)
        ) as bot:
            encoder.hold()
            await emu.send_dm(world.reader.id, LAVROV)
            await encoder.wait_until_held()
            with caplog.at_level(logging.INFO, logger="bot"):
                await asyncio.wait_for(bot.close(), 5)
            assert "stopping with 1 question(s) still unanswered" in caplog.text
    finally:
        encoder.release()
