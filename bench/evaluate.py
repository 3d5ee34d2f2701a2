"""Answer-quality evaluation: the engine against a naive baseline, on question sets.

Usage: ``python -m bench.evaluate [--set NAME ...] [--json]`` (``make eval``).

Each set is an article folder and a JSONL file of questions with gold sentences
(see bench/eval/README.md). Metrics, for each set:

- hit@1 / hit@3: an on-topic question whose first / first three quotes include a gold
  sentence (a quote matches a gold sentence when, quote marks and spaces aside, it equals
  it, contains it, or is at least half of it);
- attribution: the share of on-topic questions whose first gold sentence the engine
  attributes to the gold speaker with the gold kind;
- abstain (off-topic): the share of off-topic questions answered with no quote;
- false abstain: the share of on-topic questions wrongly answered with no quote.

The baseline is dense paragraph retrieval only, quoting the first sentence of each of the
top three paragraphs, with no abstention. Both run in the same process on the same model.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.encoding.base import Encoder
from index.encoding.factory import load_encoder
from index.engine import Engine, EngineConfig
from index.retrieval import validate_question

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    # name: (articles folder, questions, role): "test" sets were written blind to the engine
    "kyiv": (ROOT / "data" / "articles", ROOT / "bench/eval/kyiv_embassy.jsonl", "test"),
    "heldout-flood": (
        ROOT / "bench/eval/heldout/articles",
        ROOT / "bench/eval/heldout/st-aubin-flash-flood.jsonl",
        "test",
    ),
    # four articles in one index; each question names its gold article (see bench/eval)
    "multi": (
        ROOT / "bench/eval/multi/articles",
        ROOT / "bench/eval/multi/questions.jsonl",
        "test",
    ),
    "dev-kyiv": (ROOT / "data" / "articles", ROOT / "bench/dev/kyiv_dev.jsonl", "dev"),
    "dev-wildfire": (ROOT / "tests/data/attribution", ROOT / "bench/dev/wildfire.jsonl", "dev"),
    # one folder per further dev article: bench/dev/articles/<slug>/ with bench/dev/<slug>.jsonl
    **{
        f"dev-{folder.name}": (folder, ROOT / "bench/dev" / f"{folder.name}.jsonl", "dev")
        for folder in sorted((ROOT / "bench/dev/articles").iterdir())
        if folder.is_dir()
    },
}
_STRIP = " \t\n\"'“”‘’*_"


def _norm(text: str) -> str:
    return " ".join(text.strip(_STRIP).split())


def matches(quote: str, gold: str) -> bool:
    q, g = _norm(quote), _norm(gold)
    return q == g or g in q or (q in g and len(q) >= 0.5 * len(g))


@dataclass
class Scores:
    on_topic: int = 0
    off_topic: int = 0
    hit1: int = 0
    hit3: int = 0
    attributed: int = 0
    attribution_total: int = 0
    abstained_off: int = 0
    abstained_on: int = 0

    def row(self) -> dict[str, float | int]:
        on = max(self.on_topic, 1)
        return {
            "questions": self.on_topic + self.off_topic,
            "hit@1": self.hit1 / on,
            "hit@3": self.hit3 / on,
            "attribution": self.attributed / max(self.attribution_total, 1),
            "abstain (off-topic)": self.abstained_off / max(self.off_topic, 1),
            "false abstain": self.abstained_on / on,
        }


def _load(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _hits(item: dict, quote: tuple[str, str]) -> bool:
    """Does one (text, article id) quote match a gold sentence of the item's article?"""
    text, article = quote
    if item.get("article") and article != item["article"]:
        return False
    return any(matches(text, g) for g in item["gold"])


def _score_answer(
    scores: Scores, item: dict, answered: bool, quotes: list[tuple[str, str]]
) -> None:
    if item.get("off_topic"):
        scores.off_topic += 1
        scores.abstained_off += not answered
        return
    scores.on_topic += 1
    scores.abstained_on += not answered
    scores.hit1 += bool(quotes[:1]) and _hits(item, quotes[0])
    scores.hit3 += any(_hits(item, q) for q in quotes[:3])


def _groups(name: str, item: dict) -> list[str]:
    """The result rows an item counts in: its set, and its category when it has one."""
    return [name] + ([f"{name}:{item['category']}"] if item.get("category") else [])


