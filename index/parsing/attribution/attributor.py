"""The attributor: walks an article paragraph by paragraph and attributes each sentence.

Per sentence: its frame (``quotes.frame``), its own cue (``cues.find_cue``) and the share
of it inside quotation marks decide the kind (``direct`` at half or more). A quoted
sentence with no cue of its own takes the attribution of a sentence sharing its
quotation, then, for the first quotation of a paragraph that continues a quotation (the
paragraph opens with a quote mark and the one before ended inside a quote or with speech),
the previous paragraph's speaker, then another quotation of the same paragraph. A
sentence with a partial quotation and no cue takes the person who is its subject.
"""

from __future__ import annotations

import logging
import re

import index.parsing.attribution.lexicon as lx
from index.models import NARRATION, Attribution, QuoteKind
from index.parsing.attribution.context import Context
from index.parsing.attribution.cues import PARTY_STATE, find_cue
from index.parsing.attribution.phrases import (
    AFTER_PREPOSITION,
    TIME_HEAD,
    Source,
    clean,
    described_role,
    is_title_only,
    leading_subject,
    name_runs,
    parse_np,
    protect,
    restore,
    role_prefix,
)
from index.parsing.attribution.quotes import (
    PLACEHOLDER,
    QuoteSpans,
    find_quotes,
    frame,
    quoted_fraction,
)

log = logging.getLogger(__name__)


