"""End to end: questions in direct messages and mentions, and nothing ever pings."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from botkit import ARTICLE_TEXT, World, bot_settings, build_world, make_engine, running_bot
from emulator import DiscordEmulator, Perm, PermissionOverwrite, StoredMessage
from emulator.fixtures import running_emulator

from bot.client import QuoteBot
from bot.render.wording import NO_ANSWER

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def first_quote(text: str) -> str:
    """The text between the first “ and the ” that ends its line."""
    line = next(line for line in text.splitlines() if "“" in line)
    return line[line.index("“") + 1 : line.rindex("”")]


async def dm_replies(
    emu: DiscordEmulator, user_id: int, after: StoredMessage, count: int = 1
) -> list[StoredMessage]:
    channel = emu.dm_channel_for(user_id)
    return await emu.wait_for_messages(channel.id, count, after=after)


async def assert_no_reply(emu: DiscordEmulator, channel_id: int, after: StoredMessage) -> None:
    await asyncio.sleep(0.3)
    assert [m for m in emu.messages(channel_id, author_id=emu.bot.id) if m.id > after.id] == []


async def test_dm_question_answered_as_plain_text(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    asked = await emu.send_dm(world.stranger.id, "What did Lavrov say about the attack?")
    (reply,) = await dm_replies(emu, world.stranger.id, asked)
    assert reply.content.startswith("1. “")
    assert first_quote(reply.content) in ARTICLE_TEXT
    assert "— Sergey Lavrov, Russia's Foreign Minister, said" in reply.content
    assert "paragraph" in reply.content
    assert reply.embeds == []
    assert emu.would_ping(reply) == set()
    await assert_no_reply(emu, reply.channel_id, reply)  # it does not answer itself


async def test_dm_help_empty_and_too_long(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    asked = await emu.send_dm(world.reader.id, "help")
    (reply,) = await dm_replies(emu, world.reader.id, asked)
    assert "/ask" in reply.content
    assert "mention me" in reply.content

    asked = await emu.send_dm(world.reader.id, "   ")
    (reply,) = await dm_replies(emu, world.reader.id, asked)
    assert reply.content == "Please ask a question: it was empty."

    asked = await emu.send_dm(world.reader.id, "why " * 100)
    (reply,) = await dm_replies(emu, world.reader.id, asked)
    assert reply.content.startswith("That question is 400 characters long")

    asked = await emu.send_dm(world.reader.id, "what is a good recipe for banana bread?")
    (reply,) = await dm_replies(emu, world.reader.id, asked)
    assert reply.content.startswith(NO_ANSWER)
    assert "“" not in reply.content


async def test_messages_from_bots_are_ignored(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    other_bot = emu.add_user("another-bot", bot=True)
    emu.add_member(world.guild_id, other_bot.id)
    asked = await emu.send_dm(other_bot.id, "What did Lavrov say?")
    await assert_no_reply(emu, asked.channel_id, asked)
    said = await emu.send_channel_message(
        world.channel_id, other_bot.id, "What did Lavrov say?", mention_bot=True
    )
    await assert_no_reply(emu, world.channel_id, said)


async def test_channel_message_without_mention_is_ignored(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    said = await emu.send_channel_message(world.channel_id, world.reader.id, "What did Lavrov say?")
    await assert_no_reply(emu, world.channel_id, said)


async def test_mention_answered_as_reply_without_pings(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    said = await emu.send_channel_message(
        world.channel_id,
        world.reader.id,
        f"what did Peter Kyle say on Times Radio? <@{world.admin.id}>",
        mention_bot=True,
    )
    (reply,) = await emu.wait_for_messages(world.channel_id, after=said)
    assert reply.message_reference is not None
    assert reply.message_reference["message_id"] == str(said.id)
    field = reply.embeds[0]["fields"][0]
    assert field["name"].startswith("1. Peter Kyle")
    quote = field["value"].rsplit("\n", 1)[0][1:-1]
    assert quote in ARTICLE_TEXT
    # the question shown is stripped of the bot's mention
    assert f"<@{emu.bot.id}>" not in reply.embeds[0]["title"]
    assert emu.would_ping(reply) == set()  # not even the author of the question


async def test_mention_in_a_channel_where_the_bot_cannot_write_is_skipped(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    read_only = emu.add_text_channel(
        world.guild_id,
        "announcements",
        overwrites=[PermissionOverwrite(emu.bot.id, 1, deny=int(Perm.SEND_MESSAGES))],
    )
    said = await emu.send_channel_message(
        read_only.id, world.reader.id, "What did Lavrov say?", mention_bot=True
    )
    await assert_no_reply(emu, read_only.id, said)  # and no 403: the emulator would fail


async def test_bare_mention_gets_the_invalid_question_message(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    said = await emu.send_channel_message(world.channel_id, world.reader.id, "", mention_bot=True)
    (reply,) = await emu.wait_for_messages(world.channel_id, after=said)
    assert reply.content == "Please ask a question: it was empty."
    assert emu.would_ping(reply) == set()


# ---------------------------------------------------------------- no pings, ever
PING_ARTICLE = """\
Harbour town orders evacuation before the storm

