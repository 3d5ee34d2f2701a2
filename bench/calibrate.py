"""Fit the answer-confidence models (``index/retrieval/calibration.json``), held out by article.

Usage::

    python -m bench.calibrate                 # fit, print held-out figures, change nothing
    python -m bench.calibrate --write         # ... and write index/retrieval/calibration.json
    python -m bench.calibrate --squad DIR     # SQuAD 2.0 folder (../shared/external/squad2-dev)

Data (nothing here is copied into the repository; the SQuAD folder is read where it lies):

- SQuAD 2.0 dev articles, all in one index: answerable questions are positives of the
  *answerable* model, the adversarial unanswerable ones its negatives; both are
  positives of the *on-topic* model;
- the same articles with one left out of the index: that article's questions are
  "about an article that is not indexed", negatives of the on-topic model;
- our dev sets (``bench.evaluate`` sets whose role is "dev", written here): on-topic
  questions are positives of both models, unanswerable ones negatives of *answerable*;
  those marked ``off-topic`` (unrelated to the article) negatives of *on-topic* too.

Every figure printed is out-of-fold: a question's probability comes from models fitted
without its article (leave-one-article-out). The cut-offs are then set on those
out-of-fold probabilities: ``high`` so that a share ``--target`` of answerable
questions is answered confidently, ``none`` so that no answerable question is refused.
The shipped models are finally fitted on everything. Signals whose L1-penalised weight
ends at 0 are dropped from the file (and so never computed at run time).
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.embedding_cache import CachedEncoder
from bench.evaluate import SETS, _load, _squad_hit, matches
from index.encoding.factory import load_encoder
from index.engine import Engine, EngineConfig
from index.retrieval.confidence import (
    CALIBRATION,
    SIGNALS,
    Calibration,
    Logistic,
    cap,
    grade_of,
    lift,
    signal_vector,
)
from index.retrieval.retriever import validate_question

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQUAD = ROOT.parent / "shared" / "external" / "squad2-dev"
CACHE = ROOT / "var" / "calibrate-cache"
OFF_CORPUS_PER_ARTICLE = 120  # questions of a left-out article asked of the other three
UNRELATED = {"off-topic"}  # dev categories that are unrelated to their article
LABEL_HIT = False  # label "answerable" questions whose first quote misses as negatives
REFUSE_AT_MOST = 0.005  # share of answerable questions (out of fold) the none cut-off may refuse


@dataclass
class Sample:
    group: str  # the article (or dev set) it is held out with
    source: str  # squad | squad-off | dev
    answerable: bool
    on_topic: bool
    x: np.ndarray
    ceiling: tuple  # (floor, ceiling) grades the question's structure allows
    hit1: bool = False
    hit3: bool = False
    category: str = ""
    extra: dict = field(default_factory=dict)


def _engine(files: list[Path], tmp: str, encoder) -> Engine:
    folder = Path(tmp) / "articles"
    folder.mkdir(parents=True)
    for path in files:
        shutil.copy(path, folder / path.name)
    engine = Engine(
        EngineConfig(articles_dir=folder, index_dir=Path(tmp) / "index"),
        encoder_factory=lambda spec: encoder,
    )
    engine.start()
    return engine


def _ask(engine: Engine, questions: list[str], encoder, readers=None, groups=None) -> list[tuple]:
    """(signals, ceiling, ranked) per question, as the engine computes them.

    ``readers``: (fold of a group, {fold: reader}) from ``bench.train_reader``; each
    question is then read by the reader trained without its group (``groups``)."""
    if readers is not None:
        fold_of, models = readers
        out: list = [None] * len(questions)
        for fold, model in models.items():
            rows = [i for i, g in enumerate(groups) if fold_of.get(g, 0) == fold]
            for i, got in zip(
                rows, _ask_with(engine, [questions[i] for i in rows], encoder, model), strict=True
            ):
                out[i] = got
        return out
    return _ask_with(engine, questions, encoder, None)


def _ask_with(engine: Engine, questions: list[str], encoder, reader) -> list[tuple]:
    retriever = engine._live()
    retriever.reader = reader
    texts = [validate_question(q) for q in questions]
    vectors = encoder.encode(texts)
    names = list(SIGNALS)
    out = []
    for i, text in enumerate(texts):
        prepared = retriever.prepare(text, vectors[i : i + 1])
        evidence = retriever.evidence(text, prepared.ranked)
        out.append(
            (signal_vector(evidence, names), (prepared.floor, prepared.ceiling), prepared.ranked)
        )
    return out


def squad_samples(folder: Path, encoder, readers=None) -> list[Sample]:
    rows = [json.loads(x) for x in (folder / "questions.jsonl").open(encoding="utf-8") if x.strip()]
    files = sorted((folder / "articles").glob("*.txt"))
    paragraphs = {f.name: f.read_text(encoding="utf-8").split("\n\n")[1:] for f in files}
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(files, tmp, encoder)
        index = engine.search_index
        for row, (x, ceiling, ranked) in zip(
            rows,
            _ask(
                engine,
                [r["q"] for r in rows],
                encoder,
                readers,
                [r["article_file"] for r in rows],
            ),
            strict=True,
        ):
            marks = [
                _squad_hit(
                    row, index.sentence(c.ref).text, index.articles[c.ref.article].id, paragraphs
                )
                for c in ranked[:3]
            ]
            samples.append(
                Sample(
                    row["article_file"],
                    "squad",
                    not row["unanswerable"],
                    True,
                    x,
                    ceiling,
                    hit1=marks[:1] == [True],
                    hit3=any(marks),
                )
            )
    rng = random.Random(7)
    for held in files:
        asked = [r for r in rows if r["article_file"] == held.name]
        asked = rng.sample(asked, min(OFF_CORPUS_PER_ARTICLE, len(asked)))
        with tempfile.TemporaryDirectory() as tmp:
            engine = _engine([f for f in files if f != held], tmp, encoder)
            groups = [held.name] * len(asked)
            for x, ceiling, _ in _ask(engine, [r["q"] for r in asked], encoder, readers, groups):
                samples.append(Sample(held.name, "squad-off", False, False, x, ceiling))
    return samples


def dev_samples(encoder, readers=None) -> list[Sample]:
    samples = []
    for name, (articles_dir, questions, role) in SETS.items():
        if role != "dev":
            continue
        items = _load(questions)
        with tempfile.TemporaryDirectory() as tmp:
            engine = _engine(sorted(Path(articles_dir).glob("*.*")), tmp, encoder)
            index = engine.search_index
            asked = _ask(
                engine, [it["question"] for it in items], encoder, readers, [name] * len(items)
            )
            for item, (x, ceiling, ranked) in zip(items, asked, strict=True):
                marks = [
                    any(matches(index.sentence(c.ref).text, g) for g in item["gold"])
                    for c in ranked[:3]
                ]
                category = item.get("category", "off-topic" if item.get("off_topic") else "")
                answerable = not item.get("off_topic")
                samples.append(
                    Sample(
                        name,
                        "dev",
                        answerable,
                        answerable or category not in UNRELATED,
                        x,
                        ceiling,
                        hit1=marks[:1] == [True],
                        hit3=any(marks),
                        category=category,
                    )
                )
    return samples


def _fold_readers(folder: Path):
    """(fold of each group, {fold: reader}) from a ``bench.train_reader`` run."""
    from index.checksums import sha256_file
    from index.encoding.model_files import BUNDLED, prepare_model
    from index.reader.model import Reader

    meta = json.loads((folder / "folds.json").read_text(encoding="utf-8"))
    files = prepare_model(BUNDLED)
    models = {}
    for fold in (0, 1):
        path = folder / f"fold{fold}.onnx"
        models[fold] = Reader(files, path, sha256_file(path))
    return meta["folds"], models


def fit(x: np.ndarray, y: np.ndarray, c: float, weight: np.ndarray | None = None) -> Logistic:
    """L1-penalised logistic regression on standardised signals."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(l1_ratio=1.0, C=c, solver="liblinear", max_iter=5000)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    return Logistic(
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(float(w) for w in model.coef_[0]),
        float(model.intercept_[0]),
    )


