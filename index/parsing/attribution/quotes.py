"""Quoted spans of a paragraph, in every convention news text uses, and sentence frames.

Marks read as quotation marks:

- curly double ``“…”`` and single ``‘…’``; straight ``"…"`` and ``'…'``;
- doubled straight singles ``''…''`` (the convention of some archives) and TeX-style
  ````…''``; low-high ``„…“`` and ``‚…‘``; guillemets ``«…»``, ``»…«`` and ``‹…›``.

Straight marks are ambiguous, so they toggle, helped by their neighbours: a mark after a
digit is an inch or foot sign (``6' 2"``), an apostrophe inside or at the end of a word
(``There’s``, ``the 1990s’``) is not a quote. An opening mark met while a quote is open
closes that quote there: the writer left it open. A quote still open at the end of the
paragraph runs to the end of that paragraph (never further: paragraphs are parsed apart),
and ``ends_open`` says so, which is how a quotation running over several paragraphs (each
re-opened, only the last closed) is followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# opening mark -> the marks that close it
_DOUBLE_PAIRS = {
    "“": '”"',
    "„": '“”"',
    "«": "»",
    "»": "«",
    '"': '"”',
    "''": "''\"”",
    "``": "''\"”",
}
_SINGLE_PAIRS = {"‘": "’'", "‚": "‘’", "‹": "›", "'": "'’"}
_DOUBLE_CLOSERS = frozenset("”")
QUOTE_CHARS = frozenset("\"“”„«»‘’'`‚‹›")
_MARK = re.compile("''|``|[\"“”„«»‘’'‚‹›]")
#: Invisible format characters pasted in from social media (bidi embeddings, zero-width
#: spaces, byte-order marks): read as a space beside a quotation mark.
_INVISIBLE_FORMAT = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_LEADING = " \t\r\n" + "".join(sorted(_INVISIBLE_FORMAT))
#: Stands for a quoted span in a sentence's frame (see ``frame``).
PLACEHOLDER = "\x00"


@dataclass(frozen=True, slots=True)
class QuoteSpans:
    """Quoted regions of a paragraph, with the marks included: ``[start, end)``."""

    spans: tuple[tuple[int, int], ...]
    opens_with_quote: bool
    ends_open: bool

    def quoted_chars(self, start: int, end: int) -> int:
        """How many characters of ``[start, end)`` lie inside a quoted span."""
        return sum(max(0, min(end, b) - max(start, a)) for a, b in self.spans)

    def covering(self, start: int, end: int) -> list[int]:
        """Indices of spans that overlap ``[start, end)``."""
        return [i for i, (a, b) in enumerate(self.spans) if a < end and b > start]


def find_quotes(text: str) -> QuoteSpans:
    """Return the quoted spans of ``text`` (an unclosed quote runs to the end).

    Marks inside a quoted span that do not close it are nested quotes and ignored; if a
    single quote mark never closes (it was an apostrophe after all), single quotes are
    ignored altogether.
    """
    found = _scan(text, singles=True)
    return found if found is not None else _scan(text, singles=False)  # type: ignore[return-value]


def _scan(text: str, *, singles: bool) -> QuoteSpans | None:
    spans: list[tuple[int, int]] = []
    open_at: int | None = None  # where the current quote opened
    closers = ""  # the marks that close it
    single = False  # the current quote is single-quoted
    n = len(text)
    for match in _MARK.finditer(text):  # only quote marks matter: skip to them
        mark, i, j = match.group(0), match.start(), match.end()
        prev = text[i - 1] if i > 0 else " "
        nxt = text[j] if j < n else " "
        if prev in _INVISIBLE_FORMAT:
            prev = " "
        if mark in ("'", "’") and prev.isdigit() and not nxt.isalnum():
            continue  # 6' 2, the 1990s'
        if mark == '"' and prev.isdigit() and not nxt.isalnum() and open_at is None:
            continue  # 2" of rain (a quote open before it is closed by it instead)
        opener = not prev.isalnum() and (nxt.isalnum() or nxt in "$£€…([")
        closer = (prev.isalnum() or prev in ".,!?;:)…-—%") and not nxt.isalnum()
        is_single = mark in _SINGLE_PAIRS or mark == "’"
        if open_at is None:
            if is_single:
                if singles and mark in _SINGLE_PAIRS and opener:
                    open_at, closers, single = i, _SINGLE_PAIRS[mark], True
                continue
            if mark in _DOUBLE_CLOSERS and opener and not closer and not text[:i].strip(_LEADING):
                # '”This is why …,” said Ruiz.': a closing mark opening the paragraph
                open_at, closers, single = i, '”"', False
                continue
            if mark in _DOUBLE_CLOSERS or (mark in ('"', "''") and closer and not opener):
                continue  # a closing mark with nothing open: stray
            open_at, closers, single = i, _DOUBLE_PAIRS.get(mark, '"'), False
            continue
        if single:
            if mark in closers and closer and (mark != "'" or not nxt.isalnum()):
                spans.append((open_at, j))
                open_at = None
            continue  # double marks nest inside a single-quoted span
        if is_single:
            continue  # an apostrophe or a nested single quote
        if mark in closers:
            if mark in ('"', "''", "“") and opener and not closer:
                # it looks like an opening mark: the quote before was left open
                spans.append((open_at, i))
                open_at, closers = i, _DOUBLE_PAIRS[mark]
            else:
                # "''… on 'Fox and Friends,''' said Vietor": the inner quote's closing
                # mark, read after the outer one, belongs inside the span
                spans.append((open_at, j + 1 if mark == "''" and text[j : j + 1] == "'" else j))
                open_at = None
        elif mark == "“" and closer and not opener:
            spans.append((open_at, j))  # '“It's late,“ she said': a closing mark misdirected
            open_at = None
        elif mark in _DOUBLE_PAIRS and opener:
            spans.append((open_at, i))  # re-opened without closing: close it here
            open_at, closers = i, _DOUBLE_PAIRS[mark]
    if open_at is not None and single:
        return None
    ends_open = open_at is not None
    if open_at is not None:
        spans.append((open_at, n))
    lead = len(text) - len(text.lstrip(_LEADING))
    rest = text[lead:]
    opens = bool(rest) and (
        rest[0] in "\"“„«»‘'‚‹" or rest.startswith("``") or bool(spans and spans[0][0] == lead)
    )
    return QuoteSpans(tuple(sorted(s for s in spans if s[1] > s[0])), opens, ends_open)


def frame(paragraph: str, quotes: QuoteSpans, start: int, end: int) -> str:
    """The sentence ``paragraph[start:end]`` with each quoted span as one ``PLACEHOLDER``."""
    pieces: list[str] = []
    cursor = start
    for a, b in quotes.spans:
        if b <= start or a >= end:
            continue
        pieces.append(paragraph[cursor : max(a, start)])
        pieces.append(PLACEHOLDER)
        cursor = min(b, end)
    pieces.append(paragraph[cursor:end])
    return "".join(pieces)


def quoted_fraction(paragraph: str, quotes: QuoteSpans, start: int, end: int) -> float:
    """Share of the sentence's visible characters (no spaces, no marks) inside quotes."""
    total = _visible(paragraph[start:end])
    if total == 0:
        return 0.0
    inside = 0
    for a, b in quotes.spans:
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            inside += _visible(paragraph[lo:hi])
    return inside / total


_INVISIBLE = re.compile("[\\s\"“”„«»‘’'`‚‹›]+")


def _visible(text: str) -> int:
    return len(text) - sum(len(m) for m in _INVISIBLE.findall(text))
