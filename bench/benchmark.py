"""Speed and memory of the answer engine. Prints a table; asserts nothing.

Usage: ``python -m bench.benchmark [--rounds N] [--backend auto|torch|onnx|...] [--reader on]``
(``make bench``; ``auto`` and ``onnx`` export the model into ``var/onnx`` first if needed;
per-backend encoder numbers: ``bench/encoders.py``).

- cold start: a fresh process from interpreter start to an engine ready to answer,
  with the index already on disk (what a restart of the bot costs), best of 3;
- first start: the same with an empty ONNX cache, so the ONNX backend (``auto``'s
  choice for the bundled model) exports the model first: the first start after an
  install, once per ``ONNX_DIR``; the same as a cold start for torch;
- index build: a full build of the bundled article in-process (model already loaded),
  and an incremental ``reindex`` with nothing changed;
- per question: ``Engine.ask`` p50/p95 over the evaluation questions, in-process;
- bare embedding: ``encoder.encode([question])`` p50 on the same questions and run;
- peak RSS: the cold-start process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench/eval/kyiv_embassy.jsonl"

_COLD = """
import json, os, resource, sys, time
started = time.perf_counter()
from pathlib import Path
from index.engine import Engine, EngineConfig
onnx_dir = Path(sys.argv[3]) if len(sys.argv) > 3 else None
engine = Engine(
    EngineConfig(
        index_dir=Path(sys.argv[1]),
        embedding_backend=sys.argv[2],
        onnx_dir=onnx_dir,
        reader=os.environ.get("BENCH_READER") == "on",
    )
)
engine.start()
ready = time.perf_counter() - started
engine.ask("Why did the embassy close?")
# VmHWM, not ru_maxrss: after vfork + exec, ru_maxrss still counts the parent's peak
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status = Path("/proc/self/status")
for line in status.read_text().splitlines() if status.exists() else []:
    if line.startswith("VmHWM:"):
        rss_mb = int(line.split()[1]) / 1024
print(json.dumps({"ready": ready, "rss_mb": rss_mb}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def cold_start(
    index_dir: Path,
    backend: str = "auto",
    fresh_onnx_dir: Path | None = None,
    reader: bool = False,
) -> dict[str, float]:
    """Best of 3 fresh processes; with ``fresh_onnx_dir``, each gets an empty ONNX cache
    under it (the first start after an install: the ONNX backend exports first)."""
    runs = []
    for run in range(3):
        extra = [str(fresh_onnx_dir / str(run))] if fresh_onnx_dir is not None else []
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _COLD, str(index_dir), backend, *extra],
            cwd=ROOT,
            env={**os.environ, "BENCH_READER": "on" if reader else "off"},
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        data["wall"] = time.perf_counter() - started
        runs.append(data)
    best = min(runs, key=lambda r: r["ready"])
    return {"ready": best["ready"], "rss_mb": max(r["rss_mb"] for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--backend", default="auto", help="EMBEDDING_BACKEND (default auto)")
    parser.add_argument("--reader", choices=("on", "off"), default="off", help="READER")
    args = parser.parse_args(argv)
    reader = args.reader == "on"

    from index.engine import Engine, EngineConfig
    from index.retrieval.retriever import validate_question

    questions = [
        json.loads(line)["question"]
        for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        engine = Engine(
            EngineConfig(index_dir=index_dir, embedding_backend=args.backend, reader=reader)
        )
        engine.start()
        builds, unchanged = [], []
        for n in range(3):
            # a full build: a fresh engine on an empty INDEX_DIR, sharing the loaded model
            fresh = Engine(
                EngineConfig(index_dir=Path(tmp) / f"full-{n}", embedding_backend=args.backend),
                encoder_factory=lambda spec: engine.encoder,
            )
            builds.append(fresh.reindex().seconds)
            unchanged.append(engine.reindex().seconds)  # incremental: every vector reused
        cold = cold_start(index_dir, args.backend, reader=reader)
        first = cold_start(index_dir, args.backend, Path(tmp) / "first-onnx", reader=reader)
        encoder = engine.encoder
        for question in questions[:5]:  # warm-up
            engine.ask(question)
        ask_times, embed_times = [], []
        for _ in range(args.rounds):
            for question in questions:
                cleaned = validate_question(question)
                started = time.perf_counter()
                encoder.encode([cleaned])
                embed_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                engine.ask(question)
                ask_times.append(time.perf_counter() - started)
    info = engine.info()
    ms = 1000.0
    rows = [
        (
            "corpus",
            f"{len(info.articles)} article, {info.paragraphs} paragraphs, "
            f"{info.sentences} sentences",
        ),
        ("cold start to ready (best of 3)", f"{cold['ready']:.2f} s"),
        ("first start, empty ONNX cache (best of 3)", f"{first['ready']:.2f} s"),
        ("index build from scratch (median of 3)", f"{statistics.median(builds):.2f} s"),
        ("reindex, nothing changed (median of 3)", f"{statistics.median(unchanged):.2f} s"),
        ("per question p50", f"{percentile(ask_times, 50) * ms:.1f} ms"),
        ("per question p95", f"{percentile(ask_times, 95) * ms:.1f} ms"),
        ("bare query embedding p50", f"{percentile(embed_times, 50) * ms:.1f} ms"),
        (
            "per question / bare embedding (p50)",
            f"{percentile(ask_times, 50) / percentile(embed_times, 50):.2f}x",
        ),
        ("peak RSS (cold-start process)", f"{cold['rss_mb']:.0f} MB"),
        ("peak RSS (first-start process)", f"{first['rss_mb']:.0f} MB"),
        ("questions timed", f"{len(ask_times)}"),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
