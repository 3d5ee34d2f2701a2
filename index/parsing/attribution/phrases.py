"""Speaker noun phrases: split a subject phrase into speaker and role, find appositives.

A source is what a cue's subject names: a person (``Senator Ana Ruiz`` -> speaker
``Ana Ruiz``, role ``Senator``), an organisation (``the Treasury Department``), a
description (``two senior officials``) or a pronoun to resolve later. The functions here
work on one phrase or one sentence frame at a time; resolving back-references is
``context``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import index.parsing.attribution.lexicon as lx
from index.parsing.attribution.quotes import PLACEHOLDER

_Q = PLACEHOLDER
_WORD = re.compile(r"[\w'’.\u2024%-]+")  # "14% of workers"
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’.\u2024-]*|[A-Z][.\u2024])$")
_NAME_RUN = re.compile(
    r"(?<![\w'’])(?:[A-Z][\w'’-]*\.?\s+(?:(?:"
    + "|".join(sorted(lx.PARTICLES))
    + r")\s+)*)+[A-Z][\w'’-]*[a-z]"
)
_PARENTHETICAL = re.compile(r"\s*\([^()\x00]{0,40}\)")
_AGE = re.compile(r"\d+-year-old")
_DOT = "\u2024"  # stands for the full stop of an abbreviation inside a frame
_ABBREVIATION = re.compile(
    r"\b(?:" + "|".join(lx.NAME_ABBREVIATIONS + lx.US_STATE_ABBREVIATIONS) + r")\."
    r"|\b(?:[A-Z]\.){2,}|\b[A-Z]\.(?=\s+[A-Z])"
)
_WEEKDAYS = "|".join(lx.WEEKDAYS)
_MONTHS = "|".join(lx.MONTHS + tuple(lx.MONTH_ABBREVIATIONS))
_TIME_TAIL = re.compile(
    rf"(?:\s*,)?\s+(?:(?:on|last|this|early|late|earlier|later|on\s+the)\s+(?:{_WEEKDAYS}|week|"
    rf"month|year|night|morning|afternoon|evening|weekend|day)(?:\s+(?:night|morning|"
    rf"afternoon|evening))?|yesterday|today|tonight|overnight|on\s+\d{{1,2}}\s+\w+|"
    rf"in\s+\d{{4}}|on\s+(?:{_MONTHS})\.?\s+\d{{1,2}}|(?:{_WEEKDAYS})(?:\s+(?:night|morning|"
    rf"afternoon|evening))?)$",
    re.IGNORECASE,
)
#: A time right after a subject, before its verb: "Lund on Monday ripped into ...", "Lund
#: during a rally on Sunday thanked ...".
TIME_HEAD = re.compile(
    rf"^\s*(?:(?:on|last|this|early|late|earlier|later|on\s+the)\s+(?:{_WEEKDAYS}|week|"
    rf"month|year|night|morning|afternoon|evening|weekend|day)(?:\s+(?:night|morning|"
    rf"afternoon|evening))?|yesterday|today|tonight|overnight|on\s+\d{{1,2}}\s+\w+|"
    rf"in\s+\d{{4}}|on\s+(?:{_MONTHS})\.?\s+\d{{1,2}}|during\s+(?:a|an|the|his|her|their)"
    rf"\s+[\w-]+(?:\s+(?!on\b)[\w-]+)?)(?=[\s,])",
    re.IGNORECASE,
)
LEADING_TIME = re.compile(
    rf"^(?:(?:on|last|this|early|late|earlier|later)\s+(?:{_WEEKDAYS}|week|month|year|"
    rf"night|morning|afternoon|evening|weekend)|yesterday|today|tonight|overnight)\s+",
    re.IGNORECASE,
)
_ROLE_BEFORE = re.compile(
    r"(?:^|[.;:!?]\s+|\s)(?:[Tt]he|[Aa]n?)\s+([a-z][\w'’-]*(?:\s+[\w'’-]+){0,4}),\s*$"
)
_ROLE_AFTER = re.compile(
    r"^,\s+(?:\d{1,3},\s+)?(?:a|an|the)\s+((?:[\w'’-]+\s+){0,9}?[\w'’-]+)\s*(?:[,.;:!?]|$)"
)
_VERBISH = re.compile(r"\b(?:he|she|they|it|was|were|is|are|has|had|came|said|says)\b")
AFTER_PREPOSITION = re.compile(
    r"\b(?:in|at|near|from|of|to|into|across|outside|inside|for|by|with|on)\s+$", re.IGNORECASE
)
#: Adverbs by their suffix (names such as "Kelly" or "Emily" do not end so).
ADVERB = re.compile(r"[a-z]{2,}(?:ally|ately|ously|edly|ingly|fully|ively|ently|antly)")
_LEADING_ADVERBIAL = re.compile(
    r"^\s*(?:[A-Z][a-z]+(?:ally|ately|ously|edly|ingly|fully|ively|ently|antly|ily)"
    r"|(?:On|In|At|After|Before|During|Since|Ever\s+since|When|While|As|Asked|Speaking|Writing|"
    r"Although|Though|Even\s+though|Because|Once|Until|"
    r"Appearing|Responding|Like|Unlike|Despite|For|By|With|Through|Under|Over|From|Without)"
    r"\b[^,\x00]{0,90}"
    # a connective opens an adverbial only when its comma follows soon ("But on Friday,"):
    # "But Sen. Ana Ruiz refused to ..., saying" is the main clause
    r"|(?:Later|Earlier|Meanwhile|However|But|And|Still|Yet|Also|Now|Then|Last|This|Instead|"
    r"Separately|Elsewhere|Today|Yesterday|Back)\b[^,\x00]{0,28}"
    r"|[A-Z][^,\x00]{0,40}\b(?:later|earlier|ago|afterwards?)|Shortly\b[^,\x00]{0,40}|[A-Z][a-z]+ing\b[^,\x00]{0,90}),\s+"
)


#: A second adverbial after the first: "On Tuesday, after weeks of silence, Ruiz ...".
_NEXT_ADVERBIAL = re.compile(
    r"^\s*(?:after|before|during|despite|following|amid|in|on|at|with|without|for|since|as|"
    r"when|while|under|like|unlike|once|until)\b[^,\x00]{0,90},\s+"
)


#: "WASHINGTON (AFP) –", "DES MOINES, Iowa —": a dateline before the first sentence.
_DATELINE = re.compile(
    r"^\s*[A-Z][\w.\u2024]*(?:[ ,]+[A-Z][\w.\u2024]*){0,3}\s*(?:\(\w+\))?\s*[—–-]+\s+"
)


#: The state or country after a town that ends an adverbial: "In Dover, New Jersey, Lund
#: said" (the next word opens the subject, so it is capitalised).
_PLACE_TAIL = re.compile(r"^\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s*,\s+(?=[A-Z])")
_ENDS_IN_PLACE = re.compile(r"\b(?:in|at|near|from|outside|of)\s+[A-Z][\w.'’-]*,\s+$")
_ADVERBIAL_TAIL = re.compile(
    r"^\s*(?:[A-Z][a-z]*[.\u2024]|[A-Z]\w*(?=\s*,\s+(?:on|last|this|early|late)\b)"
    r"|(?:on|last|this|early|late)\s+[A-Z]?\w+(?:\s+\w+)?)\s*,\s+(?=\S)"
)


_SPACES = re.compile(r"\s+")
_LAST_WORD = re.compile(r"(?:^|\s)([\w'’]+)$")
_RELATIVE_SPLIT = re.compile(r"\s+(?:who|which|whose)\s+")
_PHRASE_BREAK = re.compile(r"[,.;:!?\"“”‘’()\n—–]")


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PRONOUN_START = re.compile(r"\s*((?:[Hh]e|[Ss]he|[Tt]hey|I|We)\b)")
#: A description, then the name it describes, opening a sentence: "Her son, Tom Daly, said".
_DESCRIBED_NAME_START = re.compile(
    r"\s*(?:[Tt]he|[Aa]n?|[Hh]er|[Hh]is|[Tt]heir|[Ii]ts|[Oo]ur|[Mm]y)\s+[a-z][\w'’-]*"
    r"(?:\s+[\w'’-]+){0,4}?,\s+(" + _NAME_RUN.pattern + r"),"
)


@dataclass(frozen=True, slots=True)
class Source:
    """A parsed source: ``head`` is its head noun (``the:`` prefixed for "the officials")."""

    speaker: str
    role: str | None
    is_person: bool
    head: str


def bare(word: str) -> str:
    return word.lower().strip(".,'’\u2024()")


def clean(phrase: str) -> str:
    return _SPACES.sub(" ", phrase).strip(" ,;:\x00")


def lower_first(phrase: str) -> str:
    return (
        phrase[:1].lower() + phrase[1:]
        if phrase[:1].isupper() and phrase[1:2].islower()
        else phrase
    )


def strip_time(phrase: str) -> str:
    previous = None
    while previous != phrase:
        previous = phrase
        phrase = _TIME_TAIL.sub("", phrase).strip()
    return phrase


def head_noun(word: str) -> str:
    """Singular head: ``officials`` -> ``official``, ``spokesmen`` -> ``spokesman``."""
    word = word.lower().strip(".,'’")
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def protect(frame: str) -> str:
    """Hide the full stops of abbreviations so they do not end a phrase."""
    frame = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", _DOT), frame)
    return frame.replace(" - ", " — ").replace(" -- ", " — ")


def restore(text: str | None) -> str | None:
    return text.replace(_DOT, ".") if text else text


def is_title_only(role: str) -> bool:
    words = [bare(w) for w in _WORD.findall(role)]
    return (
        bool(words)
        and len(words) <= 2
        and words[-1] in lx.TITLE_ABBREVIATIONS | lx.HONORIFICS | {"mr", "sen"}
    )


def role_heads(role: str) -> set[str]:
    words = [bare(w) for w in _WORD.findall(role)]
    words = [w for w in words if w not in lx.DETERMINERS]
    if not words:
        return set()
    heads = {head_noun(words[0]), head_noun(words[-1])}
    return heads | {lx.TITLE_ALIASES[h] for h in heads if h in lx.TITLE_ALIASES}


def _drop_parentheticals(np: str) -> str:
    return _PARENTHETICAL.sub("", np)


def parse_np(np: str) -> Source | None:
    """Split a subject noun phrase into speaker and role, or None if it is not one."""
    np = _drop_parentheticals(np).lstrip(" -•*~")  # "-Craig Fehr explains": a list item
    words = _WORD.findall(np)
    if not words or len(words) > 12:
        return None
    lowered = [bare(w) for w in words]
    if lowered[-1] in lx.PASSIVE_AUXILIARIES and words[-1].islower():
        return None
    if any(
        b in lx.DEMONSTRATIVES or (b in lx.BAD_NP_WORDS and w.islower())
        for w, b in zip(words, lowered, strict=True)
    ):
        return None
    if len(words) == 1 and lowered[0] in lx.PRONOUNS_PERSON | lx.PRONOUNS_GROUP:
        return Source(lowered[0], None, lowered[0] in lx.PRONOUNS_PERSON, lowered[0])
    if len(words) > 1 and lowered[-1] in {"it", "them", "him", "us", "me"} and words[-1].islower():
        return None  # "that settles it", "told him": an object pronoun ends a verb phrase
    while len(words) > 1 and (
        lowered[0] in lx.FUNCTION_WORDS - {"the"} or lowered[0] in lx.LEADING_ADVERBS
    ):
        words, lowered = words[1:], lowered[1:]
    definite = lowered[0] == "the"
    determined = lowered[0] in lx.DETERMINERS
    while words and bare(words[0]) in lx.DETERMINERS:
        words, lowered = words[1:], lowered[1:]
    if not words:
        return None
    while words and lowered[0] in lx.HONORIFICS and len(words) > 1:
        words, lowered = words[1:], lowered[1:]
    if not any(ch.isalpha() for ch in "".join(words)):
        return None
    if len(words) == 1 and (
        lowered[0] in lx.FUNCTION_WORDS | lx.LEADING_ADVERBS or ADVERB.fullmatch(lowered[0])
    ):
        return None  # "By", "Hastily": a sentence-initial word, not a name
    if len(words) == 1 and lowered[0].replace(",", "").replace(".", "").isdigit():
        return None  # "the 30,000": a noun follows, not a verb
    if any(
        w.endswith("ing")
        and w.islower()
        and w not in {"king"} | lx.ADJECTIVAL_ING
        and not _noun_modifier(words, i)
        for i, w in enumerate(words[1:], start=1)
    ) or (
        lowered[0].endswith("ing")
        and words[0].islower()
        and lowered[0] not in lx.ADJECTIVAL_ING
        and (len(words) == 1 or not determined)
        and not _noun_modifier(words, 0)
    ):
        return None  # "having", "days following ...": a participle, not a subject
    if lowered[-1].endswith("ly") and words[-1].islower():
        return None  # "... deadly": an adjective before a noun
    conjoined = _conjoined(words)
    if conjoined is not None:
        return conjoined
    named = _named_with_modifier(words, lowered)
    if named is not None:
        return named
    return _name_and_role(words, lowered, definite)


def _noun_modifier(words: list[str], i: int) -> bool:
    """An -ing word that modifies the head of a body or an office: "the engineering
    department", "the city's housing office", "its marketing director"."""
    rest = [bare(w) for w in words[i + 1 :]]
    return (
        bool(rest)
        and rest[-1] in lx.ORG_WORDS | lx.ROLE_WORDS
        and not any(w in lx.FUNCTION_WORDS or w in lx.DETERMINERS for w in rest)
    )


