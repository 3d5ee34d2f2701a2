"""Who said what: every source the indexed articles quote or cite, and their sentences.

The attributor (``index/parsing/attribution/``) already resolves pronouns, definite
descriptions ("the spokesman") and bare surnames within an article to the full name it
met first, and splits roles from names ("Kremlin spokesman Dmitry Peskov" becomes
speaker "Dmitry Peskov", role "Kremlin spokesman"). What it can leave, and this module
normalises, in one place (``SpeakerTable``):

- spelling variants of one source: case, curly or straight apostrophes, accents, extra
  spaces, a leading "the" or an honorific ("the UK government" = "UK government");
- a role left in front of a name that appears bare elsewhere ("Kremlin spokesman Dmitry
  Peskov" → "Dmitry Peskov", the prefix kept as a role) — only when the prefix holds a
  role word and no preposition, so "spokesperson for Harbinger Robotics" stays itself;
- a bare surname ("Starmer") in an article that names exactly one person with that
  surname in full ("Keir Starmer"). Never across articles: "Okafor" in one story and
  "Dana Okafor" in another may be different people.

Sources with the same canonical name in several articles form one entry that lists each
article (two different "Marcus Bell"s would share it; their roles tell them apart).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from index.models import Attribution, Quote, SpeakerSummary
from index.parsing.attribution import lexicon as lx
from index.retrieval.catalog import ArticleTable, fold, rank_matches
from index.search.store import SearchIndex

log = logging.getLogger(__name__)

_LEADING_NOISE = lx.DETERMINERS | lx.HONORIFICS | {"dr"}
_LINKING = lx.PREPOSITIONS | frozenset({"and", "or", "who", "whose"})
_EDGE = " \t.,;:'\"()[]-"


def speaker_key(name: str) -> str:
    """The form two spellings of one source share: folded, no leading "the"/honorific."""
    words = fold(name).strip(_EDGE).split()
    while len(words) > 1 and words[0].rstrip(".") in _LEADING_NOISE:
        words = words[1:]
    return " ".join(words).strip(_EDGE)


def _looks_like_full_name(display: str) -> bool:
    """Two or more capitalised words (particles allowed), none of them a role word."""
    words = display.split()
    if len(words) < 2:
        return False
    for word in words:
        bare = word.strip(_EDGE).casefold()
        if bare in lx.ROLE_WORDS or bare in _LINKING:
            return False
        if not (word[:1].isupper() or bare in lx.PARTICLES):
            return False
    return True


def _role_prefix(words: list[str]) -> bool:
    """Words in front of a name that form a role: "Kremlin spokesman", "Science Secretary"."""
    folded = [w.strip(_EDGE).casefold() for w in words]
    return any(w in lx.ROLE_WORDS for w in folded) and not any(w in _LINKING for w in folded)


@dataclass(frozen=True, slots=True)
class _Member:
    row: int  # sentence row in the index
    article: int
    key: str  # speaker_key of the raw speaker
    display: str  # the raw speaker, as the attributor wrote it
    role: str | None


class SpeakerTable:
    """Speakers of one (immutable) ``SearchIndex``: built once, then only read."""

    def __init__(self, index: SearchIndex, articles: ArticleTable | None = None) -> None:
        self.index = index
        self.articles = articles or ArticleTable(index)
        members = self._members(index)
        canonical, prefix_roles = self._canonicalise(members)
        self._groups: dict[str, list[_Member]] = defaultdict(list)
        for member in members:
            self._groups[canonical[(member.article, member.key)]].append(member)
        self._names = {key: self._display(key, group) for key, group in self._groups.items()}
        self._roles = {
            m.row: m.role or prefix_roles.get((m.article, m.key)) for m in members
        }  # the role each sentence shows: its own, or the one its speaker's prefix gave
        # what a user may type for a speaker: the canonical name, or an unambiguous variant
        variants: dict[str, set[str]] = defaultdict(set)
        for (_, key), target in canonical.items():
            variants[key].add(target)
        self._lookup = {key: next(iter(t)) for key, t in variants.items() if len(t) == 1}
        self._lookup.update({key: key for key in self._groups})
        self.summaries = self._summarise(self._groups)

    # ---------------------------------------------------------------- building
    @staticmethod
    def _members(index: SearchIndex) -> list[_Member]:
        members = []
        for row, ref in enumerate(index.sentence_refs):
            attribution = index.sentence(ref).attribution
            speaker = " ".join((attribution.speaker or "").split())
            key = speaker_key(speaker)
            if key:
                role = " ".join((attribution.role or "").split()) or None
                members.append(_Member(row, ref.article, key, speaker, role))
        return members

    @staticmethod
    def _canonicalise(
        members: list[_Member],
    ) -> tuple[dict[tuple[int, str], str], dict[tuple[int, str], str]]:
        """Map each (article, key) to its group's key; and roles found in name prefixes."""
        displays: dict[tuple[int, str], str] = {}
        for m in members:
            displays.setdefault((m.article, m.key), m.display)
        full_names = {key for (_, key), shown in displays.items() if _looks_like_full_name(shown)}
        by_article: dict[int, set[str]] = defaultdict(set)
        for article, key in displays:
            by_article[article].add(key)
        canonical: dict[tuple[int, str], str] = {}
        prefix_roles: dict[tuple[int, str], str] = {}
        for (article, key), shown in displays.items():
            canonical[(article, key)] = key
            words = key.split()
            if key in full_names:
                continue
            if len(words) == 1:  # a bare surname: the one full name in this article ending so
                fits = [n for n in by_article[article] & full_names if n.endswith(" " + key)]
                if len(fits) == 1:
                    canonical[(article, key)] = fits[0]
                continue
            # a role in front of a full name known anywhere: keep the longest such name
            for cut in range(1, len(words) - 1):
                name = " ".join(words[cut:])
                if name in full_names and _role_prefix(shown.split()[:cut]):
                    canonical[(article, key)] = name
                    prefix_roles[(article, key)] = " ".join(shown.split()[:cut])
                    break
        return canonical, prefix_roles

    @staticmethod
    def _display(key: str, group: list[_Member]) -> str:
        """How a group is named: its most frequent spelling among the canonical members."""
        own = [m.display for m in group if m.key == key] or [m.display for m in group]
        counts = Counter(own)
        return max(own, key=lambda shown: (counts[shown], -own.index(shown)))

    def _summary(self, key: str, members: list[_Member]) -> SpeakerSummary:
        roles: dict[str, tuple[int, int, str]] = {}  # folded -> (count, -first, shown)
        for i, m in enumerate(members):
            role = self._roles[m.row]
            if role:
                count, first, shown = roles.get(fold(role), (0, -i, role))
                roles[fold(role)] = (count + 1, first, shown)
        ranked = sorted(roles.values(), key=lambda item: (-item[0], -item[1]))
        article_ids = sorted({m.article for m in members})
        return SpeakerSummary(
            name=self._names[key],
            roles=tuple(shown for _, _, shown in ranked),
            articles=tuple(
                (self.index.articles[a].id, self.index.articles[a].title) for a in article_ids
            ),
            sentences=len(members),
        )

    def _summarise(self, groups: dict[str, list[_Member]]) -> list[SpeakerSummary]:
        found = [self._summary(key, members) for key, members in groups.items() if members]
        return sorted(found, key=lambda s: (-s.sentences, fold(s.name), s.name))

    # ---------------------------------------------------------------- queries
    def speakers(self, article: int | None = None) -> list[SpeakerSummary]:
        """Every source (of one article, or of all), most sentences first, then by name."""
        if article is None:
            return list(self.summaries)
        return self._summarise(
            {
                key: [m for m in members if m.article == article]
                for key, members in self._groups.items()
            }
        )

    def match(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]:
        """Speakers whose name matches ``prefix`` as the user types it."""
        return rank_matches(self.summaries, prefix, lambda s: (s.name,), limit)

    def groups(self) -> list[tuple[SpeakerSummary, list[int]]]:
        """Every source with the index rows of its sentences (in index order)."""
        return [
            (self._summary(key, members), sorted(m.row for m in members))
            for key, members in self._groups.items()
            if members
        ]

    def group_of(self, speaker: str) -> str | None:
        """The group key of a speaker name as typed (canonical or unambiguous variant)."""
        return self._lookup.get(speaker_key(speaker or ""))

    def quotes(self, speaker: str, article: int | None = None) -> list[Quote]:
        """Every indexed sentence of ``speaker``, in article, paragraph, sentence order."""
        key = self.group_of(speaker)
        if key is None:
            return []
        index = self.index
        members = [m for m in self._groups[key] if article is None or m.article == article]
        members.sort(key=lambda m: _order(index, m.row))
        name = self._names[key]
        quotes = []
        for m in members:
            ref = index.sentence_refs[m.row]
            sentence = index.sentence(ref)
            source = index.articles[ref.article]
            attribution: Attribution = replace(
                sentence.attribution, speaker=name, role=self._roles[m.row]
            )
            quotes.append(
                Quote(
                    text=sentence.text,
                    attribution=attribution,
                    article_id=source.id,
                    article_title=source.title,
                    paragraph=ref.paragraph,
                    score=1.0,
                    start=sentence.start,
                    end=sentence.end,
                )
            )
        return quotes


def _order(index: SearchIndex, row: int) -> tuple[int, int, int]:
    ref = index.sentence_refs[row]
    return (ref.article, ref.paragraph, ref.index)
