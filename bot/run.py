"""Running the bot: ``run_bot`` (what ``python -m bot run`` calls), signals, secrets.

:func:`run_bot` opens the answer store, starts a :class:`~bot.client.QuoteBot` and turns
every start-up failure (no token, a rejected token, Discord out of reach, an unusable
FEEDBACK_DB; a damaged or locked one is recovered instead) into one line on stderr and exit
code 1. :func:`serve` runs the client until SIGINT/SIGTERM (a second signal stops waiting
for questions in flight). The token is redacted from every log record, tracebacks
included. ``DISCORD_API_BASE`` and ``DISCORD_GATEWAY_URL`` point the client at a local
emulator (tests only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping

import discord

from bot.answer_store import FeedbackStoreError
from bot.answer_store_recovery import open_answer_store
from bot.client import QuoteBot
from bot.engine_api import EngineAPI
from bot.settings import Settings

log = logging.getLogger(__name__)

#: Test-only environment variables pointing discord.py at a local emulator.
API_BASE_ENV = "DISCORD_API_BASE"
GATEWAY_URL_ENV = "DISCORD_GATEWAY_URL"


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
            bot.ctx.in_flight.abandon()
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


def run_bot(settings: Settings, engine: EngineAPI) -> int:
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


def _run(settings: Settings, engine: EngineAPI, token: str) -> int:
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
