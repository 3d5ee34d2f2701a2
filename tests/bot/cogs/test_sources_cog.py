"""bot/cogs/sources.py without Discord: /speakers and /quotes reply at once, privately
unless asked otherwise. End to end: test_e2e_sources.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from botkit import ARTICLE, QUOTE, FakeInteraction, OneQuoteEngine, bot_settings

from bot.cogs.sources import SourcesCog
from bot.context import BotContext
from index.models import Quote, SpeakerSummary


class SourcesEngine(OneQuoteEngine):
    """One source, Ann Lee, who said the one quote."""

    def speakers(self, article: str | None = None) -> list[SpeakerSummary]:
        return [SpeakerSummary("Ann Lee", ("mayor",), ((ARTICLE.id, ARTICLE.title),), 1)]

    def quotes_by(self, speaker: str, article: str | None = None) -> list[Quote]:
        return [QUOTE] if speaker == "Ann Lee" else []


@pytest.fixture
async def ctx() -> AsyncIterator[BotContext]:
    context = BotContext.create(SourcesEngine(), bot_settings())
    yield context
    context.close()


def bot(name: str | None = "Quotes") -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(id=42, display_name=name) if name else None)


async def test_speakers_lists_each_source_privately(ctx: BotContext) -> None:
    cog = SourcesCog(bot(), ctx)
    interaction = FakeInteraction(None)
    await cog.speakers.callback(cog, interaction, None)
    ((how, _, sent),) = interaction.sent
    assert (how, sent["ephemeral"]) == ("response", True)
    assert sent["embed"].description == "**Ann Lee**, mayor — 1 sentence · *A*"


@pytest.mark.parametrize("private", [False, True])
async def test_quotes_are_public_unless_private(ctx: BotContext, private: bool) -> None:
    cog = SourcesCog(bot(), ctx)
    interaction = FakeInteraction(None)
    await cog.quotes.callback(cog, interaction, "Ann Lee", None, private)
    ((_, _, sent),) = interaction.sent
    assert sent["ephemeral"] is private
    assert sent["embed"].fields[0].value.startswith("“It is so.”")
