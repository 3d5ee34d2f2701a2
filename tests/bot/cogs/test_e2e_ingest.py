"""End to end, two default articles (fake encoder): a server administrator's /reindex file:
adds or replaces an article of that server's own, /remove drops one; admins only; a bad file
is rejected with the reason and changes nothing. Across servers: test_e2e_collections.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botkit import World
from emulator import DiscordEmulator, InteractionResult

from bot.client import QuoteBot
from index.parsing.upload import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.e2e

FLOOD = (
    "Flood barriers hold as the River Lune peaks in Ashby\n\n"
    "The River Lune peaked at 5.2 metres on Sunday, the Environment Agency said.\n\n"
    "“The barriers did exactly what they were built to do,” said Priya Nandakumar, the "
    "agency’s area manager. “Nobody in Ashby had water in their home.”\n"
).encode()
REFUSED = "Only server administrators (or users listed in ADMIN_USER_IDS) can use /{}."


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def own(bot: QuoteBot, world: World) -> Path:
    """The folder of the test server's own articles."""
    assert bot.ctx.library is not None
    return bot.ctx.library.articles_dir(world.guild_id)


def served(bot: QuoteBot, world: World) -> Any:
    return bot.ctx.engine_for(world.guild_id)


async def upload(
    emu: DiscordEmulator, world: World, filename: str, data: bytes, user: Any = None
) -> InteractionResult:
    return await emu.invoke_slash(
        "reindex",
        {"file": {"filename": filename, "data": data, "content_type": "text/plain"}},
        user_id=(user or world.admin).id,
        guild_id=world.guild_id,
    )


async def test_admin_adds_an_article_from_a_file(
    emu: DiscordEmulator,
    world: World,
    newsroom_bot: QuoteBot,
    newsroom_engine: Any,
    newsroom_dir: Path,
) -> None:
    """A .md upload is downloaded, indexed and reported; /about and /speakers show it. It
    is the server's own: the default articles are untouched."""
    defaults = snapshot(newsroom_dir)
    result = await upload(emu, world, "ashby-flood.md", FLOOD)
    reply = await result.reply()
    assert result.ephemeral
    assert reply.content.startswith("Added 'ashby-flood.md' and reindexed: 3 article(s)")
    assert len(emu.cdn_downloads) == 1
    assert any(a.id.startswith("ashby-flood") for a in served(newsroom_bot, world).articles())
    assert list(snapshot(own(newsroom_bot, world))) == ["ashby-flood.md"]
    assert snapshot(newsroom_dir) == defaults
    assert [a.id for a in newsroom_engine.articles()] == sorted(defaults)
    speakers = await emu.invoke_slash("speakers", user_id=world.reader.id, guild_id=world.guild_id)
    assert "Priya Nandakumar" in (await speakers.reply()).embeds[0]["description"]
    about = await emu.invoke_slash("about", user_id=world.reader.id, guild_id=world.guild_id)
    fields = {f["name"] for f in (await about.reply()).embeds[0]["fields"]}
    assert "3 articles indexed" in fields


async def test_uploading_a_same_named_file_replaces_the_article(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_engine: Any
) -> None:
    """An upload named like one of the server's articles replaces it (still three); one
    named like a default article is refused (the defaults are not the server's)."""
    await (await upload(emu, world, "ashby-flood.md", FLOOD)).reply()
    changed = FLOOD.replace(b"Priya Nandakumar", b"Omar Haddad")
    result = await upload(emu, world, "ashby-flood.md", changed)
    assert "reindexed: 3 article(s)" in (await result.reply()).content
    engine = served(newsroom_bot, world)
    assert engine.quotes_by("Priya Nandakumar") == []
    assert engine.quotes_by("Omar Haddad")
    clash = await (await upload(emu, world, "cedar-gap-fire.md", FLOOD)).reply()
    assert clash.content == (
        "Nothing changed: cedar-gap-fire.md: a default article has that name; rename the "
        "file and try again"
    )
    assert newsroom_engine.quotes_by("Dana Okafor")


