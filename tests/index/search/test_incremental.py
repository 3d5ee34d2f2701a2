"""Incremental reindex: only new or changed text is embedded; removed articles leave."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support import FakeEncoder

from bench.corpus_gen import write_corpus
from index.engine import Engine, EngineConfig, ReindexReport
from index.search import incremental, store


class CountingEncoder(FakeEncoder):
    """The fake encoder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return super().encode(texts)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Five small generated news articles (48 body paragraphs)."""
    return write_corpus(tmp_path / "articles", paragraphs=48, seed=3)[0].parent


@pytest.fixture
def counting() -> CountingEncoder:
    return CountingEncoder()


@pytest.fixture
def engine(corpus: Path, tmp_path: Path, counting: CountingEncoder) -> Engine:
    engine = Engine(
        EngineConfig(articles_dir=corpus, index_dir=tmp_path / "index"),
        encoder_factory=lambda spec: counting,
    )
    engine.start()
    counting.texts.clear()
    return engine


def texts_of(index: store.SearchIndex, article_id: str) -> set[str]:
    """Paragraph and sentence texts the index holds for one article."""
    a = next(i for i, art in enumerate(index.articles) if art.id == article_id)
    paragraphs = {
        index.paragraph(a, r.paragraph).text for r in index.paragraph_refs if r.article == a
    }
    sentences = {index.sentence(r).text for r in index.sentence_refs if r.article == a}
    return paragraphs | sentences


def rewrite_paragraph(path: Path) -> str:
    """Replace the third block of an article file; returns the new paragraph."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    blocks[3] = "The harbour master confirmed that the ferry will resume sailing on Sunday."
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return blocks[3]


def test_unchanged_corpus_embeds_nothing(engine, counting):
    """A reindex with no article changed reuses every vector and embeds no text."""
    report = engine.reindex()
    assert counting.texts == []
    assert (report.embedded, report.reused, report.removed) == (0, report.articles, 0)


def test_changed_article_alone_is_embedded(engine, corpus, counting):
    """Only the changed article's new text is embedded; the others are reused."""
    victim = sorted(corpus.iterdir())[2]
    new_paragraph = rewrite_paragraph(victim)
    report = engine.reindex()
    assert (report.embedded, report.reused, report.removed) == (1, report.articles - 1, 0)
    assert new_paragraph in counting.texts
    assert set(counting.texts) <= texts_of(engine.search_index, victim.name)


def same_as_fresh_build(index: store.SearchIndex, corpus: Path) -> None:
    """``index`` has the rows and vectors of a build from scratch of ``corpus``."""
    fresh = store.build(incremental.read_corpus(corpus, None)[0], FakeEncoder())
    assert index.sentence_refs == fresh.sentence_refs
    assert index.paragraph_refs == fresh.paragraph_refs
    for mine, theirs in (
        (index.sentence_vectors, fresh.sentence_vectors),
        (index.paragraph_vectors, fresh.paragraph_vectors),
    ):
        assert np.allclose(mine.reconstruct_all(), theirs.reconstruct_all())


def test_reused_vectors_equal_a_fresh_build(engine, corpus):
    """An incremental build holds the same rows and vectors as a build from scratch."""
    rewrite_paragraph(sorted(corpus.iterdir())[0])
    engine.reindex()
    same_as_fresh_build(engine.search_index, corpus)


def test_removed_article_leaves_with_its_vectors(engine, corpus, counting):
    """Deleting an article drops its rows and vectors (as if never indexed); nothing is
    embedded."""
    before = engine.search_index
    victim = sorted(corpus.iterdir())[1]
    victim.unlink()
    report = engine.reindex()
    after = engine.search_index
    assert (report.embedded, report.removed) == (0, 1)
    assert counting.texts == []
    assert victim.name not in {a.id for a in after.articles}
    assert len(after.sentence_vectors) == len(after.sentence_refs) < len(before.sentence_refs)
    assert len(after.paragraph_vectors) == len(after.paragraph_refs) < len(before.paragraph_refs)
    same_as_fresh_build(after, corpus)


def test_restart_reuses_the_build_on_disk(engine, corpus, tmp_path, counting):
    """A new process (no live index) finds the last build on disk and reuses it."""
    rewrite_paragraph(sorted(corpus.iterdir())[4])
    fresh = Engine(engine.config, encoder_factory=lambda spec: counting)
    fresh.start()  # the articles changed: it rebuilds, incrementally
    index = fresh.search_index
    assert (index.embedding.embedded_articles, index.embedding.removed_articles) == (1, 0)
    assert index.embedding.reused_articles == len(index.articles) - 1


def test_damaged_previous_build_is_not_reused(engine, corpus, counting):
    """A previous build that fails its checksums is rebuilt from scratch, not reused."""
    build_dir = store.current_build(engine.config.index_dir)
    (build_dir / store.SENTENCES).write_bytes(b"garbage")
    rewrite_paragraph(sorted(corpus.iterdir())[0])
    fresh = Engine(engine.config, encoder_factory=lambda spec: counting)
    fresh.start()
    assert fresh.search_index.embedding.reused_articles == 0
    assert fresh.search_index.embedding.embedded_articles == len(fresh.search_index.articles)


def test_other_model_vectors_are_never_reused(engine, corpus):
    """Vectors from another model's build are not reused."""

    class OtherModel(CountingEncoder):
        fingerprint = "other-model@2"

    other = OtherModel()
    previous = engine.search_index
    index = store.build(previous.articles, other, previous=previous)
    assert index.embedding.reused_texts == 0
    assert len(other.texts) == index.embedding.embedded_texts > 0


def test_parses_are_reused_only_from_the_same_parser(engine, corpus):
    """Unchanged articles keep their parse; a parser change re-parses them all."""
    previous = engine.search_index
    articles, reused = incremental.read_corpus(corpus, previous)
    assert reused == len(articles)
    assert articles[0] is previous.articles[0]
    previous.parser = "another-parser"
    articles, reused = incremental.read_corpus(corpus, previous)
    assert reused == 0
    assert articles[0] == previous.articles[0]


def test_older_format_is_rebuilt(engine, counting, caplog):
    """A build from an older format version is refused on load and rebuilt."""
    build_dir = store.current_build(engine.config.index_dir)
    manifest = json.loads((build_dir / store.MANIFEST).read_text())
    manifest["format"] = 2
    (build_dir / store.MANIFEST).write_text(json.dumps(manifest))
    fresh = Engine(engine.config, encoder_factory=lambda spec: counting)
    fresh.start()
    assert "unknown format version" in caplog.text
    manifest = json.loads(
        (store.current_build(engine.config.index_dir) / store.MANIFEST).read_text()
    )
    assert manifest["format"] == store.FORMAT_VERSION
    assert fresh.ask("What did officials say?") is not None


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (
            ReindexReport(2, 40, 90, 1.234, embedded=1, reused=1),
            "2 article(s): 40 paragraphs, 90 sentences in 1.2 s (1 embedded, 1 reused)",
        ),
        (
            ReindexReport(1, 5, 9, 0.5, embedded=0, reused=1, removed=2),
            "1 article(s): 5 paragraphs, 9 sentences in 0.5 s (0 embedded, 1 reused, 2 removed)",
        ),
    ],
)
def test_reindex_summary_says_what_was_embedded_and_reused(report, expected):
    """The one-line reindex summary names the embedded, reused and removed articles."""
    assert report.summary() == expected
