"""What the attributor remembers while it walks one article, and back-reference resolution.

Pronouns (``he``, ``they``), definite descriptions (``the senator``, ``the officials``)
and bare surnames resolve to the most recent fitting source met earlier in the article,
in this paragraph or any before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import index.parsing.attribution.lexicon as lx
from index.models import Attribution
from index.parsing.attribution.phrases import Source, is_title_only, role_heads


@dataclass(slots=True)
class Context:
    """Sources and names met so far in one article."""

    sources: list[Source] = field(default_factory=list)  # speakers met, in order
    mentions: list[Source] = field(default_factory=list)  # speakers and named people
    names: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # surname -> full
    last_speech: Attribution | None = None  # last paragraph's last attributed speech
    documents: dict[str, Source] = field(default_factory=dict)  # "report" -> its author
    genders: dict[str, str] = field(default_factory=dict)  # surname -> "m" / "f", when written

    def learn_genders(self, text: str) -> None:
        """ "Ms Shah", "Mr. Obama", "spokeswoman Ana Ruiz": who ``he`` and ``she`` can be."""
        for match in _GENDERED_NAME.finditer(text):
            word = match.group(1).lower().rstrip(".")
            surname = match.group(2).split()[-1].lower()
            gender = _FEMININE.get(word) or _MASCULINE.get(word) or "?"
            if self.genders.setdefault(surname, gender) != gender:
                self.genders[surname] = "?"  # two people of one surname: unknown

    def fits(self, person: Source, pronoun: str) -> bool:
        """The person may be ``he`` / ``she`` (no honorific or role says otherwise)."""
        wanted = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}.get(pronoun)
        known = self.genders.get(person.speaker.split()[-1].lower()) if person.speaker else None
        if known is None and person.role:
            words = [w.lower().strip(",.") for w in person.role.split()]  # in order: the
            # first gendered word describes the person ("spokesman for Mrs. Clinton")
            known = next(
                (
                    _FEMININE.get(w) or _MASCULINE[w]
                    for w in words
                    if w in _FEMININE or w in _MASCULINE
                ),
                None,
            )
        return wanted is None or known in (None, "?", wanted)

    def document(self, noun: str, author: Source) -> None:
        """``a report by the Harbor Authority``: "the report" later means its author."""
        self.documents[noun.lower()] = author

    def remember(self, source: Source) -> None:
        self.sources.append(source)
        self.mention(source)

    def mention(self, source: Source) -> None:
        self.mentions.append(source)
        if source.is_person and " " in source.speaker:
            key = source.speaker.split()[-1].lower()
            known = self.names.get(key)
            if known is None or known[0] != source.speaker or source.role:
                self.names[key] = (source.speaker, source.role or (known[1] if known else None))

    def last_person(self, pronoun: str | None = None) -> Source | None:
        """The person met last (that ``pronoun`` can refer to, when given)."""
        return next(
            (
                s
                for s in reversed(self.mentions)
                if s.is_person and (pronoun is None or self.fits(s, pronoun))
            ),
            None,
        )

    def resolve(self, source: Source) -> Source | None:
        """Resolve pronouns, definite descriptions and surnames to earlier sources."""
        if source.speaker in lx.PRONOUNS_PERSON:
            if source.speaker in {"i", "we", "you"}:
                return None  # the quoted speaker's own voice: the cue names no one new
            return self.last_person(source.speaker)
        if source.speaker in lx.PRONOUNS_GROUP:
            return self.sources[-1] if self.sources else None
        if source.head.startswith("the:"):
            head = source.head[4:]
            if head in self.documents and len(source.speaker.split()) <= 3:
                return self.documents[head]  # "the report", "the new report"
            for earlier in reversed(self.mentions):
                heads = role_heads(earlier.role) if earlier.role else set()
                if head == earlier.head or head in heads:
                    return earlier
            if head in lx.PERSON_NOUNS or lx.TITLE_ALIASES.get(head) or _is_age(head):
                person = self.last_person()
                if person is not None:
                    return person
            return Source(source.speaker, None, source.is_person, head)
        if source.is_person:
            words = source.speaker.split()
            full = self.names.get(words[-1].lower())
            if full and (len(words) == 1 or full[0] == source.speaker):
                role = source.role if source.role and not is_title_only(source.role) else None
                return Source(full[0], role or full[1] or source.role, True, source.head)
        return source


_FEMININE = dict.fromkeys(
    "mrs ms miss dame lady madam spokeswoman chairwoman congresswoman businesswoman "
    "councilwoman actress mother wife daughter sister grandmother aunt queen princess "
    "duchess countess baroness widow girlfriend".split(),
    "f",
)
_MASCULINE = dict.fromkeys(
    "mr sir lord spokesman congressman businessman councilman actor father husband son "
    "brother grandfather uncle king prince baron widower boyfriend".split(),
    "m",
)
_GENDERED_NAME = re.compile(
    r"\b((?i:" + "|".join(sorted({*_FEMININE, *_MASCULINE}, key=len, reverse=True)) + r"))\b\.?,?"
    r"\s+((?:[A-Z][\w'’-]+\s+){0,2}[A-Z][\w'’-]+)"
)


def _is_age(head: str) -> bool:
    return head.endswith("-year-old") and head[:1].isdigit()
