"""SQLite store of answers and feedback (``FEEDBACK_DB``), and in-memory answer statistics.

Every answer the bot sends is saved with its question, article filter, every quote (with
score and paragraph reference) and timing, under a random id that the buttons under the
answer carry in their ``custom_id`` (see ``bot/buttons.py``). So "More" and "Paragraph" work
after a restart without asking the engine again, and thumbs up/down feedback is recorded
once per user per answer, next to the question and the quotes that were shown.

One connection, WAL journal, serialised by a lock; the bot calls it from worker threads
(``asyncio.to_thread``). The schema is versioned with ``PRAGMA user_version``; a database
written by a newer version is refused with a clear message instead of being altered.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.models import Answer, Attribution, Quote

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MEMORY = ":memory:"
#: How long a statement waits for another process's lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 5.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    user_id INTEGER NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    source TEXT NOT NULL,
    question TEXT NOT NULL,
    article TEXT,
    answered INTEGER NOT NULL,
    seconds REAL NOT NULL,
    page_size INTEGER NOT NULL,
    quotes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_created ON answers (created_at);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    shown TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (answer_id, user_id)
);
"""


class FeedbackStoreError(Exception):
    """FEEDBACK_DB cannot be opened, created or written; the message says why and what to do."""


class FeedbackStoreDamaged(FeedbackStoreError):
    """FEEDBACK_DB is not an SQLite database or fails SQLite's integrity check: it cannot be
    used as it is (``bot/answer_store_recovery.py`` moves it aside and starts a new one)."""


class FeedbackStoreLocked(FeedbackStoreError):
    """Another process holds FEEDBACK_DB locked past the busy timeout."""


