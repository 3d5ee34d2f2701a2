"""FEEDBACK_DB that is damaged or locked at start (bot/answer_store_recovery.py): answers go
on."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

import bot.answer_store as answer_store
from bot.answer_store import (
    AnswerStore,
    FeedbackStoreDamaged,
    FeedbackStoreError,
    FeedbackStoreLocked,
)
from bot.answer_store_recovery import move_aside, open_answer_store
from index.models import Answer, Attribution, Quote

QUOTE = Quote(
    "A sentence.", Attribution("Dana Okafor", None, "said", None, "direct"), "a.md", "A", 2, 1.0
)
ANSWER = Answer("what did she say?", True, (QUOTE,), ())


def filled(path: Path, answers: int = 300) -> list[str]:
    """A real FEEDBACK_DB with ``answers`` saved answers (several pages of SQLite)."""
    store = AnswerStore(path)
    ids = [
        store.save_answer(ANSWER, user_id=1, source="slash", seconds=0.1, page_size=1)
        for _ in range(answers)
    ]
    store.close()
    with sqlite3.connect(path) as db:  # fold the WAL into the file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return ids


def test_a_truncated_database_is_damaged_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Half the file gone (its header still valid): SQLite's check finds it; the file is
    kept aside, a new one starts, old answers are gone (their buttons say expired)."""
    path = tmp_path / "feedback.sqlite3"
    ids = filled(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FeedbackStoreDamaged, match="damaged"):
        AnswerStore(path)
    with caplog.at_level(logging.WARNING, logger="bot"):
        store = open_answer_store(path)
    assert store.path == str(path)
    assert store.answer(ids[0]) is None
    assert store.totals().questions == 0
    moved = tmp_path.glob("feedback.sqlite3.damaged-*")
    (aside,) = [p for p in moved if not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == data[: len(data) // 2]
    (warning,) = [r.getMessage() for r in caplog.records]
    assert f"moved it aside to {aside} (kept)" in warning
    assert "say they have expired" in warning
    new_id = store.save_answer(ANSWER, user_id=1, source="slash", seconds=0.1, page_size=1)
    assert store.answer(new_id) is not None


def test_garbled_pages_are_found_by_the_integrity_check(tmp_path: Path) -> None:
    """Pages garbled in the middle of the file, where opening never reads: still damaged."""
    path = tmp_path / "feedback.sqlite3"
    filled(path)
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + 2 * page] = bytes(range(256)) * (2 * page // 256)
    path.write_bytes(bytes(data))
    with pytest.raises(FeedbackStoreDamaged, match="damaged"):
        AnswerStore(path)
    assert open_answer_store(path).totals().questions == 0


def test_companion_files_move_with_it(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"not sqlite at all" * 64)
    Path(f"{path}-wal").write_bytes(b"old wal")
    Path(f"{path}-shm").write_bytes(b"old shm")
    aside = move_aside(path)
    assert Path(f"{aside}-wal").read_bytes() == b"old wal"
    assert Path(f"{aside}-shm").read_bytes() == b"old shm"
    assert not Path(f"{path}-wal").exists()
    path.write_bytes(b"again")
    assert move_aside(path) != aside  # never overwrites an earlier one


def test_a_locked_database_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feedback.sqlite3"
    filled(path, answers=1)
    monkeypatch.setattr(answer_store, "BUSY_TIMEOUT_SECONDS", 0.1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackStoreLocked, match="another process holds it locked"):
            AnswerStore(path)
        with caplog.at_level(logging.WARNING, logger="bot"):
            store = open_answer_store(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.path == ":memory:"
    assert "kept in memory" in caplog.text
    answer_id = store.save_answer(ANSWER, user_id=1, source="slash", seconds=0.1, page_size=1)
    assert store.vote(answer_id, 7, 1).first
    with sqlite3.connect(path) as db:  # the file itself was left alone
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 1


def test_a_damaged_file_that_cannot_be_moved_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"not sqlite at all" * 64)

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "rename", refuse)
    store = open_answer_store(path)
    assert store.path == ":memory:"
    assert path.read_bytes().startswith(b"not sqlite")


def test_settings_problems_still_refuse(tmp_path: Path) -> None:
    """A folder that cannot be created is a setting to fix, not damage: still an error."""
    blocker = tmp_path / "var"
    blocker.write_text("a file, not a folder")
    with pytest.raises(FeedbackStoreError, match="writable file path"):
        open_answer_store(blocker / "feedback.sqlite3")