The harbour master, Ana Ruiz, said: "@everyone in the lower harbour must leave tonight, \
and <@{user}> will coordinate the evacuation buses with <@&{role}> and @here volunteers."

Council officials said the evacuation buses would leave from the market square at six.

Ruiz added that the lower harbour would stay closed until the storm had passed.
"""


def write_ping_article(directory: Path, user_id: int, role_id: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "harbour.txt"
    path.write_text(PING_ARTICLE.format(user=user_id, role=role_id), encoding="utf-8")
    return path


def pings_without_allowed_mentions(emu: DiscordEmulator, message: StoredMessage) -> set[int]:
    """Who ``message`` would ping had the bot not sent allowed_mentions (the test's teeth)."""
    saved = message.allowed_mentions
    message.allowed_mentions = None
    try:
        return emu.would_ping(message)
    finally:
        message.allowed_mentions = saved


async def test_mentions_in_quotes_and_questions_ping_nobody(
    real_encoder: Any, tmp_path: Path
) -> None:
    async with running_emulator() as emu:
        world = build_world(emu)
        role = emu.add_role(world.guild_id, "volunteers", mentionable=True)
        for no_embeds in (emu.bot_role(world.guild_id), world.guild.roles[world.guild_id]):
            no_embeds.permissions &= ~int(Perm.EMBED_LINKS)  # so mentions get text replies
        emu.bot_role(world.guild_id).permissions |= int(Perm.MENTION_EVERYONE)
        write_ping_article(tmp_path / "articles", world.admin.id, role.id)
        engine = await asyncio.to_thread(
            make_engine, real_encoder, tmp_path / "index", articles_dir=tmp_path / "articles"
        )
        question = "What did the harbour master say about the evacuation buses?"
        async with running_bot(emu, engine, bot_settings()):
            # a mention in a channel, answered in plain text (no Embed Links permission)
            said = await emu.send_channel_message(
                world.channel_id,
                world.reader.id,
                f"@everyone <@{world.admin.id}> <@&{role.id}> {question}",
                mention_bot=True,
            )
            (reply,) = await emu.wait_for_messages(world.channel_id, after=said)
            assert "@everyone in the lower harbour" in reply.content
            assert f"<@{world.admin.id}>" in reply.content
            assert reply.message_reference is not None
            assert emu.would_ping(reply) == set()
            assert world.admin.id in pings_without_allowed_mentions(emu, reply)

            # the same in a DM
            asked = await emu.send_dm(world.reader.id, f"@here <@{world.admin.id}> {question}")
            (dm,) = await emu.wait_for_messages(asked.channel_id, after=asked)
            assert "@everyone in the lower harbour" in dm.content
            assert emu.would_ping(dm) == set()

            # and through /ask, public, with mentions in the question
            result = await emu.invoke_slash(
                "ask",
                {"question": f"@everyone <@{world.admin.id}> {question}"},
                user_id=world.reader.id,
                guild_id=world.guild_id,
            )
            answer = await result.reply()
            assert "@everyone" in answer.embeds[0]["fields"][0]["value"]
            assert emu.would_ping(answer) == set()
