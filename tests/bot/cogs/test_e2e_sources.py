"""End to end, two articles (fake encoder): /speakers, /quotes, autocomplete, /about,
/ask article:, and the "Ask the article" context menu."""

from __future__ import annotations

from typing import Any

import pytest
from botkit import World
from emulator import DiscordEmulator

from bot.client import QuoteBot
from bot.render.wording import NO_TEXT

pytestmark = pytest.mark.e2e

KYIV = "us-embassy-kyiv-closes.txt"
FIRE = "cedar-gap-fire.md"


async def test_speakers_lists_sources_with_role_article_and_count(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """/speakers shows each source the engine knows, with role, article and sentence count."""
    result = await emu.invoke_slash("speakers", user_id=world.reader.id, guild_id=world.guild_id)
    reply = await result.reply()
    assert result.ephemeral
    text = reply.embeds[0]["description"]
    expected = newsroom_engine.speakers()
    assert expected, "the two articles quote people"
    for source in expected:
        assert source.name in text
    peskov = next(s for s in expected if s.name == "Dmitry Peskov")
    line = next(line for line in text.splitlines() if "Dmitry Peskov" in line)
    assert peskov.roles[0] in line
    assert f"{peskov.sentences} sentence" in line
    assert peskov.articles[0][1][:40] in line
    assert str(len(expected)) in reply.embeds[0]["footer"]["text"]
    assert emu.would_ping(reply) == set()


async def test_speakers_for_one_article_and_in_dms(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """/speakers article: limits the list to that article; it works in a DM too."""
    result = await emu.invoke_slash("speakers", {"article": FIRE}, user_id=world.stranger.id)
    assert result.guild_id is None
    text = (await result.reply()).embeds[0]["description"]
    assert "Dana Okafor" in text
    assert "Dmitry Peskov" not in text
    assert text.count("\n") + 1 == len(newsroom_engine.speakers(FIRE))


async def test_quotes_lists_what_a_source_said_verbatim_in_order(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """/quotes speaker: shows every sentence attributed to them, verbatim, in article order."""
    said = newsroom_engine.quotes_by("Dana Okafor")
    assert len(said) >= 2
    result = await emu.invoke_slash(
        "quotes", {"speaker": "Dana Okafor"}, user_id=world.reader.id, guild_id=world.guild_id
    )
    reply = await result.reply()
    fields = reply.embeds[0]["fields"]
    assert len(fields) == len(said)
    for field, quote in zip(fields, said, strict=True):
        shown = field["value"].rsplit("\n", 1)[0][1:-1]
        assert shown.replace("\\", "") == quote.text
        assert f"paragraph {quote.paragraph}" in field["value"]
    paragraphs = [q.paragraph for q in said]
    assert paragraphs == sorted(paragraphs)

    unknown = await emu.invoke_slash("quotes", {"speaker": "Nobody Atall"}, user_id=world.reader.id)
    assert (
        "I found no sentence attributed to Nobody Atall"
        in (await unknown.reply()).embeds[0]["description"]
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("dan", "Dana Okafor"), ("OKAF", "Dana Okafor"), ("pes", "Dmitry Peskov"), ("", None)],
)
async def test_speaker_autocomplete_matches_as_typed(
    emu: DiscordEmulator,
    world: World,
    newsroom_bot: QuoteBot,
    newsroom_engine: Any,
    typed: str,
    expected: str | None,
) -> None:
    """Typing part of a name suggests the matching sources (at most 25), first match first."""
    result = await emu.invoke_autocomplete(
        "quotes", "speaker", typed, user_id=world.reader.id, guild_id=world.guild_id
    )
    choices = await result.choices()
    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    if expected is not None:
        assert choices[0]["value"] == expected
        assert all(typed.lower() in c["value"].lower() for c in choices)
    else:
        assert len(choices) == min(25, len(newsroom_engine.speakers()))


async def test_speaker_autocomplete_caps_at_25(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """With more than 25 matching sources, Discord gets exactly 25 choices."""
    many = [
        type("S", (), {"name": f"Source {n}", "roles": (), "sentences": 1})() for n in range(40)
    ]
    engine = newsroom_bot.ctx.engine
    original = engine.match_speakers
    try:
        engine.match_speakers = lambda prefix, limit=25: many[:limit]
        result = await emu.invoke_autocomplete("quotes", "speaker", "so", user_id=world.reader.id)
        assert len(await result.choices()) == 25
    finally:
        engine.match_speakers = original


async def test_about_lists_every_article(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """/about names both articles with their file names."""
    result = await emu.invoke_slash("about", user_id=world.reader.id)
    fields = {f["name"]: f["value"] for f in (await result.reply()).embeds[0]["fields"]}
    listed = fields["2 articles indexed"]
    for article in newsroom_engine.articles():
        assert article.id in listed
        assert article.title[:50] in listed


async def test_ask_with_an_article_filter_quotes_only_that_article(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """/ask article: quotes only that article, and each quote names its article."""
    question = "What did officials say?"
    for article, title_word in ((FIRE, "Wildfire"), (KYIV, "Kyiv")):
        result = await emu.invoke_slash(
            "ask",
            {"question": question, "article": article},
            user_id=world.reader.id,
            guild_id=world.guild_id,
        )
        embed = (await result.reply()).embeds[0]
        assert embed.get("fields"), f"no quote from {article}"
        for field in embed["fields"]:
            assert title_word in field["value"].rsplit("\n", 1)[1]


async def test_ask_with_an_unknown_article_says_so(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """An article that is not indexed gets the engine's short message, privately."""
    result = await emu.invoke_slash(
        "ask",
        {"question": "who closed the embassy?", "article": "no-such-article.txt"},
        user_id=world.reader.id,
        guild_id=world.guild_id,
    )
    reply = await result.reply()
    assert result.ephemeral
    assert "No article called 'no-such-article.txt'. See /about for the list." in reply.content


async def test_article_autocomplete_matches_id_or_title(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """Typing part of a title or file name suggests that article."""
    for typed, expected in (("wildf", FIRE), ("embassy", KYIV), ("cedar", FIRE)):
        result = await emu.invoke_autocomplete(
            "ask",
            "article",
            typed,
            options={"question": "who?"},
            user_id=world.reader.id,
            guild_id=world.guild_id,
        )
        choices = await result.choices()
        assert choices[0]["value"] == expected
        assert len(choices) <= 25


async def test_ask_the_article_context_menu_pings_nobody(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """Right-click → "Ask the article" answers the message's text; its @everyone pings nobody."""
    said = await emu.send_channel_message(
        world.channel_id, world.reader.id, "@everyone what did the fire chief say?"
    )
    result = await emu.invoke_message_context("Ask the article", said, user_id=world.admin.id)
    reply = await result.reply()
    assert not result.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == "what did the fire chief say?"  # mention syntax is not a question
    assert emu.would_ping(reply) == set()
    assert reply.get("mention_everyone") is False


async def test_ask_the_article_on_a_message_without_text(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """A message with no text gets a clear private note instead of an answer."""
    said = await emu.send_channel_message(
        world.channel_id, world.reader.id, "", embeds=[{"title": "just an embed"}]
    )
    result = await emu.invoke_message_context("Ask the article", said, user_id=world.reader.id)
    reply = await result.reply()
    assert result.ephemeral
    assert reply.content == NO_TEXT


async def test_ask_the_article_in_a_dm(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """The context menu works on a message in the user's DM with the bot."""
    said = await emu.send_dm(world.stranger.id, "who is Dana Okafor?")
    await emu.wait_for_messages(emu.dm_channel_for(world.stranger.id).id, count=1)
    result = await emu.invoke_message_context("Ask the article", said, user_id=world.stranger.id)
    reply = await result.reply()
    assert reply.embeds[0]["title"] == "who is Dana Okafor?"
