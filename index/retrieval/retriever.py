"""Retrieval and answering: the closest sentences, read through the article's structure,
then graded.

Candidates are the dense and BM25 neighbours of the question among sentences, and every
sentence of its dense top paragraphs. Each is ranked by three features (``FEATURES``):
dense similarity to the sentence (with its speaker), to its paragraph, and the
rarity-weighted share of the question's words the sentence and its speaker hold. The
weights were set by ``bench/tune.py`` on dev questions; features that ended with weight 0
(BM25 as a feature, paragraph coverage, answer type) were removed, not computed.

Before ranking, the question is read (``index/retrieval/question.py``): questions about the article
get its lead and key statements; a speaker question is ranked among that source's
sentences, or hedged with a note when the article never quotes it
(``index/retrieval/sources.py``); names and numbers the articles lack rule out confidence. The
best candidate's signals are then graded by the fitted models of ``index/retrieval/confidence.py``:
``high`` (quoted as the answer), ``low`` (the closest passages, said to be such) or
``none`` (nothing quoted).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from index.encoding.base import Encoder
from index.errors import InvalidQuestion
from index.models import Answer, Attribution, Quote
from index.reader.pairs import sentence_side
from index.reader.pin import READER_WEIGHT
from index.retrieval.answer_types import SLOT_NOTES, question_type, unfilled_slot
from index.retrieval.confidence import (
    Calibration,
    Confidence,
    Evidence,
    cap,
    lift,
    load_calibration,
)
from index.retrieval.question import QuestionIntent, read_question
from index.retrieval.sources import SourceTable
from index.search.lexical import tokenize
from index.search.store import SearchIndex, SentenceRef

if TYPE_CHECKING:
    from index.reader.model import Reader

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 300
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Cn"}


FEATURES = (
    "dense_sentence",  # cosine of question and sentence (with its speaker)
    "dense_paragraph",  # cosine of question and the sentence's paragraph
    "coverage_sentence",  # rarity-weighted share of question words in sentence + speaker
)


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """Weights and thresholds of the ranker, set on the dev questions by ``bench/tune.py``."""

    top_k: int = 3
    paragraph_candidates: int = 8
    sentence_candidates: int = 40
    weights: tuple[float, ...] = (0.4, 0.4, 0.2)
    relative_cutoff: float = 0.85  # further quotes must score this share of the best
    reader_candidates: int = 5  # the first candidates the reader rereads (bench/train_reader.py)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored sentence: its ranking features (``FEATURES`` order) and their weighted sum."""

    ref: SentenceRef
    features: tuple[float, ...]
    score: float
    row: int = -1  # its sentence row in the index (-1: unknown)
    reader: float | None = None  # the reader's probability that it answers (None: not read)

    @property
    def dense_sentence(self) -> float:
        return self.features[0]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A question read and ranked, before it is graded (see ``Retriever.prepare``)."""

    intent: QuestionIntent
    ranked: list[Candidate]
    ceiling: Confidence  # the best grade the question's structure allows
    note: str | None
    floor: Confidence = "none"  # the least grade it gets (a quoted source: "low")
    by_source: bool = False  # ranked among the sentences of the source it names
    grounded: float = 1.0  # the share of its names and numbers the articles hold (aliases too)
    off_topic: bool = False  # its subject is nowhere in the articles: graded "none"


def clean_question(question: str) -> str:
    """Normalise a question: NFKC, no invisible characters or markdown marks, single spaces."""
    text = unicodedata.normalize("NFKC", question)
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

    def __init__(
        self,
        index: SearchIndex,
        encoder: Encoder,
        config: RetrievalConfig,
        calibration: Calibration | None = None,
        sources: SourceTable | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.config = config
        self.reader = reader
        self.calibration = calibration or load_calibration()
        if sources is not None:
            self.sources = sources  # shared with the retriever it narrows (article filter)

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
        self, text: str, vector: np.ndarray, *, rows: Sequence[int] | None = None
    ) -> tuple[list[int], np.ndarray]:
        """Candidate rows and their feature matrix (columns in ``FEATURES`` order).

        ``rows``: score these sentence rows instead of the retrieved candidates."""
        index = self.index
        if not index.sentence_refs:
            return [], np.zeros((0, len(FEATURES)), dtype=np.float32)
        tokens = tokenize(text)
        lexical = index.sentence_lexical.scores(tokens)
        rows = self.candidate_rows(tokens, vector, lexical) if rows is None else sorted(rows)
        p_rows = [index.sentence_paragraph_row[r] for r in rows]
        query = vector[0]
        dense_s = index.sentence_vectors.rows(rows) @ query
        dense_p = index.paragraph_vectors.rows(p_rows) @ query
        weights = {t: index.sentence_lexical.idf(t) for t in set(tokens)}
        total = sum(weights.values()) or 1.0
        coverage = [
            sum(w for t, w in weights.items() if t in index.sentence_tokens[r]) / total
            for r in rows
        ]
        matrix = np.column_stack([dense_s, dense_p, coverage])
        return rows, matrix.astype(np.float32)

    def candidates(
        self, text: str, vector: np.ndarray, rows: Sequence[int] | None = None
    ) -> list[Candidate]:
        """Candidates (or the given ``rows``), best score first."""
        rows, matrix = self.features(text, vector, rows=rows)
        scores = matrix @ np.asarray(self.config.weights, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")
        return [
            Candidate(
                self.index.sentence_refs[rows[i]],
                tuple(map(float, matrix[i])),
                float(scores[i]),
                rows[i],
            )
            for i in order
        ]

    # ---------------------------------------------------------------- answering
    @property
    def scope(self) -> frozenset[int] | None:
        """The articles answers may come from (None: every article)."""
        return None

    @cached_property
    def sources(self) -> SourceTable:
        return SourceTable(self.index)

    def evidence(self, text: str, ranked: list[Candidate], grounded: float = 1.0) -> Evidence:
        """What the confidence signals read about the best of ``ranked`` (``grounded``:
        ``Prepared.grounded``)."""
        index = self.index
        best = ranked[0]
        row = best.row
        p_row = index.sentence_paragraph_row[row]
        siblings = index.paragraph_sentences[p_row]
        at = siblings.index(row)
        window = siblings[max(0, at - 1) : at + 2]
        lexical = index.sentence_lexical
        return Evidence(
            question=text,
            weights={t: lexical.idf(t) for t in set(tokenize(text))},
            scores=[c.score for c in ranked[:5]],
            best=best.features,
            window_words=frozenset().union(*(index.sentence_tokens[r] for r in window)),
            paragraph_words=index.paragraph_tokens[p_row],
            sentence_words=index.sentence_tokens[row],
            window_text=self._window_text(best),
            paragraph_text=index.paragraph(best.ref.article, best.ref.paragraph).text,
            corpus_words=lexical.document_frequency,
            question_type=question_type(text),
            window_types=frozenset().union(*(index.sentence_types[r] for r in window)),
            grounded=grounded,
            reader=best.reader,
            reader_next=max((c.reader for c in ranked[1:5] if c.reader is not None), default=None),
        )

    def _ungrounded(self, terms: Sequence[str], skip: str = "", question: str = "") -> list[str]:
        """The question's names and numbers that no quotable sentence holds in any form
        (accents, acronyms, country aliases, misspellings: ``retrieval.aliases``)."""
        return self.sources.grounding.missing(terms, question, skip=skip)

    def off_topic(self, text: str, intent: QuestionIntent, best: Candidate) -> bool:
        """Is the question's subject nowhere in the articles, and nothing close to it?

        Its names and numbers (when it has some) all missing in every form, most of its
        rarity-weighted words absent, and the best sentence far from it (``OFF_TOPIC_*``,
        set on the dev sets and SQuAD, below every answerable question there); or, with
        no name, nearly every word absent and the best sentence farther still."""
        if intent.foreign:
            return False
        lexical = self.index.sentence_lexical
        weights = {t: lexical.idf(t) for t in dict.fromkeys(tokenize(text))}
        absent = [t for t in weights if t not in lexical.document_frequency]
        share = sum(weights[t] for t in absent) / (sum(weights.values()) or 1.0)
        grounding = self.sources.grounding
        if any(grounding.has_term(t, text) for t in intent.terms):
            return False
        if intent.terms:
            return best.dense_sentence < OFF_TOPIC_NAMED and share >= OFF_TOPIC_NAMED_ABSENT
        return (
            best.dense_sentence < OFF_TOPIC_UNNAMED
            and share >= OFF_TOPIC_UNNAMED_ABSENT
            and len(absent) >= 2
        )

    def prepare(
        self, text: str, vector: np.ndarray, intent: QuestionIntent | None = None
    ) -> Prepared | None:
        """Read the question, rank, and settle what caps its grade (None: nothing to rank).

        A speaker question whose source the articles quote is ranked among that source's
        sentences only; one whose source is absent, or named but never quoted, can be
        hedged at most, with a note saying so, as can a question relying on a name or
        number that no quotable sentence contains. ``intent``: the question as already read."""
        intent = intent or read_question(text)
        ranked = self.candidates(text, vector)
        if not ranked:
            return None
        if self.off_topic(text, intent, ranked[0]):
            return Prepared(intent, ranked, "none", None, grounded=0.0, off_topic=True)
        ceiling: Confidence = "high"
        floor: Confidence = "none"
        by_source = False
        note = None
        if intent.kind == "speaker" and intent.source:
            match = self.sources.resolve(intent.source, self.scope, self.encoder)
            own = self.candidates(text, vector, rows=match.rows) if match.rows else []
            if own and match.status == "quoted":
                ranked, floor, by_source = own, "low", True  # quoted: never "nothing"
            elif own and own[0].score >= NEAR_SOURCE_SHARE * ranked[0].score:
                ranked = own  # sources sharing a word of the phrase, when they fit as well
            elif match.caps_confidence:
                note, ceiling = match.note, "low"
        if intent.foreign:  # the model reads English: never refuse, never claim to know
            note, ceiling, floor = FOREIGN_NOTE, "low", "low"
        missing = self._ungrounded(intent.terms, skip=intent.source or "", question=text)
        offices = self.sources.absent_offices(text, skip=intent.source or "")
        if (missing or offices) and note is None:  # "who is harbinger's cfo": no CFO at all
            shown = ", ".join(f"‘{term}’" for term in [*missing, *offices][:3])
            note, ceiling = f"The article never mentions {shown}.", "low"
        grounded = 1.0 - len(missing) / len(intent.terms) if intent.terms else 1.0
        ranked = self.reread(text, ranked)
        best = self.index.sentence(ranked[0].ref)
        slot = unfilled_slot(
            text, self._window_text(ranked[0]), best.text, best.attribution.speaker
        )
        if slot and note is None:  # "how many tanks …?" over a passage with no count
            note, ceiling = SLOT_NOTES[slot], "low"
        return Prepared(intent, ranked, ceiling, note, floor, by_source, grounded)

    def _window_text(self, best: Candidate) -> str:
        """The best sentence with its neighbours in the paragraph, as one text."""
        index = self.index
        siblings = index.paragraph_sentences[index.sentence_paragraph_row[best.row]]
        at = siblings.index(best.row)
        window = siblings[max(0, at - 1) : at + 2]
        return " ".join(index.sentence(index.sentence_refs[r]).text for r in window)

    def reread(self, text: str, ranked: list[Candidate]) -> list[Candidate]:
        """The first ``reader_candidates`` reordered by their score plus the reader's
        logit (``READER_BLEND``, set held out by ``bench/train_reader.py``), each with the
        reader's probability; the rest as they were. Without a reader: unchanged."""
        if self.reader is None or not ranked:
            return ranked
        head = ranked[: self.config.reader_candidates]
        sentences = [self.index.sentence(c.ref) for c in head]
        logits = self.reader.logits(text, [sentence_side(s.text, s.attribution) for s in sentences])
        keys = [c.score + READER_BLEND * float(z) for c, z in zip(head, logits, strict=True)]
        order = sorted(range(len(head)), key=lambda i: -keys[i])
        probability = 1.0 / (1.0 + np.exp(-logits))
        return [replace(head[i], reader=float(probability[i])) for i in order] + ranked[len(head) :]

    def _answer(self, question: str, text: str, vector: np.ndarray) -> Answer:
        intent = read_question(text)
        if intent.kind == "about":
            return self._about(question, text, vector)
        prepared = self.prepare(text, vector, intent)
        if prepared is None:
            return Answer(question, False, reason="the index is empty")
        grade, p_answer, p_topic = self.calibration.grade(
            self.evidence(text, prepared.ranked, prepared.grounded)
        )
        grade = cap(lift(grade, prepared.floor), prepared.ceiling)
        log.debug("%r: %s (answerable %.2f, on-topic %.2f)", text, grade, p_answer, p_topic)
        if grade == "none":
            return Answer(
                question,
                False,
                note=prepared.note,
                reason="no passage in the article answers this",
            )
        ranked = prepared.ranked
        who = prepared.intent.kind == "who"
        if who:
            ranked = self._speakers_first(ranked)
        return self._graded(
            question, ranked, grade, prepared.note, who=who, source=prepared.by_source
        )

    def _graded(
        self,
        question: str,
        ranked: list[Candidate],
        grade: Confidence,
        note: str | None,
        *,
        who: bool = False,
        source: bool = False,
    ) -> Answer:
        """Quote the best candidates: those close to the best when confident (among one
        source's sentences, more of them), else the closest few."""
        config = self.config
        if grade == "high":
            share = SOURCE_CUTOFF if source else config.relative_cutoff
            chosen = [c for c in ranked if c.score >= ranked[0].score * share]
        else:
            chosen = ranked
        quotes = tuple(self._quote(c) for c in chosen[: config.top_k + MORE_QUOTES])
        named = quotes[0].attribution if who and quotes else None
        return Answer(
            question,
            grade == "high",
            quotes=quotes[: config.top_k],
            more=quotes[config.top_k :],
            confidence=grade,
            note=note,
            who=_name(named) if named is not None and named.speaker else None,
        )

    def _about(self, question: str, text: str, vector: np.ndarray) -> Answer:
        """What an article is about: its lead and its key statements.

        One article in scope: that one. Several: the one the question's other words point
        to ("what is the flood story about"); with no such words, each article's lead, so
        the user can pick one."""
        index = self.index
        articles = sorted(self.scope) if self.scope is not None else range(len(index.articles))
        articles = [a for a in articles if self._rows_of(a)]
        if not articles:
            return Answer(question, False, reason="the index is empty")
        if len(articles) == 1:
            chosen = articles[0]
        else:
            words = [t for t in tokenize(text) if t not in _ABOUT_WORDS]
            ranked = self.candidates(text, vector) if words else []
            if not ranked:
                note = (
                    f"{len(articles)} articles are indexed; here is how each begins. "
                    "Name one to get its summary."
                )
                return self._of_rows(question, [self._lead_row(a) for a in articles], "low", note)
            chosen = ranked[0].ref.article
        rows = [self._lead_row(chosen), *self._key_statements(chosen)]
        return self._of_rows(question, rows, "high")

    def _of_rows(
        self, question: str, rows: list[int], grade: Confidence, note: str | None = None
    ) -> Answer:
        """An answer quoting these sentence rows in order (no ranking involved)."""
        quotes = tuple(self._quote(self._candidate(r)) for r in dict.fromkeys(rows))
        top_k = self.config.top_k
        return Answer(
            question,
            grade == "high",
            quotes=quotes[:top_k],
            more=quotes[top_k:],
            confidence=grade,
            note=note,
        )

    def _rows_of(self, article: int) -> list[int]:
        return self.sources.article_rows(article)

    def _lead_row(self, article: int) -> int:
        return self._rows_of(article)[0]

    def _key_statements(self, article: int, limit: int = 4) -> list[int]:
        """The first quoted or reported sentence of each source, most quoted first."""
        index = self.index
        first: dict[str, int] = {}
        counts: dict[str, int] = {}
        for row in self._rows_of(article):
            attribution = index.sentence(index.sentence_refs[row]).attribution
            if attribution.speaker and attribution.kind != "narration":
                counts[attribution.speaker] = counts.get(attribution.speaker, 0) + 1
                first.setdefault(attribution.speaker, row)
        ranked = sorted(first, key=lambda s: (-counts[s], first[s]))
        return sorted(first[s] for s in ranked[:limit])

    def _speakers_first(self, ranked: list[Candidate], share: float = 0.85) -> list[Candidate]:
        """For "who said ..." questions: attributed sentences close to the best go first."""
        floor = ranked[0].score * share
        said = [
            c for c in ranked if c.score >= floor and self.index.sentence(c.ref).attribution.speaker
        ]
        return said + [c for c in ranked if c not in said]

    def _candidate(self, row: int) -> Candidate:
        return Candidate(self.index.sentence_refs[row], (), 1.0, row)

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


