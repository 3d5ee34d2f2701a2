"""bot/render/answer.py and quoting.py: an answer as a card, as pages, as DM text and as
terminal text; always within Discord's limits, quotes verbatim."""

from __future__ import annotations

import pytest
from support import assert_embed_within_limits

from bot.answer_store import StoredAnswer
from bot.render.answer import answer_card, answer_messages, page_card, render_text
from bot.render.card import ANSWER_COLOUR, HEDGED_COLOUR, NO_ANSWER_COLOUR, Card
from bot.render.quoting import attribution_line, quote_block
from bot.render.wording import (
    ANSWER_FOOTER,
    HEDGED_FOOTER,
    HEDGED_INTRO,
    HEDGED_TITLE,
    NO_ANSWER,
    NO_ANSWER_HINT,
    WHO,
)
from bot.replies import to_embed
from index.models import Answer, Attribution, Quote

TITLE = "US embassy in Kyiv closes after warning of 'significant air attack'"
KYLE = Attribution("Peter Kyle", "Science Secretary", "said", "on Times Radio", "direct")


def quote(text: str, attribution: Attribution = KYLE, paragraph: int = 9, title: str = TITLE):
    return Quote(text, attribution, "article.txt", title, paragraph, 0.9)


def words(count: int, word: str = "situation") -> str:
    return " ".join([word] * count)


def within_limits(card: Card) -> Card:
    embed = to_embed(card)
    assert len(card) == len(embed)  # the card counts as Discord does
    assert_embed_within_limits(embed)
    return card


# ---------------------------------------------------------------- attribution
@pytest.mark.parametrize(
    ("attribution", "line"),
    [
        (KYLE, "Peter Kyle, Science Secretary, said on Times Radio"),
        (
            Attribution("two US officials", None, "according to", None, "reported"),
            "according to two US officials",
        ),
        (
            Attribution("Lena Ortiz", "a city planner", "according to", None, "reported"),
            "according to Lena Ortiz, a city planner",
        ),
        (
            Attribution("the ministry", None, "According to", "in a statement", "reported"),
            "According to the ministry in a statement",
        ),
        (
            Attribution("Mara Vell", None, "wrote", "in a post on X", "direct"),
            "Mara Vell wrote in a post on X",
        ),
        (Attribution("Mara Vell", None, None, None, "direct"), "Mara Vell"),
        # a speaker label or a signature line: the mark is not a word to show
        (Attribution("Ana Ruiz", None, ":", None, "direct"), "Ana Ruiz"),
        (
            Attribution("Tara Voss", "Institute for Fiscal Studies", "—", None, "direct"),
            "Tara Voss, Institute for Fiscal Studies",
        ),
        (Attribution(kind="narration"), "the article"),
        (Attribution("ignored", None, None, None, "narration"), "the article"),
    ],
)
def test_attribution_line(attribution: Attribution, line: str) -> None:
    """Speaker, role, cue and channel read as one line, "according to" before its source;
    narration credits the article (whose title the source line already shows)."""
    assert attribution_line(attribution) == line


# ---------------------------------------------------------------- the /ask card
def test_answer_card_fields_quote_verbatim_with_attribution_and_source() -> None:
    text = "We will do everything we can to keep British citizens safe."
    card = within_limits(answer_card(Answer("What did Kyle say?", True, (quote(text),))))
    assert (card.title, card.colour) == ("What did Kyle say?", ANSWER_COLOUR)
    (field,) = card.fields
    assert field.name == "1. Peter Kyle, Science Secretary, said on Times Radio"
    assert field.value == f"“{text}”\n*{TITLE}, paragraph 9*"
    assert card.footer == ANSWER_FOOTER


def test_narration_is_credited_to_the_article() -> None:
    narration = Attribution()
    answer = Answer("q", True, (quote("The US embassy in Kyiv closed on Wednesday.", narration),))
    (field,) = answer_card(answer).fields
    assert field.name == "1. The article"
    assert TITLE in field.value  # the title once, with the paragraph


