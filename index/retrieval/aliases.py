"""Names as a question and an article may write them differently: is a name grounded?

A question may name what the article names in other words: "American" for "the US",
"Pyongyang" for "North Korea", "the Kremlin" for "Moscow", "Chopin" for "Chopín", "UN" for
"United Nations", "Zelenskiy" for "Zelenskyy". ``Grounding`` answers, for the names and
numbers a question relies on (``QuestionIntent.terms``), whether the article holds each of
them in any of these forms:

- **folded**: case, accents and possessives aside ("Chopin's" ~ "Chopín");
- **acronyms**: a word in capitals (dots aside: "U.S." = "US") the article writes, or the
  initials of a run of capitalised words it writes ("UN" ~ "United Nations", "PM" ~
  "Prime Minister"), and the other way round;
- **country aliases**: every country's name, other spellings, ISO codes, demonym and
  capital, from the ``countryinfo`` package's data (installed files, read once), plus
  ``SEATS``: the few metonyms no library lists (seats of government such as "White House",
  "Kremlin", "Downing Street", and common English exonyms such as "Kiev", "Britain");
- **near-misspellings**: one edit in a word of 5 to 9 letters, two from 10 ("Zelenskiy" ~
  "Zelenskyy"), never in shorter words ("Iran" and "Iraq" stay apart), and never between two
  different countries' names ("Austria" and "Australia", "Gambia" and "Zambia").

Pure functions and an immutable table per index; the country table is built once per
process.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from index.countries import all_countries
from index.search.lexical import STOPWORDS, stem, tokenize

#: Metonyms no country-data library lists, keyed by the ``countryinfo`` country name:
#: seats of government and institutions named for the state ("the White House said"),
#: and English exonyms or short names in common use. General (the world's best-known
#: ones), never an article's own names.
SEATS: dict[str, tuple[str, ...]] = {
    "United States": ("America", "White House", "Pentagon", "State Department", "Capitol Hill"),
    "United Kingdom": ("Britain", "Downing Street", "Whitehall", "Westminster"),
    "Russia": ("Kremlin",),
    "Ukraine": ("Kiev", "Bankova"),
    "China": ("Zhongnanhai", "Peking"),
    "France": ("Elysee", "Elysee Palace", "Quai d'Orsay"),
    "Germany": ("Chancellery",),
    "South Korea": ("Blue House",),
    "North Korea": ("DPRK",),
    "Vatican City": ("Vatican", "Holy See"),
    "Belarus": ("Byelorussia",),
    "Myanmar": ("Burma", "Rangoon"),
    "India": ("Bombay",),
    "Netherlands": ("The Hague",),
}
#: Shortest word a misspelling is forgiven in; from LONG_TYPO letters two edits are.
MIN_TYPO = 5
LONG_TYPO = 10
#: Longest word in capitals read as an acronym.
MAX_ACRONYM = 6

_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*\.?")
_ACRONYM = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}|(?<![\w.])[A-Z]{2,6}(?=s?\b)")
_CAPITALISED_RUN = re.compile(
    r"(?<![\w'’])[A-Z][\w'’-]*(?:\s+(?:(?:of|the|and|for|on|de)\s+)*[A-Z][\w'’-]*)+"
)
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_CONNECTORS = frozenset({"of", "the", "and", "for", "on", "de"})
_POSSESSIVE = re.compile(r"['’]s?$")
_CAPITAL_SUFFIX = re.compile(r"\s+[A-Z](?:\.[A-Z])*\.?$")  # "Washington D.C." -> "Washington"


def fold(text: str) -> str:
    """Case, accents, possessives and dots in acronyms aside: "Chopín's" -> "chopin",
    "U.S." -> "us"; other punctuation becomes spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"(?<=\b\w)\.(?=\w\b)|(?<=\b\w)\.(?=\s|$)", "", text)  # u.s. -> us
    words = [_POSSESSIVE.sub("", w) for w in re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text)]
    return " ".join(w for w in words if w)


def key(phrase: str) -> str:
    """The lookup key of a name: folded, each word stemmed, a leading "the" dropped."""
    words = [stem(w) for w in fold(phrase).split()]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text if ch.isalpha())


