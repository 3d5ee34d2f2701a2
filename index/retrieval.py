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

from index.embeddings import Encoder
from index.errors import InvalidQuestion
from index.lexical import tokenize
from index.models import Answer, Quote
from index.store import SearchIndex, SentenceRef

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 300
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
_CUSTOM_EMOJI = re.compile(r"<a?:\w+:\d+>")
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Cn"}


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """Weights and thresholds of the ranker (see bench/README.md for how they were set)."""

    top_k: int = 3
    paragraph_candidates: int = 6
    sentence_candidates: int = 30
    w_sentence: float = 0.45
    w_paragraph: float = 0.20
    w_lexical: float = 0.15
    w_coverage: float = 0.20
    min_score: float = 0.40
    min_dense: float = 0.30
    min_coverage: float = 0.25
    relative_cutoff: float = 0.80


@dataclass(frozen=True, slots=True)
class Candidate:
    ref: SentenceRef
    dense_sentence: float
    dense_paragraph: float
    lexical: float
    coverage: float
    score: float


def clean_question(question: str) -> str:
    """Normalise a question: NFKC, no mentions, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFKC", question)
    text = _MENTION.sub(" ", text)
    text = _CUSTOM_EMOJI.sub(" ", text)
    text = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in text)
    text = text.replace("`", " ").replace("*", " ").replace("_", " ").replace("~", " ")
    return " ".join(text.split())


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
    def candidates(self, text: str, vector: np.ndarray) -> list[Candidate]:
        index, config = self.index, self.config
        if not index.sentence_refs:
            return []
        query_tokens = tokenize(text)
        # dense: best paragraphs and best sentences
        p_scores, p_ids = index.paragraph_vectors.search(vector, config.paragraph_candidates)
        s_scores, s_ids = index.sentence_vectors.search(vector, config.sentence_candidates)
        rows: set[int] = {int(i) for i in s_ids[0] if i >= 0}
        top_paragraphs = {
            (index.paragraph_refs[i].article, index.paragraph_refs[i].paragraph)
            for i in p_ids[0]
            if i >= 0
        }
        lexical = index.sentence_lexical.scores(query_tokens)
        if lexical.size and lexical.max() > 0:
            rows.update(int(i) for i in np.argsort(-lexical)[: config.sentence_candidates] if lexical[i] > 0)
        for row, ref in enumerate(index.sentence_refs):
            if (ref.article, ref.paragraph) in top_paragraphs:
                rows.add(row)
        row_list = sorted(rows)
        sentence_vectors = index.sentence_vectors.rows(row_list)
        dense_s = sentence_vectors @ vector[0]
        paragraph_lexical = index.paragraph_lexical.scores(query_tokens)
        p_rows = [index.paragraph_rows[(index.sentence_refs[r].article, index.sentence_refs[r].paragraph)] for r in row_list]
        paragraph_vectors = index.paragraph_vectors.rows(sorted(set(p_rows)))
        p_dense = dict(zip(sorted(set(p_rows)), paragraph_vectors @ vector[0], strict=True))
        lex_max = float(lexical.max()) if lexical.size else 0.0
        plex_max = float(paragraph_lexical.max()) if paragraph_lexical.size else 0.0
        weights = {t: index.sentence_lexical.idf(t) for t in set(query_tokens)}
        total_weight = sum(weights.values())
        out = []
        for row, p_row, ds in zip(row_list, p_rows, dense_s, strict=True):
            ref = index.sentence_refs[row]
            lex = 0.0
            if lex_max > 0:
                lex += 0.6 * float(lexical[row]) / lex_max
            if plex_max > 0:
                lex += 0.4 * float(paragraph_lexical[p_row]) / plex_max
            coverage = 0.0
            if total_weight > 0:
                sentence = index.sentence(ref)
                paragraph = index.paragraph(ref.article, ref.paragraph)
                a = sentence.attribution
                words = set(tokenize(f"{paragraph.text} {a.speaker or ''} {a.role or ''}"))
                coverage = sum(w for t, w in weights.items() if t in words) / total_weight
            dp = float(p_dense[p_row])
            score = (
                config.w_sentence * float(ds)
                + config.w_paragraph * dp
                + config.w_lexical * lex
                + config.w_coverage * coverage
            )
            out.append(Candidate(ref, float(ds), dp, lex, coverage, score))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def _answer(self, question: str, text: str, vector: np.ndarray) -> Answer:
        config = self.config
        ranked = self.candidates(text, vector)
        if not ranked:
            return Answer(question, False, reason="the index is empty")
        best = ranked[0]
        strong = (
            best.score >= config.min_score
            and best.dense_sentence >= config.min_dense
            and (best.coverage >= config.min_coverage or best.dense_sentence >= 0.55)
        )
        if not strong:
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

