"""Names written otherwise are grounded, and a question whose subject is nowhere in the
articles is graded none (``Retriever.off_topic``). The article is invented for the test;
the fake encoder builds the index (no model)."""

from __future__ import annotations

import pytest
from support import FakeEncoder

from index.engine import Engine, EngineConfig
from index.retrieval.question import read_question
from index.retrieval.retriever import validate_question

ARTICLE = """Consulate in Tarnow shuts after drone warning

The US consulate in Tarnow shut on Monday after a drone warning, two US officials said.

A spokesman for North Korea's foreign ministry said the drones were not theirs.

Officials in Moscow said the warning was "a provocation" and denied any plan to strike.

The United Nations will meet on Friday to discuss the drone warning, said Marta Kowalczyk.
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("off-topic")
    (root / "articles").mkdir()
    (root / "articles" / "tarnow.txt").write_text(ARTICLE, encoding="utf-8")
    engine = Engine(
        EngineConfig(articles_dir=root / "articles", index_dir=root / "index"),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    engine.start()
    return engine


@pytest.mark.parametrize(
    "question",
    [
        "Who won the football World Cup in 2022?",
        "What's the weather in Paris tomorrow?",
        "How tall is the Eiffel Tower?",
        "who won the cricket final at lords yesterday",
    ],
)
def test_a_question_off_the_articles_gets_nothing(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert (answer.confidence, answer.quotes, answer.answered) == ("none", (), False)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Why did the Americans shut the consulate in Tarnow?", "Americans"),
        ("What did Washington say about the drone warning?", "Washington"),
        ("What did Pyongyang say about the drones?", "Pyongyang"),
        ("Did the Kremlin deny a plan to strike?", "Kremlin"),
        ("When will the UN meet about the drone warning?", "UN"),
    ],
)
def test_a_name_written_otherwise_is_not_called_missing(
    engine: Engine, question: str, term: str
) -> None:
    answer = engine.ask(question)
    assert answer.confidence != "none"
    assert answer.quotes
    assert not (answer.note or "").startswith("The article never mentions")
    retriever = engine._retriever
    assert retriever is not None
    text = validate_question(question)
    prepared = retriever.prepare(text, retriever.encoder.encode([text]), read_question(text))
    assert prepared is not None
    assert (prepared.grounded, prepared.off_topic) == (1.0, False)


def test_a_name_the_article_lacks_still_hedges(engine: Engine) -> None:
    answer = engine.ask("What did Berlin say about the drone warning in Tarnow?")
    assert answer.confidence == "low"
    assert answer.note == "The article never mentions ‘Berlin’."
