"""Scale benchmark: build, size, query latency, memory and incremental reindex at 1k, 10k
and 100k paragraphs of generated news (``bench/corpus_gen.py``). Prints a table; asserts
nothing.

Usage: ``python -m bench.scale [--sizes 1000 10000 100000] [--fake-from N]`` (``make
bench-scale``)

Each size runs in its own process (so peak RSS is that size's): generate the corpus under
``var/bench-scale/`` (deterministic, seed 7), build the index from scratch and save it,
then a second, fresh process loads it (memory-mapped) and answers questions. Columns:

- build p/s: body paragraphs per second of a full build (parse, embed, FAISS, BM25, save).
  Embeddings come from ``bench/embedding_cache`` when cached; the embedding share is then
  counted at the model's rate measured in the same run on a sample of 256 of the texts
  (texts/s column), so the figure is what a cold build costs;
- index MB: the build folder on disk; load s: the fresh process's ``Engine.start``;
- search p50/p95: the two FAISS searches a question makes (paragraphs k=8, sentences k=40);
- answer p50/p95: ``Engine.ask`` after the question is embedded (retrieval and ranking);
- RSS: peak resident memory of the build process and of the serving process (which
  loads the embedding model too);
- recall@10: the FAISS index's top 10 against exact search, questions' vectors, worst of
  the sentence and paragraph tables (1.000 while both are exact ``IndexFlatIP``);
- incremental: one article of the corpus rewritten, then ``Engine.reindex`` timed,
  against the full build.

``--fake-from N`` embeds sizes >= N with a hashing bag-of-words encoder instead of
MiniLM (marked "fake" in the table): every system cost but the embedding is then real,
but recall is not MiniLM's (see ``bench/ann_tune.py`` for that).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-scale"
SEED = 7
QUESTIONS = 80


class HashEncoder:
    """Bag-of-stemmed-words hashed to 384 dimensions: no model, for system costs only."""

    name = "hash-encoder"
    fingerprint = "hash-encoder@1"
    dimension = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from index.search.lexical import tokenize

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text) or ["\x00"]:
                h = int.from_bytes(
                    hashlib.blake2b(token.encode(), digest_size=8).digest(), "little"
                )
                out[row, h % self.dimension] += 1.0 if h >> 63 else -1.0
            out[row] /= np.linalg.norm(out[row]) or 1.0
        return out


def encoder_for(kind: str, cached: bool = True):
    if kind == "fake":
        return HashEncoder()
    from bench.embedding_cache import CachedEncoder
    from index.encoding.factory import load_encoder

    return CachedEncoder(load_encoder()) if cached else load_encoder()


def corpus_dir(size: int) -> Path:
    from bench.corpus_gen import write_corpus

    folder = WORK / f"corpus-{size}-seed{SEED}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder, size, SEED)
        (folder / ".complete").write_text("")
    return folder


def questions_for(articles, count: int) -> list[str]:
    """Questions about the corpus (speakers and topics) plus the evaluation questions."""
    from index.search.lexical import tokenize

    rng = random.Random(SEED)
    out = []
    sentences = [s for a in articles for p in a.paragraphs if p.quotable for s in p.sentences]
    while len(out) < count:
        sentence = rng.choice(sentences)
        speaker = sentence.attribution.speaker
        words = " ".join(w for w in sentence.text.split() if tokenize(w))[:60]
        out.append(f"What did {speaker} say about {words}?" if speaker else f"What about {words}?")
    for path in sorted((ROOT / "bench" / "eval").glob("*.jsonl"))[:1]:
        for line in path.read_text(encoding="utf-8").splitlines()[:count]:
            if line.strip():
                out.append(json.loads(line)["question"])
    return out


def rss_mb() -> float:
    """Peak resident memory of this process. ``VmHWM``, not ``ru_maxrss``: Linux keeps
    ``ru_maxrss`` across ``execve``, so a child would report its parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# ---------------------------------------------------------------- one size, build side
