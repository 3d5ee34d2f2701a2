"""Plain-text rendering for the terminal and DMs."""

from __future__ import annotations

import pytest

from bot.render import attribution_line, render_text, split_message
from index.models import Answer, Attribution, Quote


@pytest.mark.parametrize(
    ("attribution", "line"),
    [
        (
            Attribution("Peter Kyle", "Science Secretary", "said", "on Times Radio", "direct"),
            "Peter Kyle, Science Secretary, said on Times Radio",
        ),
        (
            Attribution("two US officials", None, "according to", None, "reported"),
            "two US officials according to",
        ),
        (Attribution(kind="narration"), "the article (Title)"),
    ],
)
def test_attribution_line(attribution, line):
    """Speaker, role, cue and channel read as one line; narration credits the article."""
    assert attribution_line(attribution, "Title") == line


def test_no_answer_says_so():
    """An abstention says the article doesn't say, with no quote."""
    text = render_text(Answer("q", False))
    assert "doesn't say" in text
    assert "“" not in text


def test_quotes_are_numbered_and_sourced():
    """Each quote is in quote marks with its attribution and paragraph."""
    quote = Quote(
        "It is so.", Attribution("Ann Lee", None, "said", None, "direct"), "a.txt", "T", 4, 0.9
    )
    text = render_text(Answer("q", True, (quote,)))
    assert "1. “It is so.”" in text
    assert "Ann Lee said" in text
    assert "T, paragraph 4" in text


def test_split_message_respects_limit():
    """Long text is split at line or word breaks into chunks of at most the limit."""
    text = "\n".join(f"line {i} " + "word " * 30 for i in range(200))
    chunks = split_message(text, 2000)
    assert all(len(c) <= 2000 for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())
    assert split_message("x" * 4500, 2000) == ["x" * 2000, "x" * 2000, "x" * 500]