def _name_and_role(words: list[str], lowered: list[str], definite: bool) -> Source:
    """A cleaned subject noun phrase split into name and role: the trailing run of
    capitalised words is the name, what stands before it the role."""
    # trailing run of capitalised tokens (with particles inside) is the name
    k = len(words)
    while k > 0 and (
        _NAME_TOKEN.match(words[k - 1])
        or (lowered[k - 1] in lx.PARTICLES and k < len(words))
        or (
            lowered[k - 1] in lx.CONNECTORS
            and k < len(words)
            and k >= 2
            and _NAME_TOKEN.match(words[k - 2])
        )
    ):
        k -= 1
    name = words[k:]
    if len(words) >= 2 and words[-1][:1].isupper() and _counted_plural(lowered[:-1], words[-1]):
        # "six Republicans", "Four Democrats": a counted group, not a person named so
        return Source(" ".join(words), None, False, head_noun(words[-1]))
    if name and k > 0 and lowered[k - 1] in lx.PREPOSITIONS:
        # "spokesman for Kestrel Air", "draft seen by Politico": an unnamed source
        phrase = " ".join(words)
        return Source(phrase, None, lowered[0] in lx.ROLE_WORDS, head_noun(words[0]))
    last_role_in_run = max((i for i, w in enumerate(name) if bare(w) in lx.ROLE_WORDS), default=-1)
    if not name or any(bare(w) in lx.ORG_WORDS for w in name[last_role_in_run + 1 :]):
        phrase = " ".join(words)
        head = head_noun(words[-1])
        if definite and all(w.islower() for w in words):
            return Source(phrase, None, False, "the:" + head)
        return Source(phrase, None, head in lx.PERSON_SOURCE_HEADS, head)
    # role words inside the capitalised run belong to the role ("Science Secretary Peter Kyle")
    last_role = max((i for i, w in enumerate(name) if bare(w) in lx.ROLE_WORDS), default=-1)
    if last_role < 0:
        # an occupation before a full name: "Retiree Graham Pettit", "County Engineer Paula
        # Greaves" (two name words at least after it, so "Porter Goss" stays a name)
        last_role = max(
            (
                i
                for i, w in enumerate(name[:-2])
                if bare(w) in lx.agent_nouns() and not _possessive(name[i + 1 :])
            ),
            default=-1,
        )
    if last_role >= 0:
        if last_role == len(name) - 1:  # "Officials", "Police Chief": no name given
            return Source(" ".join(words), None, True, head_noun(words[-1]))
        k += last_role + 1
        name = words[k:]
    k = _office_end(words, k)
    name = words[k:]
    role_words = [w for w in words[:k] if bare(w) not in lx.HONORIFICS]
    role = " ".join(role_words) or None
    if role and role.lower().rstrip(".") in lx.HONORIFICS:
        role = None
    speaker = " ".join(w.rstrip(".") if len(w) > 2 else w for w in name)
    # "the Netherlands", "the Kremlin", "the White House": a name after "the" with no role
    # or title is a place or a body, not a person
    person = not (definite and role is None)
    return Source(speaker, role, person, head_noun(name[-1]))


