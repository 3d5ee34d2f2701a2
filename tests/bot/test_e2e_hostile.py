"""End to end: a handful of hostile questions through the DM and mention paths.

The bulk of hostile questions runs against the engine (tests/index/test_hostile_questions.py);
here each kind goes through Discord once: every message gets one clear reply that pings
nobody, and every quote in it is verbatim from the article.
"""

from __future__ import annotations

import pytest
from botkit import ARTICLE_TEXT, World
from emulator import DiscordEmulator, StoredMessage

from bot.client import QuoteBot
from bot.render.wording import NO_ANSWER

pytestmark = [pytest.mark.e2e, pytest.mark.model]

IN_WORDS = "Please ask a question in words: that had no letters or digits."
HOSTILE_DMS = {
    "10,000 characters": ("Who closed the embassy? " * 420)[:10_000],
    "emoji only": "😀👨\u200d👩\u200d👧🇺🇦 ❤️",
    "punctuation only": "?!?!... — ¿¡ ;;; ***",
    "invisible only": "\u200b\u200c\u200d\u2060\ufeff\u202e",
    "right-to-left override": "\u202ewho said the strike could mean a nuclear response?",
    "code block": "```\nDROP TABLE articles; -- what did Lavrov say?\n```",
    "mentions": "@everyone @here <@&1> <@1234> what did Lavrov say about the attack?",
    "markdown": "**What** did _Lavrov_ say ~~about~~ the `attack`? > [x](https://evil.example)",
    "arabic": "ماذا قال لافروف عن الهجوم؟",
}


def quotes_in(text: str) -> list[str]:
    return [
        line[line.index("“") + 1 : line.rindex("”")]
        for line in text.splitlines()
        if "“" in line and "”" in line
    ]


def assert_clear_reply(emu: DiscordEmulator, reply: StoredMessage) -> None:
    assert reply.content.strip()
    assert emu.would_ping(reply) == set()
    for quote in quotes_in(reply.content):
        assert quote in ARTICLE_TEXT


async def test_hostile_dms_get_one_clear_reply_each(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    replies: dict[str, StoredMessage] = {}
    for number, (kind, text) in enumerate(HOSTILE_DMS.items()):
        user = emu.add_user(f"hostile-{number}")  # one user each: no rate limit in the way
        asked = await emu.send_dm(user.id, text)
        (reply,) = await emu.wait_for_messages(asked.channel_id, after=asked)
        assert_clear_reply(emu, reply)
        replies[kind] = reply
    assert replies["10,000 characters"].content.startswith("That question is 10000 characters long")
    for kind in ("emoji only", "punctuation only", "invisible only"):
        assert replies[kind].content == IN_WORDS, kind
    assert "Dmitry Peskov" in replies["right-to-left override"].content
    for kind in ("code block", "mentions", "markdown"):
        assert "Sergey Lavrov" in replies[kind].content, kind
    assert replies["arabic"].content.startswith(NO_ANSWER) or quotes_in(replies["arabic"].content)


async def test_hostile_mention_in_a_channel_pings_nobody(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    said = await emu.send_channel_message(
        world.channel_id,
        world.reader.id,
        f"@everyone <@{world.admin.id}> \u202e**what** did Lavrov say?\u200b ```x```",
        mention_bot=True,
    )
    (reply,) = await emu.wait_for_messages(world.channel_id, after=said)
    assert emu.would_ping(reply) == set()
    field = reply.embeds[0]["fields"][0]
    assert "Sergey Lavrov" in field["name"]
    assert field["value"].rsplit("\n", 1)[0][1:-1] in ARTICLE_TEXT
