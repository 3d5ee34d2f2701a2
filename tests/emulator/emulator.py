"""The :class:`DiscordEmulator`: a local Discord (REST v10 + gateway) for discord.py tests.

Start it, point discord.py at it with :meth:`DiscordEmulator.patch_discord`, build a world
(guilds, users, channels), connect a real client, then drive it: invoke slash commands,
send DMs and channel messages, and inspect what the bot answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .gateway import GatewayLogEntry, GatewayServer, GatewaySession
from .interactions import InteractionResult, InteractionType, not_delivered
from .logcapture import DiscordLogCapture
from .options import OptionBuilder
from .rest import RateLimitRule, RequestRecord, RestApi, UploadedFile, compute_app_permissions
from .state import (
    ATTACHMENT_SIZE_LIMIT,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    ChangeNotifier,
    Channel,
    ChannelType,
    CommandPermission,
    Guild,
    Intent,
    Member,
    MessageFlag,
    Perm,
    PermissionOverwrite,
    RegisteredCommand,
    Role,
    SnowflakeGenerator,
    StoredMessage,
    User,
    Violation,
    compute_base_permissions,
    compute_channel_permissions,
    role_members,
    shard_of,
    utcnow_iso,
)
from .validation import MentionDecision, resolve_allowed_mentions, scan_mentions

if TYPE_CHECKING:
    import yarl

# Application flags Discord reports for an unverified app with limited privileged intents.
_APP_FLAG_PRESENCE_LIMITED = 1 << 13
_APP_FLAG_MEMBERS_LIMITED = 1 << 15
_APP_FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19
_APP_FLAG_COMMAND_BADGE = 1 << 23

_MESSAGE_TYPE_DEFAULT = 0
_MESSAGE_TYPE_REPLY = 19
_MESSAGE_TYPE_CHAT_INPUT = 20
_MESSAGE_TYPE_CONTEXT_MENU = 23


@dataclass
class CommandPut:
    """One bulk overwrite of commands exactly as the bot sent it."""

    guild_id: int | None
    body: list[dict[str, Any]]
    at: float


class DiscordEmulator:
    """A local Discord API v10 + gateway server for driving a real discord.py client.

    Parameters
    ----------
    bot_name:
        Username of the bot user (its id equals the application id, as for new apps).
    privileged_intents:
        Privileged intents enabled for the application in the "developer portal". A client
        that IDENTIFYs with others is closed with 4014, as Discord does. Defaults to none.
    recommended_shards:
        What ``GET /gateway/bot`` recommends (AutoShardedClient uses it).
    interaction_deadline:
        Seconds the bot has for the initial interaction callback (Discord: 3).
    token_lifetime:
        Seconds an interaction token is usable for followups (Discord: 15 minutes).
    gateway_compression:
        Honour ``compress=zlib-stream`` like Discord (binary zlib frames) when True,
        otherwise send plain JSON text frames.
    echo_bot_messages:
        Dispatch MESSAGE_CREATE/UPDATE/DELETE for the bot's own messages, as Discord does.
    capture_discord_logs:
        Record ERROR records of the ``discord`` logger while running (see ``problems``).
    """

    def __init__(
        self,
        *,
        bot_name: str = "Emulated Bot",
        token: str | None = None,
        privileged_intents: int = 0,
        heartbeat_interval_ms: int = 41_250,
        recommended_shards: int = 1,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        gateway_compression: bool = True,
        echo_bot_messages: bool = True,
        capture_discord_logs: bool = True,
        attachment_size_limit: int = ATTACHMENT_SIZE_LIMIT,
    ) -> None:
        self.ids = SnowflakeGenerator()
        self.token = token or f"emulator.{secrets.token_urlsafe(24)}"
        self.app_id = self.ids.next()
        self.bot = User(self.app_id, bot_name, bot=True)
        self.app_owner = User(self.ids.next(), "app-owner")
        self.privileged_intents = int(privileged_intents)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.recommended_shards = recommended_shards
        self.interaction_deadline = interaction_deadline
        self.token_lifetime = token_lifetime
        self.gateway_compression = gateway_compression
        self.echo_bot_messages = echo_bot_messages
        self.attachment_size_limit = attachment_size_limit

        self.users: dict[int, User] = {self.bot.id: self.bot, self.app_owner.id: self.app_owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self._messages: dict[int, StoredMessage] = {}
        self._channel_messages: dict[int, list[int]] = defaultdict(list)
        self._dm_by_user: dict[int, int] = {}
        self._admin_roles: dict[int, int] = {}

        self.global_commands: dict[tuple[int, str], RegisteredCommand] = {}
        self.guild_commands: dict[int, dict[tuple[int, str], RegisteredCommand]] = defaultdict(dict)
        self.command_puts: list[CommandPut] = []
        self._command_ids: dict[tuple[int | None, int, str], int] = {}

        self.interactions: list[InteractionResult] = []
        self._interactions_by_id: dict[int, InteractionResult] = {}
        self._interactions_by_token: dict[str, InteractionResult] = {}

        self.violations: list[Violation] = []
        self._expected_violations: set[str] = set()
        self.unhandled: list[str] = []
        self.emulator_errors: list[str] = []
        self.requests: list[RequestRecord] = []
        self.typing: list[tuple[int, float]] = []
        self.rate_limits: list[RateLimitRule] = []
        #: Files served on the CDN-like ``/attachments/...`` URLs: id -> (name, bytes, type).
        self.cdn_files: dict[int, tuple[str, bytes, str]] = {}
        #: Attachment ids in the order they were downloaded.
        self.cdn_downloads: list[int] = []

        self.notifier = ChangeNotifier()
        self.gateway = GatewayServer(self)
        self.rest = RestApi(self)
        self.log_capture: DiscordLogCapture | None = (
            DiscordLogCapture(on_record=self._on_log_record) if capture_discord_logs else None
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self.port: int = 0

    # ================================================================== lifecycle

    async def start(self) -> None:
        """Start listening on 127.0.0.1 on a random free port."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._loop = asyncio.get_running_loop()
        self._runner = web.AppRunner(self.rest.build_app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        if self.log_capture is not None:
            self.log_capture.install()

    async def close(self) -> None:
        """Close gateway connections and stop the server."""
        if self.log_capture is not None:
            self.log_capture.uninstall()
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (and ``GET /gateway``)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY (a distinct path, to verify its use)."""
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's user object."""
        return self.bot.to_payload()

    @property
    def application_flags(self) -> int:
        """Application flags matching ``privileged_intents``."""
        flags = _APP_FLAG_COMMAND_BADGE
        if self.privileged_intents & Intent.GUILD_PRESENCES:
            flags |= _APP_FLAG_PRESENCE_LIMITED
        if self.privileged_intents & Intent.GUILD_MEMBERS:
            flags |= _APP_FLAG_MEMBERS_LIMITED
        if self.privileged_intents & Intent.MESSAGE_CONTENT:
            flags |= _APP_FLAG_MESSAGE_CONTENT_LIMITED
        return flags

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this emulator (restored after).

        These two class attributes are the only things patched in discord.py.
        """
        import discord.gateway
        import discord.http
        import yarl

        route = discord.http.Route
        ws_cls = discord.gateway.DiscordWebSocket
        old_base = route.BASE
        old_gateway: yarl.URL = ws_cls.DEFAULT_GATEWAY
        route.BASE = self.api_base
        ws_cls.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            route.BASE = old_base
            ws_cls.DEFAULT_GATEWAY = old_gateway

    # ================================================================== world building

    def add_user(
        self,
        username: str,
        *,
        user_id: int | None = None,
        global_name: str | None = None,
        bot: bool = False,
        locale: str = "en-US",
        dms_open: bool = True,
    ) -> User:
        """Create a user (not yet a member of any guild)."""
        user = User(
            user_id or self.ids.next(),
            username,
            global_name=global_name,
            bot=bot,
            locale=locale,
            dms_open=dms_open,
        )
        self.users[user.id] = user
        return user

    def new_guild_id(self, shard_id: int = 0, shard_count: int = 1) -> int:
        """A fresh guild id that Discord would route to ``shard_id`` of ``shard_count``."""
        return self.ids.for_shard(shard_id, shard_count)

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        channel_name: str = "general",
        locale: str = "en-US",
    ) -> Guild:
        """Create a guild the bot is in, with @everyone, the bot's role and one text channel.

        If the bot is connected, it receives GUILD_CREATE (as when it is invited).
        """
        gid = guild_id or self.ids.next()
        if gid in self.guilds:
            raise ValueError(f"guild {gid} exists")
        if owner_id is None:
            owner_id = self.add_user(f"owner-of-{name}".lower().replace(" ", "-")).id
        guild = Guild(gid, name, owner_id, locale=locale)
        guild.roles[gid] = Role(gid, gid, "@everyone", permissions=everyone_permissions)
        bot_role = Role(
            self.ids.next(), gid, self.bot.username, bot_permissions, position=1, managed=True
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner_id] = Member(owner_id, gid)
        guild.members[self.bot.id] = Member(self.bot.id, gid, [bot_role.id])
        self.guilds[gid] = guild
        self._new_channel(guild, channel_name)
        self.gateway.dispatch("GUILD_CREATE", self.guild_create_payload(guild), guild_id=gid)
        self.notifier.notify()
        return guild

    def remove_guild(self, guild_id: int) -> None:
        """The bot is removed from (kicked out of) a guild: it receives GUILD_DELETE with
        no ``unavailable`` flag, and the guild is gone from the emulator."""
        guild = self._guild(guild_id)
        self.gateway.dispatch(
            "GUILD_DELETE", {"id": str(guild_id)}, guild_id=guild_id, intent=Intent.GUILDS
        )
        del self.guilds[guild.id]
        self.notifier.notify()

    def add_role(
        self, guild_id: int, name: str, *, permissions: int = 0, mentionable: bool = False
    ) -> Role:
        """Create a role in a guild."""
        guild = self._guild(guild_id)
        role = Role(
            self.ids.next(), guild_id, name, permissions, mentionable, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild_id), "role": role.to_payload()},
            guild_id=guild_id,
            intent=Intent.GUILDS,
        )
        return role

    def add_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        administrator: bool = False,
        roles: Iterable[int] = (),
        nick: str | None = None,
    ) -> Member:
        """Add a user to a guild; ``administrator`` gives them an Administrator role."""
        guild = self._guild(guild_id)
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}; call add_user first")
        role_ids = list(roles)
        if administrator:
            role_ids.append(self._admin_role(guild).id)
        member = Member(user_id, guild_id, role_ids, nick=nick)
        guild.members[user_id] = member
        payload = self.member_payload(guild, user_id)
        payload["guild_id"] = str(guild_id)
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD", payload, guild_id=guild_id, intent=Intent.GUILD_MEMBERS
        )
        self.notifier.notify()
        return member

    def add_text_channel(
        self,
        guild_id: int,
        name: str,
        *,
        overwrites: Iterable[PermissionOverwrite] = (),
        topic: str | None = None,
    ) -> Channel:
        """Create a text channel (dispatches CHANNEL_CREATE to a connected bot)."""
        guild = self._guild(guild_id)
        channel = self._new_channel(guild, name, topic=topic, overwrites=list(overwrites))
        self.gateway.dispatch(
            "CHANNEL_CREATE", self.channel_payload(channel), guild_id=guild_id, intent=Intent.GUILDS
        )
        return channel

    def dm_channel_for(self, user_id: int) -> Channel:
        """The (created on demand) DM channel between the bot and ``user_id``."""
        channel_id = self._dm_by_user.get(user_id)
        if channel_id is not None:
            return self.channels[channel_id]
        channel = Channel(self.ids.next(), ChannelType.DM, recipient_id=user_id)
        self.channels[channel.id] = channel
        self._dm_by_user[user_id] = channel.id
        return channel

    def bot_role(self, guild_id: int) -> Role:
        """The bot's managed role in a guild (edit its ``permissions`` to restrict the bot)."""
        guild = self._guild(guild_id)
        return next(r for r in guild.roles.values() if r.managed)

    def default_channel(self, guild_id: int) -> Channel:
        """The first text channel of a guild."""
        return self.channels[self._guild(guild_id).channel_ids[0]]

    def _guild(self, guild_id: int) -> Guild:
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise ValueError(f"unknown guild {guild_id}")
        return guild

    def _new_channel(
        self,
        guild: Guild,
        name: str,
        *,
        topic: str | None = None,
        overwrites: list[PermissionOverwrite] | None = None,
    ) -> Channel:
        channel = Channel(
            self.ids.next(),
            ChannelType.GUILD_TEXT,
            name=name,
            guild_id=guild.id,
            position=len(guild.channel_ids),
            topic=topic,
            overwrites=overwrites or [],
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def _admin_role(self, guild: Guild) -> Role:
        role_id = self._admin_roles.get(guild.id)
        if role_id is None:
            role = self.add_role(guild.id, "Admin", permissions=int(Perm.ADMINISTRATOR))
            self._admin_roles[guild.id] = role.id
            return role
        return guild.roles[role_id]

    def guild_list(self) -> list[Guild]:
        """All guilds, in creation order."""
        return list(self.guilds.values())

    def bot_permissions_in(self, channel: Channel) -> int:
        """The bot's effective permissions in ``channel``."""
        return compute_app_permissions(self, channel)

    # ================================================================== payloads

    def application_payload(self) -> dict[str, Any]:
        """The application object for ``GET /oauth2/applications/@me``."""
        return {
            "id": str(self.app_id),
            "name": self.bot.username,
            "icon": None,
            "description": "Discord emulator application",
            "summary": "",
            "type": None,
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": self.bot.to_payload(),
            "owner": self.app_owner.to_payload(),
            "team": None,
            "verify_key": secrets.token_hex(32),
            "flags": self.application_flags,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    def member_payload(
        self, guild: Guild, user_id: int, *, with_user: bool = True, permissions: int | None = None
    ) -> dict[str, Any]:
        """A guild member object (optionally with ``permissions`` as in interactions)."""
        member = guild.members[user_id]
        payload: dict[str, Any] = {
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in member.role_ids],
            "joined_at": member.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.users[user_id].to_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload

    def channel_payload(self, channel: Channel) -> dict[str, Any]:
        """A channel object."""
        if channel.is_dm:
            assert channel.recipient_id is not None
            return {
                "id": str(channel.id),
                "type": int(ChannelType.DM),
                "last_message_id": str(channel.last_message_id)
                if channel.last_message_id
                else None,
                "recipients": [self.users[channel.recipient_id].to_payload()],
                "flags": 0,
            }
        return {
            "id": str(channel.id),
            "type": int(channel.type),
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": channel.position,
            "permission_overwrites": [ow.to_payload() for ow in channel.overwrites],
            "topic": channel.topic,
            "nsfw": channel.nsfw,
            "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }

    def guild_payload(self, guild: Guild) -> dict[str, Any]:
        """The guild object as returned by ``GET /guilds/{id}``."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in guild.roles.values()],
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(guild.channel_ids[0]) if guild.channel_ids else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_presences": None,
            "max_members": 500_000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": guild.locale,
            "public_updates_channel_id": None,
            "max_video_channel_users": 25,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "incidents_data": None,
        }

    def guild_create_payload(self, guild: Guild) -> dict[str, Any]:
        """The GUILD_CREATE payload (only the bot's own member, as without presences)."""
        payload = self.guild_payload(guild)
        payload.update(
            {
                "joined_at": guild.members[self.bot.id].joined_at,
                "large": False,
                "unavailable": False,
                "member_count": len(guild.members),
                "voice_states": [],
                "members": [self.member_payload(guild, self.bot.id)],
                "channels": [self.channel_payload(self.channels[c]) for c in guild.channel_ids],
                "threads": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "embedded_activities": [],
                "lazy": True,
            }
        )
        return payload

    def rest_message_payload(self, msg: StoredMessage) -> dict[str, Any]:
        """A message as REST returns it to the bot (content redacted without the intent)."""
        payload = copy.deepcopy(msg.payload)
        if not self.privileged_intents & Intent.MESSAGE_CONTENT and not self._content_exempt(msg):
            _redact(payload)
        return payload

    # ================================================================== messages

    def message_or_none(self, message_id: int) -> StoredMessage | None:
        """A stored message by id."""
        return self._messages.get(message_id)

    def message(self, message_id: int) -> StoredMessage:
        """A stored message by id (KeyError if unknown)."""
        return self._messages[message_id]

    def messages(
        self,
        channel_id: int,
        *,
        author_id: int | None = None,
        include_deleted: bool = False,
    ) -> list[StoredMessage]:
        """Messages of a channel in order (including ephemeral interaction responses)."""
        out = []
        for mid in self._channel_messages.get(channel_id, []):
            msg = self._messages[mid]
            if msg.deleted and not include_deleted:
                continue
            if author_id is not None and msg.author_id != author_id:
                continue
            out.append(msg)
        return out

    async def wait_for_messages(
        self,
        channel_id: int,
        count: int = 1,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | StoredMessage | None = None,
        author_id: int | None = None,
        include_loading: bool = False,
    ) -> list[StoredMessage]:
        """Wait until ``channel_id`` has ``count`` messages by ``author_id`` (default: the bot).

        Only messages with an id greater than ``after`` count; deferred ("thinking")
        messages are skipped unless ``include_loading``.
        """
        author = self.bot.id if author_id is None else author_id
        after_id = after.id if isinstance(after, StoredMessage) else (after or 0)

        def found() -> list[StoredMessage] | None:
            msgs = [
                m
                for m in self.messages(channel_id, author_id=author)
                if m.id > after_id and (include_loading or not m.loading)
            ]
            return msgs if len(msgs) >= count else None

        return await self.notifier.wait_for(
            found,
            timeout=timeout,
            describe=lambda: (
                f"{count} message(s) from {author} in channel {channel_id} after {after_id} "
                f"(have {len([m for m in self.messages(channel_id) if m.id > after_id])} total)"
            ),
        )

    def create_message(
        self,
        channel: Channel,
        author_id: int,
        body: Mapping[str, Any],
        *,
        origin: str,
        files: list[UploadedFile] | None = None,
        interaction: InteractionResult | None = None,
        extra_flags: int = 0,
    ) -> StoredMessage:
        """Store a new message, resolve mentions and dispatch MESSAGE_CREATE."""
        mid = self.ids.next()
        author = self.users[author_id]
        flags = int(body.get("flags") or 0) | extra_flags
        msg_type = _MESSAGE_TYPE_DEFAULT
        if (
            interaction is not None
            and origin == "interaction_response"
            and interaction.type == InteractionType.APPLICATION_COMMAND
        ):
            is_chat = interaction.kind == "slash"
            msg_type = _MESSAGE_TYPE_CHAT_INPUT if is_chat else _MESSAGE_TYPE_CONTEXT_MENU
        payload: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel.id),
            "type": msg_type,
            "content": body.get("content") or "",
            "author": author.to_payload(),
            "timestamp": utcnow_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": _normalise_embeds(body.get("embeds")),
            "components": copy.deepcopy(body.get("components") or []),
            "pinned": False,
            "flags": flags,
        }
        if channel.guild_id is not None:
            payload["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            payload["nonce"] = body["nonce"]
        if body.get("poll") is not None:
            payload["poll"] = copy.deepcopy(body["poll"])
        ref = body.get("message_reference")
        if ref:
            target = self.message_or_none(int(ref.get("message_id") or 0))
            if target is not None and not target.deleted:
                payload["message_reference"] = {
                    "type": 0,
                    "message_id": str(target.id),
                    "channel_id": str(target.channel_id),
                    **({"guild_id": str(target.guild_id)} if target.guild_id else {}),
                }
                referenced = copy.deepcopy(target.payload)
                referenced.pop("referenced_message", None)
                payload["referenced_message"] = referenced
                if msg_type == _MESSAGE_TYPE_DEFAULT:
                    payload["type"] = _MESSAGE_TYPE_REPLY
        if interaction is not None:
            user = self.users[interaction.user_id].to_payload()
            payload["webhook_id"] = str(self.app_id)
            payload["application_id"] = str(self.app_id)
            payload["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": int(interaction.type),
                "user": user,
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
                **({"name": interaction.name} if interaction.kind == "slash" else {}),
            }
            payload["interaction"] = {
                "id": str(interaction.id),
                "type": int(interaction.type),
                "name": interaction.name,
                "user": user,
            }
        stored = StoredMessage(
            id=mid,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id,
            payload=payload,
            origin=origin,
            created_at=time.monotonic(),
            allowed_mentions=copy.deepcopy(body.get("allowed_mentions")),
            interaction_id=interaction.id if interaction else None,
        )
        self._attach_files(stored, files or [], body.get("attachments"))
        self._apply_mentions(stored)
        self._messages[mid] = stored
        self._channel_messages[channel.id].append(mid)
        channel.last_message_id = mid
        if not stored.ephemeral and (author_id != self.bot.id or self.echo_bot_messages):
            self._dispatch_message_event("MESSAGE_CREATE", stored)
        self.notifier.notify()
        return stored

    def edit_message(
        self,
        msg: StoredMessage,
        body: Mapping[str, Any],
        *,
        files: list[UploadedFile] | None = None,
    ) -> StoredMessage:
        """Apply an edit (absent keys keep their value) and dispatch MESSAGE_UPDATE."""
        msg.edits.append(copy.deepcopy(msg.payload))
        payload = msg.payload
        if "content" in body:
            payload["content"] = body.get("content") or ""
            msg.allowed_mentions = copy.deepcopy(body.get("allowed_mentions"))
        elif "allowed_mentions" in body:
            msg.allowed_mentions = copy.deepcopy(body.get("allowed_mentions"))
        if "embeds" in body:
            payload["embeds"] = _normalise_embeds(body.get("embeds"))
        if "components" in body:
            payload["components"] = copy.deepcopy(body.get("components") or [])
        if "flags" in body and body["flags"] is not None:
            keep = int(MessageFlag.EPHEMERAL | MessageFlag.IS_COMPONENTS_V2) & msg.flags
            payload["flags"] = int(body["flags"]) | keep
        if "attachments" in body or files:
            self._attach_files(msg, files or [], body.get("attachments"), replace=True)
        payload["flags"] = int(payload.get("flags") or 0) & ~int(MessageFlag.LOADING)
        payload["edited_timestamp"] = utcnow_iso()
        msg.edited_at = time.monotonic()
        self._apply_mentions(msg)
        if not msg.ephemeral and (msg.author_id != self.bot.id or self.echo_bot_messages):
            self._dispatch_message_event("MESSAGE_UPDATE", msg)
        self.notifier.notify()
        return msg

    def delete_message(self, msg: StoredMessage) -> None:
        """Mark a message deleted and dispatch MESSAGE_DELETE."""
        msg.deleted = True
        if not msg.ephemeral:
            data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            self._dispatch_for_channel("MESSAGE_DELETE", data, msg.guild_id)
        self.notifier.notify()

    def add_bot_reaction(self, msg: StoredMessage, emoji: str) -> None:
        """Record the bot's reaction on a message."""
        reactions = msg.payload.setdefault("reactions", [])
        for reaction in reactions:
            if reaction["emoji"].get("name") == emoji:
                if not reaction["me"]:
                    reaction["me"] = True
                    reaction["count"] += 1
                break
        else:
            reactions.append(
                {
                    "emoji": {"id": None, "name": emoji},
                    "count": 1,
                    "me": True,
                    "burst_colors": [],
                    "count_details": {"burst": 0, "normal": 1},
                    "me_burst": False,
                }
            )
        self.notifier.notify()

    def remove_bot_reaction(self, msg: StoredMessage, emoji: str) -> None:
        """Remove the bot's reaction from a message."""
        reactions = msg.payload.get("reactions") or []
        for reaction in list(reactions):
            if reaction["emoji"].get("name") == emoji and reaction["me"]:
                reaction["me"] = False
                reaction["count"] -= 1
                if reaction["count"] <= 0:
                    reactions.remove(reaction)
        self.notifier.notify()

    def reactions(self, msg: StoredMessage) -> list[str]:
        """Emoji the bot has reacted with on ``msg``."""
        return [r["emoji"]["name"] for r in msg.payload.get("reactions") or [] if r.get("me")]

    def _attach_files(
        self,
        msg: StoredMessage,
        files: list[UploadedFile],
        attachments: Any,
        *,
        replace: bool = False,
    ) -> None:
        existing = {a["id"]: a for a in msg.payload.get("attachments") or []}
        described: dict[str, dict[str, Any]] = {}
        kept: list[dict[str, Any]] = []
        for att in attachments or []:
            att_id = str(att.get("id"))
            if att_id in existing:
                kept.append(existing[att_id])
            else:
                described[att_id] = att
        if not replace:
            kept = []
        new: list[dict[str, Any]] = []
        for f in files:
            match = re.fullmatch(r"files\[(\d+)\]", f.field)
            index = match.group(1) if match else str(len(new))
            desc = described.get(index, {})
            att_id = self.ids.next()
            filename = desc.get("filename") or f.filename
            url = f"{self.base_url}/attachments/{msg.channel_id}/{att_id}/{filename}"
            new.append(
                {
                    "id": str(att_id),
                    "filename": filename,
                    "description": desc.get("description"),
                    "content_type": f.content_type,
                    "size": len(f.data),
                    "url": url,
                    "proxy_url": url,
                    "flags": 0,
                }
            )
            msg.files[filename] = f.data
            self.cdn_files[att_id] = (filename, f.data, f.content_type)
        msg.payload["attachments"] = kept + new

    # ================================================================== mentions

    def _author_can_mention_everyone(self, msg: StoredMessage) -> bool:
        channel = self.channels[msg.channel_id]
        if channel.guild_id is None:
            return False
        if msg.author_id == self.bot.id:
            return bool(self.bot_permissions_in(channel) & Perm.MENTION_EVERYONE)
        guild = self.guilds[channel.guild_id]
        return bool(
            compute_channel_permissions(guild, channel, msg.author_id) & Perm.MENTION_EVERYONE
        )

    def _mention_decision(self, msg: StoredMessage) -> MentionDecision:
        channel = self.channels[msg.channel_id]
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        mentionable = [r.id for r in guild.roles.values() if r.mentionable] if guild else []
        ref = msg.payload.get("referenced_message")
        is_reply = bool(ref) and int(ref["author"]["id"]) != msg.author_id
        return resolve_allowed_mentions(
            scan_mentions(msg.content),
            msg.allowed_mentions,
            can_mention_everyone=self._author_can_mention_everyone(msg),
            mentionable_roles=mentionable,
            is_reply=is_reply,
        )

    def _audience(self, channel: Channel) -> set[int]:
        """Users who can see ``channel``."""
        if channel.is_dm:
            assert channel.recipient_id is not None
            return {channel.recipient_id, self.bot.id}
        assert channel.guild_id is not None
        guild = self.guilds[channel.guild_id]
        return {
            uid
            for uid in guild.members
            if compute_channel_permissions(guild, channel, uid) & Perm.VIEW_CHANNEL
        }

    def _apply_mentions(self, msg: StoredMessage) -> None:
        decision = self._mention_decision(msg)
        channel = self.channels[msg.channel_id]
        audience = self._audience(channel)
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        users = [u for u in decision.users if u in audience]
        ref = msg.payload.get("referenced_message")
        if decision.replied_user and ref:
            replied = int(ref["author"]["id"])
            if replied not in users:
                users.append(replied)
        mentions = []
        for uid in users:
            if uid not in self.users:
                continue
            entry = self.users[uid].to_payload()
            if guild is not None and uid in guild.members:
                entry["member"] = self.member_payload(guild, uid, with_user=False)
            mentions.append(entry)
        msg.payload["mentions"] = mentions
        msg.payload["mention_roles"] = [str(r) for r in sorted(decision.roles)]
        msg.payload["mention_everyone"] = decision.everyone

    def would_ping(self, msg: StoredMessage) -> set[int]:
        """User ids that ``msg`` (as it currently reads) would notify.

        Applies Discord's rules: allowed_mentions (absent = parse everything, replies ping
        the replied-to author), role mentionability, MENTION_EVERYONE for @everyone/@here,
        channel visibility. Ephemeral and SUPPRESS_NOTIFICATIONS messages ping nobody.
        The author is never included.
        """
        if msg.ephemeral or msg.flags & MessageFlag.SUPPRESS_NOTIFICATIONS:
            return set()
        decision = self._mention_decision(msg)
        channel = self.channels[msg.channel_id]
        audience = self._audience(channel)
        pinged = set(decision.users)
        ref = msg.payload.get("referenced_message")
        if decision.replied_user and ref:
            pinged.add(int(ref["author"]["id"]))
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        if guild is not None:
            pinged |= role_members(guild, decision.roles)
            if decision.everyone:
                pinged |= set(guild.members)
        return (pinged & audience) - {msg.author_id}

    # ================================================================== events

    def _content_exempt(self, msg: StoredMessage) -> bool:
        """Whether Discord shows content to an app without the message content intent."""
        if msg.guild_id is None or msg.author_id == self.bot.id:
            return True
        return any(int(u["id"]) == self.bot.id for u in msg.payload.get("mentions") or [])

    def _dispatch_message_event(self, event: str, msg: StoredMessage) -> None:
        data = copy.deepcopy(msg.payload)
        if msg.guild_id is not None:
            guild = self.guilds[msg.guild_id]
            if msg.author_id in guild.members:
                data["member"] = self.member_payload(guild, msg.author_id, with_user=False)
        exempt = self._content_exempt(msg)

        def transform(session: GatewaySession, payload: dict[str, Any]) -> dict[str, Any]:
            if not exempt and not session.intents & Intent.MESSAGE_CONTENT:
                _redact(payload)
            return payload

        self._dispatch_for_channel(event, data, msg.guild_id, transform=transform)

    def _dispatch_for_channel(
        self, event: str, data: dict[str, Any], guild_id: int | None, **kwargs: Any
    ) -> int:
        intent = Intent.GUILD_MESSAGES if guild_id is not None else Intent.DIRECT_MESSAGES
        return self.gateway.dispatch(event, data, guild_id=guild_id, intent=intent, **kwargs)

    async def send_dm(self, user_id: int, content: str, **extra: Any) -> StoredMessage:
        """A user DMs the bot: store the message and dispatch MESSAGE_CREATE."""
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}")
        channel = self.dm_channel_for(user_id)
        return self.create_message(channel, user_id, {"content": content, **extra}, origin="user")

    async def send_channel_message(
        self,
        channel_id: int,
        user_id: int,
        content: str,
        *,
        mention_bot: bool = False,
        reply_to: int | StoredMessage | None = None,
        **extra: Any,
    ) -> StoredMessage:
        """A member posts in a guild channel (``mention_bot`` prefixes ``<@bot>``)."""
        channel = self.channels.get(channel_id)
        if channel is None or channel.guild_id is None:
            raise ValueError(f"{channel_id} is not a guild text channel")
        guild = self.guilds[channel.guild_id]
        if user_id not in guild.members:
            raise ValueError(f"user {user_id} is not a member of guild {guild.id}")
        if not compute_channel_permissions(guild, channel, user_id) & Perm.SEND_MESSAGES:
            raise ValueError(f"user {user_id} cannot send messages in {channel_id}")
        if mention_bot:
            content = f"<@{self.bot.id}> {content}"
        body: dict[str, Any] = {"content": content, **extra}
        if reply_to is not None:
            ref_id = reply_to.id if isinstance(reply_to, StoredMessage) else int(reply_to)
            body["message_reference"] = {"message_id": ref_id}
        return self.create_message(channel, user_id, body, origin="user")

    # ================================================================== commands

    def store_command_put(self, guild_id: int | None, body: list[dict[str, Any]]) -> None:
        """Record and apply a bulk overwrite (ids are stable per name and type)."""
        self.command_puts.append(CommandPut(guild_id, copy.deepcopy(body), time.monotonic()))
        table: dict[tuple[int, str], RegisteredCommand] = {}
        for raw in body:
            cmd = self._make_command(guild_id, raw)
            table[(cmd.type, cmd.name)] = cmd
        if guild_id is None:
            self.global_commands = table
        else:
            self.guild_commands[guild_id] = table
        self.notifier.notify()

    def upsert_command(
        self, guild_id: int | None, raw: dict[str, Any]
    ) -> tuple[bool, RegisteredCommand]:
        """Create or replace one command; returns (created, command)."""
        table = self.global_commands if guild_id is None else self.guild_commands[guild_id]
        cmd = self._make_command(guild_id, raw)
        created = (cmd.type, cmd.name) not in table
        table[(cmd.type, cmd.name)] = cmd
        self.notifier.notify()
        return created, cmd

    def delete_command(self, guild_id: int | None, cmd: RegisteredCommand) -> None:
        """Delete one command."""
        table = self.global_commands if guild_id is None else self.guild_commands[guild_id]
        table.pop((cmd.type, cmd.name), None)
        self.notifier.notify()

    def _make_command(self, guild_id: int | None, raw: dict[str, Any]) -> RegisteredCommand:
        ctype = int(raw.get("type", 1))
        key = (guild_id, ctype, str(raw["name"]))
        command_id = self._command_ids.setdefault(key, self.ids.next())
        dmp = raw.get("default_member_permissions")
        payload: dict[str, Any] = {
            "id": str(command_id),
            "application_id": str(self.app_id),
            "version": str(self.ids.next()),
            "type": ctype,
            "name": raw["name"],
            "name_localizations": raw.get("name_localizations"),
            "description": raw.get("description") or "",
            "description_localizations": raw.get("description_localizations"),
            "options": copy.deepcopy(raw.get("options") or []),
            "default_member_permissions": None if dmp is None else str(int(dmp)),
            "dm_permission": raw.get("dm_permission", True) if guild_id is None else False,
            "contexts": raw.get("contexts"),
            "integration_types": raw.get("integration_types") or [0],
            "nsfw": bool(raw.get("nsfw", False)),
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
        if ctype == 1 and not payload["options"]:
            payload.pop("options")
        return RegisteredCommand(command_id, guild_id, payload)

    def registered_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Stored commands (global, or of one guild) as Discord returns them."""
        table = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return [copy.deepcopy(c.payload) for c in table.values()]

    def registered_command(
        self, name: str, *, guild_id: int | None = None, type: int = 1
    ) -> dict[str, Any]:
        """One stored command by name (KeyError if not registered)."""
        table = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return copy.deepcopy(table[(type, name)].payload)

    def command_by_id(self, command_id: int, guild_id: int | None) -> RegisteredCommand | None:
        """Find a stored command by id."""
        table = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return next((c for c in table.values() if c.id == command_id), None)

    def set_command_permissions(
        self, guild_id: int, command_name: str, permissions: Iterable[CommandPermission]
    ) -> None:
        """Set a guild's permission overrides for a command (as a server admin would)."""
        self._guild(guild_id).command_permissions[command_name] = list(permissions)

    def allow_command_for_everyone(self, guild_id: int, command_name: str) -> None:
        """Override a command so every member may use it (overrides default permissions)."""
        self.set_command_permissions(guild_id, command_name, [CommandPermission(guild_id, 1, True)])

    def command_permissions_payload(self, guild_id: int) -> list[dict[str, Any]]:
        """Guild application command permissions as returned by the API."""
        guild = self._guild(guild_id)
        out = []
        for name, perms in guild.command_permissions.items():
            cmd = self._find_command(name, None, guild_id) or self._find_command(name, 3, guild_id)
            if cmd is None:
                continue
            out.append(
                {
                    "id": str(cmd.id),
                    "application_id": str(self.app_id),
                    "guild_id": str(guild_id),
                    "permissions": [p.to_payload() for p in perms],
                }
            )
        return out

    def _find_command(
        self, name: str, ctype: int | None, guild_id: int | None
    ) -> RegisteredCommand | None:
        types = (1,) if ctype is None else (ctype,)
        for t in types:
            if guild_id is not None:
                cmd = self.guild_commands.get(guild_id, {}).get((t, name))
                if cmd is not None:
                    return cmd
            cmd = self.global_commands.get((t, name))
            if cmd is not None:
                return cmd
        return None

    def _delivery_block_reason(
        self, cmd: RegisteredCommand, user_id: int, channel: Channel
    ) -> str | None:
        """Why Discord would not deliver this invocation (None = it would)."""
        payload = cmd.payload
        contexts = payload.get("contexts")
        installs = payload.get("integration_types")
        if installs is not None and 0 not in installs:
            return "command is not available for guild installs (integration_types)"
        if channel.guild_id is None:
            if cmd.guild_id is not None:
                return "guild commands cannot be used in DMs"
            if contexts is not None:
                return None if 1 in contexts else "command contexts exclude BOT_DM"
            if payload.get("dm_permission") is False:
                return "command has dm_permission false"
            return None
        if contexts is not None and 0 not in contexts:
            return "command contexts exclude GUILD"
        guild = self.guilds[channel.guild_id]
        perms = compute_channel_permissions(guild, channel, user_id)
        if not perms & Perm.VIEW_CHANNEL:
            return "user cannot view the channel"
        if not perms & Perm.USE_APPLICATION_COMMANDS:
            return "user lacks USE_APPLICATION_COMMANDS"
        if compute_base_permissions(guild, user_id) & Perm.ADMINISTRATOR:
            return None
        overrides = guild.command_permissions.get(cmd.name, [])
        channel_rules = {o.id: o.permission for o in overrides if o.type == 3}
        channel_rule = channel_rules.get(channel.id, channel_rules.get(guild.id - 1))
        if channel_rule is False:
            return "command disabled in this channel by a permission override"
        user_rule = next((o.permission for o in overrides if o.type == 2 and o.id == user_id), None)
        if user_rule is not None:
            return None if user_rule else "user denied by a permission override"
        member_roles = set(guild.members[user_id].role_ids)
        role_rules = [o.permission for o in overrides if o.type == 1 and o.id in member_roles]
        if role_rules:
            return None if any(role_rules) else "user's roles denied by a permission override"
        everyone_rule = next(
            (o.permission for o in overrides if o.type == 1 and o.id == guild.id), None
        )
        if everyone_rule is not None:
            return None if everyone_rule else "@everyone denied by a permission override"
        dmp = payload.get("default_member_permissions")
        if dmp is None:
            return None
        required = int(dmp)
        if required == 0:
            return "default_member_permissions is 0 (administrators only)"
        if perms & required != required:
            return f"member lacks default_member_permissions {required}"
        return None

    # ================================================================== interactions

    def interaction_by_id(self, interaction_id: int) -> InteractionResult | None:
        """A dispatched interaction by id."""
        return self._interactions_by_id.get(interaction_id)

    def interaction_by_token(self, token: str) -> InteractionResult | None:
        """A dispatched interaction by token."""
        return self._interactions_by_token.get(token)

    def expire_interaction_token(self, token: str | InteractionResult) -> None:
        """Make an interaction token unusable (as after 15 minutes)."""
        rec = token if isinstance(token, InteractionResult) else self._interactions_by_token[token]
        rec.token_expired = True

    def focused_option_type(self, rec: InteractionResult) -> int:
        """Option type of the focused option of an autocomplete interaction."""
        return int(rec.payload.get("_emulator_focused_type", 3))

    def _invocation_channel(
        self, user_id: int, guild_id: int | None, channel_id: int | None
    ) -> Channel:
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}")
        if guild_id is None and channel_id is not None:
            channel = self.channels.get(channel_id)
            if channel is None:
                raise ValueError(f"unknown channel {channel_id}")
            guild_id = channel.guild_id
        if guild_id is None:
            return self.dm_channel_for(user_id)
        guild = self._guild(guild_id)
        if user_id not in guild.members:
            raise ValueError(f"user {user_id} is not a member of guild {guild_id}")
        channel = self.channels[channel_id] if channel_id else self.default_channel(guild_id)
        if channel.guild_id != guild_id:
            raise ValueError(f"channel {channel.id} is not in guild {guild_id}")
        return channel

    def _interaction_payload(
        self, itype: InteractionType, data: dict[str, Any] | None, user_id: int, channel: Channel
    ) -> tuple[int, str, dict[str, Any]]:
        interaction_id = self.ids.next()
        token = f"aW50ZXJhY3Rpb246{interaction_id}{secrets.token_urlsafe(48)}"
        user = self.users[user_id]
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.app_id),
            "type": int(itype),
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": self.channel_payload(channel),
            "app_permissions": str(self.bot_permissions_in(channel)),
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": self.attachment_size_limit,
        }
        if data is not None:
            payload["data"] = data
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            perms = compute_channel_permissions(guild, channel, user_id)
            payload["channel"]["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                member=self.member_payload(guild, user_id, permissions=perms),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.to_payload(),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        return interaction_id, token, payload

    def _dispatch_interaction(
        self,
        itype: InteractionType,
        data: dict[str, Any] | None,
        *,
        kind: str,
        name: str,
        user_id: int,
        channel: Channel,
        source_message: StoredMessage | None = None,
        hidden: Mapping[str, Any] | None = None,
    ) -> InteractionResult:
        interaction_id, token, payload = self._interaction_payload(itype, data, user_id, channel)
        if source_message is not None:
            payload["message"] = copy.deepcopy(source_message.payload)
        live = [
            s for s in self.gateway.live_sessions() if s.ready and s.covers_guild(channel.guild_id)
        ]
        if not live:
            raise AssertionError(
                f"cannot deliver {kind} /{name}: no gateway session for "
                f"{'guild ' + str(channel.guild_id) if channel.guild_id else 'DMs'} "
                "(is the bot connected and ready?)"
            )
        now = time.monotonic()
        rec = InteractionResult(
            emu=self,
            id=interaction_id,
            token=token,
            kind=kind,
            name=name,
            type=itype,
            user_id=user_id,
            guild_id=channel.guild_id,
            channel_id=channel.id,
            payload=payload,
            dispatched_at=now,
            delivered=True,
            source_message_id=source_message.id if source_message else None,
            token_expires_at=now + self.token_lifetime,
        )
        self.interactions.append(rec)
        self._interactions_by_id[interaction_id] = rec
        self._interactions_by_token[token] = rec
        rec.payload = {**payload, **(hidden or {})}
        self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=channel.guild_id)
        self.notifier.notify()
        return rec

    def _undelivered(
        self,
        kind: str,
        name: str,
        itype: InteractionType,
        user_id: int,
        channel: Channel,
        reason: str,
    ) -> InteractionResult:
        rec = not_delivered(
            self,
            kind=kind,
            name=name,
            type_=itype,
            user_id=user_id,
            guild_id=channel.guild_id,
            channel_id=channel.id,
            reason=reason,
            now=time.monotonic(),
        )
        self.interactions.append(rec)
        return rec

    async def invoke_slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> InteractionResult:
        """A user runs ``/name`` (``"group sub"`` for subcommands) with ``options``.

        Options are checked and converted against the registered command the way the
        Discord client would (required options, types, choices, ranges); users, members,
        roles, channels and attachments are put in ``resolved``. Without ``guild_id`` and
        ``channel_id`` the command is run in the user's DM with the bot. Returns at once;
        await the result's ``ack()``/``reply()``.
        """
        channel = self._invocation_channel(user_id, guild_id, channel_id)
        parts = name.split()
        cmd = self._find_command(parts[0], 1, channel.guild_id)
        if cmd is None:
            raise ValueError(f"/{parts[0]} is not registered (have {self._command_names()})")
        reason = self._delivery_block_reason(cmd, user_id, channel)
        if reason is not None:
            return self._undelivered(
                "slash", name, InteractionType.APPLICATION_COMMAND, user_id, channel, reason
            )
        builder = OptionBuilder(self, channel, user_id)
        data_options = builder.build(
            cmd.payload.get("options") or [], parts[1:], dict(options or {})
        )
        data: dict[str, Any] = {"id": str(cmd.id), "name": cmd.name, "type": 1}
        if data_options:
            data["options"] = data_options
        if builder.resolved:
            data["resolved"] = builder.resolved
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            kind="slash",
            name=name,
            user_id=user_id,
            channel=channel,
        )

    async def invoke_autocomplete(
        self,
        name: str,
        focused_option: str,
        value: str,
        *,
        options: Mapping[str, Any] | None = None,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> InteractionResult:
        """A user types ``value`` into autocomplete option ``focused_option`` of ``/name``."""
        channel = self._invocation_channel(user_id, guild_id, channel_id)
        parts = name.split()
        cmd = self._find_command(parts[0], 1, channel.guild_id)
        if cmd is None:
            raise ValueError(f"/{parts[0]} is not registered (have {self._command_names()})")
        reason = self._delivery_block_reason(cmd, user_id, channel)
        if reason is not None:
            return self._undelivered(
                "autocomplete",
                name,
                InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE,
                user_id,
                channel,
                reason,
            )
        builder = OptionBuilder(self, channel, user_id, partial=True)
        data_options = builder.build(
            cmd.payload.get("options") or [],
            parts[1:],
            dict(options or {}),
            focused=(focused_option, value),
        )
        data: dict[str, Any] = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": 1,
            "options": data_options,
        }
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE,
            data,
            kind="autocomplete",
            name=name,
            user_id=user_id,
            channel=channel,
            hidden={"_emulator_focused_type": builder.focused_type},
        )

    async def invoke_message_context(
        self,
        name: str,
        target_message: int | StoredMessage,
        *,
        user_id: int,
    ) -> InteractionResult:
        """A user runs message command ``name`` on ``target_message`` (in its channel)."""
        target = (
            target_message
            if isinstance(target_message, StoredMessage)
            else self.message(int(target_message))
        )
        channel = self._invocation_channel(user_id, target.guild_id, target.channel_id)
        cmd = self._find_command(name, 3, channel.guild_id)
        if cmd is None:
            raise ValueError(f"message command {name!r} is not registered")
        reason = self._delivery_block_reason(cmd, user_id, channel)
        if reason is not None:
            return self._undelivered(
                "message_context",
                name,
                InteractionType.APPLICATION_COMMAND,
                user_id,
                channel,
                reason,
            )
        data: dict[str, Any] = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": 3,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): copy.deepcopy(target.payload)}},
        }
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            kind="message_context",
            name=name,
            user_id=user_id,
            channel=channel,
        )

    async def invoke_user_context(
        self,
        name: str,
        target_user: int | User,
        *,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> InteractionResult:
        """A user runs user command ``name`` on ``target_user`` (a DM when no guild given).

        ``resolved`` holds the target user, and in a guild its member object (with the
        member's permissions in the channel) when the target is a member.
        """
        target_id = target_user.id if isinstance(target_user, User) else int(target_user)
        if target_id not in self.users:
            raise ValueError(f"unknown user {target_id}")
        channel = self._invocation_channel(user_id, guild_id, channel_id)
        cmd = self._find_command(name, 2, channel.guild_id)
        if cmd is None:
            raise ValueError(f"user command {name!r} is not registered")
        reason = self._delivery_block_reason(cmd, user_id, channel)
        if reason is not None:
            return self._undelivered(
                "user_context", name, InteractionType.APPLICATION_COMMAND, user_id, channel, reason
            )
        resolved: dict[str, Any] = {"users": {str(target_id): self.users[target_id].to_payload()}}
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        if guild is not None and target_id in guild.members:
            perms = compute_channel_permissions(guild, channel, target_id)
            resolved["members"] = {
                str(target_id): self.member_payload(
                    guild, target_id, with_user=False, permissions=perms
                )
            }
        data: dict[str, Any] = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": 2,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            kind="user_context",
            name=name,
            user_id=user_id,
            channel=channel,
        )

    async def invoke_component(
        self,
        message: int | StoredMessage,
        custom_id: str,
        *,
        user_id: int,
        values: list[str] | None = None,
    ) -> InteractionResult:
        """A user clicks button ``custom_id`` (or picks ``values`` in a select) on ``message``."""
        msg = message if isinstance(message, StoredMessage) else self.message(int(message))
        if msg.deleted:
            raise ValueError("message was deleted")
        component = next(
            (c for c in _iter_components(msg.components) if c.get("custom_id") == custom_id),
            None,
        )
        if component is None:
            ids = [
                c.get("custom_id") for c in _iter_components(msg.components) if c.get("custom_id")
            ]
            raise ValueError(f"no component {custom_id!r} on message {msg.id} (have {ids})")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if msg.ephemeral:
            owner = self.interaction_by_id(msg.interaction_id or 0)
            if owner is not None and owner.user_id != user_id:
                raise ValueError("only the invoking user can see this ephemeral message")
        source_channel = self.channels[msg.channel_id]
        if source_channel.is_dm and source_channel.recipient_id != user_id:
            raise ValueError(f"user {user_id} cannot see DM channel {source_channel.id}")
        channel = self._invocation_channel(user_id, msg.guild_id, msg.channel_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        return self._dispatch_interaction(
            InteractionType.MESSAGE_COMPONENT,
            data,
            kind="component",
            name=custom_id,
            user_id=user_id,
            channel=channel,
            source_message=msg,
        )

    def _command_names(self) -> list[str]:
        names = {c.name for c in self.global_commands.values()}
        for table in self.guild_commands.values():
            names |= {c.name for c in table.values()}
        return sorted(names)

    # ================================================================== readiness / gateway

    async def wait_until_ready(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        shards: int | None = None,
        shard_ids: Iterable[int] | None = None,
    ) -> None:
        """Wait until the bot has IDENTIFYed and received READY + its GUILD_CREATEs.

        For sharded clients, waits until every shard of the identified shard count (or
        ``shards``) has a ready, connected session; with ``shard_ids`` (one process of
        several, each serving some shards), only until those shards have one.
        """
        wanted = None if shard_ids is None else set(shard_ids)

        def ready() -> bool:
            ready_shards = self.gateway.ready_shards()
            if not ready_shards:
                return False
            if wanted is not None:
                have = {s[0] for s in ready_shards if s is not None and s[1] == (shards or s[1])}
                return wanted <= have
            counts = {s[1] for s in ready_shards if s is not None}
            if not counts and shards is None:
                return True
            total = shards or max(counts)
            have = {s[0] for s in ready_shards if s is not None and s[1] == total}
            return have == set(range(total))

        await self.notifier.wait_for(ready, timeout=timeout, describe="the bot to be ready")

    def gateway_log(self, kind: str | None = None) -> list[GatewayLogEntry]:
        """Gateway happenings (identify, ready, resume, disconnect, ...)."""
        return [e for e in self.gateway.log if kind is None or e.kind == kind]

    async def wait_for_gateway(
        self,
        kind: str,
        count: int = 1,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[GatewayLogEntry]:
        """Wait until ``count`` gateway log entries of ``kind`` exist."""

        def found() -> list[GatewayLogEntry] | None:
            entries = self.gateway_log(kind)
            return entries if len(entries) >= count else None

        return await self.notifier.wait_for(
            found, timeout=timeout, describe=f"{count} gateway {kind!r} event(s)"
        )

    async def gateway_reconnect_request(self, shard_id: int | None = None) -> int:
        """Send op 7 RECONNECT; the client should reconnect and RESUME."""
        return await self.gateway.reconnect_request(shard_id)

    async def gateway_hard_close(self, code: int = 1006, shard_id: int | None = None) -> int:
        """Drop the connection (1006: abort TCP; 4000-4999: close frame with that code)."""
        return await self.gateway.hard_close(code, shard_id)

    async def gateway_invalidate_session(
        self, *, resumable: bool = False, shard_id: int | None = None
    ) -> int:
        """Send op 9 INVALID_SESSION."""
        return await self.gateway.invalidate_session(resumable=resumable, shard_id=shard_id)

    def shard_for_guild(self, guild_id: int, shard_count: int) -> int:
        """The shard a guild's events go to."""
        return shard_of(guild_id, shard_count)

    def sessions(self) -> list[GatewaySession]:
        """Live gateway sessions."""
        return self.gateway.live_sessions()

    # ================================================================== faults

    def inject_rate_limit(
        self,
        method: str,
        path_regex: str,
        *,
        times: int = 1,
        retry_after: float = 0.5,
        is_global: bool = False,
        with_headers: bool = False,
    ) -> RateLimitRule:
        """Answer the next ``times`` matching requests with 429.

        ``path_regex`` is searched in the path after ``/api/v10`` (e.g.
        ``r"^/channels/\\d+/messages$"``); ``method`` may be ``"*"``.
        """
        rule = RateLimitRule(
            method.upper(), re.compile(path_regex), times, retry_after, is_global, with_headers
        )
        self.rate_limits.append(rule)
        return rule

    # ================================================================== problems

    def record_violation(
        self,
        kind: str,
        message: str,
        *,
        method: str = "",
        path: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record something Discord would reject or penalise."""
        self.violations.append(Violation(kind, message, method, path, details or {}))
        self.notifier.notify()

    def expect_violation(self, *kinds: str) -> None:
        """Declare violation kinds this test provokes on purpose (not reported as problems)."""
        self._expected_violations.update(kinds)

    def expect_log_error(self, pattern: str) -> None:
        """Allow discord ERROR log records matching ``pattern`` (regex search)."""
        if self.log_capture is not None:
            self.log_capture.expect(pattern)

    def _on_log_record(self) -> None:
        """Wake waiters when discord logs an error (possibly from another thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.notifier.notify()
        else:
            loop.call_soon_threadsafe(self.notifier.notify)

    async def wait_for_log_error(self, pattern: str = "", *, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """Wait until discord logs an ERROR whose text matches ``pattern``; return the text."""
        capture = self.log_capture
        if capture is None:
            raise RuntimeError("emulator was created with capture_discord_logs=False")
        regex = re.compile(pattern, re.S)

        def found() -> str | None:
            texts = (capture.describe(r) for r in capture.records)
            return next((t for t in texts if regex.search(t)), None)

        return await self.notifier.wait_for(
            found, timeout=timeout, describe=f"a discord ERROR log matching {pattern!r}"
        )

    def violations_of(self, kind: str) -> list[Violation]:
        """Recorded violations of one kind."""
        return [v for v in self.violations if v.kind == kind]

    async def wait_for_violation(self, kind: str, *, timeout: float = 10.0) -> Violation:  # noqa: ASYNC109
        """Wait until a violation of ``kind`` is recorded."""
        return await self.notifier.wait_for(
            lambda: next(iter(self.violations_of(kind)), None),
            timeout=timeout,
            describe=f"a {kind!r} violation",
        )

    def requests_matching(self, method: str, path_regex: str) -> list[RequestRecord]:
        """REST requests whose method and path (after /api/v10) match."""
        pattern = re.compile(path_regex)
        return [
            r
            for r in self.requests
            if r.method == method.upper() and pattern.search(r.path) is not None
        ]

    def problems(self) -> list[str]:
        """Everything that should fail the test: unimplemented routes, emulator errors,
        unexpected violations and unexpected discord ERROR log records."""
        out = [f"unhandled route: {r}" for r in self.unhandled]
        out += [f"emulator error: {e}" for e in self.emulator_errors]
        out += [
            f"violation: {v}" for v in self.violations if v.kind not in self._expected_violations
        ]
        if self.log_capture is not None:
            out += [f"discord logged an error: {t}" for t in self.log_capture.unexpected()]
        return out

    def assert_clean(self) -> None:
        """Raise AssertionError listing :meth:`problems`, if any."""
        problems = self.problems()
        if problems:
            raise AssertionError(
                "Discord emulator found problems:\n" + "\n".join(f"- {p}" for p in problems)
            )


# ====================================================================== helpers


def _redact(payload: dict[str, Any]) -> None:
    """Blank the fields Discord hides without the message content intent."""
    payload["content"] = ""
    payload["embeds"] = []
    payload["attachments"] = []
    payload["components"] = []
    payload.pop("poll", None)


def _normalise_embeds(embeds: Any) -> list[dict[str, Any]]:
    out = []
    for embed in embeds or []:
        item = copy.deepcopy(embed)
        item.setdefault("type", "rich")
        out.append(item)
    return out


def _iter_components(components: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for comp in components:
        yield comp
        yield from _iter_components(comp.get("components") or [])
        if isinstance(comp.get("accessory"), dict):
            yield comp["accessory"]
