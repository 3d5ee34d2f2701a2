"""index/retrieval/question.py: how a question is read before anything is ranked (pure)."""

from __future__ import annotations

import pytest

from index.retrieval.question import is_foreign, read_question


@pytest.mark.parametrize(
    ("question", "kind", "source"),
    [
        # the article itself
        ("what is this article about?", "about", None),
        ("whats this story about", "about", None),
        ("what is the harbour strike story about", "about", None),
        ("give me the gist", "about", None),
        ("tl;dr", "about", None),
        ("TLDR pls", "about", None),
        ("summarise it", "about", None),
        ("main points?", "about", None),
        ("what happened?", "about", None),
        ("what happened at the harbour on friday", "plain", None),
        ("what is the lawsuit about", "plain", None),
        # one source
        ("what did the harbour master say about the tides", "speaker", "harbour master"),
        ("What has Mayor Ilse Brandt said?", "speaker", "Mayor Ilse Brandt"),
        ("what does the union think of the offer", "speaker", "union"),
        ("how did the ministry react", "speaker", "ministry"),
        ("did the coach comment on the injury", "speaker", "coach"),
        ("Okoro's view on the strike?", "speaker", "Okoro"),
        ("according to the port authority, when will ships sail", "speaker", "port authority"),
        ("quotes from the fire chief about the smoke", "speaker", "fire chief"),
        # a verb of saying after "the" or a possessive is a noun in the source
        ("what did the state highway patrol say about it", "speaker", "state highway patrol"),
        ("what have the state regulators said", "speaker", "state regulators"),
        ("did the port's post office comment", "speaker", "port's post office"),
        ("what did they say", "plain", None),
        ("what did the report say", "plain", None),
        # who said
        ("who said the pier would close", "who", None),
        ("who warned about the storm", "who", None),
        ("which official confirmed the figures", "who", None),
        ("who closed the pier", "plain", None),
        ("why did the pier close", "plain", None),
    ],
)
def test_question_kinds(question: str, kind: str, source: str | None) -> None:
    intent = read_question(question)
    assert (intent.kind, intent.source) == (kind, source)


def test_the_rest_of_a_speaker_question_is_kept_for_ranking() -> None:
    intent = read_question("what did the harbour master say about the tides")
    assert intent.rest == "about the tides"
    intent = read_question("according to the port authority, when will ships sail")
    assert intent.rest == "when will ships sail"


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("What did Macron say at the G20 summit?", ("Macron", "G20")),
        ("how many ships left in 2019", ("2019",)),
        ("Where did 3,500 people gather?", ("3,500",)),
        ("Who is Ilse Brandt", ("Ilse", "Brandt")),
        ("WHO CLOSED THE PIER ON MONDAY", ()),  # shouting: capitals say nothing
        ("I think the Mayor said so", ("Mayor",)),  # "I" is not a name
        ("what did the mayor say", ()),
    ],
)
def test_grounding_terms_are_names_and_numbers(question: str, terms: tuple[str, ...]) -> None:
    assert read_question(question).terms == terms


@pytest.mark.parametrize(
    ("question", "foreign"),
    [
        ("¿Qué dijo el alcalde sobre el puerto?", True),
        ("Pourquoi le port est-il fermé ?", True),
        ("Was hat die Bürgermeisterin über den Hafen gesagt?", True),
        ("Почему закрыли порт?", True),
        ("what did el alcalde say", False),
        ("why did the port close", False),
        ("who is la niña", False),
    ],
)
def test_other_languages_are_recognised(question: str, foreign: bool) -> None:
    assert is_foreign(question) is foreign
    assert read_question(question).foreign is foreign
