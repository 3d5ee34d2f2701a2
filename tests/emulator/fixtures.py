"""Reusable async context managers for tests that run a bot against the emulator.

These are plain functions (not pytest fixtures) so any conftest can wrap them::

    @pytest.fixture
    async def emu():
        async with running_emulator() as emu:
            yield emu
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Any, TypeVar

import discord

from .emulator import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def running_emulator(
    *,
    allow_violations: Iterable[str] = (),
    allow_log_errors: Iterable[str] = (),
    **options: Any,
) -> AsyncIterator[DiscordEmulator]:
    """Start an emulator, patch discord.py to use it, and check it is clean at exit.

    At exit, raises AssertionError listing unhandled REST routes, emulator internal errors,
    violations (except kinds in ``allow_violations`` or declared with
    ``emu.expect_violation``) and ERROR records of the ``discord`` logger (except those
    matching ``allow_log_errors`` regexes or ``emu.expect_log_error``). If the body
    already raised, the problems are attached to that exception as a note instead.
    ``options`` go to :class:`DiscordEmulator`.
    """
    emu = DiscordEmulator(**options)
    emu.expect_violation(*allow_violations)
    for pattern in allow_log_errors:
        emu.expect_log_error(pattern)
    await emu.start()
    try:
        with emu.patch_discord():
            yield emu
    except BaseException as exc:
        problems = emu.problems()
        if problems:
            exc.add_note("Discord emulator problems:\n" + "\n".join(f"- {p}" for p in problems))
        raise
    finally:
        await emu.close()
    emu.assert_clean()


async def _race(awaitable: Any, task: asyncio.Task[None], what: str, timeout: float) -> None:  # noqa: ASYNC109
    """Await ``awaitable`` unless ``task`` (the client) finishes or fails first."""
    waiter = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait(
            {waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        if not waiter.done():
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await waiter
    if waiter in done:
        waiter.result()
        return
    if task in done:
        exc = task.exception()
        raise AssertionError(f"discord client stopped while waiting for {what}") from exc
    raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}")


@contextlib.asynccontextmanager
async def connected_client(
    emu: DiscordEmulator,
    client: ClientT,
    *,
    timeout: float = 15.0,  # noqa: ASYNC109
    token: str | None = None,
) -> AsyncIterator[ClientT]:
    """Run ``client.start(token)`` in a task, wait until it is ready, close it at exit.

    Ready means the emulator sent READY + GUILD_CREATEs (to the client's ``shard_ids`` only,
    when it has some: one process of several) and discord.py dispatched ``on_ready``
    (which happens ``guild_ready_timeout`` after the last GUILD_CREATE, so give the client
    a small one, e.g. ``guild_ready_timeout=0.05``). If the client dies
    while starting (bad token, disallowed intents, an exception in ``setup_hook``), this
    raises with that exception as the cause.
    """
    task: asyncio.Task[None] = asyncio.create_task(
        client.start(token or emu.token), name="discord-client"
    )
    body_failed = False
    # A client given shard_ids (one process of several) waits for its own shards only.
    shard_ids = getattr(client, "shard_ids", None)
    try:
        await _race(
            emu.wait_until_ready(timeout, shard_ids=shard_ids),
            task,
            "the emulator to see READY",
            timeout,
        )
        await _race(client.wait_until_ready(), task, "discord.py on_ready", timeout)
        yield client
    except BaseException:
        body_failed = True
        raise
    finally:
        await client.close()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=10.0)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if not body_failed:
                raise AssertionError("discord client did not stop within 10s of close()") from None
        except Exception:
            # Already reported through _race (or the body's own failure) when body_failed.
            if not body_failed:
                raise
