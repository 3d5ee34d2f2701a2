"""bot/render/wording.py: the Discord part of what the bot says."""

from __future__ import annotations

from bot.render.wording import refusal
from index.errors import InvalidQuestion, UnknownArticle


def test_refusals_add_the_discord_hint_to_the_engines_reason() -> None:
    """The engine's messages carry no Discord wording; the bot adds where to look."""
    assert refusal(UnknownArticle("x.txt")) == "No article called 'x.txt'. See /about for the list."
    assert refusal(InvalidQuestion("Please ask a question: it was empty.")) == (
        "Please ask a question: it was empty."
    )
