"""One quote, shown the same way everywhere: its attribution, its source, the quote itself.

An embed shows a quote as a field (heading: number and attribution; value: the quote in
quote marks, then its article and paragraph); plain text shows the same three parts as a
block of three lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.limits import (
    CONTENT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    MIN_QUOTE_CHARS,
    SOURCE_CHARS,
)
from bot.render.card import Field
from bot.render.format import escape_markdown, fit, truncate
from index.models import Attribution, Quote


def attribution_line(attribution: Attribution) -> str:
    """One line saying who says it and how, as a reader would: "Peter Kyle, Science
    Secretary, said on Times Radio", "according to two US officials", and "the article"
    for narration (its title is shown with the paragraph)."""
    if attribution.kind == "narration" or not attribution.speaker:
        return "the article"
    who = attribution.speaker
    cue = (attribution.cue or "").strip()
    if not any(c.isalpha() for c in cue):
        cue = ""  # a speaker label ("Ana Ruiz: …") or a signature line ("— Tara Voss")
    if cue.casefold().startswith("according to"):  # the cue reads before its source
        parts = [f"{cue} {who}" + (f", {attribution.role}" if attribution.role else "")]
    else:
        parts = [f"{who}, {attribution.role}," if attribution.role else who]
        if cue:
            parts.append(cue)
    if attribution.channel:
        parts.append(attribution.channel)
    return " ".join(parts).rstrip(",")


def quote_source(quote: Quote) -> str:
    return f"{quote.article_title}, paragraph {quote.paragraph}"


def quote_heading(number: int, quote: Quote) -> str:
    """The field name: number and attribution, e.g. '1. Peter Kyle, Science Secretary, said'."""
    line = attribution_line(quote.attribution)
    return truncate(f"{number}. {line[:1].upper()}{line[1:]}", FIELD_NAME_LIMIT)


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


def quote_fields(quotes: Sequence[Quote], first_number: int, budget: int) -> tuple[Field, ...]:
    """One field per quote, numbered from ``first_number``, while they fit ``budget``
    characters (the fields that fit; the caller counts the rest)."""
    fields: list[Field] = []
    for offset, quote in enumerate(quotes[:FIELDS_LIMIT]):
        name = quote_heading(first_number + offset, quote)
        value = quote_value(quote, min(FIELD_VALUE_LIMIT, budget - len(name)))
        if value is None:
            break
        fields.append(Field(name, value))
        budget -= len(name) + len(value)
    return tuple(fields)


def quote_block(number: int, quote: Quote, limit: int = CONTENT_LIMIT) -> str:
    """One quote as three lines of text, the same layout as ``render_text``."""
    credit = attribution_line(quote.attribution)
    raw_tail = f"\n   — {credit}\n   ({quote_source(quote)})"
    tail = escape_markdown(raw_tail)
    if len(tail) > limit // 2:
        tail = "\n" + fit(raw_tail.strip(), limit // 2 - 1)
    head = f"{number}. “"
    room = limit - len(head) - len("”") - len(tail)
    return f"{head}{fit(quote.text, room)}”{tail}"
