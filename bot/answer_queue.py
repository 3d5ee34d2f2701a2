"""Answer questions off the event loop, batching the ones that arrive together.

``engine.ask`` is blocking CPU work (embedding + ranking). ``AnswerService`` runs it in a
small dedicated thread pool so the event loop stays free to acknowledge interactions
within Discord's 3-second deadline. While every worker is busy, new questions queue up;
a free worker takes all waiting questions (up to ``max_batch``) and answers them with one
``engine.ask_many`` call, which embeds them in one batch: about three times the throughput
of answering them one by one, and no added delay when the bot is idle.

The queue is bounded (``max_pending``): a flood is refused with "try again in N s" instead
of growing memory without limit. :meth:`AnswerService.submit` returns a :class:`Ticket`
with an estimate of the wait (from the measured seconds per question), so the caller can
tell a user at the back of a long queue that the question is queued.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections import deque
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.engine_api import EngineAPI
from bot.ratelimit import Busy
from bot.render.wording import BATCH_CANCELLED, QUEUE_CLOSED, too_busy
from index.models import Answer
from index.retrieval.retriever import validate_question

log = logging.getLogger(__name__)

Outcome = Answer | Exception

#: Seconds per question assumed before any batch has been timed.
INITIAL_SECONDS_PER_QUESTION = 0.05
#: Weight of the newest batch in the moving average of seconds per question.
EWMA_WEIGHT = 0.2
#: The shortest "try again in N s" a full queue suggests.
MIN_RETRY_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Ticket:
    """A queued question: await it for the answer. ``ahead`` questions were waiting before
    it; ``estimated_wait`` is the expected seconds until its answer."""

    future: asyncio.Future[Answer]
    ahead: int
    estimated_wait: float

    def __await__(self) -> Generator[object, None, Answer]:
        return self.future.__await__()


#: A queued question: its text, its article filter (or None) and where its answer goes.
Job = tuple[str, "str | None", "asyncio.Future[Answer]", "EngineAPI"]


class AnswerService:
    """Answers questions in worker threads, in batches; one per event loop."""

    def __init__(
        self,
        engine: EngineAPI,
        *,
        workers: int = 2,
        max_batch: int = 16,
        max_pending: int = 500,
    ) -> None:
        if workers < 1 or max_batch < 1:
            raise ValueError("workers and max_batch must be at least 1")
        self.engine = engine
        self.workers = workers
        self.max_batch = max_batch
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answers")
        self._queue: deque[Job] = deque()
        self._running = 0
        self._closed = False
        self._in_batches = 0  # questions in the batches running now
        self.seconds_per_question = INITIAL_SECONDS_PER_QUESTION
        self._timed_big_batch = False
        self.batches = 0
        self.answered = 0
        self.refused = 0
        self.peak_pending = 0

    @property
    def pending(self) -> int:
        return len(self._queue)

    def estimated_wait(self, ahead: int | None = None) -> float:
        """Seconds until a question with ``ahead`` questions before it (default: one asked
        now) is answered: the questions in progress and ahead of it, then itself, shared
        between the workers at the measured seconds per question."""
        ahead = len(self._queue) if ahead is None else ahead
        return (self._in_batches + ahead + 1) * self.seconds_per_question / self.workers

    async def ask(
        self, question: str, article: str | None = None, engine: EngineAPI | None = None
    ) -> Answer:
        """Answer one question; raises ``InvalidQuestion`` at once for a bad one."""
        return await self.submit(question, article, engine)

    def submit(
        self, question: str, article: str | None = None, engine: EngineAPI | None = None
    ) -> Ticket:
        """Queue one question (from the event loop) and return its :class:`Ticket`.

        With ``article``, only that article's sentences may be quoted (an unknown article
        fails the ticket with the engine's ``UnknownArticle``). ``engine`` is the one to
        ask (a server's collection; default: the service's); a batch asks one engine.

        Raises ``InvalidQuestion`` at once for a bad question, and :class:`Busy` when
        shutting down or when ``max_pending`` questions are already waiting.
        """
        validate_question(question)
        if self._closed:
            raise Busy(QUEUE_CLOSED)
        ahead = len(self._queue)
        if ahead >= self.max_pending:
            self.refused += 1
            retry = max(MIN_RETRY_SECONDS, math.ceil(self.estimated_wait(ahead)))
            raise Busy(too_busy(retry))
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        self._queue.append((question, article, future, engine or self.engine))
        self.peak_pending = max(self.peak_pending, len(self._queue))
        wait = self.estimated_wait(ahead)
        self._dispatch(loop)
        return Ticket(future, ahead, wait)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._running < self.workers and self._queue and not self._closed:
            batch: list[Job] = []
            while self._queue and len(batch) < self.max_batch:
                if batch and self._queue[0][3] is not batch[0][3]:
                    break  # another server's collection: the next batch
                item = self._queue.popleft()
                if not item[2].done():  # skip questions whose asker went away
                    batch.append(item)
            if not batch:
                continue
            self._running += 1
            self._in_batches += len(batch)
            job = loop.run_in_executor(
                self._executor,
                self._timed,
                [q for q, _, _, _ in batch],
                [a for _, a, _, _ in batch],
                batch[0][3],
            )
            job.add_done_callback(functools.partial(self._finished, loop, batch))

    def _timed(
        self,
        questions: list[str],
        articles: list[str | None] | None = None,
        engine: EngineAPI | None = None,
    ) -> tuple[list[Outcome], float]:
        """Worker thread: the outcomes and the seconds they took (timed here, so a busy
        event loop does not inflate the measure)."""
        started = time.perf_counter()
        outcomes = self._answer(questions, articles, engine or self.engine)
        return outcomes, time.perf_counter() - started

    def _answer(
        self,
        questions: list[str],
        articles: list[str | None] | None = None,
        engine: EngineAPI | None = None,
    ) -> list[Outcome]:
        """Worker thread: one batched call; on failure, one call per question."""
        engine = engine or self.engine
        filtered = articles is not None and any(a is not None for a in articles)
        try:
            return list(engine.ask_many(questions, articles if filtered else None))
        except Exception as exc:
            if len(questions) == 1:
                return [exc]
        outcomes: list[Outcome] = []
        for question, article in zip(questions, articles or [None] * len(questions), strict=True):
            try:
                outcomes.append(engine.ask(question, article))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    def _finished(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[Job],
        job: asyncio.Future[tuple[list[Outcome], float]],
    ) -> None:
        self._running -= 1
        self._in_batches -= len(batch)
        self.batches += 1
        if job.cancelled():
            outcomes: list[Outcome] = [Busy(BATCH_CANCELLED)] * len(batch)
        elif job.exception() is not None:
            error = job.exception()
            assert isinstance(error, Exception)
            outcomes = [error] * len(batch)
        else:
            outcomes, seconds = job.result()
            self._measure(len(batch), seconds)
        for (_, _, future, _), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                self.answered += 1
                future.set_result(outcome)
        self._dispatch(loop)

    def _measure(self, size: int, seconds: float) -> None:
        """Update the seconds per question. Waits are long only when the queue is long, and
        then batches are full, where a question costs less than alone (one embedding pass
        for the batch): so once a big batch has been timed, only big batches count."""
        big = size >= max(1, self.max_batch // 2)
        if big or not self._timed_big_batch:
            per_question = seconds / size
            self.seconds_per_question += EWMA_WEIGHT * (per_question - self.seconds_per_question)
            self._timed_big_batch |= big

    def close(self) -> None:
        """Refuse new questions, fail queued ones, and let running batches finish."""
        self._closed = True
        while self._queue:
            _, _, future, _ = self._queue.popleft()
            if not future.done():
                future.set_exception(Busy(QUEUE_CLOSED))
        self._executor.shutdown(wait=False, cancel_futures=True)
