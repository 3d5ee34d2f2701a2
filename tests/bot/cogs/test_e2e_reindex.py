"""End to end: /reindex is for admins only, never blocks questions, and fails safely."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from botkit import (
    ARTICLE_TEXT,
    CountingEngine,
    GatedEncoder,
    World,
    bot_settings,
    make_engine,
    running_bot,
)
from emulator import DiscordEmulator, InteractionResult

from index.engine import Engine

pytestmark = [pytest.mark.e2e, pytest.mark.model]

QUESTIONS = [
    "What did Peter Kyle say about the situation?",
    "What did Lavrov say about the attack?",
    "Who confirmed the strike could be grounds for a nuclear response?",
    "Why did the US embassy in Kyiv close?",
    "What kind of mines will the US provide to Ukraine?",
    "What did Starmer say at the G20?",
]
REFUSED = "Only server administrators (or users listed in ADMIN_USER_IDS) can use /reindex."


async def refused(result: InteractionResult) -> str:
    ack = await result.ack()
    assert ack.type == 4
    assert ack.ephemeral
    return (await result.reply()).content


async def test_non_admin_reindex_refused_both_ways(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    engine = CountingEngine(bot_engine)
    async with running_bot(emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))):
        # Discord does not even deliver it: default_member_permissions is administrator
        result = await emu.invoke_slash("reindex", user_id=world.reader.id, guild_id=world.guild_id)
        assert not result.delivered
        assert "default_member_permissions" in (result.not_delivered_reason or "")

        # a server admin overrides the command for everyone: the bot's own check refuses
        emu.allow_command_for_everyone(world.guild_id, "reindex")
        result = await emu.invoke_slash("reindex", user_id=world.reader.id, guild_id=world.guild_id)
        assert result.delivered
        assert await refused(result) == REFUSED
        assert engine.reindex_calls == 0


async def test_dm_reindex_only_for_listed_users(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    engine = CountingEngine(bot_engine)
    settings = bot_settings(admin_user_ids=frozenset({world.reader.id}))
    async with running_bot(emu, engine, settings):
        # the guild admin is not listed: in a DM there is no server permission to go by
        result = await emu.invoke_slash("reindex", user_id=world.admin.id)
        assert result.delivered
        assert result.guild_id is None
        assert await refused(result) == REFUSED
        result = await emu.invoke_slash("reindex", user_id=world.stranger.id)
        assert await refused(result) == REFUSED
        assert engine.reindex_calls == 0

        result = await emu.invoke_slash("reindex", user_id=world.reader.id)  # listed
        reply = await result.reply()
        assert result.ephemeral
        assert reply.content.startswith("Reindexed 1 article(s): ")
        assert engine.reindex_calls == 1


async def test_reindex_while_30_questions_are_in_flight(
    emu: DiscordEmulator, world: World, gated_engine: tuple[Engine, GatedEncoder]
) -> None:
    engine, encoder = gated_engine
    users = [emu.add_user(f"reader-{n}") for n in range(10)]
    for user in users:
        emu.add_member(world.guild_id, user.id)
    before = engine.info()
    async with running_bot(emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))):
        encoder.close()  # the rebuild will wait inside the engine, holding its lock
        rebuild = await emu.invoke_slash("reindex", user_id=world.admin.id, guild_id=world.guild_id)
        assert (await rebuild.ack()).ephemeral
        assert await asyncio.to_thread(encoder.waiting.wait, 10)
        assert engine.reindexing

        asks = [
            await emu.invoke_slash(
                "ask",
                {"question": QUESTIONS[n % len(QUESTIONS)]},
                user_id=users[n % len(users)].id,
                guild_id=world.guild_id,
            )
            for n in range(30)
        ]
        again = await emu.invoke_slash("reindex", user_id=world.admin.id, guild_id=world.guild_id)
        replies = await asyncio.gather(*(result.reply() for result in asks))
        for result, reply in zip(asks, replies, strict=True):
            assert result.ack_seconds is not None
            assert result.ack_seconds < 3
            fields = reply.embeds[0]["fields"]
            assert fields
            for field in fields:
                assert field["value"].rsplit("\n", 1)[0][1:-1] in ARTICLE_TEXT
        assert (await again.reply()).content == (
            "A reindex is already running; try again when it finishes."
        )
        assert again.ephemeral
        assert rebuild.final_reply() is None  # still rebuilding while all that happened

        encoder.open()
        done = await rebuild.reply(timeout=30)
        assert rebuild.ephemeral
        assert done.content.startswith(
            f"Reindexed 1 article(s): {before.paragraphs} paragraphs, {before.sentences} "
            "sentences in "
        )
        assert not engine.reindexing
        after = await emu.invoke_slash(
            "ask", {"question": QUESTIONS[0]}, user_id=world.reader.id, guild_id=world.guild_id
        )
        assert (await after.reply()).embeds[0]["fields"]


async def test_failed_reindex_keeps_serving_and_reports_one_line(
    emu: DiscordEmulator,
    world: World,
    real_encoder: Any,
    articles_dir: Path,
    tmp_path: Path,
) -> None:
    engine = await asyncio.to_thread(
        make_engine, real_encoder, tmp_path / "index", articles_dir=articles_dir
    )
    before = engine.info()
    async with running_bot(emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))):
        (articles_dir / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 64)
        result = await emu.invoke_slash("reindex", user_id=world.admin.id, guild_id=world.guild_id)
        reply = await result.reply(timeout=30)
        assert result.ephemeral
        assert "\n" not in reply.content
        assert reply.content.startswith("Index build failed: bad article broken.txt: ")
        assert "The previous index is still serving (built " in reply.content
        assert "1 article changed since: broken.txt (new)" in reply.content

        (articles_dir / "broken.txt").unlink()
        (articles_dir / "empty.txt").write_text("", encoding="utf-8")
        result = await emu.invoke_slash("reindex", user_id=world.admin.id, guild_id=world.guild_id)
        reply = await result.reply(timeout=30)
        assert "\n" not in reply.content
        assert "empty.txt" in reply.content

        assert engine.info() == before  # the old index is still the live one
        started = time.monotonic()
        result = await emu.invoke_slash(
            "ask", {"question": QUESTIONS[1]}, user_id=world.reader.id, guild_id=world.guild_id
        )
        answer = await result.reply()
        assert "Lavrov" in answer.embeds[0]["fields"][0]["name"]
        assert time.monotonic() - started < 3
