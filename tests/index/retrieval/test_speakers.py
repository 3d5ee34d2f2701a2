"""Who said what: speaker grouping and normalisation, quotes by source, type-ahead matching."""

from __future__ import annotations

import pytest
from support import FakeEncoder

from index.errors import UnknownArticle
from index.models import Article, Attribution, Paragraph, Sentence
from index.retrieval.catalog import fold, rank_matches
from index.retrieval.speakers import SpeakerTable, speaker_key
from index.search import store


def make_article(
    article_id: str, lines: list[tuple[str, str | None, str | None]], title: str | None = None
) -> Article:
    """An article of one-sentence paragraphs with the given (text, speaker, role)."""
    title = title or f"Title of {article_id}"
    text = title
    paragraphs = [Paragraph(1, 0, len(title), title, "title")]
    for number, (line, speaker, role) in enumerate(lines, start=2):
        text += "\n\n"
        start = len(text)
        text += line
        kind = "narration" if speaker is None else "direct"
        attribution = Attribution(speaker=speaker, role=role, cue="said", kind=kind)
        sentence = Sentence(number, start, len(text), line, attribution)
        paragraphs.append(Paragraph(number, start, len(text), line, "body", (sentence,)))
    return Article(article_id, title, text, "0" * 64, tuple(paragraphs))


def table(*articles: Article) -> SpeakerTable:
    return SpeakerTable(store.build(list(articles), FakeEncoder(dimension=32)))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("UK government", "the UK government"),
        ("Dmitry Peskov", "dmitry  peskov"),
        ("José Álvarez", "Jose Alvarez"),
        ("Pellham County Sheriff's Office", "Pellham County Sheriff’s Office"),
        ("Jane Smith", "Dr. Jane Smith"),
        ("Jane Smith", "Mr Jane Smith."),
    ],
)
def test_spelling_variants_share_a_key(a, b):
    """Case, spacing, accents, apostrophes, a leading 'the' or honorific do not split a source."""
    assert speaker_key(a) == speaker_key(b)


@pytest.mark.parametrize(("a", "b"), [("Dana Okafor", "Linda Okafor"), ("the", "them")])
def test_different_names_keep_different_keys(a, b):
    """Different names stay different."""
    assert speaker_key(a) != speaker_key(b)


def test_role_prefix_and_surname_join_the_full_name():
    """'Kremlin spokesman Dmitry Peskov' and a bare 'Peskov' count as Dmitry Peskov."""
    speakers = table(
        make_article(
            "a.txt",
            [
                ("One.", "Dmitry Peskov", "Kremlin spokesman"),
                ("Two.", "Kremlin spokesman Dmitry Peskov", None),
                ("Three.", "Peskov", None),
                ("Four.", None, None),
            ],
        )
    )
    (summary,) = speakers.speakers()
    assert summary.name == "Dmitry Peskov"
    assert summary.sentences == 3
    assert summary.roles == ("Kremlin spokesman",)
    quotes = speakers.quotes("Dmitry Peskov")
    assert [q.text for q in quotes] == ["One.", "Two.", "Three."]
    assert {q.attribution.speaker for q in quotes} == {"Dmitry Peskov"}


def test_prefix_with_preposition_is_not_a_role():
    """'spokesperson for Harbinger Robotics' is its own source, not the company."""
    speakers = table(
        make_article(
            "a.txt",
            [
                ("One.", "Harbinger Robotics", None),
                ("Two.", "spokesperson for Harbinger Robotics", None),
            ],
        )
    )
    assert {s.name for s in speakers.speakers()} == {
        "Harbinger Robotics",
        "spokesperson for Harbinger Robotics",
    }


def test_bare_surname_is_not_merged_across_articles():
    """'Okafor' in one story is not assumed to be the Dana Okafor of another."""
    speakers = table(
        make_article("a.txt", [("One.", "Dana Okafor", "Fire Chief")]),
        make_article("b.txt", [("Two.", "Okafor", None)]),
    )
    assert sorted(s.name for s in speakers.speakers()) == ["Dana Okafor", "Okafor"]


def test_ambiguous_surname_stays_bare():
    """With two full names ending in the same surname, a bare surname is not guessed."""
    speakers = table(
        make_article(
            "a.txt",
            [
                ("One.", "Dana Okafor", None),
                ("Two.", "Linda Okafor", None),
                ("Three.", "Okafor", None),
            ],
        )
    )
    assert sorted(s.name for s in speakers.speakers()) == ["Dana Okafor", "Linda Okafor", "Okafor"]


def test_same_name_in_two_articles_is_one_entry_listing_both():
    """A source quoted in two articles is one entry with both articles and both roles."""
    speakers = table(
        make_article("a.txt", [("One.", "Marcus Bell", "meteorologist"), ("Two.", None, None)]),
        make_article("b.txt", [("Three.", "marcus bell", "shop owner")]),
    )
    (summary,) = speakers.speakers()
    assert summary.articles == (("a.txt", "Title of a.txt"), ("b.txt", "Title of b.txt"))
    assert summary.roles == ("meteorologist", "shop owner")
    assert summary.name == "Marcus Bell"
    assert [q.article_id for q in speakers.quotes("MARCUS BELL")] == ["a.txt", "b.txt"]
    assert [q.text for q in speakers.quotes("Marcus Bell", article=1)] == ["Three."]


