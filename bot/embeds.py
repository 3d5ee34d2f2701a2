"""Build Discord replies (embeds and plain-text messages) from engine results.

Everything here is pure: it turns ``Answer``/``IndexInfo`` objects into ``discord.Embed``
objects or strings that always fit Discord's limits. Quotes are shown verbatim (only
Discord markdown is escaped, so what users see is the article's text); when something must
be shortened it is cut at a word boundary and marked with an ellipsis.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import discord

from bot.render import NO_ANSWER, NO_ANSWER_HINT, attribution_line, quote_source, split_message
from index.models import Answer, Quote

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000

ELLIPSIS = "…"
# Below this many characters a shortened quote says too little to be worth showing.
MIN_QUOTE_CHARS = 120
SOURCE_CHARS = 200
FOOTER_RESERVE = 160
NOTE_RESERVE = 80
MAX_TEXT_MESSAGES = 3

ANSWER_COLOUR = discord.Colour.blurple()
NO_ANSWER_COLOUR = discord.Colour.light_grey()
INFO_COLOUR = discord.Colour.dark_teal()

FOOTER = "Exact sentences from the article · /help"

_MARKDOWN = re.compile(r"([\\*_~|`])")
_LINE_START_MARKDOWN = re.compile(r"^(\s*)(>|#|-)", re.MULTILINE)
_WHITESPACE = re.compile(r"\s")
_TRAILING = " \t\n,;:"


def escape_markdown(text: str) -> str:
    """Escape Discord markdown so the text displays exactly as written."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START_MARKDOWN.sub(r"\1\\\2", text)


def truncate(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, at a word break, with an ellipsis.

    A single word longer than the room left is cut inside the word, still followed by
    the ellipsis, so a shortened text is always visibly marked as shortened.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    room = limit - len(ELLIPSIS)
    head = text[:room]
    if not text[room].isspace():
        breaks = [m.start() for m in _WHITESPACE.finditer(head)]
        if breaks and breaks[-1] >= room // 3:
            head = head[: breaks[-1]]
    head = head.rstrip(_TRAILING)
    return (head or text[:room]) + ELLIPSIS


def fit(text: str, limit: int, transform: Callable[[str], str] = escape_markdown) -> str:
    """``transform(truncate(text, n))`` for the largest ``n`` whose result fits ``limit``."""
    size = limit
    while True:
        out = transform(truncate(text, size))
        if len(out) <= limit:
            return out
        if size <= 1:
            return ELLIPSIS[:limit]
        size = max(1, size - (len(out) - limit))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def quote_heading(number: int, quote: Quote) -> str:
    """The field name: number and attribution, e.g. '1. Peter Kyle, Science Secretary, said'."""
    line = _capitalised(attribution_line(quote.attribution, quote.article_title))
    return truncate(f"{number}. {line}", FIELD_NAME_LIMIT)


def quote_value(quote: Quote, limit: int = FIELD_VALUE_LIMIT) -> str | None:
    """The field value: the quote in quote marks, then its article and paragraph.

    Returns None when less than ``MIN_QUOTE_CHARS`` of a quote that does not fit whole
    would be left.
    """
    source = "*" + fit(quote_source(quote), SOURCE_CHARS) + "*"
    room = limit - len(source) - len("“”\n")
    escaped = escape_markdown(quote.text)
    if len(escaped) > room and room < MIN_QUOTE_CHARS:
        return None
    return f"“{fit(quote.text, room)}”\n{source}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def quotes_fields(
    embed: discord.Embed, quotes: Sequence[Quote], first_number: int, budget: int
) -> int:
    """Add one field per quote, numbered from ``first_number``; returns how many fit."""
    shown = 0
    for offset, quote in enumerate(quotes[:FIELDS_LIMIT]):
        name = quote_heading(first_number + offset, quote)
        value = quote_value(quote, min(FIELD_VALUE_LIMIT, budget - len(name)))
        if value is None:
            break
        embed.add_field(name=name, value=value, inline=False)
        budget -= len(name) + len(value)
        shown += 1
    return shown


def answer_embed(answer: Answer) -> discord.Embed:
    """The reply to /ask: one field per quote, or the 'article doesn't say' message."""
    title = truncate(" ".join(answer.question.split()) or "Your question", TITLE_LIMIT)
    if not answer.answered or not answer.quotes:
        return no_answer_embed(title)
    embed = discord.Embed(title=title, colour=ANSWER_COLOUR)
    budget = EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE
    shown = quotes_fields(embed, answer.quotes, 1, budget)
    notes = [FOOTER]
    left_out = len(answer.quotes) - shown
    if left_out:
        notes.append(f"{_plural(left_out, 'more quote')} did not fit; ask a narrower question")
    elif answer.more:
        notes.append(f"{_plural(len(answer.more), 'more matching sentence')}")
    embed.set_footer(text=truncate(" · ".join(notes), FOOTER_LIMIT))
    while len(embed) > EMBED_TOTAL_LIMIT and len(embed.fields) > 1:  # never exceed
        embed.remove_field(-1)
    return embed