class Attributor:
    """Attributes sentences paragraph by paragraph; one instance per article."""

    def __init__(self) -> None:
        self._ctx = Context()

    # ---------------------------------------------------------------- public
    def observe_names(self, text: str) -> None:
        """Learn named people (with titles or appositive roles) from any text."""
        self._ctx.learn_genders(text)
        for match in name_runs(text):
            before = text[: match.start()]
            if AFTER_PREPOSITION.search(before):
                continue  # "near Builth Wells", "at Elmhurst Hospital": places and bodies
            after = text[match.end() :]
            prefix = role_prefix(before)
            parsed = parse_np(f"{prefix} {match.group(0)}".strip())
            if parsed is None or not parsed.is_person or " " not in parsed.speaker:
                continue
            role = described_role(before, after) or parsed.role
            if parsed.role and role != parsed.role and not is_title_only(parsed.role):
                role = parsed.role
            self._ctx.mention(Source(parsed.speaker, role, True, parsed.head))
        subject = leading_subject(text)
        known = self._ctx.names.get(subject.lower()) if subject and " " not in subject else None
        if known is not None:
            # "Keeler, in a jail jumpsuit, stood to address the court.": the person the
            # surname named is who "he" means next
            self._ctx.mention(Source(known[0], known[1], True, subject.lower()))

    def attribute(self, paragraph: str, spans: list[tuple[int, int]]) -> list[Attribution]:
        """Attribute each sentence span of a body paragraph, in order."""
        quotes = find_quotes(paragraph)
        own: list[Attribution | None] = []
        bare: list[bool] = []  # the cue has no content of its own: `"...," Ruiz said.`
        fractions: list[float] = []
        for start, end in spans:
            fraction = quoted_fraction(paragraph, quotes, start, end)
            fractions.append(fraction)
            found, is_bare = self._own_attribution(paragraph, quotes, start, end, fraction)
            own.append(found)
            bare.append(is_bare)
            self.observe_names(_frame(paragraph, quotes, start, end))  # names outside quotes

        result: list[Attribution] = []
        continuation = (
            quotes.opens_with_quote
            and self._ctx.last_speech is not None
            and not _span_has_cue(0, quotes, spans, own)
        )
        signed = self._signature(paragraph, spans)
        for i, (start, end) in enumerate(spans):
            attribution = own[i]
            if signed is not None and i == len(spans) - 1:
                result.append(NARRATION)  # the signature line itself
                continue
            if attribution is None and fractions[i] >= 0.5 and signed is not None:
                attribution = signed
            if attribution is None and fractions[i] >= 0.5:
                attribution = self._shared_quote_owner(i, paragraph, quotes, spans, own)
                if attribution is None and i + 1 < len(spans):
                    if bare[i + 1] or self._cue_opens(paragraph, quotes, spans, i):
                        # `"...all of it?" Ruiz said.` split in two; `"All the way!" Dawson
                        # shouted, shorthand for …`
                        attribution = own[i + 1] and _as_direct(own[i + 1])
                    elif own[i + 1] is None:
                        attribution = self._cue_after_question(paragraph, quotes, spans, i)
                    own[i] = attribution  # the quotations after it are the same speaker's
                if attribution is None and i > 0 and bare[i - 1] and own[i - 1] is not None:
                    attribution = own[i - 1]  # 'Byrd agreed. "Voters are tired."'
                    own[i] = attribution and _as_direct(attribution)
                if attribution is None:
                    attribution = self._frame_speaker(paragraph, quotes, start, end)
                if attribution is None and continuation and _in_first_quote(quotes, start):
                    attribution = self._ctx.last_speech
                if attribution is None:
                    attribution = _nearest_direct(i, own)
                if attribution is not None:
                    attribution = _as_direct(attribution)
            elif attribution is None and fractions[i] > 0:
                attribution = self._partial_quote(paragraph, quotes, start, end)
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
    ) -> tuple[Attribution | None, bool]:
        sentence_frame = _frame(paragraph, quotes, start, end)
        found = find_cue(sentence_frame, self._ctx, quoted=PLACEHOLDER in sentence_frame)
        if found is None:
            put = self._as_put_it(sentence_frame, fraction) or self._speech_noun_colon(
                sentence_frame
            )
            if put is not None:
                return put, False
        if found is None and _title_case(sentence_frame):
            # a headline in Title Case: "Gina Lopez Questioned What It Means To Be ..."
            lowered = _sentence_case(sentence_frame)
            found = find_cue(lowered, self._ctx, quoted=PLACEHOLDER in lowered)
        if found is None:
            return None, False
        source = found.source
        attribution = Attribution(
            speaker=source.speaker if source else None,
            role=source.role if source else None,
            cue=found.cue,
            channel=found.channel,
            kind="direct"
            if fraction >= 0.5
            or _quote_then_cue(sentence_frame, found.cue, source)
            or _cue_then_colon_quote(sentence_frame, found.cue)
            else "reported",
        )
        return attribution, found.bare and fraction == 0 and source is not None

    def _signature(self, paragraph: str, spans: list[tuple[int, int]]) -> Attribution | None:
        """A quotation signed on a line of its own: ``"…tax cuts.\nDean Baker, Center for
        Economic and Policy Research."`` (a name, perhaps its organisation, nothing else)."""
        if len(spans) < 2:
            return None
        start, end = spans[-1]
        if "\n" not in paragraph[spans[-2][1] : start + 1] and not paragraph[
            spans[-2][1] : start
        ].strip().endswith(("—", "―", "–")):
            return None
        line = paragraph[start:end].strip(" \t\n\"“”‘’'—―–-")
        signed = _SIGNATURE.fullmatch(line)
        if signed is None:
            return None
        source = parse_np(signed.group(1))
        if source is None or not source.is_person or " " not in source.speaker:
            return None
        role = (signed.group(2) or "").rstrip(".") or source.role
        person = Source(source.speaker, role, True, source.head)
        return self._credit(person, "—", "direct")

    def _shared_quote_owner(
        self,
        index: int,
        paragraph: str,
        quotes: QuoteSpans,
        spans: list[tuple[int, int]],
        own: list[Attribution | None],
    ) -> Attribution | None:
        """Attribution of the nearest sentence sharing a quoted span with sentence ``index``.

        When that sentence holds an earlier quotation too, the cue between the two is the
        shared one's: in ``When a man yelled, “Taxes,” Ward laughed, “Amen! Come up!”`` the
        second sentence is Ward's, not the man's.
        """
        start, end = spans[index]
        covering = set(quotes.covering(start, end))
        best: tuple[int, int, int] | None = None  # distance, sentence, shared span
        for j, (s, e) in enumerate(spans):
            if j == index or own[j] is None:
                continue
            shared = covering & set(quotes.covering(s, e))
            if shared and (best is None or abs(j - index) < best[0]):
                best = (abs(j - index), j, min(shared))
        if best is None:
            return None
        _, j, shared_span = best
        s, e = spans[j]
        earlier = [k for k in quotes.covering(s, e) if k < shared_span]
        if not earlier:
            return own[j]
        cut = max(quotes.spans[earlier[-1]][1], s)
        tail = _frame(paragraph, quotes, cut, min(e, quotes.spans[shared_span][1]))
        last_clause = _LAST_CLAUSE.split(tail)[-1]
        for part in (last_clause, tail) if last_clause != tail else (tail,):
            found = find_cue(part, self._ctx, quoted=True)
            if found is not None and found.source is not None and found.source.speaker:
                return self._credit(found.source, found.cue, "direct")
        return own[j]

    def _credit(self, source: Source, cue: str, kind: QuoteKind = "narration") -> Attribution:
        """Remember ``source`` as the latest speaker and credit it with ``cue``."""
        self._ctx.remember(source)
        return Attribution(restore(source.speaker), restore(source.role), cue, None, kind)

    def _as_put_it(self, sentence_frame: str, fraction: float) -> Attribution | None:
        """``As Akhil Amar, a law professor, put it, “…”``: the source of what follows."""
        match = _AS_PUT_IT.match(protect(sentence_frame))
        if match is None:
            return None
        first, _, rest = match.group(1).partition(",")
        source = parse_np(first)
        if source is None:
            return None
        role = source.role
        if not role and rest.strip()[:1].islower():
            role = clean(rest).removeprefix("a ").removeprefix("an ").removeprefix("the ")
        resolved = self._ctx.resolve(Source(source.speaker, role, source.is_person, source.head))
        if resolved is None or resolved.speaker.lower() in lx.PRONOUNS_PERSON:
            return None  # "As I put it": nobody to name
        quoted = fraction >= 0.5 or PLACEHOLDER in sentence_frame[match.end() :]
        return self._credit(resolved, "put it", "direct" if quoted else "reported")

    def _speech_noun_colon(self, sentence_frame: str) -> Attribution | None:
        """``Mayor Ivo Brant had a blunt message for the council: “Fix the roads.”``: a
        person, a verb of giving and a noun of speech, a colon, then the quotation."""
        if not sentence_frame.rstrip(" .!?").endswith(PLACEHOLDER):
            return None
        protected = protect(sentence_frame)
        noun = _SPEECH_NOUN_COLON.search(protected)
        if noun is None:
            return None
        subject = leading_subject(protected[: noun.start()] + " said")
        source = parse_np(subject) if subject else None
        if source is None or not source.is_person or not source.speaker[:1].isupper():
            return None
        allowed = {w.strip(",") for w in f"{restore(subject)} {source.role or ''}".split()}
        before = protected[: noun.start()].rstrip(" ,")
        head, _, last = before.rpartition(",")
        if head and PARTY_STATE.fullmatch(last.strip()):
            before = head  # "McConnell, R-Ky.,"
        if not before.split() or before.split()[-1].strip(",") not in allowed:
            return None  # something stands between the subject and the verb
        resolved = self._ctx.resolve(source)
        if resolved is None:
            return None
        return self._credit(resolved, clean(noun.group(1)), "direct")

    def _frame_speaker(
        self, paragraph: str, quotes: QuoteSpans, start: int, end: int
    ) -> Attribution | None:
        """A quotation whose only other words are a speaker and a verb, or a speaker label.

        ```"...," an angry Ruiz retorted.``` (any verb), ``Ana Ruiz: "..."`` and the
        transcript form ``ANA RUIZ: ...`` / ``Ana Ruiz: ...``.
        """
        sentence_frame = protect(_frame(paragraph, quotes, start, end))
        label = (
            _HERE_IS.match(sentence_frame)
            or _LABEL.match(sentence_frame)
            or _LABEL.match(protect(paragraph[start:end]))
        )
        if label:
            source = parse_np(label.group(1))
            if source is not None and source.is_person and source.speaker[:1].isupper():
                return self._credit(self._ctx.resolve(source) or source, ":")
        return self._verb_speaker(sentence_frame)

    def _verb_speaker(self, sentence_frame: str) -> Attribution | None:
        """A frame opening with a quotation, then only a speaker and a verb (any verb)."""
        rest = sentence_frame.replace(PLACEHOLDER, " ").strip(" ,.;:!?—–-")
        words = rest.split()
        if not words or not sentence_frame.lstrip().startswith(PLACEHOLDER):
            return None
        inverted = self._inverted_any_verb(sentence_frame)
        if inverted is not None:
            return inverted
        if len(words) > 7:
            return None
        subject = leading_subject(rest)
        source = parse_np(subject) if subject else None
        if source is None or not (source.is_person or source.speaker[:1].isupper()):
            return None
        verb = _verb_after(rest, subject or "")
        if verb is None:
            return None
        resolved = self._ctx.resolve(source)
        return None if resolved is None else self._credit(resolved, verb)

    def _after_question(
        self, paragraph: str, quotes: QuoteSpans, spans: list[tuple[int, int]], index: int
    ) -> str | None:
        """The frame of the sentence after sentence ``index`` when ``index`` is a quotation
        ending in ``?`` or ``!`` (where the splitter cut it from its cue) and the next
        sentence opens with a capital and holds no quotation; else None."""
        start, end = spans[index]
        if not _ENDS_ASKING.search(paragraph[start:end]):
            return None
        following = _frame(paragraph, quotes, *spans[index + 1])
        if PLACEHOLDER in following or not following.lstrip()[:1].isupper():
            return None
        return following.strip()

    def _cue_opens(
        self, paragraph: str, quotes: QuoteSpans, spans: list[tuple[int, int]], index: int
    ) -> bool:
        """The sentence after a quotation ending in ``?`` or ``!`` opens with its own
        speaker and cue, as if the quotation stood before it: ``Dawson shouted, …``."""
        following = self._after_question(paragraph, quotes, spans, index)
        if following is None:
            return False
        own_cue = find_cue(following, self._ctx, quoted=False)
        if own_cue is None or own_cue.source is None or not own_cue.source.is_person:
            return False
        return _quote_then_cue(f"{PLACEHOLDER} {following}", own_cue.cue, own_cue.source)

    def _cue_after_question(
        self, paragraph: str, quotes: QuoteSpans, spans: list[tuple[int, int]], index: int
    ) -> Attribution | None:
        """``“It happens, right?” Ames went on, ignoring her.``: a quotation ending in ``?``
        or ``!`` was split from the speaker and verb that follow it; read them as one."""
        following = self._after_question(paragraph, quotes, spans, index)
        if following is None:
            return None
        found = self._verb_speaker(f"{PLACEHOLDER} {following}")
        return None if found is None else _as_direct(found)

    def _inverted_any_verb(self, sentence_frame: str) -> Attribution | None:
        """``"This is wonderful!" beamed Tomas Grell of Tulsa, who ...``: a quotation, then
        any past-tense verb, then a person's full name (the verb is the cue)."""
        if not sentence_frame.lstrip().startswith(PLACEHOLDER):
            return None
        rest = sentence_frame.replace(PLACEHOLDER, " ").strip(" ,.;:!?—–-")
        inverted = _INVERTED_ANY_VERB.match(rest)
        if not inverted:
            return None
        source = parse_np(inverted.group(2))
        if source is None or not source.is_person or " " not in source.speaker:
            return None
        return self._credit(self._ctx.resolve(source) or source, inverted.group(1), "direct")

    def _partial_quote(
        self, paragraph: str, quotes: QuoteSpans, start: int, end: int
    ) -> Attribution | None:
        """``Ruiz called the plan "a fantasy"``: a quoted phrase credited to the subject.

        Only when the subject is a named person and the quotation is more than a title or
        a "so-called" label: scare quotes and titles stay narration.
        """
        sentence_frame = protect(_frame(paragraph, quotes, start, end))
        inverted = self._inverted_any_verb(sentence_frame)
        if inverted is not None:
            return inverted
        presented = _HERE_IS.match(sentence_frame)
        source = parse_np(presented.group(1)) if presented else None
        if source is not None and source.is_person and source.speaker[:1].isupper():
            # "Here's Mayor Ana Ruiz: “…”"
            return self._credit(self._ctx.resolve(source) or source, ":", "direct")
        if "so-called" in sentence_frame.lower() or "so called" in sentence_frame.lower():
            return None
        subject = leading_subject(sentence_frame)
        if not subject:
            return None
        source = parse_np(subject)
        if source is None or not source.is_person:
            return None
        resolved = self._ctx.resolve(source)
        if resolved is None or not resolved.speaker[:1].isupper():
            return None
        if any(word.lower() in lx.ORG_WORDS for word in resolved.speaker.split()):
            return None
        verb = _verb_after(sentence_frame, subject)
        if verb is None:
            return None
        return self._credit(resolved, verb, "reported")


