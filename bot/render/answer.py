"""An answer, every way it is shown: the /ask card, the pages of a saved answer, the
plain-text messages for DMs and mentions, and the terminal text of the CLI.

This is the one place that decides how an ``Answer`` looks (title, colour, notes): a new
kind of answer is a change here and nowhere else. Everything is pure and fits Discord's
limits; quotes are verbatim (only markdown is escaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.answer_store import StoredAnswer
from bot.limits import (
    CONTENT_LIMIT,
    EMBED_TOTAL_LIMIT,
    FOOTER_LIMIT,
    FOOTER_RESERVE,
    MAX_TEXT_MESSAGES,
    NOTE_RESERVE,
    TITLE_LIMIT,
)
from bot.render.card import ANSWER_COLOUR, HEDGED_COLOUR, NO_ANSWER_COLOUR, Card
from bot.render.format import escape_markdown, link, pack, plural, truncate
from bot.render.quoting import attribution_line, quote_block, quote_fields, quote_source
from bot.render.wording import (
    ANSWER_FOOTER,
    HEDGED_FOOTER,
    HEDGED_INTRO,
    HEDGED_TITLE,
    NO_ANSWER,
    NO_ANSWER_HINT,
    SOURCE,
    WHO,
)
from index.models import Answer

PAGE_FOOTER = "Exact sentences from the article"
NO_MORE = "There are no more matching sentences."


def question_title(question: str) -> str:
    return truncate(" ".join(question.split()) or "Your question", TITLE_LIMIT)


def answer_lead(answer: Answer) -> list[str]:
    """The lines above the quotes: who said it (for "who said" questions), the hedge,
    and the note ("The article mentions X only in a photo caption; ...")."""
    lines = []
    if answer.who:
        lines.append(f"{WHO}: {answer.who}")
    if answer.hedged:
        lines.append(HEDGED_INTRO)
    if answer.note:
        lines.append(answer.note)
    return lines


def source_lines(answer: Answer, links: Mapping[str, str], *, masked: bool = True) -> list[str]:
    """ "Source: <link>" for each quoted article that was added from a link (``/add url:``),
    in the order the quotes first cite them (at most three)."""
    lines = []
    for article in dict.fromkeys(q.article_id for q in answer.quotes):
        if article in links and len(lines) < 3:
            lines.append(f"{SOURCE}: {link(links[article], masked=masked)}")
    return lines


def answer_card(answer: Answer, links: Mapping[str, str] | None = None) -> Card:
    """The reply to /ask: one field per quote (confident, or hedged in another colour and
    title), or the 'article doesn't say' card. ``links`` (article id → the link it was
    fetched from) adds a source line for each quoted article that has one."""
    title = question_title(answer.question)
    if not answer.quotes:
        return no_answer_card(title, answer.note)
    colour, footer_note = ANSWER_COLOUR, ANSWER_FOOTER
    if answer.hedged:
        title = question_title(f"{HEDGED_TITLE}: {answer.question}")
        colour, footer_note = HEDGED_COLOUR, HEDGED_FOOTER
    lead = answer_lead(answer)
    description = truncate("\n".join(escape_markdown(line) for line in lead), 1000)
    sources = "\n".join(source_lines(answer, links or {}))
    description = "\n".join(part for part in (description, sources) if part) or None
    used = len(title) + len(description or "") + FOOTER_RESERVE
    fields = quote_fields(answer.quotes, 1, EMBED_TOTAL_LIMIT - used)
    notes = [footer_note]
    left_out = len(answer.quotes) - len(fields)
    if left_out:
        notes.append(f"{plural(left_out, 'more quote')} did not fit; ask a narrower question")
    elif answer.more:
        notes.append(plural(len(answer.more), "more matching sentence"))
    footer = truncate(" · ".join(notes), FOOTER_LIMIT)
    card = Card(title, colour, description=description, fields=fields, footer=footer)
    while len(card) > EMBED_TOTAL_LIMIT and len(card.fields) > 1:  # never exceed
        card = replace(card, fields=card.fields[:-1])
    return card


def no_answer_card(title: str, note: str | None = None) -> Card:
    """Short reply when no sentence of the article answers the question."""
    reason = f"{escape_markdown(note)}\n\n" if note else ""
    return Card(
        truncate(title, TITLE_LIMIT),
        NO_ANSWER_COLOUR,
        description=f"{reason}{NO_ANSWER}\n\n{NO_ANSWER_HINT}",
    )


def page_card(stored: StoredAnswer, page: int) -> Card:
    """Page ``page`` of a saved answer: its quotes numbered on from the previous pages."""
    title = question_title(stored.question)
    quotes = stored.page(page)
    first = (page - 1) * stored.page_size + 1
    fields = quote_fields(quotes, first, EMBED_TOTAL_LIMIT - len(title) - FOOTER_RESERVE)
    notes = [f"Page {min(page, stored.pages)} of {stored.pages}"]
    if len(fields) < len(quotes):
        notes.append(f"{plural(len(quotes) - len(fields), 'quote')} did not fit")
    notes.append(PAGE_FOOTER)
    return Card(
        title,
        ANSWER_COLOUR,
        description=None if quotes else NO_MORE,
        fields=fields,
        footer=truncate(" · ".join(notes), FOOTER_LIMIT),
    )


# ---------------------------------------------------------------- plain text
def answer_messages(
    answer: Answer,
    limit: int = CONTENT_LIMIT,
    max_messages: int = MAX_TEXT_MESSAGES,
    links: Mapping[str, str] | None = None,
) -> list[str]:
    """The answer as at most ``max_messages`` plain-text messages of ``limit`` characters.

    Quotes are never split across messages: each message holds whole quote blocks, after
    the lead lines (who, the hedge, the note). When the quotes need more messages than
    that, the last ones are left out and a note says so.
    """
    if not answer.quotes:
        reason = f"{escape_markdown(answer.note)}\n" if answer.note else ""
        return [truncate(f"{reason}{NO_ANSWER}\n{NO_ANSWER_HINT}", limit)]
    room = limit - NOTE_RESERVE
    sources = "\n".join(source_lines(answer, links or {}, masked=False))
    lead = "\n".join(escape_markdown(line) for line in answer_lead(answer))
    lead = truncate(lead, room - len(sources) - 1) if lead else ""
    lead = "\n".join(part for part in (lead, sources) if part)
    blocks = [quote_block(n, q, room) for n, q in enumerate(answer.quotes, start=1)]
    if lead:
        blocks.insert(0, lead)
    messages = pack(blocks, limit)
    if len(messages) <= max_messages:
        return messages
    for count in range(len(blocks) - 1, 0, -1):
        messages = pack(blocks[:count], limit)
        if len(messages) <= max_messages and len(messages[-1]) <= room:
            left_out = len(blocks) - count
            note = f"({plural(left_out, 'more quote')} did not fit; ask a narrower question.)"
            messages[-1] = f"{messages[-1]}\n{note}"
            return messages
    return messages[:max_messages]  # pragma: no cover - one block always fits with its note


def render_text(answer: Answer) -> str:
    """A readable, plain-text answer for the terminal (no markdown, no length limit)."""
    if not answer.quotes:
        reason = f"{answer.note}\n" if answer.note else ""
        return f"{reason}{NO_ANSWER}\n{NO_ANSWER_HINT}"
    lines = [
        f"{HEDGED_TITLE}: {line}" if line == HEDGED_INTRO else line for line in answer_lead(answer)
    ]
    for number, quote in enumerate(answer.quotes, start=1):
        lines.append(f"{number}. “{quote.text}”")
        lines.append(f"   — {attribution_line(quote.attribution)}")
        lines.append(f"   ({quote_source(quote)})")
    return "\n".join(lines)
