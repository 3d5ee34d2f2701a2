"""Unit tests for the emulator's pure logic: Discord limits, mention rules, ids (no network)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .state import SnowflakeGenerator, shard_of
from .validation import (
    ApiError,
    MentionDecision,
    resolve_allowed_mentions,
    scan_mentions,
    validate_command_list,
    validate_message_body,
)

USER = 123456789012345678
OTHER = 223456789012345678
ROLE = 323456789012345678


def _codes(error: ApiError | None) -> str:
    assert error is not None
    return repr(error.errors)


def _button(custom_id: str) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "b", "custom_id": custom_id}


@pytest.mark.parametrize(
    ("body", "path_fragment"),
    [
        ({"content": "x" * 2001}, "'content'"),
        ({"embeds": [{"description": "x"}] * 11}, "'embeds'"),
        ({"embeds": [{"title": "x" * 257}]}, "'title'"),
        ({"embeds": [{"description": "x" * 4097}]}, "'description'"),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "'fields'"),
        ({"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]}, "'name'"),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "'value'"),
        ({"embeds": [{"fields": [{"name": "n", "value": ""}]}]}, "BASE_TYPE_REQUIRED"),
        ({"embeds": [{"footer": {"text": "x" * 2049}}]}, "'footer'"),
        ({"embeds": [{"author": {"name": "x" * 257}}]}, "'author'"),
        (
            {"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]},
            "MAX_EMBED_SIZE_EXCEEDED",
        ),
        (
            {"components": [{"type": 1, "components": [_button(f"b{i}")]} for i in range(6)]},
            "'components'",
        ),
        (
            {"components": [{"type": 1, "components": [_button("same"), _button("same")]}]},
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        ),
        (
            {"content": "x", "allowed_mentions": {"parse": ["users"], "users": [str(USER)]}},
            "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
        ),
    ],
)
def test_message_limits_give_invalid_form_body(body: dict[str, Any], path_fragment: str) -> None:
    """Each Discord limit produces 400/50035 naming the offending field."""
    error = validate_message_body(body)
    assert error is not None
    assert (error.status, error.code, error.violation) == (400, 50035, "invalid_form_body")
    assert path_fragment in _codes(error)


def test_limits_are_inclusive() -> None:
    """Values exactly at the limits are accepted."""
    body = {
        "content": "x" * 2000,
        "embeds": [{"title": "t" * 256, "description": "d" * 4096, "footer": {"text": "f" * 1000}}],
        "components": [{"type": 1, "components": [_button(f"r{i}")]} for i in range(5)],
    }
    assert validate_message_body(body) is None


def test_empty_message_is_50006() -> None:
    """No content, embeds, components or files is Discord's 'Cannot send an empty message'."""
    error = validate_message_body({"content": ""})
    assert error is not None
    assert (error.code, error.violation) == (50006, "empty_message")
    assert validate_message_body({"content": ""}, file_count=1) is None


def test_edit_keeps_existing_fields_when_checking_emptiness() -> None:
    """An edit that only touches components is fine when the message has content."""
    current = {"content": "hello", "embeds": []}
    assert validate_message_body({"components": []}, is_edit=True, current=current) is None
    error = validate_message_body({"content": ""}, is_edit=True, current=current)
    assert error is not None
    assert error.code == 50006


