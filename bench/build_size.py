"""How close the free-space check's estimate is to what a build really writes.

Usage: ``python -m bench.build_size [--paragraphs 200,2000,20000] [ARTICLES_DIR ...]``

For the bundled article, any ARTICLES_DIR given, and generated corpora of the given sizes
(``bench/corpus_gen.py``), builds the index with a random 384-dimension encoder (a
build's size depends on its counts and the dimension, not on the vectors' values, so no
model is needed), then prints the estimate ``store.save`` checks against the free space,
the bytes written and the disk space used (``st_blocks``: small files take whole blocks).
The estimate must be at least the disk space used, or a build could pass the check and
still fill the disk. Asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.corpus_gen import write_corpus
from index.parsing.ingest import read_corpus
from index.search import store

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "articles"


class RandomEncoder:
    """Unit vectors from a hash of the text: the sizes of a real 384-dimension build."""

    name = fingerprint = "random-384"
    dimension = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            vector = np.random.default_rng(seed).standard_normal(self.dimension)
            out[row] = vector / np.linalg.norm(vector)
        return out


def measure(label: str, articles_dir: Path, work: Path) -> str:
    articles = read_corpus(articles_dir)
    index = store.build(articles, RandomEncoder())
    estimate = store.estimate_bytes(index, len(store._corpus_bytes(index)))
    build_dir = store.save(index, work / f"index-{label}")
    files = [p for p in build_dir.rglob("*") if p.is_file()]
    written = sum(p.stat().st_size for p in files)
    on_disk = sum(p.stat().st_blocks * 512 for p in files)
    return (
        f"| {label} | {len(articles)} | {len(index.sentence_refs)} | "
        f"{index.sentence_vectors.kind} | {written / 2**20:.2f} | {on_disk / 2**20:.2f} | "
        f"{estimate / 2**20:.2f} | {estimate / on_disk:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, metavar="ARTICLES_DIR")
    parser.add_argument("--paragraphs", default="200,2000,20000")
    args = parser.parse_args(argv)
    print(
        "| corpus | articles | sentences | vectors | written MB | on disk MB | estimate MB | "
        "estimate / on disk |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(measure("bundled", BUNDLED, work))
        for folder in args.dirs:
            print(measure(folder.name, folder, work))
        for count in (int(n) for n in args.paragraphs.split(",") if n):
            generated = work / f"generated-{count}"
            write_corpus(generated, count)
            print(measure(f"generated {count} paragraphs", generated, work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
