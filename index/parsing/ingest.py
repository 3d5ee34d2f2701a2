"""Read article files into parsed, classified and attributed ``Article`` objects.

Formats: ``.txt`` and ``.md`` (title = first line or heading, paragraphs = blocks split
on blank lines). Text is decoded as UTF-8 (a BOM is dropped) or, failing that, as
Windows-1252; line endings are normalised to ``\\n``. Sentence offsets refer to that
normalised text, so every sentence is ``article.text[start:end]``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from index.checksums import sha256_bytes
from index.errors import ArticleError, CorpusError
from index.models import NARRATION, Article, Attribution, Paragraph, Sentence
from index.parsing.attribution import Attributor
from index.parsing.attribution.phrases import not_a_source
from index.parsing.attribution.quotes import find_quotes
from index.parsing.classify import classify_block
from index.parsing.sentences import split_sentences

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
#: Body blocks longer than this are attributed in windows (see ``attribute_block``).
ATTRIBUTION_WINDOW = 8_000
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n(?:[ \t\u00a0]*\n)*")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


def discover(articles_dir: Path, *, allow_empty: bool = False) -> list[Path]:
    """List the article files directly under ``articles_dir`` (sorted, no symlinks out);
    ``CorpusError`` when there is none, unless ``allow_empty``."""
    if not articles_dir.is_dir():
        raise CorpusError(f"ARTICLES_DIR {articles_dir} does not exist or is not a directory")
    root = articles_dir.resolve()
    files = []
    for path in sorted(articles_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if not path.is_file():
            continue
        if path.resolve().parent != root:
            log.warning("skipping %s: it points outside ARTICLES_DIR", path.name)
            continue
        files.append(path)
    if not files and not allow_empty:
        raise CorpusError(
            f"ARTICLES_DIR {articles_dir} holds no article (.txt or .md files expected)"
        )
    return files


def discover_in(shared: Sequence[Path], own: Path) -> list[Path]:
    """The article files of a corpus made of read-only ``shared`` directories (a server
    collection sees the default articles) and its ``own`` directory, shared first.

    A file name is one article: an own file named like a shared one is skipped (with a
    warning; uploads refuse such names). ``CorpusError`` when a directory is missing or
    the corpus holds no article at all."""
    if not shared:
        return discover(own)
    files = [path for folder in shared for path in discover(folder, allow_empty=True)]
    seen = {path.name for path in files}
    for path in discover(own, allow_empty=True):
        if path.name in seen:
            log.warning("skipping %s in %s: a shared article has that name", path.name, own)
            continue
        files.append(path)
    if not files:
        raise CorpusError(f"{own} and the default articles hold no article")
    return files


def checksum(data: bytes) -> str:
    return sha256_bytes(data)


def decode(data: bytes, name: str) -> str:
    """Decode article bytes to text, refusing empty and binary files."""
    if not data.strip():
        raise ArticleError(name, "the file is empty")
    if b"\x00" in data:
        raise ArticleError(name, "the file looks binary (it contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        log.warning("%s is not UTF-8; read it as Windows-1252", name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t")
    if controls > max(8, len(text) // 100):
        raise ArticleError(name, "the file looks binary (too many control characters)")
    if not any(ch.isalpha() for ch in text):
        raise ArticleError(name, "the file has no words in it")
    return text


def blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the blocks of ``text``: runs of non-blank lines, stripped of edges."""
    spans = []
    cursor = 0
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[cursor:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((cursor + lead, cursor + len(chunk.rstrip())))
        if match:
            cursor = match.end()
    return spans


def title_of(first_block: str, fallback: str) -> str:
    line = first_block.strip().split("\n", 1)[0]
    line = _MD_HEADING.sub("", line).strip().strip("*_").strip()
    return line or fallback


def attribute_block(
    attributor: Attributor, block: str, spans: list[tuple[int, int]]
) -> list[Attribution]:
    """Attribute the sentences of a body block; a very long block in windows.

    Attribution compares each sentence of a paragraph with the others (shared quotations,
    the nearest speaker): instant for a real paragraph, quadratic for a pathological one
    such as a long file without blank lines. Blocks over ``ATTRIBUTION_WINDOW``
    characters are attributed in runs of whole sentences of about that size, cut outside
    quotations where possible, so time stays linear in the size of the file.
    """
    if len(block) <= ATTRIBUTION_WINDOW or not spans:
        return attributor.attribute(block, spans)
    result: list[Attribution] = []
    for lo, hi in _windows(block, spans):
        base = spans[lo][0]
        piece = block[base : spans[hi - 1][1]]
        result.extend(attributor.attribute(piece, [(a - base, b - base) for a, b in spans[lo:hi]]))
    return result


def _windows(block: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[lo, hi)`` runs of sentence indices covering ``spans`` (see ``attribute_block``)."""
    quoted = find_quotes(block).spans  # sorted and disjoint
    windows: list[tuple[int, int]] = []
    lo = q = 0
    for i in range(1, len(spans)):
        cut = spans[i][0]
        size = cut - spans[lo][0]
        if size < ATTRIBUTION_WINDOW:
            continue
        while q < len(quoted) and quoted[q][1] <= cut:
            q += 1
        inside_quote = q < len(quoted) and quoted[q][0] < cut
        if inside_quote and size < 2 * ATTRIBUTION_WINDOW:
            continue
        windows.append((lo, i))
        lo = i
    windows.append((lo, len(spans)))
    return windows


def _carry_back(
    paragraphs: list[Paragraph], pending: list[int], block: str, attributions: list[Attribution]
) -> list[int]:
    """A quotation opened in one paragraph and attributed in the next.

    Paragraphs of one quotation each reopen it and only the last closes it; when the first
    ones have no cue (``"We will not close the pool.`` then ``"The money is there," said
    Mayor Jo Kerr.``), the speaker named at the end is theirs. Returns the paragraphs still
    waiting: this one, if it opens and ends inside a quotation with no speaker.
    """
    quotes = find_quotes(block)
    if not quotes.opens_with_quote or not attributions:
        return []
    first = attributions[0]
    if pending and first.kind == "direct" and first.speaker:
        for at in pending:
            old = paragraphs[at]
            carried = tuple(
                replace(s, attribution=first) if s.attribution.is_narration else s
                for s in old.sentences
            )
            paragraphs[at] = replace(old, sentences=carried)
        return []
    if quotes.ends_open and all(a.is_narration for a in attributions):
        return [*pending, len(paragraphs)]
    return []


def parse_article(article_id: str, data: bytes) -> Article:
    """Parse the bytes of one article file into an ``Article``."""
    text = decode(data, article_id)
    block_spans = blocks(text)
    if not block_spans:
        raise ArticleError(article_id, "the file has no paragraphs")
    title = title_of(text[block_spans[0][0] : block_spans[0][1]], article_id)
    attributor = Attributor()
    paragraphs: list[Paragraph] = []
    pending: list[int] = []  # quotation paragraphs still waiting for their speaker
    for number, (start, end) in enumerate(block_spans, start=1):
        block = text[start:end]
        kind = classify_block(block, number)
        sentences: tuple[Sentence, ...] = ()
        if kind == "body":
            spans = split_sentences(block)
            attributions = attribute_block(attributor, block, spans)
            sentences = tuple(
                Sentence(number, start + a, start + b, block[a:b], attribution)
                for (a, b), attribution in zip(spans, attributions, strict=True)
            )
            pending = _carry_back(paragraphs, pending, block, attributions)
        else:
            attributor.observe_names(block)
            pending = []
        paragraphs.append(Paragraph(number, start, end, block, kind, sentences))
    if not any(p.sentences for p in paragraphs):
        raise ArticleError(article_id, "the file has a title but no body paragraphs")
    paragraphs = [_without_false_sources(p, text) for p in paragraphs]
    return Article(article_id, title, text, checksum(data), tuple(paragraphs))


def _without_false_sources(paragraph: Paragraph, text: str) -> Paragraph:
    """Narration where the "speaker" is a sentence-opening word ("Having", "His"), which
    a reply would otherwise show as who said it."""
    if not any(not_a_source(s.attribution.speaker or "", text) for s in paragraph.sentences):
        return paragraph
    sentences = tuple(
        replace(s, attribution=NARRATION)
        if s.attribution.speaker and not_a_source(s.attribution.speaker, text)
        else s
        for s in paragraph.sentences
    )
    return replace(paragraph, sentences=sentences)


def read_bytes(path: Path, name: str) -> bytes:
    """The bytes of an article file, or ``ArticleError`` saying why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(name, f"the file is too large ({size} bytes)")
        return path.read_bytes()
    except OSError as exc:
        raise ArticleError(name, f"cannot read the file ({exc.strerror or exc})") from exc


def read_article(path: Path, article_id: str | None = None) -> Article:
    """Read and parse one article file, with a clear error when it cannot be used."""
    name = article_id or path.name
    return parse_article(name, read_bytes(path, name))


def read_corpus(articles_dir: Path) -> list[Article]:
    """Read every article under ``articles_dir``; any bad file fails the whole read."""
    return [read_article(path) for path in discover(articles_dir)]


def iter_quotable(articles: Iterable[Article]) -> Iterable[tuple[Article, Paragraph, Sentence]]:
    for article in articles:
        for paragraph in article.paragraphs:
            if paragraph.quotable:
                for sentence in paragraph.sentences:
                    yield article, paragraph, sentence
