"""bot/drain.py: shutdown waits for the handlers in flight, up to a deadline, and a second
stop signal stops waiting. With a real client: test_e2e_faults.py, test_e2e_sigterm.py."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.drain import InFlight


async def test_a_second_stop_signal_stops_waiting() -> None:
    """SIGINT/SIGTERM twice: the drain gives up at once (``serve`` calls ``abandon``)."""
    in_flight = InFlight()
    with in_flight.track():
        waiting = asyncio.create_task(in_flight.wait_idle(30))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        in_flight.abandon()
        assert await asyncio.wait_for(waiting, 1) is False  # not idle: it gave up
    assert await in_flight.wait_idle(0) is True


async def test_drain_refuses_new_work_and_waits_for_the_rest() -> None:
    in_flight = InFlight()
    with in_flight.track():
        drained = asyncio.create_task(in_flight.drain(30))
        await asyncio.sleep(0.05)
        assert in_flight.stopping
        assert not drained.done()
    await asyncio.wait_for(drained, 1)  # the last handler finished: the drain ends


async def test_drain_gives_up_at_its_deadline(caplog: pytest.LogCaptureFixture) -> None:
    in_flight = InFlight()
    with in_flight.track(), caplog.at_level(logging.WARNING, logger="bot.drain"):
        await in_flight.drain(0.05)
    assert "stopping with 1 question(s) still unanswered" in caplog.text
