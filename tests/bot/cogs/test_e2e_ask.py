"""End to end through the emulator, real model and bundled article: /ask, /about, /help."""

from __future__ import annotations

import pytest
from botkit import ARTICLE_TEXT, ARTICLE_TITLE, World, bot_settings, running_bot
from emulator import DiscordEmulator, StoredMessage

from bot.client import QuoteBot
from bot.render.wording import NO_ANSWER
from index.engine import Engine

pytestmark = [pytest.mark.e2e, pytest.mark.model]

COMMAND_NAMES = {
    *("ask", "about", "help", "reindex", "add", "speakers", "quotes", "stats", "remove"),
    "Ask the article",
}


def quoted_texts(message: StoredMessage) -> list[tuple[str, str, str]]:
    """(attribution heading, quote text, source line) for each quote field of the embed."""
    out = []
    for embed in message.embeds:
        for field in embed.get("fields") or []:
            value = field["value"]
            quote, source = value.rsplit("\n", 1)
            assert quote.startswith("“")
            assert quote.endswith("”")
            out.append((field["name"], quote[1:-1], source))
    return out


async def test_commands_synced_with_options_and_permissions(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    assert len(emu.command_puts) == 1
    assert emu.command_puts[0].guild_id is None  # no DEV_GUILD_ID: one global sync
    names = {c["name"] for c in emu.registered_commands()}
    assert names == COMMAND_NAMES

    ask = emu.registered_command("ask")
    assert ask["default_member_permissions"] is None
    question, private, article = ask["options"]
    assert (article["name"], article["autocomplete"]) == ("article", True)
    assert question["name"] == "question"
    assert question["type"] == 3
    assert question["required"] is True
    assert question["min_length"] == 1
    assert question["max_length"] == 300
    assert question["description"].startswith("Your question about the article")
    assert private["name"] == "private"
    assert private["type"] == 5
    assert not private.get("required", False)
    assert "Only you" in private["description"]
    assert ask["description"].startswith("Ask about the article")

    reindex = emu.registered_command("reindex")
    assert reindex["default_member_permissions"] == "8"  # administrator
    assert emu.registered_command("add")["default_member_permissions"] == "8"
    assert emu.registered_command("about")["default_member_permissions"] is None
    assert emu.registered_command("help")["default_member_permissions"] is None


async def test_dev_guild_sync_copies_commands_to_that_guild(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    settings = bot_settings(dev_guild_id=world.guild_id)
    async with running_bot(emu, bot_engine, settings):
        assert [put.guild_id for put in emu.command_puts] == [world.guild_id]
        assert emu.registered_commands() == []
        guild_commands = {c["name"]: c for c in emu.registered_commands(world.guild_id)}
        assert set(guild_commands) == COMMAND_NAMES
        assert guild_commands["reindex"]["default_member_permissions"] == "8"
        result = await emu.invoke_slash(
            "ask",
            {"question": "What did Lavrov say?"},
            user_id=world.reader.id,
            guild_id=world.guild_id,
        )
        reply = await result.reply()
        assert "Lavrov" in reply.embeds[0]["fields"][0]["name"]


async def test_wrong_dev_guild_is_logged_and_the_bot_still_runs(
    emu: DiscordEmulator, world: World, bot_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    emu.expect_violation("missing_access")  # Discord answers 403 Missing Access
    async with running_bot(emu, bot_engine, bot_settings(dev_guild_id=1234567890123456789)):
        assert "cannot sync commands to DEV_GUILD_ID 1234567890123456789" in caplog.text
        asked = await emu.send_dm(world.reader.id, "What did Lavrov say?")
        (reply,) = await emu.wait_for_messages(asked.channel_id, after=asked)
        assert "Sergey Lavrov" in reply.content


async def test_ask_answers_with_verbatim_attributed_quotes(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    result = await emu.invoke_slash(
        "ask",
        {"question": "What did Peter Kyle say about the situation?"},
        user_id=world.reader.id,
        guild_id=world.guild_id,
    )
    ack = await result.ack()
    assert ack.type == 5  # deferred at once, "thinking"
    assert result.ack_seconds is not None
    assert result.ack_seconds < 3
    reply = await result.reply()
    assert not result.ephemeral
    assert reply.content == ""
    embed = reply.embeds[0]
    assert embed["title"] == "What did Peter Kyle say about the situation?"
    quotes = quoted_texts(reply)
    assert 1 <= len(quotes) <= 3
    for heading, text, source in quotes:
        assert text in ARTICLE_TEXT  # verbatim
        assert ARTICLE_TITLE in source
        assert "paragraph" in source
        assert heading.split(". ", 1)[1][0].isupper()
    heading, text, _ = quotes[0]
    assert heading == "1. Peter Kyle, Science Secretary, said on Times Radio"
    assert "looking at the situation incredibly closely" in text
    assert emu.would_ping(reply) == set()


async def test_private_ask_is_ephemeral(emu: DiscordEmulator, world: World, bot: QuoteBot) -> None:
    result = await emu.invoke_slash(
        "ask",
        {
            "question": "Who confirmed the strike could be grounds for a nuclear response?",
            "private": True,
        },
        user_id=world.reader.id,
        guild_id=world.guild_id,
    )
    ack = await result.ack()
    assert ack.ephemeral
    reply = await result.reply()
    assert result.ephemeral
    assert reply.ephemeral
    heading, text, _ = quoted_texts(reply)[0]
    assert "Dmitry Peskov" in heading
    assert text in ARTICLE_TEXT


async def test_off_topic_question_gets_no_quote(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    result = await emu.invoke_slash(
        "ask",
        {"question": "what is a good recipe for banana bread?"},
        user_id=world.reader.id,
        guild_id=world.guild_id,
    )
    reply = await result.reply()
    embed = reply.embeds[0]
    assert not embed.get("fields")
    assert NO_ANSWER in embed["description"]
    assert "“" not in embed["description"]


async def test_question_without_words_is_refused_ephemerally(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    result = await emu.invoke_slash(
        "ask", {"question": "???"}, user_id=world.reader.id, guild_id=world.guild_id
    )
    ack = await result.ack()
    assert ack.type == 4
    assert ack.ephemeral
    reply = await result.reply()
    assert "letters or digits" in reply.content


async def test_about_and_help(emu: DiscordEmulator, world: World, bot: QuoteBot) -> None:
    about = await emu.invoke_slash("about", user_id=world.reader.id, guild_id=world.guild_id)
    reply = await about.reply()
    assert about.ephemeral
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert ARTICLE_TITLE in fields["1 article indexed"]
    info = bot.ctx.engine.info()
    assert fields["Index"] == f"{info.paragraphs} paragraphs · {info.sentences} sentences"
    assert "all-MiniLM-L6-v2" in fields["Model"]
    assert fields["Built"].startswith("<t:")

    help_ = await emu.invoke_slash("help", user_id=world.stranger.id)  # works in DMs too
    reply = await help_.reply()
    assert help_.ephemeral
    assert "/ask" in reply.embeds[0]["description"]
