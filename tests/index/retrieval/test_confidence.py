"""index/retrieval/confidence.py: the grading rule, the fitted file and its signals (pure)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.retrieval.confidence import (
    CALIBRATION,
    SIGNALS,
    Calibration,
    Evidence,
    Logistic,
    cap,
    grade_of,
    lift,
    load_calibration,
    signal_vector,
)


def evidence(**changes) -> Evidence:
    base = dict(
        question="How many ships left the Kelmouth harbour in 2019?",
        weights={"ship": 2.0, "left": 1.0, "kelmouth": 3.0, "harbour": 1.5, "2019": 3.0},
        scores=[0.6, 0.5, 0.45, 0.4, 0.3],
        best=(0.7, 0.5, 0.2, 0.1, 0.6, 0.5, 1.0),
        window_words=frozenset({"ship", "left", "harbour"}),
        paragraph_words=frozenset({"ship", "left", "harbour", "kelmouth"}),
        sentence_words=frozenset({"ship", "left"}),
        window_text="Twelve ships left the harbour. It was windy.",
        paragraph_text="Twelve ships left the harbour. It was windy. Kelmouth was quiet.",
        corpus_words={"ship": 3, "left": 2, "harbour": 4, "kelmouth": 1},
        question_type="number",
        window_types=frozenset({"number"}),
    )
    return Evidence(**{**base, **changes})


def test_signals_read_the_evidence() -> None:
    e = evidence()
    values = dict(zip(SIGNALS, signal_vector(e, list(SIGNALS)), strict=True))
    assert values["score"] == pytest.approx(0.6)
    assert values["gap_next"] == pytest.approx(0.1)
    assert values["coverage_sentence"] == pytest.approx(3.0 / 10.5)
    assert values["absent_words"] == pytest.approx(3.0 / 10.5)  # "2019" is nowhere
    assert values["numbers_unmatched"] == 1.0  # "2019" is not in the paragraph
    assert values["names_unmatched"] == 1.0  # "Kelmouth" is not in the window
    assert values["type_unmet"] == 0.0
    assert values["type_number"] == 1.0
    assert signal_vector(evidence(window_types=frozenset()), ["type_unmet"])[0] == 1.0


def test_negation_counts_only_when_the_passage_has_none() -> None:
    asked = "Which ships did not leave?"
    assert signal_vector(evidence(question=asked), ["negation_unmatched"])[0] == 1.0
    said = evidence(question=asked, window_text="No ship left the harbour.")
    assert signal_vector(said, ["negation_unmatched"])[0] == 0.0


@pytest.mark.parametrize(
    ("p_answer", "p_topic", "grade"),
    [
        (0.9, 0.9, "high"),
        (0.9, 0.4, "low"),  # answerable-looking but barely on the subject: hedged
        (0.3, 0.9, "low"),
        (0.9, 0.05, "none"),  # off-topic wins whatever the other says
    ],
)
def test_grading_rule(p_answer: float, p_topic: float, grade: str) -> None:
    assert grade_of(p_answer, p_topic, high=0.5, none=0.1) == grade


def test_caps_and_floors() -> None:
    assert cap("high", "low") == "low"
    assert cap("none", "low") == "none"
    assert lift("none", "low") == "low"
    assert lift("high", "low") == "high"


def test_logistic_and_round_trip() -> None:
    model = Logistic(mean=(1.0,), scale=(2.0,), weights=(4.0,), bias=0.0)
    assert model.probability(np.array([1.0])) == pytest.approx(0.5)
    assert model.probability(np.array([1e9])) == pytest.approx(1.0)  # no overflow
    calibration = Calibration(("score",), model, ("score",), model, 0.5, 0.1)
    assert Calibration.from_dict(json.loads(json.dumps(calibration.to_dict()))) == calibration


def test_the_shipped_calibration_loads_and_uses_only_weighted_signals() -> None:
    """bench/calibrate.py drops signals whose fitted weight is 0 from the file."""
    calibration = load_calibration()
    for model, names in (
        (calibration.answerable, calibration.answerable_signals),
        (calibration.on_topic, calibration.on_topic_signals),
    ):
        assert len(model.weights) == len(model.mean) == len(model.scale) == len(names)
        assert all(w != 0 for w in model.weights)
        assert set(names) <= set(SIGNALS)
    assert 0 < calibration.none < 1
    assert 0 < calibration.high < 1


def test_an_unknown_signal_in_the_file_is_refused(tmp_path) -> None:
    data = json.loads(CALIBRATION.read_text(encoding="utf-8"))
    data["on_topic"]["signals"][0] = "mystery"
    with pytest.raises(ValueError, match="mystery"):
        Calibration.from_dict(data)
