"""How sure an answer is: signals of one ranked answer, and the fitted model that grades it.

Three grades (``Answer.confidence``):

- ``high``: the best sentence very likely answers the question: quoted as the answer;
- ``low``: on the article's subject, but maybe not answered by it: the closest passages
  are shown as such ("may not answer this directly");
- ``none``: plainly outside the article(s): nothing is quoted.

Two logistic models read the signals: *on-topic* (is the question about these articles
at all?) separates ``none`` from the rest; *answerable* (does the best passage answer the
question?) times *on-topic* separates ``high`` from ``low``. Their weights, the signals' scaling
and both cut-offs live in ``calibration.json``, written by ``bench/calibrate.py`` from
question sets nobody here wrote (SQuAD 2.0 dev) and our own, cross-validated by article;
nothing is downloaded or fitted at run time. Every signal is a pure function of the
question and the ranked candidates below; a signal the fit gives no weight is dropped
from the list, not computed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

Confidence = Literal["high", "low", "none"]
ORDER: dict[str, int] = {"none": 0, "low": 1, "high": 2}
CALIBRATION = Path(__file__).resolve().parent / "calibration.json"

READER_ABSENT = 0.5  # the reader signals' value where nothing was read (no reader)
_NEGATION = re.compile(r"\b(?:not|never|no|none|nor|without|neither)\b|n['’]t\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,.]*")
_NAME = re.compile(r"(?<![\w'’])[A-Z][\w'’-]+")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the signals read: the question and its best-ranked candidates.

    ``scores`` are the ranker's, best first; ``best`` holds the first candidate's ranking
    features (``retrieval.FEATURES`` order); the texts are the best sentence, the window
    of it and its neighbours, and its paragraph, as in the article; the word sets are
    stemmed (``lexical.tokenize``)."""

    question: str
    weights: dict[str, float]  # question word -> rarity (idf) weight
    scores: Sequence[float]
    best: Sequence[float]
    window_words: frozenset[str]
    paragraph_words: frozenset[str]
    sentence_words: frozenset[str]
    window_text: str
    paragraph_text: str
    corpus_words: frozenset[str] | dict[str, int]
    question_type: str | None
    window_types: frozenset[str] = frozenset()  # answer types the window offers
    grounded: float = 1.0  # share of the question's names/numbers the articles hold, any form
    reader: float | None = None  # the reader's probability that the best sentence answers
    reader_next: float | None = None  # the best of the reader's probabilities for the next four


def _share(weights: dict[str, float], words: frozenset[str]) -> float:
    total = sum(weights.values()) or 1.0
    return sum(w for t, w in weights.items() if t in words) / total


def _missing_rarest(weights: dict[str, float], words: frozenset[str]) -> float:
    return max((w for t, w in weights.items() if t not in words), default=0.0)


def _unmatched(pattern: re.Pattern[str], question: str, text: str, skip_first: bool) -> float:
    lowered = text.lower()
    found = 0
    for match in pattern.finditer(question):
        if skip_first and match.start() == 0:
            continue
        found += match.group(0).strip(".,").lower() not in lowered
    return float(found)


def _type(e: Evidence, kind: str) -> float:
    return float(e.question_type == kind)


