"""End to end: ``python -m bot run`` in a subprocess, talking to the emulator, then SIGTERM."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from botkit import ARTICLE_TEXT, build_world
from emulator.botprocess import bot_run_env, start_bot_process, stop_bot_process
from emulator.fixtures import running_emulator

pytestmark = [pytest.mark.e2e, pytest.mark.model]

# Shaped like a real bot token (base64 id . timestamp . hmac), 72 characters, but fake.
FAKE_TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.cdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDe"


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGTERM")
async def test_python_m_bot_run_answers_then_stops_cleanly(tmp_path: Path) -> None:
    assert len(FAKE_TOKEN) >= 59
    log_path = tmp_path / "bot.log"
    async with running_emulator(token=FAKE_TOKEN) as emu:
        world = build_world(emu)
        env = bot_run_env(
            emu,
            FAKE_TOKEN,
            INDEX_DIR=str(tmp_path / "index"),
            FEEDBACK_DB=str(tmp_path / "feedback.sqlite3"),
            TOP_K="3",
            LOG_LEVEL="DEBUG",
        )
        with log_path.open("wb") as log_file:
            process = await start_bot_process(env, tmp_path, log_file)
            try:
                await emu.wait_until_ready(timeout=120)
                assert {c["name"] for c in emu.registered_commands()} == {
                    *("ask", "about", "help", "reindex", "add", "speakers", "quotes", "stats"),
                    *("remove", "Ask the article"),
                }
                assert (tmp_path / "feedback.sqlite3").is_file()
                result = await emu.invoke_slash(
                    "ask",
                    {"question": "What did Lavrov say about the attack?"},
                    user_id=world.reader.id,
                    guild_id=world.guild_id,
                )
                reply = await result.reply(timeout=20)
                assert result.ack_seconds is not None
                assert result.ack_seconds < 3
                field = reply.embeds[0]["fields"][0]
                assert "Sergey Lavrov" in field["name"]
                assert field["value"].rsplit("\n", 1)[0][1:-1] in ARTICLE_TEXT
            finally:
                code = await stop_bot_process(process)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert code == 0, log[-3000:]
    assert "bot stopped" in log
    assert "Traceback" not in log
    assert FAKE_TOKEN not in log
    assert "DISCORD_API_BASE is set" in log  # the override is loud
