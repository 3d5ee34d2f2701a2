"""Cues and channels: find the reporting verb of a sentence frame, its source and channel.

A frame is a sentence with each quotation replaced by one placeholder, so that words
inside quotes are never read as cues. A cue is a reporting verb (any inflection, see
``lexicon``) or a fixed phrase (``according to``, ``in the words of``), with a source:

- before it: ``Ana Ruiz, a nurse who ..., said``, ``the senator also told``;
- after it, inverted: ``"...," said Ana Ruiz``; ``The plan is dead, said the minister``;
- as the subject of the sentence, for a participle or a second verb:
  ``Ruiz left the party, saying ...``, ``Ruiz resigned and said ...``;
- as the agent of a passive: ``was asked by the host``.

Verbs of saying are cues with any source; verbs that also name acts (``declared``,
``posted``) need a clause, quotation or punctuation close behind; verbs of stance and
judgement (``criticized``, ``believes``) need a person as source or a quotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import index.parsing.attribution.lexicon as lx
from index.parsing.attribution.context import Context
from index.parsing.attribution.phrases import (
    AFTER_PREPOSITION,
    LEADING_TIME,
    Source,
    appositive_role,
    bare,
    clean,
    is_title_only,
    leading_subject,
    lower_first,
    name_runs,
    parse_np,
    protect,
    restore,
    role_prefix,
    strip_time,
    strip_verb_noise,
    trim_np,
)
from index.parsing.attribution.quotes import PLACEHOLDER

_Q = PLACEHOLDER
_MEDIA_RE = re.compile(rf"\b(?:{'|'.join(lx.MEDIA_WORDS.split())})\b", re.IGNORECASE)
_DOC_RE = re.compile(
    rf"^(?:a|an|the)\s+(?:[\w'’-]+\s+){{0,3}}?({'|'.join(lx.DOCUMENT_WORDS.split())})\s+"
    r"(?:from|by|of|issued by|released by|conducted by)\s+(.+)$",
    re.IGNORECASE,
)
_ACCORDING_RE = re.compile(r"\b(?:according to|in the words of)\s+", re.IGNORECASE)
_NOT_CHANNEL = re.compile(
    r"^(?:at least|at most|at the time|in total|in fact|in part|on average|in particular|"
    r"in addition|on behalf|in response|at one point|in the end|on the whole)\b",
    re.IGNORECASE,
)
_MEDIA = "|".join(lx.MEDIA_WORDS.split())
_LEADING_CHANNEL = re.compile(
    r"^\s*(?:(?:speaking|writing|posting|appearing|talking|testifying)\s+"
    r"((?:on|to|in|at|during|from|before)\s+[^,\x00]+?)"
    rf"|((?:in|at|during|on)\s+(?:a|an|the|his|her|their|its)\s+(?:[\w'’-]+\s+){{0,3}}?"
    rf"(?:{_MEDIA})\b[^,\x00]*?))\s*,",
    re.IGNORECASE,
)
_TRAILING_CHANNEL = re.compile(
    r"^\s*((?:on|in|at|during|via|through|to)\s+[^,:;.\x00]+?)"
    r"(?=\s*(?:[,:;.!?]|\bthat\b|\x00|$))",
    re.IGNORECASE,
)
_ACT_FOLLOW = re.compile(r"^(?:\s+[\w'’.\u2024-]+){0,5}?\s*(?:that\b|[:,\x00]|$|\.)")
#: After an act verb with a named person: "pledged to work", "accused Ruiz of lying".
_ACT_PERSON_FOLLOW = re.compile(
    r"^\s+(?:to\s+[a-z]|(?:[A-Z][\w'’.\u2024-]*(?:\s+[A-Z][\w'’.\u2024-]*)*|him|her|them|us)"
    r"\s+(?:of|to|for)\b)"
)
_TIME_NAMES = frozenset(lx.WEEKDAYS + lx.MONTHS + tuple(lx.MONTH_ABBREVIATIONS))
_OPENING_PARTICIPLE = re.compile(r"^\s*([A-Z][a-z]+ing)\b[^,\x00]{3,200},\s+")
#: A sentence-opening subordinate clause with its comma: "As she left the stage, ".
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:Even\s+)?(?:As|While|When|After|Before|Though|Although|If|Because|Since|Once)\b"
    r"[^,\x00]{0,150},\s+"
)
#: The same clause still open at the pronoun: "Even as Ruiz said that she ...".
_SUBORDINATOR_OPEN = re.compile(
    r"^\s*(?:Even\s+(?:as|if|though|when|after|before)|As|While|When|After|Before|Though|"
    r"Although|If|Because|Since|Once)\s+(?=[A-Z])"
)
_ADJECTIVE_ENDINGS = ("ous", "ive", "ful", "less", "ical", "able", "ible")
_TRAILING_PARENS = re.compile(r"\s*\([^()\x00]{0,40}\)$")
_SEEN_BY = re.compile(r"\s+seen by\b.*$")
_ACCORDING_END = re.compile(
    r"[,;:.!?\x00]|\s(?:that|who|which|meaning|published|released|issued|conducted|"
    r"obtained|reviewed|filed)\s"
)
_PREVIOUS_WORD = re.compile(r"([\w'’]+)[^\w\x00]*$")
_COUNTED = re.compile(
    r"\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|"
    r"million|billion|first|second|third|fourth|fifth|last|next|several|many|few|both|all"
).fullmatch
_NOTHING_AFTER = re.compile(r"\s*(?:[,.;:!?)]|$)")
_QUOTED_MODIFIER = re.compile(r"([\w'’]+)\s*\x00\s*$")
_AND_END = re.compile(r"(?:^|\s)(?:and|but|yet)\s*$", re.IGNORECASE)
_RELATIVE_OPEN = re.compile(r",\s*(?:who|which)\b")
_NEXT_WORD = re.compile(r"\s+([\w'’.\u2024-]+)")
_AFTER_SUBJECT = re.compile(r"\s*([^,;:.!?\x00]+)(?:,\s*([^,;:!?\x00]+?)\s*(?:[,;.!?]|$))?")
_AFTER_CHANNEL_CUT = re.compile(r"\s+(?:on|in|at|during|to)\s+(?:a|an|the|his|her)\b")
_TOLD_OBJECT = re.compile(r"\s*(?:the\s+)?[\w'’.-]+(?:\s+[A-Z][\w'’.-]*)*")
_NUMERIC_CHANNEL = re.compile(r"(?:on|in|at)\s+\d.*")
#: A quotation within six words after the cue (words are whitespace-delimited, so the
#: pattern cannot backtrack through the ways of cutting one word in pieces).
_QUOTE_NEAR = re.compile(r"^\s*(?:[^\s\x00]+\s+){0,6}?[^\s\x00]{0,3}\s*\x00")
#: A clause after the verb: "announced he will step down", "reported it had lost".
_CLAUSE_FOLLOWS = re.compile(r"^\s+(?:he|she|it|they|we|i)\s+\w+", re.IGNORECASE)
_CLAUSE_CUT = re.compile(r"[,:;()\x00—–]")
_TO_BEFORE = re.compile(r"(?:^|\s)(?:to|not to)\s*$", re.IGNORECASE)
#: Verbs that pass the subject on to an infinitive cue: "went on to say", "took to X to call".
_HELPER_TO = re.compile(
    r"\s+(?:went on|goes on|continued|continues|proceeded|began|begins|started|starts|rushed|"
    r"(?:took|takes|taking) to [A-Z]\w+|(?:went|goes) on [A-Z]\w+|"
    r"used (?:the|a|an|his|her|their) \w+)\s+to\s*$"
)
_DESCRIPTION = re.compile(
    r"\s*([Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[A-Z][\w'’.-]*['’]s)\s+"
    r"((?:[\w'’.\u2024-]+\s+){0,6}[a-z][\w'’-]+)"
)
_PLEA = re.compile(r"\s*(?:not\s+)?(?:guilty|innocent|no\s+contest|the\s+fifth)\b", re.I)
_SEEK_FOLLOW = re.compile(r"\s*(?:,|\x00|(?:\w+\s+){0,2}?to\s+[a-z]|that\b)")
#: A verb right after the cue word: the cue word was a noun ("advocates were").
_VERB_NEXT = re.compile(r"\s+(?:were|are|have|had|will|would|could|can|say|said|told)\b")
#: A participle before its noun, the two the subject of the next verb: "heat stress and
#: repeated dehydration are ...", "the reported cases were ...".
_PARTICIPLE_NOUN = re.compile(
    r"\s+[a-z][\w-]*\s+(?:is|are|was|were|has|have|had|remain|remains|will|would|can|could)\b"
)
_BY_NEXT = re.compile(r"\s+by\b")
#: Words after which a participle starts a noun phrase rather than a predicate.
_NOUN_PHRASE_OPENERS = lx.FUNCTION_WORDS | frozenset({"or", "nor"})
#: Cue participles that also work as adjectives ("the alleged plot", "repeated calls");
#: "said" and "told" never do ("and said police were ..." is speech).
_ADJECTIVAL_PARTICIPLES = frozenset(
    "alleged reported repeated stated noted claimed admitted confirmed proposed suggested "
    "recommended promised published expected announced declared".split()
)
#: "… to the bus company and the Transport Secretary urging them": the participle's
#: noun is an object or a conjunct, not the subject of the -ing verb.
_OBJECT_BEFORE = re.compile(
    r"\b(?:and|or|to|at|for|by|from|of)\s+(?:the\s+)?(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*\s*$"
)
_NOUN_BEFORE = lx.FUNCTION_WORDS - {"and", "but", "yet", "so", "however", "meanwhile", "to"}
#: What may follow a cue whose content is elsewhere: a time, a channel, an appositive.
_BARE_AFTER = re.compile(r"^(?:\s+(?!that\b)[^\s\x00]+){0,5}?\s*[.!?]?\s*$")
_BY_AGENT = re.compile(
    r"^\s+by\s+([^,;:.!?\x00]+?)(?=\s+(?:whether|if|that|to|about|for|who|which|what|how|why)\b"
    r"|[,;:.!?\x00]|$)"
)
#: Short parentheticals ("(D-Ohio)", "(R)") are dropped before a frame is read.
_PARENS = re.compile(r"\s*\([^()\x00]{1,40}\)")
#: "issued a statement", "released the following statement": the verb is a cue only so.
_DOCUMENT_ACTS = frozenset({"issue", "release"})
_DOCUMENT_FOLLOW = re.compile(
    r"^\s+(?:[\w'’-]+\s+){0,3}?(?:statement|memo|letter|tweet|video|report)s?\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue found in a frame: its source (None: could not be resolved), text, channel."""

    source: Source | None
    cue: str
    channel: str | None
    bare: bool = False  # nothing said after the cue: the content is a quote next to it