@pytest.mark.parametrize(
    ("filename", "data", "reason", "downloaded"),
    [
        ("report.pdf", b"%PDF-1.7 not an article", "attach a .txt, .md or .html file", False),
        ("empty.txt", b"", "is empty", False),
        ("huge.txt", b"a" * (MAX_UPLOAD_BYTES + 1), "the limit is 2 MB", False),
        ("binary.txt", bytes(range(256)) * 8, "binary.txt", True),
        ("title-only.md", b"Just a title, no paragraphs\n", "title-only.md", True),
    ],
)
async def test_a_bad_file_is_rejected_with_the_reason_and_changes_nothing(
    emu: DiscordEmulator,
    world: World,
    newsroom_bot: QuoteBot,
    newsroom_engine: Any,
    newsroom_dir: Path,
    filename: str,
    data: bytes,
    reason: str,
    downloaded: bool,
) -> None:
    """Wrong type, empty, too big (checked before download), unreadable: nothing changes."""
    before = snapshot(newsroom_dir)
    articles = newsroom_engine.articles()
    result = await upload(emu, world, filename, data)
    reply = await result.reply()
    assert result.ephemeral
    assert reply.content.startswith("Nothing changed: ")
    assert reason in reply.content
    assert bool(emu.cdn_downloads) is downloaded
    assert snapshot(newsroom_dir) == before
    assert newsroom_engine.articles() == articles


async def test_non_admins_cannot_upload_or_remove(
    emu: DiscordEmulator, world: World, newsroom_bot: QuoteBot, newsroom_dir: Path
) -> None:
    """Hidden from members by Discord; opened up by a server, still refused by the bot;
    the file is never downloaded."""
    before = snapshot(newsroom_dir)
    assert not (await upload(emu, world, "ashby-flood.md", FLOOD, world.reader)).delivered
    emu.allow_command_for_everyone(world.guild_id, "reindex")
    emu.allow_command_for_everyone(world.guild_id, "remove")
    refused = await upload(emu, world, "ashby-flood.md", FLOOD, world.reader)
    assert (await refused.reply()).content == REFUSED.format("reindex")
    removed = await emu.invoke_slash(
        "remove", {"article": "cedar-gap-fire.md"}, user_id=world.reader.id, guild_id=world.guild_id
    )
    assert (await removed.reply()).content == REFUSED.format("remove")
    in_dm = await emu.invoke_slash(
        "remove", {"article": "cedar-gap-fire.md"}, user_id=world.admin.id
    )
    assert (await in_dm.reply()).content == REFUSED.format("remove")
    assert emu.cdn_downloads == []
    assert snapshot(newsroom_dir) == before


async def test_admin_removes_an_article_but_not_the_last(
    emu: DiscordEmulator,
    world: World,
    newsroom_bot: QuoteBot,
    newsroom_engine: Any,
    newsroom_dir: Path,
) -> None:
    """/remove drops one of the server's articles; an unknown or default article changes
    nothing (the last default article is the owners' to keep: test_e2e_collections.py)."""
    await (await upload(emu, world, "ashby-flood.md", FLOOD)).reply()

    async def remove(article: str) -> str:
        result = await emu.invoke_slash(
            "remove", {"article": article}, user_id=world.admin.id, guild_id=world.guild_id
        )
        reply = await result.reply()
        assert result.ephemeral
        return reply.content

    choices = await (
        await emu.invoke_autocomplete(
            "remove", "article", "ash", user_id=world.admin.id, guild_id=world.guild_id
        )
    ).choices()
    assert choices[0]["value"] == "ashby-flood.md"

    defaults = snapshot(newsroom_dir)
    assert "No article called 'nope.txt'" in await remove("nope.txt")
    refused = await remove("cedar-gap-fire.md")
    assert refused.startswith("Nothing changed: 'cedar-gap-fire.md' is a default article")
    assert (await remove("ashby-flood.md")).startswith("Removed 'ashby-flood.md'")
    assert [a.id for a in served(newsroom_bot, world).articles()] == sorted(defaults)
    assert snapshot(own(newsroom_bot, world)) == {}
    assert snapshot(newsroom_dir) == defaults


async def test_an_html_upload_is_stored_as_markdown(
    emu: DiscordEmulator,
    world: World,
    newsroom_bot: QuoteBot,
    newsroom_engine: Any,
    newsroom_dir: Path,
) -> None:
    """An .html article is converted by the engine and indexed (stored as <stem>.md)."""
    html = (
        "<html><head><title>Flood barriers hold in Ashby</title></head><body><article>"
        "<h1>Flood barriers hold in Ashby</h1>"
        "<p>The River Lune peaked at 5.2 metres on Sunday, the Environment Agency said.</p>"
        "<p>“The barriers did exactly what they were built to do,” said Priya Nandakumar, the "
        "agency’s area manager.</p></article></body></html>"
    ).encode()
    result = await upload(emu, world, "ashby.html", html)
    assert "reindexed: 3 article(s)" in (await result.reply()).content
    assert "ashby.md" in snapshot(own(newsroom_bot, world))
