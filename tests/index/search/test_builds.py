"""Rebuilding safely (index/search/builds.py and the store's space check): the build lock across
processes, the one-line failure reasons, staleness, the size estimate, pruning."""

from __future__ import annotations

import errno
import logging
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLES, FakeEncoder, synthetic_article

from index.engine import Engine, EngineConfig
from index.errors import (
    ArticleError,
    BuildFailed,
    CorpusError,
    EncoderFailed,
    ReindexInProgress,
)
from index.parsing.ingest import read_corpus
from index.search import builds, store
from index.search.builds import Changes, IndexStatus
from index.search.vectors import VectorIndex

BRIDGE = "Bridge report\n\nThe harbour master said the swing bridge reopens on Friday.\n"


def engine_over(articles_dir: Path, index_dir: Path, encoder: FakeEncoder) -> Engine:
    return Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=index_dir),
        encoder_factory=lambda spec: encoder,
    )


def listing(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir())


# ------------------------------------------------------------------ size and space
def test_estimate_covers_what_is_written(fake_encoder: FakeEncoder, tmp_path: Path) -> None:
    """The estimate is at least the bytes a build writes, and not far above them."""
    articles_dir = tmp_path / "articles"
    articles_dir.mkdir()
    for seed in range(3):
        (articles_dir / f"s{seed}.txt").write_text(synthetic_article(seed), encoding="utf-8")
    for corpus in (read_corpus(BUNDLED_ARTICLES), read_corpus(articles_dir)):
        index = store.build(corpus, fake_encoder)
        estimate = store.estimate_bytes(index, len(store._corpus_bytes(index)))
        build_dir = store.save(index, tmp_path / "index")
        written = sum(p.stat().st_size for p in build_dir.rglob("*") if p.is_file())
        assert written <= estimate <= written * 1.1 + 96 * 1024, (written, estimate)


def test_hnsw_size_is_estimated_from_its_graph(tmp_path: Path) -> None:
    """Above EXACT_MAX_VECTORS the file also holds the HNSW graph; the estimate counts it."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((10_050, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex.build(8, vectors)
    assert index.kind == "hnsw"
    index.save(tmp_path / "v.faiss")
    written = (tmp_path / "v.faiss").stat().st_size
    assert written <= index.stored_bytes() <= written + 4096


def test_a_build_that_does_not_fit_fails_before_writing(
    fake_encoder: FakeEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too little free space: InsufficientSpace with both numbers, and nothing written."""
    index_dir = tmp_path / "index"
    index = store.build(read_corpus(BUNDLED_ARTICLES), fake_encoder)
    store.save(index, index_dir)
    before = listing(index_dir), (index_dir / store.CURRENT).read_text()
    monkeypatch.setattr(store, "free_bytes", lambda path: 50 * 1024)
    opened: list[str] = []
    monkeypatch.setattr(store.tempfile, "mkdtemp", lambda **kw: opened.append("tmp") or "")
    with pytest.raises(store.InsufficientSpace) as caught:
        store.save(index, index_dir)
    assert opened == []  # not even the temporary folder
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.free == 50 * 1024
    assert caught.value.needed > caught.value.free
    assert caught.value.reason == (
        "no space left on device in INDEX_DIR (the build needs about "
        f"{store.megabytes(caught.value.needed, up=True)}; 0.0 MB free)"
    )
    assert (listing(index_dir), (index_dir / store.CURRENT).read_text()) == before


def test_megabytes_round_so_a_shortfall_shows() -> None:
    assert store.megabytes(12 * 2**20 + 1, up=True) == "13 MB"
    assert store.megabytes(4 * 2**20 - 1, up=False) == "3.9 MB"
    assert store.megabytes(0, up=False) == "0.0 MB"
    assert store.space_text(12 * 2**20, 4 * 2**20) == "the build needs about 12 MB; 4.0 MB free"