def no_answer_embed(title: str) -> discord.Embed:
    """Short reply when no sentence of the article answers the question."""
    return discord.Embed(
        title=truncate(title, TITLE_LIMIT),
        description=f"{NO_ANSWER}\n\n{NO_ANSWER_HINT}",
        colour=NO_ANSWER_COLOUR,
    )


# ---------------------------------------------------------------- plain text (DMs, mentions)
def quote_block(number: int, quote: Quote, limit: int = CONTENT_LIMIT) -> str:
    """One quote as three lines of text, the same layout as ``render.render_text``."""
    credit = attribution_line(quote.attribution, quote.article_title)
    raw_tail = f"\n   — {credit}\n   ({quote_source(quote)})"
    tail = escape_markdown(raw_tail)
    if len(tail) > limit // 2:
        tail = "\n" + fit(raw_tail.strip(), limit // 2 - 1)
    head = f"{number}. “"
    room = limit - len(head) - len("”") - len(tail)
    return f"{head}{fit(quote.text, room)}”{tail}"


def answer_messages(
    answer: Answer, limit: int = CONTENT_LIMIT, max_messages: int = MAX_TEXT_MESSAGES
) -> list[str]:
    """The answer as at most ``max_messages`` plain-text messages of ``limit`` characters.

    Quotes are never split across messages: each message holds whole quote blocks. When
    the quotes need more messages than that, the last ones are left out and a note says so.
    """
    if not answer.answered or not answer.quotes:
        return [f"{NO_ANSWER}\n{NO_ANSWER_HINT}"]
    room = limit - NOTE_RESERVE
    blocks = [quote_block(n, q, room) for n, q in enumerate(answer.quotes, start=1)]
    messages = pack(blocks, limit)
    if len(messages) <= max_messages:
        return messages
    for count in range(len(blocks) - 1, 0, -1):
        messages = pack(blocks[:count], limit)
        if len(messages) <= max_messages and len(messages[-1]) <= room:
            left_out = len(blocks) - count
            note = f"({_plural(left_out, 'more quote')} did not fit; ask a narrower question.)"
            messages[-1] = f"{messages[-1]}\n{note}"
            return messages
    return messages[:max_messages]  # pragma: no cover - one block always fits with its note


def pack(blocks: Iterable[str], limit: int = CONTENT_LIMIT, separator: str = "\n") -> list[str]:
    """Join blocks into as few messages as possible, never splitting a block that fits."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        if len(block) <= limit:
            current = block
        else:
            *full, current = split_message(block, limit)
            messages.extend(full)
    if current:
        messages.append(current)
    return messages


# ---------------------------------------------------------------- /about and /help
def _built_at(text: str) -> str:
    """A Discord timestamp (shown in each reader's time zone) or the raw text."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text or "unknown"
    stamp = int(when.timestamp())
    return f"<t:{stamp}:f> (<t:{stamp}:R>)"


HELP_TEXT = """\
**How to ask**
• `/ask question:` — I answer with sentences quoted exactly from the article, each with \
who said it (speaker, role, where) and the paragraph it comes from.
• `/ask question: private: True` — only you see the answer.
• Send me a direct message with your question, or mention me in a channel: \
`@{name} who closed the embassy?`
• `/ask question: article:` — only quote that article (start typing for suggestions).
• Right-click any message → Apps → **Ask the article**: its text is the question.
• Under each answer: **More** quotes, **¶** the whole paragraph, 👍/👎 whether it helped.
• `/speakers` — everyone the articles quote; `/quotes speaker:` — what one of them said.
• `/about` — which articles I know and when they were indexed.
• Administrators: `/reindex` (optionally `file:` to add an article), `/remove`, `/stats`.

I never write my own summary: if no sentence of the article answers, I say so. \
Questions can be up to 300 characters."""


def help_text(bot_name: str = "bot") -> str:
    return HELP_TEXT.format(name=escape_markdown(bot_name))


def help_embed(bot_name: str = "bot") -> discord.Embed:
    return discord.Embed(
        title="Article quote bot", description=help_text(bot_name), colour=INFO_COLOUR
    )