def probabilities(model: Logistic, x: np.ndarray) -> np.ndarray:
    return np.array([model.probability(row) for row in x])


def _pruned(model: Logistic, names: list[str]) -> tuple[list[str], Logistic]:
    keep = [i for i, w in enumerate(model.weights) if abs(w) > 1e-9]
    return [names[i] for i in keep], Logistic(
        tuple(model.mean[i] for i in keep),
        tuple(model.scale[i] for i in keep),
        tuple(model.weights[i] for i in keep),
        model.bias,
    )


def weights(samples: list[Sample], dev_share: float) -> np.ndarray:
    """Sample weights giving our dev sets ``dev_share`` of the total, SQuAD the rest."""
    dev = np.array([s.source == "dev" for s in samples])
    w = np.ones(len(samples))
    if dev.any() and (~dev).any():
        w[dev] = dev_share / dev.sum()
        w[~dev] = (1 - dev_share) / (~dev).sum()
    return w * len(samples)


NAMES = list(SIGNALS)
#: the on-topic model reads only broad similarity: few signals, so it transfers to new articles
TOPIC_SIGNALS = [
    "score",
    "dense_sentence",
    "dense_paragraph",
    "coverage_paragraph",
    "absent_words",
    "question_words",
]
TOPIC_COLUMNS = [NAMES.index(name) for name in TOPIC_SIGNALS]


