"""How a (question, candidate sentence) pair is written for the reader.

One function, used by the training script (``bench/train_reader.py``) and at run time, so
the model always reads pairs written the same way: the question as segment A, the
sentence as segment B, prefixed by its speaker when the sentence is attributed ("Kuleba:
..."), so "what did X say about Y" can be read against who says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.models import Attribution

MAX_TOKENS = 96  # question + sentence + 3 special tokens; longer pairs are cut (sentence first)
QUESTION_TOKENS = 32  # at most this much of the question


def sentence_side(text: str, attribution: Attribution | None = None) -> str:
    """Segment B: the sentence, after its speaker when it has one."""
    text = " ".join(text.split())
    if attribution is not None and attribution.speaker and not attribution.is_narration:
        return f"{attribution.speaker}: {text}"
    return text


class PairTokenizer:
    """``[CLS] question [SEP] sentence [SEP]`` token ids, type ids and mask, padded to the
    longest pair (the question cut to ``QUESTION_TOKENS``, the pair to ``MAX_TOKENS``)."""

    def __init__(self, tokenizer_json: Path) -> None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(tokenizer_json))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        self._cls = tokenizer.token_to_id("[CLS]")
        self._sep = tokenizer.token_to_id("[SEP]")

    def encode(
        self, question: str, sentences: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        q = self._tokenizer.encode(question, add_special_tokens=False).ids[:QUESTION_TOKENS]
        encoded = self._tokenizer.encode_batch(list(sentences), add_special_tokens=False)
        room = MAX_TOKENS - len(q) - 3
        rows = [[self._cls, *q, self._sep, *e.ids[:room], self._sep] for e in encoded]
        length = max(len(r) for r in rows)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            types[i, len(q) + 2 : len(row)] = 1
            mask[i, : len(row)] = 1
        return ids, types, mask
