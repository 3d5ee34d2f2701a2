"""The reader's place in ranking: the first candidates reordered by score + blend x logit,
each carrying the reader's probability; the grade's reader signals read it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from index.engine import Engine
from index.retrieval import retriever as retriever_module
from index.retrieval.confidence import READER_ABSENT, SIGNALS


class LastFirst:
    """A stand-in reader that prefers later candidates (logit = position)."""

    def logits(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        return np.arange(len(sentences), dtype=np.float32)


def test_reread_reorders_the_first_candidates(
    fake_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    retriever = fake_engine._live()
    text = "When will the embassy in Kyiv reopen?"
    vector = fake_engine.encoder.encode([text])
    plain = retriever.prepare(text, vector)
    assert all(c.reader is None for c in plain.ranked)
    k = retriever.config.reader_candidates
    monkeypatch.setattr(retriever_module, "READER_BLEND", 100.0)
    retriever.reader = LastFirst()
    read = retriever.prepare(text, vector)
    head = plain.ranked[:k]
    assert len(head) == k
    assert [c.ref for c in read.ranked[:k]] == [c.ref for c in reversed(head)]
    assert [c.ref for c in read.ranked[k:]] == [c.ref for c in plain.ranked[k:]]
    expected = 1 / (1 + np.exp(-np.arange(len(head))))[::-1]
    assert [c.reader for c in read.ranked[:k]] == pytest.approx(list(expected))
    evidence = retriever.evidence(text, read.ranked)
    assert SIGNALS["reader"](evidence) == pytest.approx(expected[0])
    assert SIGNALS["reader_next"](evidence) == pytest.approx(expected[1])


def test_without_a_reader_the_signals_are_neutral(fake_engine: Engine) -> None:
    retriever = fake_engine._live()
    text = "Where is the embassy?"
    prepared = retriever.prepare(text, fake_engine.encoder.encode([text]))
    evidence = retriever.evidence(text, prepared.ranked)
    assert SIGNALS["reader"](evidence) == SIGNALS["reader_next"](evidence) == READER_ABSENT
