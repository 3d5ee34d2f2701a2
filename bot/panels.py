"""Embeds for the issue-5 features: answer pages, paragraphs, speakers, quotes, stats, about.

Pure functions from engine/store results to ``discord.Embed`` objects within Discord's
limits (same helpers and rules as ``bot/embeds.py``: text verbatim, markdown escaped,
anything shortened is cut at a word and marked with an ellipsis, lists that do not fit end
with "… and N more").
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import discord

from bot.embeds import (
    ANSWER_COLOUR,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    FOOTER_RESERVE,
    INFO_COLOUR,
    TITLE_LIMIT,
    _built_at,
    _plural,
    escape_markdown,
    fit,
    quotes_fields,
    truncate,
)
from bot.store import LiveStats, StoredAnswer, Totals
from index.models import IndexInfo, Quote

NO_TEXT = (
    "That message has no text to ask about: I use the message's text as the question "
    "(attachments, embeds and stickers are not read)."
)
LINE_LIMIT = 300


def _listing(lines: Sequence[str], limit: int, noun: str = "more") -> str:
    """Join ``lines`` under ``limit`` characters; the ones that do not fit become a note."""
    kept: list[str] = []
    size = 0
    for number, line in enumerate(lines):
        rest = len(lines) - number
        note = f"… and {rest} {noun}"
        extra = len(line) + (1 if kept else 0)
        last = number == len(lines) - 1
        if size + extra > limit - (0 if last else len(note) + 1):
            kept.append(note)
            break
        kept.append(line)
        size += extra
    return "\n".join(kept)


def page_embed(stored: StoredAnswer, page: int) -> discord.Embed:
    """Page ``page`` of a saved answer: its quotes numbered on from the previous pages."""
    title = truncate(" ".join(stored.question.split()) or "Your question", TITLE_LIMIT)
    embed = discord.Embed(title=title, colour=ANSWER_COLOUR)
    quotes = stored.page(page)
    first = (page - 1) * stored.page_size + 1
    budget = EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE
    shown = quotes_fields(embed, quotes, first, budget)
    if not quotes:
        embed.description = "There are no more matching sentences."
    notes = [f"Page {min(page, stored.pages)} of {stored.pages}"]
    if shown < len(quotes):
        notes.append(f"{_plural(len(quotes) - shown, 'quote')} did not fit")
    notes.append("Exact sentences from the article")
    embed.set_footer(text=truncate(" · ".join(notes), FOOTER_LIMIT))
    return embed


def _bold(text: str) -> str:
    return f"**{escape_markdown(text)}**"


def paragraph_embed(quote: Quote, paragraph_text: str | None) -> discord.Embed:
    """The whole paragraph a quote comes from, with the quoted sentence in bold."""
    title = truncate(f"{quote.article_title}, paragraph {quote.paragraph}", TITLE_LIMIT)
    embed = discord.Embed(title=title, colour=INFO_COLOUR)
    if paragraph_text is None:
        embed.description = fit(
            "That article is no longer indexed (it was removed or renamed), so I cannot show "
            f"the paragraph. The quote was: “{quote.text}”",
            DESCRIPTION_LIMIT,
            escape_markdown,
        )
        return embed
    at = paragraph_text.find(quote.text)
    if at < 0 or not quote.text:
        embed.description = fit(paragraph_text, DESCRIPTION_LIMIT)
        embed.set_footer(text="The article has changed since this answer; this is it now.")
        return embed
    before, after = paragraph_text[:at], paragraph_text[at + len(quote.text) :]
    bold = _bold(quote.text)
    room = DESCRIPTION_LIMIT - len(bold)
    if room < 40:  # the quote alone fills the embed
        embed.description = fit(quote.text, DESCRIPTION_LIMIT, _bold)
        return embed
    head = fit(before[::-1], room // 2, lambda t: escape_markdown(t[::-1]))
    tail = fit(after, room - len(head))
    embed.description = f"{head}{bold}{tail}"
    embed.set_footer(text="The quoted sentence is in bold.")
    return embed


def _article_titles(articles: Sequence[tuple[str, str]]) -> str:
    titles = [title for _, title in articles]
    if len(titles) <= 2:
        return "; ".join(titles)
    return f"{titles[0]}; {titles[1]} and {len(titles) - 2} more"


def speakers_embed(speakers: Sequence[Any], article: str | None = None) -> discord.Embed:
    """Everyone the articles quote or cite: name, role, how many sentences, where."""
    title = "Who the article quotes" if article else "Who the articles quote"
    embed = discord.Embed(title=title, colour=INFO_COLOUR)
    if not speakers:
        embed.description = "Nobody: the indexed text quotes or cites no one by name."
        return embed
    lines = []
    for s in speakers:
        role = f", {s.roles[0]}" if s.roles else ""
        where = _article_titles(s.articles)
        line = (
            f"**{fit(s.name, 100)}**{escape_markdown(truncate(role, 120))} — "
            f"{_plural(s.sentences, 'sentence')}" + (f" · *{fit(where, 150)}*" if where else "")
        )
        lines.append(line[:LINE_LIMIT])
    embed.description = _listing(lines, DESCRIPTION_LIMIT - 10)
    embed.set_footer(
        text=f"{_plural(len(speakers), 'source')} · /quotes speaker: lists what one of them said"
    )
    return embed


def quotes_embed(speaker: str, quotes: Sequence[Quote]) -> discord.Embed:
    """Everything one source said, verbatim, in article order."""
    title = truncate(f"What {speaker} said", TITLE_LIMIT)
    embed = discord.Embed(title=title, colour=ANSWER_COLOUR)
    if not quotes:
        embed.description = fit(
            f"I found no sentence attributed to {speaker}. /speakers lists everyone quoted.",
            DESCRIPTION_LIMIT,
        )
        return embed
    budget = EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE
    shown = quotes_fields(embed, quotes, 1, budget)
    notes = [_plural(len(quotes), "sentence")]
    if shown < len(quotes):
        notes.append(f"… and {len(quotes) - shown} more (narrow with article:)")
    notes.append("exact sentences, in article order")
    embed.set_footer(text=truncate(" · ".join(notes), FOOTER_LIMIT))
    return embed


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"


def stats_embed(live: LiveStats, totals: Totals) -> discord.Embed:
    """/stats: since start (in memory) and all time (FEEDBACK_DB)."""
    embed = discord.Embed(title="Bot statistics", colour=INFO_COLOUR)
    since = int(live.started)
    embed.add_field(
        name="Since start",
        value=(
            f"started <t:{since}:R>\n"
            f"{_plural(live.questions, 'question')}: {live.answered} answered, "
            f"{live.abstained} abstained\n"
            f"feedback: {live.votes_up} 👍 · {live.votes_down} 👎\n"
            f"answer time: p50 {_ms(live.percentile(0.5))} · p95 {_ms(live.percentile(0.95))}"
        ),
        inline=False,
    )
    embed.add_field(
        name="All time",
        value=(
            f"{_plural(totals.questions, 'question')}: {totals.answered} answered, "
            f"{totals.abstained} abstained\n"
            f"feedback: {totals.votes_up} 👍 · {totals.votes_down} 👎 "
            "(one vote per person per answer)"
        ),
        inline=False,
    )
    embed.set_footer(text=f"as of {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    return embed


def _code(text: str) -> str:
    """Text for inside a `code span` (which cannot escape a backtick)."""
    return truncate(text.replace("`", "'"), 100)


def about_articles_embed(
    info: IndexInfo,
    articles: Sequence[Any] | None,
    *,
    top_k: int,
    reindexing: bool = False,
    notice: str | None = None,
) -> discord.Embed:
    """/about: every indexed article (title, file name, counts), model and build time;
    ``notice`` (``Engine.status.note()``) says when the index is stale or a rebuild failed."""
    embed = discord.Embed(title="About this bot", colour=INFO_COLOUR)
    embed.description = (
        "I answer questions about the articles below with sentences quoted exactly from them, "
        f"each with who said it (up to {top_k} per answer; **More** shows the rest). "
        "`/ask article:` limits an answer to one of them."
    )
    if articles is None:  # an engine without per-article summaries
        rows = [f"• {escape_markdown(title)} (`{_code(aid)}`)" for aid, title in info.articles]
    else:
        rows = [
            f"• {fit(a.title, 200)} (`{_code(a.id)}`) · "
            f"{_plural(a.paragraphs, 'paragraph')}, {_plural(a.sentences, 'sentence')}"
            for a in articles
        ]
    count = len(rows)
    embed.add_field(
        name=f"{_plural(count, 'article')} indexed",
        value=_listing(rows, FIELD_VALUE_LIMIT) or "none",
        inline=False,
    )
    embed.add_field(
        name="Index",
        value=f"{_plural(info.paragraphs, 'paragraph')} · {_plural(info.sentences, 'sentence')}",
        inline=True,
    )
    embed.add_field(
        name="Model",
        value=truncate(f"{info.model} ({info.dimension} dimensions)", FIELD_VALUE_LIMIT),
        inline=True,
    )
    status = f"{_built_at(info.built_at)} in {info.build_seconds:.1f} s"
    if reindexing:
        status += "\nA reindex is running now."
    if notice:
        status += f"\n⚠️ {notice}"
    embed.add_field(name="Built", value=truncate(status, FIELD_VALUE_LIMIT), inline=False)
    return embed
