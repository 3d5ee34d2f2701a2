"""End to end: two ``python -m bot run`` processes, SHARD_IDS=0 and 1 of SHARD_COUNT=2,
sharing INDEX_DIR; a /reindex in one reaches the other; both stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botkit import BUNDLED_ARTICLES, make_engine
from emulator import DiscordEmulator
from emulator.botprocess import bot_run_env, start_bot_process, stop_bot_process
from emulator.fixtures import running_emulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.model,
    pytest.mark.skipif(sys.platform == "win32", reason="uses SIGTERM"),
]

FAKE_TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.cdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDe"
NEW_ARTICLE = "Bridge report\n\nThe harbour master said the swing bridge reopens on Friday.\n"
NEW_SENTENCE = "The harbour master said the swing bridge reopens on Friday."


def read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


FERRY_SENTENCE = "The ferry to Orrin Island will resume on Monday, harbour master Lena Voss said."
FERRY = f"Ferry service to Orrin Island resumes\n\n{FERRY_SENTENCE}\n".encode()


@contextlib.asynccontextmanager
async def bot_process(
    emu: DiscordEmulator, shard: int, shared: Path, log_path: Path, owner: int
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run`` serving ``shard`` of 2; SIGTERM at exit (must exit 0)."""
    env = bot_run_env(
        emu,
        FAKE_TOKEN,
        INDEX_DIR=str(shared / "index"),
        ARTICLES_DIR=str(shared / "articles"),
        SHARD_COUNT="2",
        SHARD_IDS=str(shard),
        INDEX_WATCH_SECONDS="1",
        COLLECTIONS_DIR=str(shared / "collections"),
        ADMIN_USER_IDS=str(owner),  # /reindex by the owner rebuilds the defaults
    )
    with log_path.open("wb") as log_file:
        process = await start_bot_process(env, log_path.parent, log_file)
        try:
            yield process
        finally:
            code = await stop_bot_process(process)
    log = await asyncio.to_thread(read_log, log_path)
    assert code == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


async def ask(emu: DiscordEmulator, question: str, user_id: int, guild_id: int) -> str:
    """/ask in ``guild_id``; the quotes of the answer, one per line."""
    result = await emu.invoke_slash(
        "ask", {"question": question}, user_id=user_id, guild_id=guild_id
    )
    reply = await result.reply(timeout=20)
    return "\n".join(f["value"] for e in reply.embeds for f in e.get("fields") or [])


async def test_two_processes_serve_their_shards_and_share_reindex(
    tmp_path: Path, real_encoder: Any
) -> None:
    """Shard 0's and shard 1's processes each answer their guild; a /reindex in the first
    reaches the second through INDEX_DIR; only the first syncs commands."""
    shared = tmp_path / "shared"
    shutil.copytree(BUNDLED_ARTICLES, shared / "articles")
    # built here with the session's model, so that both processes only load it
    await asyncio.to_thread(
        make_engine, real_encoder, shared / "index", articles_dir=shared / "articles"
    )
    logs = [tmp_path / f"shard-{n}" / "bot.log" for n in (0, 1)]
    for log in logs:
        log.parent.mkdir()
    async with running_emulator(token=FAKE_TOKEN, recommended_shards=2) as emu:
        guilds = [emu.add_guild(f"Shard {n}", guild_id=emu.new_guild_id(n, 2)) for n in (0, 1)]
        admin, reader = emu.add_user("editor"), emu.add_user("reader")
        for guild in guilds:
            emu.add_member(guild.id, admin.id, administrator=True)
            emu.add_member(guild.id, reader.id)
        async with (
            bot_process(emu, 0, shared, logs[0], admin.id),
            bot_process(emu, 1, shared, logs[1], admin.id),
        ):
            await emu.wait_until_ready(timeout=120)  # both shards
            assert sorted(s.identify["shard"] for s in emu.sessions()) == [[0, 2], [1, 2]]
            assert len(emu.command_puts) == 1  # synced by shard 0's process only
            for guild in guilds:
                quotes = await ask(
                    emu, "What did Lavrov say about the attack?", reader.id, guild.id
                )
                assert "Lavrov" in quotes

            (shared / "articles" / "bridge.txt").write_text(NEW_ARTICLE, encoding="utf-8")
            rebuild = await emu.invoke_slash("reindex", user_id=admin.id, guild_id=guilds[0].id)
            assert (await rebuild.reply(timeout=60)).content.startswith("Reindexed 2 article(s)")
            for _ in range(100):  # shard 1's process checks INDEX_DIR every second
                if "published by another process" in await asyncio.to_thread(read_log, logs[1]):
                    break
                await asyncio.sleep(0.1)
            quotes = await ask(emu, "When does the swing bridge reopen?", reader.id, guilds[1].id)
            assert NEW_SENTENCE in quotes

            # a server's own article, added in guild 1: answered by shard 1's process, in
            # guild 1 only (guild 0 is served by the other process, from the same disk)
            ferry = {"filename": "ferry.txt", "data": FERRY, "content_type": "text/plain"}
            added = await emu.invoke_slash(
                "reindex", {"file": ferry}, user_id=admin.id, guild_id=guilds[1].id
            )
            assert (await added.reply(timeout=60)).content.startswith("Added 'ferry.txt'")
            question = "When will the ferry to Orrin Island resume?"
            assert FERRY_SENTENCE in await ask(emu, question, reader.id, guilds[1].id)
            assert FERRY_SENTENCE not in await ask(emu, question, reader.id, guilds[0].id)
    shard_one_log = await asyncio.to_thread(read_log, logs[1])
    assert "not syncing commands: this process serves shards 1" in shard_one_log
    assert "switched to index build" in shard_one_log
    assert "rebuilding the index" not in shard_one_log
