"""End to end through the emulator, real model and bundled article: graded answers as
users see them. A hedged reply looks different (title, colour, the hedge and its reason),
a "not quoted" note is shown, buttons work on hedged replies, and off-topic quotes nothing."""

from __future__ import annotations

import re

import pytest
from botkit import ARTICLE_TEXT, World
from emulator import DiscordEmulator, StoredMessage

from bot.client import QuoteBot
from bot.render.card import ANSWER_COLOUR, HEDGED_COLOUR, NO_ANSWER_COLOUR
from bot.render.wording import HEDGED_INTRO, HEDGED_TITLE, NO_ANSWER, WHO

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace("**", ""))


async def ask(emu: DiscordEmulator, world: World, question: str) -> StoredMessage:
    result = await emu.invoke_slash(
        "ask", {"question": question}, user_id=world.reader.id, guild_id=world.guild_id
    )
    return await result.reply()


def button_ids(message: StoredMessage) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"]]


async def test_a_hedged_reply_with_a_not_quoted_note(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    question = "What did Zelenskyy say about the mines?"
    message = await ask(emu, world, question)
    (embed,) = message.embeds
    assert embed["title"] == f"{HEDGED_TITLE}: {question}"
    assert embed["color"] == HEDGED_COLOUR != ANSWER_COLOUR
    description = plain(embed["description"])
    assert description.startswith(HEDGED_INTRO)
    assert "mentions Ukrainian President Volodymyr Zelenskyy only in a photo caption" in description
    assert "quotes nothing from Zelenskyy" in description
    assert embed["fields"]
    for field in embed["fields"]:
        quote = field["value"].rsplit("\n", 1)[0][1:-1]
        assert plain(quote) in ARTICLE_TEXT
    assert emu.would_ping(message) == set()

    # the buttons work on a hedged reply: the paragraph of its first quote, privately
    para = next(i for i in button_ids(message) if i.startswith("qa:para:"))
    clicked = await (await emu.invoke_component(message, para, user_id=world.reader.id)).reply()
    assert clicked.ephemeral
    assert plain(clicked.embeds[0]["description"]) in ARTICLE_TEXT
    vote = next(i for i in button_ids(message) if i.startswith("qa:fb:"))
    voted = await (await emu.invoke_component(message, vote, user_id=world.reader.id)).reply()
    assert voted.content


async def test_confident_who_and_nothing(emu: DiscordEmulator, world: World, bot: QuoteBot) -> None:
    who = (await ask(emu, world, "who warned about irresponsible rhetoric from russia?")).embeds[0]
    assert who["color"] == ANSWER_COLOUR
    assert plain(who["description"]).startswith(f"{WHO}: Starmer")
    assert who["fields"][0]["name"].startswith("1. Starmer said")

    officials = (await ask(emu, world, "did biden really ok landmines for ukraine")).embeds[0]
    headings = [f["name"] for f in officials["fields"]]
    assert "2. According to two US officials" in headings

    off = (await ask(emu, world, "what is a good recipe for banana bread?")).embeds[0]
    assert off["color"] == NO_ANSWER_COLOUR
    assert not off.get("fields")
    assert NO_ANSWER in plain(off["description"])


async def test_a_hedged_dm_reads_the_same_way(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    asked = await emu.send_dm(world.reader.id, "What did Macron say at the G20 summit?")
    (reply,) = await emu.wait_for_messages(asked.channel_id, after=asked)
    lines = plain(reply.content).splitlines()
    assert lines[0] == HEDGED_INTRO
    assert lines[1] == "The article never mentions ‘Macron’."
    assert lines[2].startswith("1. “")
