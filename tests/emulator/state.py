"""In-memory world model of the Discord emulator: ids, users, guilds, channels, messages.

Everything here is plain data plus the serialisers that turn it into Discord API v10
payloads. Nothing in this module does I/O.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

DISCORD_EPOCH_MS = 1_420_070_400_000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class Perm(enum.IntFlag):
    """Discord permission bits used by the emulator."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1

#: What @everyone can do in a freshly created guild (close to Discord's defaults).
DEFAULT_EVERYONE_PERMISSIONS = int(
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CHANGE_NICKNAME
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.SEND_MESSAGES_IN_THREADS
)

#: Permissions of the bot's managed role (what a typical invite link would grant).
DEFAULT_BOT_PERMISSIONS = int(
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.SEND_MESSAGES_IN_THREADS
)


class Intent(enum.IntFlag):
    """Gateway intent bits."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MODERATION = 1 << 2
    GUILD_EXPRESSIONS = 1 << 3
    GUILD_INTEGRATIONS = 1 << 4
    GUILD_WEBHOOKS = 1 << 5
    GUILD_INVITES = 1 << 6
    GUILD_VOICE_STATES = 1 << 7
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    GUILD_MESSAGE_TYPING = 1 << 11
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    DIRECT_MESSAGE_TYPING = 1 << 14
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    AUTO_MODERATION_CONFIGURATION = 1 << 20
    AUTO_MODERATION_EXECUTION = 1 << 21
    GUILD_MESSAGE_POLLS = 1 << 24
    DIRECT_MESSAGE_POLLS = 1 << 25


PRIVILEGED_INTENTS = int(Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT)
KNOWN_INTENTS = (1 << 26) - 1


class MessageFlag(enum.IntFlag):
    """Message flag bits."""

    CROSSPOSTED = 1 << 0
    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_VOICE_MESSAGE = 1 << 13
    IS_COMPONENTS_V2 = 1 << 15


class ChannelType(enum.IntEnum):
    """The channel types the emulator models."""

    GUILD_TEXT = 0
    DM = 1


def utcnow_iso() -> str:
    """Return the current time as the ISO-8601 string Discord uses."""
    return dt.datetime.now(dt.UTC).isoformat()


class SnowflakeGenerator:
    """Generates strictly increasing, realistic Discord snowflakes."""

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()

    def next(self) -> int:
        """Return a new snowflake that is larger than every previous one."""
        now = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (now << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate

    def for_shard(self, shard_id: int, shard_count: int) -> int:
        """A new snowflake that Discord would route to ``shard_id`` of ``shard_count``."""
        if not 0 <= shard_id < shard_count:
            raise ValueError("shard_id must be in [0, shard_count)")
        stamp = (self.next() >> 22) + 1
        stamp += (shard_id - stamp) % shard_count
        self._last = stamp << 22
        return self._last


def shard_of(guild_id: int, shard_count: int) -> int:
    """Return the shard that receives events for ``guild_id``."""
    return (guild_id >> 22) % shard_count


@dataclass
class User:
    """A Discord user (the bot itself is one too)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"
    dms_open: bool = True

    def to_payload(self) -> dict[str, Any]:
        """Return the user object."""
        payload: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            payload["bot"] = True
        return payload


@dataclass
class Role:
    """A guild role. The @everyone role has the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    mentionable: bool = False
    position: int = 0
    managed: bool = False

    def to_payload(self) -> dict[str, Any]:
        """Return the role object."""
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class Member:
    """A user's membership of a guild."""

    user_id: int
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=utcnow_iso)