def run_size(size: int, kind: str, incremental_run: bool) -> dict:
    from index.search import incremental, store

    corpus = corpus_dir(size)
    index_dir = WORK / f"index-{size}-{kind}"
    shutil.rmtree(index_dir, ignore_errors=True)
    encoder = encoder_for(kind)
    began = time.perf_counter()
    articles, _ = incremental.read_corpus(corpus, None)
    parse_s = time.perf_counter() - began
    began = time.perf_counter()
    index = store.build(articles, encoder)
    build_s = time.perf_counter() - began
    began = time.perf_counter()
    store.save(index, index_dir)
    save_s = time.perf_counter() - began
    texts = index.embedding.embedded_texts
    paragraphs = len(index.paragraph_refs)
    if kind == "real":
        rate = embedding_rate(encoder, index)
        embed_s = texts / rate
        other_s = build_s - encoder.encode_seconds
    else:
        rate, embed_s, other_s = float("nan"), 0.0, build_s
    full_s = parse_s + embed_s + other_s + save_s
    row = {
        "size": size,
        "encoder": kind,
        "articles": len(articles),
        "paragraphs": paragraphs,
        "sentences": len(index.sentence_refs),
        "kind": f"{index.paragraph_vectors.kind}/{index.sentence_vectors.kind}",
        "parse_s": parse_s,
        "embed_s": embed_s,
        "index_s": other_s,
        "save_s": save_s,
        "full_s": full_s,
        "build_pps": paragraphs / full_s,
        "texts": texts,
        "texts_per_s": rate,
        "index_mb": disk_mb(store.current_build(index_dir)),
    }
    questions = questions_for(articles, QUESTIONS)
    del index, articles
    row["build_rss_mb"] = rss_mb()
    row.update(serve(index_dir, corpus, kind, questions))
    if incremental_run:
        row.update(reindex_one(index_dir, corpus, kind))
    return row


