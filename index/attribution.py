"""Attribute every sentence of an article: who says it, in what role, how and where.

Rule-based and article-agnostic. The conventions are in docs/attribution.md. The
attributor walks the article in order, keeping the sources it has met so that pronouns
("she said"), definite descriptions ("the officials said"), bare surnames and
continuation paragraphs resolve to the most recent fitting named source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.models import NARRATION, Attribution
from index.quotes import QUOTE_CHARS, QuoteSpans, find_quotes

_Q = "\x00"  # stands for a quoted span inside a sentence's frame

CUES = frozenset(
    [
        "said",
        "says",
        "say",
        "told",
        "tells",
        "confirmed",
        "confirms",
        "claimed",
        "claims",
        "added",
        "adds",
        "warned",
        "warns",
        "insisted",
        "insists",
        "admitted",
        "admits",
        "denied",
        "denies",
        "stated",
        "states",
        "explained",
        "explains",
        "wrote",
        "writes",
        "tweeted",
        "posted",
        "announced",
        "announces",
        "argued",
        "argues",
        "noted",
        "stressed",
        "stresses",
        "urged",
        "urges",
        "suggested",
        "suggests",
        "revealed",
        "reveals",
        "acknowledged",
        "acknowledges",
        "alleged",
        "alleges",
        "asserted",
        "asserts",
        "declared",
        "declares",
        "maintained",
        "maintains",
        "predicted",
        "predicts",
        "promised",
        "replied",
        "replies",
        "responded",
        "responds",
        "cautioned",
        "remarked",
        "estimated",
        "estimates",
        "disclosed",
        "conceded",
        "concedes",
        "vowed",
        "vows",
        "pledged",
        "pledges",
        "reported",
        "reports",
        "accused",
        "accuses",
        "recalled",
        "recalls",
        "countered",
        "counters",
        "continued",
        "agreed",
        "agrees",
        "boasted",
        "complained",
        "complains",
        "conceded",
        "emphasised",
        "emphasized",
        "observed",
        "pointed",
    ]
)
_CUE_RE = re.compile(r"\b(" + "|".join(sorted(CUES, key=len, reverse=True)) + r")\b")
_ACCORDING_RE = re.compile(r"\baccording to\s+", re.IGNORECASE)

_PRONOUNS_PERSON = {"he", "she", "him", "her"}
_PRONOUNS_GROUP = {"they", "it", "we"}
_DETERMINERS = {"the", "a", "an"}
_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "sir", "dame", "lord", "lady"}
_ROLE_WORDS = set(
    [
        "president",
        "minister",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "chancellor",
        "senator",
        "sen",
        "governor",
        "gov",
        "mayor",
        "ambassador",
        "general",
        "gen",
        "admiral",
        "commander",
        "chief",
        "director",
        "officer",
        "commissioner",
        "leader",
        "chairman",
        "chairwoman",
        "chair",
        "ceo",
        "cfo",
        "coo",
        "head",
        "captain",
        "coach",
        "manager",
        "inspector",
        "superintendent",
        "detective",
        "det",
        "sergeant",
        "sgt",
        "constable",
        "judge",
        "justice",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "rev",
        "reverend",
        "father",
        "bishop",
        "archbishop",
        "rabbi",
        "imam",
        "deputy",
        "vice",
        "acting",
        "founder",
        "professor",
        "prof",
        "dr",
        "doctor",
        "attorney",
        "counsel",
        "representative",
        "rep",
        "congressman",
        "congresswoman",
        "mp",
        "mep",
        "msp",
        "councillor",
        "councilor",
        "premier",
        "envoy",
        "diplomat",
        "correspondent",
        "editor",
        "analyst",
        "economist",
        "researcher",
        "scientist",
        "lieutenant",
        "lt",
        "colonel",
        "col",
        "major",
        "maj",
        "marshal",
        "executive",
        "boss",
        "owner",
        "trustee",
        "principal",
        "headteacher",
        "dean",
        "provost",
        "chairperson",
        "treasurer",
        "auditor",
        "prosecutor",
        "lawyer",
        "barrister",
        "solicitor",
        "sheriff",
        "commissioner",
        "spokesmen",
        "spokespeople",
        "adviser",
        "advisor",
        "aide",
        "official",
        "officials",
        "cllr",
        "boss",
        "winger",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "forward",
        "player",
        "jockey",
        "bowler",
        "batsman",
        "champion",
    ]
)
_ORG_WORDS = set(
    [
        "department",
        "ministry",
        "office",
        "government",
        "police",
        "council",
        "agency",
        "service",
        "services",
        "commission",
        "army",
        "military",
        "navy",
        "force",
        "forces",
        "company",
        "corporation",
        "corp",
        "inc",
        "ltd",
        "plc",
        "group",
        "party",
        "union",
        "court",
        "committee",
        "authority",
        "authorities",
        "bureau",
        "institute",
        "university",
        "foundation",
        "association",
        "organisation",
        "organization",
        "network",
        "news",
        "times",
        "post",
        "reuters",
        "bank",
        "board",
        "embassy",
        "kremlin",
        "parliament",
        "congress",
        "senate",
        "assembly",
        "administration",
        "cabinet",
        "club",
        "fc",
        "federation",
        "league",
        "trust",
        "charity",
        "hospital",
        "nhs",
        "fund",
        "school",
        "college",
        "team",
        "command",
        "centre",
        "center",
        "unit",
        "watchdog",
        "regulator",
        "firm",
        "agency",
        "airline",
        "council",
    ]
)
_CLAUSE_WORDS = set(
    [
        "that",
        "and",
        "but",
        "while",
        "as",
        "after",
        "before",
        "when",
        "because",
        "since",
        "if",
        "though",
        "although",
        "where",
        "whereas",
        "so",
        "which",
        "who",
        "whom",
        "whose",
        "than",
    ]
)
_LEADING_ADVERBS = set(
    [
        "yesterday",
        "today",
        "tonight",
        "later",
        "earlier",
        "meanwhile",
        "however",
        "but",
        "and",
        "also",
        "now",
        "separately",
        "previously",
        "then",
        "still",
        "instead",
        "elsewhere",
        "again",
        "recently",
    ]
)
_TRAILING_NP_NOISE = set(
    [
        "has",
        "have",
        "had",
        "also",
        "previously",
        "later",
        "earlier",
        "repeatedly",
        "publicly",
        "reportedly",
        "then",
        "once",
        "recently",
        "already",
        "again",
        "now",
        "would",
        "will",
        "could",
        "may",
        "might",
        "has",
        "also",
        "subsequently",
        "separately",
        "privately",
        "simply",
    ]
)
_PASSIVE = {"was", "were", "is", "are", "be", "been", "being"}
_BAD_NP_WORDS = {"there", "this", "that", "these", "those", "what", "which", "who", "not", "it's"}
_PARTICLES = {"von", "van", "der", "de", "da", "di", "la", "le", "bin", "al", "ibn", "du", "dos"}
_DOC_WORDS = "statement|report|filing|document|letter|post|memo|survey|study|poll|release"
_DOC_RE = re.compile(
    rf"^(?:a|an|the)\s+(?:[\w-]+\s+)?({_DOC_WORDS})\s+(?:from|by|of|issued by)\s+(.+)$",
    re.IGNORECASE,
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_TIME_TAIL = re.compile(
    rf"(?:\s*,)?\s+(?:(?:on|last|this|early|late|earlier|later|on\s+the)\s+(?:{_WEEKDAYS}|week|"
    rf"month|year|night|morning|afternoon|evening|weekend|day)(?:\s+(?:night|morning|"
    rf"afternoon|evening))?|yesterday|today|tonight|overnight|on\s+\d{{1,2}}\s+\w+|"
    rf"in\s+\d{{4}}|on\s+\w+\s+\d{{1,2}}|(?:{_WEEKDAYS})(?:\s+(?:night|morning|afternoon|"
    rf"evening))?)$",
    re.IGNORECASE,
)
_LEADING_TIME = re.compile(
    rf"^(?:(?:on|last|this|early|late|earlier|later)\s+(?:{_WEEKDAYS}|week|month|year|"
    rf"night|morning|afternoon|evening|weekend)|yesterday|today|tonight|overnight)\s+",
    re.IGNORECASE,
)
_MEDIA = (
    r"post|posts|statement|interview|tweet|press conference|news conference|briefing|speech|"
    r"video|letter|message|blog|op-ed|article|column|broadcast|podcast|address|rally|hearing|"
    r"meeting|conference|email|radio|television|tv|appearance|call|note|filing|report|"
    r"documentary|programme|program|show|debate|session|summit|event|session"
)
_MEDIA_RE = re.compile(rf"\b(?:{_MEDIA})\b", re.IGNORECASE)
_NOT_CHANNEL = re.compile(
    r"^(?:at least|at most|at the time|in total|in fact|in part|on average|in particular|"
    r"in addition|on behalf|in response|at one point|in the end|on the whole)\b",
    re.IGNORECASE,
)
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
_PERSON_NOUNS = set(
    [
        "woman",
        "man",
        "mother",
        "father",
        "teenager",
        "boy",
        "girl",
        "pensioner",
        "victim",
        "player",
        "actor",
        "actress",
        "singer",
        "star",
        "striker",
        "winger",
        "midfielder",
        "defender",
        "goalkeeper",
        "driver",
        "resident",
        "mum",
        "dad",
        "wife",
        "husband",
        "son",
        "daughter",
        "grandmother",
        "grandfather",
        "student",
        "pupil",
        "patient",
        "survivor",
        "witness",
    ]
)
_AGE = re.compile(r"\d+-year-old")
_TITLES_ONLY = {"dr", "prof", "sen", "gov", "rep", "cllr", "lt", "gen", "col", "det", "sgt", "rev"}
_NAME_RUN = re.compile(
    r"(?<![\w'’])(?:[A-Z][\w'’-]*\.?\s+(?:(?:von|van|der|de|da|di|la|le|bin|al|ibn|du|dos)\s+)*)+"
    r"[A-Z][\w'’-]*[a-z]"
)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’.\u2024-]*|[A-Z][.\u2024])$")
_WORD = re.compile(r"[\w'’.\u2024-]+")


@dataclass(frozen=True, slots=True)
class _Source:
    speaker: str
    role: str | None
    is_person: bool
    head: str


@dataclass(slots=True)
class _Context:
    """What the attributor remembers while it walks one article."""

    sources: list[_Source] = field(default_factory=list)  # speakers met, in order
    mentions: list[_Source] = field(default_factory=list)  # speakers and named people
    names: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # surname -> full
    last_speech: Attribution | None = None  # last paragraph's last attributed speech

    def remember(self, source: _Source) -> None:
        self.sources.append(source)
        self.mention(source)

    def mention(self, source: _Source) -> None:
        self.mentions.append(source)
        if source.is_person and " " in source.speaker:
            key = source.speaker.split()[-1].lower()
            known = self.names.get(key)
            if known is None or known[0] != source.speaker or source.role:
                self.names[key] = (source.speaker, source.role or (known[1] if known else None))


def _clean(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase).strip(" ,;:\x00")


def _lower_first(phrase: str) -> str:
    return (
        phrase[:1].lower() + phrase[1:]
        if phrase[:1].isupper() and phrase[1:2].islower()
        else phrase
    )


def _strip_time(phrase: str) -> str:
    previous = None
    while previous != phrase:
        previous = phrase
        phrase = _TIME_TAIL.sub("", phrase).strip()
    return phrase


def _head(word: str) -> str:
    word = word.lower().strip(".,'’")
    for suffix in ("ies",):
        if word.endswith(suffix):
            return word[: -len(suffix)] + "y"
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _bare(word: str) -> str:
    return word.lower().strip(".,'’\u2024")


class Attributor:
    """Attributes sentences paragraph by paragraph; one instance per article."""

    def __init__(self) -> None:
        self._ctx = _Context()

    # ---------------------------------------------------------------- public
    def observe_names(self, text: str) -> None:
        """Learn named people (with titles or appositive roles) from any text."""
        for match in _NAME_RUN.finditer(text):
            before = text[: match.start()]
            if _AFTER_PREPOSITION.search(before):
                continue  # "near Builth Wells", "at Elmhurst Hospital": places and bodies
            after = text[match.end() :]
            prefix = _role_prefix(before)
            parsed = self._parse_np(f"{prefix} {match.group(0)}".strip())
            if parsed is None or not parsed.is_person or " " not in parsed.speaker:
                continue
            role = _described_role(before, after) or parsed.role
            if parsed.role and role != parsed.role and not _is_title_only(parsed.role):
                role = parsed.role
            self._ctx.mention(_Source(parsed.speaker, role, True, parsed.head))

    def attribute(self, paragraph: str, spans: list[tuple[int, int]]) -> list[Attribution]:
        """Attribute each sentence span of a body paragraph, in order."""
        quotes = find_quotes(paragraph)
        own: list[Attribution | None] = []
        fractions: list[float] = []
        for start, end in spans:
            text = paragraph[start:end]
            fraction = _quoted_fraction(text, quotes, start, end)
            fractions.append(fraction)
            own.append(self._own_attribution(paragraph, quotes, start, end, fraction))
            self.observe_names(text)

        result: list[Attribution] = []
        continuation = (
            quotes.opens_with_quote
            and self._ctx.last_speech is not None
            and not _span_has_cue(0, quotes, spans, own)
        )
        for i, (start, _end) in enumerate(spans):
            attribution = own[i]
            if attribution is None and fractions[i] >= 0.5:
                attribution = _shared_quote_owner(i, quotes, spans, own)
                if attribution is None and continuation and _in_first_quote(quotes, start):
                    attribution = self._ctx.last_speech
                if attribution is None:
                    attribution = _nearest_direct(i, own)
                if attribution is not None:
                    attribution = _as_direct(attribution)
            result.append(attribution or NARRATION)

        speech = [a for a in result if not a.is_narration and a.speaker]
        if speech:
            self._ctx.last_speech = speech[-1]
        elif quotes.spans:
            self._ctx.last_speech = None if not continuation else self._ctx.last_speech
        return result

    # ------------------------------------------------------------- per sentence
    def _own_attribution(
        self, paragraph: str, quotes: QuoteSpans, start: int, end: int, fraction: float
    ) -> Attribution | None:
        frame = _frame(paragraph, quotes, start, end)
        found = self._find_cue(frame)
        if found is None:
            return None
        source, cue, channel = found
        kind = "direct" if fraction >= 0.5 else "reported"
        return Attribution(
            speaker=source.speaker if source else None,
            role=source.role if source else None,
            cue=cue,
            channel=channel,
            kind=kind,
        )

    def _find_cue(self, frame: str) -> tuple[_Source | None, str, str | None] | None:
        found = self._find_cue_protected(_protect(frame))
        if found is None:
            return None
        source, cue, channel = found
        if source is not None:
            source = _Source(
                _restore(source.speaker), _restore(source.role), source.is_person, source.head
            )
        return source, cue, _restore(channel)

    def _find_cue_protected(self, frame: str) -> tuple[_Source | None, str, str | None] | None:
        leading = _LEADING_CHANNEL.match(frame)
        leading_channel = None
        if leading:
            phrase = _strip_time(_clean(leading.group(1) or leading.group(2)))
            leading_channel = _lower_first(re.sub(r"\s+seen by\b.*$", "", phrase))
        for match in _CUE_RE.finditer(frame):
            cue = match.group(1)
            if cue in _WEAK_CUES and not _WEAK_CUE_FOLLOW.match(frame[match.end() :]):
                continue  # "declared a state of emergency" is an act, not speech
            before = frame[: match.start()]
            if before.rstrip().lower().endswith(" and") or before.rstrip().lower() == "and":
                before = _sentence_subject(before) or before
            source = self._subject_before(before)
            inverted = False
            if source is None and _ends_with_quote(frame[: match.start()]):
                source = self._subject_after(frame[match.end() :])
                inverted = source is not None
            if source is None:
                continue
            channel = leading_channel
            if channel is None and not inverted:
                channel = _channel_after(frame[match.end() :], cue)
            resolved = self._resolve(source)
            if resolved is None:
                return None, cue, channel
            self._ctx.remember(resolved)
            return resolved, cue, channel
        according = _ACCORDING_RE.search(frame)
        if according:
            phrase = re.split(
                r"[,;:.!?\x00]|\s(?:that|who|which|meaning)\s", frame[according.end() :]
            )[0]
            channel = leading_channel
            doc = _DOC_RE.match(_clean(phrase))
            if doc:
                channel = channel or f"in a {doc.group(1).lower()}"
                phrase = doc.group(2)
            source = self._parse_np(_clean(phrase))
            if source is not None:
                resolved = self._resolve(source)
                if resolved is not None:
                    self._ctx.remember(resolved)
                return resolved, "according to", channel
        return None

    # ----------------------------------------------------------- noun phrases
    def _subject_before(self, before: str) -> _Source | None:
        text = before.rstrip()
        appositive = text.endswith(",")
        text = text.rstrip(",").rstrip()
        if not text or text.endswith(_Q):
            return None
        cut = max(text.rfind(c) for c in ",:;()\x00—–")
        np = text[cut + 1 :].strip()
        if appositive and cut >= 0 and text[cut] == ",":
            # "Jane Roe, a spokeswoman for the ministry, said" / "Jane Roe, 45, said"
            previous = text[:cut].rstrip()
            cut2 = max(previous.rfind(c) for c in ",:;()\x00—–")
            before_np = previous[cut2 + 1 :]
            name = self._parse_np(_trim_np(before_np))
            if name is not None and np.split()[:1] and np.split()[0].lower() in {"who", "which"}:
                return name  # "A state official ..., who was not authorised to speak, says"
            if name is not None and name.is_person and name.speaker[:1].isupper():
                role = _appositive_role(np)
                if role and name.role and not _is_title_only(name.role):
                    role = name.role
                return _Source(name.speaker, role or name.role, True, name.head)
            inner = self._parse_np(_trim_np(np))
            described = re.fullmatch(r"\s*(?:[Tt]he|[Aa]n?)\s+([a-z][\w'’ -]{2,50})", before_np)
            if inner is not None and inner.is_person and described:
                return _Source(inner.speaker, _clean(described.group(1)), True, inner.head)
        return self._parse_np(_trim_np(np))

    def _subject_after(self, after: str) -> _Source | None:
        match = re.match(r"\s*([^,;:.!?\x00]+)(?:,\s*([^,;:!?\x00]+?)\s*(?:[,;.!?]|$))?", after)
        if not match:
            return None
        source = self._parse_np(_clean(match.group(1)))
        if source is None:
            return None
        role = _appositive_role(match.group(2) or "") if source.is_person else None
        if role and not source.role:
            source = _Source(source.speaker, role, source.is_person, source.head)
        return source

    def _parse_np(self, np: str) -> _Source | None:
        """Split a subject noun phrase into speaker and role, or None if it is not one."""
        words = _WORD.findall(np)
        if not words or len(words) > 10:
            return None
        lowered = [_bare(w) for w in words]
        if lowered[-1] in _PASSIVE or any(w in _BAD_NP_WORDS for w in lowered):
            return None
        if len(words) == 1 and lowered[0] in _PRONOUNS_PERSON | _PRONOUNS_GROUP:
            return _Source(lowered[0], None, lowered[0] in _PRONOUNS_PERSON, lowered[0])
        while len(words) > 1 and lowered[0] in _FUNCTION_WORDS - {"the"}:
            words, lowered = words[1:], lowered[1:]
        definite = lowered[0] == "the"
        while words and _bare(words[0]) in _DETERMINERS:
            words, lowered = words[1:], lowered[1:]
        if not words:
            return None
        while words and lowered[0] in _HONORIFICS and len(words) > 1:
            words, lowered = words[1:], lowered[1:]
        if not any(ch.isalpha() for ch in "".join(words)):
            return None
        # trailing run of capitalised tokens (with particles inside) is the name
        k = len(words)
        while k > 0 and (
            _NAME_TOKEN.match(words[k - 1])
            or (lowered[k - 1] in _PARTICLES and k < len(words))
            or (
                lowered[k - 1] in _CONNECTORS
                and k < len(words)
                and k >= 2
                and _NAME_TOKEN.match(words[k - 2])
            )
        ):
            k -= 1
        name = words[k:]
        if name and k > 0 and lowered[k - 1] in _PREPOSITIONS:
            # "spokesman for Kestrel Air", "draft seen by Politico": an unnamed source
            phrase = " ".join(words)
            return _Source(phrase, None, lowered[0] in _ROLE_WORDS, _head(words[0]))
        last_role_in_run = max(
            (i for i, w in enumerate(name) if _bare(w) in _ROLE_WORDS), default=-1
        )
        if not name or any(_bare(w) in _ORG_WORDS for w in name[last_role_in_run + 1 :]):
            phrase = " ".join(words)
            head = _head(words[-1])
            if definite and all(w.islower() for w in words):
                return _Source(phrase, None, False, "the:" + head)
            return _Source(
                phrase,
                None,
                head
                in {
                    "official",
                    "source",
                    "spokesman",
                    "spokeswoman",
                    "spokesperson",
                    "diplomat",
                    "aide",
                },
                head,
            )
        # role words inside the capitalised run belong to the role ("Science Secretary Peter Kyle")
        last_role = max((i for i, w in enumerate(name) if _bare(w) in _ROLE_WORDS), default=-1)
        if last_role >= 0:
            if last_role == len(name) - 1:  # "Officials", "Police Chief": no name given
                return _Source(" ".join(words), None, True, _head(words[-1]))
            k += last_role + 1
            name = words[k:]
        role_words = [w for w in words[:k] if _bare(w) not in _HONORIFICS]
        role = " ".join(role_words) or None
        if role and role.lower().rstrip(".") in _HONORIFICS:
            role = None
        speaker = " ".join(w.rstrip(".") if len(w) > 2 else w for w in name)
        return _Source(speaker, role, True, _head(name[-1]))

    def _resolve(self, source: _Source) -> _Source | None:
        """Resolve pronouns, definite descriptions and surnames to earlier sources."""
        ctx = self._ctx
        if source.speaker in _PRONOUNS_PERSON:
            return next((s for s in reversed(ctx.mentions) if s.is_person), None)
        if source.speaker in _PRONOUNS_GROUP:
            return ctx.sources[-1] if ctx.sources else None
        if source.head.startswith("the:"):
            head = source.head[4:]
            for earlier in reversed(ctx.mentions):
                heads = _role_heads(earlier.role) if earlier.role else set()
                if head == earlier.head or head in heads:
                    return earlier
            if head in _PERSON_NOUNS or _AGE.fullmatch(head):
                person = next((s for s in reversed(ctx.mentions) if s.is_person), None)
                if person is not None:
                    return person
            return _Source(source.speaker, None, source.is_person, head)
        if source.is_person:
            full = ctx.names.get(source.speaker.split()[-1].lower())
            if full and (" " not in source.speaker or full[0] == source.speaker):
                role = source.role if source.role and not _is_title_only(source.role) else None
                return _Source(full[0], role or full[1] or source.role, True, source.head)
        return source


# -------------------------------------------------------------------- helpers
def _frame(paragraph: str, quotes: QuoteSpans, start: int, end: int) -> str:
    """The sentence with each quoted span replaced by one placeholder character."""
    pieces: list[str] = []
    cursor = start
    for a, b in quotes.spans:
        if b <= start or a >= end:
            continue
        pieces.append(paragraph[cursor : max(a, start)])
        pieces.append(_Q)
        cursor = min(b, end)
    pieces.append(paragraph[cursor:end])
    return "".join(pieces)


def _quoted_fraction(text: str, quotes: QuoteSpans, start: int, end: int) -> float:
    total = sum(1 for ch in text if not ch.isspace() and ch not in QUOTE_CHARS)
    if total == 0:
        return 0.0
    inside = 0
    for a, b in quotes.spans:
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            inside += sum(
                1
                for ch in text[lo - start : hi - start]
                if not ch.isspace() and ch not in QUOTE_CHARS
            )
    return inside / total


def _ends_with_quote(before: str) -> bool:
    return before.rstrip().rstrip(",").rstrip().endswith(_Q)


def _trim_np(np: str) -> str:
    """Cut a subject phrase to the words after the last clause word, adverbs removed."""
    np = _LEADING_TIME.sub("", _clean(np))
    words = np.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower() in _CLAUSE_WORDS:
            if i == 0 and words[i].lower() in {"which", "who", "whom", "whose"}:
                return ""  # "..., which the minister said was final, ...": not a source
            words = words[i + 1 :]
            break
    while words and words[0].lower().strip(",") in _LEADING_ADVERBS:
        words = words[1:]
    while words and words[-1].lower() in _TRAILING_NP_NOISE:
        words = words[:-1]
    return " ".join(words)


def _appositive_role(phrase: str) -> str | None:
    phrase = _clean(phrase)
    if not phrase or phrase.split()[0].lower() in {"who", "which", "whose", "adding", "saying"}:
        return None
    if phrase.replace(" ", "").isdigit():
        return None
    words = phrase.split()
    if words[0].lower() in _DETERMINERS:
        words = words[1:]
    if not words or len(words) > 12:
        return None
    return " ".join(words)


def _channel_after(after: str, cue: str) -> str | None:
    text = after
    if cue in {"told", "tells"}:  # skip the object: "told reporters at a briefing"
        object_match = re.match(r"\s*(?:the\s+)?[\w'’.-]+(?:\s+[A-Z][\w'’.-]*)*", text)
        if object_match:
            text = text[object_match.end() :]
    text = _LEADING_TIME.sub("", text.lstrip())
    match = _TRAILING_CHANNEL.match(text)
    if not match:
        return None
    channel = re.sub(r"\s+seen by\b.*$", "", _strip_time(_clean(match.group(1))))
    words = channel.split()
    if (
        len(words) < 2
        or len(words) > 10
        or (words[0].lower() == "to" and cue not in {"wrote", "posted", "said"})
    ):
        return None
    if _NOT_CHANNEL.match(channel):
        return None
    if not (_MEDIA_RE.search(channel) or any(w[:1].isupper() for w in words[1:])):
        return None
    if _TIME_TAIL.fullmatch(" " + channel) or re.fullmatch(r"(?:on|in|at)\s+\d.*", channel):
        return None
    return _lower_first(channel)


def _span_has_cue(
    span_index: int, quotes: QuoteSpans, spans: list[tuple[int, int]], own: list[Attribution | None]
) -> bool:
    if not quotes.spans:
        return False
    a, b = quotes.spans[span_index]
    return any(own[i] is not None and s < b and e > a for i, (s, e) in enumerate(spans))


def _shared_quote_owner(
    index: int, quotes: QuoteSpans, spans: list[tuple[int, int]], own: list[Attribution | None]
) -> Attribution | None:
    """Attribution of the nearest sentence sharing a quoted span with sentence ``index``."""
    start, end = spans[index]
    covering = set(quotes.covering(start, end))
    best: tuple[int, Attribution] | None = None
    for j, (s, e) in enumerate(spans):
        if j == index or own[j] is None:
            continue
        if covering & set(quotes.covering(s, e)):
            distance = abs(j - index)
            if best is None or distance < best[0]:
                best = (distance, own[j])
    return best[1] if best else None


def _nearest_direct(index: int, own: list[Attribution | None]) -> Attribution | None:
    """Another quotation in the same paragraph with a speaker: ``'A,' says X. 'B.'``."""
    order = [*range(index - 1, -1, -1), *range(index + 1, len(own))]
    for j in order:
        found = own[j]
        if found is not None and found.kind == "direct" and found.speaker:
            return found
    return None


def _in_first_quote(quotes: QuoteSpans, start: int) -> bool:
    if not quotes.spans:
        return False
    return start < quotes.spans[0][1]


def _as_direct(attribution: Attribution) -> Attribution:
    if attribution.kind == "direct":
        return attribution
    return Attribution(
        attribution.speaker, attribution.role, attribution.cue, attribution.channel, "direct"
    )


_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|at|near|from|of|to|into|across|outside|inside|for|by|with|on)\s+$", re.IGNORECASE
)
_WEAK_CUES = frozenset(
    [
        "declared",
        "declares",
        "announced",
        "announces",
        "pledged",
        "pledges",
        "promised",
        "promises",
        "vowed",
        "vows",
        "accused",
        "accuses",
        "reported",
        "reports",
        "revealed",
        "reveals",
        "estimated",
        "estimates",
        "predicted",
        "predicts",
        "maintained",
        "maintains",
        "noted",
        "recalled",
        "recalls",
        "continued",
        "agreed",
        "agrees",
        "posted",
        "described",
        "urged",
        "urges",
        "suggested",
        "suggests",
    ]
)
_WEAK_CUE_FOLLOW = re.compile(r"^(?:\s+[\w'’.-]+){0,5}?\s*(?:that\b|[:,\x00]|$|\.)")
_TITLE_ALIASES = {
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "prof": "professor",
    "dr": "doctor",
    "gen": "general",
    "lt": "lieutenant",
    "col": "colonel",
    "sgt": "sergeant",
    "det": "detective",
    "supt": "superintendent",
    "insp": "inspector",
    "cllr": "councillor",
    "councilor": "councillor",
    "pm": "prime minister",
}
_FUNCTION_WORDS = set(
    [
        "for",
        "in",
        "at",
        "on",
        "the",
        "but",
        "and",
        "when",
        "after",
        "as",
        "by",
        "with",
        "from",
        "to",
        "of",
        "if",
        "while",
        "since",
        "before",
        "during",
        "under",
        "over",
        "about",
        "into",
        "amid",
        "despite",
        "although",
        "though",
        "meanwhile",
        "however",
        "yet",
        "so",
        "according",
        "speaking",
        "writing",
        "asked",
    ]
)
_CONNECTORS = {"of", "for", "and", "the", "on", "de", "del"}
_PREPOSITIONS = {"for", "of", "at", "with", "from", "by", "to", "in", "on"}
_ROLE_BEFORE = re.compile(r"(?:^|[.;:!?]\s+|\s)(?:[Tt]he|[Aa]n?)\s+([a-z][\w'’ -]{2,50}),\s*$")
_ROLE_AFTER = re.compile(
    r"^,\s+(?:\d{1,3},\s+)?(?:a|an|the)\s+((?:[\w'’-]+\s+){0,9}?[\w'’-]+)\s*(?:[,.;:!?]|$)"
)
_VERBISH = re.compile(r"\b(?:he|she|they|it|was|were|is|are|has|had|came|said|says)\b")


def _role_prefix(before: str) -> str:
    """Title words right before a name: 'Rovers manager' in 'Rovers manager Gary Hollis'."""
    tail = re.split(r"[,.;:!?\"“”‘’()\n—–]", before)[-1]
    words = tail.split()
    taken: list[str] = []
    for word in reversed(words):
        bare = _bare(word)
        if bare in _DETERMINERS or not (word[:1].isupper() or bare in _ROLE_WORDS):
            break
        taken.insert(0, word)
    if not any(_bare(w) in _ROLE_WORDS for w in taken):
        return ""
    return " ".join(taken)


def _described_role(before: str, after: str) -> str | None:
    """A role given by apposition: 'X, a nurse at Y,' or 'The council leader, X,'."""
    match = _ROLE_AFTER.match(after)
    if match and not _VERBISH.search(match.group(1)):
        return _clean(match.group(1))
    match = _ROLE_BEFORE.search(before)
    if match:
        return _clean(match.group(1))
    return None


def _is_title_only(role: str) -> bool:
    words = [_bare(w) for w in _WORD.findall(role)]
    return bool(words) and len(words) <= 2 and words[-1] in _TITLES_ONLY | _HONORIFICS


_ABBREVIATION = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|St|Sen|Gov|Prof|Rep|Lt|Gen|Col|Sgt|Det|Rev|Jr|Sr|Capt|Cllr|No|Insp|Supt)\."
    r"|\b(?:[A-Z]\.){2,}"
)
_DOT = "\u2024"


def _protect(frame: str) -> str:
    """Hide the full stops of abbreviations so they do not end a phrase."""
    frame = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", _DOT), frame)
    return frame.replace(" - ", " — ")


def _restore(text: str | None) -> str | None:
    return text.replace(_DOT, ".") if text else text


def _sentence_subject(before: str) -> str | None:
    """For "He is staying ... and says ...": the subject that opens the sentence."""
    match = re.match(
        r"\s*((?:[Hh]e|[Ss]he|[Tt]hey)\b|(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*)", before
    )
    return match.group(1) if match else None


def _role_heads(role: str) -> set[str]:
    words = [_bare(w) for w in _WORD.findall(role)]
    words = [w for w in words if w not in _DETERMINERS]
    if not words:
        return set()
    heads = {_head(words[0]), _head(words[-1])}
    return heads | {_TITLE_ALIASES[h] for h in heads if h in _TITLE_ALIASES}
