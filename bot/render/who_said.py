"""/speakers and /quotes: who the articles quote, and everything one of them said."""

from __future__ import annotations

from collections.abc import Sequence

from bot.limits import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FOOTER_LIMIT,
    FOOTER_RESERVE,
    LINE_LIMIT,
    TITLE_LIMIT,
)
from bot.render.card import ANSWER_COLOUR, INFO_COLOUR, Card
from bot.render.format import escape_markdown, fit, listing, plural, truncate
from bot.render.quoting import quote_fields
from index.models import Quote, SpeakerSummary


def _article_titles(articles: Sequence[tuple[str, str]]) -> str:
    titles = [title for _, title in articles]
    if len(titles) <= 2:
        return "; ".join(titles)
    return f"{titles[0]}; {titles[1]} and {len(titles) - 2} more"


def speakers_card(speakers: Sequence[SpeakerSummary], article: str | None = None) -> Card:
    """Everyone the articles quote or cite: name, role, how many sentences, where."""
    title = "Who the article quotes" if article else "Who the articles quote"
    if not speakers:
        return Card(
            title,
            INFO_COLOUR,
            description="Nobody: the indexed text quotes or cites no one by name.",
        )
    lines = []
    for s in speakers:
        role = f", {s.roles[0]}" if s.roles else ""
        where = _article_titles(s.articles)
        line = (
            f"**{fit(s.name, 100)}**{escape_markdown(truncate(role, 120))} — "
            f"{plural(s.sentences, 'sentence')}" + (f" · *{fit(where, 150)}*" if where else "")
        )
        lines.append(line[:LINE_LIMIT])
    return Card(
        title,
        INFO_COLOUR,
        description=listing(lines, DESCRIPTION_LIMIT - 10),
        footer=f"{plural(len(speakers), 'source')} · /quotes speaker: lists what one of them said",
    )


def quotes_card(speaker: str, quotes: Sequence[Quote]) -> Card:
    """Everything one source said, verbatim, in article order."""
    title = truncate(f"What {speaker} said", TITLE_LIMIT)
    if not quotes:
        text = f"I found no sentence attributed to {speaker}. /speakers lists everyone quoted."
        return Card(title, ANSWER_COLOUR, description=fit(text, DESCRIPTION_LIMIT))
    fields = quote_fields(quotes, 1, EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE)
    notes = [plural(len(quotes), "sentence")]
    if len(fields) < len(quotes):
        notes.append(f"… and {len(quotes) - len(fields)} more (narrow with article:)")
    notes.append("exact sentences, in article order")
    return Card(
        title, ANSWER_COLOUR, fields=fields, footer=truncate(" · ".join(notes), FOOTER_LIMIT)
    )
