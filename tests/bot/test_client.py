"""bot/client.py without a Discord connection: the cogs and their commands, the client's
defaults, sharding settings, the INDEX_DIR watcher and the tree's one error handler."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from botkit import FakeInteraction, StubEngine, bot_settings
from discord import app_commands

from bot.client import COGS, QuoteBot
from bot.cogs.admin import AdminCog, NotAdmin
from bot.cogs.ask import AskCog
from bot.ratelimit import Busy
from bot.render.wording import BAD_VALUE, NOT_HERE, UNEXPECTED
from bot.settings import Settings
from index.errors import ArticleError, InvalidQuestion, ReindexInProgress


def make_bot(engine: StubEngine | None = None, **settings: Any) -> QuoteBot:
    return QuoteBot(engine or StubEngine(), bot_settings(**settings))


@pytest.fixture
async def quote_bot() -> AsyncIterator[QuoteBot]:
    """A client with its cogs added (what setup_hook does), never connected."""
    bot = make_bot()
    await bot.add_cogs()
    yield bot
    bot.ctx.close()


# ---------------------------------------------------------------- cogs and commands
async def test_commands_are_defined_with_the_right_shape(quote_bot: QuoteBot) -> None:
    commands = {c.name: c for c in quote_bot.tree.get_commands()}
    assert set(commands) == {
        *("ask", "about", "help", "reindex", "add", "speakers", "quotes", "stats", "remove"),
        "Ask the article",
    }
    ask = commands["ask"].to_dict(quote_bot.tree)
    question, private, article = ask["options"]
    assert (question["min_length"], question["max_length"], question["required"]) == (1, 300, True)
    assert private["type"] == discord.AppCommandOptionType.boolean.value
    assert private["required"] is False
    assert (article["required"], article["autocomplete"]) == (False, True)
    for name in ("reindex", "add", "stats", "remove"):
        admin_only = commands[name]
        assert isinstance(admin_only, app_commands.Command)
        assert admin_only.default_permissions == discord.Permissions(administrator=True)
        assert isinstance(admin_only.binding, AdminCog)  # its interaction_check refuses others
    for name in ("about", "speakers", "quotes", "Ask the article"):
        assert commands[name].default_permissions is None
    menu = commands["Ask the article"].to_dict(quote_bot.tree)
    assert menu["type"] == discord.AppCommandType.message.value
    reindex = commands["reindex"].to_dict(quote_bot.tree)
    upload, shared = reindex["options"]
    assert (upload["type"], upload["required"]) == (11, False)
    assert (shared["type"], shared["required"]) == (5, False)  # to the defaults: owners only
    url, shared = commands["add"].to_dict(quote_bot.tree)["options"]
    assert (url["type"], url["required"], url["max_length"]) == (3, True, 2000)


async def test_every_cog_shares_the_clients_context(quote_bot: QuoteBot) -> None:
    assert [type(cog) for cog in quote_bot.cogs.values()] == list(COGS)
    assert all(cog.ctx is quote_bot.ctx for cog in quote_bot.cogs.values())


async def test_removing_the_ask_cog_removes_its_context_menu(quote_bot: QuoteBot) -> None:
    await quote_bot.remove_cog(AskCog.__cog_name__)
    names = {c.name for c in quote_bot.tree.get_commands()}
    assert not names & {"ask", "Ask the article"}
    assert "about" in names


def test_client_defaults_never_ping_and_need_no_privileged_intent() -> None:
    bot = make_bot()
    mentions = bot.allowed_mentions
    assert mentions is not None
    assert mentions.to_dict() == discord.AllowedMentions.none().to_dict()
    intents = bot.intents
    assert not intents.message_content
    assert not intents.members
    assert not intents.presences
    assert intents.dm_messages
    assert intents.guild_messages
    assert bot.tree.on_error == bot.on_app_command_error
    assert bot.help_command is None  # no prefix commands at all
    assert bot.ctx.top_k == 3


# ---------------------------------------------------------------- sharding, INDEX_DIR watch
class WatchedEngine(StubEngine):
    """An engine whose refresh fails once, then counts calls (and says when it was called)."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshes = 0
        self.thread_names: list[str] = []
        self.called_twice = threading.Event()

    def refresh(self) -> bool:
        self.refreshes += 1
        self.thread_names.append(threading.current_thread().name)
        if self.refreshes == 1:
            raise RuntimeError("disk on fire")
        self.called_twice.set()
        return False


