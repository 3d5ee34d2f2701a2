"""What kind of answer a question wants (a number, a time, a place, a person), and
which sentences offer one. A weak, generic signal the ranker adds to similarity."""

from __future__ import annotations

import re

from index.models import Sentence

_QUESTION_TYPES = (
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|long|far|big|large|old|often)\b"
            r"|\bwhat (?:number|percentage|share)\b",
            re.IGNORECASE,
        ),
    ),
    ("time", re.compile(r"\bwhen\b|\bwhat (?:time|day|date|year)\b|\bhow soon\b", re.IGNORECASE)),
    (
        "place",
        re.compile(r"\bwhere\b|\bwhich (?:city|country|region|town|area|place)\b", re.IGNORECASE),
    ),
    ("person", re.compile(r"\bwho\b|\bwhose\b|\bwhom\b", re.IGNORECASE)),
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|"
    r"half|double|twice)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    rf"\b(?:{_DAYS}|{_MONTHS}|yesterday|today|tonight|overnight|morning|evening|afternoon|"
    r"week|weeks|month|months|year|years|hours?|days?|since|until|ago|after|before|"
    r"a\.m\.|p\.m\.|\d{4}|\d{1,2}(?::\d{2})?\s?(?:am|pm))\b",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(?:in|at|near|into|from|to|across|along|outside|towards?)\s+(?:the\s+)?[A-Z][\w'’-]+"
    r"|\b(?:region|city|town|country|area|border|capital|territory|province|state|county)\b"
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][\w'’-]+)+")


def question_type(question: str) -> str | None:
    """The kind of answer a question asks for, when its wording says so."""
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return name
    return None


def sentence_types(sentence: Sentence) -> frozenset[str]:
    """The kinds of answer a sentence can give."""
    text = sentence.text
    types = set()
    if _NUMBER.search(text):
        types.add("number")
    if _TIME.search(text):
        types.add("time")
    if _PLACE.search(text):
        types.add("place")
    if sentence.attribution.speaker or _NAME.search(text[1:]):
        types.add("person")
    return frozenset(types)
