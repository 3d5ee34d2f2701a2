"""Approximate search above a size: type choice, save/load/mmap round trip, recall."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLES, FakeEncoder

from bench.corpus_gen import generate
from index.errors import IndexCorrupt
from index.parsing.ingest import parse_article, read_corpus
from index.search import ann, store
from index.search.vectors import VectorIndex


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """About 1,400 distinct sentences of generated news."""
    texts: dict[str, None] = {}
    for name, text in generate(1000, seed=11):
        for paragraph in parse_article(name, text.encode()).paragraphs:
            if paragraph.quotable:
                texts.update((s.text, None) for s in paragraph.sentences)
    return list(texts)


@pytest.fixture(scope="module")
def vectors(sentences) -> np.ndarray:
    return FakeEncoder().encode(sentences)


@pytest.fixture
def small_threshold(monkeypatch):
    """Approximate search from 200 vectors up, so tests stay small."""
    monkeypatch.setattr(ann, "EXACT_MAX_VECTORS", 200)


@pytest.mark.parametrize(
    ("rows", "kind"),
    [
        (0, "flat"),
        (1, "flat"),
        (ann.EXACT_MAX_VECTORS, "flat"),
        (ann.EXACT_MAX_VECTORS + 1, "hnsw"),
    ],
)
def test_kind_by_size(rows, kind):
    """Tables up to the threshold are exact; larger ones approximate."""
    assert ann.kind_for(rows) == kind


def test_small_corpus_stays_exact(fake_encoder):
    """The bundled article's tables are exact IndexFlatIP."""
    index = store.build(read_corpus(BUNDLED_ARTICLES), fake_encoder)
    assert (index.sentence_vectors.kind, index.paragraph_vectors.kind) == ("flat", "flat")


def mapped(path: Path) -> bool:
    """Whether this process has ``path`` memory-mapped (Linux)."""
    return str(path) in Path("/proc/self/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_mmap_round_trip(kind, vectors, tmp_path, monkeypatch):
    """Saved and loaded memory-mapped, an index answers the same and keeps exact vectors."""
    monkeypatch.setattr(ann, "EXACT_MAX_VECTORS", len(vectors) if kind == "flat" else 200)
    built = VectorIndex.build(vectors.shape[1], vectors)
    assert built.kind == kind
    path = tmp_path / "v.faiss"
    built.save(path)
    loaded = VectorIndex.load(path, vectors.shape[1], len(vectors), mmap=True)
    assert loaded.kind == kind
    assert mapped(path)
    queries = vectors[:20]
    assert np.array_equal(loaded.search(queries, 10)[1], built.search(queries, 10)[1])
    rows = [0, 7, len(vectors) - 1]
    assert np.array_equal(loaded.rows(rows), vectors[rows])


def test_hnsw_recall_against_exact(vectors):
    """On ~1,400 generated sentences, HNSW with the shipped parameters finds >= 95% of
    the exact top 10 (the real-model figures are in docs/benchmarks.md)."""
    import faiss

    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    approximate = ann.new_index(vectors.shape[1], ann.EXACT_MAX_VECTORS + 1)
    approximate.add(vectors)
    assert ann.kind_of(approximate) == "hnsw"
    queries = vectors[::7]
    _, truth = exact.search(queries, 10)
    _, found = approximate.search(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.95


def test_store_round_trip_with_hnsw(small_threshold, fake_encoder, tmp_path):
    """A build above the threshold is saved as HNSW, listed in the manifest, loaded
    memory-mapped, and answers the same questions the same way."""
    articles_dir = tmp_path / "articles"
    articles_dir.mkdir()
    for name, text in generate(300, seed=5):
        (articles_dir / name).write_text(text, encoding="utf-8")
    articles = read_corpus(articles_dir)
    index = store.build(articles, fake_encoder)
    assert index.paragraph_vectors.kind == "hnsw"
    store.save(index, tmp_path / "index")
    build_dir = store.current_build(tmp_path / "index")
    manifest = json.loads((build_dir / store.MANIFEST).read_text())
    assert manifest["vector_index"]["paragraphs"] == "hnsw"
    loaded = store.load(
        tmp_path / "index",
        model=fake_encoder.fingerprint,
        articles={a.id: a.checksum for a in articles},
    )
    assert loaded.paragraph_vectors.kind == "hnsw"
    query = fake_encoder.encode(["Who said the defences held in the flood?"])
    assert np.array_equal(
        loaded.paragraph_vectors.search(query, 8)[1], index.paragraph_vectors.search(query, 8)[1]
    )


def test_damaged_hnsw_file_is_detected(small_threshold, fake_encoder, tmp_path):
    """A damaged approximate index fails its checksum before FAISS maps it."""
    articles_dir = tmp_path / "articles"
    articles_dir.mkdir()
    for name, text in generate(300, seed=5):
        (articles_dir / name).write_text(text, encoding="utf-8")
    store.save(store.build(read_corpus(articles_dir), fake_encoder), tmp_path / "index")
    path = store.current_build(tmp_path / "index") / store.PARAGRAPHS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="damaged"):
        store.load(tmp_path / "index", model=fake_encoder.fingerprint, articles=None)