# -------------------------------------------------------------------- helpers
#: A party-and-state tag in brackets after a name: "Gov. John Kasich (R-OH)", "(D-Calif.)".
_PARTY_TAG = re.compile(
    r"\s*\((?:R|D|I|Ind|Dem|Rep)\s?[-–.]\s?[A-Z][A-Za-z.]{0,14}\)(,?)(?=\s+([a-z]+))?"
)


#: A verb of giving, a noun of speech, perhaps its audience, a colon and a quotation
#: ending the sentence (see ``Attributor._speech_noun_colon``).
_SPEECH_NOUN_COLON = re.compile(
    r",?\s+((?:had|has|gave|gives|delivered|delivers|offered|offers|sent|sends)\s+"
    r"(?:a|an|the|this|his|her|their|its)\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:message|warning|explanation|answer|response|reply|retort|verdict|assessment|"
    r"prediction|advice|reminder|rebuttal|plea|promise|statement|summary|diagnosis))"
    r"(?:\s+(?:for|to)\s+[^:\x00]{1,40})?\s*:\s*\x00\s*[.!?]?\s*$"
)
#: A signature line: a full name (two to four capitalised words), then perhaps a comma
#: and an organisation or role without a verb.
_SIGNATURE = re.compile(
    r"((?:[A-Z][\w'’.\u2024-]*\s+){1,3}[A-Z][\w'’\u2024-]*[a-z])"
    r"(?:,\s+((?:[A-Z][\w'’.&-]*|of|for|and|the|on|at|in)(?:\s+(?:[A-Z][\w'’.&-]*|of|for|and|the|on|at|in)){0,9}))?\.?"
)
#: A sentence ending in a question or exclamation inside its closing quotation mark.
_ENDS_ASKING = re.compile(r"[?!]\s*(?:''|[\"”’»'])\s*$")
#: Where a clause of its own begins inside a sentence: ", and Ward replied, “…”".
_LAST_CLAUSE = re.compile(r",\s*(?:and|but|while|then|before|as)\s+|;\s*")