def _possessive(words: list[str]) -> bool:
    """A possessive among the words: "Harbor College's Dana Byrd" is a body's person."""
    return any(w.endswith(("'s", "’s", "s'", "s’")) for w in words)


_INITIAL = re.compile(r"[A-Z][.\u2024]?")


def _office_end(words: list[str], k: int) -> int:
    """Where the name starts when an office's complement stands between the role word and
    the name: "Secretary | of State | Antony Blinken", "Chancellor of the | Exchequer |
    Rachel Reeves", "Minister | for Culture | Ciara Mulvey". The name keeps its last two
    words (three with an initial or a particle), or one when the complement would
    otherwise be a bare connector ("Secretary of State Blinken"); after a role ending in
    a connector, two at least ("president of the Communications Workers" is a body)."""
    name = words[k:]
    starts = bool(name) and bare(name[0]) in lx.CONNECTORS - {"and"}
    after_role = k > 0 and bare(words[k - 1]) in lx.CONNECTORS - {"and"}
    if not (starts or after_role) or len(name) < (2 if starts else 3):
        return k
    for keep in (2, 1) if starts else (2,):
        if (
            keep == 2
            and len(name) >= 4
            and (_INITIAL.fullmatch(name[-2]) or bare(name[-2]) in lx.PARTICLES)
        ):
            keep = 3
        complement = name[: len(name) - keep]
        if (
            complement
            and _NAME_TOKEN.match(complement[-1])
            and bare(complement[-1]) not in (lx.CONNECTORS)
        ):
            return k + len(complement)
    return k


