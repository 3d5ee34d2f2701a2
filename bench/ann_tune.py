"""Choose the approximate FAISS index by measurement: recall@10 against exact search and
per-query latency, on real MiniLM embeddings of the generated news corpus.

Usage: ``python -m bench.ann_tune [--rows N] [--queries Q]``

The database is the first ``N`` vectors of the embedding cache (``bench/embedding_cache``:
paragraphs of the generated corpus, in corpus order); the queries are ``Q`` cached
vectors left out of the database plus the evaluation questions (bench/eval, bench/dev)
embedded with the same model. Each candidate is built once, single-threaded like the
engine, then searched one query at a time (k=10 for recall, k=40 — the ranker's sentence
candidates — for latency). Prints one row per candidate; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from bench.embedding_cache import CACHE_ROOT

ROOT = Path(__file__).resolve().parent.parent
K_RECALL = 10
K_LATENCY = 40
_KEEP: list[faiss.Index] = []
# The grid of docs/benchmarks.md (a first pass with M=16 and efConstruction=40 stayed
# below recall 0.93 at efSearch=128 on 20k vectors, so it starts higher).
HNSW_BUILDS = ((16, 40), (32, 64), (32, 128), (48, 200))
HNSW_SEARCHES = (64, 128, 256, 512)
IVF_PROBES = (16, 32, 64, 128)


def cached_vectors(limit: int) -> np.ndarray:
    """Up to ``limit`` cached embeddings of the bundled model, in the order embedded, each
    text once (a one-sentence paragraph was cached as paragraph and as sentence)."""
    folders = sorted(CACHE_ROOT.glob("*all-MiniLM-L6-v2*"))
    if not folders:
        raise SystemExit(f"no cached embeddings under {CACHE_ROOT}: run bench.embedding_cache")
    parts, seen = [], set()
    for path in sorted(folders[0].glob("chunk-*.npz")):
        with np.load(path) as data:
            fresh = [i for i, key in enumerate(data["keys"]) if bytes(key) not in seen]
            seen.update(bytes(data["keys"][i]) for i in fresh)  # a text cached twice
            parts.append(data["vectors"][fresh])
        if len(seen) >= limit:
            break
    return np.ascontiguousarray(np.concatenate(parts)[:limit], dtype=np.float32)


def question_vectors() -> np.ndarray:
    from index.encoding.factory import load_encoder

    questions = []
    for path in sorted((ROOT / "bench").glob("**/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return load_encoder().encode(questions)


def candidates(d: int, n: int) -> list[tuple[str, faiss.Index, list[tuple[str, object]]]]:
    """(name, empty index, [(search-parameter label, setter)]) for each candidate."""
    out = []
    for m, ef_construction in HNSW_BUILDS:
        index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        settings = [
            (f"efSearch={ef}", lambda ix, ef=ef: setattr(ix.hnsw, "efSearch", ef))
            for ef in HNSW_SEARCHES
        ]
        out.append((f"HNSWFlat M={m} efC={ef_construction}", index, settings))
    nlist = int(4 * np.sqrt(n))
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    _KEEP.append(quantizer)  # the IVF index does not own its quantizer
    settings = [(f"nprobe={p}", lambda ix, p=p: setattr(ix, "nprobe", p)) for p in IVF_PROBES]
    out.append((f"IVFFlat nlist={nlist}", index, settings))
    return out


def recall(truth: np.ndarray, found: np.ndarray) -> float:
    return float(
        np.mean([len(set(t) & set(f)) / len(t) for t, f in zip(truth, found, strict=True)])
    )


def timed_search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, list]:
    ids, times = [], []
    for row in range(len(queries)):
        began = time.perf_counter()
        _, found = index.search(queries[row : row + 1], k)
        times.append(time.perf_counter() - began)
        ids.append(found[0])
    return np.asarray(ids), times


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300, help="held-out corpus vectors")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    faiss.omp_set_num_threads(1)
    vectors = cached_vectors(args.rows + args.queries)
    if len(vectors) <= args.queries:
        raise SystemExit("not enough cached embeddings")
    database, held_out = vectors[: -args.queries], vectors[-args.queries :]
    queries = np.concatenate([held_out, question_vectors()])
    n, d = database.shape
    print(
        f"{n} real MiniLM vectors (d={d}); {len(queries)} queries "
        f"({len(held_out)} held-out corpus texts + {len(queries) - len(held_out)} questions)"
    )
    exact = faiss.IndexFlatIP(d)
    exact.add(database)
    truth, _ = timed_search(exact, queries, K_RECALL)
    _, exact_times = timed_search(exact, queries, K_LATENCY)
    print("\n| index | search setting | build s | MB on disk | recall@10 | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|")
    size = database.nbytes / 1e6
    print(
        f"| IndexFlatIP (exact) | – | 0.0 | {size:.0f} | 1.000 | "
        f"{pct(exact_times, 50):.2f} | {pct(exact_times, 95):.2f} |"
    )
    for name, index, settings in candidates(d, n):
        began = time.perf_counter()
        if not index.is_trained:
            index.train(database)
        index.add(database)
        build = time.perf_counter() - began
        with tempfile.NamedTemporaryFile(suffix=".faiss") as tmp:
            faiss.write_index(index, tmp.name)
            mb = Path(tmp.name).stat().st_size / 1e6
        for label, apply in settings:
            apply(index)
            found, _ = timed_search(index, queries, K_RECALL)
            _, times = timed_search(index, queries, K_LATENCY)
            print(
                f"| {name} | {label} | {build:.1f} | {mb:.0f} | {recall(truth, found):.3f} | "
                f"{pct(times, 50):.2f} | {pct(times, 95):.2f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