def _frame(paragraph: str, quotes: QuoteSpans, start: int, end: int) -> str:
    """The sentence's frame (``quotes.frame``) without party-and-state tags, which are
    neither the speaker nor the role (with the comma after one, when a cue follows:
    "Gov. Ann Lutz (R-OH), said")."""
    sentence_frame = frame(paragraph, quotes, start, end)
    if "(" not in sentence_frame:
        return sentence_frame
    return _PARTY_TAG.sub(_drop_party_tag, sentence_frame)


def _drop_party_tag(match: re.Match[str]) -> str:
    comma, following = match.group(1), match.group(2)
    return "" if following and following in lx.cue_forms() else comma


def _title_case(sentence_frame: str) -> bool:
    """Four or more words outside quotations, nearly all capitalised (a headline)."""
    words = [w for w in sentence_frame.replace(PLACEHOLDER, " ").split() if w[:1].isalpha()]
    if len(words) < 4:
        return False
    capitalised = sum(w[:1].isupper() for w in words)
    return capitalised >= 0.8 * len(words) and not sentence_frame.isupper()


def _sentence_case(sentence_frame: str) -> str:
    """The headline with every word after its opening name lowered, so its verb reads as
    one: "Gina Lopez Questioned What It Means" -> "Gina Lopez questioned what it means"."""
    tokens = sentence_frame.split(" ")
    out: list[str] = []
    in_name = True
    for token in tokens:
        word = token.strip(',.;:!?"“”‘’')
        if in_name and word and (word.lower() in lx.cue_forms() or not word[:1].isupper()):
            in_name = False
        out.append(token if in_name or PLACEHOLDER in token else token.lower())
    return " ".join(out)


