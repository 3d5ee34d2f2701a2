"""/about (the indexed articles, model and build) and /help (how to ask)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from bot.limits import FIELD_VALUE_LIMIT
from bot.render.card import INFO_COLOUR, Card, Field
from bot.render.format import code_span, fit, link, listing, plural, truncate
from bot.render.wording import HELP_TITLE, help_text
from index.models import ArticleSummary, IndexInfo


def built_at(text: str) -> str:
    """A Discord timestamp (shown in each reader's time zone) or the raw text."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text or "unknown"
    stamp = int(when.timestamp())
    return f"<t:{stamp}:f> (<t:{stamp}:R>)"


def about_card(
    info: IndexInfo,
    articles: Sequence[ArticleSummary],
    *,
    top_k: int,
    reindexing: bool = False,
    notice: str | None = None,
    links: Mapping[str, str] | None = None,
    own: Collection[str] = (),
) -> Card:
    """/about: every indexed article (title, file name, counts), model and build time;
    ``notice`` (``Engine.status.note()``) says when the index is stale or a rebuild failed;
    ``links`` (article id → link) shows where an article added by link came from, and
    ``own`` marks the articles that belong to this server (the rest are the defaults)."""
    links = links or {}
    description = (
        "I answer questions about the articles below with sentences quoted exactly from them, "
        f"each with who said it (up to {top_k} per answer; **More** shows the rest). "
        "`/ask article:` limits an answer to one of them."
    )
    rows = []
    for a in articles:
        row = (
            f"• {fit(a.title, 200)} (`{code_span(a.id)}`) · "
            f"{plural(a.paragraphs, 'paragraph')}, {plural(a.sentences, 'sentence')}"
        )
        if a.id in own:
            row += " · this server's"
        if a.id in links:
            row += f" · from {link(links[a.id])}"
        rows.append(row)
    status = f"{built_at(info.built_at)} in {info.build_seconds:.1f} s"
    if reindexing:
        status += "\nA reindex is running now."
    if notice:
        status += f"\n⚠️ {notice}"
    fields = (
        Field(
            f"{plural(len(rows), 'article')} indexed", listing(rows, FIELD_VALUE_LIMIT) or "none"
        ),
        Field(
            "Index",
            f"{plural(info.paragraphs, 'paragraph')} · {plural(info.sentences, 'sentence')}",
            inline=True,
        ),
        Field(
            "Model",
            truncate(f"{info.model} ({info.dimension} dimensions)", FIELD_VALUE_LIMIT),
            inline=True,
        ),
        Field("Built", truncate(status, FIELD_VALUE_LIMIT)),
    )
    return Card("About this bot", INFO_COLOUR, description=description, fields=fields)


def help_card(bot_name: str = "bot") -> Card:
    return Card(HELP_TITLE, INFO_COLOUR, description=help_text(bot_name))
