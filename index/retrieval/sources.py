"""Who an article quotes, and whom it merely mentions: resolving "X" in "what did X say".

A source phrase as a user types it ("the kremlin", "peskov", "the science secretary",
"the headteacher", "zelensky") is resolved against the article's own structure, in order:

1. a source whose name and roles hold every word of the phrase (one typo forgiven in a
   long word, compounds joined: "headteacher" = "head teacher"): **quoted**;
2. else a name the article writes ("North Korea", "Joe Biden", "Volodymyr Zelenskyy" in
   a caption): **mentioned** but never quoted. The reply says so ("the article mentions
   Zelenskyy only in a photo caption; it quotes nothing from Zelenskyy") and is hedged
   at most, rather than quote somebody else as if it were them;
3. else a source holding most of the phrase's (rarity-weighted) words, or one whose
   description the phrase means ("the weather guy" ~ "Marcus Bell, meteorologist"):
   **quoted**; a relative of someone ("keeler's mom") that no source is: **unquoted**,
   hedged at most ("The article quotes no one as ‘keeler's mom’"), never Keeler's words;
4. else sources sharing the phrase's rarest word ("the texas senator": the senators):
   **near**, ranked by the question as usual;
5. else **absent** when no word of it is in the article ("macron"), or **unknown** (a
   description worded otherwise: ranked as a plain question).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Literal

import numpy as np

from index.encoding.base import Encoder
from index.parsing.attribution import lexicon as lx
from index.retrieval.aliases import Grounding
from index.retrieval.speakers import SpeakerTable
from index.search.lexical import STOPWORDS, content_words, stem
from index.search.store import SearchIndex, sentence_document

log = logging.getLogger(__name__)

SourceStatus = Literal["quoted", "near", "mentioned", "unquoted", "absent", "unknown"]
#: cosine of a phrase and a source's description from which the source is taken to be meant
DESCRIPTION_MATCH = 0.55
#: ... and by how much it must beat the next source's
DESCRIPTION_MARGIN = 0.04
#: the share of the phrase's (rarity-weighted) words a source must hold to match by words
WORD_MATCH = 0.6
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Words that describe a source without naming one: they count, but never match alone.
_GENERIC = frozenset(
    (
        "official officials government spokesman spokeswoman spokesperson people person "
        "source sources man woman men women local top senior former group the"
    ).split()
)
# Nouns that name who someone is (a role, a relation, a body): when such a word heads the
# phrase ("keeler's mom", "the port callan chairman"), a source that lacks it is somebody
# else, however many of the other words it holds ("Dustin Keeler", "Port Callan manager").
_FAMILY = frozenset(
    (
        "mom mum mother dad father brother sister son daughter wife husband widow widower "
        "partner girlfriend boyfriend fiance fiancee parents parent family relatives relative "
        "uncle aunt cousin nephew niece grandson granddaughter grandmother grandfather "
        "grandparents children child kids friend friends neighbour neighbours neighbor "
        "neighbors colleague colleagues agent"
    ).split()
)
_HEAD_NOUNS = lx.ROLE_WORDS | lx.PERSON_NOUNS | lx.ORG_WORDS | _FAMILY
#: Role words that name one office (a football "coach" is its "manager"); any other role
#: word is a different office: "the port callan chairman" is not its manager.
_SAME_OFFICE = (
    frozenset("manager coach boss gaffer".split()),
    frozenset("ceo chief executive boss".split()),
    frozenset("spokesman spokeswoman spokesperson spokesmen spokespeople".split()),
    frozenset("chairman chairwoman chair chairperson".split()),
    frozenset("keeper goalkeeper goalie".split()),
    frozenset("mp lawmaker legislator representative congressman congresswoman".split()),
)


#: Heads naming an office or a body ("mayor", "union"): when the article holds none of
#: that word (nor a word for the same office), nobody it quotes is that source.
_OFFICES = lx.ROLE_WORDS | lx.ORG_WORDS


#: Offices a question can name that only someone holding them fills ("who is the cfo"):
#: role words that are no adjective, verb or everyday noun as well ("general", "head",
#: "judge", "coach", "principal", "leader" and "player" are not here).
QUESTION_OFFICES = frozenset(
    (
        "ceo cfo coo chairman chairwoman chairperson mayor governor senator congressman "
        "congresswoman president premier chancellor minister ambassador envoy sheriff "
        "commissioner superintendent treasurer prosecutor attorney councillor councilor mp "
        "mep msp lawmaker legislator spokesman spokeswoman spokesperson manager captain "
        "goalkeeper striker midfielder winger headteacher dean provost archbishop bishop "
        "pope imam rabbi pastor priest admiral colonel commander lieutenant sergeant "
        "constable inspector detective"
    ).split()
)


def _offices(head: str) -> set[str]:
    """``head`` and the words for the same office ("manager": "coach", "boss")."""
    return {head}.union(*(group for group in _SAME_OFFICE if head in group))


def _other_office(head: str, source: Source) -> bool:
    """The source holds role words, none of them ``head`` or a word for the same office."""
    same = _offices(head)
    roles = {w for w in source.words if w in lx.ROLE_WORDS}
    return bool(roles) and not (roles & same)


_PHRASE_BREAK = lx.PREPOSITIONS | frozenset({"who", "whom", "whose", "that", "which"})


@dataclass(frozen=True, slots=True)
class SourceMatch:
    """What the articles hold for a source phrase (see the module docstring).

    ``names``/``rows``: the matching sources and their sentence rows (quoted, near);
    ``shown``: how the article writes a mentioned name; ``where``: "caption" when every
    mention is in a photo caption, else "text"; ``named``: written as a name of several
    capitalised words ("Joe Biden", "North Korea"), not a lone place word ("Moscow")."""

    phrase: str
    status: SourceStatus
    names: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    shown: str = ""
    short: str = ""  # the words of the phrase as the article spells them ("Zelenskyy")
    where: str = ""
    named: bool = False

    @property
    def caps_confidence(self) -> bool:
        """Does this rule out a confident answer (a name the article never quotes)?"""
        if self.status in ("absent", "unquoted"):
            return True
        return self.status == "mentioned" and (self.where == "caption" or self.named)

    @property
    def note(self) -> str | None:
        """A one-line reason for people, when the source is not quoted."""
        if self.status == "mentioned":
            if self.where == "caption":
                return (
                    f"The article mentions {self.shown} only in a photo caption; "
                    f"it quotes nothing from {self.short}."
                )
            return f"The article mentions {self.shown} but quotes nothing from {self.short}."
        if self.status == "absent":
            return f"The article never mentions ‘{self.phrase}’."
        if self.status == "unquoted":
            return f"The article quotes no one as ‘{self.phrase}’."
        return None


def phrase_head(wanted: list[str], phrase: str) -> str | None:
    """The noun that says who a source phrase means, when it is a role, a relation or a
    body: the last content word before a preposition or relative ("mom" of "keeler's
    mom", "pensioner" of "pensioner from scarthwaite"); None for a name ("keeler")."""
    words = [w.lower() for w in _WORD.findall(phrase)]
    cut = next((i for i, w in enumerate(words) if i and w in _PHRASE_BREAK), len(words))
    kept = set(content_words(" ".join(words[:cut])))
    head = next((w for w in reversed(wanted) if w in kept), None)
    return head if head in _HEAD_NOUNS else None


def close(a: str, b: str) -> bool:
    """Same word, or one edit apart in a long word (a misspelt name): a letter left out or
    added from five letters on ("brant" ~ "brandt"), one changed from six ("mayor" and
    "major" stay apart)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 5:
        return False
    if len(a) == len(b):
        if len(a) < 6:
            return False
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _vocabulary_of(text: str) -> set[str]:
    """Content words of ``text`` (as written and stemmed) and adjacent pairs written as one."""
    words = content_words(text)
    raw = [w.lower() for w in _WORD.findall(text)]
    joined = [a + b for a, b in pairwise(raw)]
    return {*words, *map(stem, words), *joined, *map(stem, joined)}


def _held(word: str, have: Iterable[str]) -> bool:
    """Is ``word`` (or its stem, or a one-typo variant) among ``have``?"""
    root = stem(word)
    return any(h == root or close(word, h) for h in have)


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    description: str  # "Name, role, role": what the meaning match embeds
    words: frozenset[str]  # see _vocabulary_of: the name's and roles' words
    rows: tuple[int, ...]
    articles: frozenset[int]


class SourceTable:
    """Sources and mentions of one immutable ``SearchIndex``; built on first use."""

    def __init__(self, index: SearchIndex, speakers: SpeakerTable | None = None) -> None:
        self.index = index
        self._speakers = speakers
        self._vectors: dict[int, np.ndarray] = {}  # source position -> description vector
        self._lock = threading.Lock()

    @cached_property
    def speakers(self) -> SpeakerTable:
        """The index's speaker table (also what /speakers and /quotes list)."""
        return self._speakers or SpeakerTable(self.index)

    @cached_property
    def sources(self) -> list[Source]:
        table = self.speakers
        found = []
        for summary, rows in table.groups():
            words = _vocabulary_of(" ".join([summary.name, *summary.roles]))
            articles = frozenset(self.index.sentence_refs[r].article for r in rows)
            description = ", ".join([summary.name, *summary.roles[:2]])
            found.append(Source(summary.name, description, frozenset(words), tuple(rows), articles))
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
        """Word (as written, stemmed, or a pair joined) -> the blocks that contain it."""
        where: dict[str, set[int]] = {}
        for i, (_, _, text) in enumerate(self._blocks):
            for word in _vocabulary_of(text):
                where.setdefault(word, set()).add(i)
        return where

    @cached_property
    def grounding(self) -> Grounding:
        """The quotable sentences' words and acronyms, to check a question's names against
        in any of their forms (``retrieval.aliases``)."""
        index = self.index
        texts = (sentence_document(index.sentence(ref)) for ref in index.sentence_refs)
        return Grounding.of_texts(index.sentence_lexical.document_frequency, texts)

    def article_rows(self, article: int) -> list[int]:
        """The quotable sentence rows of one article, in reading order."""
        return self._article_rows.get(article, [])

    @cached_property
    def _article_rows(self) -> dict[int, list[int]]:
        rows: dict[int, list[int]] = {}
        for row, ref in enumerate(self.index.sentence_refs):
            rows.setdefault(ref.article, []).append(row)
        return rows

    def absent_offices(self, question: str, skip: str = "") -> list[str]:
        """Offices the question names (``QUESTION_OFFICES``, singular or plural, words of
        ``skip`` aside) that no block of the articles holds (captions included; stems and
        one-typo variants count), nor a word for the same office: "who is harbinger's cfo"
        over an article with no CFO."""
        skipped = set(_WORD.findall(skip.lower()))
        found = []
        for word in dict.fromkeys(_WORD.findall(question.lower())):
            if word not in skipped and self._office_unnamed(word, QUESTION_OFFICES):
                found.append(word)
        return found

    def _office_unnamed(self, word: str, offices: frozenset[str]) -> bool:
        """Is ``word`` (or its singular) one of ``offices`` that no block holds, nor a word
        for the same office?"""
        office = word if word in offices else word.removesuffix("s")
        return office in offices and not any(self._blocks_with([w]) for w in _offices(office))

    # ---------------------------------------------------------------- resolving
    def resolve(
        self,
        phrase: str,
        articles: frozenset[int] | None = None,
        encoder: Encoder | None = None,
    ) -> SourceMatch:
        """Match a source phrase against the sources of ``articles`` (None: all)."""
        wanted = content_words(phrase)
        if not wanted:
            return SourceMatch(phrase, "unknown")
        candidates = [
            (i, s) for i, s in enumerate(self.sources) if articles is None or s.articles & articles
        ]
        shares = self._shares(wanted, candidates, phrase)
        whole = [s for share, s in shares if share >= 1.0 - 1e-9]
        if whole:
            return self._quoted(phrase, whole, articles, "quoted")
        mention = self._mentions(phrase, wanted, articles)
        if mention.status == "mentioned" and mention.named:
            return mention
        best = max((share for share, _ in shares), default=0.0)
        most = [s for share, s in shares if share >= max(best, WORD_MATCH) - 1e-9]
        head = phrase_head(wanted, phrase)
        if head in _FAMILY and len(wanted) > 1:  # "keeler's mom": only a source who is one
            candidates = [(i, s) for i, s in candidates if _held(head, s.words)]
        elif head in lx.ROLE_WORDS:  # "the port callan chairman" is not its manager
            candidates = [(i, s) for i, s in candidates if not _other_office(head, s)]
        if not most and encoder is not None:
            most = self._by_meaning(phrase, candidates, encoder)
        if most:
            return self._quoted(phrase, most, articles, "quoted")
        if head in _FAMILY and len(wanted) > 1:
            return SourceMatch(phrase, "unquoted")  # "keeler's mom": nobody quoted is her
        if mention.status == "mentioned":
            return mention
        if near := self._sharing(wanted, candidates):
            if self._someone_else(phrase, near, articles):
                return SourceMatch(phrase, "unquoted")  # "celtic's manager": not Port Callan's
            return self._quoted(phrase, near, articles, "near")
        if mention.status == "absent" and self.grounding.has_term(phrase, phrase):
            return SourceMatch(phrase, "unknown")  # named otherwise ("Washington": "the US")
        return mention

    def _quoted(
        self,
        phrase: str,
        sources: list[Source],
        articles: frozenset[int] | None,
        status: SourceStatus,
    ) -> SourceMatch:
        rows = sorted(
            r
            for s in sources
            for r in s.rows
            if articles is None or self.index.sentence_refs[r].article in articles
        )
        return SourceMatch(phrase, status, tuple(s.name for s in sources), tuple(rows))

    def _shares(
        self, wanted: list[str], candidates: list[tuple[int, Source]], phrase: str = ""
    ) -> list[tuple[float, Source]]:
        """Each source with the rarity-weighted share of the phrase its words hold; a
        source holding only generic words ("officials") of a phrase with specific ones
        ("local mp") does not count, nor one lacking the phrase's head noun when that
        names a role, a relation or a body (``phrase_head``)."""
        lexical = self.index.sentence_lexical
        weights = {w: lexical.idf(stem(w)) for w in wanted}
        total = sum(weights.values()) or 1.0
        specific = [w for w in wanted if w not in _GENERIC]
        head = phrase_head(wanted, phrase)
        shares = []
        for _, source in candidates:
            have = [w for w in wanted if _held(w, source.words)]
            if specific and not any(w in have for w in specific):
                continue
            if head is not None and len(wanted) > 1 and head not in have:
                continue  # "keeler's mom" is not Keeler, "celtic's manager" not any manager
            shares.append((sum(weights[w] for w in have) / total, source))
        return shares

    def _sharing(self, wanted: list[str], candidates: list[tuple[int, Source]]) -> list[Source]:
        """Sources sharing the phrase's rarest specific word ("senator" of "texas senator")."""
        lexical = self.index.sentence_lexical
        shared = [
            (lexical.idf(stem(w)), w)
            for w in wanted
            if w not in _GENERIC and any(_held(w, s.words) for _, s in candidates)
        ]
        if not shared:
            return []
        rarest = max(shared)[1]
        return [s for _, s in candidates if _held(rarest, s.words)]

    def _someone_else(
        self, phrase: str, near: list[Source], articles: frozenset[int] | None
    ) -> bool:
        """Does the phrase name an owner ("celtic" of "celtic's manager", "varnholm" of
        "varnholm's central bank") that none of the ``near`` sources holds, one the article
        never writes or writes as a name? Then they are someone else's."""
        for owner in _OWNER.findall(phrase.lower()):
            if owner in STOPWORDS or any(_held(owner, s.words) for s in near):
                continue
            texts = [
                self._blocks[i][2]
                for i in self._blocks_with([owner])
                if articles is None or self._blocks[i][0] in articles
            ]
            written = [w for w in (_as_written([owner], text) for text in texts) if w]
            if not texts or any(shown[:1].isupper() for shown, _, _ in written):
                return True
        return False

    def _by_meaning(
        self, phrase: str, candidates: list[tuple[int, Source]], encoder: Encoder
    ) -> list[Source]:
        if not candidates:
            return []
        query = encoder.encode([phrase])[0]
        scores = self._description_vectors([i for i, _ in candidates], encoder) @ query
        order = np.argsort(-scores)
        best = float(scores[order[0]])
        runner_up = float(scores[order[1]]) if len(order) > 1 else -1.0
        log.debug("%r: closest source %r at %.3f", phrase, candidates[order[0]][1].name, best)
        if best >= DESCRIPTION_MATCH and best - runner_up >= DESCRIPTION_MARGIN:
            return [candidates[int(order[0])][1]]
        return []

    def _description_vectors(self, positions: Sequence[int], encoder: Encoder) -> np.ndarray:
        """Description embeddings of the given sources, each embedded once and kept."""
        with self._lock:
            missing = [i for i in positions if i not in self._vectors]
            if missing:
                vectors = encoder.encode([self.sources[i].description for i in missing])
                self._vectors.update(zip(missing, vectors, strict=True))
            return np.stack([self._vectors[i] for i in positions])

    def _blocks_with(self, words: list[str]) -> set[int]:
        """Blocks holding every word (or its stem, or a one-typo variant)."""
        vocabulary = self._vocabulary
        found: set[int] | None = None
        for word in words:
            root = stem(word)
            variants = [v for v in (word, root) if v in vocabulary] or [
                v for v in vocabulary if close(word, v)
            ]
            blocks = set().union(*(vocabulary[v] for v in variants)) if variants else set()
            found = blocks if found is None else found & blocks
            if not found:
                return set()
        return found or set()

    def _mentions(
        self, phrase: str, wanted: list[str], articles: frozenset[int] | None
    ) -> SourceMatch:
        specific = [w for w in wanted if w not in _GENERIC] or wanted
        blocks = [
            self._blocks[i]
            for i in sorted(self._blocks_with(specific))
            if articles is None or self._blocks[i][0] in articles
        ]
        written = [w for w in (_as_written(specific, text) for _, _, text in blocks) if w]
        if not written:
            # no word of it anywhere ("macron", "sierra club"): absent; some words known
            # apart ("the weather guy"): a description the article words otherwise
            known = [w for w in specific if self._blocks_with([w])]
            if not known:
                return SourceMatch(phrase, "absent")
            if self._office_unnamed(phrase_head(wanted, phrase) or "", _OFFICES):
                return SourceMatch(phrase, "unquoted")  # "kelsworth's mayor": no mayor at all
            return SourceMatch(phrase, "unknown")
        if not all(shown[:1].isupper() or is_name for shown, _, is_name in written):
            return SourceMatch(phrase, "unknown")  # a common noun ("the embassy"), not a name
        kinds = {kind for (_, kind, _), w in zip(blocks, written, strict=False) if w}
        where = "caption" if kinds == {"caption"} else "text"
        named = any(is_name for _, _, is_name in written)
        shown, short, _ = written[0]
        return SourceMatch(phrase, "mentioned", shown=shown, short=short, where=where, named=named)


_CAPITALISED = re.compile(r"^[A-Z][\w'’.-]*$")
_OWNER = re.compile(r"([\w-]+)['’]s\b")  # "celtic's manager": celtic


def _as_written(wanted: list[str], text: str) -> tuple[str, str, bool] | None:
    """How ``text`` writes the phrase (the run of words holding it, and that run extended over the
    capitalised words around it: "Zelenskyy" -> "Ukrainian President Volodymyr Zelenskyy")
    and whether that is a name of several capitalised words. A run written
    in lower case comes back as it is, never a name. None when the words of the phrase
    are not together in ``text``."""
    words = list(_WORD.finditer(text))
    hits = [i for i, m in enumerate(words) if any(_held(t, [*_forms(m.group(0))]) for t in wanted)]
    if not hits:
        return None
    runs: list[list[int]] = [[hits[0]]]
    for i in hits[1:]:
        if i - runs[-1][-1] <= 2:
            runs[-1].append(i)
        else:
            runs.append([i])

    def covered(run: list[int]) -> int:
        return sum(any(_held(t, [*_forms(words[i].group(0))]) for i in run) for t in wanted)

    run = max(runs, key=covered)
    if covered(run) < len(wanted):
        return None
    short = re.sub(r"['’]s$", "", text[words[run[0]].start() : words[run[-1]].end()])
    first, last = run[0], run[-1]
    if not all(words[i].group(0)[:1].isupper() for i in run):
        while _name_word(words, last + 1) and _between(text, words, last, last + 1):
            last += 1  # a role before a name: "principal Gordon Ashby"
        if last == run[-1]:
            return short, short, False  # written in lower case: a noun, not a name
        name = text[words[run[-1] + 1].start() : words[last].end()]
        return text[words[first].start() : words[last].end()], name, True
    while _name_word(words, first - 1) and _between(text, words, first - 1, first):
        first -= 1
    while _name_word(words, last + 1) and _between(text, words, last, last + 1):
        last += 1
    shown = re.sub(r"['’]s$", "", text[words[first].start() : words[last].end()])
    return shown, short, len(shown.split()) >= 2


def _name_word(words: list[re.Match[str]], i: int) -> bool:
    """A capitalised word that can be part of a name (not "The", "In", ...)."""
    if not 0 <= i < len(words):
        return False
    word = words[i].group(0)
    return bool(_CAPITALISED.match(word)) and word.lower() not in STOPWORDS


def _between(text: str, words: list[re.Match[str]], a: int, b: int) -> bool:
    """Are words ``a`` and ``b`` separated by spaces only (same phrase, no punctuation)?"""
    if a < 0 or b >= len(words):
        return False
    return not text[words[a].end() : words[b].start()].strip()


def _forms(word: str) -> tuple[str, ...]:
    lowered = re.sub(r"['’]s$", "", word.lower())
    return (lowered, stem(lowered))
