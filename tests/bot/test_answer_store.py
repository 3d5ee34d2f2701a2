"""Unit tests: the SQLite answer/feedback store and the in-memory answer statistics."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.answer_store import (
    SCHEMA_VERSION,
    AnswerStore,
    FeedbackStoreError,
    LiveStats,
    Vote,
)
from index.models import Answer, Attribution, Quote


def quote(n: int, speaker: str | None = "Dana Okafor") -> Quote:
    kind = "direct" if speaker else "narration"
    return Quote(
        text=f"Sentence number {n}, with “quotes” and é.",
        attribution=Attribution(speaker, "Fire Chief" if speaker else None, "says", None, kind),
        article_id="fire.md",
        article_title="Wildfire",
        paragraph=n + 2,
        score=1.0 / (n + 1),
        start=10 * n,
        end=10 * n + 9,
    )


ANSWER = Answer("what did the chief say?", True, (quote(0), quote(1)), (quote(2, None),))


@pytest.fixture
def store(tmp_path: Path) -> AnswerStore:
    return AnswerStore(tmp_path / "var" / "feedback.sqlite3")


def test_answers_round_trip_with_every_quote(store: AnswerStore) -> None:
    """All quotes (shown and further pages), scores, paragraphs and offsets come back."""
    answer_id = store.save_answer(
        ANSWER, user_id=7, source="slash", seconds=0.02, page_size=2, article="fire.md"
    )
    stored = store.answer(answer_id)
    assert stored is not None
    assert stored.quotes == (*ANSWER.quotes, *ANSWER.more)
    assert (stored.question, stored.article, stored.answered) == (ANSWER.question, "fire.md", True)
    assert stored.pages == 2
    assert stored.page(2) == (quote(2, None),)
    assert stored.page(3) == ()
    assert store.answer("0" * 16) is None


def test_ids_are_random_and_fit_a_custom_id(store: AnswerStore) -> None:
    """Ids are 16 hex digits and never repeat."""
    ids = {
        store.save_answer(ANSWER, user_id=1, source="dm", seconds=0, page_size=3) for _ in range(50)
    }
    assert len(ids) == 50
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)


def test_a_vote_counts_once_per_user_per_answer(store: AnswerStore) -> None:
    """Repeat clicks and changed votes keep one row per user; totals follow the latest vote."""
    answer_id = store.save_answer(ANSWER, user_id=1, source="slash", seconds=0.1, page_size=2)
    assert store.vote(answer_id, 10, 1) == Vote(1, None)
    assert store.vote(answer_id, 10, 1) == Vote(1, 1)
    changed = store.vote(answer_id, 10, -1)
    assert changed.changed
    store.vote(answer_id, 11, 1)
    rows = store.feedback(answer_id)
    assert [(r["user_id"], r["vote"], r["changes"]) for r in rows] == [(10, -1, 1), (11, 1, 0)]
    assert rows[0]["question"] == ANSWER.question
    assert [q["text"] for q in rows[0]["shown"]] == [q.text for q in ANSWER.quotes]
    assert [q["score"] for q in rows[0]["shown"]] == [q.score for q in ANSWER.quotes]
    totals = store.totals()
    assert (totals.questions, totals.votes_up, totals.votes_down) == (1, 1, 1)
    with pytest.raises(KeyError):
        store.vote("f" * 16, 10, 1)


def test_totals_count_answered_and_abstained(store: AnswerStore) -> None:
    """An abstention is a question that was not answered."""
    store.save_answer(ANSWER, user_id=1, source="slash", seconds=0.1, page_size=2)
    store.save_answer(Answer("off topic?", False), user_id=1, source="dm", seconds=0.1, page_size=2)
    totals = store.totals()
    assert (totals.questions, totals.answered, totals.abstained) == (2, 1, 1)


def test_the_file_is_created_in_wal_mode_and_survives_reopening(tmp_path: Path) -> None:
    """A new file gets the schema and WAL; a second store on it sees the saved answers."""
    path = tmp_path / "deep" / "folder" / "feedback.sqlite3"
    first = AnswerStore(path)
    answer_id = first.save_answer(ANSWER, user_id=1, source="slash", seconds=0.1, page_size=2)
    first.close()
    second = AnswerStore(path)
    assert second.answer(answer_id) is not None
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database from a newer bot is not touched: a clear error instead."""
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(FeedbackStoreError, match="newer version of the bot"):
        AnswerStore(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    """A file that is not SQLite says so and names FEEDBACK_DB."""
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"this is a text file, not a database" * 100)
    with pytest.raises(FeedbackStoreError, match=r"FEEDBACK_DB .*not an SQLite database"):
        AnswerStore(path)


def test_an_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    """A path whose folder cannot be created (a file is in the way): a message naming
    FEEDBACK_DB and what to do."""
    blocker = tmp_path / "var"
    blocker.write_text("a file, not a folder")
    with pytest.raises(FeedbackStoreError, match=r"FEEDBACK_DB .*writable file path"):
        AnswerStore(blocker / "feedback.sqlite3")


def test_live_stats_percentiles_and_votes() -> None:
    """p50/p95 by nearest rank; a changed vote moves between up and down, a repeat does not."""
    stats = LiveStats()
    assert stats.percentile(0.5) is None
    for n in range(1, 101):
        stats.record_answer(n % 10 != 0, n / 1000)
    assert (stats.questions, stats.answered, stats.abstained) == (100, 90, 10)
    assert stats.percentile(0.5) == pytest.approx(0.050)
    assert stats.percentile(0.95) == pytest.approx(0.095)
    stats.record_vote(Vote(1, None))
    stats.record_vote(Vote(1, 1))
    stats.record_vote(Vote(-1, 1))
    assert (stats.votes_up, stats.votes_down) == (0, 1)


def test_live_stats_memory_is_bounded() -> None:
    """Beyond max_samples the oldest times are dropped; counts still grow."""
    stats = LiveStats(max_samples=10)
    for n in range(25):
        stats.record_answer(True, float(n))
    assert stats.questions == 25
    assert stats.percentile(0.01) >= 10
