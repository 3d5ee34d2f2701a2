"""Answer from chosen articles only (``/ask article:``): a ``Retriever`` with an allow-list.

Only the candidate set changes; features, weights and the abstention thresholds are the
unfiltered ones, so a filtered answer is scored exactly like an unfiltered one. Dense
neighbours are searched among the chosen articles' rows themselves (exact, by matrix
product) when they are few, so a small article in a large corpus still gets its best
sentences as candidates rather than whatever survives a corpus-wide top-k; for a large
allow-list a corpus-wide search, widened by the corpus-to-article ratio, is filtered.
The unfiltered path (``Retriever``) is not touched.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from index.encoding.base import Encoder
from index.retrieval.retriever import RetrievalConfig, Retriever
from index.search.store import SearchIndex
from index.search.vectors import VectorIndex

log = logging.getLogger(__name__)

#: Up to this many allowed rows, dense neighbours are computed exactly over those rows.
EXACT_ROWS = 5_000
#: A widened corpus-wide search never asks for more neighbours than this.
MAX_WIDENED_K = 4_096


def _top_rows(vectors: VectorIndex, allowed: list[int], query: np.ndarray, k: int) -> list[int]:
    """The ``k`` rows of ``allowed`` nearest to ``query`` (one query row)."""
    if not allowed or k <= 0:
        return []
    if len(allowed) <= EXACT_ROWS:
        scores = vectors.rows(allowed) @ query[0]
        k = min(k, len(allowed))
        best = np.argpartition(-scores, k - 1)[:k]
        return [allowed[int(i)] for i in best[np.argsort(-scores[best], kind="stable")]]
    ratio = math.ceil(len(vectors) / len(allowed))
    _, ids = vectors.search(query, min(MAX_WIDENED_K, k * ratio * 2))
    wanted = set(allowed)
    return [int(i) for i in ids[0] if i >= 0 and int(i) in wanted][:k]


class FilteredRetriever(Retriever):
    """A ``Retriever`` whose candidates all come from the allowed sentence rows."""

    def __init__(
        self,
        index: SearchIndex,
        encoder: Encoder,
        config: RetrievalConfig,
        sentence_rows: list[int],
        paragraph_rows: list[int],
        *,
        parent: Retriever | None = None,
    ) -> None:
        super().__init__(
            index,
            encoder,
            config,
            calibration=parent.calibration if parent else None,
            sources=parent.sources if parent else None,
            reader=parent.reader if parent else None,
        )
        self.sentence_rows = sorted(sentence_rows)
        self.paragraph_rows = sorted(paragraph_rows)
        self._allowed = frozenset(self.sentence_rows)
        self._scope = frozenset(index.sentence_refs[r].article for r in self.sentence_rows)

    @property
    def scope(self) -> frozenset[int] | None:
        """The chosen articles: speakers, leads and grounding are looked up there only."""
        return self._scope

    def candidate_rows(
        self, tokens: list[str], vector: np.ndarray, lexical: np.ndarray | None = None
    ) -> list[int]:
        """Dense and BM25 neighbours and their paragraphs, among the allowed rows only."""
        index, config = self.index, self.config
        k = config.sentence_candidates
        rows = set(_top_rows(index.sentence_vectors, self.sentence_rows, vector, k))
        if lexical is None:
            lexical = index.sentence_lexical.scores(tokens)
        if lexical.size and self.sentence_rows:
            allowed = np.asarray(self.sentence_rows, dtype=np.int64)
            scores = lexical[allowed]
            best = np.argsort(-scores, kind="stable")[: config.sentence_candidates]
            rows.update(int(allowed[i]) for i in best if scores[i] > 0)
        for p_row in _top_rows(
            index.paragraph_vectors, self.paragraph_rows, vector, config.paragraph_candidates
        ):
            rows.update(r for r in index.paragraph_sentences[p_row] if r in self._allowed)
        return sorted(rows)
