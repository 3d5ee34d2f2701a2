"""bot/autocomplete.py: at most 25 valid choices, and nothing when the engine cannot answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from botkit import FakeInteraction, StubEngine, bot_settings

from bot.autocomplete import article_autocomplete, choices, speaker_autocomplete
from bot.context import BotContext
from index.errors import NotReady
from index.models import ArticleSummary, SpeakerSummary


class ManyMatches(StubEngine):
    """30 articles and 30 speakers match anything; "!" is answered with NotReady."""

    def match_articles(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        if prefix == "!":
            raise NotReady("The index is still loading; try again in a moment.")
        return [ArticleSummary(f"a{n}.txt", f"Title  {n}", 1, 1) for n in range(30)]

    def match_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]:
        return [SpeakerSummary(f"Speaker {n}", ("role",) * (n % 2), (), n) for n in range(30)]


@pytest.fixture
async def interaction() -> AsyncIterator[FakeInteraction]:
    ctx = BotContext.create(ManyMatches(), bot_settings())
    yield FakeInteraction(SimpleNamespace(ctx=ctx))
    ctx.close()


def test_choices_drop_values_discord_would_reject() -> None:
    found = choices([("ok", "a"), ("empty", ""), ("long", "x" * 101), ("  ", "b")] * 10)
    assert [(c.name, c.value) for c in found[:3]] == [("ok", "a"), ("b", "b"), ("ok", "a")]
    assert len(found) == 20
    assert len(choices([(f"n{n}", f"v{n}") for n in range(40)])) == 25
    assert len(choices([("n" * 300, "v")])[0].name) == 100


async def test_article_choices(interaction: FakeInteraction) -> None:
    found = await article_autocomplete(interaction, "ti")
    assert len(found) == 25
    assert (found[0].name, found[0].value) == ("Title 0 (a0.txt)", "a0.txt")
    assert await article_autocomplete(interaction, "!") == []


async def test_speaker_choices(interaction: FakeInteraction) -> None:
    found = await speaker_autocomplete(interaction, "sp")
    assert [c.name for c in found[:3]] == [
        "Speaker 0 (0 sentences)",
        "Speaker 1, role (1 sentence)",
        "Speaker 2 (2 sentences)",
    ]
    assert found[0].value == "Speaker 0"
