"""The permission model (bot/permissions.py), row by row: who may change which articles."""

from __future__ import annotations

import pytest

from bot.permissions import Caller, add_target, check_remove, rebuild_scope
from index.collections import Owned
from index.errors import NotAllowed
from index.models import ArticleSummary

HERE, THERE = 100, 200
MEMBER = Caller(1, HERE, server_admin=False, owner=False)
ADMIN = Caller(2, HERE, server_admin=True, owner=False)
OWNER = Caller(3, HERE, server_admin=False, owner=True)
OWNER_DM = Caller(3, None, server_admin=False, owner=True)
ADMIN_DM = Caller(2, None, server_admin=False, owner=False)


def article(guild: int | None) -> Owned:
    return Owned(ArticleSummary("a.txt", "A", 1, 1), guild)


@pytest.mark.parametrize(
    ("caller", "shared", "target"),
    [
        (ADMIN, False, HERE),  # a server's admin adds to that server
        (OWNER, False, HERE),  # an owner in a server too, unless shared
        (OWNER, True, None),  # ... or to the defaults
        (OWNER_DM, False, None),  # in a DM, an owner changes the defaults
        (OWNER_DM, True, None),
    ],
)
def test_who_adds_where(caller: Caller, shared: bool, target: int | None) -> None:
    assert add_target(caller, shared=shared) == target


@pytest.mark.parametrize(
    ("caller", "shared", "message"),
    [
        (MEMBER, False, "Only this server's administrators"),
        (ADMIN, True, "Only the bot's owners"),
        (ADMIN_DM, False, "In a DM only the bot's owners"),
    ],
)
def test_who_may_not_add(caller: Caller, shared: bool, message: str) -> None:
    with pytest.raises(NotAllowed, match=message):
        add_target(caller, shared=shared)


@pytest.mark.parametrize(
    ("caller", "owned", "allowed"),
    [
        (ADMIN, article(HERE), True),
        (OWNER, article(HERE), True),
        (MEMBER, article(HERE), False),
        (ADMIN, article(None), False),  # a default article
        (OWNER, article(None), True),
        (OWNER_DM, article(None), True),
        (ADMIN, article(THERE), False),  # another server's
        (OWNER, article(THERE), False),  # not from inside another server
        (OWNER_DM, article(THERE), True),  # the owners, from a DM
    ],
)
def test_who_removes_what(caller: Caller, owned: Owned, allowed: bool) -> None:
    if allowed:
        check_remove(caller, owned)
    else:
        with pytest.raises(NotAllowed) as refused:
            check_remove(caller, owned)
        assert "\n" not in refused.value.message


@pytest.mark.parametrize(
    ("caller", "scope"),
    [(ADMIN, "server"), (OWNER, "all"), (OWNER_DM, "all")],
)
def test_what_reindex_rebuilds(caller: Caller, scope: str) -> None:
    assert rebuild_scope(caller) == scope


@pytest.mark.parametrize("caller", [MEMBER, ADMIN_DM])
def test_who_may_not_rebuild(caller: Caller) -> None:
    with pytest.raises(NotAllowed):
        rebuild_scope(caller)


def test_a_caller_from_discord_values() -> None:
    assert Caller.of(5, None, True, {9}) == Caller(5, None, server_admin=False, owner=False)
    assert Caller.of(9, HERE, False, {9}).may_administer