def test_ephemeral_flag_only_for_interactions() -> None:
    """EPHEMERAL on a channel message is flagged; interaction responses may use it."""
    body = {"content": "x", "flags": 64}
    assert validate_message_body(body) is not None
    assert validate_message_body(body, allow_ephemeral=True) is None


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ({"name": "Ask", "description": "d"}, "APPLICATION_COMMAND_INVALID_NAME"),
        ({"name": "ask", "description": ""}, "BASE_TYPE_BAD_LENGTH"),
        ({"name": "ask", "description": "d" * 101}, "BASE_TYPE_BAD_LENGTH"),
        ({"name": "x" * 33, "description": "d"}, "APPLICATION_COMMAND_INVALID_NAME"),
        (
            {
                "name": "ask",
                "description": "d",
                "options": [
                    {"type": 3, "name": "a", "description": "d", "required": False},
                    {"type": 3, "name": "b", "description": "d", "required": True},
                ],
            },
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        ),
        (
            {
                "name": "ask",
                "description": "d",
                "options": [
                    {
                        "type": 3,
                        "name": "a",
                        "description": "d",
                        "autocomplete": True,
                        "choices": [{"name": "x", "value": "x"}],
                    }
                ],
            },
            "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
        ),
        ({"name": "Quote", "type": 3, "description": "no"}, "CONTEXT_MENU_DESCRIPTION"),
    ],
)
def test_command_validation(command: dict[str, Any], code: str) -> None:
    """Malformed commands are rejected with Discord-like error codes."""
    error = validate_command_list([command])
    assert error is not None
    assert error.violation == "invalid_command"
    assert code in _codes(error)


def test_duplicate_command_names_rejected() -> None:
    """Two chat commands with one name are rejected; a chat and a message command may share."""
    chat = {"name": "quote", "description": "d"}
    assert validate_command_list([chat, chat]) is not None
    assert validate_command_list([chat, {"name": "quote", "type": 3}]) is None


def test_scan_mentions() -> None:
    """User (incl. nickname form), role, @everyone and @here mentions are found."""
    scan = scan_mentions(f"<@{USER}> <@!{OTHER}> <@&{ROLE}> @here")
    assert scan.users == (USER, OTHER)
    assert scan.roles == (ROLE,)
    assert scan.here
    assert not scan.everyone


def _decide(content: str, am: dict[str, Any] | None, **kw: Any) -> MentionDecision:
    options = {"can_mention_everyone": False, "mentionable_roles": (), "is_reply": False}
    options.update(kw)
    return resolve_allowed_mentions(scan_mentions(content), am, **options)


def test_default_allowed_mentions_parse_everything_permitted() -> None:
    """No allowed_mentions: users ping, roles only if mentionable, @everyone needs the perm."""
    text = f"<@{USER}> <@&{ROLE}> @everyone"
    decision = _decide(text, None)
    assert decision.users == {USER}
    assert decision.roles == frozenset()
    assert not decision.everyone
    decision = _decide(text, None, can_mention_everyone=True)
    assert decision.roles == {ROLE}
    assert decision.everyone


def test_allowed_mentions_lists_and_replied_user() -> None:
    """Explicit user lists restrict pings; replied_user defaults to false when given."""
    text = f"<@{USER}> <@{OTHER}>"
    decision = _decide(text, {"users": [str(OTHER)]}, is_reply=True)
    assert decision.users == {OTHER}
    assert not decision.replied_user
    assert _decide(text, None, is_reply=True).replied_user
    assert _decide(text, {"parse": [], "replied_user": True}, is_reply=True).replied_user


@given(st.text(max_size=200), st.booleans(), st.booleans())
def test_parse_none_never_pings(content: str, everyone_perm: bool, reply: bool) -> None:
    """With allowed_mentions {"parse": []} nothing in any content pings."""
    text = f"{content} <@{USER}> <@&{ROLE}> @everyone"
    decision = _decide(
        text,
        {"parse": []},
        can_mention_everyone=everyone_perm,
        mentionable_roles=[ROLE],
        is_reply=reply,
    )
    assert not decision.users
    assert not decision.roles
    assert not decision.everyone
    assert not decision.replied_user


def test_snowflakes_for_shard_are_unique_and_routed() -> None:
    """Ids made for a shard land on it, stay increasing and never collide."""
    ids = SnowflakeGenerator()
    made = [ids.for_shard(i % 3, 3) for i in range(12)]
    assert made == sorted(set(made))
    assert [shard_of(x, 3) for x in made] == [i % 3 for i in range(12)]
    assert ids.next() > made[-1]
