"""Embedding backends side by side: load time, latency, throughput, memory, agreement.

Usage: ``python -m bench.encoders [--repeats N] [--backends torch,onnx,...]``
(``make bench-encoders``). Prints a Markdown table; asserts nothing.

Each backend runs in its own fresh process (so memory is that backend's alone):

- load: from the worker's first line (before any import of the engine, torch or
  onnxruntime) to an encoder ready to embed, the ONNX file already exported;
- query p50 / p95: ``encode([question])`` over the evaluation questions, one at a time;
- article: sentences per second embedding the bundled article's sentences in one call
  (best of 5); 2,000 sentences: every sentence of every article in the repository,
  cycled to 2,000, in one call (what a reindex of a larger corpus does);
- RSS after load and peak RSS (``VmHWM``) of the worker process;
- min cosine: the lowest cosine between this backend's vectors and the torch encoder's,
  over the questions, the article's sentences and its paragraphs.

With ``--repeats N`` the workers run N times, interleaved, and each cell is the median.
``onnx-1t`` is the ONNX backend with one intra-op thread. The ONNX export itself (a one-off,
``python -m bot export-onnx``) is timed in its own process and reported under the table.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = [
    ROOT / "bench/eval/kyiv_embassy.jsonl",
    *sorted((ROOT / "bench/dev").glob("*.jsonl")),
]
ARTICLE_DIRS = [
    ROOT / "data/articles",
    ROOT / "bench/eval/heldout/articles",
    *sorted(p for p in (ROOT / "bench/dev/articles").iterdir() if p.is_dir()),
]
BACKENDS = {  # name: (EMBEDDING_BACKEND, ONNX threads)
    "torch": ("torch", 0),
    "sentence-transformers": ("sentence-transformers", 0),
    "onnx": ("onnx", 0),
    "onnx-1t": ("onnx", 1),
}
BULK = 2000

_WORKER = """
import time
started = time.perf_counter()
import json, sys
from pathlib import Path
import numpy as np
from index.encoding.factory import load_encoder

def status_mb(field):  # VmRSS now, VmHWM peak (ru_maxrss would count the parent's peak)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")

job = json.loads(Path(sys.argv[1]).read_text())
encoder = load_encoder(backend=job["backend"], onnx_dir=Path(job["onnx_dir"]),
                       onnx_threads=job["threads"])
encoder.encode(["warm-up"])
load = time.perf_counter() - started
rss_load = status_mb("VmRSS")
for question in job["questions"][:5]:
    encoder.encode([question])
query = []
for question in job["questions"]:
    t = time.perf_counter()
    encoder.encode([question])
    query.append(time.perf_counter() - t)
article = []
for _ in range(5):
    t = time.perf_counter()
    encoder.encode(job["article"])
    article.append(time.perf_counter() - t)