@pytest.mark.parametrize(
    ("settings", "count", "ids"),
    [
        ({}, None, None),
        ({"shard_count": 4}, 4, None),
        ({"shard_count": 4, "shard_ids": (1, 3)}, 4, [1, 3]),
    ],
)
def test_shard_settings_reach_the_client(settings: dict[str, Any], count, ids) -> None:
    """SHARD_COUNT / SHARD_IDS become the AutoShardedBot's shard_count / shard_ids."""
    bot = make_bot(**settings)
    assert bot.shard_count == count
    assert bot.shard_ids == ids


@pytest.mark.parametrize(("shard_ids", "syncs"), [(None, True), ((0, 2), True), ((1,), False)])
def test_only_the_process_serving_shard_zero_syncs(shard_ids, syncs: bool) -> None:
    settings = Settings(shard_count=3 if shard_ids else None, shard_ids=shard_ids)
    assert settings.syncs_commands is syncs


async def test_watcher_calls_refresh_off_the_loop_and_survives_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The watcher runs refresh in a worker thread, logs an error and keeps watching."""
    engine = WatchedEngine()
    bot = make_bot(engine, index_watch_seconds=0.01)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        bot.start_index_watch()
        assert await asyncio.to_thread(engine.called_twice.wait, 10)
        await bot.stop_index_watch()
    assert "unexpected error checking INDEX_DIR" in caplog.text
    assert threading.main_thread().name not in engine.thread_names
    calls = engine.refreshes
    await asyncio.sleep(0.05)
    assert engine.refreshes == calls  # stopped


async def test_watcher_off_with_zero_seconds() -> None:
    """INDEX_WATCH_SECONDS=0 starts no watcher."""
    bot = make_bot(WatchedEngine(), index_watch_seconds=0)
    bot.start_index_watch()
    assert bot._index_watch is None


# ---------------------------------------------------------------- the tree's error handler
def failed(error: Exception) -> app_commands.CommandInvokeError:
    async def callback(interaction: discord.Interaction) -> None:
        """Test."""

    command = app_commands.Command(name="test", description="test", callback=callback)
    return app_commands.CommandInvokeError(command, error)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InvalidQuestion("Please ask a question: it was empty."), "Please ask a question"),
        (ReindexInProgress("A reindex is already running."), "A reindex is already running."),
        (ArticleError("bad.txt", "the file is empty"), "bad.txt: the file is empty"),
        (Busy("You already have 3 questions waiting"), "You already have 3"),
    ],
)
async def test_domain_errors_become_short_ephemeral_messages(
    error: Exception, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot = make_bot()
    for answered, channel in ((False, "response"), (True, "followup")):
        interaction = FakeInteraction(bot, answered=answered)
        await bot.on_app_command_error(interaction, failed(error))
        ((where, content, kwargs),) = interaction.sent
        assert where == channel
        assert (content or "").startswith(expected)
        assert kwargs["ephemeral"] is True
        assert kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_check_failures_and_bad_values_are_reported() -> None:
    bot = make_bot()
    replies = []
    bad_value = app_commands.TransformerError(
        "x" * 400, discord.AppCommandOptionType.string, app_commands.Range[str, 1, 300]
    )
    for error in (NotAdmin(), app_commands.NoPrivateMessage(), bad_value):
        interaction = FakeInteraction(bot)
        await bot.on_app_command_error(interaction, error)
        replies += interaction.replies()
    assert replies[0].startswith("Only server administrators")
    assert replies[1:] == [NOT_HERE, BAD_VALUE]


async def test_unexpected_errors_are_logged_with_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = make_bot()
    interaction = FakeInteraction(bot, answered=True)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as exc:
        error = failed(exc)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        await bot.on_app_command_error(interaction, error)
    assert interaction.sent == [("followup", UNEXPECTED, interaction.sent[0][2])]
    (record,) = [r for r in caplog.records if r.name == "bot.client"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


async def test_a_failing_error_reply_is_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    bot = make_bot()
    interaction = FakeInteraction(bot)

    async def expired(*args: Any, **kwargs: Any) -> None:
        raise discord.NotFound(FakeResponse(404, "Not Found"), "Unknown interaction")

    interaction.response.send_message = expired
    await bot.on_app_command_error(interaction, NotAdmin())  # does not raise
    assert "could not report an error" in caplog.text


class FakeResponse:
    """What discord.HTTPException reads from an aiohttp response."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
