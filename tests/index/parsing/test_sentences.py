"""Sentence splitting: verbatim spans through abbreviations, decimals and quotes."""

from __future__ import annotations

import itertools

import pytest

from index.parsing.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. said no. Mr. Smith agreed.", ["The U.S. said no.", "Mr. Smith agreed."]),
        (
            "Prices rose 3.5 per cent. Then they fell.",
            ["Prices rose 3.5 per cent.", "Then they fell."],
        ),
        ("“Are you sure?” she asked.", ["“Are you sure?” she asked."]),
        (
            'She said: "It is late. We must go." Then she left.',
            ['She said: "It is late.', 'We must go."', "Then she left."],
        ),
        ("It started at 2 p.m. Monday and ended.", ["It started at 2 p.m. Monday and ended."]),
        (
            "SPRINGS, Calif. — Homes burned. Crews came.",
            ["SPRINGS, Calif. — Homes burned.", "Crews came."],
        ),
        ("*A standfirst in italics.*", ["A standfirst in italics."]),
        ('“We will keep them safe."', ['“We will keep them safe."']),
    ],
)
def test_split(text, expected):
    """Sentences come out whole, with their quote marks, never with surrounding spaces."""
    assert sentences(text) == expected


def test_spans_are_verbatim_and_ordered():
    """Every span is a slice of the input, stripped, in order, without overlap."""
    text = "  First one.  Second, with “a quote.”   Third?  "
    spans = split_sentences(text)
    assert spans == sorted(spans)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()


def test_long_paragraph_is_split_in_bounded_time():
    """A paragraph far longer than one chunk still yields verbatim sentences."""
    text = " ".join(f"Sentence number {i} is here." for i in range(3000))
    spans = split_sentences(text)
    assert len(spans) >= 2900
    assert all(text[a:b].endswith(".") for a, b in spans)