def _conjoined(words: list[str]) -> Source | None:
    """Two sources joined by "and": "Ana Ruiz and Sen. Jo Lee" -> "Ana Ruiz and Jo Lee"."""
    if "and" not in words[1:-1]:
        return None
    at = words.index("and", 1)
    left, right = parse_np(" ".join(words[:at])), parse_np(" ".join(words[at + 1 :]))
    if left is None or right is None or not (left.speaker[:1].isupper() or left.is_person):
        return None
    if left.speaker in lx.PRONOUNS_PERSON | lx.PRONOUNS_GROUP:
        return None
    speaker = f"{left.speaker} and {right.speaker}"
    return Source(speaker, None, left.is_person or right.is_person, right.head)


def _named_with_modifier(words: list[str], lowered: list[str]) -> Source | None:
    """A name followed by "of ...": "Senator Ana Ruiz of Ohio", "Jo Hart of the Tribune"."""
    for p in range(2, len(words) - 1):
        if lowered[p] not in {"of", "from"}:
            continue
        head = words[:p]
        if not _NAME_TOKEN.match(head[-1]) or bare(head[-1]) in lx.ROLE_WORDS | lx.ORG_WORDS:
            return None
        capitals = [w for w in head if _NAME_TOKEN.match(w)]
        if len(capitals) < 2 and not any(bare(w) in lx.ROLE_WORDS for w in head):
            return None  # "Spokesman of ...", one word: leave to the general rule
        inner = parse_np(" ".join(head))
        if inner is None or not inner.is_person or inner.speaker == " ".join(head).lower():
            return None
        if any(bare(w) in lx.ORG_WORDS for w in inner.speaker.split()):
            return None
        return inner
    return None


