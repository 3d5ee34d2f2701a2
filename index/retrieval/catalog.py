"""What is indexed, by article: summaries, lookup by id or title, and type-ahead matching.

Matching is what Discord autocomplete needs: case- and accent-insensitive, a prefix of
any word first ("kyiv" finds "US embassy in Kyiv closes…"), then any substring.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

from index.errors import UnknownArticle
from index.models import ArticleSummary
from index.search.store import SearchIndex

log = logging.getLogger(__name__)

T = TypeVar("T")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")  # a letter or digit not preceded by one


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of ``text`` for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _word_prefix(query: str, name: str) -> bool:
    return name.startswith(query) or any(
        name.startswith(query, m.start()) for m in _WORD_START.finditer(name)
    )


def rank_matches(
    items: Sequence[T], query: str, keys: Callable[[T], Sequence[str]], limit: int
) -> list[T]:
    """Items whose keys match ``query`` as typed: word prefixes first, then substrings.

    Within each tier the items keep their order in ``items``; an empty query matches all.
    """
    if limit <= 0:
        return []
    wanted = fold(query)
    if not wanted:
        return list(items[:limit])
    prefix: list[T] = []
    inside: list[T] = []
    for item in items:
        folded = [fold(key) for key in keys(item)]
        if any(_word_prefix(wanted, key) for key in folded):
            prefix.append(item)
        elif any(wanted in key for key in folded):
            inside.append(item)
    return (prefix + inside)[:limit]


def resolve_article(index: SearchIndex, article: str) -> int:
    """Position of ``article`` (its id, i.e. file name, or its exact title) in ``index``.

    The id is matched exactly, then case-insensitively; the title case-insensitively.
    Raises ``UnknownArticle`` when nothing matches.
    """
    if not isinstance(article, str) or not article.strip():
        raise UnknownArticle(str(article or ""))
    wanted = article.strip()
    for i, a in enumerate(index.articles):
        if a.id == wanted:
            return i
    folded = fold(wanted)
    for get in (lambda a: a.id, lambda a: a.title):
        for i, a in enumerate(index.articles):
            if fold(get(a)) == folded:
                return i
    raise UnknownArticle(wanted)


class ArticleTable:
    """Per-article rows and summaries of one (immutable) ``SearchIndex``, computed once."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        n = len(index.articles)
        self.sentence_rows: list[list[int]] = [[] for _ in range(n)]
        self.paragraph_rows: list[list[int]] = [[] for _ in range(n)]
        for row, ref in enumerate(index.sentence_refs):
            self.sentence_rows[ref.article].append(row)
        for row, ref in enumerate(index.paragraph_refs):
            self.paragraph_rows[ref.article].append(row)
        self.summaries: list[ArticleSummary] = [
            ArticleSummary(
                id=a.id,
                title=a.title,
                paragraphs=sum(1 for p in a.paragraphs if p.quotable),
                sentences=len(self.sentence_rows[i]),
            )
            for i, a in enumerate(index.articles)
        ]

    def resolve(self, article: str) -> int:
        return resolve_article(self.index, article)

    def match(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        """Articles whose title or id matches ``prefix`` as the user types it."""
        return rank_matches(self.summaries, prefix, lambda s: (s.title, s.id), limit)
