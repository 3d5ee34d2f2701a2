"""index/retrieval/sources.py: "X" in "what did X say", resolved against an article's own structure.

The article is invented for the test; the fake encoder builds the index (no model)."""

from __future__ import annotations

import pytest
from support import FakeEncoder

from index.engine import Engine, EngineConfig
from index.retrieval.sources import Source, SourceTable, _other_office, close, phrase_head

ARTICLE = """Harbour pier closes after storm damage

The Kelmouth harbour pier closed on Friday after storm damage, the port authority said.

Harbour master Ilse Brandt said: "Nobody walks on it until every beam is checked."

The fishing cooperative, led by Tomas Reyes, owns twelve of the boats.

The beams were checked on Saturday by surveyor Kai Lindqvist.

Mayor Lena Voss visits the damaged pier on Friday. Credit: AP

"Our boats are stuck in the inner basin," said Ana Okoro, a head teacher at the harbour school.
"""


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> SourceTable:
    root = tmp_path_factory.mktemp("sources")
    (root / "articles").mkdir()
    (root / "articles" / "pier.txt").write_text(ARTICLE, encoding="utf-8")
    engine = Engine(
        EngineConfig(articles_dir=root / "articles", index_dir=root / "index"),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    engine.start()
    speakers = {s.name for s in engine.speakers()}
    assert {"Ilse Brandt", "Ana Okoro", "port authority"} <= speakers  # the attributor's part
    return SourceTable(engine.search_index)


@pytest.mark.parametrize(
    ("phrase", "names"),
    [
        ("the harbour master", {"Ilse Brandt"}),
        ("Brandt", {"Ilse Brandt"}),
        ("brant", {"Ilse Brandt"}),  # one typo in a long-enough name
        ("ilse brandt", {"Ilse Brandt"}),
        ("the headteacher", {"Ana Okoro"}),  # a compound written as two words
        ("the port authority", {"port authority"}),
    ],
)
def test_quoted_sources(table: SourceTable, phrase: str, names: set[str]) -> None:
    match = table.resolve(phrase)
    assert match.status == "quoted"
    assert set(match.names) == names
    assert match.rows
    assert not match.caps_confidence
    assert match.note is None


def test_a_name_only_in_a_caption(table: SourceTable) -> None:
    match = table.resolve("lena voss")
    assert (match.status, match.where) == ("mentioned", "caption")
    assert match.caps_confidence
    assert match.note == (
        "The article mentions Mayor Lena Voss only in a photo caption; "
        "it quotes nothing from Lena Voss."
    )


def test_a_name_in_the_text_never_quoted(table: SourceTable) -> None:
    match = table.resolve("reyes")
    assert (match.status, match.where, match.named) == ("mentioned", "text", True)
    assert match.caps_confidence
    assert match.note == "The article mentions Tomas Reyes but quotes nothing from Reyes."


def test_a_role_written_before_a_name_never_quoted(table: SourceTable) -> None:
    """ "surveyor Kai Lindqvist": the role in lower case names that person, who says nothing."""
    match = table.resolve("the surveyor")
    assert (match.status, match.named, match.caps_confidence) == ("mentioned", True, True)
    assert match.note == (
        "The article mentions surveyor Kai Lindqvist but quotes nothing from Kai Lindqvist."
    )


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("who is the harbour's cfo", ["cfo"]),
        ("who are the councillors for kelmouth", ["councillors"]),
        ("who is the mayor", []),  # only in a caption, but in the article
        ("who is the harbour's boss", []),  # not an office a question alone can check
        ("who runs the general store", []),  # "general" is no office here
        ("what did the sheriff say", []),  # the source phrase is resolved on its own
    ],
)
def test_offices_the_article_never_names(table: SourceTable, question: str, absent: list) -> None:
    skip = "sheriff" if "sheriff" in question else ""
    assert table.absent_offices(question, skip=skip) == absent


def test_a_name_the_article_never_has(table: SourceTable) -> None:
    match = table.resolve("macron")
    assert match.status == "absent"
    assert match.caps_confidence
    assert match.note == "The article never mentions ‘macron’."