@dataclass
class PermissionOverwrite:
    """A channel permission overwrite (type 0 = role, 1 = member)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, Any]:
        """Return the overwrite object."""
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    """A guild text channel or a DM channel."""

    id: int
    type: ChannelType
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[PermissionOverwrite] = field(default_factory=list)
    recipient_id: int | None = None
    last_message_id: int | None = None

    @property
    def is_dm(self) -> bool:
        """Whether this is a DM channel."""
        return self.type is ChannelType.DM


@dataclass
class CommandPermission:
    """A per-guild application command permission override.

    ``type`` is 1 (role; the guild id means @everyone), 2 (user) or 3 (channel; guild id
    minus one means every channel).
    """

    id: int
    type: int
    permission: bool

    def to_payload(self) -> dict[str, Any]:
        """Return the application command permission object."""
        return {"id": str(self.id), "type": self.type, "permission": self.permission}


@dataclass
class Guild:
    """A guild with its roles, members and channels."""

    id: int
    name: str
    owner_id: int
    locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    command_permissions: dict[str, list[CommandPermission]] = field(default_factory=dict)
    joined_at: str = field(default_factory=utcnow_iso)

    @property
    def everyone_role(self) -> Role:
        """The @everyone role."""
        return self.roles[self.id]


@dataclass
class RegisteredCommand:
    """An application command as stored by the emulator after a bulk overwrite."""

    id: int
    guild_id: int | None
    payload: dict[str, Any]

    @property
    def name(self) -> str:
        """Command name."""
        return str(self.payload["name"])

    @property
    def type(self) -> int:
        """Command type (1 chat input, 2 user, 3 message)."""
        return int(self.payload.get("type", 1))


@dataclass
class StoredMessage:
    """A message as the emulator stores it.

    ``payload`` is the Discord message object (kept current across edits); the other
    fields are emulator bookkeeping. ``msg["content"]`` style access reads the payload.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    payload: dict[str, Any]
    origin: str
    created_at: float
    allowed_mentions: dict[str, Any] | None = None
    interaction_id: int | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    edited_at: float | None = None
    deleted: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style ``get`` on the payload."""
        return self.payload.get(key, default)

    @property
    def content(self) -> str:
        """Message content."""
        return str(self.payload.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """Embeds as sent."""
        return list(self.payload.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        """Components as sent."""
        return list(self.payload.get("components") or [])

    @property
    def flags(self) -> int:
        """Message flags."""
        return int(self.payload.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user can see the message."""
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether this is a deferred ("thinking...") interaction response."""
        return bool(self.flags & MessageFlag.LOADING)

    @property
    def message_reference(self) -> dict[str, Any] | None:
        """The message reference (for replies), if any."""
        ref = self.payload.get("message_reference")
        return dict(ref) if ref else None

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """Attachment objects."""
        return list(self.payload.get("attachments") or [])


class ChangeNotifier:
    """Lets coroutines wait until a predicate over emulator state becomes true.

    Every state mutation calls :meth:`notify`; waiters re-check their predicate.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every waiter so it re-evaluates its predicate."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        *,
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str] | str,
    ) -> T:
        """Return the first truthy value of ``predicate``; raise EmulatorTimeout otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                text = describe() if callable(describe) else describe
                raise EmulatorTimeout(f"timed out after {timeout:.1f}s waiting for {text}")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue


class EmulatorTimeout(AssertionError):
    """Raised when something a test awaits does not happen in time."""


@dataclass
class Violation:
    """Something the bot did that Discord would reject or penalise."""

    kind: str
    message: str
    method: str = ""
    path: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f" [{self.method} {self.path}]" if self.method else ""
        return f"{self.kind}: {self.message}{where}"


def compute_base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-level permissions of ``user_id`` (owner and administrators get everything)."""
    if user_id == guild.owner_id:
        return ALL_PERMISSIONS
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = guild.everyone_role.permissions
    for role_id in member.role_ids:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & Perm.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def compute_channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Permissions of ``user_id`` in ``channel`` after applying overwrites."""
    base = compute_base_permissions(guild, user_id)
    if base & Perm.ADMINISTRATOR:
        return ALL_PERMISSIONS
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = base
    by_id = {(ow.type, ow.id): ow for ow in channel.overwrites}
    everyone = by_id.get((0, guild.id))
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.role_ids:
        ow = by_id.get((0, role_id))
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = by_id.get((1, user_id))
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    if not perms & Perm.VIEW_CHANNEL:
        return 0
    return perms


def role_members(guild: Guild, role_ids: Iterable[int]) -> set[int]:
    """User ids of members holding any of ``role_ids``."""
    wanted = set(role_ids)
    return {uid for uid, m in guild.members.items() if wanted.intersection(m.role_ids)}
