"""Stopping cleanly: count the question handlers running, refuse new ones, wait for the rest.

Every interaction (``QuoteTree._call`` in ``bot/client.py``) and every DM or mention
(``bot/cogs/ask.py``) runs inside :meth:`InFlight.track`. On shutdown :meth:`InFlight.drain`
sets ``stopping`` (new questions are told the bot is restarting) and waits, up to a
deadline, for the answers being worked on to be sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

log = logging.getLogger(__name__)


class InFlight:
    """Counts the question handlers running, so that shutdown can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self.stopping = False
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

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109
        """Refuse new questions from now on; let those in flight finish (up to ``timeout`` s)."""
        self.stopping = True
        if self.count <= 0:
            return
        log.info(
            "stopping: finishing %d question(s) in flight (at most %.0f s)", self.count, timeout
        )
        if not await self.wait_idle(timeout):
            log.warning("stopping with %d question(s) still unanswered", self.count)