def _names_before(words: list[str]) -> bool:
    """The words before an "and" end in a short run of capitalised words (a name)."""
    run = 0
    for word in reversed(words):
        if word.lower() in lx.CLAUSE_WORDS or word.endswith((",", ";", ":")):
            break
        if not (word[:1].isupper() or bare(word) in lx.PARTICLES | lx.DETERMINERS):
            return False
        run += 1
    return 1 <= run <= 5 and words[-1][:1].isupper() and bare(words[-1]) not in lx.LEADING_ADVERBS


def trim_np(np: str) -> str:
    """Cut a subject phrase to the words after the last clause word, adverbs removed."""
    np = LEADING_TIME.sub("", clean(np))
    words = np.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower() in lx.CLAUSE_WORDS:
            if i == 0 and words[i].lower() in {"which", "who", "whom", "whose"}:
                return ""  # "..., which the minister said was final, ...": not a source
            if words[i].lower() == "and" and _names_before(words[:i]):
                continue  # "Ana Ruiz and her aides said": one subject
            words = words[i + 1 :]
            break
    while words and words[0].lower().strip(",") in lx.LEADING_ADVERBS:
        words = words[1:]
    return " ".join(words)


def strip_verb_noise(before: str) -> tuple[str, bool, str | None]:
    """Drop auxiliaries, adverbs and time words between a subject and its verb.

    Returns the shortened text, whether a negation was among them ("did not say") and the
    auxiliary nearest the verb, if any ("was" in "was asked", "has" in "has said").
    """
    text = before.rstrip()
    negated = False
    auxiliary: str | None = None
    while True:
        stripped = strip_time(text)
        if stripped != text and text[len(stripped) :].lstrip().startswith(","):
            stripped += ","  # "Ruiz, a nurse, on Tuesday said": the appositive stays closed
        match = _LAST_WORD.search(stripped)
        if not match:
            return stripped, negated, auxiliary
        word = match.group(1).lower().replace("’", "'")
        if word in lx.NEGATIONS or word.endswith("n't"):
            negated = True
        elif word in lx.VERB_NOISE or (word.endswith("ly") and len(word) > 4 and word.islower()):
            if auxiliary is None and word in _AUXILIARIES:
                auxiliary = word
        else:
            return stripped, negated, auxiliary
        text = stripped[: match.start(1)].rstrip()


