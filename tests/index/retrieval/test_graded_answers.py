"""Graded answers with the real model on the bundled article: confident, hedged with a
reason, or nothing; questions read through who the article quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import check_quotes
from support import ROOT

from index.engine import Engine, EngineConfig
from index.retrieval.answer_types import SLOT_NOTES
from index.retrieval.retriever import FOREIGN_NOTE

pytestmark = pytest.mark.model
LEAD = "The US embassy in Kyiv closed on Wednesday after they received"


def test_a_person_only_in_a_caption_is_not_quoted_for(real_engine: Engine) -> None:
    answer = real_engine.ask("What did Zelenskyy say about the mines?")
    assert answer.confidence == "low"
    assert answer.note is not None
    assert "only in a photo caption" in answer.note
    assert "Zelenskyy" in answer.note
    assert answer.quotes  # hedged: the closest passages are still shown
    assert all(q.attribution.speaker != "Volodymyr Zelenskyy" for q in answer.quotes)


def test_a_person_not_in_the_article_is_never_answered_with_confidence(real_engine) -> None:
    answer = real_engine.ask("What did Macron say at the G20 summit?")
    assert answer.confidence != "high"
    assert answer.note == "The article never mentions ‘Macron’."


def test_an_office_no_one_in_the_article_holds_is_hedged(real_engine: Engine) -> None:
    """No mayor anywhere in the article: the closest passages, with the reason, never a
    confident "who"."""
    answer = real_engine.ask("who is the mayor of Kyiv?")
    assert answer.confidence == "low"
    assert answer.note == "The article never mentions ‘mayor’."
    assert answer.quotes


def test_a_person_named_but_never_quoted(real_engine: Engine) -> None:
    answer = real_engine.ask("did biden comment on the mines")
    assert answer.confidence == "low"
    assert answer.note == "The article mentions President Joe Biden but quotes nothing from Biden."


@pytest.mark.parametrize(
    "question",
    [
        "What is a good banana bread recipe?",
        "how do i reset my router",
        "Who won the football World Cup in 2022?",  # capitalised words, none in the article
        "What's the weather in Paris tomorrow?",
    ],
)
def test_off_topic_gets_nothing(real_engine: Engine, question: str) -> None:
    answer = real_engine.ask(question)
    assert (answer.confidence, answer.quotes, answer.answered) == ("none", (), False)


@pytest.mark.parametrize("question", ["What is this article about?", "tl;dr", "summary pls"])
def test_questions_about_the_article_get_its_lead(real_engine: Engine, question: str) -> None:
    answer = real_engine.ask(question)
    assert answer.confidence == "high"
    assert answer.quotes[0].text.startswith(LEAD)
    assert len({q.attribution.speaker for q in (*answer.quotes, *answer.more)}) > 2


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("what did the kremlin say about nukes", "Dmitry Peskov"),
        ("According to the officials, how long do the mines stay armed?", "two US officials"),
        ("the science secretary's view on the situation?", "Peter Kyle"),
        ("WHO CONFIRMED THE STRIKE COULD MEAN A NUCLEAR RESPONSE?", "Dmitry Peskov"),
        ("**what** did _Lavrov_ say about the attack 🤔", "Sergey Lavrov"),
    ],
)
def test_speaker_questions_quote_that_speaker(real_engine, question: str, speaker: str) -> None:
    answer = real_engine.ask(question)
    assert answer.quotes
    assert answer.confidence != "none"
    assert answer.quotes[0].attribution.speaker == speaker


def test_who_questions_name_the_speaker_first(real_engine: Engine) -> None:
    answer = real_engine.ask("who warned about irresponsible rhetoric from russia?")
    assert answer.who is not None
    assert answer.who.startswith("Starmer")
    assert answer.quotes[0].attribution.speaker == "Starmer"


def test_a_place_the_article_gives_is_found(real_engine: Engine) -> None:
    answer = real_engine.ask("where was the G20 held?")
    assert answer.confidence != "none"
    assert any("G20 summit in Brazil" in q.text for q in answer.quotes)


def test_another_language_is_hedged_never_refused(real_engine: Engine) -> None:
    answer = real_engine.ask("¿Por qué cerró la embajada de Estados Unidos en Kiev?")
    assert answer.confidence == "low"
    assert answer.note == FOREIGN_NOTE
    assert answer.quotes


def test_every_graded_quote_is_verbatim(real_engine: Engine) -> None:
    for question in (
        "What did Zelenskyy say about the mines?",
        "what is this about",
        "who said the embassy would be closed?",
    ):
        articles = {a.id: a for a in real_engine.search_index.articles}
        check_quotes(real_engine.ask(question), articles)


def test_with_several_articles_an_about_question_lists_them(real_encoder, tmp_path: Path) -> None:
    engine = Engine(
        EngineConfig(articles_dir=ROOT / "bench/eval/multi/articles", index_dir=tmp_path),
        encoder_factory=lambda spec: real_encoder,
    )
    engine.start()
    answer = engine.ask("what is this about?")
    assert answer.confidence == "low"
    assert answer.note is not None
    assert "4 articles are indexed" in answer.note
    ids = [q.article_id for q in (*answer.quotes, *answer.more)]
    assert sorted(ids) == sorted(a.id for a in engine.articles())
    named = engine.ask("what is the harrowmere flood story about?")
    assert named.confidence == "high"
    assert {q.article_id for q in named.quotes} == {"harrowmere-storm-isolde-flood.txt"}
    filtered = engine.ask("summary", article="st-aubin-flash-flood.txt")
    assert filtered.confidence == "high"
    assert {q.article_id for q in filtered.quotes} == {"st-aubin-flash-flood.txt"}


def test_a_precise_slot_the_article_does_not_fill_is_hedged(real_engine: Engine) -> None:
    """ "How much …" over passages naming no amount: the closest passages, hedged, with a
    note saying what they lack; a question the same passage answers is not capped."""
    hedged = real_engine.ask("how much did the US spend on the mines?")
    assert hedged.confidence == "low"
    assert hedged.note == SLOT_NOTES["amount"]
    assert hedged.quotes
    answered = real_engine.ask("when did the embassy close?")
    assert answered.confidence == "high"
    assert answered.note is None
