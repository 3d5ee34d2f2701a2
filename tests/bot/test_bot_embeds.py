"""Unit tests: embeds and text replies always fit Discord's limits and keep quotes honest."""

from __future__ import annotations

import discord
import pytest
from support import assert_embed_within_limits

from bot import embeds
from bot.embeds import (
    answer_embed,
    answer_messages,
    escape_markdown,
    fit,
    help_embed,
    pack,
    quote_block,
    truncate,
)
from bot.panels import about_articles_embed
from bot.render import NO_ANSWER, NO_ANSWER_HINT, render_text
from index.models import Answer, Attribution, IndexInfo, Quote

TITLE = "US embassy in Kyiv closes after warning of 'significant air attack'"
KYLE = Attribution("Peter Kyle", "Science Secretary", "said", "on Times Radio", "direct")


def quote(text: str, attribution: Attribution = KYLE, paragraph: int = 9, title: str = TITLE):
    return Quote(text, attribution, "article.txt", title, paragraph, 0.9)


def words(count: int, word: str = "situation") -> str:
    return " ".join([word] * count)


def embed_total(embed: discord.Embed) -> int:
    return len(embed)


assert_within_limits = assert_embed_within_limits


# ---------------------------------------------------------------- truncation
def test_truncate_keeps_short_text() -> None:
    assert truncate("short text", 10) == "short text"


def test_truncate_cuts_at_a_word_break_with_an_ellipsis() -> None:
    text = "We will do everything we can to keep British citizens safe."
    out = truncate(text, 30)
    assert len(out) <= 30
    assert out.endswith("…")
    assert text.startswith(out[:-1])
    assert text[len(out) - 1] == " "  # the cut is at a space: no half word


def test_truncate_strips_trailing_punctuation_before_the_ellipsis() -> None:
    assert truncate("alpha beta, gamma delta", 13) == "alpha beta…"


def test_truncate_one_huge_word_still_gets_an_ellipsis() -> None:
    out = truncate("x" * 50, 10)
    assert out == "x" * 9 + "…"


@pytest.mark.parametrize("limit", [0, 1, 2])
def test_truncate_tiny_limits(limit: int) -> None:
    assert len(truncate("hello world", limit)) <= limit


def test_fit_accounts_for_escaping() -> None:
    text = "_" * 40 + " " + "*" * 40
    out = fit(text, 50)
    assert len(out) <= 50
    assert out.endswith("…")


def test_escape_markdown_shows_text_as_written() -> None:
    assert escape_markdown("a *b* _c_ ~~d~~ `e` |f|") == r"a \*b\* \_c\_ \~\~d\~\~ \`e\` \|f\|"
    assert escape_markdown("> quote\n# head\n- item") == "\\> quote\n\\# head\n\\- item"
    assert escape_markdown('plain, (I) can’t "say"') == 'plain, (I) can’t "say"'


# ---------------------------------------------------------------- answer embed
def test_answer_embed_fields_quote_verbatim_with_attribution_and_source() -> None:
    text = "We will do everything we can to keep British citizens safe."
    answer = Answer("What did Kyle say?", True, (quote(text),))
    embed = answer_embed(answer)
    assert embed.title == "What did Kyle say?"
    (field,) = embed.fields
    assert field.name == "1. Peter Kyle, Science Secretary, said on Times Radio"
    assert field.value == f"“{text}”\n*{TITLE}, paragraph 9*"
    assert embed.footer.text == embeds.FOOTER
    assert_within_limits(embed)


def test_narration_is_credited_to_the_article() -> None:
    narration = Attribution()
    answer = Answer("q", True, (quote("The US embassy in Kyiv closed on Wednesday.", narration),))
    (field,) = answer_embed(answer).fields
    assert field.name == f"1. The article ({TITLE})"


def test_more_matching_sentences_are_counted_in_the_footer() -> None:
    answer = Answer("q", True, (quote("One."),), more=(quote("Two."), quote("Three.")))
    assert answer_embed(answer).footer.text.endswith("2 more matching sentences")


def test_no_answer_embed_has_no_quote() -> None:
    embed = answer_embed(Answer("what is a good recipe for banana bread?", False))
    assert embed.fields == []
    assert embed.description == f"{NO_ANSWER}\n\n{NO_ANSWER_HINT}"
    assert "“" not in embed.description


def test_huge_quotes_stay_within_every_limit() -> None:
    quotes = tuple(quote(words(900, f"word{n}") + ".", paragraph=n) for n in range(30))
    answer = Answer("q" * 300, True, quotes)
    embed = answer_embed(answer)
    assert_within_limits(embed)
    assert len(embed.title or "") <= 256
    assert embed.title.endswith("…")
    assert 3 <= len(embed.fields) < 30
    for n, field in enumerate(embed.fields):
        body = field.value.rsplit("\n", 1)[0]
        assert body.startswith(f"“word{n} ")
        assert body.endswith(f"word{n}…”")  # whole words only, then the ellipsis
    assert "did not fit" in embed.footer.text


def test_huge_attribution_title_and_markdown_are_bounded() -> None:
    who = Attribution("A" * 300, "B" * 300, "said", "in " + "C" * 300, "reported")
    answer = Answer("q", True, (quote("*Bold* claim_with_underscores.", who, title="T" * 400),))
    embed = answer_embed(answer)
    assert_within_limits(embed)
    (field,) = embed.fields
    assert field.name.endswith("…")
    assert field.value.startswith(r"“\*Bold\* claim\_with\_underscores.”")


def test_every_quote_count_and_length_fits() -> None:
    for count in (1, 3, 10, 25, 26):
        for size in (10, 300, 1000, 1100, 5000):
            quotes = tuple(
                quote(words(size // 10 + 1, "abcdefghi"), paragraph=n) for n in range(count)
            )
            assert_within_limits(answer_embed(Answer("q", True, quotes)))


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


def test_pack_joins_blocks_and_splits_oversized_ones() -> None:
    assert pack(["a", "b", "c"], 3) == ["a\nb", "c"]
    out = pack(["x " * 30], 20)
    assert all(len(chunk) <= 20 for chunk in out)


# ---------------------------------------------------------------- about / help
def test_about_embed_lists_articles_counts_model_and_time() -> None:
    info = IndexInfo(
        (("a.txt", TITLE),),
        21,
        23,
        "sentence-transformers/all-MiniLM-L6-v2@53aa",
        384,
        "2026-11-25T11:10:15+00:00",
        0.85,
    )
    embed = about_articles_embed(info, None, top_k=3, reindexing=True)
    fields = {f.name: f.value for f in embed.fields}
    assert fields["1 article indexed"] == f"• {TITLE} (`a.txt`)"
    assert fields["Index"] == "21 paragraphs · 23 sentences"
    assert "all-MiniLM-L6-v2" in fields["Model"]
    assert fields["Built"].startswith("<t:1795605015:f>")
    assert "reindex is running" in fields["Built"]
    assert_within_limits(embed)


def test_about_embed_with_many_long_titles_fits() -> None:
    articles = tuple((f"{n}.txt", "T" * 200) for n in range(100))
    info = IndexInfo(articles, 1, 1, "m", 1, "not a date", 1.0)
    embed = about_articles_embed(info, None, top_k=3)
    assert_within_limits(embed)
    assert embed.fields[0].value.endswith("more")
    assert embed.fields[-1].value.startswith("not a date")


def test_help_embed_mentions_every_way_to_ask() -> None:
    text = help_embed("Quote_Bot").description or ""
    for needle in ("/ask", "private", "direct message", "mention me", "/about", "/reindex"):
        assert needle in text
    assert "@Quote\\_Bot" in text
