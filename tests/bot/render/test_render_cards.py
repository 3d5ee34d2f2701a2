"""The other cards: paragraph (¶), /speakers, /quotes, /stats, /about and /help, within
Discord's limits."""

from __future__ import annotations

import re

from support import assert_embed_within_limits

from bot.answer_store import LiveStats, Totals
from bot.render.about import about_card, help_card
from bot.render.card import Card
from bot.render.paragraph import paragraph_card
from bot.render.stats import stats_card
from bot.render.who_said import quotes_card, speakers_card
from bot.replies import to_embed
from index.models import ArticleSummary, Attribution, IndexInfo, Quote, SpeakerSummary

TITLE = "US embassy in Kyiv closes after warning of 'significant air attack'"
INFO = IndexInfo((("fire.md", "Wildfire"),), 10, 40, "all-MiniLM-L6-v2", 384, "", 0.5)


def quote(n: int, text: str | None = None) -> Quote:
    return Quote(
        text=text or f"Quote number {n} says *something* about _the_ fire.",
        attribution=Attribution("Dana Okafor", "Fire Chief", "said", None, "direct"),
        article_id="fire.md",
        article_title="Wildfire forces evacuation",
        paragraph=n,
        score=0.5,
    )


def within_limits(card: Card) -> Card:
    embed = to_embed(card)
    assert len(card) == len(embed)
    assert_embed_within_limits(embed)
    return card


# ---------------------------------------------------------------- paragraph
def test_paragraph_shows_the_quote_in_bold_inside_its_paragraph() -> None:
    """The whole paragraph, the quoted sentence in bold, markdown escaped."""
    card = paragraph_card(quote(2, "She said *no*."), "Before it. She said *no*. After it.")
    assert card.description == "Before it. **She said \\*no\\*.** After it."
    assert card.title == "Wildfire forces evacuation, paragraph 2"


def test_paragraph_of_a_changed_or_removed_article() -> None:
    """A changed article shows the paragraph as it is now; a removed one says so."""
    changed = paragraph_card(quote(2, "Gone sentence."), "A new paragraph.")
    assert changed.description == "A new paragraph."
    assert "changed" in (changed.footer or "")
    removed = paragraph_card(quote(2, "Gone sentence."), None)
    assert "no longer indexed" in (removed.description or "")
    assert "Gone sentence." in (removed.description or "")


def test_a_huge_paragraph_fits_around_the_quote() -> None:
    """A 20,000-character paragraph is cut on both sides, the quote kept whole."""
    text = "x " * 5000 + "The quote itself." + " y" * 5000
    card = within_limits(paragraph_card(quote(1, "The quote itself."), text))
    assert "**The quote itself.**" in (card.description or "")


# ---------------------------------------------------------------- /speakers and /quotes
def test_speakers_list_is_cut_with_a_count_of_the_rest() -> None:
    """500 sources with long names and roles: within limits, "… and N more" adds up."""
    speakers = [
        SpeakerSummary(f"Source {n} " + "N" * 90, ("role " * 40,), (("a.md", "T" * 300),), 500 - n)
        for n in range(500)
    ]
    lines = (within_limits(speakers_card(speakers)).description or "").splitlines()
    more = re.fullmatch(r"… and (\d+) more", lines[-1])
    assert more
    assert len(lines) - 1 + int(more.group(1)) == 500


def test_speakers_with_markdown_in_names_are_escaped() -> None:
    """A name with markdown shows literally; nobody quoted says so."""
    card = speakers_card([SpeakerSummary("A*B_C", (), (), 1)])
    assert "A\\*B\\_C" in (card.description or "")
    assert (speakers_card([]).description or "").startswith("Nobody")


def test_quotes_list_is_cut_with_a_count_of_the_rest() -> None:
    """40 long quotes: within limits, the footer says how many more there are."""
    card = within_limits(quotes_card("Dana Okafor", [quote(n, "long " * 300) for n in range(40)]))
    assert f"and {40 - len(card.fields)} more" in (card.footer or "")
    assert "/speakers lists everyone" in (quotes_card("Nobody", []).description or "")


# ---------------------------------------------------------------- /stats, /about, /help
def test_stats_and_about_fit() -> None:
    """/stats and an /about with 300 articles stay within limits."""
    within_limits(stats_card(LiveStats(), Totals(5, 4, 1, 2, 1)))
    articles = [ArticleSummary(f"article-{n}.md", "Title " * 40, 10, 40) for n in range(300)]
    card = within_limits(about_card(INFO, articles, top_k=3))
    assert "… and" in card.fields[0].value
    assert card.fields[0].name == "300 articles indexed"


def test_about_lists_articles_counts_model_and_time() -> None:
    info = IndexInfo(
        (("a.txt", TITLE),),
        21,
        23,
        "sentence-transformers/all-MiniLM-L6-v2@53aa",
        384,
        "2026-11-25T11:10:15+00:00",
        0.85,
    )
    articles = [ArticleSummary("a.txt", TITLE, 21, 23)]
    card = within_limits(about_card(info, articles, top_k=3, reindexing=True))
    fields = {f.name: f.value for f in card.fields}
    assert fields["1 article indexed"] == f"• {TITLE} (`a.txt`) · 21 paragraphs, 23 sentences"
    assert fields["Index"] == "21 paragraphs · 23 sentences"
    assert "all-MiniLM-L6-v2" in fields["Model"]
    assert fields["Built"].startswith("<t:1795605015:f>")
    assert "reindex is running" in fields["Built"]


def test_about_shows_the_engines_notice_under_built() -> None:
    """A stale index or a failed rebuild (``Engine.status.note()``) is said under Built."""
    articles = [ArticleSummary("fire.md", "Wildfire", 10, 40)]
    note = "The index is stale: the last rebuild failed (no space left on device)."
    card = within_limits(about_card(INFO, articles, top_k=3, notice=note))
    assert card.fields[-1].value.endswith(f"\n⚠️ {note}")
    assert "⚠️" not in within_limits(about_card(INFO, articles, top_k=3)).fields[-1].value


def test_about_with_many_long_titles_and_no_build_time_fits() -> None:
    articles = [ArticleSummary(f"{n}.txt", "T" * 200, 1, 1) for n in range(100)]
    info = IndexInfo(tuple((a.id, a.title) for a in articles), 1, 1, "m", 1, "not a date", 1.0)
    card = within_limits(about_card(info, articles, top_k=3))
    assert card.fields[0].value.endswith("more")
    assert card.fields[-1].value.startswith("not a date")


def test_help_mentions_every_way_to_ask() -> None:
    text = help_card("Quote_Bot").description or ""
    for needle in ("/ask", "private", "direct message", "mention me", "/about", "/reindex"):
        assert needle in text
    assert "@Quote\\_Bot" in text


def test_about_marks_the_servers_own_articles_and_their_links() -> None:
    """An article added in this server says so, and one added by link shows the link."""
    articles = [
        ArticleSummary("default.txt", "Default", 10, 40),
        ArticleSummary("bridge.html", "Bridge closes", 8, 30),
    ]
    links = {"bridge.html": "https://news.example.org/city/bridge-closes?id=4"}
    card = within_limits(about_card(INFO, articles, top_k=3, links=links, own={"bridge.html"}))
    default, own = card.fields[0].value.splitlines()
    assert "this server's" not in default
    assert "from" not in default
    assert own.endswith(
        "· this server's · from [news.example.org](https://news.example.org/city/bridge-closes?id=4)"
    )
