"""End to end, two articles (fake encoder, TOP_K=1): the buttons under each answer (More,
Paragraph, thumbs up/down), /stats, and buttons that keep working after a restart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botkit import World, bot_settings, running_bot
from emulator import DiscordEmulator, StoredMessage

from bot.client import QuoteBot
from bot.render.wording import GONE

pytestmark = pytest.mark.e2e

CANDIDATES = [
    "what did officials say",
    "how many homes were evacuated",
    "what did officials say about the fire",
    "What did the US officials say about the embassy?",
    "who said the attack was significant",
]
REFUSED = "Only server administrators (or users listed in ADMIN_USER_IDS) can use /stats."


def question_with_pages(engine: Any, pages: int = 2) -> str:
    """A question whose answer has at least ``pages`` pages of quotes (TOP_K=1)."""
    for question in CANDIDATES:
        if len(engine.ask(question).more) >= pages - 1:
            return question
    raise AssertionError(f"no candidate question has {pages} pages")


def custom_ids(message: StoredMessage) -> list[list[str]]:
    return [[c["custom_id"] for c in row["components"]] for row in message.components]


def answer_id_of(message: StoredMessage) -> str:
    match = re.fullmatch(r"qa:fb:([0-9a-f]{16}):\+", custom_ids(message)[0][-2])
    assert match, custom_ids(message)
    return match.group(1)


def plain(text: str) -> str:
    """Markdown escapes and bold markers removed: the text as Discord displays it."""
    return re.sub(r"\\(.)", r"\1", text.replace("**", ""))


async def ask(emu: DiscordEmulator, world: World, question: str, **where: Any) -> StoredMessage:
    where = where or {"guild_id": world.guild_id}
    result = await emu.invoke_slash("ask", {"question": question}, user_id=world.reader.id, **where)
    return await result.reply()


async def test_answer_has_more_feedback_and_paragraph_buttons(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """Under an answer: More (page 2), 👍, 👎, then one Paragraph button per quote shown."""
    message = await ask(emu, world, question_with_pages(newsroom_engine))
    answer_id = answer_id_of(message)
    assert custom_ids(message) == [
        [f"qa:more:{answer_id}:2", f"qa:fb:{answer_id}:+", f"qa:fb:{answer_id}:-"],
        [f"qa:para:{answer_id}:1"],
    ]
    stored = newsroom_bot.ctx.store.answer(answer_id)
    assert stored is not None
    assert stored.question == message.embeds[0]["title"]
    assert stored.pages >= 2
    assert all(q.score for q in stored.quotes)


async def test_more_pages_privately_then_in_place(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """More under a public answer opens a private page 2; More on that page turns it."""
    question = question_with_pages(newsroom_engine, pages=3)
    message = await ask(emu, world, question)
    answer_id = answer_id_of(message)
    stored = newsroom_bot.ctx.store.answer(answer_id)

    clicked = await emu.invoke_component(message, f"qa:more:{answer_id}:2", user_id=world.admin.id)
    page = await clicked.reply()
    assert (clicked.callback.type, page.ephemeral) == (4, True)
    (field,) = page.embeds[0]["fields"]
    assert field["name"].startswith("2. ")
    assert plain(field["value"].rsplit("\n", 1)[0][1:-1]) == stored.quotes[1].text
    assert page.embeds[0]["footer"]["text"].startswith(f"Page 2 of {stored.pages}")
    assert emu.would_ping(page) == set()
    assert [f"qa:para:{answer_id}:2"] in custom_ids(page)

    turned = await emu.invoke_component(page, f"qa:more:{answer_id}:3", user_id=world.admin.id)
    assert (await turned.ack()).type == 7
    assert (await turned.reply()).embeds[0]["fields"][0]["name"].startswith("3. ")
    last = page
    for number in range(4, stored.pages + 1):
        last = await (
            await emu.invoke_component(
                last, f"qa:more:{answer_id}:{number}", user_id=world.admin.id
            )
        ).reply()
    assert not any(i.startswith("qa:more:") for row in custom_ids(last) for i in row)
    assert message.embeds[0]["fields"][0]["name"].startswith("1. ")  # the answer is unchanged


async def test_paragraph_shows_the_whole_paragraph_privately(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """Paragraph shows the quote's whole paragraph, the quote in bold, only to the clicker."""
    message = await ask(emu, world, "what did the fire chief say?")
    answer_id = answer_id_of(message)
    quote = newsroom_bot.ctx.store.answer(answer_id).quotes[0]
    clicked = await emu.invoke_component(message, f"qa:para:{answer_id}:1", user_id=world.admin.id)
    reply = await clicked.reply()
    assert reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == f"{quote.article_title}, paragraph {quote.paragraph}"
    paragraph = newsroom_engine.paragraph(quote.article_id, quote.paragraph)
    assert plain(embed["description"]) == paragraph.text
    assert "**" in embed["description"]


