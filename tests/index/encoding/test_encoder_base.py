"""``index.encoding.base``: length-sorted batching keeps the caller's order."""

from __future__ import annotations

import numpy as np

from index.encoding.base import encode_sorted


def test_batches_are_sorted_by_length_and_rows_come_back_in_order():
    """Each batch holds texts of similar length; row i of the result is text i's vector."""
    texts = ["ccc", "a", "bbbbbb", "dd", "", "eeeee"]
    batches: list[list[str]] = []

    def encode_batch(batch: list[str]) -> np.ndarray:
        batches.append(batch)
        return np.array([[len(t), 1.0] for t in batch], dtype=np.float32)

    out = encode_sorted(texts, 2, 2, encode_batch)
    assert batches == [["", "a"], ["dd", "ccc"], ["eeeee", "bbbbbb"]]
    assert out.dtype == np.float32
    assert out[:, 0].tolist() == [len(t) for t in texts]


def test_no_texts_no_call():
    """Nothing to embed: an empty (0, dimension) array and no batch."""

    def encode_batch(batch: list[str]) -> np.ndarray:
        raise AssertionError("called")

    assert encode_sorted([], 384, 32, encode_batch).shape == (0, 384)
