"""Set the ranker's feature weights on the DEV questions only.

Usage: ``python -m bench.tune`` prints the best weights found by a coarse grid search
(objective: hit@1 plus half of hit@3 over the answerable dev questions); copy them into
``RetrievalConfig``. Whether an answer is confident is fitted apart, by
``bench/calibrate.py``. The test sets (bench/eval) are never read here, so the figures
reported for them stay honest.
"""

from __future__ import annotations

import itertools
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.evaluate import SETS, _load, matches
from index.encoding.factory import load_encoder
from index.engine import Engine, EngineConfig
from index.retrieval.retriever import FEATURES, validate_question

DEV_SETS = [name for name, (_, _, role) in SETS.items() if role == "dev"]
GRID = (0.0, 0.1, 0.25, 0.5)


def collect(encoder) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """For each dev question: feature matrix, gold mask over its candidates, off-topic flag."""
    samples = []
    for name in DEV_SETS:
        articles_dir, questions, _ = SETS[name]
        with tempfile.TemporaryDirectory() as tmp:
            engine = Engine(
                EngineConfig(articles_dir=articles_dir, index_dir=Path(tmp)),
                encoder_factory=lambda spec: encoder,
            )
            engine.start()
            retriever = engine._live()
            index = retriever.index
            for item in _load(questions):
                text = validate_question(item["question"])
                rows, matrix = retriever.features(text, encoder.encode([text]))
                gold = np.array(
                    [
                        any(
                            matches(index.sentence(index.sentence_refs[r]).text, g)
                            for g in item["gold"]
                        )
                        for r in rows
                    ]
                )
                samples.append((matrix, gold, bool(item.get("off_topic"))))
    return samples


def objective(samples, weights: np.ndarray) -> float:
    """hit@1 plus half of hit@3 over the answerable dev questions, out of 1.5."""
    value = []
    for matrix, gold, off_topic in samples:
        if off_topic or not len(gold):
            continue
        order = np.argsort(-(matrix @ weights), kind="stable")
        value.append(bool(gold[order[0]]) + 0.5 * bool(gold[order[:3]].any()))
    return float(np.mean(value)) / 1.5


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    samples = collect(load_encoder())
    results = []
    for combo in itertools.product(GRID, repeat=len(FEATURES)):
        if combo[0] == 0 or sum(combo) == 0:
            continue
        weights = np.asarray(combo) / sum(combo)
        results.append((objective(samples, weights), tuple(np.round(weights, 3))))
    results.sort(reverse=True)
    print(f"{len(samples)} dev questions; features: {', '.join(FEATURES)}")
    for value, weights in results[:10]:
        print(f"objective {value:.3f}  weights {weights}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