async def test_feedback_is_counted_once_per_user(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """A second click does not count twice; changing the vote keeps one vote; /stats agrees."""
    message = await ask(emu, world, "what did the fire chief say?")
    answer_id = answer_id_of(message)

    async def vote(user: Any, sign: str) -> str:
        result = await emu.invoke_component(message, f"qa:fb:{answer_id}:{sign}", user_id=user.id)
        reply = await result.reply()
        assert reply.ephemeral
        return reply.content

    assert "Thanks! Your 👍 is recorded" in await vote(world.reader, "+")
    assert "already gave this answer a 👍; it counts once" in await vote(world.reader, "+")
    assert "Changed your vote to 👎" in await vote(world.reader, "-")
    assert "Thanks! Your 👍 is recorded" in await vote(world.admin, "+")

    rows = newsroom_bot.ctx.store.feedback(answer_id)
    assert sorted((r["user_id"], r["vote"]) for r in rows) == sorted(
        [(world.reader.id, -1), (world.admin.id, 1)]
    )
    reader = next(r for r in rows if r["user_id"] == world.reader.id)
    assert reader["question"] == "what did the fire chief say?"
    assert reader["changes"] == 1
    assert reader["shown"]
    assert all("score" in q and q["text"] for q in reader["shown"])
    totals = newsroom_bot.ctx.store.totals()
    assert (totals.votes_up, totals.votes_down) == (1, 1)

    stats = await emu.invoke_slash("stats", user_id=world.admin.id, guild_id=world.guild_id)
    fields = {f["name"]: f["value"] for f in (await stats.reply()).embeds[0]["fields"]}
    assert "1 👍 · 1 👎" in fields["Since start"]
    assert "1 👍 · 1 👎" in fields["All time"]
    assert "1 question: 1 answered, 0 abstained" in fields["Since start"]
    assert re.search(r"p50 \d+ ms · p95 \d+ ms", fields["Since start"])


async def test_stats_is_for_admins_only(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """Discord hides /stats from members; if a server opens it up, the bot still refuses."""
    result = await emu.invoke_slash("stats", user_id=world.reader.id, guild_id=world.guild_id)
    assert not result.delivered
    emu.allow_command_for_everyone(world.guild_id, "stats")
    result = await emu.invoke_slash("stats", user_id=world.reader.id, guild_id=world.guild_id)
    assert (await result.reply()).content == REFUSED
    in_dm = await emu.invoke_slash("stats", user_id=world.admin.id)  # not in ADMIN_USER_IDS
    assert (await in_dm.reply()).content == REFUSED


async def test_buttons_work_in_dms(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """A DM question's answer has the buttons too, and they work there."""
    channel = emu.dm_channel_for(world.stranger.id).id
    await emu.send_dm(world.stranger.id, question_with_pages(newsroom_engine))
    (message,) = await emu.wait_for_messages(channel)
    answer_id = answer_id_of(message)
    more = await emu.invoke_component(message, f"qa:more:{answer_id}:2", user_id=world.stranger.id)
    assert (await more.reply()).embeds[0]["fields"][0]["name"].startswith("2. ")
    liked = await emu.invoke_component(message, f"qa:fb:{answer_id}:+", user_id=world.stranger.id)
    assert "recorded" in (await liked.reply()).content


async def test_buttons_survive_a_restart(
    emu: DiscordEmulator, world: World, newsroom_engine: Any, tmp_path: Path
) -> None:
    """Stop the bot, start a new one on the same FEEDBACK_DB: the old message's buttons work,
    and a vote given before the restart still counts once."""
    settings = bot_settings(feedback_db=tmp_path / "var" / "feedback.sqlite3")
    question = question_with_pages(newsroom_engine)
    async with running_bot(emu, newsroom_engine, settings):
        message = await ask(emu, world, question)
        answer_id = answer_id_of(message)
        liked = await emu.invoke_component(message, f"qa:fb:{answer_id}:+", user_id=world.reader.id)
        await liked.reply()
    assert (tmp_path / "var" / "feedback.sqlite3").is_file()

    async with running_bot(emu, newsroom_engine, settings) as restarted:
        more = await emu.invoke_component(message, f"qa:more:{answer_id}:2", user_id=world.admin.id)
        assert (await more.reply()).embeds[0]["fields"][0]["name"].startswith("2. ")
        para = await emu.invoke_component(message, f"qa:para:{answer_id}:1", user_id=world.admin.id)
        assert (
            (await para.reply())
            .embeds[0]["title"]
            .endswith(f"paragraph {restarted.ctx.store.answer(answer_id).quotes[0].paragraph}")
        )
        again = await emu.invoke_component(message, f"qa:fb:{answer_id}:+", user_id=world.reader.id)
        assert "it counts once" in (await again.reply()).content
        assert restarted.ctx.store.totals().votes_up == 1

    async with running_bot(emu, newsroom_engine, bot_settings()):  # a fresh, empty database
        gone = await emu.invoke_component(message, f"qa:more:{answer_id}:2", user_id=world.admin.id)
        assert (await gone.reply()).content == GONE


async def test_abstention_has_only_feedback_buttons(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot
) -> None:
    """When the article does not answer, there is nothing to page or open: only 👍 👎."""
    message = await ask(emu, world, "zzzz qqqq xylophone")
    if message.embeds[0].get("fields"):
        pytest.skip("the fake encoder answered this nonsense question")
    answer_id = answer_id_of(message)
    assert custom_ids(message) == [[f"qa:fb:{answer_id}:+", f"qa:fb:{answer_id}:-"]]
    assert newsroom_bot.ctx.live_stats.abstained == 1


async def test_a_mention_reply_has_the_buttons(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """A question asked by mentioning the bot gets the same buttons under its reply."""
    said = await emu.send_channel_message(
        world.channel_id, world.reader.id, question_with_pages(newsroom_engine), mention_bot=True
    )
    (reply,) = await emu.wait_for_messages(world.channel_id, after=said)
    answer_id = answer_id_of(reply)
    clicked = await emu.invoke_component(reply, f"qa:para:{answer_id}:1", user_id=world.admin.id)
    assert (await clicked.reply()).ephemeral
    assert emu.would_ping(reply) == set()
