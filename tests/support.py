"""Shared by the tests: paths to test data and a deterministic fake encoder.

Import from here, not from ``conftest`` (pytest loads several conftest modules).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.lexical import tokenize

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
BUNDLED_ARTICLES = ROOT / "data" / "articles"
BUNDLED_ARTICLE = BUNDLED_ARTICLES / "us-embassy-kyiv-closes.txt"
DATA = TESTS / "data"


class FakeEncoder:
    """Deterministic bag-of-stemmed-words encoder: same words, same vector; no model."""

    name = "fake-encoder"
    fingerprint = "fake-encoder@1"

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.calls = 0

    def _slot(self, token: str) -> tuple[int, float]:
        digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dimension, 1.0 if value >> 63 else -1.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text) or ["\x00empty"]:
                slot, sign = self._slot(token)
                vectors[row, slot] += sign
            norm = np.linalg.norm(vectors[row])
            if norm:
                vectors[row] /= norm
        return vectors


def assert_embed_within_limits(embed) -> None:
    """An embed respects every Discord limit: title, description, fields, footer, total."""
    data = embed.to_dict()
    assert len(data.get("title") or "") <= 256
    assert len(data.get("description") or "") <= 4096
    assert len(data.get("fields") or []) <= 25
    for field in data.get("fields") or []:
        assert 0 < len(field["name"]) <= 256
        assert 0 < len(field["value"]) <= 1024
    assert len((data.get("footer") or {}).get("text") or "") <= 2048
    assert len(embed) <= 6000
