"""Attribution on PolNeAR (shared, human-annotated news): rows and publishers, dev vs held out.

Usage: ``python -m bench.polnear_eval [--data DIR] [--results FILE] [--errors N]``.

Runs the shared scorer (``score.py`` beside the data; it calls ``python -m bot attribute
--json``) once over all articles, writing under /tmp, then splits its per-quote results by
article into a dev part and a held-out part with a fixed rule (sha1 of the file name,
modulo 5 == 0: held out, about 20%). Each quote is scored from its own article only, so
a row of either part equals what the scorer prints when run on that part alone. Rule
changes are fitted by looking at dev errors only; held-out figures say whether they
generalise.

Leave-one-publisher-out (seven publishers): rules are not refitted per fold, so each
publisher is scored where it was not used for development: one publisher, fixed by a sha1
rule, is never looked at (all its articles count), and the other six count their held-out
articles. ``--errors N`` prints development errors only (dev articles of the six).

Also printed: the precision proxy, the share of sentences the parser calls direct or
reported that overlap no annotated attribution at all (PolNeAR marks every attribution,
so these are mostly false alarms).

The articles and gold stay in the shared folder: nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
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


def publisher(article_file: str) -> str:
    return article_file.split("_", 1)[0]


PUBLISHERS = ("breitbart", "huff-post", "nyt", "politico", "usa-today", "wash-post", "west-journal")
#: The publisher never used for development at all (its errors are never printed): the
#: one whose name has the smallest sha1, fixed before any rule was written.
UNSEEN_PUBLISHER = min(PUBLISHERS, key=lambda p: hashlib.sha1(p.encode()).hexdigest())


def development(article_file: str) -> bool:
    """Articles whose errors may be looked at: dev by article, not the unseen publisher."""
    return not held_out(article_file) and publisher(article_file) != UNSEEN_PUBLISHER


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


def _score(rows: list[dict], pred) -> tuple[int, int, int]:
    xs = [r for r in rows if pred(r)]
    return len(xs), sum(r["project_ok"] for r in xs), sum(r["trivial_ok"] for r in xs)


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
            n, ok, trivial = _score(rows, pred)
            cells = f"{pct(found, n)} | {pct(ok, n)} | {pct(trivial, n)}"
            print(f"| {label} | {part} | {n} | {cells} |")


def publisher_table(results: list[dict]) -> None:
    """Leave-one-publisher-out, as it reads for rules: each publisher scored on its own.

    Rules are not fitted per fold, so the fold "develop on six, score the seventh" is the
    unseen publisher (never looked at); for the other six the figure that counts is their
    held-out articles (never looked at either). Printed for rows A and B, with the worst.
    """
    print("| publisher | A held-out | A all | B held-out | B all | A trivial (all) |")
    print("|---|---|---|---|---|---|")
    worst: dict[str, tuple[float, str]] = {}
    for name in PUBLISHERS:
        mine = [r for r in results if publisher(r["article_file"]) == name]
        scored = (
            mine if name == UNSEEN_PUBLISHER else [r for r in mine if held_out(r["article_file"])]
        )
        cells = []
        for row, (_, pred) in (("A", ROWS[0]), ("B", ROWS[3])):
            n, ok, _ = _score(scored, pred)
            n_all, ok_all, _ = _score(mine, pred)
            cells += [f"{pct(ok, n)} of {n}", f"{pct(ok_all, n_all)} of {n_all}"]
            share = ok / n if n else 1.0
            if row not in worst or share < worst[row][0]:
                worst[row] = (share, name)
        n_all, _, trivial = _score(mine, ROWS[0][1])
        label = f"{name} (unseen: all held out)" if name == UNSEEN_PUBLISHER else name
        print(f"| {label} | " + " | ".join(cells) + f" | {pct(trivial, n_all)} |")
    for row, (share, name) in worst.items():
        print(f"worst publisher, row {row} (held out): {name} {100 * share:.1f}%")


def print_errors(results: list[dict], row: str, count: int, seed: int) -> None:
    """A sample of errors from the development part only (never held out or unseen)."""
    pred = ROWS[0][1] if row == "A" else ROWS[3][1]
    errors = [
        r for r in results if development(r["article_file"]) and pred(r) and not r["project_ok"]
    ]
    print(
        f"\n{len(errors)} development errors in row {row}; a sample of {min(count, len(errors))}:"
    )
    for r in random.Random(seed).sample(errors, min(count, len(errors))):
        print(
            f"- gold {r['speaker']!r} (source {r['source_text'][:50]!r}); got "
            f"{r['project_speaker']!r} role={r['project_role']!r} kind={r['project_kind']}"
        )
        print(f"    {(r['project_sentence'] or '')[:300]!r}")


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
    ap.add_argument("--errors", type=int, default=0, help="print N development errors per row")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-precision", action="store_true", help="skip the precision proxy")
    args = ap.parse_args()
    if not (args.data / "quotes.jsonl").is_file():
        print(f"error: no PolNeAR data at {args.data}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="polnear-eval-") as tmp:
        path = args.results or run_scorer(args.data, Path(tmp))
        results = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    table(results)
    print()
    publisher_table(results)
    for row in ("A", "B") if args.errors else ():
        print_errors(results, row, args.errors, args.seed)
    if not args.no_precision:
        print()
        precision(args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