@cache
def _particle_re(particle: str) -> re.Pattern[str]:
    return re.compile(rf"\s+{particle}\b")


_TOKEN = re.compile(r"[\w'’-]+")


def _cue_matches(frame: str) -> list[re.Match[str]]:
    """The words of ``frame`` that are forms of a cue verb, in order (a set lookup per
    word: much faster than one alternation of ~800 forms)."""
    forms = lx.cue_forms()
    return [m for m in _TOKEN.finditer(frame) if m.group(0) in forms]


def find_cue(frame: str, ctx: Context, quoted: bool) -> Cue | None:
    """The first cue of ``frame`` that has a source; ``quoted``: the sentence has a quote."""
    found = _find(_PARENS.sub("", protect(frame)), ctx, quoted)
    if found is None:
        return None
    source = found.source
    if source is not None:
        source = Source(
            restore(source.speaker), restore(source.role), source.is_person, source.head
        )
    return Cue(source, found.cue, restore(found.channel), found.bare)


def _find(frame: str, ctx: Context, quoted: bool) -> Cue | None:
    leading = _LEADING_CHANNEL.match(frame)
    leading_channel = None
    if leading:
        phrase = strip_time(clean(leading.group(1) or leading.group(2)))
        leading_channel = lower_first(_SEEN_BY.sub("", phrase))
    fronted = _fronted_cue(frame, ctx)
    if fronted is not None:
        return _remember(fronted, ctx)
    subordinate: Cue | None = None
    main: Cue | None = None
    matches = _cue_matches(frame)
    for match in matches if quoted and len(matches) > 1 else ():
        # '— as critics allege — "why not?" asked Dunn': the cue right after a quotation
        # inverted is that quotation's, whatever cues stand before it
        if match.start() > 0 and _ends_with_quote(frame[: match.start()]):
            found = _try_cue(frame, match, ctx, quoted, leading_channel)
            if found is not None and found[0].source is not None and found[0].source.is_person:
                return _remember(found[0], ctx)
    for match in matches:
        found = _try_cue(frame, match, ctx, quoted, leading_channel)
        if found is None:
            continue
        cue, in_clause = found
        if lx.cue_forms()[match.group(0)][0] in lx.DOCUMENT_VERBS:
            subordinate = subordinate or cue  # "said the figures showed": a last resort
            continue
        adjacent = _QUOTE_NEAR.match(frame[match.end() :]) or _ends_with_quote(
            frame[: match.start()]
        )
        if adjacent and quoted and cue.source is None and main is not None and main.source:
            # '"…," Stevens says, but she cautions that "…"': the pronoun is the main cue's
            return _remember(main, ctx)
        if (
            adjacent
            and quoted
            and main is not None
            and main.source is not None
            and cue.source is not None
            and cue.source.speaker == main.source.speaker
        ):
            # "Her son, Tom Daly, said she … had kept writing '…'": one speaker; the main
            # cue keeps the role its subject gave
            return _remember(main, ctx)
        if adjacent and quoted and main is not None and _trailing_participle(frame, match):
            # '"…," Ruiz said on Tuesday, noting that "…"': the participle is the main cue's
            return _remember(main, ctx)
        if not in_clause and (adjacent or not quoted):
            return _remember(_unless_reported(cue, frame, ctx, leading_channel), ctx)
        if adjacent and quoted and in_clause and _cue_between(frame, match):
            subordinate = subordinate or cue  # "After X asked who won, Ruiz replied, '…'"
            continue
        if adjacent and quoted:
            return _remember(cue, ctx)  # 'what Ruiz called "a mess"': the quote's own cue
        if in_clause:
            subordinate = subordinate or cue  # "a state that she hoped to carry, ..., said X"
        else:
            main = main or cue
    if main is not None:
        return _remember(_unless_reported(main, frame, ctx, leading_channel), ctx)
    opening = _OPENING_PARTICIPLE.match(frame)
    form = lx.cue_forms().get(opening.group(1).lower()) if opening else None
    if opening and form and form[1] == "VBG" and form[0] not in lx.PHRASAL_CUES:
        # "Noting that ..., Ruiz put her finger on ...": the participle is the main subject's
        source = _subject_from_start(frame[opening.end() :])
        if source is not None and source.is_person:
            found = Cue(_resolve_here(source, "", ctx), opening.group(1).lower(), leading_channel)
            return _remember(found, ctx)
    according = _according(frame, ctx, leading_channel)
    if according is not None:
        return _remember(according, ctx)
    return _remember(subordinate, ctx) if subordinate else None


