"""Set the ranker's weights and abstention threshold on the DEV questions only.

Usage: ``python -m bench.tune`` prints the best weights and threshold found by a coarse
grid search; copy them into ``RetrievalConfig``. The test sets (bench/eval) are never
read here, so the figures reported for them stay honest.
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
from index.retrieval import FEATURES, validate_question

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


MAX_FALSE_ABSTAIN = 0.15  # the operating point: answer at least 85% of answerable questions


def objective(samples, weights: np.ndarray) -> tuple[float, float]:
    """(objective, threshold) for these weights.

    The threshold is the highest that still answers ``1 - MAX_FALSE_ABSTAIN`` of the
    on-topic dev questions; the objective adds on-topic hit@1 (and half of hit@3) among
    answered questions to the share of off-topic questions that then abstain.
    """
    best_scores, hit1, hit3, off = [], [], [], []
    for matrix, gold, off_topic in samples:
        scores = matrix @ weights
        order = np.argsort(-scores)
        best_scores.append(scores[order[0]])
        hit1.append(bool(gold[order[0]]))
        hit3.append(bool(gold[order[:3]].any()))
        off.append(off_topic)
    best_scores, hit1, hit3, off = map(np.asarray, (best_scores, hit1, hit3, off))
    on_scores = np.sort(best_scores[~off])
    threshold = float(on_scores[int(np.floor(MAX_FALSE_ABSTAIN * len(on_scores)))]) - 1e-3
    answered = best_scores >= threshold
    on_value = ((answered & hit1) + 0.5 * (answered & hit3))[~off].mean() / 1.5
    return float(on_value + (~answered[off]).mean()), threshold


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    samples = collect(load_encoder())
    results = []
    for combo in itertools.product(GRID, repeat=len(FEATURES)):
        if combo[0] == 0 or sum(combo) == 0:
            continue
        weights = np.asarray(combo) / sum(combo)
        value, threshold = objective(samples, weights)
        results.append((value, tuple(np.round(weights, 3)), threshold))
    results.sort(reverse=True)
    print(f"{len(samples)} dev questions; features: {', '.join(FEATURES)}")
    for value, weights, threshold in results[:10]:
        print(f"objective {value:.3f}  weights {weights}  min_score {threshold:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
