"""Render engine answers as plain text (terminal, DMs). No Discord objects here."""

from __future__ import annotations

from index.models import Answer, Attribution, Quote

NO_ANSWER = (
    "The article doesn't say. I only answer with sentences quoted from it, and none of "
    "them answers that."
)
NO_ANSWER_HINT = "Try asking about who said what, or about an event the article reports."


def attribution_line(attribution: Attribution, article_title: str) -> str:
    """One line saying who says it and how, e.g. 'Peter Kyle, Science Secretary, said on X'."""
    if attribution.kind == "narration" or not attribution.speaker:
        return f"the article ({article_title})"
    who = attribution.speaker
    if attribution.role:
        who = f"{who}, {attribution.role},"
    parts = [who]
    if attribution.cue:
        parts.append(attribution.cue)
    if attribution.channel:
        parts.append(attribution.channel)
    return " ".join(parts).rstrip(",")


def quote_source(quote: Quote) -> str:
    return f"{quote.article_title}, paragraph {quote.paragraph}"


def render_text(answer: Answer) -> str:
    """A readable, plain-text answer for the terminal and DMs."""
    if not answer.answered:
        return f"{NO_ANSWER}\n{NO_ANSWER_HINT}"
    lines = []
    for number, quote in enumerate(answer.quotes, start=1):
        lines.append(f"{number}. “{quote.text}”")
        lines.append(f"   — {attribution_line(quote.attribution, quote.article_title)}")
        lines.append(f"   ({quote_source(quote)})")
    return "\n".join(lines)


def split_message(text: str, limit: int = 2000) -> list[str]:
    """Split text into chunks of at most ``limit`` characters at line or word breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        chunks.append(rest)
    return chunks
