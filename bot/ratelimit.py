"""Back-pressure and abuse limits for questions, per user.

Two limits, both per user and counting slash commands, DMs and mentions together:

- :class:`RateLimiter`: at most ``RATE_LIMIT_QUESTIONS`` questions in any
  ``RATE_LIMIT_SECONDS`` (a sliding window). A question over the limit is refused with
  :class:`RateLimited`, which says when to try again.
- :class:`InFlightLimiter`: at most a few questions waiting for an answer at a time, so one
  account cannot fill the answer queue and delay everyone else.

:class:`QuestionGate` applies both, in that order. Every question the gate lets through
counts against the rate limit, including one then refused by the in-flight cap, so a user
gets at most ``RATE_LIMIT_QUESTIONS`` answers or refusals per window plus one "slow down"
note (:attr:`RateLimited.notify` is true for the first refusal of a cooldown only; DMs and
mentions stay silent after it, so a flood of mentions cannot make the bot flood a channel).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING

from bot.render.wording import too_fast, too_many_waiting

if TYPE_CHECKING:
    from bot.settings import Settings


class Busy(Exception):
    """A question was refused for now; ``message`` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RateLimited(Busy):
    """The user asked too often; ``retry_after`` seconds until a question is accepted again.

    ``notify`` is true for the first refusal of a cooldown (tell the user when to retry) and
    false for the ones after it (the user was already told).
    """

    def __init__(self, retry_after: float, questions: int, seconds: float, notify: bool) -> None:
        self.retry_after = retry_after
        self.notify = notify
        super().__init__(too_fast(questions, seconds, max(1, math.ceil(retry_after))))


class RateLimiter:
    """At most ``questions`` per user in any ``seconds`` (sliding window), on one event loop.

    ``clock`` is injectable for tests (default ``time.monotonic``). Users idle for a whole
    window are forgotten, so memory stays proportional to the users active in the last
    window.
    """

    SWEEP_EVERY = 1024  # acquisitions between sweeps of idle users

    def __init__(
        self, questions: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if questions < 1 or seconds <= 0:
            raise ValueError("questions must be at least 1 and seconds positive")
        self.questions = questions
        self.seconds = seconds
        self.clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._told_until: dict[int, float] = {}
        self._since_sweep = 0

    def __len__(self) -> int:
        """Users currently remembered."""
        return len(self._asked)

    def retry_after(self, user_id: int) -> float:
        """Seconds until ``user_id`` may ask again (0 if now)."""
        now = self.clock()
        times = self._asked.get(user_id)
        if times is None:
            return 0.0
        self._expire(times, now)
        if len(times) < self.questions:
            return 0.0
        return max(0.0, times[0] + self.seconds - now)

    def acquire(self, user_id: int) -> None:
        """Count one question for ``user_id``, or raise :class:`RateLimited` (not counted)."""
        now = self.clock()
        self._since_sweep += 1
        if self._since_sweep >= self.SWEEP_EVERY:
            self.sweep(now)
        times = self._asked.setdefault(user_id, deque())
        self._expire(times, now)
        if len(times) >= self.questions:
            retry = max(0.0, times[0] + self.seconds - now)
            notify = self._told_until.get(user_id, -math.inf) <= now
            if notify:
                self._told_until[user_id] = now + retry
            raise RateLimited(retry, self.questions, self.seconds, notify)
        times.append(now)

    def _expire(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.seconds:
            times.popleft()

    def sweep(self, now: float | None = None) -> None:
        """Forget users with no question in the last window."""
        now = self.clock() if now is None else now
        self._since_sweep = 0
        for user_id in [u for u, t in self._asked.items() if not t or t[-1] <= now - self.seconds]:
            del self._asked[user_id]
        for user_id in [u for u, until in self._told_until.items() if until <= now]:
            del self._told_until[user_id]


class InFlightLimiter:
    """Counts questions in flight per user (used from the event loop only)."""

    def __init__(self, per_user: int = 3) -> None:
        if per_user < 1:
            raise ValueError("per_user must be at least 1")
        self.per_user = per_user
        self._counts: Counter[int] = Counter()

    def in_flight(self, user_id: int) -> int:
        return self._counts[user_id]

    @contextlib.contextmanager
    def hold(self, user_id: int) -> Iterator[None]:
        """Reserve one slot for ``user_id`` for the duration of the block, or raise Busy."""
        if self._counts[user_id] >= self.per_user:
            raise Busy(too_many_waiting(self.per_user))
        self._counts[user_id] += 1
        try:
            yield
        finally:
            self._counts[user_id] -= 1
            if self._counts[user_id] <= 0:
                del self._counts[user_id]


class QuestionGate:
    """Admits a user's question: the rate limit first (unless exempt), then the in-flight cap.

    ``rate`` None means no rate limit (``RATE_LIMIT_QUESTIONS=0``). ``exempt`` user ids
    (ADMIN_USER_IDS) skip the rate limit but not the in-flight cap.
    """

    def __init__(
        self,
        in_flight: InFlightLimiter,
        rate: RateLimiter | None = None,
        exempt: Collection[int] = (),
    ) -> None:
        self.in_flight = in_flight
        self.rate = rate
        self.exempt = frozenset(exempt)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        in_flight: InFlightLimiter,
        clock: Callable[[], float] = time.monotonic,
    ) -> QuestionGate:
        """RATE_LIMIT_QUESTIONS per RATE_LIMIT_SECONDS (0 questions: no limit); the users
        in ADMIN_USER_IDS are exempt."""
        rate = None
        if settings.rate_limit_questions > 0:
            rate = RateLimiter(settings.rate_limit_questions, settings.rate_limit_seconds, clock)
        return cls(in_flight, rate, exempt=settings.admin_user_ids)

    @contextlib.contextmanager
    def admit(self, user_id: int) -> Iterator[None]:
        """Hold an in-flight slot for the block; raise RateLimited or Busy if refused."""
        if self.rate is not None and user_id not in self.exempt:
            self.rate.acquire(user_id)
        with self.in_flight.hold(user_id):
            yield
