"""The client's sharding settings and its INDEX_DIR watcher, without a Discord connection."""

from __future__ import annotations

import asyncio
import logging
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from botkit import bot_settings

from bot.client import QuoteBot


class WatchedEngine(SimpleNamespace):
    """An engine whose refresh fails once, then counts calls (and says when it was called)."""

    def __init__(self) -> None:
        super().__init__(ready=True, reindexing=False, config=SimpleNamespace(top_k=3))
        self.refreshes = 0
        self.thread_names: list[str] = []
        self.called_twice = threading.Event()

    def refresh(self) -> bool:
        self.refreshes += 1
        self.thread_names.append(threading.current_thread().name)
        if self.refreshes == 1:
            raise RuntimeError("disk on fire")
        self.called_twice.set()
        return False


def make_bot(engine: Any, **settings: Any) -> QuoteBot:
    return QuoteBot(engine, bot_settings(**settings))


@pytest.mark.parametrize(
    ("settings", "count", "ids"),
    [
        ({}, None, None),
        ({"shard_count": 4}, 4, None),
        ({"shard_count": 4, "shard_ids": (1, 3)}, 4, [1, 3]),
    ],
)
def test_shard_settings_reach_the_client(settings: dict[str, Any], count, ids) -> None:
    """SHARD_COUNT / SHARD_IDS become the AutoShardedClient's shard_count / shard_ids."""
    bot = make_bot(WatchedEngine(), **settings)
    assert bot.shard_count == count
    assert bot.shard_ids == ids


async def test_watcher_calls_refresh_off_the_loop_and_survives_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The watcher runs refresh in a worker thread, logs an error and keeps watching."""
    engine = WatchedEngine()
    bot = make_bot(engine, index_watch_seconds=0.01)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        bot.start_index_watch()
        assert await asyncio.to_thread(engine.called_twice.wait, 10)
        await bot.stop_index_watch()
    assert "unexpected error checking INDEX_DIR" in caplog.text
    assert threading.main_thread().name not in engine.thread_names
    calls = engine.refreshes
    await asyncio.sleep(0.05)
    assert engine.refreshes == calls  # stopped


async def test_watcher_off_with_zero_seconds() -> None:
    """INDEX_WATCH_SECONDS=0 starts no watcher."""
    bot = make_bot(WatchedEngine(), index_watch_seconds=0)
    bot.start_index_watch()
    assert bot._index_watch is None


async def test_no_watcher_for_an_engine_without_refresh() -> None:
    """An engine that cannot refresh (a test double) is simply not watched."""
    engine = SimpleNamespace(ready=True, reindexing=False, config=SimpleNamespace(top_k=3))
    bot = make_bot(engine, index_watch_seconds=1)
    bot.start_index_watch()
    assert bot._index_watch is None