@pytest.mark.parametrize("phrase", ["the boat owners", "the pier"])
def test_descriptions_worded_otherwise_rank_as_plain_questions(
    table: SourceTable, phrase: str
) -> None:
    """Known words that fit no source and no name: nothing is capped or claimed."""
    match = table.resolve(phrase)
    assert match.status == "unknown"
    assert not match.caps_confidence
    assert match.note is None


@pytest.mark.parametrize("phrase", ["ilse brandt's husband", "the harbour master's daughter"])
def test_a_relative_of_a_quoted_source_is_not_that_source(table: SourceTable, phrase: str) -> None:
    """Most of the words name Ilse Brandt, but the phrase means someone else: her husband
    is not quoted, so her words must not be given as his."""
    match = table.resolve(phrase)
    assert "Ilse Brandt" not in match.names
    assert (match.status, match.caps_confidence) == ("unquoted", True)
    assert match.note == f"The article quotes no one as ‘{phrase}’."


@pytest.mark.parametrize(
    "phrase", ["kelmouth's governor", "the kelmouth fire commissioner", "the pier union"]
)
def test_an_office_the_article_never_names_is_not_quoted(table: SourceTable, phrase: str) -> None:
    """The place is in the article, the office nowhere (no governor, no sheriff): nobody
    quoted there is the one asked about, so the grade is capped, not left open."""
    match = table.resolve(phrase)
    assert (match.status, match.caps_confidence) == ("unquoted", True)
    assert match.note == f"The article quotes no one as ‘{phrase}’."


@pytest.mark.parametrize(
    ("phrase", "names"),
    [
        ("dover's harbour master", ()),  # Dover's: not the Kelmouth harbour master
        ("calais's teacher", ()),
        ("okoro's head teacher", ("Ana Okoro",)),  # the owner is who the source is
        ("the school's head teacher", ("Ana Okoro",)),  # an owner the article writes lower case
    ],
)
def test_an_owner_no_near_source_holds(table: SourceTable, phrase: str, names: tuple) -> None:
    """A source sharing the office but not its owner is someone else's ("celtic's manager"
    is not the other club's), when the article never writes the owner or writes it as a name."""
    match = table.resolve(phrase)
    assert match.names == names
    assert match.caps_confidence == (not names)


@pytest.mark.parametrize(
    ("phrase", "head"),
    [
        ("keeler's mom", "mom"),
        ("the port callan chairman", "chairman"),
        ("pensioner from scarthwaite", "pensioner"),
        ("two committee members who voted against", None),  # "members": not a role word
        ("the president of the republic", "president"),
        ("keeler", None),  # a name
        ("the bank's governor", "governor"),
    ],
)
def test_phrase_head(phrase: str, head: str | None) -> None:
    from index.search.lexical import content_words

    assert phrase_head(content_words(phrase), phrase) == head


@pytest.mark.parametrize(
    ("head", "words", "other"),
    [
        ("chairman", {"davie", "rennie", "manager", "port", "callan"}, True),
        ("coach", {"elena", "vasquez", "manager"}, False),  # one office, two words
        ("chairman", {"ana", "ruiz", "chairwoman"}, False),
        ("mayor", {"port", "authority"}, False),  # no role word: the meaning decides
    ],
)
def test_another_office_is_someone_else(head: str, words: set[str], other: bool) -> None:
    source = Source("x", "x", frozenset(words), (), frozenset())
    assert _other_office(head, source) is other


def test_article_rows_are_in_reading_order(table: SourceTable) -> None:
    rows = table.article_rows(0)
    refs = [table.index.sentence_refs[r] for r in rows]
    assert refs == sorted(refs, key=lambda r: (r.paragraph, r.index))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("zelensky", "zelenskyy", True),
        ("brandt", "brant", True),
        ("okoro", "okaro", False),  # a changed letter needs six letters
        ("okonjo", "okonja", True),
        ("mayor", "major", False),  # short words must match exactly
        ("harbour", "harbor", True),
        ("reyes", "keyes", False),
    ],
)
def test_close_forgives_one_edit_in_long_words(a: str, b: str, same: bool) -> None:
    assert close(a, b) is same
    assert close(b, a) is same