def _unless_reported(cue: Cue, frame: str, ctx: Context, leading_channel: str | None) -> Cue:
    """An act or a stance in a sentence that says whose report it is ("Whitfield spent
    the week calling senators, according to two aides") is the reporter's; speech
    ("Ruiz said …, according to aides") stays the speaker's."""
    if lx.cue_forms()[cue.cue.split()[0]][0] in lx.SPEECH_VERBS:
        return cue
    return _according(frame, ctx, leading_channel) or cue


def _according(frame: str, ctx: Context, leading_channel: str | None) -> Cue | None:
    """ "According to X" / "in the words of X": X as the source, a document as channel."""
    according = _ACCORDING_RE.search(frame)
    if not according:
        return None
    phrase = _ACCORDING_END.split(frame[according.end() :])[0]
    channel = leading_channel
    doc = _DOC_RE.match(clean(phrase))
    if doc:
        channel = channel or f"in a {doc.group(1).lower()}"
        phrase = doc.group(2)
    source = parse_np(clean(phrase))
    if source is None:
        return None
    resolved = ctx.resolve(source)
    if doc and resolved is not None:
        ctx.document(doc.group(1), resolved)
    return Cue(resolved, "according to", channel)


#: "Said Ruiz, "…"", "Added the minister: "…"": the cue opens the sentence, inverted.
_FRONTED = re.compile(r"^\s*([A-Z][a-z]+)\s+([^,:;\x00]{2,60}?)\s*[,:]\s*\x00")


def _fronted_cue(frame: str, ctx: Context) -> Cue | None:
    match = _FRONTED.match(frame)
    if not match:
        return None
    word = match.group(1).lower()
    form = lx.cue_forms().get(word)
    if form is None or form[0] not in lx.INVERTIBLE_VERBS or form[1] not in {"VBD", "VBZ"}:
        return None
    source = parse_np(match.group(2))
    if source is None or not (source.is_person or source.speaker[:1].isupper()):
        return None
    return Cue(ctx.resolve(source), word, None)


def _cue_between(frame: str, match: re.Match[str]) -> bool:
    """Another cue form stands between this cue and the quotation after it."""
    quote = frame.find(_Q, match.end())
    if quote < 0:
        return False
    return any(match.end() <= m.start() < quote for m in _cue_matches(frame))


def _trailing_participle(frame: str, match: re.Match[str]) -> bool:
    """An -ing cue right after a comma: "…, noting that"."""
    form = lx.cue_forms()[match.group(0)]
    return form[1] == "VBG" and frame[: match.start()].rstrip().endswith(",")


def _remember(cue: Cue, ctx: Context) -> Cue:
    if cue.source is not None:
        ctx.remember(cue.source)
    return cue


