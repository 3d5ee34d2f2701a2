"""The Discord client: slash commands, direct messages and mentions, on top of the engine.

``python -m bot run`` calls :func:`run_bot`. The client follows discord.py's
``examples/app_commands/basic.py``: a client subclass with a ``CommandTree`` built in
``__init__``, and a ``setup_hook`` that loads the engine (in a worker thread) and syncs the
commands, to ``DEV_GUILD_ID`` when set, otherwise globally.

It is an ``AutoShardedClient`` (Discord requires sharding from 2,500 servers): with no
``SHARD_COUNT`` it asks Discord how many shards to run and runs them all; with
``SHARD_COUNT`` and ``SHARD_IDS`` several processes each serve some shards of one bot. Only
the process owning shard 0 syncs the commands (Discord also sends every DM there), and each
process watches ``INDEX_DIR`` so that a ``/reindex`` in one reaches all of them.

Only non-privileged intents are used: slash commands need none, and Discord delivers the
content of direct messages and of messages that mention the bot without the
message-content intent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.answers import AnswerService
from bot.commands import NO_MENTIONS, NotAdmin, queued_note, register_commands
from bot.embeds import answer_embed, answer_messages, help_text
from bot.feature_commands import register_feature_commands
from bot.features import remember_answer, view_for
from bot.ratelimit import Busy, InFlightLimiter, QuestionGate, RateLimited
from bot.settings import Settings
from bot.store import AnswerStore, FeedbackStoreError, LiveStats
from bot.store_recovery import open_answer_store
from bot.views import DYNAMIC_ITEMS
from index.engine import Engine
from index.errors import EngineError
from index.models import Answer

log = logging.getLogger(__name__)

#: Test-only environment variables pointing discord.py at a local emulator.
API_BASE_ENV = "DISCORD_API_BASE"
GATEWAY_URL_ENV = "DISCORD_GATEWAY_URL"

#: Permissions the invite asks for: answering mentions needs them (slash commands do not).
INVITE_PERMISSIONS = discord.Permissions(
    send_messages=True, embed_links=True, read_message_history=True
)
HELP_WORDS = frozenset({"help", "/help", "!help", "?help", "hi", "hello"})
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again."
#: Estimated seconds in the answer queue from which a user is told the question is queued.
BUSY_NOTE_AFTER = 5.0
#: On shutdown, how long questions already being answered may take to finish and be sent
#: (under the 10 s a process manager such as Docker waits before killing the process).
DRAIN_SECONDS = 8.0
SHUTTING_DOWN = "I'm restarting; please ask again in a minute."
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


class InFlight:
    """Counts the question handlers running, so that shutdown can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count <= 0:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until no handler runs (or ``timeout`` s, or :meth:`abandon`); True if idle."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self.count <= 0

    def abandon(self) -> None:
        """Stop waiting for the handlers still running (a second stop signal)."""
        self._idle.set()


