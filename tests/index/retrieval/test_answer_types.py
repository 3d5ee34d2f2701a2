"""Answer slots: a question naming a precise slot, and whether a passage fills it.

Every question and passage here is invented for the test."""

from __future__ import annotations

import pytest

from index.retrieval.answer_types import SLOT_NOTES, unfilled_slot


@pytest.mark.parametrize(
    ("question", "passage", "slot"),
    [
        # a count of the thing asked about, or a count in other words
        ("how many tanks has Norland sent?", "Norland has sent 14 tanks since March.", None),
        ("how many fans were at the game?", "The crowd of 31,406 sang throughout.", None),
        ("How many of the workers were women?", "Of the 40 workers, a dozen were women.", None),
        ("how many tanks has Norland sent?", "Norland sent more aid in 2023.", "count"),
        ("how many tanks has Norland sent?", "Norland promised tanks on March 3.", "count"),
        # a count of another thing beside the thing asked about
        ("how many mines is Norland sending?", "Norland is sending mines and 20 tanks.", "count"),
        (
            "how many members of the board resigned?",
            "Two motions failed on Monday, and the board's members stayed.",
            "count",
        ),
        # a count of what the question names in other words, or of its object
        (
            "how many members of the board resigned?",
            "Two directors resigned on Monday, while other members stayed.",
            None,
        ),
        ("how many homes lost power?", "Power was cut to 3,400 homes overnight.", None),
        ("how many homes lost power?", "Power returned, though 3,400 homes waited.", None),
        ("how many ships crossed the strait?", "In the strait, 12 tankers crossed.", None),
        (
            "how many people were rescued?",
            "Crews rescued 14 residents from the roofs, and people cheered.",
            None,
        ),
        (
            "how many people were displaced?",
            "Some 300 local families left as people panicked.",
            None,
        ),
        ("how many residents were moved?", "Some 40 people had to leave, residents said.", None),
        ("how many homes flooded?", "Fifteen homes flooded, and 2 roads shut.", None),
        ("how many homes flooded?", "Seventy-two homes flooded overnight.", None),
        ("how long did the strike last?", "The strike lasted sixteen days.", None),
        # a length of time, a measure, a share or money is no count of things
        ("how many witnesses testified?", "Jurors deliberated 11 hours over two days.", "count"),
        ("how many homes does it serve?", "It won a seven-year, $48 million deal.", "count"),
        ("how many pupils attend?", "The school is 20 miles out, up 4% on fees.", "count"),
        ("how many days did the trial last?", "The trial lasted 11 days.", None),
        ("how many hours did they wait?", "They waited for 11 hours.", None),
        ("how many staff were cut?", "It cut 14% of its staff.", None),
        ("how many times has it won?", "It has won the cup twice.", None),
        ("how many fans came?", "Some 4,000 came on a two-hour trip.", None),
        (
            "how many people were hurt?",
            "Two buses crashed on the bridge, and people were hurt.",
            "count",
        ),
        ("how many classes of fault are there?", "Faults fall into four classes.", None),
        ("How many schools of music were there?", "It had Four Great Schools.", None),
        ("how many councils signed?", "The deal was signed by 11 of the 12 councils.", None),
        ("how many rebels were killed?", "When 500 to 3,000 were killed, rebels fled.", None),
        ("how many treaties protect it?", "None of the treaties protect it.", None),
        # an amount of money, or any number for other "how much"
        ("how much did Ashby pay for Moss?", "Ashby signed Moss for a £4.5m fee.", None),
        ("how much did the study cost?", "The study cost 2 million euros.", None),
        ("how much did Ashby pay for Moss?", "Ashby signed Moss in 2021 on a long deal.", "amount"),
        ("how much did the river rise?", "The river rose 3.2 metres overnight.", None),
        # a clock time
        ("what time did the match kick off?", "The match kicked off at 3pm.", None),
        ("what time does the 43 leave?", "The bus leaves at 07:15 from the square.", None),
        ("what time did the match kick off?", "The match kicked off on Saturday.", "clock"),
        # a length of time
        ("how long did the jury deliberate?", "The jury deliberated for six hours.", None),
        ("how long will the road stay shut?", "It stays shut at least through Thursday.", None),
        (
            "how long did the jury deliberate?",
            "The jury returned its verdict on Friday.",
            "duration",
        ),
        ("How long has the rule applied?", "The rule has applied since the 1970s.", None),
        (
            "For how long did the family farm there?",
            "They farmed it well into the last century.",
            None,
        ),
        ("What time of day did they meet?", "They met in secret at night.", None),
        ("how long will the office stay shut?", "The office is closed until further notice.", None),
        ("how much did the town spend?", "The town spent 14 million on the scheme.", None),
        ("how much was she charged for it?", "She was charged 40 kilos of grain.", None),
        # other currencies; none and single are counts too
        ("How much could she claim?", "She could claim 6 million lira from the state.", None),
        ("How many of the treaties name it?", "None of the treaties name it.", None),
        # a date or a time of the event
        ("when did the bridge open?", "The bridge opened on Friday.", None),
        ("When was the mill built?", "The mill was built in 1884.", None),
        ("what year did the mill close?", "The mill closed after the war ended.", None),
        ("when is the appeal hearing?", "Her lawyer said she would appeal.", "date"),
        # "when" opening a clause of its own is not the question word
        ("When the river floods, what closes first?", "The ford closes first.", None),
        # questions naming no precise slot are never capped by this
        ("what did the mayor say?", "The mayor spoke at length.", None),
        ("which company won the contract?", "Greenway won the contract.", None),
    ],
)
def test_unfilled_slot(question: str, passage: str, slot: str | None) -> None:
    assert unfilled_slot(question, passage) == slot