def _try_cue(
    frame: str, match: re.Match[str], ctx: Context, quoted: bool, leading_channel: str | None
) -> tuple[Cue, bool] | None:
    """The cue at ``match`` with its source, and whether it sits in a subordinate clause."""
    word = match.group(0)
    lemma, tag = lx.cue_forms()[word]
    after = frame[match.end() :]
    cue = word
    particle = lx.PHRASAL_CUES.get(lemma)
    if particle is not None:
        follows = _particle_re(particle).match(after)
        if not follows:
            return None
        cue = f"{word} {particle}"
        after = after[follows.end() :]
    before = frame[: match.start()]
    previous = _PREVIOUS_WORD.search(before)
    previous_word = previous.group(1) if previous else ""
    if _not_a_verb_here(previous_word, tag, lemma, after):
        return None
    if _not_speech_here(word, lemma, tag, previous_word, before, after):
        return None
    modifier = _QUOTED_MODIFIER.search(before) if tag in {"VBZ", "VB"} else None
    if modifier and modifier.group(1).lower() in lx.NOUN_MARKERS | lx.FUNCTION_WORDS:
        return None  # 'thousands of "missing" emails': a noun after a quoted modifier
    helper = _HELPER_TO.search(before)
    if helper and tag in {"VB", "VBN", "VBD"}:
        before = before[: helper.start()]  # "Ruiz went on to explain": Ruiz explained
    elif _TO_BEFORE.search(before) and tag in {"VB", "VBN", "VBD"}:
        return None  # "declined to say", "wants to tell": not said
    core, negated, auxiliary = strip_verb_noise(before)
    if negated:
        return None  # "did not say": nothing was said
    if auxiliary in lx.PASSIVE_AUXILIARIES and tag != "VBG":
        found = _passive(after, lemma, cue, ctx)
        return (found, False) if found else None
    if tag == "VBG":
        nearest = _PREVIOUS_WORD.search(core)  # adverbs skipped: "with Ruiz reportedly saying"
        word_before = (
            nearest.group(1) if nearest and core.rstrip()[-1:].isalnum() else previous_word
        )
        source, inverted = _participle_source(frame, core, word_before, auxiliary), False
    else:
        source, inverted = _finite_source(frame, core, after, lemma, match.start())
    document = None if inverted else _DOC_SUBJECT.search(core)
    if document is not None:  # "a report by the Harbor Authority warned": its author
        author = parse_np(clean(document.group(2) or document.group(4)))
        source = author or source
    if source is None or (lemma in lx.DOCUMENT_VERBS and not _is_document(source, document)):
        return None
    if (
        tag in {"VB", "VBP"}
        and not (helper or auxiliary in lx.ASSERTING_MODALS)
        and not _plural_or_first_person(source)
    ):
        return None  # "the call", "their support": a noun
    resolved = _resolve_here(source, core, ctx)
    if not _speech_here(lemma, source, resolved, after, quoted):
        return None
    if document is not None and resolved is not None:
        ctx.document(document.group(1) or document.group(3), resolved)
    channel = leading_channel
    if channel is None and not inverted:
        channel = channel_after(after, word)
    bare = not inverted and _BARE_AFTER.match(after) is not None
    in_clause = not inverted and (
        _in_subordinate_clause(core, source) or (quoted and _in_leading_clause(before, after))
    )
    return Cue(resolved, cue, channel, bare), in_clause


_DOCS = "|".join(lx.DOCUMENT_WORDS.split())
#: A document with its author ending a subject: "A new report by the Harbor Authority".
_DOC_SUBJECT = re.compile(
    rf"(?:^|\s)(?:[Aa]n?|[Tt]he|[Ii]ts|[Tt]heir)\s+(?:[\w'’-]+\s+){{0,3}}?({_DOCS})\s+"
    r"(?:from|by|of|(?:issued|released|published|conducted|commissioned|compiled|prepared)"
    r"(?:\s+(?:on|last|this|in|earlier|late)\s+[\w]+)?\s+by)\s+"
    r"([^,;:\x00]+?)\s*$"
    # or opening the sentence with its author in an appositive: "The report, published on
    # Tuesday by the Institute for Rural Studies (IRS), found"
    rf"|^\s*(?:[Aa]n?|[Tt]he|[Ii]ts|[Tt]heir)\s+(?:[\w'’-]+\s+){{0,3}}?({_DOCS}),\s+"
    r"(?:issued|released|published|conducted|commissioned|compiled|prepared)"
    r"(?:\s+(?:on|last|this|in|earlier|late)\s+[\w]+)?\s+by\s+([^,;:\x00]+?)\s*,\s*$",
    re.IGNORECASE,
)


def _is_document(source: Source, document: re.Match[str] | None) -> bool:
    """The subject is a document ("the survey", "a Gallup poll", "polls") or its author."""
    return document is not None or source.head.removeprefix("the:") in lx.DOCUMENT_WORDS.split()


def _not_speech_here(
    word: str, lemma: str, tag: str, previous_word: str, before: str, after: str
) -> bool:
    """The cue word is a verb here, but not one of saying: a plea, an aim, a noun or an
    adjective by what stands around it, authorship."""
    if lemma == "plead" and _PLEA.match(after):
        return True  # "pleaded guilty": a plea in court, not a statement
    if lemma == "seek" and not _SEEK_FOLLOW.match(after):
        return True  # "is seeking a third term": an aim, not a statement ("sought to …" is)
    if tag in {"VBZ", "VBP", "VB"} and _VERB_NEXT.match(after):
        return True  # "Consumer advocates were less enthusiastic": a plural noun
    if (
        word.lower() in _ADJECTIVAL_PARTICIPLES
        and previous_word.lower() in _NOUN_PHRASE_OPENERS
        and _PARTICIPLE_NOUN.match(after)
        and after.split()[0].lower() not in lx.PRONOUNS_PERSON | lx.PRONOUNS_GROUP | {"it"}
    ):
        return True  # "and repeated dehydration are": an adjective, not "repeated" the verb
    if (
        tag == "VBN"
        and _BY_NEXT.match(after)
        and not before.rstrip().endswith(_Q)
        and strip_verb_noise(before)[2] not in lx.PASSIVE_AUXILIARIES
    ):
        # "a bill, written by Rep. Omar Haddad, ...": authorship of a thing, not speech;
        # "was written by" is read as a passive further down
        return True
    if (tag in {"VB", "VBZ"} and previous_word in lx.MONTHS) or (
        tag == "VBZ" and _COUNTED(previous_word.lower())
    ):
        return True  # "the March states", "the first four states": a noun
    # "if the U.S. pulls back, ...": a particle, not "back" the verb
    return bool(tag == "VB" and lemma in lx.STANCE_VERBS and _NOTHING_AFTER.match(after))


def _not_a_verb_here(previous_word: str, tag: str, lemma: str, after: str) -> bool:
    """The cue word is a noun or an adjective here, or a document act with no object."""
    if (
        previous_word.lower() in lx.NOUN_MARKERS
        or (tag != "VBG" and previous_word.lower() in _NOUN_BEFORE)
        or (
            tag in {"VBZ", "VB"}
            and previous_word.islower()
            and previous_word.endswith(_ADJECTIVE_ENDINGS)
            and previous_word not in lx.ROLE_WORDS
        )
    ):
        return True  # "his remarks", "the most contested", "in states": a noun or adjective
    if previous_word.endswith(("'s", "’s", "s'", "s’")) and (
        tag not in {"VBD"} or not _ACT_FOLLOW.match(after)
    ):
        return True  # "Ruiz's proposed wall", "Ruiz's comments" (but "Halbrook's admitted that")
    return lemma in _DOCUMENT_ACTS and not _DOCUMENT_FOLLOW.match(after)


