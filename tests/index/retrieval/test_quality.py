"""Answer quality with the real model: a regression floor on the blind test questions.

The figures reported in the README come from ``python -m bench.evaluate``; this test only
guards against falling below what the engine reached when those figures were taken.
"""

from __future__ import annotations

import pytest

from bench.evaluate import evaluate_set

pytestmark = pytest.mark.model


def test_engine_beats_baseline_and_keeps_its_floor(real_encoder):
    """On the bundled-article test sets, ranking, confidence and refusals stay at their
    measured level (bench/evaluate.py reports the figures)."""
    results, _ = evaluate_set("kyiv", real_encoder)
    engine, baseline = results["kyiv"]
    e, b = engine.row(), baseline.row()
    assert e["hit@1"] >= 0.80
    assert e["hit@1"] > b["hit@1"]
    assert e["attribution"] >= 0.95
    assert e["confident"] >= 0.87
    assert e["refused"] == 0
    results, _ = evaluate_set("kyiv2", real_encoder)
    e = results["kyiv2"][0].row()
    assert e["refused"] == 0
    assert e["off no quote"] >= 0.6
    assert results["kyiv2:not-quoted"][0].row()["near confident"] <= 0.5


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did the Kremlin say about a nuclear response?", "Dmitry Peskov"),
        ("Who spoke on Times Radio?", "Peter Kyle"),
        ("What did Lavrov say about the missile attack?", "Sergey Lavrov"),
    ],
)
def test_speaker_questions(real_engine, question, speaker):
    """Questions about a source are answered by that source's sentences first."""
    answer = real_engine.ask(question)
    assert answer.answered
    assert answer.quotes[0].attribution.speaker == speaker


@pytest.mark.parametrize(
    "question",
    ["How do I bake sourdough bread?", "Who won the 1998 World Cup?", "asdf qwerty zxcv"],
)
def test_unrelated_questions_abstain(real_engine, question):
    """Questions with nothing to do with the article get no quote."""
    answer = real_engine.ask(question)
    assert answer.confidence == "none"
    assert answer.quotes == ()
