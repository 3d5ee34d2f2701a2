"""Shared by the tests: paths to test data and a deterministic fake encoder.

Import from here, not from ``conftest`` (pytest loads several conftest modules).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from index.search.lexical import tokenize

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


def synthetic_article(seed: int, paragraphs: int = 40) -> str:
    """A made-up article (title, then ``paragraphs`` quoted sentences of made-up words) to
    grow a corpus in tests without copying any real text."""
    rng = np.random.default_rng(seed)
    words = [f"w{seed}x{n}" for n in range(400)]
    body = []
    for number in range(paragraphs):
        said = " ".join(rng.choice(words, size=14))
        body.append(f'"{said.capitalize()}," the official number {number} said on Tuesday.')
    return f"Synthetic report {seed}\n\n" + "\n\n".join(body) + "\n"


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` (``mount`` syntax: "400k") at ``path`` for the block; skip
    the test with the reason when mounting is not allowed (not root, no CAP_SYS_ADMIN, no
    ``mount``). ``remount(path, "ro")`` or ``remount(path, "size=4m")`` changes it."""
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command here, so no small tmpfs for INDEX_DIR")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def remount(path: Path, options: str) -> None:
    """Change a mounted tmpfs (``"ro"``, ``"rw"``, ``"size=4m"``)."""
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)
