"""Incremental reindex: reuse the previous build's parse of every unchanged article.

Parsing (sentence splitting and attribution) costs about 2 ms a paragraph, so re-reading
a thousand articles to change one would take most of a reindex. An article whose bytes
have the same sha256 as in the previous build, parsed by the same parser code, is taken
from that build as it is; the others are parsed again. The parser is identified by the
sha256 of its modules' source (``parser_fingerprint``), so a change to the attribution
rules re-parses everything (embeddings are still reused: they depend on text only).
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from index import attribution, classify, ingest, models, sentences
from index.models import Article

if TYPE_CHECKING:
    from index.store import SearchIndex

log = logging.getLogger(__name__)

_PARSER_MODULES = (ingest, classify, sentences, models)
#: Packages whose every module is parser code (a new module is covered without listing it).
_PARSER_PACKAGES = (attribution,)


def parser_sources() -> list[Path]:
    """The parser's files: the modules above, and every module and table of the packages."""
    files = [Path(module.__file__) for module in _PARSER_MODULES]
    for package in _PARSER_PACKAGES:
        folder = Path(package.__file__).parent
        files.extend(sorted([*folder.glob("*.py"), *folder.glob("*.txt")]))
    return files


@cache
def parser_fingerprint() -> str:
    """sha256 over the source of the modules that turn article bytes into an ``Article``
    (and the data files they read, such as the cue verbs' inflection table)."""
    digest = hashlib.sha256()
    for path in parser_sources():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_corpus(articles_dir: Path, previous: SearchIndex | None) -> tuple[list[Article], int]:
    """Every article under ``articles_dir`` and how many were taken from ``previous``.

    Like ``ingest.read_corpus``, any bad file fails the whole read (``ArticleError``)."""
    reusable: dict[tuple[str, str], Article] = {}
    if previous is not None and previous.parser == parser_fingerprint():
        reusable = {(a.id, a.checksum): a for a in previous.articles}
    articles, reused = [], 0
    for path in ingest.discover(articles_dir):
        data = ingest.read_bytes(path, path.name)
        known = reusable.get((path.name, ingest.checksum(data)))
        if known is not None:
            articles.append(known)
            reused += 1
        else:
            articles.append(ingest.parse_article(path.name, data))
    log.debug("read %d articles, %d parsed again", len(articles), len(articles) - reused)
    return articles, reused
