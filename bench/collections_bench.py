"""Per-server collections: does a question get slower as other servers add articles?

Usage: ``python -m bench.collections_bench [--servers 1 200] [--per-server 3]
[--questions 60] [--encoder real|fake]``

For each server count N it builds a :class:`~index.collections.Library` on the default
articles, adds ``--per-server`` generated news articles (``bench.corpus_gen``) to each of N
servers through ``Library.add_article`` (the path ``/add`` and ``/reindex file:`` take),
then asks questions, one at a time, the way the bot does
(``library.scope(guild).ask(question)``) in

- server 1: the same three articles and the same questions whatever N is, so its rows
  are the comparison;
- the last server added, asked about its own articles;
- a DM (the default articles only), asked server 1's questions (mostly not answerable).

It prints a table: per-question p50 / p90, the time to add one article, resident memory
and index size on disk. Questions are drawn from a server's own articles
(``bench.scale``'s generator); the encoder is the shipped model unless ``--encoder fake``.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus_gen import generate
from bench.scale import HashEncoder, disk_mb, questions_for, rss_mb
from index.collections import CollectionLimits, Library
from index.engine import DEFAULT_ARTICLES_DIR, Engine, EngineConfig

SEED = 11


def _articles(count: int) -> list[tuple[str, bytes]]:
    """``count`` generated articles, 6-14 body paragraphs each (deterministic)."""
    out: list[tuple[str, bytes]] = []
    seed = SEED
    while len(out) < count:
        out.extend((n, t.encode()) for n, t in generate(10 * (count - len(out)), seed))
        seed += 1
    return [(f"news-{i:05d}.txt", data) for i, (_, data) in enumerate(out[:count])]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ask_times(library: Library, guild: int | None, questions: list[str]) -> list[float]:
    times = []
    for question in questions:
        started = time.perf_counter()
        library.scope(guild).ask(question)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(servers: int, per_server: int, questions_count: int, encoder) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        default = Engine(
            EngineConfig(articles_dir=DEFAULT_ARTICLES_DIR, index_dir=root / "index"),
            encoder_factory=lambda _spec: encoder,
        )
        default.start()
        library = Library(
            default,
            root / "collections",
            limits=CollectionLimits(max_articles=per_server),
        )
        articles = _articles(servers * per_server)
        add_ms = []
        for server in range(servers):
            for name, data in articles[server * per_server : (server + 1) * per_server]:
                started = time.perf_counter()
                library.add_article(server + 1, name, data)
                add_ms.append((time.perf_counter() - started) * 1000)

        def questions(guild: int) -> list[str]:
            own = library.scope(guild).search_index.articles
            generated = [a for a in own if a.id.startswith("news-")]
            return questions_for(generated, questions_count)[:questions_count]

        seen = {
            "server 1": 1,
            f"server {servers}": servers,
            "a DM (defaults)": None,
        }
        for label, guild in seen.items():
            if guild == 1 and label != "server 1":
                continue
            asked = questions(guild or 1)  # a DM is asked server 1's questions
            _ask_times(library, guild, asked[:3])  # warm up (lazy tables, caches)
            times = _ask_times(library, guild, asked)
            rows.append(
                {
                    "servers": servers,
                    "asked in": label,
                    "articles seen": len(library.scope(guild).articles()),
                    "p50": statistics.median(times),
                    "p90": _percentile(times, 0.9),
                    "add": statistics.median(add_ms),
                    "rss": rss_mb(),
                    "disk": disk_mb(root / "collections"),
                    "engines": len(library.loaded()),
                }
            )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| servers × articles | asked in | articles it sees | p50 ms | p90 ms "
        "| add one article (p50) | engines loaded | peak RSS | collections on disk |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['servers']} × {r['per_server']} | {r['asked in']} | {r['articles seen']} "
            f"| {r['p50']:.1f} | {r['p90']:.1f} | {r['add']:.0f} ms | {r['engines']} "
            f"| {r['rss']:.0f} MB | {r['disk']:.1f} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 200])
    parser.add_argument("--per-server", type=int, default=3)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--encoder", choices=["real", "fake"], default="real")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.servers) < 1 or args.per_server < 1 or args.questions < 1:
        parser.error("--servers, --per-server and --questions must be at least 1")
    logging.basicConfig(level=logging.ERROR)
    if len(args.servers) == 1:
        if args.encoder == "fake":
            encoder = HashEncoder()
        else:
            from index.encoding.factory import load_encoder

            encoder = load_encoder()
        rows = run(args.servers[0], args.per_server, args.questions, encoder)
        for row in rows:
            row["per_server"] = args.per_server
        print(json.dumps(rows) if args.json else table(rows))
        return 0
    rows = []
    for servers in args.servers:  # one process each, so peak RSS is that run's own
        command = [sys.executable, "-m", "bench.collections_bench", "--json"]
        command += ["--servers", str(servers), "--per-server", str(args.per_server)]
        command += ["--questions", str(args.questions), "--encoder", args.encoder]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        rows.extend(json.loads(done.stdout))
        print(table(rows).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
