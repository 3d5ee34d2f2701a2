"""Lexical matching with BM25 (bm25s) over stemmed words.

Dense embeddings blur names, numbers and places; BM25 catches them. The tokenizer is
shared by the index and by the abstention check, so both see the same words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")


def _has_apostrophe(word: str) -> bool:
    return "'" in word or "’" in word


# Words that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = frozenset(
    [
        "what",
        "whats",
        "who",
        "whom",
        "whose",
        "why",
        "when",
        "where",
        "which",
        "how",
        "did",
        "does",
        "do",
        "done",
        "doing",
        "is",
        "are",
        "was",
        "were",
        "say",
        "says",
        "said",
        "saying",
        "tell",
        "tells",
        "told",
        "article",
        "story",
        "news",
        "report",
        "reported",
        "mention",
        "mentioned",
        "according",
        "anyone",
        "anybody",
        "someone",
        "somebody",
        "something",
        "thing",
        "things",
        "happen",
        "happened",
        "happening",
        "going",
        "get",
        "got",
        "can",
        "could",
        "would",
        "should",
        "will",
        "there",
        "please",
        "pls",
        "know",
        "explain",
        "describe",
        "give",
        "us",
        "me",
        "i",
        "my",
        "you",
        "your",
        "hey",
        "hi",
        "hello",
        "ok",
        "okay",
        "also",
        "really",
        "just",
        "about",
        "regarding",
        "re",
        "much",
        "many",
        "any",
    ]
)
STOPWORDS = frozenset(STOPWORDS_EN) | QUESTION_WORDS


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def content_words(text: str) -> list[str]:
    """Lower-cased content words of ``text``, unstemmed (possessives and stopwords dropped)."""
    words = []
    for raw in _TOKEN.findall(text.lower()):
        word = _POSSESSIVE.sub("", raw).replace("’", "'") if _has_apostrophe(raw) else raw
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        words.append(word)
    return words


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (possessives dropped)."""
    return [_stem(word) for word in content_words(text)]


def stem(word: str) -> str:
    """The stem ``tokenize`` gives one lower-cased word."""
    return _stem(word)


_DOCUMENT_FREQUENCY = "document_frequency.json"


class LexicalIndex:
    """BM25 scores of a query against a fixed list of documents."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._size = len(documents)
        tokens = [tokenize(doc) or ["\x00"] for doc in documents]
        self.document_frequency: dict[str, int] = {}
        for doc_tokens in tokens:
            for token in set(doc_tokens):
                self.document_frequency[token] = self.document_frequency.get(token, 0) + 1
        self._bm25 = bm25s.BM25()
        if documents:
            self._bm25.index(tokens, show_progress=False)

    def save(self, directory: Path) -> None:
        """Write the index into ``directory`` (bm25s arrays + document frequencies)."""
        directory.mkdir(parents=True, exist_ok=True)
        if self._size:
            self._bm25.save(directory, show_progress=False)
        (directory / _DOCUMENT_FREQUENCY).write_text(
            json.dumps({"documents": self._size, "frequency": self.document_frequency}),
            encoding="utf-8",
        )

    def stored_bytes(self) -> int:
        """About how many bytes ``save`` writes: the score arrays plus the two word tables
        (JSON), for the free-space check before a build is written."""
        words = sum(len(word.encode("utf-8")) + 16 for word in self.document_frequency)
        size = 2048 + words
        if self._size:
            arrays = (self._bm25.scores[key] for key in ("data", "indices", "indptr"))
            size += sum(int(getattr(array, "nbytes", 0)) + 128 for array in arrays) + words
        return size

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = False) -> LexicalIndex:
        """Read an index ``save`` wrote; with ``mmap`` its score arrays are mapped, not read.

        Raises ``ValueError`` (or ``OSError``) when the files are malformed or missing."""
        data = json.loads((directory / _DOCUMENT_FREQUENCY).read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index._size = int(data["documents"])
        index.document_frequency = {str(k): int(v) for k, v in data["frequency"].items()}
        index._bm25 = bm25s.BM25()
        if index._size:
            index._bm25 = bm25s.BM25.load(directory, mmap=mmap, show_progress=False)
            if index._bm25.scores["num_docs"] != index._size:
                raise ValueError("the BM25 arrays and the document count disagree")
        return index

    def __len__(self) -> int:
        return self._size

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for already tokenized query words."""
        known = [t for t in query_tokens if t in self.document_frequency]
        if not known or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; unseen words get the highest value."""
        df = self.document_frequency.get(token, 0)
        return float(np.log(1.0 + (self._size - df + 0.5) / (df + 0.5)))