def test_old_build_is_removed_when_that_makes_room(
    fake_encoder: FakeEncoder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Short of space with a predecessor on disk: the predecessor goes, the build fits."""
    index_dir = tmp_path / "index"
    index = store.build(read_corpus(BUNDLED_ARTICLES), fake_encoder)
    store.save(index, index_dir)
    store.save(index, index_dir)
    live = store.current_build(index_dir).name
    (predecessor,) = [p for p in store._builds(index_dir) if p.name != live]
    needed = store.estimate_bytes(index, len(store._corpus_bytes(index)))
    room = store._disk_usage(predecessor)

    def free(path: Path) -> int:  # just short, unless the predecessor is gone
        return needed - 1 if predecessor.exists() else needed - 1 + room

    monkeypatch.setattr(store, "free_bytes", free)
    with caplog.at_level(logging.WARNING, logger="index.search.store"):
        new = store.save(index, index_dir)
    assert not predecessor.exists()
    assert sorted(p.name for p in store._builds(index_dir)) == sorted([live, new.name])
    assert f"removing the old index build {predecessor.name} to make room" in caplog.text


def test_pruning_keeps_the_live_build_and_its_predecessor(
    fake_encoder: FakeEncoder, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    index = store.build(read_corpus(BUNDLED_ARTICLES), fake_encoder)
    names = []
    for _ in range(4):
        names.append(store.save(index, index_dir).name)
        assert len(store._builds(index_dir)) <= 2
    assert sorted(p.name for p in store._builds(index_dir)) == sorted(names[-2:])
    assert store.current_build(index_dir).name == names[-1]


def test_abandoned_half_written_builds_are_removed(tmp_path: Path) -> None:
    """What a killed builder leaves (a .build-* folder, a pointer temp file) is removed."""
    index_dir = tmp_path / "index"
    (index_dir / ".build-abc123").mkdir(parents=True)
    (index_dir / ".build-abc123" / store.SENTENCES).write_bytes(b"\x00" * 64)
    (index_dir / f".{store.CURRENT}-xyz").write_text("build-x\n")
    (index_dir / ".write-check-q1").write_bytes(b"")
    (index_dir / "build-20200101T000000-keep").mkdir()
    assert sorted(store.remove_abandoned(index_dir)) == [
        ".CURRENT-xyz",
        ".build-abc123",
        ".write-check-q1",
    ]
    assert listing(index_dir) == ["build-20200101T000000-keep"]


# ------------------------------------------------------------------ reasons
@pytest.mark.parametrize(
    ("error", "kind", "reason"),
    [
        (OSError(errno.EROFS, "Read-only file system"), builds.READ_ONLY, "is on a read-only"),
        (OSError(errno.EACCES, "Permission denied"), builds.PERMISSION, "no permission to write"),
        (OSError(errno.EPERM, "Operation not permitted"), builds.PERMISSION, "no permission"),
        (OSError(errno.EIO, "Input/output error"), builds.IO_ERROR, "(Input/output error)"),
        (OSError(errno.ENOSPC, "No space left on device"), builds.NO_SPACE, "no space left"),
        (store.InsufficientSpace(3 * 2**20, 2**20), builds.NO_SPACE, "needs about 3.0 MB; 1.0"),
        (ArticleError("x.txt", "the file is empty"), builds.BAD_ARTICLE, "bad article x.txt: "),
        (CorpusError("ARTICLES_DIR /a does not exist."), builds.ARTICLES_DIR, "does not exist"),
        (EncoderFailed("the embedding model failed (X: y)"), builds.ENCODER, "model failed"),
        (ValueError("boom"), builds.UNEXPECTED, "unexpected ValueError: boom (details in"),
    ],
)
def test_every_failure_has_a_one_line_reason(error, kind: str, reason: str) -> None:
    got_kind, got_reason = builds.describe(error, Path("/srv/index"))
    assert got_kind == kind
    assert reason in got_reason
    assert "\n" not in got_reason


def test_faiss_write_errors_become_os_errors() -> None:
    """FAISS says "write error … (No space left on device)" in a RuntimeError."""
    from index.search.vectors import write_error

    full = RuntimeError(
        "Error in void faiss::write_index(...) at index_write.cpp:499: Error: 'ret == "
        "(size * 4)' failed: write error in /i/.build-x/s.faiss: 4051 != 115200 (No space "
        "left on device)"
    )
    assert write_error(full, Path("s.faiss")).errno == errno.ENOSPC
    read_only = RuntimeError("could not open /i/x.faiss for writing: Read-only file system")
    assert write_error(read_only, Path("x.faiss")).errno == errno.EROFS
    bug = RuntimeError("Error: 'ntotal >= 0' failed")
    assert write_error(bug, Path("x.faiss")) is bug


# ------------------------------------------------------------------ staleness
def test_changes_since_a_build(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_text("A\n\nsame\n")
    (tmp_path / "edited.txt").write_text("B\n\nnew text\n")
    (tmp_path / "added.txt").write_text("C\n\nadded\n")
    same = builds.ingest.checksum((tmp_path / "same.txt").read_bytes())
    built = {"same.txt": same, "edited.txt": "0" * 64, "gone.txt": "1" * 64}
    changes = builds.changes_since(built, tmp_path)
    assert changes == Changes(added=("added.txt",), changed=("edited.txt",), removed=("gone.txt",))
    assert changes.describe() == (
        "3 articles changed since: added.txt (new), edited.txt (changed), gone.txt (removed)"
    )
    assert builds.changes_since(built, tmp_path / "nowhere").unknown is not None


def test_long_change_lists_are_cut() -> None:
    changes = Changes(added=tuple(f"a{n}.txt" for n in range(8)))
    assert changes.describe().endswith("a4.txt (new) and 3 more")
    assert Changes().describe() == "no article has changed since"


def test_status_notes() -> None:
    built = "2026-01-02T03:04:05+00:00"
    assert IndexStatus("build-x", built).note() is None
    assert not IndexStatus("build-x", built).stale
    failed = IndexStatus("build-x", built, failure="no space left on device in INDEX_DIR (…)")
    assert failed.note() == (
        "The last rebuild failed (no space left on device in INDEX_DIR (…)); the index built "
        "2026-01-02 03:04 UTC is still current and serving."
    )
    stale = IndexStatus("build-x", built, Changes(added=("b.txt",)), failure="bad article b")
    assert stale.stale
    assert stale.note() == (
        "The index is stale: the last rebuild failed (bad article b), so I still answer from "
        "the build of 2026-01-02 03:04 UTC; 1 article changed since: b.txt (new)."
    )


# ------------------------------------------------------------------ the lock
def test_the_lock_refuses_or_waits(tmp_path: Path) -> None:
    """Held: a second holder is refused naming the pid, or waits and is told it waited."""
    index_dir = tmp_path / "index"
    results: list[bool] = []
    with builds.build_lock(index_dir, wait=False) as waited:
        assert waited is False
        with (
            pytest.raises(ReindexInProgress, match=rf"another process \(pid {os.getpid()}, since"),
            builds.build_lock(index_dir, wait=False),
        ):
            pass

        def second() -> None:
            with builds.build_lock(index_dir, wait=True) as waited_here:
                results.append(waited_here)

        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.2)
        assert results == []  # still waiting while the first holds it
    waiter.join(10)
    assert results == [True]
    with builds.build_lock(index_dir, wait=False) as waited:
        assert waited is False


def test_a_link_planted_as_the_lock_is_refused(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (index_dir / builds.LOCK).symlink_to(outside)
    with (
        pytest.raises(OSError, match="symbolic links") as caught,
        builds.build_lock(index_dir, wait=False),
    ):
        pass
    assert builds.describe(caught.value, index_dir)[0] == builds.PERMISSION
    assert outside.read_text() == "keep"


# ------------------------------------------------------------------ through the engine
class SlowEncoder(FakeEncoder):
    """Holds a build's embedding at a gate (questions pass)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.gate = threading.Event(), threading.Event()

    def encode(self, texts):
        if len(texts) > 1 or (texts and "swing bridge" in texts[0]):
            self.entered.set()
            self.gate.wait(10)
        return super().encode(texts)


def test_a_second_process_waits_and_reuses_the_first_build(
    articles_dir: Path, tmp_path: Path
) -> None:
    """Two engines (two processes) on one INDEX_DIR: while one builds, the other's
    ``reindex()`` is refused; ``reindex(wait=True)`` waits and serves the first's build."""
    index_dir = tmp_path / "shared"
    first_encoder = SlowEncoder()
    first_encoder.gate.set()
    first = engine_over(articles_dir, index_dir, first_encoder)
    first.start()
    second = engine_over(articles_dir, index_dir, FakeEncoder())
    second.start()
    (articles_dir / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    first_encoder.gate.clear()
    first_encoder.entered.clear()  # set by the start's build
    building = threading.Thread(target=first.reindex)
    building.start()
    try:
        assert first_encoder.entered.wait(10)
        with pytest.raises(ReindexInProgress, match="another process"):
            second.reindex()
        reports = []
        waiting = threading.Thread(target=lambda: reports.append(second.reindex(wait=True)))
        waiting.start()
    finally:
        first_encoder.gate.set()
        building.join(10)
    waiting.join(10)
    (report,) = reports
    assert report.adopted
    assert "built by another process meanwhile" in report.summary()
    assert second.search_index.build == first.search_index.build
    assert second.ask("When does the swing bridge reopen?").quotes[0].article_id == "bridge.txt"


class CrashingEncoder(FakeEncoder):
    crash = False

    def encode(self, texts):
        if self.crash and texts:
            raise RuntimeError("CUDA error: out of memory")
        return super().encode(texts)


def test_an_encoder_crash_is_one_line_and_the_index_keeps_serving(
    articles_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = CrashingEncoder()
    engine = engine_over(articles_dir, tmp_path / "index", encoder)
    engine.start()
    (articles_dir / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    encoder.crash = True
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="index"), pytest.raises(BuildFailed) as caught:
        engine.reindex()
    assert caught.value.kind == builds.ENCODER
    assert caught.value.message.startswith(
        "Index build failed: the embedding model failed (RuntimeError: CUDA error: out of "
        "memory). The previous index is still serving (built "
    )
    assert caught.value.message.endswith("1 article changed since: bridge.txt (new)).")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # the caller says it
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and r.exc_info]
    encoder.crash = False
    assert engine.ask("Who confirmed the nuclear response?").answered
    assert engine.status.stale


def test_an_unexpected_error_is_logged_with_its_traceback(
    fake_engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(store, "build", broken)
    with caplog.at_level(logging.ERROR, logger="index"), pytest.raises(BuildFailed) as caught:
        fake_engine.reindex()
    assert caught.value.kind == builds.UNEXPECTED
    assert "unexpected ValueError: a bug (details in the log)" in caught.value.message
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None
    assert fake_engine.ask("Who confirmed the nuclear response?").answered


def test_no_previous_build_is_said(articles_dir: Path, tmp_path: Path) -> None:
    """A first build that fails says there is nothing to serve, and start raises it."""
    (articles_dir / "bad.txt").write_bytes(b"")
    engine = engine_over(articles_dir, tmp_path / "index", FakeEncoder())
    with pytest.raises(BuildFailed, match="There is no previous index to serve"):
        engine.start()
    assert not engine.ready


def test_a_good_rebuild_clears_the_failure(fake_engine: Engine, articles_dir: Path) -> None:
    (articles_dir / "bad.txt").write_bytes(b"")
    with pytest.raises(BuildFailed):
        fake_engine.reindex()
    assert fake_engine.status.failure is not None
    (articles_dir / "bad.txt").unlink()
    fake_engine.reindex()
    assert fake_engine.status.failure is None
    assert fake_engine.status.note() is None


def test_an_unwritable_index_dir_fails_before_anything_is_embedded(
    fake_engine: Engine, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (articles_dir / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    calls = fake_engine.encoder.calls

    def refused(index_dir: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(index_dir))

    monkeypatch.setattr(store, "check_writable", refused)
    with pytest.raises(BuildFailed, match="no permission to write in INDEX_DIR") as caught:
        fake_engine.reindex()
    assert caught.value.kind == builds.PERMISSION
    assert fake_engine.encoder.calls == calls  # nothing read or embedded
