"""Index persistence: round trip, atomic builds, and detection of damaged or stale files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLES

from index.errors import IndexCorrupt
from index.parsing.ingest import read_corpus
from index.search import store


@pytest.fixture
def built(fake_encoder, tmp_path: Path):
    articles = read_corpus(BUNDLED_ARTICLES)
    index = store.build(articles, fake_encoder)
    index_dir = tmp_path / "index"
    store.save(index, index_dir)
    checksums = {a.id: a.checksum for a in articles}
    return index, index_dir, checksums


def test_round_trip(built, fake_encoder):
    """Saved and loaded, the index has the same sentences, vectors and attributions."""
    index, index_dir, checksums = built
    loaded = store.load(index_dir, model=fake_encoder.fingerprint, articles=checksums)
    assert loaded.sentence_refs == index.sentence_refs
    assert loaded.paragraph_refs == index.paragraph_refs
    assert np.allclose(
        loaded.sentence_vectors.reconstruct_all(), index.sentence_vectors.reconstruct_all()
    )
    assert [loaded.sentence(r) for r in loaded.sentence_refs] == [
        index.sentence(r) for r in index.sentence_refs
    ]
    query = index.sentence_vectors.rows([0])
    assert (
        loaded.sentence_vectors.search(query, 3)[1].tolist()
        == index.sentence_vectors.search(query, 3)[1].tolist()
    )


def test_manifest_contents(built):
    """The manifest records format, model, dimension, checksums, build time and file sums."""
    _, index_dir, checksums = built
    manifest = json.loads((store.current_build(index_dir) / store.MANIFEST).read_text())
    assert manifest["format"] == store.FORMAT_VERSION
    assert manifest["model"] == "fake-encoder@1"
    assert manifest["dimension"] == 256
    assert manifest["articles"] == checksums
    assert manifest["built_at"]
    assert {store.CORPUS, store.SENTENCES, store.PARAGRAPHS} <= set(manifest["files"])
    folders = {name.split("/")[0] for name in manifest["files"] if "/" in name}
    assert folders == {store.SENTENCE_BM25}
    build_dir = store.current_build(index_dir)
    on_disk = {p.relative_to(build_dir).as_posix() for p in build_dir.rglob("*") if p.is_file()}
    assert on_disk - {store.MANIFEST} == set(manifest["files"])


def test_only_body_sentences_are_indexed(built):
    """Captions, boilerplate and the title never enter the sentence table."""
    index, _, _ = built
    kinds = {index.paragraph(r.article, r.paragraph).kind for r in index.sentence_refs}
    assert kinds == {"body"}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (
            lambda d: (d / store.SENTENCES).write_bytes((d / store.SENTENCES).read_bytes()[:100]),
            "damaged",
        ),
        (lambda d: (d / store.PARAGRAPHS).write_bytes(b"garbage" * 10), "damaged"),
        (lambda d: (d / store.CORPUS).unlink(), "missing"),
        (lambda d: (d / store.MANIFEST).write_text("{not json"), "unreadable"),
        (lambda d: (d / store.MANIFEST).unlink(), "missing"),
        (lambda d: next((d / store.SENTENCE_BM25).glob("*.npy")).unlink(), "missing"),
        (lambda d: next((d / store.SENTENCE_BM25).glob("*.json")).write_text("{}"), "damaged"),
    ],
    ids=["truncated", "garbled", "deleted", "bad-manifest", "no-manifest", "bm25-gone", "bm25"],
)
def test_damage_is_detected(built, fake_encoder, damage, reason):
    """Truncated, garbled or deleted files are refused before FAISS reads them."""
    _, index_dir, checksums = built
    damage(store.current_build(index_dir))
    with pytest.raises(IndexCorrupt, match=reason):
        store.load(index_dir, model=fake_encoder.fingerprint, articles=checksums)


def test_stale_index_is_detected(built, fake_encoder):
    """A changed article or another model makes the index stale."""
    _, index_dir, checksums = built
    with pytest.raises(IndexCorrupt, match="articles changed"):
        store.load(index_dir, model=fake_encoder.fingerprint, articles={"other.txt": "0"})
    with pytest.raises(IndexCorrupt, match="another model"):
        store.load(index_dir, model="other-model", articles=checksums)


def test_bad_pointer(tmp_path: Path):
    """A missing or tampered CURRENT file is reported, never followed outside."""
    with pytest.raises(IndexCorrupt, match="no index"):
        store.current_build(tmp_path)
    (tmp_path / store.CURRENT).write_text("../../etc\n")
    with pytest.raises(IndexCorrupt, match="invalid build"):
        store.current_build(tmp_path)


def test_failed_save_keeps_the_current_build(built, fake_encoder, monkeypatch):
    """A write error mid-save (e.g. a full disk) leaves the live build untouched."""
    index, index_dir, checksums = built
    before = store.current_build(index_dir)

    def disk_full(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.VectorIndex, "save", disk_full)
    with pytest.raises(OSError, match="no space left on device"):
        store.save(index, index_dir)
    assert store.current_build(index_dir) == before
    assert not list(index_dir.glob(".build-*"))
    store.load(index_dir, model=fake_encoder.fingerprint, articles=checksums)


def test_old_builds_are_pruned(built):
    """Rebuilding keeps a bounded number of builds on disk."""
    index, index_dir, _ = built
    for _ in range(4):
        store.save(index, index_dir)
    assert len(list(index_dir.glob("build-*"))) <= 2
