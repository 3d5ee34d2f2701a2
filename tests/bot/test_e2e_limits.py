"""End to end: long answers (TOP_K=10, very long sentences) stay within Discord's limits.

The emulator validates every message against Discord's limits and fails the test on any
violation, so these tests mostly need to provoke long answers; the asserts document how.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from botkit import ARTICLE_TEXT, World, bot_settings, make_engine, running_bot
from emulator import DiscordEmulator

pytestmark = [pytest.mark.e2e, pytest.mark.model]

WORDS = [
    "harbour", "wall", "council", "engineers", "storm",
    "flood", "barrier", "concrete", "tide", "repairs",
]  # fmt: skip
GLUE = ["the", "of", "and", "with", "for", "in", "on", "at", "by", "from"]
LONG_QUESTION = "What did the council engineers say about the harbour wall repairs?"


def write_long_article(directory: Path, paragraphs: int = 12, length: int = 1500) -> Path:
    """An article whose every paragraph is one relevant sentence of ``length`` characters."""
    rng = random.Random(3)
    blocks = ["Harbour wall repairs approved after winter storms"]
    for number in range(paragraphs):
        words = [f"The council engineer number {number} said that"]
        while len(" ".join(words)) < length:
            words += [rng.choice(WORDS), rng.choice(GLUE)]
        blocks.append(" ".join(words) + ".")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "harbour.txt"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def embed_size(embed: dict) -> int:
    fields = embed.get("fields") or []
    return (
        len(embed.get("title") or "")
        + len(embed.get("description") or "")
        + len((embed.get("footer") or {}).get("text") or "")
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
    )


async def test_top_k_10_on_the_bundled_article(
    emu: DiscordEmulator, world: World, real_encoder: Any, tmp_path: Path
) -> None:
    engine = await asyncio.to_thread(make_engine, real_encoder, tmp_path / "index", top_k=10)
    question = "What did US officials say about the anti-personnel mines for Ukraine?"
    async with running_bot(emu, engine, bot_settings(top_k=10)):
        result = await emu.invoke_slash(
            "ask", {"question": question}, user_id=world.reader.id, guild_id=world.guild_id
        )
        embed = (await result.reply()).embeds[0]
        assert 2 <= len(embed["fields"]) <= 10
        for field in embed["fields"]:
            assert field["value"].rsplit("\n", 1)[0][1:-1] in ARTICLE_TEXT
        assert embed_size(embed) <= 6000

        asked = await emu.send_dm(world.reader.id, question)
        replies = await emu.wait_for_messages(asked.channel_id, after=asked)
        assert all(len(m.content) <= 2000 for m in replies)


async def test_huge_quotes_are_shortened_at_word_breaks(
    emu: DiscordEmulator, world: World, real_encoder: Any, tmp_path: Path
) -> None:
    article = write_long_article(tmp_path / "articles")
    text = article.read_text(encoding="utf-8")
    engine = await asyncio.to_thread(
        make_engine, real_encoder, tmp_path / "index", articles_dir=tmp_path / "articles", top_k=10
    )
    answer = await asyncio.to_thread(engine.ask, LONG_QUESTION)
    assert len(answer.quotes) == 10  # ten quotes of 1,500 characters: 15,000 in all
    async with running_bot(emu, engine, bot_settings(top_k=10)):
        result = await emu.invoke_slash(
            "ask", {"question": LONG_QUESTION}, user_id=world.reader.id, guild_id=world.guild_id
        )
        embed = (await result.reply()).embeds[0]
        assert embed_size(embed) <= 6000
        assert 3 <= len(embed["fields"]) < 10
        assert "did not fit" in embed["footer"]["text"]
        for field in embed["fields"]:
            assert len(field["value"]) <= 1024
            quote = field["value"].rsplit("\n", 1)[0][1:-1]
            assert quote.endswith("…")
            shown = quote[:-1]
            assert shown in text
            after = text[text.index(shown) + len(shown)]
            assert after == " "  # cut at a word break

        # as a DM: at most three messages of whole quotes, none over 2,000 characters
        asked = await emu.send_dm(world.reader.id, LONG_QUESTION)
        replies = await emu.wait_for_messages(asked.channel_id, count=3, after=asked)
        await asyncio.sleep(0.2)
        assert emu.messages(asked.channel_id, author_id=emu.bot.id) == replies
        for number, message in enumerate(replies, start=1):
            assert len(message.content) <= 2000
            assert message.content.startswith(f"{number}. “")
            assert first_quote_is_whole(message.content, text)
        assert replies[-1].content.endswith("(7 more quotes did not fit; ask a narrower question.)")


def first_quote_is_whole(content: str, article: str) -> bool:
    quote = content.split("“", 1)[1].split("”\n", 1)[0]
    return quote in article