t = time.perf_counter()
encoder.encode(job["bulk"])
bulk = time.perf_counter() - t
np.save(job["vectors"], encoder.encode(job["compare"]))
print(json.dumps({
    "load": load, "rss_load": rss_load, "query": query, "article": min(article),
    "bulk": bulk, "peak": status_mb("VmHWM"),
}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def texts() -> dict[str, list[str]]:
    from index.parsing import ingest

    questions = [
        json.loads(line)["question"]
        for path in QUESTION_FILES
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    (bundled,) = ingest.read_corpus(ROOT / "data/articles")
    article = [s.text for p in bundled.paragraphs for s in p.sentences]
    paragraphs = [p.text for p in bundled.paragraphs]
    every = [
        s.text
        for folder in ARTICLE_DIRS
        for a in ingest.read_corpus(folder)
        for p in a.paragraphs
        for s in p.sentences
    ]
    bulk = [every[i % len(every)] for i in range(BULK)]
    return {
        "questions": questions,
        "article": article,
        "bulk": bulk,
        "compare": questions + article + paragraphs,
        "distinct": [str(len(set(every)))],
    }


def run_worker(name: str, data: dict, onnx_dir: Path, tmp: Path) -> dict:
    backend, threads = BACKENDS[name]
    job = tmp / f"{name}.json"
    vectors = tmp / f"{name}.npy"
    job.write_text(
        json.dumps(
            {
                **data,
                "backend": backend,
                "threads": threads,
                "onnx_dir": str(onnx_dir),
                "vectors": str(vectors),
            }
        )
    )
    out = subprocess.run(
        [sys.executable, "-c", _WORKER, str(job)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    if out.returncode:
        raise SystemExit(f"{name} worker failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["vectors"] = np.load(vectors)
    return result


def export_once(onnx_dir: Path) -> float:
    """Wall time of ``python -m bot export-onnx`` (imports, trace, verification)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "export-onnx"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "ONNX_DIR": str(onnx_dir)},
    )
    if out.returncode:
        raise SystemExit(f"ONNX export failed:\n{out.stderr[-3000:]}")
    return time.perf_counter() - started


def answer_agreement(onnx_dir: Path) -> tuple[int, int, int, int]:
    """Ask every evaluation question of the torch engine and of two ONNX engines: one
    serving the torch-built index (a backend switch, no rebuild) and one that built its
    own. Returns (questions, same as torch when switched, same when rebuilt, same
    answered/abstained in both)."""
    from index.encoding.factory import load_encoder
    from index.engine import Engine, EngineConfig

    torch_encoder = load_encoder(backend="torch")
    onnx_encoder = load_encoder(backend="onnx", onnx_dir=onnx_dir)
    sets = [
        (ROOT / "data/articles", ROOT / "bench/eval/kyiv_embassy.jsonl"),
        (ROOT / "data/articles", ROOT / "bench/dev/kyiv_dev.jsonl"),
        (
            ROOT / "bench/eval/heldout/articles",
            ROOT / "bench/eval/heldout/st-aubin-flash-flood.jsonl",
        ),
        *[(folder, ROOT / "bench/dev" / f"{folder.name}.jsonl") for folder in ARTICLE_DIRS[2:]],
    ]
    total = switched = rebuilt = decided = 0
    with tempfile.TemporaryDirectory() as tmp:
        for number, (articles, questions) in enumerate(sets):
            shared = Path(tmp) / f"{number}-shared"
            engines = [
                Engine(EngineConfig(articles_dir=articles, index_dir=shared), encoder_factory=f)
                for f in (lambda spec: torch_encoder, lambda spec: onnx_encoder)
            ]
            engines.append(
                Engine(
                    EngineConfig(articles_dir=articles, index_dir=Path(tmp) / f"{number}-own"),
                    encoder_factory=lambda spec: onnx_encoder,
                )
            )
            for engine in engines:
                engine.start()
            for line in questions.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                question = json.loads(line)["question"]
                want, *got = (engine.ask(question) for engine in engines)
                quotes = [[q.text for q in a.quotes] for a in (want, *got)]
                total += 1
                switched += quotes[1] == quotes[0]
                rebuilt += quotes[2] == quotes[0]
                decided += want.answered == got[0].answered == got[1].answered
    return total, switched, rebuilt, decided


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per backend (median)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma list")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.backends.split(",") if n.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {unknown}; choose from {', '.join(BACKENDS)}")
    if "torch" not in names:
        names.insert(0, "torch")  # the reference for the cosine column
    data = texts()
    distinct = data.pop("distinct")[0]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        onnx_dir = tmp / "onnx"
        export_seconds = export_once(onnx_dir) if any(n.startswith("onnx") for n in names) else 0
        runs: dict[str, list[dict]] = {n: [] for n in names}
        for _ in range(args.repeats):
            for name in names:
                runs[name].append(run_worker(name, data, onnx_dir, tmp))
        agreement = answer_agreement(onnx_dir) if export_seconds else None
    reference = runs["torch"][0]["vectors"]
    ms = 1000.0
    print(
        "| backend | load | query p50 | query p95 | article (sent/s) | 2,000 sentences "
        "(sent/s) | RSS after load | peak RSS | min cosine vs torch |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        rs = runs[name]

        def med(key, rs=rs):
            return statistics.median(r[key] for r in rs)

        p50 = statistics.median(percentile(r["query"], 50) for r in rs)
        p95 = statistics.median(percentile(r["query"], 95) for r in rs)
        cosine = min(float(np.min(np.sum(r["vectors"] * reference, axis=1))) for r in rs)
        print(
            f"| {name} | {med('load'):.2f} s | {p50 * ms:.1f} ms | {p95 * ms:.1f} ms | "
            f"{len(data['article']) / med('article'):.0f} | {BULK / med('bulk'):.0f} | "
            f"{med('rss_load'):.0f} MB | {med('peak'):.0f} MB | {cosine:.7f} |"
        )
    print(
        f"\n{len(data['questions'])} questions; article: {len(data['article'])} sentences; "
        f"2,000 sentences cycled from {distinct} distinct ones; cosine over "
        f"{len(data['compare'])} texts; {args.repeats} run(s) per backend (median)."
    )
    if agreement:
        total, switched, rebuilt, decided = agreement
        print(f"ONNX export (one-off, own process, incl. verification): {export_seconds:.1f} s")
        print(
            f"Answers vs torch over {total} evaluation questions: identical quotes in order "
            f"{switched}/{total} with the torch-built index (backend switched, no rebuild), "
            f"{rebuilt}/{total} with an ONNX-built index; same answer/abstain decision "
            f"{decided}/{total}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
