"""Attribute article files as they are on disk: sentences with offsets into the raw file.

Ingest normalises what it reads (a UTF-8 byte-order mark is dropped, CRLF and CR line
endings become LF), and its sentence offsets refer to that normalised text. Tools that
work on the file itself (``python -m bot attribute``, the shared scorers) need offsets into
the file as it is: here every offset is a character index into the file decoded with the
same codec ingest chose, nothing removed (a BOM is one character, CRLF two), which is what
``open(path, encoding="utf-8", newline="").read()`` gives for a UTF-8 file. Each
sentence's ``text`` is that raw slice, so it is always verbatim.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from index.errors import ArticleError
from index.models import Attribution
from index.parsing.ingest import parse_article, read_bytes

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileSentence:
    """One sentence of a file: ``raw[start:end] == text``, in its 1-based paragraph."""

    start: int
    end: int
    text: str
    paragraph: int
    attribution: Attribution


@dataclass(frozen=True, slots=True)
class FileAttribution:
    """Every sentence of one article file, in order, with the file's raw text."""

    path: str
    title: str
    raw: str
    sentences: tuple[FileSentence, ...]


def raw_text(data: bytes) -> str:
    """The file's text with nothing normalised: the codec ingest would use, BOM kept."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def offset_map(raw: str) -> list[int]:
    """``positions[i]`` = index in ``raw`` of character ``i`` of ingest's normalised text.

    Normalisation only drops a leading BOM and the CR of each CRLF (a lone CR becomes an
    LF in place), so the map is monotonic; it has one extra entry for the end.
    """
    positions: list[int] = []
    start = 1 if raw.startswith("\ufeff") else 0
    n = len(raw)
    for i in range(start, n):
        if raw[i] == "\r" and i + 1 < n and raw[i + 1] == "\n":
            continue
        positions.append(i)
    positions.append(n)
    return positions


def attribute_file(path: Path) -> FileAttribution:
    """Parse and attribute one article file; ``ArticleError`` says why it cannot be."""
    name = str(path)
    if not path.exists():
        raise ArticleError(name, "no such file")
    if path.is_dir():
        raise ArticleError(name, "is a directory, not an article file")
    data = read_bytes(path, name)
    article = parse_article(name, data)
    raw = raw_text(data)
    positions = offset_map(raw)
    if len(positions) != len(article.text) + 1:  # defensive: never report shifted offsets
        raise ArticleError(name, "offsets could not be mapped back to the file")
    sentences = []
    for sentence in article.sentences():
        start, end = positions[sentence.start], positions[sentence.end - 1] + 1
        sentences.append(
            FileSentence(start, end, raw[start:end], sentence.paragraph, sentence.attribution)
        )
    return FileAttribution(name, article.title, raw, tuple(sentences))