class QuoteTree(app_commands.CommandTree["QuoteBot"]):
    """The command tree; every interaction it runs counts as in flight (see ``close``)."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if self.client.stopping:
            if interaction.type is not discord.InteractionType.autocomplete:  # no messages
                await self.client.send_error(interaction, SHUTTING_DOWN)
            return False
        return True

    async def _call(self, interaction: discord.Interaction) -> None:
        # discord.py runs each interaction as `_call` in a task of its own; wrapping it is
        # the one place that sees a command from its start to its last reply.
        with self.client.in_flight.track():
            await super()._call(interaction)


class QuoteBot(discord.AutoShardedClient):
    """Answers questions about the indexed articles in Discord."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        answer_workers: int = 2,
        per_user_in_flight: int = 3,
        max_pending: int = 500,
        busy_note_after: float = BUSY_NOTE_AFTER,
        clock: Callable[[], float] = time.monotonic,
        drain_seconds: float = DRAIN_SECONDS,
        store: AnswerStore | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("intents", build_intents())
        options.setdefault("allowed_mentions", NO_MENTIONS)
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
        if settings.shard_ids is not None:
            options.setdefault("shard_ids", list(settings.shard_ids))
        super().__init__(**options)
        self.engine = engine
        self.settings = settings
        self.answers = AnswerService(engine, workers=answer_workers, max_pending=max_pending)
        self.limiter = InFlightLimiter(per_user_in_flight)
        self.gate = QuestionGate.from_settings(settings, self.limiter, clock)
        self.busy_note_after = busy_note_after
        self.drain_seconds = drain_seconds
        self.stopping = False
        self.in_flight = InFlight()
        self._drained: asyncio.Future[None] | None = None
        self.tree = QuoteTree(self)
        self.tree.error(self.on_app_command_error)
        register_commands(self)
        register_feature_commands(self)
        #: Saved answers and feedback (FEEDBACK_DB); opened in setup_hook when not given.
        self.store = store
        self.live_stats = LiveStats()
        self.synced: list[app_commands.AppCommand] = []
        self._index_watch: asyncio.Task[None] | None = None

    @property
    def top_k(self) -> int:
        config = getattr(self.engine, "config", None)
        return int(getattr(config, "top_k", self.settings.top_k))

    # ---------------------------------------------------------------- lifecycle
    async def setup_hook(self) -> None:
        """Load the index and model off the event loop, then sync the slash commands."""
        if not self.engine.ready:
            started = time.perf_counter()
            log.info("loading the index and the embedding model…")
            await asyncio.to_thread(self.engine.start, allow_stale=True)
            log.info("engine ready in %.1f s", time.perf_counter() - started)
        if self.store is None:
            self.store = await asyncio.to_thread(open_answer_store, self.settings.feedback_db)
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # buttons of earlier answers work after a restart
        self.start_index_watch()
        if self.settings.syncs_commands:
            await self.sync_commands()
        else:
            log.info(
                "not syncing commands: this process serves shards %s; the one serving shard 0 "
                "syncs them",
                ",".join(map(str, self.settings.shard_ids or ())),
            )

    def start_index_watch(self) -> None:
        """Check INDEX_DIR every ``INDEX_WATCH_SECONDS`` for a build another process
        published (its ``/reindex``), and serve it (see ``Engine.refresh``)."""
        every = self.settings.index_watch_seconds
        refresh = getattr(self.engine, "refresh", None)
        if every <= 0 or not callable(refresh) or self._index_watch is not None:
            return
        self._index_watch = asyncio.create_task(self._watch_index(every), name="index-watch")

    async def _watch_index(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.engine.refresh)
            except Exception:
                log.exception("unexpected error checking INDEX_DIR for a new build")

    async def stop_index_watch(self) -> None:
        task, self._index_watch = self._index_watch, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def sync_commands(self) -> None:
        guild_id = self.settings.dev_guild_id
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
            self._drained = asyncio.ensure_future(self._drain())
        await self._drained
        await self.stop_index_watch()
        await super().close()
        self.answers.close()
        if self.store is not None:
            self.store.close()

    async def _drain(self) -> None:
        self.stopping = True
        if self.in_flight.count <= 0:
            return
        log.info(
            "stopping: finishing %d question(s) in flight (at most %.0f s)",
            self.in_flight.count,
            self.drain_seconds,
        )
        if not await self.in_flight.wait_idle(self.drain_seconds):
            log.warning("stopping with %d question(s) still unanswered", self.in_flight.count)

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
            message = original.message
            log.info("/%s by %s: %s", name, interaction.user.id, message)
        elif isinstance(error, NotAdmin):
            message = str(error)
        elif isinstance(error, app_commands.CheckFailure):
            message = "You can't use this command here."
        elif isinstance(error, app_commands.TransformerError):
            message = "That value is not valid for this command; see /help."
            log.info("/%s by %s: %s", name, interaction.user.id, error)
        elif isinstance(
            error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch
        ):
            message = "That command has just changed; please try again in a minute."
            log.warning("/%s: %s", name, error)
        else:
            message = UNEXPECTED
            log.error("unexpected error in /%s", name, exc_info=original)
        await self.send_error(interaction, message)

    @staticmethod
    async def send_error(interaction: discord.Interaction, message: str) -> None:
        """Send an ephemeral error whether or not the interaction was already answered."""
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    message, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.response.send_message(
                    message, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException as exc:
            log.warning("could not report an error to the user: %s", exc)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Errors escaping event handlers: log them here instead of discord.py's logger."""
        log.exception("unexpected error in %s", event_method)

    # ---------------------------------------------------------------- messages
    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None if the message is not for it.

        Any direct message is a question; in a server, only a message that mentions the
        bot (the mention is removed from the question).
        """
        me = self.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return None
        if message.guild is None:
            return message.content
        if me.id not in message.raw_mentions:
            return None
        return re.sub(rf"<@!?{me.id}>", " ", message.content)

    async def on_message(self, message: discord.Message) -> None:
        if self.question_in(message) is None:
            return
        with self.in_flight.track():
            if self.stopping:
                with contextlib.suppress(discord.HTTPException):
                    await self.send_text(message, [SHUTTING_DOWN])
                return
            await self.answer_message(message)

    async def answer_message(self, message: discord.Message) -> None:
        """Answer a DM or a mention: plain text in DMs, an embed reply in servers."""
        question = self.question_in(message)
        if question is None:
            return
        where = "DM" if message.guild is None else f"channel {message.channel.id}"
        try:
            try:
                with self.gate.admit(message.author.id):
                    if question.strip().lower() in HELP_WORDS:
                        name = self.user.display_name if self.user else "bot"
                        await self.send_text(message, [help_text(name)])
                        return
                    started = time.perf_counter()
                    answer = await self.answer_queued(message, question)
            except RateLimited as exc:
                if not exc.notify:  # already told when to retry: stay quiet, don't amplify
                    log.debug("%s from %s: rate limited again", where, message.author.id)
                    return
                log.info("%s from %s: %s", where, message.author.id, exc)
                await self.send_text(message, [exc.message])
                return
            except (EngineError, Busy) as exc:
                log.info("%s from %s: %s", where, message.author.id, exc)
                await self.send_text(message, [exc.message])
                return
            log.info("%s question from %s: %d quotes", where, message.author.id, len(answer.quotes))
            answer_id = await remember_answer(
                self,
                answer,
                user_id=message.author.id,
                source="dm" if message.guild is None else "mention",
                seconds=time.perf_counter() - started,
                guild_id=message.guild.id if message.guild else None,
                channel_id=message.channel.id,
            )
            view = view_for(answer_id, answer)
            if message.guild is not None and self.can(message, "embed_links"):
                await self.send_reply(message, embed=answer_embed(answer), view=view)
            else:
                await self.send_text(message, answer_messages(answer), view=view)
        except discord.HTTPException as exc:
            log.warning("could not answer a message in %s: %s", where, exc)
        except Exception:
            log.exception("unexpected error answering a message in %s", where)
            with contextlib.suppress(discord.HTTPException):
                await self.send_text(message, [UNEXPECTED])

    async def answer_queued(self, message: discord.Message, question: str) -> Answer:
        """Queue a DM/mention question; if the wait looks long, say it is queued first."""
        ticket = self.answers.submit(question)
        if ticket.estimated_wait >= self.busy_note_after:
            try:
                await self.send_text(message, [queued_note(ticket.estimated_wait)])
            except discord.HTTPException as exc:
                log.warning("could not tell a queued user to wait: %s", exc)
        return await ticket

    def can(self, message: discord.Message, permission: str) -> bool:
        """Whether the bot has ``permission`` in the message's channel (always in DMs)."""
        guild = message.guild
        if guild is None or guild.me is None:
            return True
        channel = message.channel
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return True
        if isinstance(channel, discord.Thread) and permission == "send_messages":
            permission = "send_messages_in_threads"
        return bool(getattr(channel.permissions_for(guild.me), permission))

    async def send_text(
        self, message: discord.Message, chunks: list[str], *, view: discord.ui.View | None = None
    ) -> None:
        """Answer with plain text: in DMs as messages, in servers as a reply, then the rest.
        A ``view`` (the answer's buttons) goes under the last message."""
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        if message.guild is None:
            for number, chunk in enumerate(chunks, start=1):
                last = extra if number == len(chunks) else {}
                await message.channel.send(chunk, allowed_mentions=NO_MENTIONS, **last)
            return
        if not self.can(message, "send_messages"):
            log.warning("no Send Messages permission in channel %s", message.channel.id)
            return
        first, *rest = chunks
        await self.send_reply(message, content=first, view=None if rest else view)
        for number, chunk in enumerate(rest, start=1):
            last = extra if number == len(rest) else {}
            await message.channel.send(chunk, allowed_mentions=NO_MENTIONS, **last)

    async def send_reply(
        self,
        message: discord.Message,
        *,
        content: str | None = None,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """Reply to a server message without pinging anyone (a plain send if replies can't)."""
        if not self.can(message, "send_messages"):
            log.warning("no Send Messages permission in channel %s", message.channel.id)
            return
        reference = None
        if self.can(message, "read_message_history"):  # Discord requires it for replies
            reference = message.to_reference(fail_if_not_exists=False)
        kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS, "reference": reference}
        if reference is not None:
            kwargs["mention_author"] = False
        if embed is not None:
            kwargs["embed"] = embed
        if view is not None:
            kwargs["view"] = view
        await message.channel.send(content, **kwargs)


# -------------------------------------------------------------------- running
def apply_endpoint_overrides(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Point discord.py at another API base / gateway (tests: the local emulator).

    Sets ``discord.http.Route.BASE`` and ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``
    and nothing else. Returns what was changed.
    """
    import discord.gateway
    import discord.http
    import yarl

    env = os.environ if environ is None else environ
    changed: dict[str, str] = {}
    api_base = (env.get(API_BASE_ENV) or "").strip()
    gateway = (env.get(GATEWAY_URL_ENV) or "").strip()
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
        changed[API_BASE_ENV] = discord.http.Route.BASE
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        changed[GATEWAY_URL_ENV] = gateway
    for name, value in changed.items():
        log.warning("%s is set: talking to %s instead of Discord (tests only)", name, value)
    return changed


class RedactToken(logging.Filter):
    """Replace a secret with ``[redacted]`` in log records (message and traceback)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, "[redacted]")
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "[redacted]")
        return True


