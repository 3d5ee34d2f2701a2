"""Attribution on PolNeAR (shared, human-annotated news): rows and publishers, dev vs held out.

Usage: ``python -m bench.polnear_eval [--data DIR] [--results FILE]``.

Runs the shared scorer (``score.py`` beside the data; it calls ``python -m bot attribute
--json``) once over all articles, writing under /tmp, then splits its per-quote results by
article into a dev part and a held-out part with a fixed rule (sha1 of the file name,
modulo 5 == 0: held out, about 20%). Each quote is scored from its own article only, so
a row of either part equals what the scorer prints when run on that part alone. Rule
changes are fitted by looking at dev errors only; held-out figures say whether they
generalise.

Also printed: the precision proxy, the share of sentences the parser calls direct or
reported that overlap no annotated attribution at all (PolNeAR marks every attribution,
so these are mostly false alarms).

The articles and gold stay in the shared folder: nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_data() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent, ROOT.parent.parent.parent):
        candidate = base / "shared" / "external" / "polnear" / "train"
        if candidate.is_dir():
            return candidate
    return Path("../shared/external/polnear/train")


def held_out(article_file: str) -> bool:
    """The fixed split rule: about one article in five is held out."""
    return int(hashlib.sha1(article_file.encode()).hexdigest(), 16) % 5 == 0


ROWS = (
    ("A quoted, named person", lambda r: r["kind"] != "indirect" and r["tier"] == "gold"),
    ("A1 direct", lambda r: r["kind"] == "direct" and r["tier"] == "gold"),
    ("A2 mixed", lambda r: r["kind"] == "mixed" and r["tier"] == "gold"),
    ("B reported, named person", lambda r: r["kind"] == "indirect" and r["tier"] == "gold"),
    ("C quoted, pronoun [silver]", lambda r: r["kind"] != "indirect" and r["tier"] == "silver"),
    ("D reported, pronoun [silver]", lambda r: r["kind"] == "indirect" and r["tier"] == "silver"),
    (
        "E quoted, org/description",
        lambda r: r["kind"] != "indirect" and r["tier"] in ("organization", "description"),
    ),
    (
        "F reported, org/description",
        lambda r: r["kind"] == "indirect" and r["tier"] in ("organization", "description"),
    ),
)


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "  -  "


def run_scorer(data: Path, out: Path) -> Path:
    scorer = data.parent / "score.py"
    cmd = [sys.executable, str(scorer), "--data", str(data), "--out", str(out), "--errors", "0"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return out / "results.jsonl"


def table(results: list[dict]) -> None:
    parts = {
        "dev": [r for r in results if not held_out(r["article_file"])],
        "held-out": [r for r in results if held_out(r["article_file"])],
        "all": results,
    }
    print("| row | part | n | found | speaker right | trivial |")
    print("|---|---|---|---|---|---|")
    for label, pred in ROWS:
        for part, rows in parts.items():
            xs = [r for r in rows if pred(r)]
            found = sum(r["project_found"] for r in xs)
            ok = sum(r["project_ok"] for r in xs)
            trivial = sum(r["trivial_ok"] for r in xs)
            n = len(xs)
            cells = f"{pct(found, n)} | {pct(ok, n)} | {pct(trivial, n)}"
            print(f"| {label} | {part} | {n} | {cells} |")
    print()
    print("| publisher | part | A n | A right | A trivial | B n | B right | B trivial |")
    print("|---|---|---|---|---|---|---|---|")
    by_pub: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for part, rows in parts.items():
        for r in rows:
            by_pub[(r["article_file"].split("_", 1)[0], part)].append(r)
    for (publisher, part), rows in sorted(by_pub.items()):
        cells = []
        for _, pred in (ROWS[0], ROWS[3]):
            xs = [r for r in rows if pred(r)]
            ok = sum(r["project_ok"] for r in xs)
            trivial = sum(r["trivial_ok"] for r in xs)
            flag = " (below trivial)" if ok < trivial else ""
            cells += [str(len(xs)), pct(ok, len(xs)) + flag, pct(trivial, len(xs))]
        print(f"| {publisher} | {part} | " + " | ".join(cells) + " |")


def precision(data: Path) -> None:
    """Attributed sentences that overlap no annotated attribution (dev / held out)."""
    sys.path.insert(0, str(ROOT))
    from index.parsing.ingest import read_article

    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for line in (data / "quotes.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        spans[gold["article_file"]].extend(tuple(s) for s in gold["content_spans"])
    counts = {"dev": [0, 0], "held-out": [0, 0]}
    for path in sorted((data / "articles").iterdir()):
        part = "held-out" if held_out(path.name) else "dev"
        gold = spans.get(path.name, [])
        for sentence in read_article(path).sentences():
            if sentence.attribution.kind == "narration":
                continue
            counts[part][0] += 1
            if not any(a < sentence.end and b > sentence.start for a, b in gold):
                counts[part][1] += 1
    for part, (attributed, unsupported) in counts.items():
        print(
            f"{part}: {attributed} sentences attributed, {unsupported} "
            f"({pct(unsupported, attributed).strip()}) overlap no annotated attribution"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=default_data())
    ap.add_argument("--results", type=Path, help="a results.jsonl already written by score.py")
    args = ap.parse_args()
    if not (args.data / "quotes.jsonl").is_file():
        print(f"error: no PolNeAR data at {args.data}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="polnear-eval-") as tmp:
        path = args.results or run_scorer(args.data, Path(tmp))
        results = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    table(results)
    print()
    precision(args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
