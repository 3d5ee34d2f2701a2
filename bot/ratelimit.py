"""Back-pressure for questions: a per-user limit on questions in flight.

One user cannot queue more than a few questions at a time (slash commands, DMs and
mentions count together), so a flood from one account cannot delay everyone else.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator


class Busy(Exception):
    """A question was refused for now; ``message`` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


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
            raise Busy(
                f"You already have {self.per_user} questions waiting for an answer; "
                "please wait for them before asking more."
            )
        self._counts[user_id] += 1
        try:
            yield
        finally:
            self._counts[user_id] -= 1
            if self._counts[user_id] <= 0:
                del self._counts[user_id]
