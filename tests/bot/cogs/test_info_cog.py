"""bot/cogs/info.py without Discord: /about shows the engine's articles and TOP_K, /help
names the bot. End to end: test_e2e_ask.py (/about and /help), test_e2e_sources.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from botkit import ARTICLE, FakeInteraction, StubEngine, bot_settings

from bot.cogs.info import InfoCog
from bot.context import BotContext
from index.models import ArticleSummary, IndexInfo
from index.search.builds import IndexStatus


class OneArticleEngine(StubEngine):
    def articles(self) -> list[ArticleSummary]:
        return [ARTICLE]

    def info(self) -> IndexInfo:
        return IndexInfo(((ARTICLE.id, ARTICLE.title),), 3, 9, "model", 384, "", 0.5)


@pytest.fixture
async def ctx() -> AsyncIterator[BotContext]:
    context = BotContext.create(OneArticleEngine(), bot_settings())
    yield context
    context.close()


def bot(name: str | None = "Quotes") -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(id=42, display_name=name) if name else None)


async def test_about_shows_the_engines_articles_and_top_k(ctx: BotContext) -> None:
    cog = InfoCog(bot(), ctx)
    interaction = FakeInteraction(None)
    await cog.about.callback(cog, interaction)
    ((_, _, sent),) = interaction.sent
    embed = sent["embed"]
    assert "up to 3 per answer" in embed.description
    assert embed.fields[0].value == "• A (`a.txt`) · 3 paragraphs, 9 sentences"
    assert "⚠️" not in embed.fields[-1].value  # the index is current


class FailedRebuildEngine(OneArticleEngine):
    @property
    def status(self) -> IndexStatus:
        return IndexStatus(build="b1", failure="no space left on device in INDEX_DIR")


async def test_about_says_when_the_last_rebuild_failed() -> None:
    ctx = BotContext.create(FailedRebuildEngine(), bot_settings())
    try:
        cog = InfoCog(bot(), ctx)
        interaction = FakeInteraction(None)
        await cog.about.callback(cog, interaction)
    finally:
        ctx.close()
    built = interaction.sent[0][2]["embed"].fields[-1].value
    note = FailedRebuildEngine().status.note()
    assert note is not None
    assert note.startswith("The last rebuild failed (no space left on device in INDEX_DIR)")
    assert built.endswith(f"\n⚠️ {note}")