#: SQLite's words for a file that is not (or no longer) a database it can read.
_DAMAGED = ("not a database", "malformed", "file is encrypted")


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer as saved: enough to page through its quotes and show their paragraphs."""

    id: str
    created_at: float
    user_id: int
    question: str
    article: str | None
    answered: bool
    seconds: float
    page_size: int
    quotes: tuple[Quote, ...]

    @property
    def pages(self) -> int:
        """How many pages of ``page_size`` quotes the answer has (at least 1)."""
        return max(1, math.ceil(len(self.quotes) / max(1, self.page_size)))

    def page(self, number: int) -> tuple[Quote, ...]:
        """The quotes of 1-based page ``number`` (empty when out of range)."""
        if number < 1:
            return ()
        start = (number - 1) * self.page_size
        return self.quotes[start : start + self.page_size]


@dataclass(frozen=True, slots=True)
class Vote:
    """The result of a thumbs up/down click: the vote now and the one before (if any)."""

    vote: int
    previous: int | None

    @property
    def first(self) -> bool:
        return self.previous is None

    @property
    def changed(self) -> bool:
        return self.previous is not None and self.previous != self.vote


@dataclass(frozen=True, slots=True)
class Totals:
    """Lifetime counts from the database."""

    questions: int
    answered: int
    abstained: int
    votes_up: int
    votes_down: int


def page_size(answer: Answer, top_k: int) -> int:
    """Quotes per page of a saved answer: as many as the answer shows first (so page 1 is
    the answer itself, confident or hedged), or ``top_k`` when nothing was quoted."""
    return len(answer.quotes) if answer.quotes else max(1, top_k)


def quote_to_dict(quote: Quote) -> dict[str, Any]:
    return {
        **quote.to_dict(),
        "score": float(quote.score),
        "start": quote.start,
        "end": quote.end,
    }


def quote_from_dict(data: dict[str, Any]) -> Quote:
    return Quote(
        text=str(data["text"]),
        attribution=Attribution.from_dict(data),
        article_id=str(data.get("article_id") or ""),
        article_title=str(data.get("article") or ""),
        paragraph=int(data.get("paragraph") or 0),
        score=float(data.get("score") or 0.0),
        start=int(data.get("start") or 0),
        end=int(data.get("end") or 0),
    )


def new_answer_id() -> str:
    """A random 16-hex-digit id: unguessable, short enough for a custom_id."""
    return secrets.token_hex(8)


class AnswerStore:
    """Answers and feedback in one SQLite file (or ``:memory:``, for tests)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        where = f"FEEDBACK_DB {self.path}"
        if self.path != MEMORY:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FeedbackStoreError(
                    f"{where}: cannot create its folder ({exc.strerror or exc}); set FEEDBACK_DB "
                    "to a writable file path"
                ) from exc
        try:
            db = sqlite3.connect(
                self.path,
                check_same_thread=False,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_SECONDS,
            )
        except sqlite3.Error as exc:
            raise FeedbackStoreError(f"{where}: cannot open it ({exc})") from exc
        try:
            db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise FeedbackStoreError(
                    f"{where} was written by a newer version of the bot (schema {version}, this "
                    f"one knows {SCHEMA_VERSION}); upgrade the bot or point FEEDBACK_DB elsewhere"
                )
            if self.path != MEMORY:
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            if self.path != MEMORY:  # pages the header check does not read
                check = db.execute("PRAGMA quick_check(1)").fetchone()[0]
                if check != "ok":
                    raise FeedbackStoreDamaged(
                        f"{where}: it is damaged (SQLite's integrity check says: {check})"
                    )
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)",
                (str(time.time()),),
            )
        except FeedbackStoreError:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            text = str(exc)
            if any(word in text for word in _DAMAGED):
                raise FeedbackStoreDamaged(
                    f"{where}: it is not an SQLite database (or is damaged: {text})"
                ) from exc
            if "locked" in text or "busy" in text:
                raise FeedbackStoreLocked(
                    f"{where}: another process holds it locked ({text})"
                ) from exc
            raise FeedbackStoreError(
                f"{where}: cannot write to it ({exc}); set FEEDBACK_DB to a writable file path"
            ) from exc
        log.info("answers and feedback are stored in %s (schema %d)", self.path, SCHEMA_VERSION)
        return db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, tuple(params))

    # ---------------------------------------------------------------- answers
    def save_answer(
        self,
        answer: Answer,
        *,
        user_id: int,
        source: str,
        seconds: float,
        page_size: int,
        article: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> str:
        """Save an answer with all its quotes (shown and further pages); returns its id."""
        answer_id = new_answer_id()
        quotes = [*answer.quotes, *answer.more]  # a hedged answer keeps its passages
        self._execute(
            "INSERT INTO answers (id, created_at, user_id, guild_id, channel_id, source, "
            "question, article, answered, seconds, page_size, quotes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                answer_id,
                time.time(),
                user_id,
                guild_id,
                channel_id,
                source,
                answer.question,
                article,
                int(bool(answer.answered and answer.quotes)),
                float(seconds),
                max(1, page_size),
                json.dumps([quote_to_dict(q) for q in quotes], ensure_ascii=False),
            ),
        )
        return answer_id

    def answer(self, answer_id: str) -> StoredAnswer | None:
        row = self._execute(
            "SELECT id, created_at, user_id, question, article, answered, seconds, page_size, "
            "quotes FROM answers WHERE id = ?",
            (answer_id,),
        ).fetchone()
        if row is None:
            return None
        return StoredAnswer(
            id=row[0],
            created_at=row[1],
            user_id=row[2],
            question=row[3],
            article=row[4],
            answered=bool(row[5]),
            seconds=row[6],
            page_size=row[7],
            quotes=tuple(quote_from_dict(q) for q in json.loads(row[8])),
        )

    # ---------------------------------------------------------------- feedback
    def vote(self, answer_id: str, user_id: int, vote: int) -> Vote:
        """Record a thumbs up (+1) or down (-1): one row per user per answer, so a second
        click updates that row (the vote counts once) and says what it was before."""
        if vote not in (-1, 1):
            raise ValueError("vote must be +1 or -1")
        now = time.time()
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT page_size, quotes FROM answers WHERE id = ?", (answer_id,)
                ).fetchone()
                if row is None:
                    raise KeyError(answer_id)
                before = db.execute(
                    "SELECT vote FROM feedback WHERE answer_id = ? AND user_id = ?",
                    (answer_id, user_id),
                ).fetchone()
                if before is None:
                    shown = [
                        {k: q[k] for k in ("text", "speaker", "article_id", "paragraph", "score")}
                        for q in json.loads(row[1])[: row[0]]
                    ]
                    db.execute(
                        "INSERT INTO feedback (answer_id, user_id, vote, shown, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (answer_id, user_id, vote, json.dumps(shown, ensure_ascii=False), now, now),
                    )
                else:
                    db.execute(
                        "UPDATE feedback SET vote = ?, updated_at = ?, changes = changes + ? "
                        "WHERE answer_id = ? AND user_id = ?",
                        (vote, now, int(before[0] != vote), answer_id, user_id),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Vote(vote, None if before is None else int(before[0]))

    def feedback(self, answer_id: str | None = None) -> list[dict[str, Any]]:
        """Feedback rows with the question and the quotes shown (for reports and tests)."""
        sql = (
            "SELECT f.answer_id, f.user_id, f.vote, f.shown, f.changes, a.question, a.article "
            "FROM feedback f JOIN answers a ON a.id = f.answer_id"
        )
        params: tuple[Any, ...] = ()
        if answer_id is not None:
            sql += " WHERE f.answer_id = ?"
            params = (answer_id,)
        rows = self._execute(sql + " ORDER BY f.created_at", params).fetchall()
        return [
            {
                "answer_id": r[0],
                "user_id": r[1],
                "vote": r[2],
                "shown": json.loads(r[3]),
                "changes": r[4],
                "question": r[5],
                "article": r[6],
            }
            for r in rows
        ]

    def totals(self) -> Totals:
        """Lifetime counts: questions, answered/abstained, thumbs up/down."""
        questions, answered = self._execute(
            "SELECT COUNT(*), COALESCE(SUM(answered), 0) FROM answers"
        ).fetchone()
        up, down = self._execute(
            "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM feedback"
        ).fetchone()
        return Totals(questions, answered, questions - answered, up, down)


class LiveStats:
    """Counts and answer times since the bot started (in memory; /stats)."""

    def __init__(self, max_samples: int = 100_000) -> None:
        self.started = time.time()
        self.questions = 0
        self.answered = 0
        self.abstained = 0
        self.votes_up = 0
        self.votes_down = 0
        self.max_samples = max_samples
        self._seconds: list[float] = []

    def record_answer(self, answered: bool, seconds: float) -> None:
        self.questions += 1
        if answered:
            self.answered += 1
        else:
            self.abstained += 1
        if len(self._seconds) >= self.max_samples:  # keep memory bounded: drop the oldest half
            del self._seconds[: self.max_samples // 2]
        self._seconds.append(seconds)

    def record_vote(self, vote: Vote) -> None:
        """Count a vote once per user per answer: a changed vote moves, a repeat is ignored."""
        if vote.first:
            self._add(vote.vote, 1)
        elif vote.changed:
            self._add(vote.previous or 0, -1)
            self._add(vote.vote, 1)

    def _add(self, vote: int, delta: int) -> None:
        if vote > 0:
            self.votes_up += delta
        elif vote < 0:
            self.votes_down += delta

    def percentile(self, fraction: float) -> float | None:
        """Seconds at ``fraction`` (0-1) of answer times since start (nearest rank)."""
        if not self._seconds:
            return None
        ordered = sorted(self._seconds)
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1]