def test_more_matching_sentences_are_counted_in_the_footer() -> None:
    answer = Answer("q", True, (quote("One."),), more=(quote("Two."), quote("Three.")))
    assert (answer_card(answer).footer or "").endswith("2 more matching sentences")


def test_no_answer_card_has_no_quote() -> None:
    card = answer_card(Answer("what is a good recipe for banana bread?", False))
    assert (card.fields, card.colour) == ((), NO_ANSWER_COLOUR)
    assert card.description == f"{NO_ANSWER}\n\n{NO_ANSWER_HINT}"
    assert "“" not in card.description


def test_a_hedged_answer_looks_different_and_keeps_its_quotes() -> None:
    """Hedged: another colour, a "Not sure" title, the hedge and the note above the quotes."""
    text = "We will do everything we can to keep British citizens safe."
    note = "The article never mentions ‘Macron’."
    answer = Answer("what did macron say?", False, (quote(text),), confidence="low", note=note)
    card = within_limits(answer_card(answer))
    assert card.colour == HEDGED_COLOUR != ANSWER_COLOUR
    assert card.title == f"{HEDGED_TITLE}: what did macron say?"
    assert card.description == f"{HEDGED_INTRO}\n{note}"
    assert card.fields[0].value.startswith(f"“{text}”")
    assert card.footer == HEDGED_FOOTER
    (message,) = answer_messages(answer)
    assert message.startswith(f"{HEDGED_INTRO}\n{note}\n1. “{text}”")
    assert render_text(answer).startswith(f"{HEDGED_TITLE}: {HEDGED_INTRO}\n{note}\n1. “")


def test_a_who_answer_names_the_speaker_first() -> None:
    answer = Answer(
        "who spoke on times radio?", True, (quote("We are looking."),), who="Peter Kyle"
    )
    card = answer_card(answer)
    assert card.description == f"{WHO}: Peter Kyle"
    assert answer_messages(answer)[0].startswith(f"{WHO}: Peter Kyle\n1. “We are looking.”")
    assert render_text(answer).splitlines()[0] == f"{WHO}: Peter Kyle"


def test_a_note_without_quotes_is_shown_with_the_no_answer_text() -> None:
    answer = Answer("q", False, note="The article never mentions ‘Atlantis’.")
    card = answer_card(answer)
    assert card.colour == NO_ANSWER_COLOUR
    assert not card.fields
    assert card.description.startswith("The article never mentions ‘Atlantis’.\n\n")
    assert answer_messages(answer)[0].startswith("The article never mentions ‘Atlantis’.\n")


def test_huge_quotes_stay_within_every_limit() -> None:
    quotes = tuple(quote(words(900, f"word{n}") + ".", paragraph=n) for n in range(30))
    card = within_limits(answer_card(Answer("q" * 300, True, quotes)))
    assert len(card.title) <= 256
    assert card.title.endswith("…")
    assert 3 <= len(card.fields) < 30
    for n, field in enumerate(card.fields):
        body = field.value.rsplit("\n", 1)[0]
        assert body.startswith(f"“word{n} ")
        assert body.endswith(f"word{n}…”")  # whole words only, then the ellipsis
    assert "did not fit" in (card.footer or "")


def test_huge_attribution_title_and_markdown_are_bounded() -> None:
    who = Attribution("A" * 300, "B" * 300, "said", "in " + "C" * 300, "reported")
    answer = Answer("q", True, (quote("*Bold* claim_with_underscores.", who, title="T" * 400),))
    (field,) = within_limits(answer_card(answer)).fields
    assert field.name.endswith("…")
    assert field.value.startswith(r"“\*Bold\* claim\_with\_underscores.”")