@pytest.mark.parametrize(
    ("question", "passage", "sentence", "slot"),
    [
        # a person (or a body) in the best sentence, not only among its neighbours
        ("who won the vote?", "The vote was close.", None, "person"),
        ("who won the vote?", "Ana Ruiz won the vote.", None, None),
        ("who is the firm's finance chief?", "The firm cut jobs in Europe.", None, "person"),
        ("who scored for Dunmore?", "Dunmore hit back early.", None, "person"),
        ("who scored for Dunmore?", "The striker scored early.", None, None),
        ("who refused to sign?", "The UK refused to sign the charter.", None, None),
        ("who enforces the rule?", "The rule is enforced by the courts.", None, None),
        ("who doubts the claim?", "Many historians doubt the claim.", None, None),
        (
            "who scored for Dunmore?",
            "Dunmore hit back early. Ana Ruiz scored twice.",
            "Dunmore hit back early.",
            "person",
        ),
        ("who said the plan was dead?", "The plan is dead.", None, None),  # a speaker's
        # a named place for "which states / countries"
        ("which states get the most money?", "Ohio and Utah get the most.", None, None),
        ("which states get the most money?", "Ms. Tighe said states would share.", None, "name"),
        ("which member state refused?", "The Dutch refused.", None, None),
        ("what articles state that powers stay?", "Articles 4 and 5 say so.", None, None),
        # "what is the name of …": a name the question does not hold
        ("what is the name of the dog?", "The dog, Biscuit, was found.", None, None),
        ("what is the name of Ruiz's dog?", "Ruiz was seen with her dog.", None, "name"),
    ],
)
def test_name_and_person_slots(
    question: str, passage: str, sentence: str | None, slot: str | None
) -> None:
    assert unfilled_slot(question, passage, sentence) == slot


def test_the_best_sentences_speaker_can_be_who_was_asked_for() -> None:
    question, passage = "who leaked the deal?", "“The deal was leaked to hurt us.”"
    assert unfilled_slot(question, passage, passage) == "person"
    assert unfilled_slot(question, passage, passage, speaker="Tony Barrett") is None


def test_every_slot_has_a_note() -> None:
    assert set(SLOT_NOTES) == {"count", "amount", "clock", "duration", "date", "name", "person"}
    assert all(note.endswith(".") for note in SLOT_NOTES.values())
