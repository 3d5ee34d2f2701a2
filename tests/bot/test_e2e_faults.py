"""End to end: faults while the bot works. Dropped gateway connections mid-question, 429s
on sends, expired interaction tokens, a damaged index at start, a stale index whose rebuild
fails at start, a full disk during /reindex (injected, and a real small tmpfs), a damaged
or locked FEEDBACK_DB, and shutdown with questions in flight. Through the local Discord
emulator.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import shutil
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botkit import (
    ARTICLE_TEXT,
    GatedEncoder,
    World,
    bot_settings,
    build_world,
    make_engine,
    running_bot,
)
from emulator import DiscordEmulator, StoredMessage
from emulator.botprocess import bot_run_env, start_bot_process, stop_bot_process
from emulator.fixtures import running_emulator
from support import remount, small_tmpfs, synthetic_article

from bot.client import QuoteBot
from bot.limits import Limits
from bot.render.wording import GONE, SHUTTING_DOWN
from index.engine import Engine
from index.search import store

pytestmark = [pytest.mark.e2e, pytest.mark.model]

LAVROV = "What did Lavrov say about the attack?"
# Shaped like a real bot token (base64 id . timestamp . hmac), but fake.
FAKE_TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.cdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDe"
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
        async with running_bot(
            emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))
        ):
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

    async with running_bot(emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))):
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
            assert re.fullmatch(
                r"Index build failed: no space left on device in INDEX_DIR \(the build needs "
                r"about [\d.]+ MB; [\d.]+ MB free; the file system may be out of inodes or over "
                r"a quota\)\. The previous index is still serving \(built [^;]+; no article has "
                r"changed since\)\.",
                reply.content,
            ), (where, reply.content)
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


# ------------------------------------------------------------------ a rebuild that fails
def built_field(embed: dict[str, Any]) -> str:
    return next(f["value"] for f in embed["fields"] if f["name"] == "Built")


async def about(emu: DiscordEmulator, world: World) -> str:
    result = await emu.invoke_slash("about", user_id=world.reader.id, guild_id=world.guild_id)
    return built_field((await result.reply()).embeds[0])


async def test_bot_starts_on_a_stale_index_whose_rebuild_fails_and_answers(
    emu: DiscordEmulator,
    world: World,
    real_encoder: Any,
    good_index: Path,
    articles_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A restart with a bad article added since the last build: the rebuild fails, the bot
    starts anyway on the last good build, answers /ask, says so once in the log, and
    /about shows the index is stale; /reindex reports the failure in its reply."""
    index_dir = tmp_path / "index"
    shutil.copytree(good_index, index_dir)
    (articles_dir / "broken.txt").write_bytes(b"\x00\x01 not text")
    engine = make_engine(real_encoder, index_dir, articles_dir=articles_dir, start=False)
    with caplog.at_level(logging.INFO):
        async with running_bot(
            emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))
        ):
            result = await emu.invoke_slash(
                "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
            )
            assert_lavrov_embed(await result.reply())
            built = await about(emu, world)
            assert "⚠️ The index is stale: the last rebuild failed (bad article broken.txt: " in (
                built
            )
            assert built.endswith("1 article changed since: broken.txt (new).")

            again = await emu.invoke_slash(
                "reindex", user_id=world.admin.id, guild_id=world.guild_id
            )
            reply = (await again.reply(timeout=30)).content
            assert reply.startswith("Index build failed: bad article broken.txt: the file looks")
            assert reply.endswith("1 article changed since: broken.txt (new)).")
    failed = [r for r in caplog.records if r.getMessage().startswith("Index build failed")]
    assert [r.levelno for r in failed if r.name == "index.engine"][:1] == [logging.WARNING]
    warned = [r for r in failed if r.levelno >= logging.WARNING and r.name == "index.engine"]
    assert len(warned) == 1, caplog.text  # once at start; the /reindex is logged by the bot
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith(("bot", "index"))]


