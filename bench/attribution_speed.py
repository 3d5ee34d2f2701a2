"""Parsing speed: paragraphs per second over a corpus, and the bundled article's parse.

Usage: ``python -m bench.attribution_speed [--data DIR] [--repeats N]``.

Parsing is what a reindex does to every new or changed article before embedding it:
decoding, blocks, sentence splitting (pysbd), quote detection and attribution. Printed,
as a Markdown table: the one-off cost of reading the cue table (the inflections
lemminflect generated, read on first use), then for the bundled article and the PolNeAR
sample (the 840 real articles of its train split, shared data; skipped when absent), the
best of ``--repeats`` runs of parsing every file, as paragraphs and sentences per second,
with the shares of sentence splitting and attribution. One process, one core; no timing
is asserted anywhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.polnear_eval import default_data  # noqa: E402
from index.parsing import ingest, sentences  # noqa: E402
from index.parsing.attribution import Attributor, lexicon  # noqa: E402

BUNDLED = ROOT / "data" / "articles"


def timed_parse(files: list[tuple[str, bytes]], repeats: int) -> tuple[float, float, float]:
    """Best-of wall time to parse all ``files``, and the part spent splitting/attributing."""
    best = (float("inf"), 0.0, 0.0)
    split, attribute = sentences.split_sentences, Attributor.attribute
    for _ in range(repeats):
        spent = {"split": 0.0, "attribute": 0.0}

        def timed_split(text: str, _spent=spent) -> list[tuple[int, int]]:
            start = time.perf_counter()
            try:
                return split(text)
            finally:
                _spent["split"] += time.perf_counter() - start

        def timed_attribute(self, paragraph, spans, _spent=spent):
            start = time.perf_counter()
            try:
                return attribute(self, paragraph, spans)
            finally:
                _spent["attribute"] += time.perf_counter() - start

        ingest.split_sentences, Attributor.attribute = timed_split, timed_attribute
        try:
            start = time.perf_counter()
            for name, data in files:
                ingest.parse_article(name, data)
            total = time.perf_counter() - start
        finally:
            ingest.split_sentences, Attributor.attribute = split, attribute
        if total < best[0]:
            best = (total, spent["split"], spent["attribute"])
    return best


def counts(files: list[tuple[str, bytes]]) -> tuple[int, int]:
    paragraphs = sentences_total = 0
    for name, data in files:
        article = ingest.parse_article(name, data)
        paragraphs += sum(1 for p in article.paragraphs if p.kind == "body")
        sentences_total += len(article.sentences())
    return paragraphs, sentences_total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=default_data())
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    start = time.perf_counter()
    lexicon.cue_forms()
    table_ms = (time.perf_counter() - start) * 1000
    print(f"cue table (inflections.txt, read once per process): {table_ms:.1f} ms")
    print()
    print(
        "| corpus | articles | body paragraphs | sentences | best of | seconds "
        "| paragraphs/s | sentences/s | splitting | attribution |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    corpora = {"bundled article": sorted(BUNDLED.glob("*.txt"))}
    if (args.data / "articles").is_dir():
        corpora["PolNeAR sample"] = sorted((args.data / "articles").glob("*.txt"))
    for label, paths in corpora.items():
        files = [(p.name, p.read_bytes()) for p in paths]
        paragraphs, sentence_count = counts(files)
        repeats = args.repeats * (20 if len(files) < 5 else 1)
        total, split, attribute = timed_parse(files, repeats)
        print(
            f"| {label} | {len(files)} | {paragraphs} | {sentence_count} | {repeats} "
            f"| {total:.3f} | {paragraphs / total:,.0f} | {sentence_count / total:,.0f} "
            f"| {100 * split / total:.0f}% | {100 * attribute / total:.0f}% |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
