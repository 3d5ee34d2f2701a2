"""The Discord client: loads the engine and the cogs, syncs the commands, stops cleanly.

``python -m bot run`` calls ``bot.run.run_bot``, which runs a :class:`QuoteBot`. The
client follows discord.py's ``examples/app_commands/basic.py``: the command tree is built
in ``__init__`` (:class:`QuoteTree`) and ``setup_hook`` loads the engine (in a worker
thread), opens the answer store, adds the cogs (``bot/cogs/``) and syncs the commands, to
``DEV_GUILD_ID`` when set, otherwise globally. It is a ``commands.AutoShardedBot`` only to
host the cogs: there are no prefix commands, and messages are handled by the ask cog.

Sharding (Discord requires it from 2,500 servers): with no ``SHARD_COUNT`` the client asks
Discord how many shards to run and runs them all; with ``SHARD_COUNT`` and ``SHARD_IDS``
several processes each serve some shards of one bot. Only the process owning shard 0
syncs the commands (Discord also sends every DM there), and each process watches
``INDEX_DIR`` so that a ``/reindex`` in one reaches all of them.

Only non-privileged intents are used: slash commands need none, and Discord delivers the
content of direct messages and of messages that mention the bot without the
message-content intent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer_store import AnswerStore
from bot.buttons import DYNAMIC_ITEMS
from bot.cogs.admin import AdminCog, NotAdmin
from bot.cogs.ask import AskCog
from bot.cogs.base import QuoteCog
from bot.cogs.info import InfoCog
from bot.cogs.sources import SourcesCog
from bot.context import BotContext
from bot.engine_api import EngineAPI
from bot.limits import Limits
from bot.ratelimit import Busy
from bot.render.wording import (
    BAD_VALUE,
    COMMAND_CHANGED,
    NOT_HERE,
    SHUTTING_DOWN,
    UNEXPECTED,
    refusal,
)
from bot.replies import NO_MENTIONS, respond
from bot.settings import Settings
from index.errors import EngineError

log = logging.getLogger(__name__)

#: The command groups, in the order their commands are registered.
COGS: tuple[type[QuoteCog], ...] = (AskCog, InfoCog, AdminCog, SourcesCog)
#: Permissions the invite asks for: answering mentions needs them (slash commands do not).
INVITE_PERMISSIONS = discord.Permissions(
    send_messages=True, embed_links=True, read_message_history=True
)
#: Discord's codes for an interaction that can no longer be answered: Unknown interaction
#: (not acknowledged within 3 s) and Invalid Webhook Token (its 15 minutes are over).
EXPIRED_INTERACTION = frozenset({10062, 50027})


def build_intents() -> discord.Intents:
    """Default intents without any privileged one (no message content, members, presences)."""
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    intents.dm_messages = True
    intents.guild_messages = True
    return intents


class QuoteTree(app_commands.CommandTree["QuoteBot"]):
    """The command tree; every interaction it runs counts as in flight (see ``close``)."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if self.client.ctx.in_flight.stopping:
            if interaction.type is not discord.InteractionType.autocomplete:  # no messages
                await self.client.send_error(interaction, SHUTTING_DOWN)
            return False
        return True

    async def _call(self, interaction: discord.Interaction) -> None:
        # discord.py runs each interaction as `_call` in a task of its own; wrapping it is
        # the one place that sees a command from its start to its last reply.
        with self.client.ctx.in_flight.track():
            await super()._call(interaction)


