"""Typed, immutable results of the engine: what it reads and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

QuoteKind = Literal["direct", "reported", "narration"]
Confidence = Literal["high", "low", "none"]
BlockKind = Literal["title", "body", "caption", "boilerplate"]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who is speaking in a sentence, and how (see docs/attribution.md)."""

    speaker: str | None = None
    role: str | None = None
    cue: str | None = None
    channel: str | None = None
    kind: QuoteKind = "narration"

    @property
    def is_narration(self) -> bool:
        return self.kind == "narration"

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "role": self.role,
            "cue": self.cue,
            "channel": self.channel,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribution:
        return cls(
            speaker=data.get("speaker"),
            role=data.get("role"),
            cue=data.get("cue"),
            channel=data.get("channel"),
            kind=data.get("kind", "narration"),
        )


NARRATION = Attribution()


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a paragraph: a verbatim slice ``article.text[start:end]``."""

    paragraph: int
    start: int
    end: int
    text: str
    attribution: Attribution = NARRATION


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of the article file (blocks are separated by blank lines), 1-based."""

    number: int
    start: int
    end: int
    text: str
    kind: BlockKind
    sentences: tuple[Sentence, ...] = ()

    @property
    def quotable(self) -> bool:
        return self.kind == "body"


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed article: its normalised text and classified, attributed paragraphs."""

    id: str
    title: str
    text: str
    checksum: str
    paragraphs: tuple[Paragraph, ...]

    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    def paragraph(self, number: int) -> Paragraph:
        return self.paragraphs[number - 1]


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence chosen as (part of) an answer, with where it comes from."""

    text: str
    attribution: Attribution
    article_id: str
    article_title: str
    paragraph: int
    score: float
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            **self.attribution.to_dict(),
            "article": self.article_title,
            "article_id": self.article_id,
            "paragraph": self.paragraph,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's answer to one question, graded.

    ``confidence``: ``high`` — the quotes answer it (``answered`` is true only then);
    ``low`` — the article may not answer it directly, ``quotes`` are the closest
    passages; ``none`` — plainly outside the article(s), nothing is quoted. ``note`` is a
    short reason for people ("The article mentions X only in a photo caption; ..."), or
    None. ``who`` names the speaker first for "who said ..." questions."""

    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    more: tuple[Quote, ...] = field(default=(), compare=False)
    reason: str | None = None
    confidence: Confidence | None = None  # None: "high" when answered, else "none"
    note: str | None = None
    who: str | None = None

    def __post_init__(self) -> None:
        if self.confidence is None:
            object.__setattr__(self, "confidence", "high" if self.answered else "none")
        if self.answered != (self.confidence == "high"):
            raise ValueError("an answer is answered exactly when its confidence is high")
        if self.confidence == "none" and self.quotes:
            raise ValueError("an answer graded none quotes nothing")

    @property
    def hedged(self) -> bool:
        """Closest passages shown without claiming they answer the question."""
        return self.confidence == "low"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "confidence": self.confidence,
            "note": self.note,
            "who": self.who,
            "quotes": [q.to_dict() for q in self.quotes],
        }


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """What is indexed, for /about and the CLI."""

    articles: tuple[tuple[str, str], ...]  # (id, title)
    paragraphs: int
    sentences: int
    model: str
    dimension: int
    built_at: str
    build_seconds: float


@dataclass(frozen=True, slots=True)
class SpeakerSummary:
    """A source the indexed articles quote or cite, for /speakers and autocomplete."""

    name: str  # canonical speaker as in Attribution.speaker
    roles: tuple[str, ...]  # distinct roles seen, most frequent first (may be empty)
    articles: tuple[tuple[str, str], ...]  # (article_id, article_title) where they are cited
    sentences: int  # number of quotable sentences attributed to them


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One indexed article, for /about and autocomplete."""

    id: str
    title: str
    paragraphs: int  # quotable (body) paragraphs
    sentences: int  # indexed, quotable sentences