#: "the same as Justice Ana Ruiz referring to ...": a name after a preposition, then a gerund.
_GERUND_OBJECT = re.compile(
    r"(?:^|\s)(?:as|than|like|of|about|for|to|from)(?:\s+[A-Z][\w'’.\u2024-]*){1,5}\s*$"
)


def _participle_source(
    frame: str, core: str, previous_word: str, auxiliary: str | None
) -> Source | None:
    """Who speaks in an -ing cue ("is saying", "with Ana Ruiz calling", "opened saying")."""
    if _PARTICIPLE_LINK.search(core):
        return _subject_from_start(frame)
    if auxiliary in lx.PASSIVE_AUXILIARIES:
        return _subject_before(core)  # "is criticizing", "was saying"
    if previous_word[:1].isupper():
        if _GERUND_OBJECT.search(core):
            return None  # "the same as Justice Ana Ruiz referring to herself as ...": a gerund
        if _OBJECT_BEFORE.search(core):
            return None
        source = _subject_before(core)  # "with Ana Ruiz calling the plan ..."
        return source if source is not None and source.is_person else None
    if previous_word[:1].islower() or previous_word[:1].isdigit() or core.rstrip().endswith("\x00"):
        # "Ruiz opened the debate saying ...", 'Ruiz needled the "reporter," saying ...'
        source = _subject_from_start(frame)
        return None if source is not None and not source.is_person else source
    return None  # a gerund or an adjective: "the saying", "a telling sign"


def _finite_source(
    frame: str, core: str, after: str, lemma: str, at: int
) -> tuple[Source | None, bool]:
    """Who speaks in a finite cue, and whether the source follows it (inverted)."""
    if core.rstrip().endswith(",") and lemma in lx.INVERTIBLE_VERBS and _after_is_np(after):
        source = _subject_after(after, strict=True)  # "..., said Ana Ruiz, a nurse."
        if source is not None:
            return source, True
    source = _subject_from_start(frame) if _AND_END.search(core) else _subject_before(core)
    if source is None and core.rstrip().endswith(",") and _after_is_np(after):
        source = _subject_after(after)  # "The plan is dead, said the minister."
        return source, source is not None
    if source is None and _ends_with_quote(frame[:at]):
        source = _subject_after(after)
        return source, source is not None
    return source, False


def _speech_here(
    lemma: str, source: Source, resolved: Source | None, after: str, quoted: bool
) -> bool:
    """Act and stance verbs are speech only with what they need ("declared a state of
    emergency" is an act)."""
    named_person = resolved is not None and resolved.is_person and resolved.speaker[:1].isupper()
    if lemma in lx.ACT_VERBS and not (
        quoted
        or _ACT_FOLLOW.match(after)
        or _CLAUSE_FOLLOWS.match(after)
        or (named_person and lemma not in lx.PERFORMATIVE_ACTS)
        or (named_person and _ACT_PERSON_FOLLOW.match(after))
    ):
        return False
    return not (
        lemma in lx.STANCE_VERBS and not _stance_source(source, resolved, quoted and _Q in after)
    )


_PREPS = "of|by|for|in|after|before|without|when|on|about|through|from|since|upon"
_PARTICIPLE_LINK = re.compile(r"(?:,|\band|\bwhile|\b(?:" + _PREPS + r"))\s*$")


def _in_subordinate_clause(core: str, source: Source) -> bool:
    """The cue sits in a subordinate clause: "a state that she hoped to carry", or in a
    relative clause still open ("Ruiz, who joined in 2018 and asked ...")."""
    relative = list(_RELATIVE_OPEN.finditer(core))
    if relative and "," not in core[relative[-1].end() :]:
        return True
    words = core.split()
    if not words:
        return False
    first = source.speaker.split()[0] if source.speaker.split() else ""
    for i in range(len(words) - 1, -1, -1):
        if words[i].strip(",;:").lower() == first.lower() or words[i].strip(",;:") == first:
            return i > 0 and words[i - 1].lower() in lx.SUBORDINATORS
    return False


#: A clause opening the sentence (or after its first adverbial) with no comma yet.
_CLAUSE_OPEN = re.compile(
    r"(?:^|,)\s*(?:[A-Z]\w*\s+(?:in|on)\s+[^,\x00]{1,30},\s*)?(?:Even\s+)?"
    r"(?:[Aa]fter|[Ww]hen|[Ww]hile|[Bb]efore|[Aa]lthough|[Tt]hough|[Bb]ecause|[Ss]ince|[Oo]nce|"
    r"[Uu]ntil|[Ii]f|[Aa]s)\b[^,;:\x00]*$"
)


def _in_leading_clause(before: str, after: str) -> bool:
    """The cue sits in a clause that opens the sentence and closes with a comma before the
    main clause: "After the host asked who would win, Ruiz replied", "Later, after the
    interview concluded, Ruiz said"."""
    opened = _CLAUSE_OPEN.search(before)
    if opened is None or "," not in after:
        return False
    return (
        opened.start() == 0
        or _CLAUSE_OPEN.match(before) is not None
        or (before[: opened.start()].count(",") == 0)
    )


def _resolve_here(source: Source, core: str, ctx: Context) -> Source | None:
    """Resolve a pronoun to a name in the same sentence, else through the context.

    The sentence's subject comes first ("Ruiz hit Lee on jobs, and she claimed ...": Ruiz),
    also when the pronoun opens the sentence in a subordinate clause ("As she left, Ruiz
    said": Ruiz); then the last name before the pronoun.
    """
    if source.speaker in {"he", "she"}:
        leading = _LEADING_CLAUSE.match(core) or _SUBORDINATOR_OPEN.match(core)
        subject = leading_subject(core[leading.end() :] if leading else core)
        named = parse_np(subject) if subject and subject.lower() not in {"he", "she"} else None
        if named is not None and named.is_person and named.speaker[:1].isupper():
            resolved = ctx.resolve(named)
            if resolved is None or ctx.fits(resolved, source.speaker):
                return resolved
        for run in reversed(name_runs(core)):
            if AFTER_PREPOSITION.search(core[: run.start()]):
                continue
            named = parse_np(role_prefix(core[: run.start()]) + " " + run.group(0))
            if named is not None and named.is_person and named.speaker[:1].isupper():
                resolved = ctx.resolve(named)
                if resolved is None or ctx.fits(resolved, source.speaker):
                    return resolved
    return ctx.resolve(source)


