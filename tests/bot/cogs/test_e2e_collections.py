"""End to end, two servers (fake encoder): each server's articles are its own.

An article added in server A is quoted in A and never in B or a DM (answers, ``article:``
autocomplete, /speakers, /quotes, /about); B's administrator cannot remove A's article or a
default one; the bot's owners (ADMIN_USER_IDS) can change the defaults; the bot leaving a
server deletes that server's articles; everything survives a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botkit import World, bot_settings, make_engine, running_bot
from emulator import DiscordEmulator, InteractionResult
from support import FakeEncoder

from bot.client import QuoteBot

pytestmark = pytest.mark.e2e

FERRY = (
    "Ferry service to Orrin Island resumes\n\n"
    "The ferry to Orrin Island will resume on Monday, harbour master Lena Voss said.\n\n"
    "“The new pier is finally safe,” Voss told reporters at the terminal.\n"
).encode()
DEFAULTS = ["cedar-gap-fire.md", "us-embassy-kyiv-closes.txt"]


@dataclass
class Two:
    a: World
    b_guild: int
    b_admin: int
    b_reader: int
    owner: int
    collections: Path


@pytest.fixture
def two(emu: DiscordEmulator, world: World, tmp_path: Path) -> Two:
    guild = emu.add_guild("Other newsroom")
    b_admin, b_reader, owner = (emu.add_user(n).id for n in ("b-editor", "b-reader", "owner"))
    emu.add_member(guild.id, b_admin, administrator=True)
    emu.add_member(guild.id, b_reader)
    emu.add_member(guild.id, owner)
    emu.add_member(world.guild_id, owner)
    return Two(world, guild.id, b_admin, b_reader, owner, tmp_path / "collections")


@pytest.fixture
async def bot(emu: DiscordEmulator, two: Two, newsroom_engine: Any) -> AsyncIterator[QuoteBot]:
    settings = bot_settings(admin_user_ids=frozenset({two.owner}), collections_dir=two.collections)
    async with running_bot(emu, newsroom_engine, settings) as client:
        yield client


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def exists(path: Path) -> bool:
    return path.exists()


async def slash(
    emu: DiscordEmulator, name: str, options: dict[str, Any], user: int, guild: int | None
) -> InteractionResult:
    return await emu.invoke_slash(name, options, user_id=user, guild_id=guild)


async def add_ferry(emu: DiscordEmulator, user: int, guild: int | None, **extra: Any) -> str:
    file = {"filename": "ferry.txt", "data": FERRY, "content_type": "text/plain"}
    result = await slash(emu, "reindex", {"file": file, **extra}, user, guild)
    reply = await result.reply()
    assert result.ephemeral
    return reply.content


async def article_choices(emu: DiscordEmulator, user: int, guild: int | None) -> list[str]:
    result = await emu.invoke_autocomplete("ask", "article", "", user_id=user, guild_id=guild)
    return sorted(c["value"] for c in await result.choices())


async def answer_text(emu: DiscordEmulator, user: int, guild: int | None) -> str:
    result = await slash(
        emu, "ask", {"question": "When does the Orrin Island ferry resume?"}, user, guild
    )
    reply = await result.reply()
    return " ".join([reply.content, *(str(e) for e in reply.embeds)])


async def test_an_article_added_in_a_server_is_quoted_there_only(
    emu: DiscordEmulator, two: Two, bot: QuoteBot, newsroom_dir: Path
) -> None:
    before = names(newsroom_dir)
    added = await add_ferry(emu, two.a.admin.id, two.a.guild_id)
    assert added.startswith("Added 'ferry.txt'"), added
    assert names(newsroom_dir) == before  # defaults untouched

    assert "Orrin Island will resume on Monday" in await answer_text(
        emu, two.a.reader.id, two.a.guild_id
    )
    for user, guild in ((two.b_reader, two.b_guild), (two.a.reader.id, None)):
        assert "will resume on Monday" not in await answer_text(emu, user, guild)

    assert await article_choices(emu, two.a.reader.id, two.a.guild_id) == sorted(
        [*DEFAULTS, "ferry.txt"]
    )
    assert await article_choices(emu, two.b_reader, two.b_guild) == DEFAULTS
    assert await article_choices(emu, two.a.reader.id, None) == DEFAULTS

    async def speakers(guild: int | None, user: int) -> str:
        reply = await (await slash(emu, "speakers", {}, user, guild)).reply()
        return reply.embeds[0]["description"]

    assert "Lena Voss" in await speakers(two.a.guild_id, two.a.reader.id)
    assert "Lena Voss" not in await speakers(two.b_guild, two.b_reader)
    assert "Lena Voss" not in await speakers(None, two.a.reader.id)
    said = await (
        await slash(emu, "quotes", {"speaker": "Lena Voss"}, two.b_reader, two.b_guild)
    ).reply()
    assert "Orrin" not in str(said.embeds)
    asked_in_b = await slash(
        emu,
        "ask",
        {"question": "Who runs the harbour?", "article": "ferry.txt"},
        two.b_reader,
        two.b_guild,
    )
    assert "No article called 'ferry.txt'" in (await asked_in_b.reply()).content

    about_a = await (await slash(emu, "about", {}, two.a.reader.id, two.a.guild_id)).reply()
    about_b = await (await slash(emu, "about", {}, two.b_reader, two.b_guild)).reply()
    assert "Orrin" in str(about_a.embeds)
    assert "Orrin" not in str(about_b.embeds)


async def test_who_may_remove_what(
    emu: DiscordEmulator, two: Two, bot: QuoteBot, newsroom_dir: Path
) -> None:
    await add_ferry(emu, two.a.admin.id, two.a.guild_id)

    async def remove(article: str, user: int, guild: int | None) -> str:
        result = await slash(emu, "remove", {"article": article}, user, guild)
        reply = await result.reply()
        assert result.ephemeral
        return reply.content

    # B's administrator: not A's article (B does not see it), not a default one
    assert "No article called 'ferry.txt'" in await remove("ferry.txt", two.b_admin, two.b_guild)
    refused = await remove("cedar-gap-fire.md", two.b_admin, two.b_guild)
    assert "default article" in refused
    assert "ADMIN_USER_IDS" in refused
    # A's administrator cannot remove a default article either
    assert "default article" in await remove("cedar-gap-fire.md", two.a.admin.id, two.a.guild_id)
    # nor add to the defaults
    shared = await add_ferry(emu, two.b_admin, two.b_guild, shared=True)
    assert "Only the bot's owners" in shared
    assert names(newsroom_dir) == DEFAULTS
    # a member: refused before anything
    emu.allow_command_for_everyone(two.a.guild_id, "remove")
    assert "Only server administrators" in await remove(
        "ferry.txt", two.a.reader.id, two.a.guild_id
    )

    # the owners, from a DM (admin commands are hidden from them in servers they do not
    # administer): A's article, then a default one
    assert (await remove("ferry.txt", two.owner, None)).startswith("Removed 'ferry.txt'")
    assert await article_choices(emu, two.a.reader.id, two.a.guild_id) == DEFAULTS
    assert (await remove("cedar-gap-fire.md", two.owner, None)).startswith("Removed")
    assert names(newsroom_dir) == ["us-embassy-kyiv-closes.txt"]
    assert await article_choices(emu, two.b_reader, two.b_guild) == ["us-embassy-kyiv-closes.txt"]


async def test_owners_change_the_defaults_for_everyone(
    emu: DiscordEmulator, two: Two, bot: QuoteBot, newsroom_dir: Path
) -> None:
    await add_ferry(emu, two.a.admin.id, two.a.guild_id)
    flood = {
        "filename": "flood.md",
        "data": b"Flood barriers hold\n\nThe barriers held on Sunday, engineer Ada Moss said.\n",
        "content_type": "text/plain",
    }
    result = await slash(emu, "reindex", {"file": flood}, two.owner, None)  # a DM: the defaults
    assert (await result.reply()).content.startswith("Added 'flood.md'")
    assert "flood.md" in names(newsroom_dir)
    assert "flood.md" in await article_choices(emu, two.b_reader, two.b_guild)
    # server A's collection follows the new default, and keeps its own
    assert await article_choices(emu, two.a.reader.id, two.a.guild_id) == sorted(
        [*DEFAULTS, "ferry.txt", "flood.md"]
    )
    # a server admin's /reindex rebuilds only that server's articles
    rebuilt = await (await slash(emu, "reindex", {}, two.b_admin, two.b_guild)).reply()
    assert "no articles of its own" in rebuilt.content
    rebuilt = await (await slash(emu, "reindex", {}, two.a.admin.id, two.a.guild_id)).reply()
    assert rebuilt.content.startswith("Reindexed 4 article(s)")


async def test_leaving_a_server_deletes_its_articles(
    emu: DiscordEmulator, two: Two, bot: QuoteBot, caplog: pytest.LogCaptureFixture
) -> None:
    await add_ferry(emu, two.a.admin.id, two.a.guild_id)
    folder = two.collections / str(two.a.guild_id)
    assert exists(folder)
    caplog.set_level("INFO", logger="index.collections")
    emu.remove_guild(two.a.guild_id)
    for _ in range(100):  # the bot handles GUILD_DELETE in a worker thread
        if not exists(folder):
            break
        await asyncio.sleep(0.05)
    assert not exists(folder)
    assert "deleted its 1 article(s)" in caplog.text
    assert bot.ctx.library is not None
    assert bot.ctx.library.guilds() == []


async def test_collections_survive_a_restart(
    emu: DiscordEmulator, two: Two, newsroom_dir: Path, tmp_path: Path
) -> None:
    settings = bot_settings(admin_user_ids=frozenset({two.owner}), collections_dir=two.collections)
    engine = make_engine(FakeEncoder(), tmp_path / "idx", articles_dir=newsroom_dir, top_k=1)
    async with running_bot(emu, engine, settings):
        await add_ferry(emu, two.a.admin.id, two.a.guild_id)
    engine = make_engine(FakeEncoder(), tmp_path / "idx", articles_dir=newsroom_dir, top_k=1)
    async with running_bot(emu, engine, settings):
        assert "ferry.txt" in await article_choices(emu, two.a.reader.id, two.a.guild_id)
        assert "ferry.txt" not in await article_choices(emu, two.b_reader, two.b_guild)
        assert "Orrin Island will resume" in await answer_text(emu, two.a.reader.id, two.a.guild_id)
