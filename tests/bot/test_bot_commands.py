"""Unit tests: the admin check, command definitions and the tree's error handler."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from botkit import bot_settings
from discord import app_commands

from bot.client import UNEXPECTED, QuoteBot
from bot.commands import NotAdmin, admin_check, is_admin, one_line
from bot.ratelimit import Busy
from index.errors import ArticleError, InvalidQuestion, ReindexInProgress

ADMIN = discord.Permissions(administrator=True)
MEMBER = discord.Permissions(send_messages=True, manage_messages=True)
NONE = discord.Permissions.none()


@pytest.mark.parametrize(
    ("user_id", "in_guild", "permissions", "admin_ids", "allowed"),
    [
        (1, True, ADMIN, set(), True),  # server administrator
        (1, True, MEMBER, set(), False),  # ordinary member
        (1, True, MEMBER, {1}, True),  # listed in ADMIN_USER_IDS
        (1, False, NONE, set(), False),  # DM, not listed
        (1, False, ADMIN, set(), False),  # DM: server permissions never count
        (1, False, NONE, {1}, True),  # DM, listed
        (2, False, NONE, {1}, False),  # DM, someone else listed
    ],
)
def test_is_admin(
    user_id: int,
    in_guild: bool,
    permissions: discord.Permissions,
    admin_ids: set[int],
    allowed: bool,
) -> None:
    assert (
        is_admin(user_id, in_guild=in_guild, permissions=permissions, admin_ids=admin_ids)
        is allowed
    )


def fake_interaction(
    *,
    user_id: int = 10,
    guild_id: int | None = 99,
    permissions: discord.Permissions = MEMBER,
    admin_ids: frozenset[int] = frozenset(),
    done: bool = False,
) -> Any:
    sent: list[tuple[str, str, dict[str, Any]]] = []

    async def send_message(content: str, **kwargs: Any) -> None:
        sent.append(("response", content, kwargs))

    async def followup_send(content: str, **kwargs: Any) -> None:
        sent.append(("followup", content, kwargs))

    return SimpleNamespace(
        client=SimpleNamespace(settings=bot_settings(admin_user_ids=admin_ids)),
        user=SimpleNamespace(id=user_id),
        guild_id=guild_id,
        permissions=permissions,
        command=SimpleNamespace(name="reindex"),
        response=SimpleNamespace(is_done=lambda: done, send_message=send_message),
        followup=SimpleNamespace(send=followup_send),
        sent=sent,
    )


def test_admin_check_allows_admins_and_listed_users() -> None:
    assert admin_check(fake_interaction(permissions=ADMIN))
    assert admin_check(fake_interaction(guild_id=None, admin_ids=frozenset({10})))


def test_admin_check_refuses_others() -> None:
    with pytest.raises(NotAdmin, match="Only server administrators"):
        admin_check(fake_interaction())
    with pytest.raises(NotAdmin):
        admin_check(fake_interaction(guild_id=None, permissions=ADMIN))


def test_one_line() -> None:
    assert one_line("bad.txt:\n  the file\tis empty\n") == "bad.txt: the file is empty"
    assert len(one_line("x" * 5000)) == 1900


# ---------------------------------------------------------------- command definitions
@pytest.fixture
def quote_bot() -> QuoteBot:
    engine = SimpleNamespace(ready=True, reindexing=False, config=SimpleNamespace(top_k=3))
    return QuoteBot(engine, bot_settings())  # type: ignore[arg-type]


def test_commands_are_defined_with_the_right_shape(quote_bot: QuoteBot) -> None:
    commands = {c.name: c for c in quote_bot.tree.get_commands()}
    assert set(commands) == {
        *("ask", "about", "help", "reindex", "speakers", "quotes", "stats", "remove"),
        "Ask the article",
    }
    ask = commands["ask"].to_dict(quote_bot.tree)
    question, private, article = ask["options"]
    assert (question["min_length"], question["max_length"], question["required"]) == (1, 300, True)
    assert private["type"] == discord.AppCommandOptionType.boolean.value
    assert private["required"] is False
    assert (article["required"], article["autocomplete"]) == (False, True)
    for name in ("reindex", "stats", "remove"):
        admin_only = commands[name]
        assert admin_only.default_permissions == discord.Permissions(administrator=True)
        assert admin_check in admin_only.checks
    for name in ("about", "speakers", "quotes", "Ask the article"):
        assert commands[name].default_permissions is None
    menu = commands["Ask the article"].to_dict(quote_bot.tree)
    assert menu["type"] == discord.AppCommandType.message.value
    reindex = commands["reindex"].to_dict(quote_bot.tree)
    (upload,) = reindex["options"]
    assert (upload["type"], upload["required"]) == (11, False)


def test_client_defaults_never_ping_and_need_no_privileged_intent(quote_bot: QuoteBot) -> None:
    mentions = quote_bot.allowed_mentions
    assert mentions is not None
    assert mentions.to_dict() == discord.AllowedMentions.none().to_dict()
    intents = quote_bot.intents
    assert not intents.message_content
    assert not intents.members
    assert not intents.presences
    assert intents.dm_messages
    assert intents.guild_messages
    assert quote_bot.tree.on_error == quote_bot.on_app_command_error


# ---------------------------------------------------------------- error handler
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
    quote_bot: QuoteBot, error: Exception, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    for done, channel in ((False, "response"), (True, "followup")):
        interaction = fake_interaction(done=done)
        wrapped = app_commands.CommandInvokeError(app_commands_command(), error)
        await quote_bot.on_app_command_error(interaction, wrapped)
        ((where, content, kwargs),) = interaction.sent
        assert where == channel
        assert content.startswith(expected)
        assert kwargs["ephemeral"] is True
        assert kwargs["allowed_mentions"].to_dict()["parse"] == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_check_failure_is_reported(quote_bot: QuoteBot) -> None:
    interaction = fake_interaction()
    await quote_bot.on_app_command_error(interaction, NotAdmin())
    assert interaction.sent[0][1].startswith("Only server administrators")
    interaction = fake_interaction()
    await quote_bot.on_app_command_error(interaction, app_commands.NoPrivateMessage())
    assert interaction.sent[0][1] == "You can't use this command here."


async def test_bad_option_values_are_reported(quote_bot: QuoteBot) -> None:
    interaction = fake_interaction()
    error = app_commands.TransformerError(
        "x" * 400, discord.AppCommandOptionType.string, app_commands.Range[str, 1, 300]
    )
    await quote_bot.on_app_command_error(interaction, error)
    assert interaction.sent[0][1] == "That value is not valid for this command; see /help."


async def test_unexpected_errors_are_logged_with_traceback(
    quote_bot: QuoteBot, caplog: pytest.LogCaptureFixture
) -> None:
    interaction = fake_interaction(done=True)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as exc:
        error = app_commands.CommandInvokeError(app_commands_command(), exc)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        await quote_bot.on_app_command_error(interaction, error)
    assert interaction.sent == [("followup", UNEXPECTED, interaction.sent[0][2])]
    (record,) = [r for r in caplog.records if r.name == "bot.client"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


async def test_a_failing_error_reply_is_only_logged(
    quote_bot: QuoteBot, caplog: pytest.LogCaptureFixture
) -> None:
    interaction = fake_interaction()

    async def expired(content: str, **kwargs: Any) -> None:
        raise discord.NotFound(
            SimpleNamespace(status=404, reason="Not Found"), "Unknown interaction"
        )

    interaction.response.send_message = expired
    await quote_bot.on_app_command_error(interaction, NotAdmin())  # does not raise
    assert "could not report an error" in caplog.text


def app_commands_command() -> Any:
    async def callback(interaction: discord.Interaction) -> None:
        """Test."""

    return app_commands.Command(name="test", description="test", callback=callback)
