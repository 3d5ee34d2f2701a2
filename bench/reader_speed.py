"""The reader's cost per question: p50 of reading 1, 2 and 5 candidates, against one query
embedding in the same run (the budget is a multiple of it).

Usage::

    python -m bench.reader_speed                        # the shipped reader
    python -m bench.reader_speed --reader var/reader/fold0.onnx   # a bench.train_reader fold

Invented question and sentence; prints a table for docs/benchmarks.md. Never a test.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from bench.benchmark import percentile
from index.checksums import sha256_file
from index.encoding.factory import load_encoder
from index.encoding.model_files import BUNDLED, prepare_model
from index.reader.model import READER_FILE, Reader

QUESTION = "Which minister said the talks on the grain corridor would resume next week?"
SENTENCE = (
    "The foreign minister told reporters in Ankara on Tuesday that negotiations over the "
    "Black Sea grain corridor could resume as early as next week, according to two officials."
)


def p50_ms(call, rounds: int) -> float:
    call()  # warm
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return percentile(times, 50) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reader", type=Path, action="append", help="an ONNX reader file")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    files = prepare_model(BUNDLED)
    encoder = load_encoder()
    base = p50_ms(lambda: encoder.encode([QUESTION]), args.rounds)
    print(f"query embedding p50 {base:.1f} ms\n")
    print("| reader | file | candidates | p50 | vs query embedding |")
    print("|---|---|---|---|---|")
    for path in args.reader or [READER_FILE]:
        if not path.is_file():
            print(f"error: no reader file {path}", file=sys.stderr)
            return 2
        reader = Reader(files, path, sha256_file(path))
        size = path.stat().st_size / 1e6
        for k in (1, 2, 5):
            sentences = [SENTENCE] * k
            ms = p50_ms(lambda r=reader, s=sentences: r.logits(QUESTION, s), args.rounds)
            print(f"| {path.name} | {size:.1f} MB | {k} | {ms:.1f} ms | {ms / base:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
