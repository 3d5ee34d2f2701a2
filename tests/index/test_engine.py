"""Engine lifecycle: start, rebuild on damage, single reindex, failed reindex keeps serving."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from index.engine import Engine, EngineConfig
from index.errors import BuildFailed, CorpusError, NotReady, ReindexInProgress
from index.search import store


def make_engine(articles_dir: Path, index_dir: Path, encoder) -> Engine:
    return Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=index_dir),
        encoder_factory=lambda spec: encoder,
    )


def test_not_ready_before_start(articles_dir, tmp_path, fake_encoder):
    """Asking before the index is loaded says so instead of crashing."""
    engine = make_engine(articles_dir, tmp_path / "i", fake_encoder)
    with pytest.raises(NotReady):
        engine.ask("anything")


def test_second_start_loads_without_rebuilding(articles_dir, tmp_path, fake_encoder, caplog):
    """A saved, intact index is loaded, not rebuilt."""
    make_engine(articles_dir, tmp_path / "i", fake_encoder).start()
    calls = fake_encoder.calls
    with caplog.at_level(logging.INFO, logger="index.engine"):
        make_engine(articles_dir, tmp_path / "i", fake_encoder).start()
    assert fake_encoder.calls == calls
    assert "loaded index" in caplog.text


@pytest.mark.parametrize("victim", [store.SENTENCES, store.CORPUS, store.MANIFEST])
def test_damaged_index_is_rebuilt_and_logged(articles_dir, tmp_path, fake_encoder, caplog, victim):
    """A truncated file found at start is logged and the index rebuilt."""
    make_engine(articles_dir, tmp_path / "i", fake_encoder).start()
    path = store.current_build(tmp_path / "i") / victim
    path.write_bytes(path.read_bytes()[:20])
    with caplog.at_level(logging.WARNING, logger="index.engine"):
        engine = make_engine(articles_dir, tmp_path / "i", fake_encoder)
        engine.start()
    assert "rebuilding the index" in caplog.text
    assert engine.ask("Who confirmed the nuclear response?").answered


def test_changed_article_triggers_rebuild(articles_dir, tmp_path, fake_encoder, caplog):
    """Editing an article makes the next start rebuild."""
    make_engine(articles_dir, tmp_path / "i", fake_encoder).start()
    (articles_dir / "extra.txt").write_text(
        "Extra title\n\nThe mayor said the bridge reopens Friday.\n"
    )
    with caplog.at_level(logging.WARNING, logger="index.engine"):
        engine = make_engine(articles_dir, tmp_path / "i", fake_encoder)
        engine.start()
    assert "articles changed" in caplog.text
    assert len(engine.info().articles) == 2


def test_failed_reindex_keeps_old_index(fake_engine, articles_dir):
    """A bad file makes reindex fail with its name; the old index keeps answering."""
    before = fake_engine.info()
    (articles_dir / "bad.txt").write_bytes(b"")
    with pytest.raises(BuildFailed, match=r"^Index build failed: bad article bad\.txt: ") as failed:
        fake_engine.reindex()
    assert "The previous index is still serving" in failed.value.message
    assert "1 article changed since: bad.txt (new)" in failed.value.message
    assert fake_engine.status.stale
    assert fake_engine.status.failure == failed.value.reason
    assert fake_engine.info() == before
    assert fake_engine.ask("Who confirmed the nuclear response?").answered


def test_start_serves_last_good_unless_told_not_to(articles_dir, tmp_path, fake_encoder, caplog):
    """A rebuild that fails at start serves the last good build and says so once (WARNING);
    ``allow_stale=False`` raises instead."""
    make_engine(articles_dir, tmp_path / "i", fake_encoder).start()
    (articles_dir / "bad.md").write_bytes(b"\x00binary")
    with pytest.raises(BuildFailed, match=r"bad\.md"):
        make_engine(articles_dir, tmp_path / "i", fake_encoder).start(allow_stale=False)
    engine = make_engine(articles_dir, tmp_path / "i", fake_encoder)
    with caplog.at_level(logging.INFO, logger="index"):
        engine.start()
    assert engine.ask("Who confirmed the nuclear response?").answered
    failed = [r for r in caplog.records if r.levelno >= logging.WARNING and "failed" in r.message]
    assert len(failed) == 1, caplog.text
    assert failed[0].getMessage().startswith("Index build failed: bad article bad.md: ")
    assert "1 article changed since: bad.md (new)" in failed[0].getMessage()
    assert engine.status.stale
    assert "bad.md (new)" in (engine.status.note() or "")


def test_missing_articles_dir(tmp_path, fake_encoder):
    """A missing ARTICLES_DIR is a clear error."""
    with pytest.raises(CorpusError, match="does not exist"):
        make_engine(tmp_path / "none", tmp_path / "i", fake_encoder).start()


def test_one_reindex_at_a_time(fake_engine):
    """A second reindex while one runs is refused, not queued."""
    entered, release = threading.Event(), threading.Event()
    original = fake_engine.encoder.encode

    def slow_encode(texts):
        entered.set()
        release.wait(5)
        return original(texts)

    fake_engine.encoder.encode = slow_encode
    worker = threading.Thread(target=fake_engine.reindex)
    worker.start()
    assert entered.wait(5)
    try:
        assert fake_engine.reindexing
        with pytest.raises(ReindexInProgress):
            fake_engine.reindex()
    finally:
        release.set()
        worker.join(5)
    assert not fake_engine.reindexing


def test_questions_during_reindex_are_answered(fake_engine):
    """Questions asked while a rebuild runs finish on the old index."""
    errors: list[Exception] = []

    def ask_many():
        for _ in range(30):
            try:
                assert fake_engine.ask("Who confirmed the nuclear response?").answered
            except Exception as exc:  # collected, then asserted below
                errors.append(exc)

    askers = [threading.Thread(target=ask_many) for _ in range(3)]
    for thread in askers:
        thread.start()
    fake_engine.reindex()
    for thread in askers:
        thread.join()
    assert errors == []
