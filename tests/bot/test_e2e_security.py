"""End to end: the token stays secret and admin checks hold on every path.

- The bot runs through ``run_bot`` (the production runner, in a thread) with an engine
  that fails with the token in its error: the logs (tracebacks included) and everything
  the emulator received (messages, embeds, request bodies) are scanned for it.
- /reindex: an admin of one server is nobody in another; Manage Server is not
  Administrator; permission overrides let Discord deliver the command but the bot still
  refuses; "reindex" typed in a DM or a mention is only a question; the command cannot be
  installed to a user account (where permissions would be those of a foreign server).
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import pytest
from botkit import CountingEngine, EngineProxy, World, bot_settings, running_bot
from emulator import CommandPermission, DiscordEmulator, Perm

from bot import run as run_module
from bot.client import QuoteBot
from bot.render.wording import UNEXPECTED
from index.engine import Engine
from index.models import Answer

pytestmark = [pytest.mark.e2e, pytest.mark.model]

REFUSED = "Only server administrators (or users listed in ADMIN_USER_IDS) can use /reindex."


class LeakyEngine(EngineProxy):
    """The real engine, except that answering fails with the token in the error, as a
    badly behaved library might put a credential in an exception."""

    def __init__(self, inner: Engine, secret: str) -> None:
        super().__init__(inner)
        self.secret = secret

    def ask(self, question: str, article: str | None = None) -> Answer:
        raise RuntimeError(f"backend refused Authorization: Bot {self.secret}")

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        raise RuntimeError(f"backend refused Authorization: Bot {self.secret}")


def everything_the_emulator_received(emu: DiscordEmulator) -> str:
    """Every message (content, embeds, edits) and every request body, as one text."""
    parts = []
    for channel_id in list(emu.channels):
        for message in emu.messages(channel_id, include_deleted=True):
            parts.append(repr(message.payload))
            parts.extend(repr(edit) for edit in message.edits)
    parts.extend(repr(r.body) for r in emu.requests)
    parts.extend(repr(r.path) for r in emu.requests)
    return "\n".join(parts)


async def test_token_never_in_logs_or_replies_even_in_tracebacks(
    emu: DiscordEmulator,
    world: World,
    bot_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = emu.token
    console = io.StringIO()
    handler = logging.StreamHandler(console)  # as configure_logging's console handler
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    started: list[QuoteBot] = []

    class Recorded(QuoteBot):
        def __init__(self, *args: Any, **options: Any) -> None:
            options.setdefault("guild_ready_timeout", 0.05)
            super().__init__(*args, **options)
            started.append(self)

    monkeypatch.setattr(run_module, "QuoteBot", Recorded)
    settings = bot_settings(discord_token=token)
    try:
        with caplog.at_level(logging.DEBUG):
            runner = asyncio.create_task(
                asyncio.to_thread(run_module.run_bot, settings, LeakyEngine(bot_engine, token))
            )
            await emu.wait_until_ready(timeout=30)
            bot = started[0]
            slash = await emu.invoke_slash(
                "ask", {"question": "Who closed the embassy?"}, user_id=world.reader.id,
                guild_id=world.guild_id,
            )  # fmt: skip
            assert (await slash.reply()).content == UNEXPECTED
            dm = await emu.send_dm(world.stranger.id, "Who closed the embassy?")
            (reply,) = await emu.wait_for_messages(dm.channel_id, after=dm)
            assert reply.content == UNEXPECTED

            asyncio.run_coroutine_threadsafe(bot.close(), bot.loop).result(timeout=15)
            assert await asyncio.wait_for(runner, 30) == 0
    finally:
        logging.getLogger().removeHandler(handler)

    logged = caplog.text + console.getvalue()
    assert "backend refused Authorization: Bot [redacted]" in logged  # the traceback is there
    assert caplog.text.count("Traceback") >= 2  # one for /ask, one for the DM
    assert token not in logged
    assert token not in everything_the_emulator_received(emu)
    # the redaction is removed with the bot, not left on the process's handlers
    assert not [f for f in handler.filters if isinstance(f, run_module.RedactToken)]


async def test_admin_of_one_server_is_nobody_in_another(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    """The editor administers Newsroom; in Sports they are a member whom an override lets
    see /reindex. Discord delivers it; the bot refuses: permissions are per server."""
    sports = emu.add_guild("Sports")
    emu.add_member(sports.id, world.admin.id)
    emu.set_command_permissions(sports.id, "reindex", [CommandPermission(world.admin.id, 2, True)])
    engine = CountingEngine(bot_engine)
    async with running_bot(emu, engine, bot_settings()):
        result = await emu.invoke_slash("reindex", user_id=world.admin.id, guild_id=sports.id)
        assert result.delivered
        assert (await result.reply()).content == REFUSED
        assert result.ephemeral
        assert engine.reindex_calls == 0


async def test_manage_server_is_not_administrator(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    moderators = emu.add_role(
        world.guild_id, "moderators", permissions=Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES
    )
    moderator = emu.add_user("moderator")
    emu.add_member(world.guild_id, moderator.id, roles=[moderators.id])
    emu.set_command_permissions(
        world.guild_id, "reindex", [CommandPermission(moderators.id, 1, True)]
    )
    engine = CountingEngine(bot_engine)
    async with running_bot(emu, engine, bot_settings()):
        result = await emu.invoke_slash("reindex", user_id=moderator.id, guild_id=world.guild_id)
        assert result.delivered
        assert (await result.reply()).content == REFUSED
        assert engine.reindex_calls == 0


async def test_listed_user_may_reindex_in_a_server_once_discord_delivers_it(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    """ADMIN_USER_IDS holds anywhere; in a server Discord first hides the command from
    non-administrators (default_member_permissions) unless a server admin overrides it."""
    engine = CountingEngine(bot_engine)
    settings = bot_settings(admin_user_ids=frozenset({world.reader.id}))
    async with running_bot(emu, engine, settings):
        hidden = await emu.invoke_slash("reindex", user_id=world.reader.id, guild_id=world.guild_id)
        assert not hidden.delivered
        emu.set_command_permissions(
            world.guild_id, "reindex", [CommandPermission(world.reader.id, 2, True)]
        )
        result = await emu.invoke_slash("reindex", user_id=world.reader.id, guild_id=world.guild_id)
        assert (await result.reply(timeout=30)).content.startswith("Reindexed 1 article(s)")
        assert engine.reindex_calls == 1


async def test_reindex_typed_as_a_message_is_only_a_question(
    emu: DiscordEmulator, world: World, bot_engine: Engine
) -> None:
    engine = CountingEngine(bot_engine)
    async with running_bot(emu, engine, bot_settings()):
        for text in ("/reindex", "reindex", "!reindex"):
            asked = await emu.send_dm(world.admin.id, text)
            await emu.wait_for_messages(asked.channel_id, after=asked)
        said = await emu.send_channel_message(
            world.channel_id, world.admin.id, "/reindex", mention_bot=True
        )
        await emu.wait_for_messages(world.channel_id, after=said)
        assert engine.reindex_calls == 0


async def test_reindex_cannot_be_installed_to_a_user_account(
    emu: DiscordEmulator, world: World, bot: QuoteBot
) -> None:
    """A user-installed command runs in servers where the bot is not, with that user's
    permissions there; /reindex is registered for server installs only."""
    command = next(c for c in emu.registered_commands() if c["name"] == "reindex")
    assert command.get("integration_types") in (None, [0])
    assert command["default_member_permissions"] == str(Perm.ADMINISTRATOR.value)