def _forms(info: dict) -> set[str]:
    """How one countryinfo record's country is written: name, other spellings (Latin
    script), ISO codes, demonym, capital, and ``SEATS``."""
    forms = {info.get("name") or "", info.get("nativeName") or "", info.get("demonym") or ""}
    forms.update(s for s in info.get("altSpellings") or () if isinstance(s, str))
    forms.update(str(c) for k, c in (info.get("ISO") or {}).items() if k != "numeric" and c)
    capitals = info.get("capital") or ()
    for capital in [capitals] if isinstance(capitals, str) else capitals:
        if isinstance(capital, str):
            forms.update({capital, _CAPITAL_SUFFIX.sub("", capital)})
    forms.update(SEATS.get(info.get("name") or "", ()))
    return {f for f in forms if f and "," not in f and _latin(f)}


@cache
def country_groups() -> tuple[frozenset[str], ...]:
    """Each country's forms, folded (``fold``): one set per country, built once."""
    groups = []
    for info in all_countries().values():
        forms = {fold(f) for f in _forms(info)}
        groups.append(frozenset(f for f in forms if f))
    return tuple(groups)


@cache
def _groups_by_key() -> dict[str, tuple[int, ...]]:
    """``key`` of a form -> the countries written so ("american" covers "Americans")."""
    found: dict[str, set[int]] = {}
    for i, group in enumerate(country_groups()):
        for form in group:
            found.setdefault(key(form), set()).add(i)
    return {k: tuple(sorted(v)) for k, v in found.items() if k}


def aliases(phrase: str) -> frozenset[str]:
    """Every form (folded) of the country or countries a phrase names ("Kremlin" ->
    "russia", "moscow", "russian", "ru", ...); empty when it names no country."""
    groups = country_groups()
    return frozenset().union(*(groups[i] for i in _groups_by_key().get(key(phrase), ())))


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def typo_limit(word: str) -> int:
    """Edits forgiven in a word: none under ``MIN_TYPO`` letters, two from ``LONG_TYPO``."""
    if len(word) < MIN_TYPO:
        return 0
    return 2 if len(word) >= LONG_TYPO else 1


def misspelt(word: str, other: str, limit: int) -> bool:
    """Is ``other`` ``word`` misspelt: the same first letter, at most ``limit`` edits, no
    letter changed in a word under six letters ("swift" and "shift" stay apart), and not
    another country's name?"""
    if word[:1] != other[:1] or (len(word) < 6 and len(word) == len(other)):
        return False
    return distance(word, other, limit) <= limit and not different_countries(word, other)


def different_countries(a: str, b: str) -> bool:
    """Do two single-word keys name different countries ("austria", "australia")?"""
    by_key = _groups_by_key()
    return bool(by_key.get(a)) and bool(by_key.get(b)) and not set(by_key[a]) & set(by_key[b])


def written_acronyms(text: str) -> set[str]:
    """Words in capitals, dots dropped ("U.S." -> "US", "MPs" -> "MP")."""
    return {m.group(0).replace(".", "") for m in _ACRONYM.finditer(text)}


def initials(text: str) -> set[str]:
    """The initials of runs of capitalised words ("Prime Minister Keir" -> "PM", "PMK",
    "MK"), with and without the small words inside ("United States of America": "USA",
    "USOA"); a run's leading stopwords ("The", "In") are not part of the name."""
    found: set[str] = set()
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group(0).split()
        while words and words[0].lower() in STOPWORDS:
            words = words[1:]
        capitals = [w[0] for w in words if w.lower() not in _CONNECTORS]
        every = [w[0].upper() for w in words]
        for letters in (capitals, every):
            for i in range(len(letters)):
                for j in range(i + 2, min(len(letters), i + MAX_ACRONYM) + 1):
                    found.add("".join(letters[i:j]))
    return found


