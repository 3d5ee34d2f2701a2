"""Hostile inputs for the reliability tests: hypothesis profiles, strategies and checks.

Import from here (``from hostile import ...``). The ``hostile`` profile keeps the suite
fast; ``HOSTILE_PROFILE=hostile-deep pytest tests/index/test_hostile_*.py`` runs the same
properties with many more examples (minutes, not seconds).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from index.models import Answer, Article

settings.register_profile(
    "hostile",
    max_examples=120,
    deadline=None,  # timings belong in benchmarks, not in assertions
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run: no flaky failures in CI
    print_blob=True,
)
settings.register_profile(
    "hostile-deep",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
HOSTILE = settings.get_profile(os.environ.get("HOSTILE_PROFILE", "hostile"))

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]
BIDI = ["\u202e", "\u202d", "\u202b", "\u202a", "\u200f", "\u200e", "\u2066", "\u2067", "\u2069"]
RTL_WORDS = ["مرحبا", "من قال", "שלום", "מי אמר", "سفارة"]
MARKDOWN = [
    "```",
    "```py\nprint('x')\n```",
    "`code`",
    "**bold**",
    "__under__",
    "~~gone~~",
    "||spoiler||",
    "> quoted",
    "# heading",
    "- item",
    "[link](https://example.com)",
    "\\",
    "*",
    "_",
]
MENTIONS = ["<@123456789012345678>", "<@!42>", "<@&987>", "<#555>", "@everyone", "@here"]
EMOJI = ["😀", "👨\u200d👩\u200d👧", "🇺🇦", "❤️", "👍🏽", "<:smile:123456>", "<a:dance:654321>"]
PUNCTUATION = ["?", "!", "...", "—", "¿", "«»", "“”", "()", "#", "%", "&", ";", ":", ","]
WORDS = [
    "who",
    "what",
    "did",
    "say",
    "said",
    "embassy",
    "Kyiv",
    "Peskov",
    "Lavrov",
    "nuclear",
    "Kremlin",
    "attack",
    "landmines",
    "closed",
    "the",
]
WHITESPACE = [" ", "\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2028"]

FRAGMENTS = ZERO_WIDTH + BIDI + RTL_WORDS + MARKDOWN + MENTIONS + EMOJI + PUNCTUATION + WORDS
any_character = st.characters(exclude_categories=())  # every code point, surrogates too


def joined(pieces: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=max_size).map("".join)


# Questions: raw Unicode, and mixtures of the pieces above (so that some questions are
# answered and their quotes checked), and the degenerate kinds on their own.
questions = st.one_of(
    st.text(any_character, max_size=60),
    joined(
        st.one_of(
            st.sampled_from(FRAGMENTS),
            st.sampled_from(WHITESPACE),
            st.text(any_character, max_size=6),
        ),
        max_size=40,
    ),
    joined(st.sampled_from(WORDS + [" "] * 4 + ZERO_WIDTH + BIDI), max_size=30),
    joined(st.sampled_from(EMOJI + WHITESPACE), max_size=20),  # emoji only
    joined(st.sampled_from(PUNCTUATION + WHITESPACE), max_size=30),  # punctuation only
    joined(st.sampled_from(ZERO_WIDTH + BIDI), max_size=20),  # invisible only
    st.text(any_character, min_size=290, max_size=320),  # around the length limit
)


def check_article(article: Article) -> None:
    """Every paragraph and sentence of ``article`` is the slice of its text it claims."""
    text = article.text
    assert article.title.strip()
    previous_end = 0
    for number, paragraph in enumerate(article.paragraphs, start=1):
        assert paragraph.number == number
        assert previous_end <= paragraph.start < paragraph.end <= len(text)
        assert text[paragraph.start : paragraph.end] == paragraph.text
        previous_end = paragraph.end
        assert paragraph.quotable or not paragraph.sentences
        cursor = paragraph.start
        for sentence in paragraph.sentences:
            assert sentence.paragraph == number
            assert cursor <= sentence.start < sentence.end <= paragraph.end
            assert text[sentence.start : sentence.end] == sentence.text
            assert sentence.text.strip()
            assert sentence.attribution.kind in ("direct", "reported", "narration")
            cursor = sentence.end


def check_quotes(answer: Answer, articles: dict[str, Article]) -> None:
    """Every quote of ``answer`` is verbatim from a quotable paragraph of its article; an
    answer graded "none" quotes nothing, a confident one something."""
    assert answer.confidence in ("high", "low", "none")
    assert answer.answered == (answer.confidence == "high")
    if answer.confidence == "none":
        assert not answer.quotes
    else:
        assert answer.quotes
    for quote in (*answer.quotes, *answer.more):
        article = articles[quote.article_id]
        paragraph = article.paragraph(quote.paragraph)
        assert paragraph.quotable
        assert paragraph.start <= quote.start < quote.end <= paragraph.end
        assert article.text[quote.start : quote.end] == quote.text
        assert quote.article_title == article.title
