"""bot/run.py: endpoint overrides (the emulator), token redaction, and run_bot's one-line
start-up failures."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import discord.gateway
import discord.http
import pytest
from botkit import StubEngine, bot_settings
from emulator import DiscordEmulator

from bot.run import RedactToken, apply_endpoint_overrides, run_bot
from bot.settings import Settings


def test_endpoint_overrides_patch_only_the_two_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    assert apply_endpoint_overrides({}) == {}
    changed = apply_endpoint_overrides(
        {
            "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway",
        }
    )
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/gateway"
    assert set(changed) == {"DISCORD_API_BASE", "DISCORD_GATEWAY_URL"}


FAKE_TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.cdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDe"


def test_token_is_redacted_from_messages_and_tracebacks() -> None:
    token = FAKE_TOKEN
    redactor = RedactToken(token)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token is %s", (token,), None)
    assert redactor.filter(record)
    assert token not in record.getMessage()
    assert "[redacted]" in record.getMessage()
    try:
        raise RuntimeError(f"bad {token}")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    redactor.filter(record)
    formatted = logging.Formatter().format(record)
    assert token not in formatted
    assert "RuntimeError: bad [redacted]" in formatted


def test_run_bot_without_token_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bot(bot_settings(), engine=StubEngine()) == 1
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


@pytest.fixture
def restore_endpoints(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    return monkeypatch


def test_run_bot_reports_an_unreachable_api(
    restore_endpoints: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    restore_endpoints.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")
    restore_endpoints.setenv("DISCORD_GATEWAY_URL", "ws://127.0.0.1:9/gateway")
    settings = bot_settings(discord_token=FAKE_TOKEN)
    assert run_bot(settings, engine=StubEngine()) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach Discord")
    assert FAKE_TOKEN not in err


def test_run_bot_reports_a_rejected_token(
    restore_endpoints: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    emu = DiscordEmulator(capture_discord_logs=False)  # the emulator expects another token
    asyncio.run_coroutine_threadsafe(emu.start(), loop).result(10)
    try:
        restore_endpoints.setenv("DISCORD_API_BASE", emu.api_base)
        restore_endpoints.setenv("DISCORD_GATEWAY_URL", emu.gateway_url)
        assert run_bot(bot_settings(discord_token=FAKE_TOKEN), engine=StubEngine()) == 1
    finally:
        asyncio.run_coroutine_threadsafe(emu.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    err = capsys.readouterr().err
    assert err.startswith("error: Discord rejected DISCORD_TOKEN")
    assert [r.path for r in emu.requests] == ["/users/@me"]


def test_the_bot_refuses_to_start_on_an_unusable_feedback_db(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m bot run` prints one error line naming FEEDBACK_DB and exits 1."""
    blocker = tmp_path / "var"
    blocker.write_text("a file, not a folder")
    settings = Settings(discord_token="t" * 60, feedback_db=blocker / "feedback.sqlite3")
    assert run_bot(settings, engine=StubEngine()) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: FEEDBACK_DB ")
    assert "t" * 60 not in err


def test_run_bot_recovers_a_damaged_feedback_db(
    tmp_path: Path, restore_endpoints: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A garbled FEEDBACK_DB does not stop the start (bot/answer_store_recovery.py): it is
    moved aside and the bot goes on to Discord (here out of reach, the only error)."""
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"not an SQLite database" * 64)
    restore_endpoints.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")
    restore_endpoints.setenv("DISCORD_GATEWAY_URL", "ws://127.0.0.1:9/gateway")
    settings = bot_settings(discord_token=FAKE_TOKEN, feedback_db=path)
    assert run_bot(settings, engine=StubEngine()) == 1
    assert capsys.readouterr().err.startswith("error: cannot reach Discord")
    (aside,) = tmp_path.glob("feedback.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"not an SQLite database")
