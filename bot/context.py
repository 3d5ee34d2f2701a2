"""The bot's context: what every cog, button and the answer flow share.

One :class:`BotContext` per client: the engine (``bot/engine_api.py``), the settings, the
runtime limits (``bot/limits.py``), the answer queue, the per-user gate, the answer store
and statistics, and the in-flight counter used on shutdown. It sits at the bottom of the
Discord layer: it imports no Discord client and nothing that does, so every module above
it can take a context without an import cycle. Buttons reach it from an interaction with
:func:`context_of`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.answer_queue import AnswerService
from bot.answer_store import AnswerStore, LiveStats
from bot.answer_store_recovery import open_answer_store
from bot.drain import InFlight
from bot.engine_api import EngineAPI
from bot.limits import Limits
from bot.ratelimit import InFlightLimiter, QuestionGate
from bot.settings import Settings
from index.collections import CollectionLimits, Library

log = logging.getLogger(__name__)


@dataclass(eq=False)
class BotContext:
    """Engine, settings, limits, queue, gate, stores and shutdown state of one bot."""

    engine: EngineAPI
    settings: Settings
    limits: Limits
    answers: AnswerService
    gate: QuestionGate
    in_flight: InFlight = field(default_factory=InFlight)
    live_stats: LiveStats = field(default_factory=LiveStats)
    #: Saved answers and feedback (FEEDBACK_DB); None until :meth:`open_store`.
    store: AnswerStore | None = None
    #: The default articles and each server's own (``index/collections.py``).
    library: Library | None = None

    @classmethod
    def create(
        cls,
        engine: EngineAPI,
        settings: Settings,
        *,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        store: AnswerStore | None = None,
        library: Library | None = None,
    ) -> BotContext:
        limits = limits or Limits()
        if library is None:
            library = Library(
                engine,  # type: ignore[arg-type]  (any EngineAPI serves the defaults)
                settings.collections,
                limits=CollectionLimits(settings.server_max_articles, settings.server_max_bytes),
            )
        limiter = InFlightLimiter(limits.per_user_in_flight)
        return cls(
            engine=engine,
            settings=settings,
            limits=limits,
            answers=AnswerService(
                engine, workers=limits.answer_workers, max_pending=limits.max_pending
            ),
            gate=QuestionGate.from_settings(settings, limiter, clock),
            store=store,
            library=library,
        )

    def engine_for(self, guild_id: int | None) -> EngineAPI:
        """The engine answering in ``guild_id`` (None: a DM): the default articles plus
        that server's own, and nothing of any other server."""
        if self.library is None:
            return self.engine
        return self.library.scope(guild_id)  # type: ignore[return-value]

    def links(self, guild_id: int | None) -> dict[str, str]:
        """``{article id: link}`` for the articles ``guild_id`` sees that were added from a
        link (``/add url:``); empty when they cannot be read (an answer never fails for it)."""
        if self.library is None:
            return {}
        try:
            return self.library.sources(guild_id)
        except (OSError, ValueError) as exc:
            log.warning("article links cannot be read: %s", exc)
            return {}

    @property
    def top_k(self) -> int:
        """Quotes per answer, as the engine was configured (TOP_K)."""
        return self.engine.config.top_k

    @property
    def limiter(self) -> InFlightLimiter:
        """The per-user cap on questions in flight (inside the gate)."""
        return self.gate.in_flight

    def open_store(self) -> None:
        """Open FEEDBACK_DB unless a store was given (blocking: call it in a thread); a
        damaged or locked file is recovered (``bot/answer_store_recovery.py``)."""
        if self.store is None:
            self.store = open_answer_store(self.settings.feedback_db)

    def close(self) -> None:
        """Fail queued questions and close the store (after the client disconnected)."""
        self.answers.close()
        if self.store is not None:
            self.store.close()


@runtime_checkable
class HasContext(Protocol):
    """A client that carries a :class:`BotContext` (``bot.client.QuoteBot``)."""

    ctx: BotContext


def context_of(client: object) -> BotContext:
    """The context of the client an interaction arrived on (``interaction.client``)."""
    if not isinstance(client, HasContext):
        raise TypeError(f"{type(client).__name__} carries no BotContext")
    return client.ctx
