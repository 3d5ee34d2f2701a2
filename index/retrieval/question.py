"""What a question asks, read from its wording before anything is ranked.

Pure functions over the (cleaned) question text; nothing here knows an article. The
retriever combines the result with what the article knows about its own structure
(its sources, where each is mentioned, its lead):

- ``about``: the article itself ("what is this about", "summary", "main points", "tl;dr",
  "what happened" with nothing after it);
- ``speaker``: what one source said ("what did X say/claim about ...", "X's view on ...",
  "according to X, ...", "how did X react"): ``source`` holds X as typed, ``rest`` the
  words the source's sentences are ranked by;
- ``who``: who said something ("who said / warned / confirmed ..."): the reply names the
  speaker first;
- ``plain``: everything else.

``terms`` are the names and numbers the question relies on (capitalised words that do
not open the question, and numbers); the retriever checks that the article contains
them before it answers confidently (grounding).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.search.lexical import tokenize

IntentKind = Literal["about", "speaker", "who", "plain"]

# Verbs of saying, as a question uses them ("what did X say", "who warned that ...").
SPEECH_VERBS = (
    "say|said|says|saying|claim|claimed|claims|think|thinks|thought|tell|told|tells|warn|"
    "warned|warns|argue|argued|argues|write|wrote|writes|post|posted|tweet|tweeted|announce|"
    "announced|confirm|confirmed|confirms|add|added|reveal|revealed|predict|predicted|"
    "suggest|suggested|believe|believes|believed|reply|replied|respond|responded|react|"
    "reacted|comment|commented|mention|mentioned|state|stated|insist|insisted|admit|"
    "admitted|deny|denied|promise|promised|pledge|pledged|describe|described|call|called|"
    "feel|feels|felt|explain|explained|report|reported|note|noted|declare|declared|"
    "accuse|accused|criticise|criticised|criticize|criticized|blame|blamed|urge|urged|"
    "vow|vowed|acknowledge|acknowledged|concede|conceded|stress|stressed|want|wanted|wants|"
    "mean|meant|have to say|had to say|make of|made of"
)
_AUX = r"(?:did|does|do|has|have|had|is|was|were|are|will|would|could|might)"
# A verb of saying after a determiner or a possessive is a noun of the source ("what did
# the state highway patrol say", "what did the council's report say"): the source runs on.
_NOT_AFTER = r"(?<!\bthe)(?<!\ba)(?<!\ban)(?<!\bthis)(?<!\bits)(?<!\btheir)(?<!'s)(?<!’s)"
_OPEN = r"^(?:so\s+|and\s+|but\s+|hey\s+|ok\s+|okay\s+)?"
_SPEAKER_PATTERNS = (
    # what did X say (about ...) / what has X said / what does X think of ...
    re.compile(
        rf"{_OPEN}(?:what|how|why|when|where)\s+(?:exactly\s+)?{_AUX}\s+(?P<source>.+?){_NOT_AFTER}\s+"
        rf"(?:(?:actually|really|exactly|publicly|first|just|ever)\s+)?(?:{SPEECH_VERBS})\b"
        r"(?P<rest>.*)$",
        re.IGNORECASE,
    ),
    # did X say / has X commented on ...
    re.compile(
        rf"{_OPEN}{_AUX}\s+(?P<source>.+?){_NOT_AFTER}\s+(?:(?:actually|really|ever|publicly)\s+)?"
        rf"(?:{SPEECH_VERBS})\b(?P<rest>.*)$",
        re.IGNORECASE,
    ),
    # X's view / take / position on ...
    re.compile(
        r"^(?:what(?:'s|’s| is| was| are| were)\s+)?(?:the\s+)?(?P<source>.+?)(?:'s|’s|s'|s’)\s+"
        r"(?:view|views|take|position|stance|opinion|response|reaction|comment|comments|"
        r"statement|statements|words|thoughts|message|line|quote|quotes|claim|claims|"
        r"warning|side)\b(?P<rest>.*)$",
        re.IGNORECASE,
    ),
    # according to X, ... / according to X what ...
    re.compile(r"^(?P<pre>.*?)\baccording\s+to\s+(?P<source>[^,?;:]+)(?P<rest>.*)$", re.IGNORECASE),
    # quotes/statements from X (about ...)
    re.compile(
        r"^(?P<pre>.*?)\b(?:quotes?|statements?|comments?|words)\s+(?:from|by)\s+"
        r"(?P<source>[^,?;:]+?)(?P<rest>(?:\s+(?:about|on|regarding)\b.*)?)$",
        re.IGNORECASE,
    ),
)
_WHO_SAID = re.compile(
    rf"^(?:so\s+|and\s+|but\s+)?(?:who|whom|which\s+(?:official|person|minister|spokesman|"
    rf"spokeswoman|spokesperson|source|group|country|government))\s+(?:{_AUX}\s+)?"
    rf"(?:(?:first|actually|publicly|just)\s+)?(?:{SPEECH_VERBS})\b",
    re.IGNORECASE,
)
_ABOUT = re.compile(
    r"\b(?:summar(?:y|ise|ize|ised|ized)|sum\s+(?:it|this)\s+up|tl\s*;?\s*dr|main\s+points?|"
    r"key\s+points?|gist|overview|in\s+a\s+nutshell|the\s+headlines?|main\s+takeaways?|"
    r"key\s+takeaways?)\b"
    r"|\bwhat(?:'s|’s|s|\s+is|\s+was|\s+are)\s+(?:(?:this|that|it|these)(?:\s+(?:article|story|piece|news|report|item|link|post|write-?up)s?)?"
    r"|the(?:\s+[\w'’-]+){0,3}?\s+(?:article|story|piece|news|report|item|link|post|write-?up)s?)(?:\s+[\w'’-]+){0,5}?\s+(?:all\s+|even\s+)?about"
    r"\s*[?!.]*\s*$"
    r"|\b(?:give\s+me|what(?:'s|’s|\s+is))\s+the\s+(?:gist|short\s+version|rundown|lowdown)\b",
    re.IGNORECASE,
)
_WHAT_HAPPENED = re.compile(
    r"^(?:so\s+)?(?:what|wat|wut)\s+(?:happened|(?:is|'s|’s)\s+(?:going\s+on|happening|"
    r"the\s+news|new))\s*\??$",
    re.IGNORECASE,
)
# Generic words around a source phrase that are not part of the source.
_SOURCE_EDGE = re.compile(r"^(?:the|a|an|that|this|mr|mrs|ms|dr)\.?\s+", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d(?![\w])|(?<![\w.])\d(?![\w])")
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*[\w]|(?<![\w'’])[A-Z](?![\w'’])")


@dataclass(frozen=True, slots=True)
class QuestionIntent:
    """How a question is read: its kind, the source it names, and the terms it needs."""

    kind: IntentKind
    source: str | None = None  # speaker questions: the source as the user typed it
    rest: str = ""  # speaker questions: the question without the source and the verb
    terms: tuple[str, ...] = ()  # names and numbers the question relies on
    foreign: bool = False  # not in English: the English-only model cannot judge it


def _trim_source(phrase: str) -> str:
    phrase = phrase.strip(" \t,.;:!?\"'“”‘’()")
    while True:
        trimmed = _SOURCE_EDGE.sub("", phrase)
        if trimmed == phrase:
            return phrase
        phrase = trimmed


def _grounding_terms(question: str) -> tuple[str, ...]:
    """Numbers, and capitalised words past the first word, unless it is all capitals."""
    letters = [ch for ch in question if ch.isalpha()]
    shouting = bool(letters) and sum(ch.isupper() for ch in letters) > 0.6 * len(letters)
    terms = [m.group(0) for m in _NUMBER.finditer(question)]
    if not shouting:
        words = list(_CAPITALISED.finditer(question))
        for match in words:
            if match.start() == 0 or not question[: match.start()].strip(" \t\"'“‘(¿¡"):
                continue  # the question's first word is capitalised anyway
            word = match.group(0).rstrip(".")
            if word.lower() in {"i", "i'm", "i’m", "i'd", "i’d", "ok"}:
                continue
            terms.append(word)
    return tuple(dict.fromkeys(terms))


# Function words of the languages people most often ask in besides English; a question made
# of these and no English ones is not English (the model reads English only).
_FOREIGN_WORDS = frozenset(
    (
        "le la les des du un une est sont que qui quoi quand où pourquoi comment dit ont a-t-il "
        "el los las del por qué quién quiénes cuándo dónde cómo cuántos cuántas dijo son está "
        "der die das und ist hat wer was wann wo warum wie sagte haben über "
        "il lo gli che chi cosa quando dove perché come ha detto sono "
        "o os as do da em quem quando onde porque como disse"
    ).split()
)
_ENGLISH_WORDS = frozenset(
    (
        "the a an is are was were what who when where why how did does do of to in on and "
        "said say about has have with"
    ).split()
)
_LETTERS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def is_foreign(text: str) -> bool:
    """Written in another language: more foreign function words than English ones, or
    mostly non-Latin letters."""
    words = [w.lower() for w in _LETTERS.findall(text)]
    if not words:
        return False
    latin = sum(all(ord(ch) < 0x250 for ch in w) for w in words)
    if latin < len(words) / 2:
        return True
    foreign = sum(w in _FOREIGN_WORDS and w not in _ENGLISH_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS for w in words)
    return foreign >= 2 and foreign > english


def read_question(question: str) -> QuestionIntent:
    """Read a cleaned question (see ``retrieval.clean_question``)."""
    text = question.strip()
    if is_foreign(text):
        return QuestionIntent("plain", foreign=True)
    terms = _grounding_terms(text)
    if _ABOUT.search(text) or _WHAT_HAPPENED.match(text):
        return QuestionIntent("about", terms=terms)
    if _WHO_SAID.match(text):
        return QuestionIntent("who", terms=terms)
    for pattern in _SPEAKER_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        source = _trim_source(match.group("source"))
        if not tokenize(source) or len(source.split()) > 8:
            continue  # "what did they say", or a clause rather than a source
        if re.match(r"^(?:they|he|she|it|we|you|i|people|anyone|someone)$", source, re.I):
            continue
        pieces = [match.groupdict().get("pre") or "", match.group("rest") or ""]
        rest = " ".join(" ".join(pieces).split()).strip(" ,.;:?!")
        return QuestionIntent("speaker", source=source, rest=rest, terms=terms)
    return QuestionIntent("plain", terms=terms)