class QuoteBot(commands.AutoShardedBot):
    """Answers questions about the indexed articles in Discord."""

    def __init__(
        self,
        engine: EngineAPI,
        settings: Settings,
        *,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        store: AnswerStore | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("intents", build_intents())
        options.setdefault("allowed_mentions", NO_MENTIONS)
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
        if settings.shard_ids is not None:
            options.setdefault("shard_ids", list(settings.shard_ids))
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: no prefix commands
            help_command=None,
            tree_cls=QuoteTree,
            **options,
        )
        #: Everything the cogs, buttons and the answer flow share.
        self.ctx = BotContext.create(engine, settings, limits=limits, clock=clock, store=store)
        self.tree.error(self.on_app_command_error)
        self.synced: list[app_commands.AppCommand] = []
        self._index_watch: asyncio.Task[None] | None = None
        self._drained: asyncio.Future[None] | None = None

    # ---------------------------------------------------------------- lifecycle
    async def setup_hook(self) -> None:
        """Load the index and model off the event loop, add the cogs, sync the commands."""
        engine = self.ctx.engine
        if not engine.ready:
            started = time.perf_counter()
            log.info("loading the index and the embedding model…")
            await asyncio.to_thread(engine.start, allow_stale=True)
            log.info("engine ready in %.1f s", time.perf_counter() - started)
        library = self.ctx.library
        if library is not None:
            await asyncio.to_thread(library.start)  # every server's own articles
        await asyncio.to_thread(self.ctx.open_store)
        await self.add_cogs()
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # buttons of earlier answers work after a restart
        self.start_index_watch()
        if self.ctx.settings.syncs_commands:
            await self.sync_commands()
        else:
            log.info(
                "not syncing commands: this process serves shards %s; the one serving shard 0 "
                "syncs them",
                ",".join(map(str, self.ctx.settings.shard_ids or ())),
            )

    async def add_cogs(self) -> None:
        """Add every command group (``bot/cogs/``) to this client and its tree."""
        for cog in COGS:
            await self.add_cog(cog(self, self.ctx))

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: questions in messages are the ask cog's (a listener)."""

    def start_index_watch(self) -> None:
        """Check INDEX_DIR every ``INDEX_WATCH_SECONDS`` for a build another process
        published (its ``/reindex``), and serve it (see ``Engine.refresh``)."""
        every = self.ctx.settings.index_watch_seconds
        if every <= 0 or self._index_watch is not None:
            return
        self._index_watch = asyncio.create_task(self._watch_index(every), name="index-watch")

    async def _watch_index(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                refresh = self.ctx.library.refresh if self.ctx.library else self.ctx.engine.refresh
                await asyncio.to_thread(refresh)
            except Exception:
                log.exception("unexpected error checking INDEX_DIR for a new build")

    async def stop_index_watch(self) -> None:
        task, self._index_watch = self._index_watch, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def sync_commands(self) -> None:
        guild_id = self.ctx.settings.dev_guild_id
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                self.synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to DEV_GUILD_ID %s", len(self.synced), guild_id)
            else:
                self.synced = await self.tree.sync()
                log.info(
                    "synced %d global commands (new ones can take a while to show; set "
                    "DEV_GUILD_ID to see changes at once in one server)",
                    len(self.synced),
                )
        except discord.Forbidden as exc:
            if not guild_id:
                raise
            log.error(
                "cannot sync commands to DEV_GUILD_ID %s (%s): the bot is not in that server, "
                "or was invited without the applications.commands scope (see docs/discord.md); "
                "running without (re)registering its commands",
                guild_id,
                exc.text or exc.status,
            )

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from a server (or the server deleted): delete its articles
        and their index (the log says how many)."""
        library = self.ctx.library
        if library is None:
            return
        try:
            await asyncio.to_thread(library.drop, guild.id)
        except OSError as exc:
            log.warning("server %s: could not delete its articles: %s", guild.id, exc)

    async def on_ready(self) -> None:
        user = self.user
        if user is None:
            return
        log.info(
            "connected as %s (id %s) in %d server(s), shard(s) %s of %s",
            user,
            user.id,
            len(self.guilds),
            ",".join(str(shard_id) for shard_id in sorted(self.shards)),
            self.shard_count,
        )
        log.info(
            "invite link: %s",
            discord.utils.oauth_url(
                user.id,
                permissions=INVITE_PERMISSIONS,
                scopes=("bot", "applications.commands"),
            ),
        )

    async def close(self) -> None:
        """Stop taking questions, let those in flight finish (up to ``drain_seconds``),
        then disconnect. Calls while draining wait for the same drain."""
        if self._drained is None:
            self._drained = asyncio.ensure_future(
                self.ctx.in_flight.drain(self.ctx.limits.drain_seconds)
            )
        await self._drained
        await self.stop_index_watch()
        await super().close()
        self.ctx.close()

    # ---------------------------------------------------------------- errors
    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The tree's one error handler: short ephemeral messages, tracebacks in the log."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        name = interaction.command.name if interaction.command else "?"
        if isinstance(original, discord.HTTPException) and original.code in EXPIRED_INTERACTION:
            log.warning(
                "/%s by %s: the interaction expired before the reply was sent (%s)",
                name,
                interaction.user.id,
                original.text or original.status,
            )
            return  # nothing can be sent to that interaction any more
        if isinstance(original, EngineError | Busy):
            message = refusal(original)
            log.info("/%s by %s: %s", name, interaction.user.id, message)
        elif isinstance(error, NotAdmin):
            message = str(error)
        elif isinstance(error, app_commands.CheckFailure):
            message = NOT_HERE
        elif isinstance(error, app_commands.TransformerError):
            message = BAD_VALUE
            log.info("/%s by %s: %s", name, interaction.user.id, error)
        elif isinstance(
            error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch
        ):
            message = COMMAND_CHANGED
            log.warning("/%s: %s", name, error)
        else:
            message = UNEXPECTED
            log.error("unexpected error in /%s", name, exc_info=original)
        await self.send_error(interaction, message)

    @staticmethod
    async def send_error(interaction: discord.Interaction, message: str) -> None:
        """Send an ephemeral error whether or not the interaction was already answered."""
        try:
            await respond(interaction, message)
        except discord.HTTPException as exc:
            log.warning("could not report an error to the user: %s", exc)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Errors escaping event handlers: log them here instead of discord.py's logger."""
        log.exception("unexpected error in %s", event_method)