@dataclass(frozen=True)
class Grounding:
    """What the articles write, for checking a question's names against: their stemmed
    words (``lexical.tokenize``), the acronyms they write, and the initials of the names
    they write (``initials``)."""

    words: frozenset[str]
    acronyms: frozenset[str]
    implied: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()  # as written, thousands separators dropped

    @classmethod
    def of_texts(cls, words: Iterable[str], texts: Iterable[str]) -> Grounding:
        acronyms: set[str] = set()
        implied: set[str] = set()
        numbers: set[str] = set()
        for text in texts:
            acronyms |= written_acronyms(text)
            implied |= initials(text)
            numbers.update(m.group(0).replace(",", "") for m in _NUMBER.finditer(text))
        return cls(
            frozenset(words), frozenset(acronyms), frozenset(implied - acronyms), frozenset(numbers)
        )

    @cached_property
    def folded(self) -> frozenset[str]:
        folded = {fold(w).replace(" ", "") for w in self.words}
        return frozenset(folded | {stem(w) for w in folded}) | self.words  # "schrödinger"

    @cached_property
    def _by_length(self) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = {}
        for word in self.folded:
            if len(word) >= MIN_TYPO - 1 and word.isalpha():
                found.setdefault(len(word), []).append(word)
        return {n: tuple(sorted(ws)) for n, ws in found.items()}

    def has_word(self, word: str) -> bool:
        """A stemmed word, accents aside or misspelt (see ``typo_limit``)."""
        folded = fold(word).replace(" ", "")
        if word in self.words or folded in self.folded:
            return True
        limit = typo_limit(folded)
        if not limit or not folded.isalpha():
            return False
        for n in range(len(folded) - limit, len(folded) + limit + 1):
            for other in self._by_length.get(n, ()):
                if misspelt(folded, other, limit):
                    return True
        return False

    def has_form(self, form: str) -> bool:
        """A form (a ``key``): a short one as an acronym the articles write, a longer
        one by its words."""
        letters = form.replace(" ", "")
        if len(letters) <= 3:
            return letters.upper() in self.acronyms
        words = tokenize(form)
        return bool(words) and all(w in self.words or w in self.folded for w in words)

    def has_term(self, term: str, question: str = "") -> bool:
        """Is a name or number of ``question`` (``QuestionIntent.terms``) in the articles,
        in any of its forms?"""
        words = tokenize(term)
        if not words or all(w in self.words for w in words):
            return True
        if _NUMBER.fullmatch(term) and term.replace(",", "") in self.numbers:
            return True  # "10000" ~ "10,000"
        letters = term.replace(".", "")
        acronym = letters.isupper() and 2 <= len(letters) <= MAX_ACRONYM
        if acronym and (letters in self.acronyms or letters in self.implied):
            return True
        if any(self._phrase_known(p) for p in phrases_with(question or term, term)):
            return True
        return all(self.has_word(w) for w in words)

    def _phrase_known(self, phrase: str) -> bool:
        if any(self.has_form(form) for form in aliases(phrase)):
            return True
        initials = "".join(w[0].upper() for w in phrase.split() if w.lower() not in _CONNECTORS)
        return len(initials) >= 2 and phrase[:1].isupper() and initials in self.acronyms

    def share(self, terms: Sequence[str], question: str = "") -> float:
        """The share of ``terms`` grounded (1.0 when there are none): a soft signal."""
        if not terms:
            return 1.0
        return sum(self.has_term(t, question) for t in terms) / len(terms)

    def missing(self, terms: Sequence[str], question: str = "", skip: str = "") -> list[str]:
        """The terms no form of which the articles hold (words of ``skip`` aside)."""
        skipped = set(tokenize(skip))
        return [
            t
            for t in terms
            if [w for w in tokenize(t) if w not in skipped] and not self.has_term(t, question)
        ]


def phrases_with(text: str, term: str, longest: int = 4) -> list[str]:
    """Runs of up to ``longest`` words of ``text`` that hold ``term`` (folded, stemmed) and
    name a country, or are capitalised names ("White House"): longest first."""
    tokens = _WORD.findall(text)
    wanted = set(key(term).split())
    found: list[str] = []
    for n in range(min(longest, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            run = " ".join(tokens[i : i + n])
            if wanted <= set(key(run).split()) and (aliases(run) or _is_capitalised_run(run)):
                found.append(run)
    return found


def _is_capitalised_run(run: str) -> bool:
    words = run.split()
    return len(words) >= 2 and all(w[:1].isupper() or w in _CONNECTORS for w in words)
