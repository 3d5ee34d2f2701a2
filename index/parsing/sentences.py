"""Sentence splitting with character offsets, so every sentence is a verbatim slice.

pysbd does the hard part (abbreviations such as "U.S." and "Mr.", decimals, quotes);
this module maps its output back onto the original text and repairs the fragments it
leaves behind (a lone closing quote mark, trailing white space).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import pysbd

from index.parsing.attribution import lexicon as lx
from index.parsing.attribution.quotes import find_quotes

log = logging.getLogger(__name__)

# pysbd is regex-heavy: feed it bounded pieces of very long paragraphs.
_MAX_CHUNK = 5_000
_HAS_WORD = re.compile(r"\w")
# pysbd ends sentences after these when a capital follows ("2 p.m. Monday", "Calif. —").
_ABBREVIATION_END = re.compile(
    r"(?:\b[ap]\.m\.|\b(?:"
    + "|".join(lx.US_STATE_ABBREVIATIONS + lx.MONTH_ABBREVIATIONS + lx.NAME_ABBREVIATIONS)
    + r"|vs)\.)$"
)
_CONTINUES = re.compile(r"^(?:[a-z0-9—–,;:)-]|(?:" + "|".join(lx.WEEKDAYS + lx.MONTHS) + r")\b)")
_EMPHASIS = "*_"


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Cut text longer than ``_MAX_CHUNK`` at sentence-looking boundaries."""
    if len(text) <= _MAX_CHUNK:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > _MAX_CHUNK:
        window = text[start : start + _MAX_CHUNK]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "), window.rfind("\n"))
        if cut <= 0:
            cut = window.rfind(" ")
        cut = _MAX_CHUNK if cut <= 0 else cut + 1
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _segment(text: str) -> list[tuple[int, int]]:
    """pysbd's sentences of ``text`` as stripped ``(start, end)`` spans."""
    spans: list[tuple[int, int]] = []
    for offset, chunk in _chunks(text):
        cursor = 0
        for piece in _segmenter().segment(chunk):
            stripped = piece.strip()
            if not stripped:
                continue
            found = chunk.find(stripped, cursor)
            if found < 0:  # pysbd altered the text: keep the rest whole
                log.debug("sentence splitter lost alignment; keeping the rest whole")
                rest = chunk[cursor:]
                lead = len(rest) - len(rest.lstrip())
                if rest.strip():
                    spans.append((offset + cursor + lead, offset + cursor + len(rest.rstrip())))
                break
            spans.append((offset + found, offset + found + len(stripped)))
            cursor = found + len(stripped)
    return spans


def _split_inside_quotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """pysbd keeps a closed quotation whole; split it where its content has sentences."""
    piece = text[start:end]
    cuts: list[int] = []
    for a, b in find_quotes(piece).spans:
        inner_start = a + 1
        inner = piece[inner_start : b - 1 if b - a > 1 else b]
        if len(inner) < 8:
            continue
        cuts.extend(inner_start + s for s, _ in _segment(inner)[1:])
    if not cuts:
        return [(start, end)]
    spans = []
    previous = 0
    for cut in [*sorted(set(cuts)), len(piece)]:
        chunk = piece[previous:cut]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + previous + lead, start + previous + len(chunk.rstrip())))
        previous = cut
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, stripped of spaces.

    Every span satisfies ``text[start:end] == text[start:end].strip()`` and spans are
    in order and do not overlap; fragments with no word character (such as a lone
    closing quote mark) are joined to the sentence before them.
    """
    spans: list[tuple[int, int]] = []
    for outer_start, outer_end in _segment(text):
        for start, end in _split_inside_quotes(text, outer_start, outer_end):
            previous = text[spans[-1][0] : spans[-1][1]] if spans else ""
            if spans and (
                not _HAS_WORD.search(text[start:end])
                or (_ABBREVIATION_END.search(previous) and _CONTINUES.match(text[start:end]))
            ):
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return [_trim_emphasis(text, start, end) for start, end in spans]


def _trim_emphasis(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop Markdown emphasis marks that wrap a sentence (``*Standfirst.*``)."""
    while end - start > 1 and text[start] in _EMPHASIS:
        start += 1
    while end - start > 1 and text[end - 1] in _EMPHASIS:
        end -= 1
    while end - start > 1 and text[start].isspace():
        start += 1
    return start, end