def install_redaction(secret: str) -> RedactToken:
    """Attach a :class:`RedactToken` to every root handler (and the root logger)."""
    redactor = RedactToken(secret)
    root = logging.getLogger()
    root.addFilter(redactor)
    for handler in root.handlers:
        handler.addFilter(redactor)
    return redactor


def remove_redaction(redactor: RedactToken) -> None:
    root = logging.getLogger()
    root.removeFilter(redactor)
    for handler in root.handlers:
        handler.removeFilter(redactor)


async def serve(bot: QuoteBot, token: str) -> None:
    """Run ``bot`` until it stops or SIGINT/SIGTERM arrives, then close it cleanly."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal() -> None:
        if stop.is_set():  # a second signal: stop waiting for questions in flight
            bot.in_flight.abandon()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal)
    async with bot:
        runner = asyncio.create_task(bot.start(token), name="discord-client")
        stopper = asyncio.create_task(stop.wait(), name="stop-signal")
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            stopper.cancel()
            runner.result()
            return
        log.info("stopping: closing the Discord connection")
        await bot.close()
        try:
            await asyncio.wait_for(runner, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("the client did not stop in time; cancelled it")


def run_bot(settings: Settings, engine: Engine) -> int:
    """Start the bot with ``settings.discord_token``; returns the process exit code."""
    token = settings.discord_token
    if not token:
        print("error: DISCORD_TOKEN is not set", file=sys.stderr)
        return 1
    redactor = install_redaction(token)
    try:
        return _run(settings, engine, token)
    finally:
        remove_redaction(redactor)


def _run(settings: Settings, engine: Engine, token: str) -> int:
    apply_endpoint_overrides()
    where = f"DEV_GUILD_ID {settings.dev_guild_id}" if settings.dev_guild_id else "all servers"
    if settings.shard_ids is not None:
        shards = f"shards {','.join(map(str, settings.shard_ids))} of {settings.shard_count}"
    elif settings.shard_count is not None:
        shards = f"all {settings.shard_count} shards"
    else:
        shards = "the shard count Discord recommends"
    log.info("starting the Discord bot (commands for %s; %s)", where, shards)
    try:
        store = open_answer_store(settings.feedback_db)  # a damaged or locked file: recovered
    except FeedbackStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bot = QuoteBot(engine, settings, store=store)
    try:
        asyncio.run(serve(bot, token))
    except discord.LoginFailure:
        print(
            "error: Discord rejected DISCORD_TOKEN; reset the token in the Developer Portal "
            "(your application, Bot tab, Reset Token) and put the new one in .env",
            file=sys.stderr,
        )
        return 1
    except discord.PrivilegedIntentsRequired:  # pragma: no cover - no privileged intents used
        print("error: Discord refused the requested intents", file=sys.stderr)
        return 1
    except (OSError, discord.GatewayNotFound) as exc:
        print(f"error: cannot reach Discord ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    log.info("bot stopped")
    return 0