#: signal name -> how it is computed from the evidence
SIGNALS = {
    "score": lambda e: e.scores[0],
    "dense_sentence": lambda e: e.best[0],
    "dense_paragraph": lambda e: e.best[1],
    "coverage_sentence": lambda e: _share(e.weights, e.sentence_words),
    "coverage_window": lambda e: _share(e.weights, e.window_words),
    "coverage_paragraph": lambda e: _share(e.weights, e.paragraph_words),
    "gap_next": lambda e: e.scores[0] - e.scores[1] if len(e.scores) > 1 else e.scores[0],
    "gap_fifth": lambda e: e.scores[0] - e.scores[min(4, len(e.scores) - 1)],
    "absent_words": lambda e: (
        1.0 - _share(e.weights, frozenset(t for t in e.weights if t in e.corpus_words))
    ),
    "missing_rarest": lambda e: _missing_rarest(e.weights, e.sentence_words),
    "missing_paragraph": lambda e: 1.0 - _share(e.weights, e.paragraph_words),
    "question_words": lambda e: float(len(e.weights)),
    "negation_unmatched": lambda e: float(
        bool(_NEGATION.search(e.question)) and not _NEGATION.search(e.window_text)
    ),
    "numbers_unmatched": lambda e: _unmatched(_NUMBER, e.question, e.paragraph_text, False),
    "names_unmatched": lambda e: _unmatched(_NAME, e.question, e.window_text, True),
    "reader": lambda e: READER_ABSENT if e.reader is None else e.reader,
    "reader_next": lambda e: READER_ABSENT if e.reader_next is None else e.reader_next,
    "names_grounded": lambda e: e.grounded,  # aliases, accents, typos (retrieval.aliases)
    "type_unmet": lambda e: float(
        e.question_type is not None and e.question_type not in e.window_types
    ),
    "type_number": lambda e: _type(e, "number"),
    "type_time": lambda e: _type(e, "time"),
    "type_place": lambda e: _type(e, "place"),
    "type_person": lambda e: _type(e, "person"),
}


def signal_vector(evidence: Evidence, names: Sequence[str]) -> np.ndarray:
    """The named signals of one answer, in order."""
    return np.array([float(SIGNALS[name](evidence)) for name in names], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Logistic:
    """``p = sigmoid(bias + sum(weight * (x - mean) / scale))``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, x: np.ndarray) -> float:
        z = self.bias + float(
            np.dot((x - np.asarray(self.mean)) / np.asarray(self.scale), self.weights)
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_dict(self) -> dict:
        return {
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Logistic:
        return cls(
            tuple(map(float, data["mean"])),
            tuple(map(float, data["scale"])),
            tuple(map(float, data["weights"])),
            float(data["bias"]),
        )


@dataclass(frozen=True, slots=True)
class Calibration:
    """The two fitted models, over the signals they use, and the two cut-offs."""

    answerable_signals: tuple[str, ...]
    answerable: Logistic
    on_topic_signals: tuple[str, ...]
    on_topic: Logistic
    high: float  # answerable x on-topic probability from which an answer is confident
    none: float  # on-topic probability below which nothing is quoted

    def grade(self, evidence: Evidence) -> tuple[Confidence, float, float]:
        """(grade, answerable probability, on-topic probability) of one answer."""
        p_answer = self.answerable.probability(signal_vector(evidence, self.answerable_signals))
        p_topic = self.on_topic.probability(signal_vector(evidence, self.on_topic_signals))
        return grade_of(p_answer, p_topic, self.high, self.none), p_answer, p_topic

    def to_dict(self) -> dict:
        return {
            "answerable": {"signals": list(self.answerable_signals), **self.answerable.to_dict()},
            "on_topic": {"signals": list(self.on_topic_signals), **self.on_topic.to_dict()},
            "high": self.high,
            "none": self.none,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Calibration:
        for part in ("answerable", "on_topic"):
            unknown = set(data[part]["signals"]) - set(SIGNALS)
            if unknown:
                raise ValueError(f"calibration names unknown signals: {sorted(unknown)}")
        return cls(
            tuple(data["answerable"]["signals"]),
            Logistic.from_dict(data["answerable"]),
            tuple(data["on_topic"]["signals"]),
            Logistic.from_dict(data["on_topic"]),
            float(data["high"]),
            float(data["none"]),
        )


@cache
def load_calibration(path: Path = CALIBRATION) -> Calibration:
    """The shipped calibration (read once per process)."""
    return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))


def grade_of(p_answer: float, p_topic: float, high: float, none: float) -> Confidence:
    """The grading rule: nothing when off-topic; confident only when the question is both
    on-topic and answerable (the product of the two probabilities); else hedged."""
    if p_topic < none:
        return "none"
    if p_answer * p_topic >= high:
        return "high"
    return "low"


def cap(grade: Confidence, ceiling: Confidence) -> Confidence:
    """The lower of two grades."""
    return grade if ORDER[grade] <= ORDER[ceiling] else ceiling


def lift(grade: Confidence, floor: Confidence) -> Confidence:
    """The higher of two grades."""
    return grade if ORDER[grade] >= ORDER[floor] else floor
