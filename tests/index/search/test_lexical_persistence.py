"""BM25 tables saved with a build load back (memory-mapped) with identical scores."""

from __future__ import annotations

import numpy as np
import pytest

from index.search.lexical import LexicalIndex, tokenize

DOCS = [
    "The embassy in Kyiv closed on Wednesday after a warning of an air attack.",
    "Dmitry Peskov confirmed the strike could be grounds for a nuclear response.",
    "",
    "Human rights groups have long criticised the use of anti-personnel mines.",
]


@pytest.mark.parametrize("mmap", [True, False])
def test_saved_bm25_scores_identically(tmp_path, mmap):
    """Scores, document frequencies and idf survive a save and a (mapped) load."""
    built = LexicalIndex(DOCS)
    built.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25", mmap=mmap)
    assert len(loaded) == len(built)
    assert loaded.document_frequency == built.document_frequency
    for question in ("who confirmed a nuclear response", "mines", "unknownword embassy"):
        tokens = tokenize(question)
        assert np.array_equal(loaded.scores(tokens), built.scores(tokens))
        assert [loaded.idf(t) for t in tokens] == [built.idf(t) for t in tokens]


def test_empty_index_round_trip(tmp_path):
    """An index of no documents saves and loads too."""
    LexicalIndex([]).save(tmp_path / "bm25")
    assert len(LexicalIndex.load(tmp_path / "bm25")) == 0
