"""Find quoted spans in a paragraph: curly, straight, single and guillemet quotes.

Straight quotes are ambiguous, so they toggle; apostrophes inside words (``There’s``)
are told apart from single quote marks by their neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘"
_SINGLE_CLOSE = "’"
QUOTE_CHARS = frozenset("\"“”„«»‘’'")
_QUOTE_CHAR = re.compile("[\"“”„«»‘’']")


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


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def find_quotes(text: str) -> QuoteSpans:
    """Return the quoted spans of ``text`` (an unclosed quote runs to the end).

    Double quotes inside a single-quoted span are nested and ignored; if a single quote
    mark never closes (it was an apostrophe after all), single quotes are ignored.
    """
    found = _scan(text, singles=True)
    return found if found is not None else _scan(text, singles=False)  # type: ignore[return-value]


def _scan(text: str, *, singles: bool) -> QuoteSpans | None:
    spans: list[tuple[int, int]] = []
    double_start: int | None = None
    single_start: int | None = None
    n = len(text)
    for match in _QUOTE_CHAR.finditer(text):  # only quote marks matter: skip to them
        i = match.start()
        ch = text[i]
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if ch in _DOUBLE_OPEN or ch in _DOUBLE_CLOSE or ch == '"':
            if single_start is not None:
                continue  # nested inside a single-quoted span
            if double_start is None:
                double_start = i
            elif ch in _DOUBLE_OPEN:
                # an opening mark while a quote is open: the last one was never closed
                spans.append((double_start, i))
                double_start = i
            else:
                spans.append((double_start, i + 1))
                double_start = None
                single_start = None
        elif singles and double_start is None and (ch in _SINGLE_OPEN or ch == "'"):
            if single_start is None:
                if not _is_word(prev) and _is_word(nxt):
                    single_start = i
            elif ch == "'" and not _is_word(nxt) and _is_word_or_punct(prev):
                spans.append((single_start, i + 1))
                single_start = None
        elif (
            double_start is None
            and ch in _SINGLE_CLOSE
            and single_start is not None
            and not _is_word(nxt)
            and _is_word_or_punct(prev)
        ):
            spans.append((single_start, i + 1))
            single_start = None
    if single_start is not None:
        return None
    ends_open = double_start is not None
    if double_start is not None:
        spans.append((double_start, n))
    stripped = text.lstrip()
    opens = bool(stripped) and stripped[0] in "\"“„«‘'"
    return QuoteSpans(tuple(sorted(spans)), opens, ends_open)


def _is_word_or_punct(ch: str) -> bool:
    return ch.isalnum() or ch in ".,!?;:)"
