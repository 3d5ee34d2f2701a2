"""The encoder interface and the batching every backend shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension.

    ``name`` is shown to people (``/about``); ``fingerprint`` is recorded in the index
    manifest: an index is reused only by an encoder with the same fingerprint, so two
    backends that produce the same vectors from the same weights share one."""

    name: str
    fingerprint: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def encode_sorted(
    texts: Sequence[str],
    dimension: int,
    batch_size: int,
    encode_batch: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """Embed ``texts`` in batches of similar length (little padding), in their order."""
    out = np.zeros((len(texts), dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        out[rows] = encode_batch([texts[i] for i in rows])
    return out
