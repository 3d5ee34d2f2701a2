"""Unit tests: batching answer service, per-user limiter, endpoint overrides, token redaction."""

from __future__ import annotations

import asyncio
import logging
import threading

import discord.gateway
import discord.http
import pytest
from botkit import bot_settings
from emulator import DiscordEmulator

from bot.answers import AnswerService
from bot.client import RedactToken, apply_endpoint_overrides, run_bot
from bot.ratelimit import Busy, InFlightLimiter
from index.errors import InvalidQuestion, NotReady
from index.models import Answer


class SlowEngine:
    """Records batches; each call waits until the test releases it."""

    def __init__(self, fail_batches: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.fail_batches = fail_batches

    def ask_many(self, questions: list[str]) -> list[Answer]:
        self.batches.append(list(questions))
        self.started.set()
        self.release.wait(5)
        if self.fail_batches and len(questions) > 1:
            raise RuntimeError("batch failed")
        return [self.ask(q, record=False) for q in questions]

    def ask(self, question: str, record: bool = True) -> Answer:
        if record:
            self.batches.append([question])
        if "boom" in question:
            raise NotReady("The index is still loading; try again in a moment.")
        return Answer(question, False)


async def test_questions_waiting_for_a_worker_are_batched() -> None:
    engine = SlowEngine()
    service = AnswerService(engine, workers=1, max_batch=8)
    first = asyncio.ensure_future(service.ask("first question"))
    assert await asyncio.to_thread(engine.started.wait, 5)
    rest = [asyncio.ensure_future(service.ask(f"question {n}")) for n in range(10)]
    await asyncio.sleep(0)
    assert service.pending == 10
    engine.release.set()
    answers = await asyncio.gather(first, *rest)
    assert [a.question for a in answers] == ["first question"] + [
        f"question {n}" for n in range(10)
    ]
    assert [len(batch) for batch in engine.batches] == [1, 8, 2]
    assert service.answered == 11
    service.close()


async def test_invalid_question_fails_fast_without_a_worker() -> None:
    engine = SlowEngine()
    service = AnswerService(engine)
    with pytest.raises(InvalidQuestion):
        await service.ask("   ")
    with pytest.raises(InvalidQuestion):
        await service.ask("?" * 301)
    assert engine.batches == []
    service.close()


async def test_a_failing_batch_is_retried_one_by_one() -> None:
    engine = SlowEngine(fail_batches=True)
    service = AnswerService(engine, workers=1)
    engine.release.set()
    blocker = asyncio.ensure_future(service.ask("first"))
    others = [asyncio.ensure_future(service.ask(q)) for q in ("ok one", "boom two", "ok three")]
    results = await asyncio.gather(blocker, *others, return_exceptions=True)
    assert results[0].question == "first"
    assert results[1].question == "ok one"
    assert isinstance(results[2], NotReady)
    assert results[3].question == "ok three"
    assert [len(batch) for batch in engine.batches[:2]] == [1, 3]  # then one by one
    service.close()


async def test_queue_is_bounded_and_close_fails_waiting_questions() -> None:
    engine = SlowEngine()
    service = AnswerService(engine, workers=1, max_pending=2)
    running = asyncio.ensure_future(service.ask("running"))
    assert await asyncio.to_thread(engine.started.wait, 5)
    waiting = [asyncio.ensure_future(service.ask(f"waiting {n}")) for n in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Busy, match=r"too many questions .* try again in \d+ s"):
        await service.ask("one too many")
    service.close()
    for future in waiting:
        with pytest.raises(Busy, match="shutting down"):
            await future
    with pytest.raises(Busy):
        await service.ask("after close")
    engine.release.set()
    assert (await running).question == "running"  # the running batch still finishes


async def test_a_cancelled_question_is_skipped() -> None:
    engine = SlowEngine()
    service = AnswerService(engine, workers=1)
    running = asyncio.ensure_future(service.ask("running"))
    assert await asyncio.to_thread(engine.started.wait, 5)
    gone = asyncio.ensure_future(service.ask("gone"))
    kept = asyncio.ensure_future(service.ask("kept"))
    await asyncio.sleep(0)
    gone.cancel()
    engine.release.set()
    assert (await kept).question == "kept"
    await running
    assert engine.batches == [["running"], ["kept"]]
    service.close()


def test_limiter_counts_per_user() -> None:
    limiter = InFlightLimiter(per_user=2)
    with limiter.hold(1), limiter.hold(1):
        with pytest.raises(Busy, match="2 questions waiting"), limiter.hold(1):
            pass
        with limiter.hold(2):
            assert limiter.in_flight(2) == 1
        assert limiter.in_flight(1) == 2
    assert limiter.in_flight(1) == 0
    with pytest.raises(ValueError, match="at least 1"):
        InFlightLimiter(0)


# ---------------------------------------------------------------- client helpers
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
    assert run_bot(bot_settings(), engine=None) == 1  # type: ignore[arg-type]
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
    assert run_bot(settings, engine=None) == 1  # type: ignore[arg-type]
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
        assert run_bot(bot_settings(discord_token=FAKE_TOKEN), engine=None) == 1  # type: ignore[arg-type]
    finally:
        asyncio.run_coroutine_threadsafe(emu.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    err = capsys.readouterr().err
    assert err.startswith("error: Discord rejected DISCORD_TOKEN")
    assert [r.path for r in emu.requests] == ["/users/@me"]