def _stance_source(source: Source, resolved: Source | None, quote_follows: bool) -> bool:
    """Stance verbs need a person: a singular pronoun or a name (or a quotation after)."""
    if source.speaker in {"he", "she"}:
        return True
    if source.speaker in lx.PRONOUNS_GROUP or resolved is None:
        return False
    if resolved.is_person and resolved.speaker[:1].isupper():
        return True
    return quote_follows and resolved.speaker[:1].isupper()


def _plural_or_first_person(source: Source) -> bool:
    """A base form ("say") is a verb only after a plural or first/second person subject:
    a pronoun, a conjunction or a plural common noun ("officials say", not "Sanders say")."""
    if source.speaker.lower() in {"i", "we", "you", "they"} or " and " in source.speaker:
        return True
    words = source.speaker.split()
    last = words[-1] if words else ""
    singular = last.lower()[:-1]
    common = (
        last.islower()
        or last.lower() in lx.ROLE_WORDS
        or singular in lx.ROLE_WORDS | lx.PERSON_NOUNS | _PLURAL_SUBJECTS  # "Critics say"
    )
    return common and last.endswith("s") and not last.endswith("ss")


#: Plural people who open sentences capitalised ("Critics say", "Voters said").
_PLURAL_SUBJECTS = frozenset(
    "critic voter supporter opponent observer scientist researcher doctor activist "
    "protester campaigner parent teacher student worker farmer shopper user".split()
)


def _passive(after: str, lemma: str, cue: str, ctx: Context) -> Cue | None:
    """``was asked by the host``: the agent is the source."""
    if lemma not in lx.PASSIVE_AGENT_VERBS:
        return None
    agent = _BY_AGENT.match(after)
    if not agent:
        return None
    source = parse_np(trim_np(agent.group(1)))
    if source is None:
        return None
    return Cue(ctx.resolve(source), f"{cue} by", None)


def _ends_with_quote(before: str) -> bool:
    return before.rstrip().rstrip(",").rstrip().endswith(_Q)


def _after_is_np(after: str) -> bool:
    """The words after an inverted cue start a noun phrase: "said the minister", "said Ruiz"."""
    match = _NEXT_WORD.match(after)
    if not match:
        return False
    word = match.group(1)
    return word[:1].isupper() or word.lower() in lx.DETERMINERS | _INVERTED_OPENERS


#: Words that open an inverted source besides articles: "said another lawyer, Jo Lee".
_INVERTED_OPENERS = frozenset("another one his her their its".split())


def _subject_from_start(frame: str) -> Source | None:
    subject = leading_subject(frame)
    return parse_np(subject) if subject else None


def _subject_before(before: str) -> Source | None:
    """The subject phrase that ends right before a cue, appositives skipped."""
    aside = _DASH_ASIDE.search(before.rstrip())
    if aside is not None:  # "Murphy — after a pause — told me"
        named = _named_aside(before[: aside.start()], aside.group(0))
        if named is not None:
            return named
    text = before.rstrip()[: aside.start()] if aside is not None else before.rstrip()
    appositive = text.endswith(",")
    text = text.rstrip(",").rstrip()
    if not text or text.endswith(_Q):
        return None
    text = _TRAILING_PARENS.sub("", text)  # "Sen. Ana Ruiz (D-Ohio)"
    if appositive:  # 'Ana Ruiz, wearing "Vote Lund" pins, said': a quote inside an appositive
        text = _QUOTE_INSIDE.sub(" quote ", text)
    cut = _last_cut(text)
    np = text[cut + 1 :].strip()
    if _INFINITIVE.match(np):
        return None  # 'visited "Today" to discuss his recent remarks': no subject
    if (appositive or _BY_APPOSITIVE.match(np)) and cut >= 0 and text[cut] == ",":
        # "Six Democrats, led by Sen. Ola Berg (D-Vt.), said": the closing comma went with
        # the parenthetical, the participle still stands between the subject and its verb
        return _appositive_subject(text, cut, np)
    if cut >= 0 and text[cut] == "," and _UNCLOSED_ROLE.match(np):
        # "Ana Ruiz, president of the Harbor Association stated": the appositive's closing
        # comma left out; the name opening the sentence is the subject
        name = parse_np(text[:cut].strip()) if _last_cut(text[:cut]) < 0 else None
        if name is not None and name.is_person and name.speaker[:1].isupper() and not name.role:
            return Source(name.speaker, clean(np), True, name.head)
    if np.lower() in {"who", "which"} and cut >= 0 and text[cut] == ",":
        # "Ruiz, who has called the plan ...": the relative clause speaks for its antecedent
        rest = text[:cut].rstrip()
        segment = _after_adverbial_preposition(rest[_last_cut(rest) + 1 :])
        antecedent = parse_np(trim_np(segment))
        if antecedent is None:  # "... was echoed by Gov. Ana Ruiz, who noted"
            runs = name_runs(segment)
            if runs and not segment[runs[-1].end() :].strip():
                prefix = role_prefix(segment[: runs[-1].start()])
                antecedent = parse_np(f"{prefix} {runs[-1].group(0)}".strip())
        return antecedent
    source = parse_np(trim_np(np))
    if source is not None and " and " in source.speaker and cut >= 0 and text[cut] == ",":
        return _listed(text[:cut], source)
    return source


_INFINITIVE = re.compile(r"to\s+[a-z]")


def _named_aside(subject: str, aside: str) -> Source | None:
    """``A former candidate — Jon Hale, who lost in 2008 — said``: the aside names the
    described subject, so the name speaks, with the description as its role."""
    inner = aside.strip(" —–-")
    name = parse_np(trim_np(inner.split(",")[0]))
    if name is None or not name.is_person or not name.speaker[:1].isupper() or name.role:
        return None
    if " " not in name.speaker:
        return None
    words = subject.split()
    if not words or _last_cut(subject) >= 0:
        return None
    opener = words[0].lower()
    if not (opener in lx.DETERMINERS or opener in _POSSESSIVES or words[0][:1].islower()):
        return None  # the subject is itself a name ("Jo Lund — who ... — said")
    role = " ".join(words[1:]) if opener in lx.DETERMINERS else lower_first(subject.strip())
    return Source(name.speaker, clean(role), True, name.head)


