"""Time to parse hostile article files (sentences + attribution). Prints a table; asserts
nothing (the structural bounds are tested in tests/index/test_hostile_articles.py).

Usage: ``python -m bench.hostile_inputs [--sizes 100000,1000000]``

Shapes: ordinary prose in one paragraph (no blank lines), the same opened with a quote
mark that never closes, one paragraph made of short quotations (the case that was
quadratic: each sentence was compared with every other), thousands of tiny paragraphs,
and a paragraph without any sentence punctuation. Time should grow linearly with size.
"""

from __future__ import annotations

import argparse
import random
import time

from index.parsing.ingest import parse_article

SENTENCE = "the embassy said that officials were warned of an attack on Monday by Mr. Smith"
WORDS = [*SENTENCE.split(" "), "in", "the", "U.S.", "capital"]


def prose(size: int, rng: random.Random) -> str:
    out: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(WORDS) + ("." if rng.random() < 0.08 else "")
        out.append(word)
        total += len(word) + 1
    return " ".join(out)


def shapes(size: int) -> dict[str, str]:
    rng = random.Random(1)
    return {
        "prose, one paragraph": prose(size, rng),
        "quote never closed": "“" + prose(size, rng),
        "short quotations": " ".join(
            f"“{prose(80, rng)}” said official {n}." for n in range(size // 100)
        ),
        "tiny paragraphs": "\n\n".join(f"Official {n} said “yes.”" for n in range(size // 25)),
        "no punctuation": ("word " * (size // 5 + 1))[:size],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated bytes")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| shape | size | paragraphs | sentences | seconds |")
    print("|---|---|---|---|---|")
    for size in sizes:
        for name, body in shapes(size).items():
            data = f"A title\n\n{body}\n".encode()
            started = time.perf_counter()
            article = parse_article("hostile.txt", data)
            seconds = time.perf_counter() - started
            print(
                f"| {name} | {len(data) / 1e6:.1f} MB | {len(article.paragraphs)} | "
                f"{len(article.sentences())} | {seconds:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
