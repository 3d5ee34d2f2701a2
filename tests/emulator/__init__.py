"""A local Discord emulator (REST API v10 + gateway) for end-to-end tests of discord.py bots.

Typical use::

    from tests.emulator.fixtures import connected_client, running_emulator

    async with running_emulator() as emu:
        guild = emu.add_guild("Newsroom")
        user = emu.add_user("alice")
        emu.add_member(guild.id, user.id)
        async with connected_client(emu, make_bot()):
            result = await emu.invoke_slash("ask", {"question": "..."}, user_id=user.id,
                                            guild_id=guild.id)
            reply = await result.reply()
"""

from .emulator import CommandPut, DiscordEmulator
from .gateway import GatewayLogEntry, GatewaySession
from .interactions import CallbackRecord, CallbackType, InteractionResult, InteractionType
from .rest import RateLimitRule, RequestRecord
from .state import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    ChannelType,
    CommandPermission,
    EmulatorTimeout,
    Guild,
    Intent,
    Member,
    MessageFlag,
    Perm,
    PermissionOverwrite,
    Role,
    StoredMessage,
    User,
    Violation,
)

__all__ = [
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "CallbackRecord",
    "CallbackType",
    "Channel",
    "ChannelType",
    "CommandPermission",
    "CommandPut",
    "DiscordEmulator",
    "EmulatorTimeout",
    "GatewayLogEntry",
    "GatewaySession",
    "Guild",
    "Intent",
    "InteractionResult",
    "InteractionType",
    "Member",
    "MessageFlag",
    "Perm",
    "PermissionOverwrite",
    "RateLimitRule",
    "RequestRecord",
    "Role",
    "StoredMessage",
    "User",
    "Violation",
]