def fit_both(samples: list[Sample], c: float, dev_share: float) -> tuple[Logistic, Logistic]:
    x = np.stack([s.x for s in samples])
    w = weights(samples, dev_share)
    answerable = fit(
        x, np.array([s.answerable and (s.hit1 or not LABEL_HIT) for s in samples]), c, w
    )
    on_topic = fit(x[:, TOPIC_COLUMNS], np.array([s.on_topic for s in samples]), c, w)
    return answerable, on_topic


def out_of_fold(samples: list[Sample], c: float, dev_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-group-out probabilities of both models for every sample."""
    answerable = np.zeros(len(samples))
    on_topic = np.zeros(len(samples))
    x = np.stack([s.x for s in samples])
    for group in sorted({s.group for s in samples}):
        train = np.array([s.group != group for s in samples])
        test = ~train
        a_model, t_model = fit_both(
            [s for s, t in zip(samples, train, strict=True) if t], c, dev_share
        )
        answerable[test] = probabilities(a_model, x[test])
        on_topic[test] = probabilities(t_model, x[test][:, TOPIC_COLUMNS])
    return answerable, on_topic


def cutoffs(samples: list[Sample], p_answer: np.ndarray, p_topic: np.ndarray, target: float):
    positives = np.array([s.answerable for s in samples])
    high = float(np.quantile((p_answer * p_topic)[positives], 1.0 - target))
    sources = np.array([s.source for s in samples])
    refusable = positives & np.array([s.ceiling[0] == "none" for s in samples])
    none = min(
        float(np.quantile(p_topic[refusable & (sources == source)], REFUSE_AT_MOST))
        for source in ("squad", "dev")
        if (refusable & (sources == source)).any()
    )  # at most that share of answerable questions refused, in our sets and in SQuAD's
    return high, none


def grade(p_answer: float, p_topic: float, bounds: tuple, high: float, none: float) -> str:
    """The engine's grading rule (``Calibration.grade`` within the question's bounds)."""
    g = grade_of(p_answer, p_topic, high, none)
    floor, ceiling = bounds
    return cap(lift(g, floor), ceiling)


def report(samples: list[Sample], grades: list[str]) -> str:
    lines = [
        "| held-out group | answerable | confident | hit@1 | hit@3 | refused "
        "| unanswerable | confident (wrong) | off-corpus | quoted | confident |",
        "|" + "---|" * 11,
    ]
    groups = [*sorted({s.group for s in samples}), "ALL squad", "ALL dev"]
    for group in groups:

        def member(s: Sample, group: str = group) -> bool:
            if group == "ALL squad":
                return s.source.startswith("squad")
            if group == "ALL dev":
                return s.source == "dev"
            return s.group == group

        pick = [(s, g) for s, g in zip(samples, grades, strict=True) if member(s)]
        ans = [(s, g) for s, g in pick if s.answerable]
        un = [(s, g) for s, g in pick if not s.answerable and s.source != "squad-off"]
        off = [(s, g) for s, g in pick if s.source == "squad-off"]

        def pct(n: int, d: int) -> str:
            return f"{n / d:.2f}" if d else "–"

        lines.append(
            f"| {group} | {len(ans)} | {pct(sum(g == 'high' for _, g in ans), len(ans))} "
            f"| {pct(sum(s.hit1 for s, _ in ans), len(ans))} "
            f"| {pct(sum(s.hit3 for s, _ in ans), len(ans))} "
            f"| {sum(g == 'none' for _, g in ans)} | {len(un)} "
            f"| {pct(sum(g == 'high' for _, g in un), len(un))} | {len(off)} "
            f"| {sum(g != 'none' for _, g in off)} | {sum(g == 'high' for _, g in off)} |"
        )
    return "\n".join(lines)


def category_report(samples: list[Sample], grades: list[str]) -> str:
    """Our dev sets by question category: how many, and the share answered confidently
    (out of fold): near-topic and speaker questions the article cannot answer should
    not be confident, answerable ones should."""
    by: dict[str, list[str]] = {}
    for s, g in zip(samples, grades, strict=True):
        if s.source == "dev" and s.category:
            by.setdefault(s.category, []).append(g)
    parts = [
        f"{category} {sum(g == 'high' for g in got) / len(got):.2f} of {len(got)}"
        for category, got in sorted(by.items())
    ]
    return "dev categories, confident share: " + "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--target", type=float, default=0.88, help="confident share of answerable")
    parser.add_argument("--c", type=float, default=0.5, help="inverse L1 penalty")
    parser.add_argument("--dev-share", type=float, default=0.3, help="weight of our dev sets")
    parser.add_argument(
        "--samples", type=Path, help="keep the collected signals in FILE and reuse them"
    )
    parser.add_argument(
        "--write", action="store_true", help="write index/retrieval/calibration.json"
    )
    parser.add_argument(
        "--reader-folds",
        type=Path,
        help="read each question with the held-out reader of bench.train_reader (var/reader)",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="SIGNAL",
        help="fit as if SIGNAL were absent (an ablation; repeatable)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    unknown = set(args.without) - set(NAMES)
    if unknown:
        print(f"error: unknown signals {sorted(unknown)}", file=sys.stderr)
        return 2
    if not (args.squad / "questions.jsonl").is_file():
        print(f"error: no SQuAD 2.0 folder at {args.squad} (use --squad DIR)", file=sys.stderr)
        return 2
    if args.samples and args.samples.is_file():
        samples = pickle.loads(args.samples.read_bytes())  # from an earlier --samples run
    else:
        encoder = CachedEncoder(load_encoder(), CACHE)
        readers = _fold_readers(args.reader_folds) if args.reader_folds else None
        samples = squad_samples(args.squad, encoder, readers) + dev_samples(encoder, readers)
        if args.samples:
            args.samples.write_bytes(pickle.dumps(samples))
    for name in args.without:  # a constant column gets no weight
        for sample in samples:
            sample.x = sample.x.copy()
            sample.x[NAMES.index(name)] = 0.0
    p_answer, p_topic = out_of_fold(samples, args.c, args.dev_share)
    high, none = cutoffs(samples, p_answer, p_topic, args.target)
    grades = [
        grade(a, t, s.ceiling, high, none)
        for s, a, t in zip(samples, p_answer, p_topic, strict=True)
    ]
    print(
        f"held out by article; cut-offs from out-of-fold probabilities: high {high:.3f}, "
        f"none {none:.3f}"
    )
    print(report(samples, grades))
    print(category_report(samples, grades))
    names = NAMES
    a_full, t_full = fit_both(samples, args.c, args.dev_share)
    a_names, a_model = _pruned(a_full, names)
    t_names, t_model = _pruned(t_full, TOPIC_SIGNALS)
    calibration = Calibration(tuple(a_names), a_model, tuple(t_names), t_model, high, none)
    dropped = sorted(set(names) - set(a_names) - set(t_names))
    print(f"answerable signals: {', '.join(a_names)}")
    print(f"on-topic signals: {', '.join(t_names)}")
    print(f"dropped (weight 0 in both): {', '.join(dropped) or 'none'}")
    if args.write:
        CALIBRATION.write_text(json.dumps(calibration.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