async def test_reindex_on_a_full_disk_replies_with_the_reason_and_keeps_serving(
    emu: DiscordEmulator,
    world: World,
    real_encoder: Any,
    articles_dir: Path,
    tmp_path: Path,
) -> None:
    """INDEX_DIR on a real 400 kB tmpfs. Grown articles no longer fit: /reindex replies
    with the one line (sizes from the vectors to write, checked before writing), questions
    keep being answered from the old build, /about says it is stale; with room again
    /reindex works and the new article is answered."""
    with small_tmpfs(tmp_path / "index", "400k") as index_dir:
        engine = await asyncio.to_thread(
            make_engine, real_encoder, index_dir, articles_dir=articles_dir
        )
        before = (
            (index_dir / store.CURRENT).read_text(),
            sorted(p.name for p in index_dir.iterdir()),
        )
        for seed in range(3):
            (articles_dir / f"grown-{seed}.txt").write_text(synthetic_article(seed))
        async with running_bot(
            emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))
        ):
            result = await emu.invoke_slash(
                "reindex", user_id=world.admin.id, guild_id=world.guild_id
            )
            reply = (await result.reply(timeout=60)).content
            assert result.ephemeral
            sizes = re.fullmatch(
                r"Index build failed: no space left on device in INDEX_DIR \(the build needs "
                r"about ([\d.]+) MB; ([\d.]+) MB free\)\. The previous index is still serving "
                r"\(built [^;]+; 3 articles changed since: grown-0\.txt \(new\), grown-1\.txt "
                r"\(new\), grown-2\.txt \(new\)\)\.",
                reply,
            )
            assert sizes, reply
            assert float(sizes[1]) > float(sizes[2])
            assert (index_dir / store.CURRENT).read_text() == before[0]
            assert sorted(p.name for p in index_dir.iterdir()) == before[1]

            asked = await emu.invoke_slash(
                "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
            )
            assert_lavrov_embed(await asked.reply())
            assert "⚠️ The index is stale: the last rebuild failed (no space left on device" in (
                await about(emu, world)
            )

            remount(index_dir, "size=4m")
            result = await emu.invoke_slash(
                "reindex", user_id=world.admin.id, guild_id=world.guild_id
            )
            assert (await result.reply(timeout=60)).content.startswith("Reindexed 4 article(s)")
            assert "⚠️" not in await about(emu, world)


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGTERM and mount")
async def test_python_m_bot_run_serves_a_stale_read_only_index(
    real_encoder: Any, articles_dir: Path, tmp_path: Path
) -> None:
    """The real bot process restarted on a stale index in a read-only INDEX_DIR: it starts,
    answers /ask from the last build, /about shows it is stale and why, one WARNING in the
    log and no traceback; SIGTERM stops it cleanly."""
    with small_tmpfs(tmp_path / "index", "4m") as index_dir:
        # the last good build, made by an earlier run
        await asyncio.to_thread(make_engine, real_encoder, index_dir, articles_dir=articles_dir)
        (articles_dir / "bridge.txt").write_text(
            "Bridge report\n\nThe harbour master said the swing bridge reopens on Friday.\n"
        )
        remount(index_dir, "ro")
        log_path = tmp_path / "bot.log"
        async with running_emulator(token=FAKE_TOKEN) as emu:
            world = build_world(emu)
            env = bot_run_env(
                emu,
                FAKE_TOKEN,
                ARTICLES_DIR=str(articles_dir),
                INDEX_DIR=str(index_dir),
                FEEDBACK_DB=str(tmp_path / "feedback.sqlite3"),
            )
            with log_path.open("wb") as log_file:
                process = await start_bot_process(env, tmp_path, log_file)
                try:
                    await emu.wait_until_ready(timeout=120)
                    result = await emu.invoke_slash(
                        "ask",
                        {"question": LAVROV},
                        user_id=world.reader.id,
                        guild_id=world.guild_id,
                    )
                    assert_lavrov_embed(await result.reply(timeout=20))
                    built = await about(emu, world)
                    assert f"INDEX_DIR {index_dir} is on a read-only file system" in built
                    assert "1 article changed since: bridge.txt (new)" in built
                finally:
                    code = await stop_bot_process(process)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert code == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    failed = [line for line in log.splitlines() if "Index build failed: " in line]
    assert len(failed) == 1, log[-3000:]
    assert " WARNING " in failed[0]