#: The off-topic rule (``Retriever.off_topic``): the best sentence's cosine below which a
#: question whose names are all missing, and most of its weighted words absent, is "none";
#: no answerable question of the dev sets or SQuAD falls under it (the lowest: 0.47).
OFF_TOPIC_NAMED = 0.30
OFF_TOPIC_NAMED_ABSENT = 0.5
#: ... and for a question with no name: nearly every word absent and a lower cosine.
OFF_TOPIC_UNNAMED = 0.20
OFF_TOPIC_UNNAMED_ABSENT = 0.9
FOREIGN_NOTE = "I read questions in English best; these are the closest passages I found."
READER_BLEND = READER_WEIGHT  # candidate order: score + this x reader logit
MORE_QUOTES = 6  # quotes kept beyond top_k for the "More" pages
SOURCE_CUTOFF = 0.7  # a source's further sentences must score this share of its best
NEAR_SOURCE_SHARE = 0.8  # sources sharing a word of the phrase must score this share of the best
_ABOUT_WORDS = frozenset(
    tokenize(
        "summary summarise summarize sum up tldr tl dr main key points gist overview nutshell "
        "headline headlines takeaway takeaways this it article story piece news report all "
        "about happened happening going new"
    )
)


def _name(attribution: Attribution) -> str:
    """ "Dmitry Peskov, Kremlin spokesman" for the reply's first line."""
    if attribution.role:
        return f"{attribution.speaker}, {attribution.role}"
    return attribution.speaker or ""
