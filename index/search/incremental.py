"""Incremental reindex: reuse the previous build's parse of every unchanged article.

Parsing (sentence splitting and attribution) costs about 2 ms a paragraph, so re-reading
a thousand articles to change one would take most of a reindex. An article whose bytes
have the same sha256 as in the previous build, parsed by the same parser code, is taken
from that build as it is; the others are parsed again. The parser is identified by the
sha256 of its modules' source (``index/parsing/parser_version.py``, which ``index/search/store.py``
records in every build), so a change to the attribution rules re-parses everything
(embeddings are still reused: they depend on text only).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index.models import Article
from index.parsing import ingest
from index.parsing.parser_version import parser_fingerprint

if TYPE_CHECKING:
    from index.search.store import SearchIndex

log = logging.getLogger(__name__)


def read_corpus(
    source: Path | Sequence[Path], previous: SearchIndex | None
) -> tuple[list[Article], int]:
    """Every article under ``source`` (a directory, or the files of a corpus) and how
    many were taken from ``previous``.

    Like ``ingest.read_corpus``, any bad file fails the whole read (``ArticleError``)."""
    reusable: dict[tuple[str, str], Article] = {}
    if previous is not None and previous.parser == parser_fingerprint():
        reusable = {(a.id, a.checksum): a for a in previous.articles}
    articles, reused = [], 0
    files = ingest.discover(source) if isinstance(source, Path) else list(source)
    for path in files:
        data = ingest.read_bytes(path, path.name)
        known = reusable.get((path.name, ingest.checksum(data)))
        if known is not None:
            articles.append(known)
            reused += 1
        else:
            articles.append(ingest.parse_article(path.name, data))
    log.debug("read %d articles, %d parsed again", len(articles), len(articles) - reused)
    return articles, reused
