"""Who may change which articles: the one permission model (docs/discord.md has the table).

- The default articles (ARTICLES_DIR) are shared by every server and every DM: only the
  bot's owners (``ADMIN_USER_IDS``) add, replace or remove them, or rebuild everything.
- A server's own articles: that server's administrators (and the owners, in that server)
  add, replace, remove and rebuild them. No one changes another server's articles from a
  server; the bot leaving a server deletes its articles.
- Everyone else is refused with one line saying what is allowed.

Pure functions of a :class:`Caller`, decided in the bot, whatever ``default_permissions``
Discord applied; no Discord import, so the table is tested directly.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from index.collections import Owned
from index.errors import NotAllowed

OWNERS_ONLY = (
    "Only the bot's owners (ADMIN_USER_IDS) can change the default articles every server "
    "shares; a server's administrators add and remove that server's own articles."
)
DM_OWNERS_ONLY = (
    "In a DM only the bot's owners can change articles (the defaults); to add one for a "
    "server, use the command in that server."
)
ADMINS_ONLY = (
    "Only this server's administrators (or the bot's owners) can change this server's articles."
)


def other_server(article: str) -> str:
    return f"'{article[:100]}' is not one of this server's articles; you can change only those."


@dataclass(frozen=True, slots=True)
class Caller:
    """Who runs an admin command, and where."""

    user_id: int
    guild_id: int | None  # None: a DM
    server_admin: bool  # the Administrator permission in this server
    owner: bool  # listed in ADMIN_USER_IDS

    @classmethod
    def of(
        cls, user_id: int, guild_id: int | None, administrator: bool, owners: Collection[int]
    ) -> Caller:
        return cls(user_id, guild_id, guild_id is not None and administrator, user_id in owners)

    @property
    def may_administer(self) -> bool:
        """May run admin commands at all (its own server's, or as an owner)."""
        return self.owner or self.server_admin


def add_target(caller: Caller, *, shared: bool) -> int | None:
    """The collection an add goes to (None: the defaults), or ``NotAllowed``."""
    if caller.guild_id is None:
        if not caller.owner:
            raise NotAllowed(DM_OWNERS_ONLY)
        return None
    if shared:
        if not caller.owner:
            raise NotAllowed(OWNERS_ONLY)
        return None
    if not caller.may_administer:
        raise NotAllowed(ADMINS_ONLY)
    return caller.guild_id


def check_remove(caller: Caller, owned: Owned) -> None:
    """``NotAllowed`` unless ``caller`` may remove ``owned`` (the article as its server sees it)."""
    if owned.guild_id is None:
        if not caller.owner:
            raise NotAllowed(
                f"'{owned.article.id[:100]}' is a default article, shared by every server. "
                + OWNERS_ONLY
            )
        return
    if caller.owner and caller.guild_id is None:
        return  # the owners, from a DM, may remove any server's article
    if owned.guild_id != caller.guild_id:
        raise NotAllowed(other_server(owned.article.id))
    if not caller.may_administer:
        raise NotAllowed(ADMINS_ONLY)


def rebuild_scope(caller: Caller) -> str:
    """What /reindex without a file rebuilds: "all" (owners), "server" (its admins)."""
    if caller.owner:
        return "all"
    if caller.guild_id is None:
        raise NotAllowed(DM_OWNERS_ONLY)
    if not caller.server_admin:
        raise NotAllowed(ADMINS_ONLY)
    return "server"
