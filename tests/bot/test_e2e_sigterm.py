"""End to end: SIGTERM while questions are in flight. ``python -m bot run`` in a subprocess
against the emulator; the answers being sent when the signal arrives are delivered, a
question asked during the drain is told to ask again, then the process exits 0.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from botkit import ARTICLE_TEXT, build_world
from emulator import DiscordEmulator
from emulator.botprocess import bot_run_env, start_bot_process
from emulator.fixtures import running_emulator

from bot.render.wording import SHUTTING_DOWN
from index.engine import Engine

pytestmark = [pytest.mark.e2e, pytest.mark.model]

TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.sigtermSigtermSigtermSigterm0123456789aBc"
QUESTION = "What did Lavrov say about the attack?"


async def until(predicate, what: str, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def bot_env(emu: DiscordEmulator, index_dir: Path) -> dict[str, str]:
    return bot_run_env(
        emu,
        TOKEN,
        INDEX_DIR=str(index_dir),
        FEEDBACK_DB=str(index_dir.parent / "feedback.sqlite3"),
    )


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGTERM")
async def test_sigterm_finishes_answers_in_flight_then_exits_cleanly(
    tmp_path: Path, bot_engine: Engine
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(bot_engine.config.index_dir, index_dir)  # built: the bot starts faster
    log_path = tmp_path / "bot.log"
    async with running_emulator(token=TOKEN) as emu:
        world = build_world(emu)
        with log_path.open("wb") as log_file:
            process = await start_bot_process(bot_env(emu, index_dir), tmp_path, log_file)
            try:
                await emu.wait_until_ready(timeout=120)
                # Both answers will be computed, then held in discord.py's 429 back-off
                # while the signal arrives: that is a question in flight.
                followup = emu.inject_rate_limit("POST", r"^/webhooks/\d+/[^/]+$", retry_after=2)
                dm_send = emu.inject_rate_limit("POST", r"^/channels/\d+/messages$", retry_after=2)
                slash = await emu.invoke_slash(
                    "ask", {"question": QUESTION}, user_id=world.reader.id, guild_id=world.guild_id
                )
                asked = await emu.send_dm(world.stranger.id, QUESTION)
                await until(lambda: followup.hits and dm_send.hits, "both answers to be sent")

                process.send_signal(signal.SIGTERM)
                await until(lambda: b"in flight" in log_path.read_bytes(), "the drain to start")
                late = await emu.send_dm(world.admin.id, QUESTION)
                (refusal,) = await emu.wait_for_messages(late.channel_id, after=late, timeout=20)
                assert refusal.content == SHUTTING_DOWN

                field = (await slash.reply(timeout=20)).embeds[0]["fields"][0]
                assert "Sergey Lavrov" in field["name"]
                assert field["value"].rsplit("\n", 1)[0][1:-1] in ARTICLE_TEXT
                (answer,) = await emu.wait_for_messages(asked.channel_id, after=asked, timeout=20)
                assert "Sergey Lavrov" in answer.content
                code = await asyncio.wait_for(process.wait(), timeout=30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert code == 0, log[-3000:]
    assert "stopping: finishing 2 question(s) in flight" in log
    assert "still unanswered" not in log
    assert "bot stopped" in log
    assert "Traceback" not in log
    assert TOKEN not in log