_POSSESSIVES = frozenset({"his", "her", "their", "its", "our", "my", "your"})


#: An aside between dashes right before the verb: "Byrne — who was posted there — states".
_DASH_ASIDE = re.compile(r"(?<=\w)\s*(?:[—–]|--)\s*[^—–\x00]{1,120}?\s*(?:[—–]|--)\s*$")
#: A quotation inside a phrase, words on both sides: 'wearing "Vote Lund" pins'.
_QUOTE_INSIDE = re.compile(r"(?<=[\w'’])\s*\x00\s*(?=[\w'’])")
_UNCLOSED_ROLE = re.compile(
    r"^(?:" + "|".join(sorted(lx.ROLE_WORDS)) + r")\b(?:\s+(?:and|of|for|at)\s+[\w'’.\u2024-]+)"
    r"[^,\x00]*$"
)


def _after_adverbial_preposition(segment: str) -> str:
    """``treated as credibly by his show's listeners, who``: the relative clause's
    antecedent is the phrase after a preposition that follows an adverb or a participle."""
    words = segment.split()
    for i in range(len(words) - 2, 0, -1):
        before = words[i - 1].lower()
        if words[i].lower() in lx.PREPOSITIONS and before.endswith(("ly", "ed")):
            return " ".join(words[i + 1 :])
    return segment


def _listed(rest: str, last: Source) -> Source:
    """ "Ana Ruiz, Jo Lee and Sam Hart said": the whole list speaks."""
    names = [last.speaker]
    while True:
        cut = _last_cut(rest)
        piece = parse_np(trim_np(rest[cut + 1 :]))
        if piece is None or not piece.is_person or not piece.speaker[:1].isupper():
            break
        names.insert(0, piece.speaker)
        if cut < 0 or rest[cut] != ",":
            break
        rest = rest[:cut]
    if len(names) == 1:
        return last
    return Source(", ".join(names[:-1]) + ", " + names[-1], None, True, last.head)


def _last_cut(text: str) -> int:
    return max((m.start() for m in _CLAUSE_CUT.finditer(text)), default=-1)


#: A participle with its agent between a subject and its verb: "led by ...", "joined by
#: ...", "flanked by ...": an appositive even when its closing comma is lost.
_BY_APPOSITIVE = re.compile(r"^[a-z]+(?:ed|en)\s+by\s")


def _appositive_subject(text: str, cut: int, np: str) -> Source | None:
    """``Name, appositive[, appositive], said``: walk back over comma segments to the name.

    ``segments[0]`` is the piece right before the cue, ``segments[j]`` the j-th to its
    left. The source is the nearest segment that is a proper name with only appositives
    (descriptions, relative clauses, ages, party-and-state codes) between it and the cue;
    or a proper name right after a description ("Her chief aide, Jo Lee, said").
    """
    segments = [np]
    rest = text[:cut].rstrip()
    while len(segments) < 5:
        cut2 = _last_cut(rest)
        segments.append(rest[cut2 + 1 :].strip())
        if cut2 < 0 or rest[cut2] != ",":
            break
        rest = rest[:cut2].rstrip()
    segments = _join_places(segments)
    member = _named_member(segments)
    if member is not None:
        return member
    nearest = parse_np(trim_np(segments[0])) if not _RELATIVE.match(segments[0]) else None
    if _BY_APPOSITIVE.match(segments[0]) and len(segments) > 1:
        nearest = parse_np(trim_np(segments[1]))  # "The mayor, flanked by police chiefs,"
    described = _DESCRIPTION.fullmatch(segments[1]) if len(segments) > 1 else None
    if nearest is not None and nearest.is_person and nearest.speaker[:1].isupper() and described:
        # "The council leader, Ana Ruiz, said", "Her chief aide, Jo Lee, said"
        role = described.group(2) if described.group(1).lower() in lx.DETERMINERS else segments[1]
        return Source(nearest.speaker, clean(role), True, nearest.head)
    described_source: Source | None = None
    for j in range(1, len(segments)):
        if not all(
            _appositive_like(segment) or _in_relative(segments, i)
            for i, segment in enumerate(segments[:j])
        ):
            break
        if PARTY_STATE.fullmatch(segments[j].strip()):
            continue  # "R-Ohio"
        if segments[j].startswith("of ") and _OF_PLACE.fullmatch(segments[j].split(",")[0]):
            continue  # "of Dayton, Ohio": the speaker's hometown
        if _in_relative(segments, j):
            continue  # "Ruiz, whose company, Paradata, makes ..., said": inside the clause
        name = parse_np(trim_np(segments[j]))
        if name is None or _plural_group(name):
            continue  # "the two leading Republicans, Ana Ruiz and Jo Lee, said": the names
        if name.is_person and name.speaker[:1].isupper():
            role = next(
                (
                    r
                    for i, r in reversed(list(enumerate(map(appositive_role, segments[:j]))))
                    if r
                    and _is_role(r)
                    and not any(_RELATIVE.match(segment) for segment in segments[i + 1 : j])
                ),
                None,
            )
            if name.role and not is_title_only(name.role):
                role = name.role
            before_name = _DESCRIPTION.fullmatch(segments[j + 1]) if j + 1 < len(segments) else None
            if role is None and before_name is not None and j + 2 == len(segments):
                # "The council's finance chief, Priya Shah, speaking to ..., said"
                det = before_name.group(1)
                role = before_name.group(2) if det.lower() in lx.DETERMINERS else segments[j + 1]
                role = clean(role)
            return Source(name.speaker, role or name.role, True, name.head)
        if _RELATIVE.match(segments[j - 1]) and described_source is None:
            described_source = name  # "A state official ..., who was not authorised, says"
    if described_source is not None:
        return described_source
    if _RELATIVE.match(segments[0]):
        return None
    return nearest


