"""End to end: /add url: against a local HTTP server, through the emulator.

The page's main text becomes the server's article, its link is shown in /about and above
answers quoting it, and another server never sees it. A refused link (a private address
without ``FETCH_ALLOW_PRIVATE``, a PDF) is one ephemeral line and adds nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botkit import World, bot_settings, running_bot
from emulator import DiscordEmulator

pytestmark = pytest.mark.e2e

PAGE = (
    "<html><head><title>Orrin Island ferry resumes</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Orrin Island ferry resumes</h1>"
    "<p>The ferry to Orrin Island will resume on Monday after the new pier passed its "
    "last inspection, harbour master Lena Voss said on Friday.</p>"
    "<p>“The new pier is finally safe, and the crews are ready to sail,” Voss told "
    "reporters at the terminal, where the first timetable was posted.</p>"
    "<p>Islanders had relied on a single water taxi for three months while the old pier "
    "was demolished and rebuilt with a grant from the regional council.</p>"
    "</article><footer>© Orrin Gazette</footer></body></html>"
).encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body, ctype = {
            "/ferry": (PAGE, "text/html; charset=utf-8"),
            "/report.pdf": (b"%PDF-1.7 ...", "application/pdf"),
        }.get(self.path, (b"not found", "text/plain"))
        self.send_response(200 if body != b"not found" else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def reply_text(emu: DiscordEmulator, name: str, options: dict, user: int, guild: int):
    result = await emu.invoke_slash(name, options, user_id=user, guild_id=guild)
    reply = await result.reply()
    return result, " ".join([reply.content, *(str(e) for e in reply.embeds)])


async def test_an_article_added_by_link_is_quoted_with_its_source(
    emu: DiscordEmulator, world: World, newsroom_engine: Any, site: str, tmp_path: Path
) -> None:
    other = emu.add_guild("Other newsroom")
    emu.add_member(other.id, world.reader.id)
    settings = bot_settings(fetch_allow_private=True, collections_dir=tmp_path / "collections")
    async with running_bot(emu, newsroom_engine, settings):
        url = f"{site}/ferry"
        result, text = await reply_text(emu, "add", {"url": url}, world.admin.id, world.guild_id)
        assert result.ephemeral
        assert text.startswith("Added '"), text

        question = {"question": "When will the Orrin Island ferry resume?"}
        _, answer = await reply_text(emu, "ask", question, world.reader.id, world.guild_id)
        assert "will resume on Monday" in answer
        assert f"Source: [127.0.0.1]({url})" in answer
        _, about = await reply_text(emu, "about", {}, world.reader.id, world.guild_id)
        assert f"this server's · from [127.0.0.1]({url})" in about

        _, elsewhere = await reply_text(emu, "ask", question, world.reader.id, other.id)
        assert "will resume on Monday" not in elsewhere
        assert "Source:" not in elsewhere

        _, pdf = await reply_text(
            emu, "add", {"url": f"{site}/report.pdf"}, world.admin.id, world.guild_id
        )
        assert "PDF" in pdf, pdf
        own = tmp_path / "collections" / str(world.guild_id) / "articles"
        files = sorted(p.name for p in own.iterdir() if not p.name.startswith("."))
        assert len(files) == 1  # the ferry page only: the PDF added nothing


async def test_a_private_address_is_refused_and_nothing_is_added(
    emu: DiscordEmulator, world: World, newsroom_engine: Any, site: str, tmp_path: Path
) -> None:
    collections = tmp_path / "collections"
    settings = bot_settings(collections_dir=collections)  # FETCH_ALLOW_PRIVATE off
    async with running_bot(emu, newsroom_engine, settings):
        result, text = await reply_text(
            emu, "add", {"url": f"{site}/ferry"}, world.admin.id, world.guild_id
        )
        assert result.ephemeral
        assert "the link points to a private or local network address" in text, text
        assert "\n" not in text.strip()
        assert not (collections / str(world.guild_id)).exists()
