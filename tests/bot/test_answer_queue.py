"""bot/answer_queue.py: batching questions that wait for a worker, the bounded queue, the
wait estimate and "try again in N s", and what a failing batch or a cancelled question does."""

from __future__ import annotations

import asyncio
import threading

import pytest
from botkit import StubEngine

from bot.answer_queue import AnswerService
from bot.ratelimit import Busy
from index.errors import InvalidQuestion, NotReady
from index.models import Answer


class SlowEngine(StubEngine):
    """Records batches; each call waits until the test releases it."""

    def __init__(self, fail_batches: bool = False) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.fail_batches = fail_batches

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        self.batches.append(list(questions))
        self.started.set()
        self.release.wait(5)
        if self.fail_batches and len(questions) > 1:
            raise RuntimeError("batch failed")
        return [self._answer(q) for q in questions]

    def ask(self, question: str, article: str | None = None) -> Answer:
        self.batches.append([question])
        return self._answer(question)

    def _answer(self, question: str) -> Answer:
        if "boom" in question:
            raise NotReady("The index is still loading; try again in a moment.")
        return Answer(question, False)


async def test_questions_waiting_for_a_worker_are_batched() -> None:
    engine = SlowEngine()
    service = AnswerService(engine, workers=1, max_batch=8)
    first = asyncio.ensure_future(service.ask("first question"))
    assert await asyncio.to_thread(engine.started.wait, 5)
    rest = [asyncio.ensure_future(service.ask(f"question {n}")) for n in range(10)]
    await asyncio.sleep(0)
    assert service.pending == 10
    engine.release.set()
    answers = await asyncio.gather(first, *rest)
    assert [a.question for a in answers] == ["first question"] + [
        f"question {n}" for n in range(10)
    ]
    assert [len(batch) for batch in engine.batches] == [1, 8, 2]
    assert service.answered == 11
    service.close()


async def test_invalid_question_fails_fast_without_a_worker() -> None:
    engine = SlowEngine()
    service = AnswerService(engine)
    with pytest.raises(InvalidQuestion):
        await service.ask("   ")
    with pytest.raises(InvalidQuestion):
        await service.ask("?" * 301)
    assert engine.batches == []
    service.close()


async def test_a_failing_batch_is_retried_one_by_one() -> None:
    engine = SlowEngine(fail_batches=True)
    service = AnswerService(engine, workers=1)
    engine.release.set()
    blocker = asyncio.ensure_future(service.ask("first"))
    others = [asyncio.ensure_future(service.ask(q)) for q in ("ok one", "boom two", "ok three")]
    results = await asyncio.gather(blocker, *others, return_exceptions=True)
    assert results[0].question == "first"
    assert results[1].question == "ok one"
    assert isinstance(results[2], NotReady)
    assert results[3].question == "ok three"
    assert [len(batch) for batch in engine.batches[:2]] == [1, 3]  # then one by one
    service.close()


async def test_queue_is_bounded_and_close_fails_waiting_questions() -> None:
    engine = SlowEngine()
    service = AnswerService(engine, workers=1, max_pending=2)
    running = asyncio.ensure_future(service.ask("running"))
    assert await asyncio.to_thread(engine.started.wait, 5)
    waiting = [asyncio.ensure_future(service.ask(f"waiting {n}")) for n in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Busy, match=r"too many questions .* try again in \d+ s"):
        await service.ask("one too many")
    service.close()
    for future in waiting:
        with pytest.raises(Busy, match="shutting down"):
            await future
    with pytest.raises(Busy):
        await service.ask("after close")
    engine.release.set()
    assert (await running).question == "running"  # the running batch still finishes


async def test_a_cancelled_question_is_skipped() -> None:
    engine = SlowEngine()
    service = AnswerService(engine, workers=1)
    running = asyncio.ensure_future(service.ask("running"))
    assert await asyncio.to_thread(engine.started.wait, 5)
    gone = asyncio.ensure_future(service.ask("gone"))
    kept = asyncio.ensure_future(service.ask("kept"))
    await asyncio.sleep(0)
    gone.cancel()
    engine.release.set()
    assert (await kept).question == "kept"
    await running
    assert engine.batches == [["running"], ["kept"]]
    service.close()


# ---------------------------------------------------------------- the wait estimate
class HeldEngine(StubEngine):
    """ask_many blocks until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        self.started.set()
        self.release.wait(5)
        return [Answer(q, False) for q in questions]

    def ask(self, question: str, article: str | None = None) -> Answer:
        return self.ask_many([question])[0]


async def test_tickets_estimate_the_wait_from_the_queue() -> None:
    engine = HeldEngine()
    service = AnswerService(engine, workers=1, max_pending=3)
    service.seconds_per_question = 2.0  # as if measured
    first = service.submit("running")
    assert (first.ahead, first.estimated_wait) == (0, 2.0)  # answered as soon as it runs
    assert await asyncio.to_thread(engine.started.wait, 5)
    second = service.submit("queued one")
    third = service.submit("queued two")
    assert (second.ahead, second.estimated_wait) == (0, 4.0)  # behind the running question
    assert (third.ahead, third.estimated_wait) == (1, 6.0)
    service.submit("queued three")
    with pytest.raises(Busy) as caught:  # full: how long until the queue has drained
        service.submit("one too many")
    assert caught.value.message == (
        "I'm answering too many questions right now; please try again in 10 s."
    )
    assert (service.refused, service.peak_pending) == (1, 3)
    engine.release.set()
    answers = await asyncio.gather(first, second, third)
    assert [a.question for a in answers] == ["running", "queued one", "queued two"]
    assert service.seconds_per_question != 2.0  # measured from the batches just run
    service.close()


async def test_a_short_queue_suggests_a_short_retry() -> None:
    engine = HeldEngine()
    service = AnswerService(engine, workers=2, max_pending=0)
    with pytest.raises(Busy, match=r"try again in 5 s\.$"):  # never less than 5 s
        service.submit("anything")
    service.close()
