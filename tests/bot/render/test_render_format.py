"""bot/render/format.py: escaping, shortening at a word, fitting, listing, splitting."""

from __future__ import annotations

import pytest

from bot.render.format import (
    escape_markdown,
    fit,
    link,
    listing,
    one_line,
    pack,
    plural,
    split_message,
    truncate,
)


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


def test_one_line() -> None:
    assert one_line("bad.txt:\n  the file\tis empty\n") == "bad.txt: the file is empty"
    assert len(one_line("x" * 5000)) == 1900


def test_plural() -> None:
    assert (plural(1, "quote"), plural(0, "quote"), plural(2, "quote")) == (
        "1 quote",
        "0 quotes",
        "2 quotes",
    )


def test_listing_ends_with_a_count_of_what_did_not_fit() -> None:
    lines = [f"line {n}" for n in range(100)]
    out = listing(lines, 60).splitlines()
    assert len("\n".join(out)) <= 60
    assert out[-1] == f"… and {100 - len(out) + 1} more"
    assert listing(["a", "b"], 60) == "a\nb"


def test_pack_joins_blocks_and_splits_oversized_ones() -> None:
    assert pack(["a", "b", "c"], 3) == ["a\nb", "c"]
    out = pack(["x " * 30], 20)
    assert all(len(chunk) <= 20 for chunk in out)


def test_split_message_respects_limit() -> None:
    text = "\n".join(f"line {n} " + "word " * 30 for n in range(40))
    chunks = split_message(text, 500)
    assert all(len(chunk) <= 500 for chunk in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())
    assert split_message("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]


@pytest.mark.parametrize(
    ("url", "masked", "shown"),
    [
        ("https://example.org/a", True, "[example.org](https://example.org/a)"),
        ("https://example.org/a", False, "<https://example.org/a>"),
        # characters that would end the markup are percent-encoded
        ("https://example.org/a (b)>", True, "[example.org](https://example.org/a%20%28b%29%3E)"),
        ("https://example.org/a>b", False, "<https://example.org/a%3Eb>"),
        # not a web link, or too long to show whole: the host only, as text
        ("ftp://example.org/a", True, "example.org"),
        ("https://example.org/" + "a" * 500, True, "example.org"),
        ("https://my_site.example/", True, "[my\\_site.example](https://my_site.example/)"),
    ],
)
def test_link_is_never_broken_or_previewed(url: str, masked: bool, shown: str) -> None:
    assert link(url, masked=masked) == shown
