"""Who an article quotes, and where it merely mentions someone: resolving "X" in
"what did X say".

A source phrase as a user types it ("the kremlin", "peskov", "the science secretary",
"zelensky") is matched against every source the attributor found (their names and
roles, from ``SpeakerTable``). When no quoted source fits, every block of the article,
captions included, is searched for the phrase, so the reply can say "the article
mentions Zelenskyy only in a photo caption; it quotes nothing from Zelenskyy" instead of
quoting somebody else as if they were him. Matching works on stemmed words and forgives
one typo in a long name ("zelensky" ~ "Zelenskyy").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from index.lexical import tokenize
from index.speakers import SpeakerTable
from index.store import SearchIndex

log = logging.getLogger(__name__)

SourceStatus = Literal["quoted", "mentioned", "absent"]
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Words that describe a source without naming one: matched, but never enough alone.
_GENERIC = frozenset(tokenize("official officials government spokesman spokeswoman people"))


@dataclass(frozen=True, slots=True)
class SourceMatch:
    """What the articles hold for a source phrase.

    ``quoted``: ``names`` are the matching sources, ``rows`` their sentence rows;
    ``mentioned``: named (``shown`` as the article writes it) but never quoted, ``where``
    is "caption" when every mention is in a photo caption, else "text";
    ``absent``: the articles never name it."""

    phrase: str
    status: SourceStatus
    names: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    shown: str = ""
    where: str = ""
    proper: bool = False  # mentioned: every mention is capitalised (a name, not a noun)

    @property
    def note(self) -> str | None:
        """A one-line reason for people, when the source is not quoted."""
        if self.status == "mentioned":
            if self.where == "caption":
                return (
                    f"The article mentions {self.shown} only in a photo caption; "
                    f"it quotes nothing from {self.shown}."
                )
            return f"The article mentions {self.shown} but quotes nothing from {self.shown}."
        if self.status == "absent":
            return f"The article never mentions “{self.phrase}”."
        return None


def _close(a: str, b: str) -> bool:
    """Same word, or one edit apart when both are long (a misspelt name)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def _covers(wanted: list[str], have: set[str]) -> bool:
    return all(any(_close(w, h) for h in have) for w in wanted)


@dataclass(frozen=True, slots=True)
class _Source:
    name: str
    words: frozenset[str]  # stemmed words of the name and every role
    rows: tuple[int, ...]
    articles: frozenset[int]


class SourceTable:
    """Sources and mentions of one immutable ``SearchIndex``; built on first use."""

    def __init__(self, index: SearchIndex, speakers: SpeakerTable | None = None) -> None:
        self.index = index
        self._speakers = speakers

    @cached_property
    def sources(self) -> list[_Source]:
        table = self._speakers or SpeakerTable(self.index)
        found = []
        for summary, rows in table.groups():
            words = set(tokenize(summary.name))
            for role in summary.roles:
                words.update(tokenize(role))
            articles = frozenset(self.index.sentence_refs[r].article for r in rows)
            found.append(_Source(summary.name, frozenset(words), tuple(rows), articles))
        return found

    @cached_property
    def _blocks(self) -> list[tuple[int, str, str]]:
        """(article, kind, text) of every block but the title, captions included."""
        return [
            (a, p.kind, p.text)
            for a, article in enumerate(self.index.articles)
            for p in article.paragraphs
            if p.kind != "title"
        ]

    @cached_property
    def _vocabulary(self) -> dict[str, set[int]]:
        """Stemmed word -> the blocks (positions in ``_blocks``) that contain it."""
        where: dict[str, set[int]] = {}
        for i, (_, _, text) in enumerate(self._blocks):
            for word in set(tokenize(text)):
                where.setdefault(word, set()).add(i)
        return where

    def _blocks_with(self, words: list[str]) -> set[int]:
        """Blocks holding every word (or a one-typo variant of it)."""
        vocabulary = self._vocabulary
        found: set[int] | None = None
        for word in words:
            variants = [word] if word in vocabulary else [v for v in vocabulary if _close(word, v)]
            blocks = set().union(*(vocabulary[v] for v in variants)) if variants else set()
            found = blocks if found is None else found & blocks
            if not found:
                return set()
        return found or set()

    def resolve(self, phrase: str, articles: frozenset[int] | None = None) -> SourceMatch:
        """Match a source phrase against the sources of ``articles`` (None: all)."""
        wanted = tokenize(phrase)
        if not wanted:
            return SourceMatch(phrase, "absent")
        specific = [w for w in wanted if w not in _GENERIC] or wanted
        hits = [
            s
            for s in self.sources
            if (articles is None or s.articles & articles) and _covers(wanted, set(s.words))
        ]
        if hits:
            rows = sorted(
                r
                for s in hits
                for r in s.rows
                if articles is None or self.index.sentence_refs[r].article in articles
            )
            return SourceMatch(phrase, "quoted", tuple(s.name for s in hits), tuple(rows))
        blocks = [
            self._blocks[i]
            for i in sorted(self._blocks_with(specific))
            if articles is None or self._blocks[i][0] in articles
        ]
        if not blocks:
            return SourceMatch(phrase, "absent")
        where = "caption" if all(kind == "caption" for _, kind, _ in blocks) else "text"
        written = [_as_written(specific, text) for _, _, text in blocks]
        proper = all(w[:1].isupper() for w in written)
        return SourceMatch(phrase, "mentioned", shown=written[0], where=where, proper=proper)

    def article_rows(self, article: int) -> list[int]:
        """The quotable sentence rows of one article, in reading order."""
        return self._article_rows.get(article, [])

    @cached_property
    def _article_rows(self) -> dict[int, list[int]]:
        rows: dict[int, list[int]] = {}
        for row, ref in enumerate(self.index.sentence_refs):
            rows.setdefault(ref.article, []).append(row)
        return rows


def _as_written(wanted: list[str], text: str) -> str:
    """The words of ``text`` that match the phrase, as the article spells them."""
    words = _WORD.findall(text)
    picked = [w for w in words if any(_close(t, s) for t in wanted for s in tokenize(w))]
    return " ".join(dict.fromkeys(picked)) or " ".join(wanted)
