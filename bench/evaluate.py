"""Answer-quality evaluation: the engine against a naive baseline, on question sets.

Usage: ``python -m bench.evaluate [--set NAME ...] [--squad DIR] [--json] [-v]`` (``make eval``).

Each set is an article folder and a JSONL file of questions with gold sentences
(see bench/eval/README.md). Answers are graded (``high`` = confident, ``low`` = hedged
closest passages, ``none`` = nothing quoted). Per set:

- hit@1 / hit@3 (answerable questions): the first / first three quotes shown, confident
  or hedged, include a gold sentence (a quote matches a gold sentence when, quote marks
  and spaces aside, it equals it, contains it, or is at least half of it);
- confident: the share of answerable questions answered with confidence ``high``;
- refused: answerable questions given no quote at all (the failure that must not happen);
- near-topic: unanswerable questions close to the article (people not quoted, numbers
  not given, events not reported; for older sets without categories, every off-topic
  item); "confident" is the share wrongly answered with confidence;
- off-topic: unrelated questions; "no quote" is the share answered with nothing quoted;
- attribution: the share of answerable questions whose first gold sentence the engine
  attributes to the gold speaker with the gold kind.

The baseline is dense paragraph retrieval only, quoting the first sentence of each of the
top three paragraphs, always confident. With ``--squad DIR`` (default
``../shared/external/squad2-dev`` when it exists) the SQuAD 2.0 dev articles are scored
the way their scorer does, in-process, plus questions about an article left out of the
index ("off-corpus", which must never get a confident answer).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.encoding.base import Encoder
from index.encoding.factory import load_encoder
from index.engine import Engine, EngineConfig
from index.retrieval.retriever import validate_question

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQUAD = ROOT.parent / "shared" / "external" / "squad2-dev"
SETS = {
    # name: (articles folder, questions, role): "test" sets were written blind to the engine
    "kyiv": (ROOT / "data" / "articles", ROOT / "bench/eval/kyiv_embassy.jsonl", "test"),
    "kyiv2": (ROOT / "data" / "articles", ROOT / "bench/eval/kyiv2/questions.jsonl", "test"),
    "heldout-flood": (
        ROOT / "bench/eval/heldout/articles",
        ROOT / "bench/eval/heldout/st-aubin-flash-flood.jsonl",
        "test",
    ),
    **{
        name: (
            ROOT / f"bench/eval/{name}/articles",
            ROOT / f"bench/eval/{name}/questions.jsonl",
            "test",
        )
        for name in ("voltaris-battery-recall", "istrava-tanker-seizure")
    },
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
_STRIP = " \t\n\"'“”‘’«»„*_"
#: categories of unanswerable items that are unrelated to the article (the rest are near-topic)
UNRELATED = frozenset({"off-topic"})


def _norm(text: str) -> str:
    return " ".join(text.strip(_STRIP).split())


def matches(quote: str, gold: str) -> bool:
    q, g = _norm(quote), _norm(gold)
    return q == g or g in q or (q in g and len(q) >= 0.5 * len(g))


def is_unrelated(item: dict) -> bool:
    """An unanswerable item unrelated to the article (not a near-topic one)."""
    category = item.get("category")
    return bool(item.get("off_topic")) and category in UNRELATED


@dataclass
class Scores:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    confident: int = 0
    refused: int = 0
    near: int = 0
    near_confident: int = 0
    unrelated: int = 0
    unrelated_silent: int = 0
    attributed: int = 0
    attribution_total: int = 0

    def add(self, item: dict, confidence: str, quotes: list[tuple[str, str]]) -> None:
        if item.get("off_topic"):
            if is_unrelated(item):
                self.unrelated += 1
                self.unrelated_silent += not quotes
            else:
                self.near += 1
                self.near_confident += confidence == "high"
            return
        self.answerable += 1
        self.confident += confidence == "high"
        self.refused += not quotes
        self.hit1 += bool(quotes[:1]) and _hits(item, quotes[0])
        self.hit3 += any(_hits(item, q) for q in quotes[:3])

    def row(self) -> dict[str, float | int | None]:
        def share(n: int, d: int) -> float | None:
            return n / d if d else None

        return {
            "answerable": self.answerable,
            "hit@1": share(self.hit1, self.answerable),
            "hit@3": share(self.hit3, self.answerable),
            "confident": share(self.confident, self.answerable),
            "refused": self.refused,
            "near-topic": self.near,
            "near confident": share(self.near_confident, self.near),
            "off-topic": self.unrelated,
            "off no quote": share(self.unrelated_silent, self.unrelated),
            "attribution": share(self.attributed, self.attribution_total),
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


def _groups(name: str, item: dict) -> list[str]:
    """The result rows an item counts in: its set, and its category when it has one."""
    return [name] + ([f"{name}:{item['category']}"] if item.get("category") else [])


def _engine(articles_dir: Path, tmp: str, encoder: Encoder) -> Engine:
    engine = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=Path(tmp)),
        encoder_factory=lambda spec: encoder,
    )
    engine.start()
    return engine


def baseline_quotes(engine: Engine, encoder: Encoder, question: str) -> list[tuple[str, str]]:
    """Dense paragraph retrieval only: the first sentence of each of the top three."""
    index = engine.search_index
    vector = encoder.encode([validate_question(question)])
    _, ids = index.paragraph_vectors.search(vector, 3)
    quotes = []
    for row in ids[0]:
        if row >= 0:
            ref = index.paragraph_refs[int(row)]
            first = index.paragraph(ref.article, ref.paragraph).sentences[0]
            quotes.append((first.text, index.articles[ref.article].id))
    return quotes


def _attribution(scores: Scores, item: dict, sentences: list) -> None:
    if item.get("off_topic") or "speaker" not in item:
        return
    gold = next(
        (s for s, a in sentences if _hits({**item, "gold": item["gold"][:1]}, (s.text, a))), None
    )
    scores.attribution_total += 1
    if gold is not None:
        a = gold.attribution
        same = (a.speaker or "").casefold() == (item["speaker"] or "").casefold()
        scores.attributed += same and a.kind == item["kind"]


def evaluate_set(
    name: str, encoder: Encoder, *, verbose: bool = False
) -> tuple[dict[str, tuple[Scores, Scores]], list[str]]:
    """Engine and baseline scores for a set (and for each category of its questions)."""
    articles_dir, questions_path, _ = SETS[name]
    items = _load(questions_path)
    misses: list[str] = []
    results: dict[str, tuple[Scores, Scores]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(articles_dir, tmp, encoder)
        index = engine.search_index
        sentences = [(s, a.id) for a in index.articles for s in a.sentences()]
        answers = engine.ask_many([item["question"] for item in items])
        for item, answer in zip(items, answers, strict=True):
            rows = [results.setdefault(g, (Scores(), Scores())) for g in _groups(name, item)]
            quotes = [(q.text, q.article_id) for q in answer.quotes]
            baseline = baseline_quotes(engine, encoder, item["question"])
            for engine_scores, baseline_scores in rows:
                engine_scores.add(item, answer.confidence, quotes)
                baseline_scores.add(item, "high", baseline)
                _attribution(engine_scores, item, sentences)
            if "article" in item:  # the same question with /ask article: set to its article
                filtered = engine.ask(item["question"], article=item["article"] or None)
                scores, _ = results.setdefault(f"{name}:filtered", (Scores(), Scores()))
                scores.add(
                    item, filtered.confidence, [(q.text, q.article_id) for q in filtered.quotes]
                )
            if verbose:
                misses += _explain(name, item, answer, quotes)
    return results, misses


def _explain(name: str, item: dict, answer, quotes: list[tuple[str, str]]) -> list[str]:
    first = quotes[0][0][:90] if quotes else None
    tag = f"[{name}] {answer.confidence:4s}"
    if not item.get("off_topic") and not any(_hits(item, q) for q in quotes[:1]):
        return [f"{tag} MISS {item['question']!r} -> {first!r} ({answer.note})"]
    if item.get("off_topic") and answer.confidence == "high":
        return [f"{tag} CONFIDENT UNANSWERABLE {item['question']!r} -> {first!r}"]
    if not item.get("off_topic") and answer.confidence != "high":
        return [f"{tag} HEDGED HIT {item['question']!r} ({answer.note})"]
    return []


# ---------------------------------------------------------------- SQuAD 2.0 (shared data)
def _squad_hit(row: dict, text: str, article: str, paragraphs: dict[str, list[str]]) -> bool:
    """The squad2-dev scorer's rule: a gold answer inside the quote, or the quote is the
    gold paragraph's sentence covering a gold answer offset."""
    norm = lambda t: " ".join((t or "").lower().split())  # noqa: E731
    if any(g and g in norm(text) for g in map(norm, row["answers"])):
        return True
    if article != row["article_file"]:
        return False
    block = paragraphs[row["article_file"]][row["paragraph_index"]]
    at = block.find(text)
    return at >= 0 and any(at <= s < at + len(text) for s in row["answer_starts"])