def embedding_rate(encoder, index, sample: int = 256) -> float:
    """Texts per second of the real model here and now: this run's cache misses if there
    were enough, else a timed sample of the index's texts embedded again."""
    if encoder.misses >= sample:
        return encoder.misses / encoder.encode_seconds
    texts = [index.paragraph(r.article, r.paragraph).text for r in index.paragraph_refs]
    texts += [index.sentence(r).text for r in index.sentence_refs]
    chosen = texts[:: max(1, len(texts) // sample)][:sample]
    raw = encoder._encoder
    began = time.perf_counter()
    raw.encode(chosen)
    return len(chosen) / (time.perf_counter() - began)


def reindex_one(index_dir: Path, corpus: Path, kind: str) -> dict:
    """Rewrite one article, time an incremental reindex (uncached model), restore it."""
    from index.engine import Engine, EngineConfig

    encoder = encoder_for(kind, cached=False)
    engine = Engine(
        EngineConfig(articles_dir=corpus, index_dir=index_dir), encoder_factory=lambda s: encoder
    )
    engine.start()
    victim = sorted(corpus.glob("*.txt"))[len(list(corpus.glob("*.txt"))) // 2]
    original = victim.read_bytes()
    blocks = original.decode("utf-8").split("\n\n")
    stamp = time.strftime("%H:%M:%S")
    blocks[3] = f'"The inquiry will report by {stamp}," a spokeswoman for the council said.'
    try:
        victim.write_text("\n\n".join(blocks), encoding="utf-8")
        report = engine.reindex()
    finally:
        victim.write_bytes(original)
    return {
        "reindex_s": report.seconds,
        "reindex_embedded": report.embedded,
        "reindex_reused": report.reused,
    }


# ---------------------------------------------------------------- one size, serving side
def recall_at_10(table, queries: np.ndarray) -> float:
    """Share of the exact top 10 the index returns; a returned row tied with the exact
    10th score counts (equal vectors make the exact order among them arbitrary)."""
    similarity = queries @ table.reconstruct_all().T
    k = min(10, similarity.shape[1])
    tenth = -np.partition(-similarity, k - 1, axis=1)[:, k - 1]
    _, found = table.search(queries, k)
    hits = [
        sum(1 for f in row if f >= 0 and similarity[q, f] >= tenth[q] - 1e-5)
        for q, row in enumerate(found)
    ]
    return float(np.mean(hits) / k)


def serve(index_dir: Path, corpus: Path, kind: str, questions: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--serve", str(index_dir), str(corpus), kind],
        input=json.dumps(questions),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def serve_main(index_dir: Path, corpus: Path, kind: str) -> dict:
    from index.engine import Engine, EngineConfig
    from index.retrieval.retriever import validate_question

    questions = json.loads(sys.stdin.read())
    encoder = encoder_for(kind, cached=False)
    began = time.perf_counter()
    engine = Engine(
        EngineConfig(articles_dir=corpus, index_dir=index_dir), encoder_factory=lambda s: encoder
    )
    engine.start()
    load_s = time.perf_counter() - began
    retriever = engine._live()
    index = retriever.index
    texts = [validate_question(q) for q in questions]
    vectors = encoder.encode(texts)
    for i in range(min(5, len(texts))):  # warm-up
        retriever._answer(questions[i], texts[i], vectors[i : i + 1])
    search, answer = [], []
    for _ in range(3):
        for i, text in enumerate(texts):
            vector = vectors[i : i + 1]
            began = time.perf_counter()
            index.paragraph_vectors.search(vector, retriever.config.paragraph_candidates)
            index.sentence_vectors.search(vector, retriever.config.sentence_candidates)
            search.append(time.perf_counter() - began)
            began = time.perf_counter()
            retriever._answer(questions[i], text, vector)
            answer.append(time.perf_counter() - began)
    recalls = [
        recall_at_10(table, vectors) for table in (index.sentence_vectors, index.paragraph_vectors)
    ]

    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    return {
        "load_s": load_s,
        "search_p50": pct(search, 50),
        "search_p95": pct(search, 95),
        "answer_p50": pct(answer, 50),
        "answer_p95": pct(answer, 95),
        "serve_rss_mb": rss_mb(),
        "recall": float(min(recalls)),
        "questions": len(texts),
    }


# ---------------------------------------------------------------- table
def table(rows: list[dict]) -> str:
    head = (
        "| paragraphs | articles | sentences | encoder | index | build p/s | texts/s | "
        "index MB | load s | search p50/p95 ms | answer p50/p95 ms | build / serve RSS MB "
        "| recall@10 | reindex 1 article s (full build s) |"
    )
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        reindex = (
            f"{r['reindex_s']:.1f} ({r['full_s']:.0f}); {r['reindex_embedded']} embedded, "
            f"{r['reindex_reused']} reused"
            if "reindex_s" in r
            else f"– ({r['full_s']:.0f})"
        )
        lines.append(
            f"| {r['paragraphs']:,} | {r['articles']:,} | {r['sentences']:,} | {r['encoder']} "
            f"| {r['kind']} | {r['build_pps']:.0f} | {r['texts_per_s']:.0f} "
            f"| {r['index_mb']:.0f} | {r['load_s']:.1f} "
            f"| {r['search_p50']:.2f} / {r['search_p95']:.2f} "
            f"| {r['answer_p50']:.1f} / {r['answer_p95']:.1f} "
            f"| {r['build_rss_mb']:.0f} / {r['serve_rss_mb']:.0f} | {r['recall']:.3f} | {reindex} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--fake-from", type=int, default=None, help="hash encoder from here up")
    parser.add_argument("--incremental-size", type=int, default=10000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="real", help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        index_dir, corpus, kind = args.serve
        print(json.dumps(serve_main(Path(index_dir), Path(corpus), kind)))
        return 0
    if args.one:
        row = run_size(args.one, args.kind, args.one == args.incremental_size)
        print(json.dumps(row))
        return 0
    rows = []
    for size in args.sizes:
        kind = "fake" if args.fake_from is not None and size >= args.fake_from else "real"
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.scale",
                "--one",
                str(size),
                "--kind",
                kind,
                "--incremental-size",
                str(args.incremental_size),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if out.returncode:
            print(out.stderr[-3000:], file=sys.stderr)
            return out.returncode
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
