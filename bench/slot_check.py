"""How often the answer-slot cap would misfire on text that does answer: a check on gold.

Usage: ``python -m bench.slot_check [--squad DIR] [--show SLOT]``.

For every answerable question of SQuAD 2.0 dev (``../shared/external/squad2-dev``) and of
our dev sets (``bench/dev``), the window the cap reads (the sentence holding the gold
answer and its neighbours in the paragraph) is checked with
``retrieval.answer_types.unfilled_slot``: any slot it reports there is a misfire, a right
answer that would be hedged. For SQuAD's adversarial unanswerable questions the window of
their *plausible* answer is checked too: there a slot is a catch. Prints one table per
slot; ``--show SLOT`` lists the misfires of one slot (dev sets only: SQuAD's text stays out
of the logs we keep). Test sets (``bench/eval``) are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from index.parsing.ingest import blocks
from index.parsing.sentences import split_sentences
from index.retrieval.answer_types import unfilled_slot

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQUAD = ROOT.parent / "shared" / "external" / "squad2-dev"


def window_at(paragraph: str, offset: int) -> tuple[str, str]:
    """The sentence of ``paragraph`` holding character ``offset`` with its neighbours, and
    that sentence alone."""
    spans = split_sentences(paragraph)
    at = next((i for i, (a, b) in enumerate(spans) if a <= offset < b), None)
    if at is None:
        at = min(range(len(spans)), key=lambda i: abs(spans[i][0] - offset))
    window = " ".join(paragraph[a:b] for a, b in spans[max(0, at - 1) : at + 2])
    return window, paragraph[spans[at][0] : spans[at][1]]


def squad_windows(folder: Path):
    """(kind, question, window, sentence) for SQuAD: kind "answerable" or "plausible"."""
    texts: dict[str, list[str]] = {}
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        name = item["article_file"]
        if name not in texts:
            text = (folder / "articles" / name).read_text(encoding="utf-8")
            texts[name] = [text[a:b] for a, b in blocks(text)][1:]  # the first is the title
        paragraph = texts[name][item["paragraph_index"]]
        starts = item["plausible_starts"] if item["unanswerable"] else item["answer_starts"]
        if starts:
            kind = "plausible" if item["unanswerable"] else "answerable"
            yield kind, item["q"], *window_at(paragraph, starts[0])


def dev_windows():
    """(kind, question, window, sentence) for our dev sets' answerable questions."""
    from bench.evaluate import SETS, _load

    for articles_dir, questions, role in SETS.values():
        if role != "dev":
            continue
        paragraphs = []
        for path in sorted(Path(articles_dir).glob("*")):
            if path.suffix in {".txt", ".md"}:
                text = path.read_text(encoding="utf-8")
                paragraphs += [text[a:b] for a, b in blocks(text)]
        for item in _load(questions):
            for gold in item.get("gold") or []:
                where = [(p, p.find(gold[:60])) for p in paragraphs if gold[:60] in p]
                if where:
                    yield "dev", item["question"], *window_at(*where[0])
                    break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--show", help="list the dev-set misfires of this slot")
    args = parser.parse_args(argv)
    fired: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    rows = list(dev_windows())
    if (args.squad / "questions.jsonl").is_file():
        rows += list(squad_windows(args.squad))
    for kind, question, window, sentence in rows:
        totals[kind] += 1
        slot = unfilled_slot(question, window, sentence)
        if slot:
            fired[(kind, slot)] += 1
            if args.show == slot and kind == "dev":
                print(f"misfire: {question!r}\n    {window[:300]}")
    slots = sorted({slot for _, slot in fired})
    print("| windows | n | " + " | ".join(slots) + " |")
    print("|---|---|" + "---|" * len(slots))
    labels = {
        "dev": "dev sets, gold (misfire)",
        "answerable": "SQuAD answerable, gold (misfire)",
        "plausible": "SQuAD unanswerable, plausible answer (catch)",
    }
    for kind in ("dev", "answerable", "plausible"):
        cells = " | ".join(str(fired[(kind, s)]) for s in slots)
        print(f"| {labels[kind]} | {totals[kind]} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
