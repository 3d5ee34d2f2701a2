"""Hybrid retrieval: closest paragraphs, then the sentences in them that answer best.

Each candidate sentence gets a score from four signals:

- dense similarity of the question to the sentence (with its speaker),
- dense similarity to the whole paragraph (context),
- BM25 of the question against the sentence and its paragraph (names, numbers, places),
- coverage: the share of the question's content words, weighted by rarity, that the
  sentence, its paragraph or its attribution contain.

The engine abstains (``answered: false``) when the best evidence is weak, rather than
quote something unrelated. Thresholds are set on the dev questions in ``bench/dev``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from index.answer_types import question_type
from index.encoding.base import Encoder
from index.errors import InvalidQuestion
from index.lexical import tokenize
from index.models import Answer, Quote
from index.store import SearchIndex, SentenceRef

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 300
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
_CUSTOM_EMOJI = re.compile(r"<a?:\w+:\d+>")
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Cn"}


FEATURES = (
    "dense_sentence",  # cosine of question and sentence
    "dense_paragraph",  # cosine of question and the sentence's paragraph
    "bm25_sentence",  # BM25 of the sentence (with its speaker), over the corpus maximum
    "bm25_paragraph",  # BM25 of the paragraph, over the corpus maximum
    "coverage_sentence",  # rarity-weighted share of question words in sentence + speaker
    "coverage_paragraph",  # the same for the whole paragraph
    "answer_type",  # who / when / where / how many questions meet a sentence that has one
)


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """Weights and thresholds of the ranker, set on the dev questions by ``bench/tune.py``."""

    top_k: int = 3
    paragraph_candidates: int = 8
    sentence_candidates: int = 40
    weights: tuple[float, ...] = (0.4, 0.4, 0.0, 0.0, 0.2, 0.0, 0.0)
    min_score: float = 0.329  # abstain below this best score
    min_dense: float = 0.20  # and below this best dense similarity, whatever else
    relative_cutoff: float = 0.85  # further quotes must score this share of the best


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored sentence. In ``Retriever.candidates`` the features whose weight is zero
    are not computed (they are 0.0): ``Retriever.features`` gives them all."""

    ref: SentenceRef
    features: tuple[float, ...]
    score: float

    @property
    def dense_sentence(self) -> float:
        return self.features[0]


def clean_question(question: str) -> str:
    """Normalise a question: NFKC, no mentions, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFKC", question)
    text = _MENTION.sub(" ", text)
    text = _CUSTOM_EMOJI.sub(" ", text)
    text = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in text)
    text = text.replace("`", " ").replace("*", " ").replace("_", " ").replace("~", " ")
    return " ".join(text.split())


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest scores, ties to the lower row: the first ``k`` of
    ``np.argsort(-scores, kind="stable")`` without sorting the whole table (at 300k
    sentences a full sort took ~25 ms a question; this takes ~1 ms)."""
    if k >= scores.size:
        return np.argsort(-scores, kind="stable")
    kth = np.partition(scores, scores.size - k)[scores.size - k]  # the k-th highest score
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: k - above.size]
    rows = np.concatenate([above, tied])
    return rows[np.argsort(-scores[rows], kind="stable")]


def validate_question(question: str) -> str:
    """Return the cleaned question or raise ``InvalidQuestion`` with a user-facing reason."""
    if question is None or not question.strip():
        raise InvalidQuestion("Please ask a question: it was empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"That question is {len(question)} characters long; please keep it under "
            f"{MAX_QUESTION_CHARS}."
        )
    cleaned = clean_question(question)
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidQuestion("Please ask a question in words: that had no letters or digits.")
    return cleaned


