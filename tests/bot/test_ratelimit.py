"""bot/ratelimit.py: the per-user rate limit (injected clock, no sleeps), the in-flight cap,
the question gate that applies both, and the rate limit settings."""

from __future__ import annotations

import re

import pytest
from botkit import ROOT

from bot.ratelimit import Busy, InFlightLimiter, QuestionGate, RateLimited, RateLimiter
from bot.settings import Settings, SettingsError


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def refusal(limiter: RateLimiter, user_id: int) -> RateLimited:
    with pytest.raises(RateLimited) as caught:
        limiter.acquire(user_id)
    return caught.value


# ---------------------------------------------------------------- RateLimiter
def test_allows_the_limit_then_says_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 30, clock)
    for _ in range(5):
        limiter.acquire(1)
        clock.advance(1)
    clock.advance(-1)  # the fifth question was at t=4; ask again at t=4
    refused = refusal(limiter, 1)
    assert refused.retry_after == pytest.approx(26)  # the first question (t=0) leaves at t=30
    assert refused.notify
    assert refused.message == (
        "You're asking faster than I can take questions (up to 5 every 30 s). "
        "Please try again in 26 s."
    )
    assert isinstance(refused, Busy)
    assert limiter.retry_after(1) == pytest.approx(26)
    clock.advance(25.5)
    assert "try again in 1 s" in refusal(limiter, 1).message  # rounded up, never "0 s"
    clock.advance(0.5)
    limiter.acquire(1)  # t=30: the first question has left the window


def test_the_window_slides_one_question_at_a_time() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 10, clock)
    for _ in range(3):
        limiter.acquire(7)
        clock.advance(4)  # questions at t=0, 4, 8
    clock.now = 1000 + 10  # t=10: only the t=0 question has left
    limiter.acquire(7)
    assert refusal(limiter, 7).retry_after == pytest.approx(4)  # the t=4 one leaves at t=14
    clock.now = 1000 + 14
    limiter.acquire(7)


def test_refusals_do_not_count_and_only_the_first_one_notifies() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 30, clock)
    limiter.acquire(1)
    assert refusal(limiter, 1).notify
    for _ in range(20):  # a flood while limited: told once, and it does not extend the wait
        clock.advance(1)
        assert not refusal(limiter, 1).notify
    clock.advance(10)  # t=30
    limiter.acquire(1)
    clock.advance(1)
    again = refusal(limiter, 1)  # a new cooldown: told again
    assert again.notify
    assert again.retry_after == pytest.approx(29)


def test_users_are_limited_separately() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 30, clock)
    limiter.acquire(1)
    limiter.acquire(1)
    refusal(limiter, 1)
    limiter.acquire(2)
    limiter.acquire(2)
    assert limiter.retry_after(3) == 0


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 30, clock)
    for user in range(100):
        limiter.acquire(user)
    assert len(limiter) == 100
    clock.advance(31)
    limiter.sweep()
    assert len(limiter) == 0
    # sweeps also happen by themselves, every SWEEP_EVERY questions
    for user in range(RateLimiter.SWEEP_EVERY):
        limiter.acquire(user)
    clock.advance(31)
    for user in range(RateLimiter.SWEEP_EVERY):
        limiter.acquire(10_000 + user)
    assert len(limiter) <= RateLimiter.SWEEP_EVERY


@pytest.mark.parametrize(("questions", "seconds"), [(0, 30), (5, 0), (-1, 30)])
def test_rate_limiter_rejects_nonsense(questions: int, seconds: float) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(questions, seconds)


# ---------------------------------------------------------------- InFlightLimiter
def test_limiter_counts_per_user() -> None:
    limiter = InFlightLimiter(per_user=2)
    with limiter.hold(1), limiter.hold(1):
        with pytest.raises(Busy, match="2 questions waiting"), limiter.hold(1):
            pass
        with limiter.hold(2):
            assert limiter.in_flight(2) == 1
        assert limiter.in_flight(1) == 2
    assert limiter.in_flight(1) == 0
    with pytest.raises(ValueError, match="at least 1"):
        InFlightLimiter(0)


# ---------------------------------------------------------------- QuestionGate
def test_gate_applies_rate_limit_then_in_flight_cap() -> None:
    clock = Clock()
    gate = QuestionGate(InFlightLimiter(2), RateLimiter(3, 30, clock))
    with gate.admit(1), gate.admit(1):
        # the in-flight cap refuses the third, and that question still counts
        with pytest.raises(Busy, match="2 questions waiting") as caught, gate.admit(1):
            pass
        assert not isinstance(caught.value, RateLimited)
    # three questions counted: the fourth is over the rate limit, and holds no slot
    with pytest.raises(RateLimited), gate.admit(1):
        pass
    assert gate.in_flight.in_flight(1) == 0


def test_listed_admins_skip_the_rate_limit_but_not_the_in_flight_cap() -> None:
    clock = Clock()
    settings = Settings(admin_user_ids=frozenset({42}), rate_limit_questions=1)
    gate = QuestionGate.from_settings(settings, InFlightLimiter(3), clock)
    for _ in range(10):
        with gate.admit(42):
            pass
    with gate.admit(1):
        pass
    with pytest.raises(RateLimited), gate.admit(1):
        pass
    with (
        gate.admit(42),
        gate.admit(42),
        gate.admit(42),
        pytest.raises(Busy, match="3 questions waiting"),
        gate.admit(42),
    ):
        pass


def test_zero_questions_turns_the_rate_limit_off() -> None:
    gate = QuestionGate.from_settings(Settings(rate_limit_questions=0), InFlightLimiter(3))
    assert gate.rate is None
    for _ in range(100):
        with gate.admit(1):
            pass


# ---------------------------------------------------------------- settings
def test_rate_limit_settings_defaults_and_values() -> None:
    settings = Settings.from_mapping({})
    assert (settings.rate_limit_questions, settings.rate_limit_seconds) == (5, 30)
    settings = Settings.from_mapping({"RATE_LIMIT_QUESTIONS": "0", "RATE_LIMIT_SECONDS": " 3600 "})
    assert (settings.rate_limit_questions, settings.rate_limit_seconds) == (0, 3600)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_LIMIT_QUESTIONS", "-1"),
        ("RATE_LIMIT_QUESTIONS", "five"),
        ("RATE_LIMIT_QUESTIONS", "1001"),
        ("RATE_LIMIT_QUESTIONS", "2.5"),
        ("RATE_LIMIT_QUESTIONS", "²"),  # a digit to str.isdigit, not to int()
        ("RATE_LIMIT_SECONDS", "0"),
        ("RATE_LIMIT_SECONDS", "86401"),
        ("RATE_LIMIT_SECONDS", "9" * 5000),  # longer than int() accepts
    ],
)
def test_bad_rate_limit_settings_are_reported(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_mapping({name: value})
    (problem,) = caught.value.problems
    assert problem.startswith(f"{name} must be a whole number from ")
    assert len(problem) < 200  # a huge value is not echoed whole


def test_rate_limit_settings_are_documented() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    settings = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for name in ("RATE_LIMIT_QUESTIONS", "RATE_LIMIT_SECONDS"):
        assert re.search(rf"^{name}=\d+$", example, re.MULTILINE)
        assert f"| `{name}` |" in settings