_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|near|outside)\s+[A-Z][\w.'’\u2024-]*$")
_PLACE = re.compile(r"[A-Z][\w.'’\u2024-]*(?:\s+[A-Z][\w.'’\u2024-]*)?")
#: "Oren Blum, 41, of Dayton, Ohio, said": a hometown appositive ("of Town", then its state).
_OF_PLACE = re.compile(r"of\s+[A-Z][\w.'’\u2024-]*(?:\s+[A-Z][\w.'’\u2024-]*){0,2}")


def _join_places(segments: list[str]) -> list[str]:
    """``during a visit to Columbus, Ohio,``: a place after "in Town" (or a hometown, "of
    Town") is one segment with it."""
    joined = list(segments)
    k = 0
    while k + 1 < len(joined):
        if (
            _PLACE.fullmatch(joined[k])
            and (_PLACE_BEFORE.search(joined[k + 1]) or _OF_PLACE.fullmatch(joined[k + 1]))
            and lx.is_region(joined[k])
        ):
            joined[k : k + 2] = [f"{joined[k + 1]}, {joined[k]}"]
        k += 1
    return joined


_MEMBER = re.compile(
    r"^(?:including|among them|among whom|such as|notably|led by|especially|like)\s+", re.IGNORECASE
)


def _named_member(segments: list[str]) -> Source | None:
    """``Critics, including councillor Tom Becker, said``: the named member speaks for the
    group (the group is the role); a member list ("including A and B") speaks together."""
    if len(segments) < 2:
        return None
    match = _MEMBER.match(segments[0])
    if not match:
        return None
    member = parse_np(trim_np(segments[0][match.end() :]))
    if member is None or not member.is_person or not member.speaker[:1].isupper():
        return None
    group = clean(segments[1])
    role = member.role if member.role and not is_title_only(member.role) else None
    return Source(member.speaker, role or lower_first(group), True, member.head)


_STATES = frozenset(lx.US_STATE_ABBREVIATIONS)
_RELATIVE = re.compile(r"\s*(?:who|which|whose|whom)\b", re.IGNORECASE)
#: A party-and-state tag: "R-Ohio", "(D-Calif.)", "I".
PARTY_STATE = re.compile(r"\(?[RDI](?:-[A-Z][\w.\u2024 ]*)?\)?")


def _appositive_like(segment: str) -> bool:
    """A piece that can stand between a name and its verb: "a nurse", "45", "R-Ohio"."""
    words = segment.split()
    if not words:
        return False
    first = words[0]
    return (
        first.lower() in lx.DETERMINERS
        or first.lower() in {"who", "which", "whose", "whom", "his", "her", "its", "their", "too"}
        or first[:1].islower()
        or first[:1].isdigit()
        or PARTY_STATE.fullmatch(segment.strip()) is not None
        or (len(words) == 1 and (first.endswith((".", "\u2024")) or first in _STATES))
        or any(bare(w) in lx.ROLE_WORDS for w in words)
        or " of " in segment
        or first.endswith(("'s", "’s"))
    )


def _plural_group(source: Source) -> bool:
    """A capitalised plural after a description ("the two leading Republicans"): a group."""
    words = source.speaker.split()
    return (
        len(words) == 1
        and words[0].endswith("s")
        and not words[0].endswith("ss")
        and source.role is not None
        and source.role.islower()
    )


def _in_relative(segments: list[str], i: int) -> bool:
    """Segment ``i`` is a name right after an open relative clause ("whose firm, Paradata,")."""
    return i + 1 < len(segments) and _RELATIVE.match(segments[i + 1]) is not None


def _is_role(role: str) -> bool:
    first = role.split()[0].lower() if role.split() else ""
    return not (
        PARTY_STATE.fullmatch(role)
        or role.lower() in {"too", "also", "however"}
        or first in _ROLE_NOT_FIRST
        or _BY_APPOSITIVE.match(role) is not None  # "joined by her aides"
    )


#: An appositive that opens with one of these is a circumstance, not a role.
_ROLE_NOT_FIRST = frozenset(
    "during in at on after before while when from with without for since amid despite "
    "speaking wearing".split()
)


def _subject_after(after: str, strict: bool = False) -> Source | None:
    """The source after an inverted cue; ``strict``: only a proper name, or a person."""
    match = _AFTER_SUBJECT.match(after)
    if not match:
        return None
    head = _RELATIVE_TAIL.split(match.group(1))[0]  # "said Cllr Mona Reid who represents"
    if not strip_time(" " + clean(head)).strip():
        return None  # "…," Ruiz, a nurse, said Sunday: a time, not an inverted source
    if strict:
        phrase = strip_time(clean(head))
        source = parse_np(phrase) if len(phrase.split()) <= 7 else None
        if source is None or not source.is_person:
            return None
    phrase = strip_time(clean(head))
    phrase = _AFTER_CHANNEL_CUT.split(phrase)[0]
    source = parse_np(phrase)
    if source is None:
        return None
    named = _named_after_description(source, match.group(2))
    if named is not None:
        return named
    role = appositive_role(match.group(2) or "") if source.is_person else None
    if role and not source.role:
        source = Source(source.speaker, role, source.is_person, source.head)
    return source


_RELATIVE_TAIL = re.compile(r"\s+(?:who|which|whose)\s+")


def _named_after_description(source: Source, appositive: str | None) -> Source | None:
    """``wrote one shopper, Ada Lintz``: a description, then the name, inverted."""
    if not appositive or (
        source.speaker[:1].isupper() and not source.speaker.split()[-1].islower()
    ):
        return None  # "the American ambassador at the time, Jo Lee" is a description
    named = parse_np(clean(appositive))
    if named is None or not named.is_person or not named.speaker[:1].isupper() or named.role:
        return None
    if len(named.speaker.split()) < 2:
        return None
    return Source(named.speaker, source.speaker, True, named.head)


def channel_after(after: str, cue: str) -> str | None:
    """A channel right after the cue: "said in a statement", "told reporters at a briefing"."""
    text = after
    if cue in {"told", "tells", "telling"}:  # skip the object: "told reporters at a briefing"
        object_match = _TOLD_OBJECT.match(text)
        if object_match:
            text = text[object_match.end() :]
    text = LEADING_TIME.sub("", text.lstrip())
    match = _TRAILING_CHANNEL.match(text)
    if not match:
        return None
    channel = _SEEN_BY.sub("", strip_time(clean(match.group(1))))
    words = channel.split()
    if (
        len(words) < 2
        or len(words) > 10
        or (words[0].lower() == "to" and cue not in {"wrote", "posted", "said"})
    ):
        return None
    if _NOT_CHANNEL.match(channel):
        return None
    named = [w for w in words[1:] if w[:1].isupper()]
    if not (_MEDIA_RE.search(channel) or named):
        return None
    if not _MEDIA_RE.search(channel) and all(w.strip(".,") in _TIME_NAMES for w in named):
        return None  # "in October", "on Tuesday": a time, not a channel
    if _NUMERIC_CHANNEL.fullmatch(channel) or strip_time(" " + channel) == "":
        return None
    return lower_first(channel)