#: After a quotation, any past-tense verb then a full name: '"…!" beamed Tomas Grell'.
_INVERTED_ANY_VERB = re.compile(
    r"([a-z]{3,}ed)\s+((?:[A-Z][\w'’.\u2024-]*\s+){1,3}[A-Z][\w'’\u2024-]*[a-z])(?=$|[\s,.;:])"
)
#: "As Akhil Amar, a law professor, put it, ...", "As Ruiz has put it:".
_AS_PUT_IT = re.compile(
    r"^\s*As\s+([^\x00\s][^\x00]{1,150}?)\s+(?:[a-z]+ly\s+)?"
    r"(?:put|puts|has put|had put|once put)\s+it\b"
    r"(?:\s+[a-z]+ly)?\s*[,:]"
)
#: "Here's Lund in December 1992: “…”": a name presented, then the quotation.
_HERE_IS = re.compile(
    r"^\s*Here(?:'s|’s|\s+is)\s+((?:[A-Z][\w'’.\u2024-]*\s+){0,3}[A-Z][\w'’\u2024-]*[A-Za-z])"
    r"(?:\s*,?\s+(?:in|on|at|last|this|speaking|writing)\b[^:\x00]{0,50})?\s*:\s*\x00"
)
#: A speaker label opening a sentence: "Ana Ruiz: ...", "ANA RUIZ: ...", "Sen. Ruiz: ...".
_LABEL = re.compile(
    r"^[\W\x00]*((?:[A-Z][\w'’.\u2024-]*\s+){0,3}[A-Z][\w'’\u2024-]*[A-Za-z]"
    r"(?:\s+and\s+(?:[A-Z][\w'’.\u2024-]*\s+){0,2}[A-Z][\w'’\u2024-]*[A-Za-z])?)\s*:\s*\S"
)


