"""Engine.refresh: a process picks up the build another process published in INDEX_DIR."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from support import FakeEncoder

from index.engine import Engine, EngineConfig
from index.search import store

EXTRA = "Bridge report\n\nThe harbour master said the swing bridge reopens on Friday.\n"
QUESTION = "When does the swing bridge reopen, according to the harbour master?"


class OtherModel(FakeEncoder):
    fingerprint = "another-model@1"


def process(articles_dir: Path, index_dir: Path, encoder: FakeEncoder) -> Engine:
    """One bot process's engine over the shared folders, started."""
    engine = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=index_dir),
        encoder_factory=lambda spec: encoder,
    )
    engine.start()
    return engine


@pytest.fixture
def pair(articles_dir: Path, tmp_path: Path) -> tuple[Engine, Engine]:
    """Two engines (two processes) sharing ARTICLES_DIR and INDEX_DIR."""
    index_dir = tmp_path / "shared-index"
    first = process(articles_dir, index_dir, FakeEncoder())
    second = process(articles_dir, index_dir, FakeEncoder())
    return first, second


def publish_new_build(engine: Engine, articles_dir: Path) -> str:
    """Add an article and rebuild in ``engine``'s process; returns the new build's name."""
    (articles_dir / "bridge.txt").write_text(EXTRA, encoding="utf-8")
    engine.reindex()
    return engine.search_index.build


def test_builds_are_named_when_saved_and_loaded(pair: tuple[Engine, Engine]) -> None:
    """Both processes serve the build CURRENT names after start."""
    first, second = pair
    current = store.current_build(first.config.index_dir).name
    assert first.search_index.build == second.search_index.build == current


def test_unchanged_index_is_a_no_op(pair: tuple[Engine, Engine]) -> None:
    """Nothing published: refresh keeps the very same live index."""
    _, second = pair
    before = second.search_index
    assert second.refresh() is False
    assert second.search_index is before


def test_new_build_from_another_process_is_swapped_in(
    pair: tuple[Engine, Engine], articles_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After a reindex in one process, the other serves the new build on refresh."""
    first, second = pair
    assert not any("swing bridge" in q.text for q in second.ask(QUESTION).quotes)
    build = publish_new_build(first, articles_dir)
    with caplog.at_level(logging.INFO, logger="index.engine"):
        assert second.refresh() is True
    assert second.search_index.build == build
    assert len(second.info().articles) == 2
    assert "swing bridge" in second.ask(QUESTION).quotes[0].text
    assert f"switched to index build {build}" in caplog.text
    assert second.refresh() is False  # and only once


def test_refresh_before_start_does_nothing(articles_dir: Path, tmp_path: Path) -> None:
    """An engine that has not loaded anything yet does not load on refresh."""
    engine = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=tmp_path / "i"),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    assert engine.refresh() is False
    assert not engine.ready


def test_no_refresh_while_this_process_rebuilds(
    pair: tuple[Engine, Engine], articles_dir: Path
) -> None:
    """While a local reindex runs, refresh leaves the swap to it."""
    first, second = pair
    publish_new_build(first, articles_dir)
    before = second.search_index
    with second._reindex_lock:
        assert second.refresh() is False
    assert second.search_index is before


def damage_file(index_dir: Path) -> None:
    path = store.current_build(index_dir) / store.SENTENCES
    path.write_bytes(path.read_bytes()[:20])


def drop_manifest(index_dir: Path) -> None:
    (store.current_build(index_dir) / store.MANIFEST).unlink()


def point_at_missing_build(index_dir: Path) -> None:
    (index_dir / store.CURRENT).write_text("build-20990101T000000-gone\n")


def garble_pointer(index_dir: Path) -> None:
    (index_dir / store.CURRENT).write_bytes(b"\xff\xfe not a build")


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        (damage_file, "checksum mismatch"),
        (drop_manifest, "manifest is missing"),
        (point_at_missing_build, "is missing"),
        (garble_pointer, "CURRENT"),
    ],
)
def test_broken_build_keeps_the_live_index(
    pair: tuple[Engine, Engine],
    articles_dir: Path,
    caplog: pytest.LogCaptureFixture,
    breakage,
    reason: str,
) -> None:
    """A damaged or half-written build is logged once and the old index keeps answering."""
    first, second = pair
    before = second.search_index
    publish_new_build(first, articles_dir)
    breakage(first.config.index_dir)
    with caplog.at_level(logging.WARNING, logger="index.engine"):
        assert second.refresh() is False
        assert second.refresh() is False
    warnings = [r.getMessage() for r in caplog.records if r.name == "index.engine"]
    assert len(warnings) == 1  # logged once per problem, not on every tick
    assert reason in warnings[0]
    assert "still serving" in warnings[0]
    assert second.search_index is before
    assert second.ask("Who confirmed the nuclear response?").answered


def test_repaired_build_is_picked_up_after_a_failure(
    pair: tuple[Engine, Engine], articles_dir: Path
) -> None:
    """Once the publishing process rebuilds cleanly, the next refresh switches."""
    first, second = pair
    publish_new_build(first, articles_dir)
    damage_file(first.config.index_dir)
    assert second.refresh() is False
    first.reindex()
    assert second.refresh() is True
    assert second.search_index.build == first.search_index.build


def test_build_from_another_model_is_refused(
    pair: tuple[Engine, Engine], articles_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Vectors from a different model are never mixed with this process's encoder."""
    first, second = pair
    other = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=first.config.index_dir),
        encoder_factory=lambda spec: OtherModel(),
    )
    other.reindex()
    before = second.search_index
    with caplog.at_level(logging.WARNING, logger="index.engine"):
        assert second.refresh() is False
    assert "another model" in caplog.text
    assert second.search_index is before