def test_speakers_sorted_by_sentences_then_name_and_narration_excluded():
    """Most-quoted first, ties by name; sentences with no speaker are not a source."""
    speakers = table(
        make_article(
            "a.txt",
            [
                ("One.", "Zoe Adams", None),
                ("Two.", "Zoe Adams", None),
                ("Three.", "Bob Young", None),
                ("Four.", "Al Brown", None),
                ("Five.", None, None),
            ],
        )
    )
    rows = [(s.name, s.sentences) for s in speakers.speakers()]
    assert rows == [("Zoe Adams", 2), ("Al Brown", 1), ("Bob Young", 1)]


def test_roles_most_frequent_first():
    """Roles are distinct (case aside) and ordered by how often they appear."""
    speakers = table(
        make_article(
            "a.txt",
            [
                ("One.", "Jane Smith", "mayor"),
                ("Two.", "Jane Smith", "Council leader"),
                ("Three.", "Jane Smith", "council leader"),
            ],
        )
    )
    assert speakers.speakers()[0].roles == ("Council leader", "mayor")


def test_quotes_unknown_speaker_is_empty():
    """An unknown source has no quotes (not an error)."""
    assert table(make_article("a.txt", [("One.", "Jane Smith", None)])).quotes("Nobody") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Peter Kyle", "Sergey Lavrov", "Dmitry Peskov", "José Álvarez"]),
        ("pe", ["Peter Kyle", "Dmitry Peskov"]),  # a prefix of any word
        ("PES", ["Dmitry Peskov"]),
        ("ov", ["Sergey Lavrov", "Dmitry Peskov"]),  # then substrings
        ("alv", ["José Álvarez"]),  # accent-insensitive
        ("dmitry pe", ["Dmitry Peskov"]),
        ("zzz", []),
    ],
)
def test_match_as_the_user_types(query, expected):
    """Word prefixes first, then substrings, case- and accent-insensitive."""
    speakers = table(
        make_article(
            "a.txt",
            [
                ("One.", "Peter Kyle", None),
                ("Two.", "Peter Kyle", None),
                ("Two more.", "Peter Kyle", None),
                ("Three.", "Sergey Lavrov", None),
                ("Three more.", "Sergey Lavrov", None),
                ("Four.", "Dmitry Peskov", None),
                ("Five.", "José Álvarez", None),
            ],
        )
    )
    assert [s.name for s in speakers.match(query)] == expected


def test_word_prefix_ranks_before_substring():
    """'ov' as a word start ('Ovid') ranks before 'ov' inside a word."""
    found = rank_matches(["Sergey Lavrov", "Ovid Jones"], "ov", lambda s: (s,), 25)
    assert found == ["Ovid Jones", "Sergey Lavrov"]


def test_match_limit():
    """No more than ``limit`` matches come back."""
    names = [f"Person {i}" for i in range(40)]
    assert len(rank_matches(names, "person", lambda s: (s,), 25)) == 25
    assert rank_matches(names, "person", lambda s: (s,), 0) == []


def test_fold():
    """Folding drops case, accents, curly apostrophes and extra spaces."""
    assert fold("  Élodie  O’Brien ") == "elodie o'brien"


# ------------------------------------------------------------------ through the engine


def test_bundled_article_speakers(fake_engine):
    """The bundled article's sources come out with their roles and sentence counts."""
    speakers = {s.name: s for s in fake_engine.speakers()}
    assert speakers["Peter Kyle"].roles == ("Science Secretary",)
    assert speakers["Peter Kyle"].sentences == 3
    assert speakers["Dmitry Peskov"].roles == ("Kremlin spokesman",)
    article = ("us-embassy-kyiv-closes.txt", fake_engine.info().articles[0][1])
    assert all(s.articles == (article,) for s in speakers.values())
    attributed = sum(
        1
        for ref in fake_engine.search_index.sentence_refs
        if fake_engine.search_index.sentence(ref).attribution.speaker
    )
    assert sum(s.sentences for s in speakers.values()) == attributed


def test_bundled_quotes_are_verbatim_and_in_order(fake_engine):
    """quotes_by returns the source's sentences, verbatim, in paragraph order, score 1."""
    quotes = fake_engine.quotes_by("peter kyle")
    article = fake_engine.search_index.articles[0]
    assert len(quotes) == 3
    assert [q.paragraph for q in quotes] == sorted(q.paragraph for q in quotes)
    for quote in quotes:
        assert article.text[quote.start : quote.end] == quote.text
        assert quote.score == 1.0
        assert quote.attribution.speaker == "Peter Kyle"


def test_engine_speaker_filters_by_article(fake_engine):
    """speakers(article=...) accepts the id or the title; an unknown one is refused."""
    title = fake_engine.info().articles[0][1]
    assert fake_engine.speakers("us-embassy-kyiv-closes.txt") == fake_engine.speakers()
    assert fake_engine.speakers(title.upper()) == fake_engine.speakers()
    with pytest.raises(UnknownArticle, match=r"No article called 'nope\.txt'\.$"):
        fake_engine.speakers("nope.txt")
    with pytest.raises(UnknownArticle):
        fake_engine.quotes_by("Peter Kyle", article="nope.txt")
