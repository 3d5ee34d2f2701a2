"""Fixtures for the Discord layer: engines (real model, loaded once), emulator, running bot.

The real embedding model is loaded once per session (``real_encoder`` from tests/conftest.py)
and shared by every engine built here; each engine gets its own index directory under a
temporary folder, so nothing here touches var/index. Helpers live in ``botkit``
(paths in tests/support.py).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botkit import (
    BUNDLED_ARTICLES,
    GatedEncoder,
    World,
    bot_settings,
    build_world,
    make_engine,
    running_bot,
)
from emulator import DiscordEmulator
from emulator.fixtures import running_emulator
from support import FakeEncoder

from bot.client import QuoteBot
from index.engine import Engine


@pytest.fixture(scope="session")
def bot_engine(real_encoder: Any, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The session's engine over the bundled article (real model, TOP_K=3)."""
    return make_engine(real_encoder, tmp_path_factory.mktemp("bot-index"))


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with running_emulator() as emulator:
        yield emulator


@pytest.fixture
def world(emu: DiscordEmulator) -> World:
    return build_world(emu)


@pytest.fixture
async def bot(emu: DiscordEmulator, world: World, bot_engine: Engine) -> AsyncIterator[QuoteBot]:
    """The bot on the bundled article, connected to ``emu`` (global commands)."""
    async with running_bot(emu, bot_engine, bot_settings(admin_user_ids=frozenset())) as client:
        yield client


@pytest.fixture
def gated_engine(real_encoder: Any, tmp_path: Path) -> tuple[Engine, GatedEncoder]:
    """An engine (bundled article, real model) whose rebuilds can be held at a gate."""
    encoder = GatedEncoder(real_encoder)
    return make_engine(encoder, tmp_path / "gated-index"), encoder


# ---------------------------------------------------------------- issue 5 (several articles)
SECOND_ARTICLE = (
    Path(__file__).resolve().parent.parent / "data" / "attribution" / "second_article.md"
)


@pytest.fixture
def newsroom_dir(tmp_path: Path) -> Path:
    """A writable folder with two articles: the bundled Kyiv report and the wildfire one."""
    folder = tmp_path / "newsroom"
    folder.mkdir()
    shutil.copy(BUNDLED_ARTICLES / "us-embassy-kyiv-closes.txt", folder)
    shutil.copy(SECOND_ARTICLE, folder / "cedar-gap-fire.md")
    return folder


@pytest.fixture
def newsroom_engine(newsroom_dir: Path, tmp_path: Path) -> Engine:
    """The engine over the two articles (fake encoder, TOP_K=1 so answers have pages)."""
    return make_engine(
        FakeEncoder(), tmp_path / "newsroom-index", articles_dir=newsroom_dir, top_k=1
    )


@pytest.fixture
async def newsroom_bot(
    emu: DiscordEmulator, world: World, newsroom_engine: Any
) -> AsyncIterator[QuoteBot]:
    """The bot on the two articles, answers saved in memory; ``editor`` is a server admin."""
    async with running_bot(emu, newsroom_engine, bot_settings()) as client:
        yield client
