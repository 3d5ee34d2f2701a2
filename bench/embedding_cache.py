"""A disk cache of embeddings for the scale benchmark (``var/bench-scale/``, git-ignored).

Embedding a 100k-paragraph corpus with MiniLM takes hours on this 2-core machine, so the
benchmark embeds each text once and keeps the vectors, keyed by the model fingerprint
and the text's sha1. ``CachedEncoder`` wraps a real encoder: cached texts come from disk,
the rest are embedded (and timed, so the benchmark can still report real embedding
throughput) and appended to the cache in chunks, so an interrupted run loses little.

Usage (fill the cache ahead of ``bench.scale``, paragraphs first):
``python -m bench.embedding_cache --paragraphs 100000 [--seed 7] [--sentences]``
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = ROOT / "var" / "bench-scale" / "embeddings"
CHUNK = 2048


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class CachedEncoder:
    """An ``Encoder`` that serves known texts from a disk cache and embeds the rest."""

    def __init__(self, encoder, cache_root: Path = CACHE_ROOT) -> None:
        self._encoder = encoder
        self.name = encoder.name
        self.fingerprint = encoder.fingerprint
        self.dimension = encoder.dimension
        self.directory = cache_root / re.sub(r"[^\w.@-]+", "_", self.fingerprint)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._rows: dict[bytes, np.ndarray] = {}
        for path in sorted(self.directory.glob("chunk-*.npz")):
            with np.load(path) as data:
                for key, vector in zip(data["keys"], data["vectors"], strict=True):
                    self._rows[bytes(key)] = vector
        self.hits = 0
        self.misses = 0
        self.encode_seconds = 0.0  # time spent embedding misses

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, text: str) -> bool:
        return _key(text) in self._rows

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._rows))
        by_key = {k: t for k, t in zip(keys, texts, strict=True)}
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            began = time.perf_counter()
            vectors = self._encoder.encode([by_key[k] for k in chunk])
            self.encode_seconds += time.perf_counter() - began
            self._store(chunk, vectors)
        self.misses += len(missing)
        self.hits += len(keys) - len(missing)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self._rows[key]
        return out

    def _store(self, keys: list[bytes], vectors: np.ndarray) -> None:
        for key, vector in zip(keys, vectors, strict=True):
            self._rows[key] = vector
        name = f"chunk-{time.time_ns():020d}.npz"
        tmp = self.directory / f".{name}.tmp"
        with tmp.open("wb") as handle:
            np.savez(handle, keys=np.array(keys, dtype="S20"), vectors=vectors)
        os.replace(tmp, self.directory / name)


def corpus_texts(paragraphs: int, seed: int) -> tuple[list[str], list[str]]:
    """(paragraph texts, distinct sentence texts) the index of that corpus embeds."""
    from bench.corpus_gen import generate
    from index.parsing.ingest import parse_article

    paragraph_texts: list[str] = []
    sentence_texts: dict[str, None] = {}
    for name, text in generate(paragraphs, seed):
        article = parse_article(name, text.encode("utf-8"))
        for paragraph in article.paragraphs:
            if paragraph.quotable:
                paragraph_texts.append(paragraph.text)
                sentence_texts.update((s.text, None) for s in paragraph.sentences)
    return paragraph_texts, list(sentence_texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sentences", action="store_true", help="embed sentences too")
    parser.add_argument("--only-sentences", action="store_true", help="embed sentences only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from index.encoding.factory import load_encoder

    encoder = CachedEncoder(load_encoder())
    paragraph_texts, sentence_texts = corpus_texts(args.paragraphs, args.seed)
    log.info(
        "%d paragraphs, %d sentences; %d vectors cached",
        len(paragraph_texts),
        len(sentence_texts),
        len(encoder),
    )
    wanted = [] if args.only_sentences else paragraph_texts
    wanted += sentence_texts if args.sentences or args.only_sentences else []
    for start in range(0, len(wanted), 10 * CHUNK):
        encoder.encode(wanted[start : start + 10 * CHUNK])
        log.info(
            "%d/%d done; %d embedded in %.0f s (%.1f texts/s)",
            min(start + 10 * CHUNK, len(wanted)),
            len(wanted),
            encoder.misses,
            encoder.encode_seconds,
            encoder.misses / max(encoder.encode_seconds, 1e-9),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
