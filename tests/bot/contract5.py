"""The issue-5 engine contract (notes/api5.md) for the bot's tests, on any engine.

``contract_engine(engine)`` returns ``engine`` itself when it already implements the
contract (the engine5 branch), otherwise a TEMPORARY test-only shim that implements the
same methods on top of the current engine's public pieces (its index, ``reindex``). The
bot's tests only use the contract, so they run unchanged against the real engine once
engine5 is merged, and this shim is then unused (delete it with the fallback below).
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from index import errors, ingest
from index.errors import ArticleError, CorpusError, EngineError
from index.models import Answer, Paragraph, Quote

CONTRACT = (
    "speakers",
    "match_speakers",
    "quotes_by",
    "articles",
    "match_articles",
    "paragraph",
    "add_article",
    "remove_article",
)


def has_contract(engine: Any) -> bool:
    """Whether ``engine`` implements the issue-5 API itself."""
    return all(callable(getattr(engine, name, None)) for name in CONTRACT)


def contract_engine(engine: Any) -> Any:
    """``engine`` if it implements the contract, else the test shim around it."""
    return engine if has_contract(engine) else ContractShim(engine)


# ---------------------------------------------------------------- fallbacks (pre-engine5)
UnknownArticle: type[EngineError] = getattr(errors, "UnknownArticle", None) or type(
    "UnknownArticle", (EngineError,), {}
)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SpeakerSummary:
    name: str
    roles: tuple[str, ...]
    articles: tuple[tuple[str, str], ...]
    sentences: int


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    id: str
    title: str
    paragraphs: int
    sentences: int


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _matches(prefix: str, names: list[str]) -> list[int]:
    """Indexes of ``names``: those with a word starting with ``prefix`` first, then those
    containing it."""
    wanted = fold(prefix.strip())
    if not wanted:
        return list(range(len(names)))
    first = [i for i, n in enumerate(names) if any(w.startswith(wanted) for w in fold(n).split())]
    rest = [i for i, n in enumerate(names) if i not in first and wanted in fold(n)]
    return first + rest


class ContractShim:
    """TEMPORARY, tests only: the issue-5 engine API over a pre-issue-5 ``Engine``."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    # ---------------------------------------------------------------- articles
    def _articles(self) -> list[Any]:
        return list(self._engine.search_index.articles)

    def _resolve(self, article: str) -> Any:
        for a in self._articles():
            if a.id == article or a.title.casefold() == article.casefold():
                return a
        raise UnknownArticle(f"No article called '{article}'; see /about for the list.")

    def articles(self) -> list[ArticleSummary]:
        return [
            ArticleSummary(
                a.id,
                a.title,
                sum(1 for p in a.paragraphs if p.quotable),
                sum(len(p.sentences) for p in a.paragraphs if p.quotable),
            )
            for a in self._articles()
        ]

    def match_articles(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        summaries = self.articles()
        order = _matches(prefix, [f"{a.id} {a.title}" for a in summaries])
        return [summaries[i] for i in order][:limit]

    def paragraph(self, article: str, number: int) -> Paragraph:
        found = self._resolve(article)
        if not 1 <= number <= len(found.paragraphs):
            raise ArticleError(found.id, f"has no paragraph {number}")
        return found.paragraph(number)

    # ---------------------------------------------------------------- speakers
    def _attributed(self, article: str | None) -> list[tuple[Any, Any, Any]]:
        chosen = [self._resolve(article)] if article else self._articles()
        return [
            (a, p, s)
            for a, p, s in ingest.iter_quotable(chosen)
            if s.attribution.speaker and s.attribution.kind != "narration"
        ]

    def speakers(self, article: str | None = None) -> list[SpeakerSummary]:
        roles: dict[str, Counter[str]] = {}
        where: dict[str, dict[str, str]] = {}
        counts: Counter[str] = Counter()
        for a, _, s in self._attributed(article):
            name = s.attribution.speaker
            counts[name] += 1
            roles.setdefault(name, Counter())
            if s.attribution.role:
                roles[name][s.attribution.role] += 1
            where.setdefault(name, {})[a.id] = a.title
        out = [
            SpeakerSummary(
                name,
                tuple(r for r, _ in roles[name].most_common()),
                tuple(where[name].items()),
                counts[name],
            )
            for name in counts
        ]
        return sorted(out, key=lambda s: (-s.sentences, s.name))

    def match_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]:
        everyone = self.speakers()
        return [everyone[i] for i in _matches(prefix, [s.name for s in everyone])][:limit]

    def quotes_by(self, speaker: str, article: str | None = None) -> list[Quote]:
        wanted = speaker.casefold()
        return [
            Quote(s.text, s.attribution, a.id, a.title, p.number, 1.0, s.start, s.end)
            for a, p, s in self._attributed(article)
            if s.attribution.speaker.casefold() == wanted
        ]

    # ---------------------------------------------------------------- questions
    def _filtered(self, answer: Answer, article: str | None) -> Answer:
        if article is None:
            return answer
        wanted = self._resolve(article).id
        kept = [q for q in (*answer.quotes, *answer.more) if q.article_id == wanted]
        top_k = self._engine.config.top_k
        if not kept:
            return Answer(answer.question, False, reason="nothing in that article")
        return Answer(answer.question, True, tuple(kept[:top_k]), tuple(kept[top_k:]))

    def ask(self, question: str, article: str | None = None) -> Answer:
        if article is not None:
            self._resolve(article)
        return self._filtered(self._engine.ask(question), article)

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        articles = articles or [None] * len(questions)
        for article in articles:
            if article is not None:
                self._resolve(article)
        answers = self._engine.ask_many(questions)
        return [self._filtered(a, f) for a, f in zip(answers, articles, strict=True)]

    # ---------------------------------------------------------------- ingest
    def add_article(self, filename: str, data: bytes) -> Any:
        name = PurePath(filename).name
        if name != filename or name.startswith(".") or not name:
            raise ArticleError(filename, "the file name must be a plain name, not a path")
        if PurePath(name).suffix.lower() not in (".txt", ".md", ".html", ".htm"):
            raise ArticleError(name, "only .txt, .md and .html files can be added")
        if len(data) > MAX_UPLOAD_BYTES:
            raise ArticleError(name, "the file is larger than 2 MB")
        if PurePath(name).suffix.lower() in (".html", ".htm"):
            raise ArticleError(name, "the test shim does not convert HTML")
        ingest.parse_article(name, data)  # raises ArticleError with the reason
        folder = Path(self._engine.config.articles_dir)
        target = folder / name
        previous = target.read_bytes() if target.exists() else None
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
        try:
            return self._engine.reindex()
        except BaseException:
            if previous is None:
                target.unlink()
            else:
                target.write_bytes(previous)
            raise

    def remove_article(self, article: str) -> Any:
        found = self._resolve(article)
        if len(self._articles()) <= 1:
            raise CorpusError("Cannot remove the last article: at least one must stay indexed.")
        target = Path(self._engine.config.articles_dir) / found.id
        previous = target.read_bytes()
        target.unlink()
        try:
            return self._engine.reindex()
        except BaseException:
            target.write_bytes(previous)
            raise