def evaluate_squad(folder: Path, encoder: Encoder) -> dict[str, tuple[Scores, Scores]]:
    """SQuAD 2.0 dev: answerable and adversarial unanswerable questions, all articles in
    one index; then each article left out of the index and 60 of its questions asked
    (off-corpus: counted as off-topic, never to be answered with confidence)."""
    rows = [json.loads(x) for x in (folder / "questions.jsonl").open(encoding="utf-8") if x.strip()]
    files = sorted((folder / "articles").glob("*.txt"))
    paragraphs = {f.name: f.read_text(encoding="utf-8").split("\n\n")[1:] for f in files}
    engine_scores, baseline_scores = Scores(), Scores()
    off, off_confident = Scores(), 0
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(folder / "articles", Path(tmp) / "articles")
        engine = _engine(Path(tmp) / "articles", f"{tmp}/index", encoder)
        answers = engine.ask_many([r["q"] for r in rows])
        for row, answer in zip(rows, answers, strict=True):
            item = {"off_topic": row["unanswerable"], "category": "near-topic", "gold": []}
            shown = [(q.text, q.article_id) for q in answer.quotes]
            marks = [_squad_hit(row, t, a, paragraphs) for t, a in shown[:3]]
            base = baseline_quotes(engine, encoder, row["q"])
            base_marks = [_squad_hit(row, t, a, paragraphs) for t, a in base[:3]]
            for scores, grade, got, hit in (
                (engine_scores, answer.confidence, shown, marks),
                (baseline_scores, "high", base, base_marks),
            ):
                if row["unanswerable"]:
                    scores.add(item, grade, got)
                    continue
                scores.answerable += 1
                scores.confident += grade == "high"
                scores.refused += not got
                scores.hit1 += hit[:1] == [True]
                scores.hit3 += any(hit)
    rng = random.Random(7)
    for held in files:
        asked = rng.sample([r for r in rows if r["article_file"] == held.name], 60)
        with tempfile.TemporaryDirectory() as tmp:
            folder_without = Path(tmp) / "articles"
            folder_without.mkdir()
            for f in files:
                if f != held:
                    shutil.copy(f, folder_without / f.name)
            engine = _engine(folder_without, f"{tmp}/index", encoder)
            for answer in engine.ask_many([r["q"] for r in asked]):
                off.add(
                    {"off_topic": True, "category": "off-topic"},
                    answer.confidence,
                    list(answer.quotes),
                )
                off_confident += answer.confidence == "high"
    off.near, off.near_confident = off.unrelated, off_confident  # report "confident" too
    return {
        "squad2-dev": (engine_scores, baseline_scores),
        "squad2-dev:off-corpus": (off, Scores()),
    }


COLUMNS = (
    "answerable",
    "hit@1",
    "hit@3",
    "confident",
    "refused",
    "near-topic",
    "near confident",
    "off-topic",
    "off no quote",
    "attribution",
)


def _cell(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(results: dict[str, tuple[Scores, Scores]]) -> str:
    header = "| set | system | " + " | ".join(COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for name, (engine_scores, baseline_scores) in results.items():
        role = SETS[name.split(":")[0]][2] if name.split(":")[0] in SETS else "shared"
        for system, scores in (("engine", engine_scores), ("baseline", baseline_scores)):
            row = scores.row()
            if not (row["answerable"] or row["near-topic"] or row["off-topic"]):
                continue  # e.g. the filtered run has no baseline
            if system == "baseline":
                row["attribution"] = None
            cells = " | ".join(_cell(row[c]) for c in COLUMNS)
            lines.append(f"| {name} ({role}) | {system} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="default: all")
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="SQuAD 2.0 folder")
    parser.add_argument("--no-squad", action="store_true", help="skip the SQuAD rows")
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
    if not args.no_squad and not args.set and (args.squad / "questions.jsonl").is_file():
        results.update(evaluate_squad(args.squad, encoder))
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