def _cue_then_colon_quote(sentence_frame: str, cue: str) -> bool:
    """``Shah, 54, told the Harwick Echo: "…"``: the cue, a short object, a colon and a
    quotation ending the sentence: the quotation is what was said."""
    at = sentence_frame.find(f" {cue.split()[0]}")
    return at >= 0 and _COLON_QUOTE.match(sentence_frame[at + len(cue) + 1 :]) is not None


_COLON_QUOTE = re.compile(r"[^\x00:]{0,60}[:,]\s*\x00\s*[.!?]?\s*$")


_NP_GLUE = frozenset({"the", "a", "an", "its", "their", "his", "her", "of", "for", "and"})


def _quote_then_cue(sentence_frame: str, cue: str, source: Source | None = None) -> bool:
    """``"…," said Ana Ruiz, who runs a bakery.``: the sentence opens with the quotation and
    the cue follows it at once (or after its source alone: ``"…," the mayor, Ana Ruiz,
    told reporters``), so the quotation is all that is said, however long the speaker's
    description."""
    head = sentence_frame.lstrip(" \"“”‘’'")
    if not head.startswith(PLACEHOLDER):
        return False
    first = cue.split()[0]
    words = [w.strip(".;:!?") for w in head[1:].replace(",", " ").split()]
    if first not in words[:12] or " that " in sentence_frame[: sentence_frame.find(first)]:
        return False
    before = words[: words.index(first)]
    if len(before) <= 3:
        return True
    if source is None or not source.speaker:
        return False
    between = head[1 : head.find(f" {first}") + 1]
    between = _RELATIVE_ASIDE.sub(",", between)  # ", who was among those polled,"
    said_by = f"{source.speaker} {source.role or ''}".replace(",", " ")
    allowed = {w.strip("\"“”‘’'.").casefold() for w in said_by.split()}
    return all(
        w.casefold() in allowed | _NP_GLUE or w.isdigit()
        for w in (w.strip("\"“”‘’'.") for w in between.replace(",", " ").split())
        if w
    )


_RELATIVE_ASIDE = re.compile(r",\s*(?:who|whose|which)\b[^,\x00]*,")


#: An appositive or relative clause between a subject and its verb: "Ruiz, a nurse, said".
_APPOSITIVE_AFTER = re.compile(r"^,\s+(?:[^,;:\x00]{1,120}?,\s+){1,2}?(?=[a-z]+\b(?![,;:]))")


#: Speaking on after a quotation: "“…?” Ames went on".
_GOES_ON = frozenset({"went on", "goes on", "carried on", "carries on"})


def _verb_after(sentence_frame: str, subject: str) -> str | None:
    """The verb right after the subject (adverbs skipped), if the next word is one."""
    at = sentence_frame.find(subject)
    if at < 0:
        return None
    tail = _APPOSITIVE_AFTER.sub("", sentence_frame[at + len(subject) :], count=1)
    for _ in range(3):  # "Lund during a rally on Sunday thanked ...": the time is skipped
        time = TIME_HEAD.match(tail)
        if time is None:
            break
        tail = tail[time.end() :]
    rest = tail.split()
    if (
        len(rest) >= 2
        and f"{rest[0]} {rest[1].strip(',;:.')}" in _GOES_ON
        and (len(rest) == 2 or rest[2] != "to")
    ):
        return f"{rest[0]} on"  # "“…?” Ames went on, ignoring her."
    for word in rest[:4]:
        word = word.strip(",;:")
        if not word or not word.isalpha() or not word.islower():
            return None
        if word in lx.VERB_NOISE or word.endswith("ly"):
            continue
        if word.endswith(("ed", "s")) or word in lx.cue_forms():
            return word
        return None
    return None


def _span_has_cue(
    span_index: int, quotes: QuoteSpans, spans: list[tuple[int, int]], own: list[Attribution | None]
) -> bool:
    if not quotes.spans:
        return False
    a, b = quotes.spans[span_index]
    return any(own[i] is not None and s < b and e > a for i, (s, e) in enumerate(spans))


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