_AUXILIARIES = lx.PASSIVE_AUXILIARIES | lx.MODALS | {"has", "have", "had"}


def appositive_role(phrase: str) -> str | None:
    phrase = clean(phrase)
    if not phrase or phrase.split()[0].lower() in {"who", "which", "whose", "adding", "saying"}:
        return None
    if phrase.replace(" ", "").isdigit():
        return None
    phrase = _RELATIVE_SPLIT.split(phrase)[0]
    words = phrase.split()
    if words[0].lower() in lx.DETERMINERS:
        words = words[1:]
    if not words or len(words) > 12:
        return None
    return " ".join(words)


def role_prefix(before: str) -> str:
    """Title words right before a name: 'Rovers manager' in 'Rovers manager Gary Hollis'."""
    tail = _PHRASE_BREAK.split(before)[-1]
    words = tail.split()
    taken: list[str] = []
    for word in reversed(words):
        b = bare(word)
        if b in lx.DETERMINERS or not (word[:1].isupper() or b in lx.ROLE_WORDS):
            break
        taken.insert(0, word)
    if not any(bare(w) in lx.ROLE_WORDS for w in taken):
        return ""
    return " ".join(taken)


def described_role(before: str, after: str) -> str | None:
    """A role given by apposition: 'X, a nurse at Y,' or 'The council leader, X,'."""
    match = _ROLE_AFTER.match(after)
    if match and not _VERBISH.search(match.group(1)):
        return clean(match.group(1))
    match = _ROLE_BEFORE.search(before)
    if match:
        return clean(match.group(1))
    return None


def name_runs(text: str) -> list[re.Match[str]]:
    """Runs of capitalised words that may be a person's name."""
    return list(_NAME_RUN.finditer(text))