def test_every_quote_count_and_length_fits() -> None:
    for count in (1, 3, 10, 25, 26):
        for size in (10, 300, 1000, 1100, 5000):
            quotes = tuple(
                quote(words(size // 10 + 1, "abcdefghi"), paragraph=n) for n in range(count)
            )
            within_limits(answer_card(Answer("q", True, quotes)))


# ---------------------------------------------------------------- pages of a saved answer
def stored(count: int, page_size: int = 3, text: str | None = None) -> StoredAnswer:
    quotes = tuple(quote(text or f"Quote number {n} says *something*.", paragraph=n + 1)
                   for n in range(count))  # fmt: skip
    return StoredAnswer("a" * 16, 0.0, 1, "what did she say?", None, True, 0.1, page_size, quotes)


def test_pages_number_on_from_the_previous_ones() -> None:
    """Page 2 of 7 quotes (3 per page) shows quotes 4-6 and says which page it is."""
    card = within_limits(page_card(stored(7), 2))
    assert [f.name.split(".")[0] for f in card.fields] == ["4", "5", "6"]
    assert (card.footer or "").startswith("Page 2 of 3")


def test_a_page_of_huge_quotes_fits() -> None:
    """Ten 3,000-character quotes on one page stay within the 6,000-character total."""
    card = within_limits(page_card(stored(10, page_size=10, text="word " * 600), 1))
    assert "did not fit" in (card.footer or "")


def test_a_page_past_the_end_says_there_is_no_more() -> None:
    card = within_limits(page_card(stored(3), 5))
    assert card.fields == ()
    assert card.description == "There are no more matching sentences."
    assert (card.footer or "").startswith("Page 1 of 1")


# ---------------------------------------------------------------- plain text
def test_text_answer_matches_render_text_for_plain_quotes() -> None:
    answer = Answer(
        "q",
        True,
        (quote("First sentence."), quote("Second sentence.", Attribution(), paragraph=3)),
    )
    assert answer_messages(answer) == [render_text(answer)]


def test_text_no_answer_matches_render_text() -> None:
    answer = Answer("q", False)
    assert answer_messages(answer) == [render_text(answer)]
    assert "doesn't say" in render_text(answer)
    assert "“" not in render_text(answer)


def test_terminal_text_numbers_and_sources_each_quote() -> None:
    said = Quote("It is so.", Attribution("Ann Lee", None, "said", None, "direct"), "a", "T", 4, 1)
    text = render_text(Answer("q", True, (said,)))
    assert text.splitlines() == ["1. “It is so.”", "   — Ann Lee said", "   (T, paragraph 4)"]


def test_text_answer_never_splits_a_quote_and_caps_messages() -> None:
    quotes = tuple(quote(words(150, f"w{n}") + ".", paragraph=n) for n in range(10))
    messages = answer_messages(Answer("q", True, quotes))
    assert len(messages) == 3
    for message in messages:
        assert len(message) <= 2000
        assert message.count("“") == message.count("”")
    assert messages[-1].endswith("\n(1 more quote did not fit; ask a narrower question.)")


def test_text_quote_block_shortens_a_huge_quote() -> None:
    block = quote_block(1, quote(words(1000) + "."))
    assert len(block) <= 2000
    assert "situation…”" in block
    assert block.endswith(f"({TITLE}, paragraph 9)")


# ---------------------------------------------------------------- source links
def test_an_article_added_by_link_shows_its_source_under_the_answer() -> None:
    """/add url: keeps the link; the card and the DM text show it once per quoted article,
    and an article without a link shows none."""
    linked = Quote("The bridge will close in May.", KYLE, "bridge.html", "Bridge", 2, 0.9)
    answer = Answer("When does it close?", True, (linked, quote("Unrelated."), linked))
    links = {"bridge.html": "https://news.example.org/bridge", "other.txt": "https://x.test/"}
    card = within_limits(answer_card(answer, links))
    assert card.description == "Source: [news.example.org](https://news.example.org/bridge)"
    text = "\n".join(answer_messages(answer, links=links))
    assert text.count("Source: <https://news.example.org/bridge>") == 1
    assert "x.test" not in text
    assert answer_card(answer).description is None  # no links known: nothing added
    assert "Source" not in "\n".join(answer_messages(answer))
