"""Quote-span detection: every mark convention, nesting, stray and unclosed quotes."""

from __future__ import annotations

import pytest

from index.parsing.attribution.quotes import find_quotes


def quoted(text: str) -> list[str]:
    return [text[a:b] for a, b in find_quotes(text).spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said: "Go now."', ['"Go now."']),
        ('It marked a “new phase".', ['“new phase"']),
        ("A warning of 'significant air attack' came.", ["'significant air attack'"]),
        ("There’s no quote in the 1990s’ story.", []),
        (
            "‘He told me, “Don’t worry,” and left,’ she said.",
            ["‘He told me, “Don’t worry,” and left,’"],
        ),
        ('Kyle said: "We are looking closely.', ['"We are looking closely.']),
        ("''Not now,'' he said. ''Later.''", ["''Not now,''", "''Later.''"]),
        ("``Fine,'' she said.", ["``Fine,''"]),
        ("„Gut“, sagte sie.", ["„Gut“"]),
        ("«Oui», »nein« and ‹so›.", ["«Oui»", "»nein«", "‹so›"]),
        ('A 4" pipe and a "leak" here.', ['"leak"']),
        ('It cost "about $200" in total.', ['"about $200"']),
        ("He said” it was fine.", []),
        ("“One, “two.”", ["“One, ", "“two.”"]),
        ("The players’ union and the 1990s' fans.", []),
    ],
)
def test_find_quotes(text, expected):
    """Quoted spans include their marks; an unclosed quote runs to the end."""
    assert quoted(text) == expected


def test_flags():
    """A paragraph opening with a quote, and one ending inside a quote, are flagged."""
    assert find_quotes("“We will win.” More.").opens_with_quote
    assert find_quotes('She said: "We will').ends_open
    assert not find_quotes("Plain text.").opens_with_quote