# ------------------------------------------------------------------ FEEDBACK_DB
def answer_id_of(message: StoredMessage) -> str:
    """The answer id in the custom ids of a message's 👍/👎 buttons."""
    return next(
        c["custom_id"].split(":")[2]
        for row in message.components
        for c in row["components"]
        if c["custom_id"].startswith("qa:fb:")
    )


async def test_damaged_feedback_db_is_moved_aside_and_answers_go_on(
    emu: DiscordEmulator,
    world: World,
    bot_engine: Engine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A garbled FEEDBACK_DB at start: kept under a new name (logged), a new one started,
    answers get working buttons, and buttons of answers from the old file say expired."""
    path = tmp_path / "var" / "feedback.sqlite3"
    async with running_bot(emu, bot_engine, bot_settings(feedback_db=path)):
        first = await emu.invoke_slash(
            "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
        )
        old_message = await first.reply()
    old_id = answer_id_of(old_message)
    data = bytearray(path.read_bytes())
    data[:100] = b"\x00garbage" * 10  # the header: SQLite no longer recognises the file
    path.write_bytes(bytes(data))

    with caplog.at_level(logging.WARNING, logger="bot"):
        async with running_bot(emu, bot_engine, bot_settings(feedback_db=path)) as bot:
            result = await emu.invoke_slash(
                "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
            )
            reply = await result.reply()
            assert_lavrov_embed(reply)
            assert reply.components  # saved in the new database: buttons
            for button in (f"qa:para:{old_id}:1", f"qa:fb:{old_id}:+"):
                expired = await emu.invoke_component(old_message, button, user_id=world.reader.id)
                assert (await expired.reply()).content == GONE, button
            assert "This answer has expired" in GONE
            assert bot.ctx.store is not None
            assert bot.ctx.store.path == str(path)
    (aside,) = path.parent.glob("feedback.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"\x00garbage")  # kept as it was
    moved = [r.getMessage() for r in caplog.records if "moved it aside" in r.getMessage()]
    assert len(moved) == 1
    assert str(aside) in moved[0]
    with sqlite3.connect(path) as fresh:
        assert fresh.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 1


async def test_locked_feedback_db_never_stops_answers(
    emu: DiscordEmulator,
    world: World,
    bot_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another process holds FEEDBACK_DB locked at start: the bot keeps this run's answers
    in memory (buttons work), warns once, and answers."""
    import bot.answer_store as answer_store

    path = tmp_path / "feedback.sqlite3"
    answer_store.AnswerStore(path).close()
    monkeypatch.setattr(answer_store, "BUSY_TIMEOUT_SECONDS", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="bot"):
            async with running_bot(emu, bot_engine, bot_settings(feedback_db=path)) as bot:
                result = await emu.invoke_slash(
                    "ask", {"question": LAVROV}, user_id=world.reader.id, guild_id=world.guild_id
                )
                reply = await result.reply()
                assert_lavrov_embed(reply)
                answer_id = answer_id_of(reply)
                liked = await emu.invoke_component(
                    reply, f"qa:fb:{answer_id}:+", user_id=world.reader.id
                )
                assert "recorded" in (await liked.reply()).content
                assert bot.ctx.store is not None
                assert bot.ctx.store.path == ":memory:"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    locked = [r for r in caplog.records if "locked" in r.getMessage()]
    assert len(locked) == 1
    assert str(path) in locked[0].getMessage()
    assert "kept in memory" in locked[0].getMessage()


# ------------------------------------------------------------------ shutdown
async def test_close_lets_questions_in_flight_finish(
    emu: DiscordEmulator, world: World, held: tuple[Engine, GatedEncoder]
) -> None:
    """close() (what SIGTERM calls) waits for questions being answered, refuses new ones
    meanwhile, then disconnects. tests/bot/test_e2e_sigterm.py does it with a real signal."""
    engine, encoder = held
    try:
        async with running_bot(
            emu, engine, bot_settings(admin_user_ids=frozenset({world.admin.id}))
        ) as bot:
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
