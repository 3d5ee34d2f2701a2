"""bot/context.py: one BotContext per client, built from the engine, settings and limits;
reached from an interaction's client; closes what it opened."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from botkit import StubEngine, bot_settings

from bot.context import BotContext, context_of
from bot.limits import Limits


def test_create_applies_settings_and_limits() -> None:
    ctx = BotContext.create(
        StubEngine(top_k=7),
        bot_settings(rate_limit_questions=0),
        limits=Limits(answer_workers=3, per_user_in_flight=1, max_pending=9),
    )
    try:
        assert ctx.top_k == 7  # the engine's TOP_K, not the settings' default
        assert (ctx.answers.workers, ctx.answers.max_pending) == (3, 9)
        assert ctx.limiter.per_user == 1
        assert ctx.gate.rate is None  # RATE_LIMIT_QUESTIONS=0
        assert ctx.store is None
    finally:
        ctx.close()


def test_the_store_is_opened_once_and_closed_with_the_context(tmp_path: Path) -> None:
    ctx = BotContext.create(StubEngine(), bot_settings(feedback_db=tmp_path / "f.sqlite3"))
    ctx.open_store()
    store = ctx.store
    assert store is not None
    ctx.open_store()
    assert ctx.store is store
    ctx.close()
    with pytest.raises(Exception, match="closed"):
        store.totals()


def test_a_damaged_store_is_recovered_when_opened(tmp_path: Path) -> None:
    """open_store goes through bot/answer_store_recovery.py: a garbled FEEDBACK_DB is moved
    aside and a new one opened, instead of stopping the bot."""
    path = tmp_path / "f.sqlite3"
    path.write_bytes(b"not an SQLite database" * 64)
    ctx = BotContext.create(StubEngine(), bot_settings(feedback_db=path))
    try:
        ctx.open_store()
        assert ctx.store is not None
        assert ctx.store.path == str(path)
        assert ctx.store.totals().questions == 0
    finally:
        ctx.close()
    (aside,) = tmp_path.glob("f.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"not an SQLite database")


def test_context_of_a_client() -> None:
    ctx = BotContext.create(StubEngine(), bot_settings())
    try:
        assert context_of(SimpleNamespace(ctx=ctx)) is ctx
        with pytest.raises(TypeError, match="carries no BotContext"):
            context_of(object())
    finally:
        ctx.close()
