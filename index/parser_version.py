"""Which parser made a build: the sha256 of the code that turns article bytes into an ``Article``.

A build records it (``store.SearchIndex.parser``) and an incremental build reuses an
article's earlier parse only under the same value (``index/incremental.py``), so a change
to the attribution rules re-parses everything. It lives in its own module because both
``store`` and ``incremental`` need it, and ``incremental`` reads builds from ``store``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from index import attribution, classify, ingest, models, quotes, sentences

PARSER_MODULES = (ingest, attribution, classify, sentences, quotes, models)


@cache
def parser_fingerprint() -> str:
    """sha256 over the source of the modules that turn article bytes into an ``Article``."""
    digest = hashlib.sha256()
    for module in PARSER_MODULES:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]
