"""The alias layer of the name check: a question's names found in the article however
either writes them (invented sentences; the country data from the countryinfo package)."""

from __future__ import annotations

import pytest

from index.retrieval.aliases import (
    Grounding,
    aliases,
    country_groups,
    distance,
    fold,
    typo_limit,
)
from index.search.lexical import tokenize

ARTICLE = (
    "The US consulate in Lvov shut its doors on Monday, a spokesman for North Korea's "
    "foreign ministry said. Officials in Moscow denied it. Britain's foreign secretary, "
    "speaking in Downing Street, said the United Nations would meet. Fryderyk Chopín's "
    "sonata was played by Renée Okonkwo-Brandt as Zelenskyy looked on. Austria and Iran "
    "said nothing; the U.S.-led talks at NATO go on. Ukrainian farmers complained. Erwin "
    "Schrödinger's cat cost 10,000 zloty."
)


def grounding(text: str = ARTICLE) -> Grounding:
    return Grounding.of_texts(tokenize(text), [text])


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("What did the Americans say about the consulate?", "Americans"),  # demonym
        ("Why did Washington shut the consulate?", "Washington"),  # capital as metonym
        ("What did the White House say?", "White"),  # seat of government
        ("What did the White House say?", "House"),
        ("Did the United States close it?", "United"),  # name ~ "US"
        ("What did Pyongyang say?", "Pyongyang"),  # capital ~ "North Korea"
        ("What did the Kremlin deny?", "Kremlin"),  # seat ~ "Moscow"
        ("What did the Russians deny?", "Russians"),  # demonym ~ capital
        ("What did the UK say?", "UK"),  # code ~ "Britain"
        ("What did the British minister say?", "British"),
        ("What did Number 10 say, in London?", "London"),  # capital ~ "Britain"
        ("How did the farmers in Ukraine react?", "Ukraine"),  # country ~ demonym
        ("Whose sonata, Chopin's?", "Chopin's"),  # accent and possessive
        ("Who played, Renee?", "Renee"),  # accent folded
        ("What did the UN decide?", "UN"),  # acronym ~ "United Nations"
        ("What did Zelenskiy watch?", "Zelenskiy"),  # one letter off a long name
        ("What did the U.S.A. do?", "USA"),
        ("What about Nato?", "Nato"),
        ("What about US-led talks?", "US-led"),
        ("Whose cat, Schrodinger's?", "Schrodinger's"),  # accent inside a stemmed word
        ("Did it cost 10000 zloty?", "10000"),  # thousands separator
    ],
)
def test_a_name_written_otherwise_is_found(question: str, term: str) -> None:
    assert grounding().has_term(term, question)
    assert grounding().missing([term], question) == []


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("What did Australia say?", "Australia"),  # not Austria
        ("What did Iraq say?", "Iraq"),  # not Iran: short words are never forgiven a typo
        ("What did Paris say?", "Paris"),
        ("Did the French say anything?", "French"),
        ("What did Beijing say?", "Beijing"),
        ("What did Macron say?", "Macron"),
        ("What did the EU decide?", "EU"),
        ("Was Lviv mentioned?", "Lviv"),  # four letters: no typo forgiven
        ("What about Germany?", "Germany"),
        ("Did it cost 20000 zloty?", "20000"),
    ],
)
def test_an_unrelated_name_is_not_found(question: str, term: str) -> None:
    assert not grounding().has_term(term, question)
    assert grounding().missing([term], question) == [term]


def test_the_share_of_names_found_is_a_soft_signal() -> None:
    found = grounding()
    question = "Did Washington and Paris talk to the Kremlin in 2031?"
    assert found.share(["Washington", "Paris", "Kremlin", "2031"], question) == 0.5
    assert found.share([], question) == 1.0


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Chopín's", "chopin"), ("U.S.", "us"), ("Renée  Okonkwo", "renee okonkwo"), ("UK", "uk")],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_country_data_is_built_once_from_installed_files() -> None:
    assert country_groups() is country_groups()
    assert len(country_groups()) > 190
    assert {"american", "united states", "us", "washington", "white house"} <= aliases("the US")
    assert {"moscow", "russian"} <= aliases("Kremlin")
    assert aliases("banana") == frozenset()


def test_typos_are_forgiven_only_in_long_words() -> None:
    assert (typo_limit("iran"), typo_limit("chopin"), typo_limit("zelenskyyy")) == (0, 1, 2)
    assert distance("zelenskiy", "zelenskyy", 1) == 1
    assert distance("austria", "australia", 1) == 2  # over the limit: reported as limit + 1
