"""Open FEEDBACK_DB so that a damaged or locked file never stops the bot from answering.

``open_answer_store`` is what the bot calls instead of ``AnswerStore(path)``
(``BotContext.open_store`` and ``run_bot``):

- **damaged** (not an SQLite database, or failing SQLite's integrity check): the file and
  its ``-wal``/``-shm`` companions are moved aside to ``<name>.damaged-<UTC time>`` (kept,
  for whoever wants to recover rows from it, and named in the log) and a new database is
  started at FEEDBACK_DB. Buttons of answers saved in the old file then find no row and
  say the answer has expired (``bot/render/wording.py`` ``GONE``).
- **locked** by another process past the busy timeout: answers and votes are kept in an
  in-memory store for this run (buttons work until the bot restarts), with one WARNING.

Other problems (the folder cannot be created, a database from a newer bot) are still
``FeedbackStoreError``: they are settings to fix, and the bot refuses to start on them.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from bot.answer_store import (
    MEMORY,
    AnswerStore,
    FeedbackStoreDamaged,
    FeedbackStoreError,
    FeedbackStoreLocked,
)

log = logging.getLogger(__name__)

_COMPANIONS = ("-wal", "-shm", "-journal")


def open_answer_store(path: Path | str) -> AnswerStore:
    """The answer store at ``path``, recovering from a damaged or locked file (see above)."""
    try:
        return AnswerStore(path)
    except FeedbackStoreDamaged as exc:
        try:
            aside = move_aside(Path(path))
        except OSError as move_error:
            log.warning(
                "%s; it cannot be moved aside (%s), so answers and feedback are kept in "
                "memory until the bot restarts",
                exc,
                move_error.strerror or move_error,
            )
            return AnswerStore(MEMORY)
        log.warning(
            "%s; moved it aside to %s (kept) and started a new one: buttons of answers "
            "saved before now say they have expired",
            exc,
            aside,
        )
        try:
            return AnswerStore(path)
        except FeedbackStoreError as again:
            log.warning("%s; answers and feedback are kept in memory until restart", again)
            return AnswerStore(MEMORY)
    except FeedbackStoreLocked as exc:
        log.warning(
            "%s; answers and feedback of this run are kept in memory (their buttons work "
            "until the bot restarts)",
            exc,
        )
        return AnswerStore(MEMORY)


def move_aside(path: Path) -> Path:
    """Rename ``path`` (and its SQLite companion files) to ``<name>.damaged-<UTC time>``;
    returns the new path. Never overwrites: a second damaged file in the same second gets
    a numbered name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    os.rename(path, aside)
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.rename(companion, aside.with_name(aside.name + suffix))
    return aside