def evaluate_set(
    name: str, encoder: Encoder, *, verbose: bool = False
) -> tuple[dict[str, tuple[Scores, Scores]], list[str]]:
    """Engine and baseline scores for a set (and for each category of its questions)."""
    articles_dir, questions_path, _ = SETS[name]
    items = _load(questions_path)
    misses: list[str] = []
    results: dict[str, tuple[Scores, Scores]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(
            EngineConfig(articles_dir=articles_dir, index_dir=Path(tmp)),
            encoder_factory=lambda spec: encoder,
        )
        engine.start()
        index = engine.search_index
        sentences = [(s, a.id) for a in index.articles for s in a.sentences()]
        for item in items:
            rows = [results.setdefault(g, (Scores(), Scores())) for g in _groups(name, item)]
            answer = engine.ask(item["question"])
            quotes = [(q.text, q.article_id) for q in answer.quotes]
            for engine_scores, _ in rows:
                _score_answer(engine_scores, item, answer.answered, quotes)
            if "article" in item:  # the same question with /ask article: set to its article
                filtered = engine.ask(item["question"], article=item["article"] or None)
                scores, _ = results.setdefault(f"{name}:filtered", (Scores(), Scores()))
                _score_answer(
                    scores,
                    item,
                    filtered.answered,
                    [(q.text, q.article_id) for q in filtered.quotes],
                )
            if (
                verbose
                and not item.get("off_topic")
                and not any(_hits(item, q) for q in quotes[:1])
            ):
                misses.append(f"[{name}] MISS {item['question']!r} -> {quotes[:1]}")
            if verbose and item.get("off_topic") and answer.answered:
                misses.append(f"[{name}] ANSWERED OFF-TOPIC {item['question']!r} -> {quotes[:1]}")
            if not item.get("off_topic") and "speaker" in item:
                gold_sentence = next(
                    (
                        s
                        for s, article in sentences
                        if _hits({**item, "gold": item["gold"][:1]}, (s.text, article))
                    ),
                    None,
                )
                for engine_scores, _ in rows:
                    engine_scores.attribution_total += 1
                    if gold_sentence is not None:
                        a = gold_sentence.attribution
                        same_speaker = (a.speaker or "").casefold() == (
                            item["speaker"] or ""
                        ).casefold()
                        engine_scores.attributed += same_speaker and a.kind == item["kind"]
            # baseline: dense paragraphs only, first sentence of each, never abstains
            vector = encoder.encode([validate_question(item["question"])])
            _, ids = index.paragraph_vectors.search(vector, 3)
            baseline_quotes = []
            for row in ids[0]:
                if row < 0:
                    continue
                ref = index.paragraph_refs[int(row)]
                baseline_quotes.append(
                    (
                        index.paragraph(ref.article, ref.paragraph).sentences[0].text,
                        index.articles[ref.article].id,
                    )
                )
            for _, baseline_scores in rows:
                _score_answer(baseline_scores, item, True, baseline_quotes)
    return results, misses


def table(results: dict[str, tuple[Scores, Scores]]) -> str:
    header = (
        "| set | system | questions | hit@1 | hit@3 | attribution | abstain (off-topic) "
        "| false abstain |"
    )
    lines = [header, "|" + "---|" * 8]
    for name, (engine_scores, baseline_scores) in results.items():
        for system, scores in (("engine", engine_scores), ("baseline", baseline_scores)):
            row = scores.row()
            if not row["questions"]:
                continue  # e.g. the filtered run has no baseline
            attribution = (
                f"{row['attribution']:.2f}"
                if system == "engine" and scores.attribution_total
                else "–"
            )
            lines.append(
                f"| {name} ({SETS[name.split(':')[0]][2]}) | {system} | {row['questions']} "
                f"| {row['hit@1']:.2f} | "
                f"{row['hit@3']:.2f} | {attribution} | {row['abstain (off-topic)']:.2f} | "
                f"{row['false abstain']:.2f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="default: all")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    encoder = load_encoder()
    results, misses = {}, []
    for name in args.set or list(SETS):
        set_results, set_misses = evaluate_set(name, encoder, verbose=args.verbose)
        results.update(set_results)
        misses += set_misses
    if args.json:
        print(
            json.dumps(
                {n: {"engine": e.row(), "baseline": b.row()} for n, (e, b) in results.items()}
            )
        )
    else:
        print(table(results))
    for line in misses:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main())
