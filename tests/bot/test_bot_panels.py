"""Unit tests: rendering of pages, paragraphs, speakers, quotes, stats and /about within
Discord's limits, the answer buttons' layout and custom ids, and upload checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from support import assert_embed_within_limits

from bot.features import MAX_UPLOAD_BYTES, upload_problem, view_for
from bot.panels import (
    about_articles_embed,
    page_embed,
    paragraph_embed,
    quotes_embed,
    speakers_embed,
    stats_embed,
)
from bot.store import LiveStats, StoredAnswer, Totals
from bot.views import DYNAMIC_ITEMS, answer_view
from index.models import Answer, Attribution, IndexInfo, Quote


@dataclass(frozen=True)
class Speaker:
    name: str
    roles: tuple[str, ...]
    articles: tuple[tuple[str, str], ...]
    sentences: int


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    paragraphs: int
    sentences: int


def quote(n: int, text: str | None = None) -> Quote:
    return Quote(
        text=text or f"Quote number {n} says *something* about _the_ fire.",
        attribution=Attribution("Dana Okafor", "Fire Chief", "said", None, "direct"),
        article_id="fire.md",
        article_title="Wildfire forces evacuation",
        paragraph=n,
        score=0.5,
    )


def stored(count: int, page_size: int = 3, text: str | None = None) -> StoredAnswer:
    quotes = tuple(quote(n + 1, text) for n in range(count))
    return StoredAnswer("a" * 16, 0.0, 1, "what did she say?", None, True, 0.1, page_size, quotes)


INFO = IndexInfo((("fire.md", "Wildfire"),), 10, 40, "all-MiniLM-L6-v2", 384, "", 0.5)


def test_pages_number_on_from_the_previous_ones() -> None:
    """Page 2 of 7 quotes (3 per page) shows quotes 4-6 and says which page it is."""
    embed = page_embed(stored(7), 2)
    names = [f.name for f in embed.fields]
    assert [n.split(".")[0] for n in names] == ["4", "5", "6"]
    assert embed.footer.text.startswith("Page 2 of 3")
    assert_embed_within_limits(embed)


def test_a_page_of_huge_quotes_fits() -> None:
    """Ten 3,000-character quotes on one page stay within the 6,000-character total."""
    embed = page_embed(stored(10, page_size=10, text="word " * 600), 1)
    assert_embed_within_limits(embed)
    assert "did not fit" in embed.footer.text


def test_paragraph_shows_the_quote_in_bold_inside_its_paragraph() -> None:
    """The whole paragraph, the quoted sentence in bold, markdown escaped."""
    q = quote(2, "She said *no*.")
    embed = paragraph_embed(q, "Before it. She said *no*. After it.")
    assert embed.description == "Before it. **She said \\*no\\*.** After it."
    assert embed.title == "Wildfire forces evacuation, paragraph 2"


def test_paragraph_of_a_changed_or_removed_article() -> None:
    """A changed article shows the paragraph as it is now; a removed one says so."""
    changed = paragraph_embed(quote(2, "Gone sentence."), "A new paragraph.")
    assert changed.description == "A new paragraph."
    assert "changed" in changed.footer.text
    removed = paragraph_embed(quote(2, "Gone sentence."), None)
    assert "no longer indexed" in removed.description
    assert "Gone sentence." in removed.description


def test_a_huge_paragraph_fits_around_the_quote() -> None:
    """A 20,000-character paragraph is cut on both sides, the quote kept whole."""
    text = "x " * 5000 + "The quote itself." + " y" * 5000
    embed = paragraph_embed(quote(1, "The quote itself."), text)
    assert "**The quote itself.**" in embed.description
    assert_embed_within_limits(embed)


def test_speakers_list_is_cut_with_a_count_of_the_rest() -> None:
    """500 sources with long names and roles: within limits, "… and N more" adds up."""
    speakers = [
        Speaker(f"Source {n} " + "N" * 90, ("role " * 40,), (("a.md", "T" * 300),), 500 - n)
        for n in range(500)
    ]
    embed = speakers_embed(speakers)
    assert_embed_within_limits(embed)
    lines = embed.description.splitlines()
    more = re.fullmatch(r"… and (\d+) more", lines[-1])
    assert more
    assert len(lines) - 1 + int(more.group(1)) == 500


def test_speakers_with_markdown_in_names_are_escaped() -> None:
    """A name with markdown shows literally."""
    embed = speakers_embed([Speaker("A*B_C", (), (), 1)])
    assert "A\\*B\\_C" in embed.description


def test_quotes_list_is_cut_with_a_count_of_the_rest() -> None:
    """40 long quotes: within limits, the footer says how many more there are."""
    embed = quotes_embed("Dana Okafor", [quote(n, "long " * 300) for n in range(40)])
    assert_embed_within_limits(embed)
    assert f"and {40 - len(embed.fields)} more" in embed.footer.text


def test_stats_and_about_fit() -> None:
    """/stats and an /about with 300 articles stay within limits."""
    assert_embed_within_limits(stats_embed(LiveStats(), Totals(5, 4, 1, 2, 1)))
    articles = [Article(f"article-{n}.md", "Title " * 40, 10, 40) for n in range(300)]
    embed = about_articles_embed(INFO, articles, top_k=3)
    assert_embed_within_limits(embed)
    assert "… and" in embed.fields[0].value
    assert embed.fields[0].name == "300 articles indexed"


@pytest.mark.parametrize("page_size", [1, 3, 10])
def test_answer_buttons_fit_discord_and_match_their_templates(page_size: int) -> None:
    """Rows of at most 5, custom ids <= 100 characters that the dynamic items parse back."""
    quotes = tuple(quote(n + 1) for n in range(page_size))
    view = answer_view("f" * 16, quotes, page=998, pages=999, first_number=990)
    rows = view.to_components()
    assert len(rows) <= 5
    templates = [item.__discord_ui_compiled_template__ for item in DYNAMIC_ITEMS]
    for row in rows:
        assert 1 <= len(row["components"]) <= 5
        for button in row["components"]:
            assert len(button["custom_id"]) <= 100
            assert len(button.get("label") or "") <= 80
            assert sum(bool(t.fullmatch(button["custom_id"])) for t in templates) == 1


def test_view_for_pages_and_abstentions() -> None:
    """More only when there are further quotes; an abstention only gets feedback buttons."""
    answered = Answer("q", True, (quote(1),), (quote(2), quote(3)))
    ids = [
        c["custom_id"]
        for r in view_for("a" * 16, answered).to_components()
        for c in r["components"]
    ]
    assert ids[0] == f"qa:more:{'a' * 16}:2"
    abstained = view_for("b" * 16, Answer("q", False))
    ids = [c["custom_id"] for r in abstained.to_components() for c in r["components"]]
    assert ids == [f"qa:fb:{'b' * 16}:+", f"qa:fb:{'b' * 16}:-"]
    assert view_for(None, answered) is None


@pytest.mark.parametrize(
    ("filename", "size", "problem"),
    [
        ("a.txt", 10, None),
        ("a.MD", 10, None),
        ("page.html", 10, None),
        ("page.htm", MAX_UPLOAD_BYTES, None),
        ("a.pdf", 10, "not an article file"),
        ("noext", 10, "not an article file"),
        ("a.txt", 0, "is empty"),
        ("a.txt", MAX_UPLOAD_BYTES + 1, "the limit is 2 MB"),
    ],
)
def test_upload_checks_before_download(filename: str, size: int, problem: str | None) -> None:
    """Extension and size are judged from the attachment's metadata alone."""
    found = upload_problem(filename, size)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
