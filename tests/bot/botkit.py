"""Helpers for the Discord layer's tests: paths, a test world, a running bot, a gated encoder.

Import from here (``from botkit import ...``), not from ``conftest`` (pytest loads several
conftest modules under that one name).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parent.parent
for _path in (str(_TESTS.parent), str(_TESTS)):  # `import bot`, `import emulator`, `support`
    if _path not in sys.path:
        sys.path.append(_path)

from emulator import DiscordEmulator, Guild, User  # noqa: E402
from emulator.fixtures import connected_client  # noqa: E402
from support import BUNDLED_ARTICLE, BUNDLED_ARTICLES, ROOT  # noqa: E402

from bot.client import QuoteBot  # noqa: E402
from bot.settings import Settings  # noqa: E402

__all__ = ["BUNDLED_ARTICLE", "BUNDLED_ARTICLES", "ROOT"]  # re-exported for the tests

ARTICLE_TEXT = BUNDLED_ARTICLE.read_text(encoding="utf-8")
ARTICLE_TITLE = ARTICLE_TEXT.split("\n", 1)[0].strip()


@dataclass
class World:
    """A server with one admin and one ordinary member, plus a user who is only in DMs."""

    emu: DiscordEmulator
    guild: Guild
    channel_id: int
    admin: User
    reader: User
    stranger: User

    @property
    def guild_id(self) -> int:
        return self.guild.id


def build_world(emu: DiscordEmulator) -> World:
    guild = emu.add_guild("Newsroom")
    admin = emu.add_user("editor")
    reader = emu.add_user("reader")
    stranger = emu.add_user("stranger")
    emu.add_member(guild.id, admin.id, administrator=True)
    emu.add_member(guild.id, reader.id)
    return World(emu, guild, emu.default_channel(guild.id).id, admin, reader, stranger)


def bot_settings(**changes: Any) -> Settings:
    """Settings for a test bot (no token: the emulator's is passed to start()); answers and
    feedback in memory unless ``feedback_db`` is given."""
    return replace(Settings(discord_token=None, feedback_db=Path(":memory:")), **changes)


@contextlib.asynccontextmanager
async def running_bot(
    emu: DiscordEmulator, engine: Any, settings: Settings | None = None, **options: Any
) -> AsyncIterator[QuoteBot]:
    """A QuoteBot connected to ``emu`` and ready (commands synced)."""
    options.setdefault("guild_ready_timeout", 0.05)
    bot = QuoteBot(engine, settings or bot_settings(), **options)
    async with connected_client(emu, bot) as client:
        yield client


class GatedEncoder:
    """Wraps the real encoder with a gate that a test closes to hold work in progress.

    By default the gate holds encoding outside the answer workers (a reindex); with
    ``answers=True`` it holds the questions instead (encoded in the ``answers`` threads).
    """

    def __init__(self, inner: Any, *, answers: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.fingerprint = getattr(inner, "fingerprint", inner.name)
        self.answers = answers
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def close(self) -> None:
        self.waiting.clear()
        self.gate.clear()

    def open(self) -> None:
        self.gate.set()

    hold = close
    release = open

    async def wait_until_held(self) -> None:
        assert await asyncio.to_thread(self.waiting.wait, 10), "nothing reached the gate"

    def encode(self, texts: Any) -> Any:
        in_answers = threading.current_thread().name.startswith("answers")
        if in_answers == self.answers and not self.gate.is_set():
            self.waiting.set()
            if not self.gate.wait(timeout=30):
                raise TimeoutError("the test never opened the gate")
        return self.inner.encode(texts)


class CountingEngine:
    """Delegates to an engine and counts reindex calls."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.reindex_calls = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._engine, name)

    def reindex(self) -> object:
        self.reindex_calls += 1
        return self._engine.reindex()
