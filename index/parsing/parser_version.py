"""Which parser made a build: the sha256 of the code that turns article bytes into an ``Article``.

A build records it (``store.SearchIndex.parser``) and an incremental build reuses an
article's earlier parse only under the same value (``index/search/incremental.py``), so a change
to the attribution rules re-parses everything. It lives in its own module because both
``store`` and ``incremental`` need it, and ``incremental`` reads builds from ``store``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from index import models
from index.parsing import attribution, classify, ingest, sentences

PARSER_MODULES = (ingest, classify, sentences, models)
#: Packages whose every module is parser code (a new module is covered without listing it).
PARSER_PACKAGES = (attribution,)


def parser_sources() -> list[Path]:
    """The parser's files: the modules above, and every module and table of the packages."""
    files = [Path(module.__file__) for module in PARSER_MODULES]
    for package in PARSER_PACKAGES:
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
