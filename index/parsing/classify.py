"""Classify article blocks: body text, photo captions and boilerplate.

Captions and boilerplate are kept in the index (their paragraph numbers still count)
but are never quoted as answers.
"""

from __future__ import annotations

import re

from index.models import BlockKind

_CREDIT_WORDS = (
    r"(?:credit|credits|photo|photos|photograph|picture|pictures|image|images|pic|source)"
)
# "... Credit: AP", "Photo: Reuters", "(Photo: Getty)", "Image: PA Media", "/ Getty Images"
_CREDIT_TAIL = re.compile(
    rf"(?:\b{_CREDIT_WORDS}\s*:\s*[^.!?:]{{1,60}}[.)\]*_]*"
    r"|\((?:[^()]{0,40}/)?\s*(?:getty images|ap photo|reuters|afp|pa|pa media|epa|shutterstock)"
    r"[^()]{0,40}\)[*_]*"
    r"|[/|]\s*(?:getty images|ap|reuters|afp|pa media|epa|shutterstock))\s*$",
    re.IGNORECASE,
)
_CAPTION_MAX_WORDS = 45

_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bsubscribe\b",
        r"\bsign(?:ing)? up\b",
        r"\bnewsletters?\b",
        r"\bpodcasts?\b",
        r"\bdirect to your inbox\b",
        r"\bfollow us\b",
        r"\bclick here\b",
        r"\bdownload (?:our|the) app\b",
        r"\ball rights reserved\b",
        r"\bcopyright\b|©",
        r"\bshare this (?:article|story)\b",
        r"\bexclusive (?:and original )?coverage\b",
        r"\bcookies?\b.*\bsettings\b",
    )
]
_BOILERPLATE_START = re.compile(
    r"^[*_#>\s]*(?:read more|more on this|related|see also|watch|listen|advertisement|"
    r"have you (?:heard|seen|read)|don't miss|sponsored|recommended)\b",
    re.IGNORECASE,
)
_QUOTE_MARKS = re.compile(r"[\"“”]")
_BOILERPLATE_MAX_WORDS = 60


def classify_block(text: str, number: int) -> BlockKind:
    """Return the kind of a block from its text and 1-based position."""
    if number == 1:
        return "title"
    words = len(text.split())
    if words <= _CAPTION_MAX_WORDS and _CREDIT_TAIL.search(text):
        return "caption"
    if words <= _BOILERPLATE_MAX_WORDS and _is_boilerplate(text):
        return "boilerplate"
    return "body"


def _is_boilerplate(text: str) -> bool:
    if _BOILERPLATE_START.search(text):
        return True
    if _QUOTE_MARKS.search(text):  # quoted speech is news, not promotion
        return False
    hits = sum(1 for pattern in _BOILERPLATE if pattern.search(text))
    addresses_reader = re.search(r"\b(?:you|your)\b", text, re.IGNORECASE) is not None
    return hits >= 2 or (hits == 1 and addresses_reader)
