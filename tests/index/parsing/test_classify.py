"""Block classification: captions and boilerplate are never quoted."""

from __future__ import annotations

import pytest

from index.parsing.classify import classify_block


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "President Joe Biden and Ukrainian President Volodymyr Zelenskyy in 2023. Credit: AP",
            "caption",
        ),
        ("*Firefighters on Tuesday. (Photo: Reuters)*", "caption"),
        ("Crowds gather outside the court. (Getty Images)", "caption"),
        ("A flooded street in the town centre. Picture: PA Media", "caption"),
        (
            "Subscribe free to our weekly newsletter. Direct to your inbox every Friday morning.",
            "boilerplate",
        ),
        (
            "Have you heard The Trapped? Listen as Daniel Hewitt exposes the UK's dirty secret",
            "boilerplate",
        ),
        ("Read more: How the wildfire season became a year-round threat", "boilerplate"),
        ("Sign up for our newsletter: get the top stories in your inbox.", "boilerplate"),
        ("The minister said the newsletter would close after 40 years.", "body"),
        ('"Subscribe to nothing," the protester said, holding a sign.', "body"),
        ("The embassy closed on Wednesday after a warning of an air attack.", "body"),
    ],
)
def test_classify(text, kind):
    """Short credit lines are captions, promotion is boilerplate, news is body."""
    assert classify_block(text, number=3) == kind


def test_first_block_is_title():
    """Block 1 is always the title."""
    assert classify_block("Anything at all", number=1) == "title"