def leading_subject(text: str) -> str | None:
    """The subject phrase that opens a sentence frame ("Sen. Ana Ruiz, who ..., did X")."""
    text = _DATELINE.sub("", _drop_parentheticals(text))
    for turn in range(3):
        match = _LEADING_ADVERBIAL.match(text) or (turn and _NEXT_ADVERBIAL.match(text))
        if not match:
            break
        adverbial, text = match.group(0), text[match.end() :]
        # "At an event in Ames, Iowa, on Sunday, ...": the place and time go with it
        place = _PLACE_TAIL.match(text) if _ENDS_IN_PLACE.search(adverbial) else None
        if (
            place is not None
            and len(text[place.end() :].split()) > 1
            and lx.is_region(place.group(0).strip(" ,"))
        ):
            text = text[place.end() :]
        while (more := _ADVERBIAL_TAIL.match(text)) is not None:
            text = text[more.end() :]
    match = _PRONOUN_START.match(text) or _DESCRIBED_NAME_START.match(text)
    if match:
        return match.group(1)
    tokens = text.split()
    taken: list[str] = []
    after_determiner = False
    for at, token in enumerate(tokens[:10]):
        word = token.rstrip(",;:")
        b = bare(word)
        if not word or PLACEHOLDER in word:
            if taken and taken[-1].endswith(("'s", "’s")):
                return None  # 'Ruiz’s "reforms"': a possessive before a noun
            break
        if taken and (b in lx.VERB_NOISE or b in lx.NEGATIONS or b in lx.CLAUSE_WORDS):
            break
        verb = taken and b in lx.cue_forms() and not word[:1].isupper()
        if verb and not _role_ahead(tokens[at : at + 4]):
            break  # the verb ("Ruiz said"), not a modifier ("Radio talk host Jo Lee")
        capital = word[:1].isupper()
        if not taken and not capital:
            return None
        if (
            capital
            or b in lx.PARTICLES
            or b in lx.CONNECTORS - {"and"}
            or after_determiner
            or (b in lx.ROLE_WORDS and taken)
            or (taken and _role_ahead(tokens[at : at + 4]))
            or (word.isalpha() and _counted_group(taken))
        ):
            taken.append(word)
        else:
            break
        if b in lx.DETERMINERS:
            after_determiner = True
        if token.endswith((",", ";", ":")):
            break
    return strip_time(" ".join(taken)) or None  # "Sen. Ana Ruiz on Wednesday downplayed


_COUNT_WORDS = _words_of(
    "hundreds thousands dozens scores millions tens many some most several few all both "
    "two three four five six seven eight nine ten twenty fifty"
)


def _counted_group(taken: list[str]) -> bool:
    """A count of a named group, its noun still to come: "Hundreds of Ashford" before
    "supporters", "Dozens of Labour" before "MPs"."""
    return (
        len(taken) >= 3
        and (bare(taken[0]) in _COUNT_WORDS or bare(taken[0]).rstrip("%").isdigit())
        and bare(taken[1]) == "of"
        and all(w[:1].isupper() for w in taken[2:])
    )


def _counted_plural(before: list[str], word: str) -> bool:
    """Only a count before a capitalised plural: "six Republicans", "14 Democrats"."""
    return (
        word.endswith("s")
        and not word.endswith(("ss", "'s", "’s"))
        and all(w in _COUNT_WORDS or w.replace(",", "").isdigit() for w in before)
    )


def _role_ahead(tokens: list[str]) -> bool:
    """A description before a name: "Opposition transport spokesman Ravi Patel"."""
    for i, token in enumerate(tokens):
        b = bare(token)
        if token.endswith((",", ";", ":")) or b in lx.FUNCTION_WORDS | lx.CLAUSE_WORDS:
            return False
        if b in lx.ROLE_WORDS:
            return i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
        if not token.isalpha():
            return False
    return False


#: One-word "speakers" that are words opening a sentence, never a source ("His comments
#: …", "Or thinking …", "Never telling …"); quantifiers ("Some said", "One shouted") are
#: sources and stay.
_NEVER_A_SOURCE = (
    lx.FUNCTION_WORDS
    | lx.DEMONSTRATIVES
    | lx.NEGATIONS
    | _words_of(
        "his her their its our my your he's he’s she's she’s they're they’re or nor and "
        "more less nothing everything anything also just still even only then thus hence"
    )
) - _words_of("one some several many others few most all both")


def not_a_source(speaker: str, text: str) -> bool:
    """A one-word speaker that is a sentence-opening word rather than a name: a function
    word or possessive, or an -ing word the article also writes in lower case ("Having
    said that, …"; "Manning" and "King" are written capitalised only)."""
    if " " in speaker.strip():
        return False
    word = speaker.strip(" .,;:'\"’”").lower()
    if word in _NEVER_A_SOURCE:
        return True
    return word.endswith("ing") and re.search(rf"\b{re.escape(word)}\b", text) is not None