class Retriever:
    """Answers questions from one ``SearchIndex`` (immutable: swap the whole object)."""

    def __init__(self, index: SearchIndex, encoder: Encoder, config: RetrievalConfig) -> None:
        self.index = index
        self.encoder = encoder
        self.config = config

    def ask(self, question: str) -> Answer:
        return self.ask_many([question])[0]

    def ask_many(self, questions: list[str]) -> list[Answer]:
        """Answer several already validated questions with one batched embedding call."""
        cleaned = [validate_question(q) for q in questions]
        vectors = self.encoder.encode(cleaned)
        return [
            self._answer(original, text, vectors[i : i + 1])
            for i, (original, text) in enumerate(zip(questions, cleaned, strict=True))
        ]

    # ---------------------------------------------------------------- ranking
    def candidate_rows(
        self, tokens: list[str], vector: np.ndarray, lexical: np.ndarray | None = None
    ) -> list[int]:
        """Sentences worth scoring: dense and BM25 neighbours, and their paragraphs.

        ``lexical``: the sentences' BM25 scores for ``tokens``, when already computed."""
        index, config = self.index, self.config
        _, p_ids = index.paragraph_vectors.search(vector, config.paragraph_candidates)
        _, s_ids = index.sentence_vectors.search(vector, config.sentence_candidates)
        rows: set[int] = {int(i) for i in s_ids[0] if i >= 0}
        if lexical is None:
            lexical = index.sentence_lexical.scores(tokens)
        if lexical.size and lexical.max() > 0:
            best = top_rows(lexical, config.sentence_candidates)
            rows.update(int(i) for i in best if lexical[i] > 0)
        for i in p_ids[0]:
            if i >= 0:
                rows.update(index.paragraph_sentences[int(i)])
        return sorted(rows)

    def features(
        self, text: str, vector: np.ndarray, *, only_weighted: bool = False
    ) -> tuple[list[int], np.ndarray]:
        """Candidate rows and their feature matrix (columns in ``FEATURES`` order).

        With ``only_weighted``, columns whose weight is zero are left at 0.0 instead of
        computed (the ranking is the same: they add nothing to a score). The paragraph
        BM25 and the answer types then cost nothing, which matters on large corpora."""
        index = self.index
        if not index.sentence_refs:
            return [], np.zeros((0, len(FEATURES)), dtype=np.float32)
        weights_of = dict(zip(FEATURES, self.config.weights, strict=True))

        def wanted(feature: str) -> bool:
            return not only_weighted or weights_of[feature] != 0 or feature == "dense_sentence"

        tokens = tokenize(text)
        lex_s = index.sentence_lexical.scores(tokens)
        rows = self.candidate_rows(tokens, vector, lex_s)
        p_rows = [index.sentence_paragraph_row[r] for r in rows]
        query = vector[0]
        zeros = np.zeros(len(rows), dtype=np.float32)
        dense_s = index.sentence_vectors.rows(rows) @ query
        dense_p = (
            index.paragraph_vectors.rows(p_rows) @ query if wanted("dense_paragraph") else zeros
        )
        bm25_s = zeros
        if wanted("bm25_sentence") and lex_s.size and lex_s.max() > 0:
            bm25_s = lex_s[rows] / lex_s.max()
        bm25_p = zeros
        if wanted("bm25_paragraph"):
            lex_p = index.paragraph_lexical.scores(tokens)
            if lex_p.size and lex_p.max() > 0:
                bm25_p = lex_p[p_rows] / lex_p.max()
        weights = {t: index.sentence_lexical.idf(t) for t in set(tokens)}
        total = sum(weights.values()) or 1.0
        cov_s = zeros
        if wanted("coverage_sentence"):
            cov_s = [
                sum(w for t, w in weights.items() if t in index.sentence_tokens[r]) / total
                for r in rows
            ]
        cov_p = zeros
        if wanted("coverage_paragraph"):
            cov_p = [
                sum(w for t, w in weights.items() if t in index.paragraph_tokens[p]) / total
                for p in p_rows
            ]
        atype = zeros
        if wanted("answer_type"):
            kind = question_type(text)
            atype = [float(kind is not None and kind in index.sentence_types[r]) for r in rows]
        matrix = np.column_stack([dense_s, dense_p, bm25_s, bm25_p, cov_s, cov_p, atype])
        return rows, matrix.astype(np.float32)

    def candidates(self, text: str, vector: np.ndarray) -> list[Candidate]:
        rows, matrix = self.features(text, vector, only_weighted=True)
        scores = matrix @ np.asarray(self.config.weights, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")
        return [
            Candidate(
                self.index.sentence_refs[rows[i]], tuple(map(float, matrix[i])), float(scores[i])
            )
            for i in order
        ]

    def _answer(self, question: str, text: str, vector: np.ndarray) -> Answer:
        config = self.config
        ranked = self.candidates(text, vector)
        if not ranked:
            return Answer(question, False, reason="the index is empty")
        best = ranked[0]
        if best.score < config.min_score or best.dense_sentence < config.min_dense:
            log.debug("abstained on %r (best %.3f)", text, best.score)
            return Answer(question, False, reason="no passage in the article answers this")
        floor = max(config.min_score, best.score * config.relative_cutoff)
        chosen = [c for c in ranked if c.score >= floor]
        quotes = tuple(self._quote(c) for c in chosen)
        return Answer(
            question,
            True,
            quotes=quotes[: config.top_k],
            more=quotes[config.top_k :],
        )

    def _quote(self, candidate: Candidate) -> Quote:
        ref = candidate.ref
        article = self.index.articles[ref.article]
        sentence = self.index.sentence(ref)
        return Quote(
            text=sentence.text,
            attribution=sentence.attribution,
            article_id=article.id,
            article_title=article.title,
            paragraph=ref.paragraph,
            score=candidate.score,
            start=sentence.start,
            end=sentence.end,
        )
