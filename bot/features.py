"""Helpers shared by the answer paths and the issue-5 commands: saving answers (with their
buttons), autocomplete for articles and speakers, and article uploads.

Engine calls used here follow the issue-5 contract (``docs``: notes/api5.md):
``match_articles``, ``match_speakers``, ``add_article``; they run in worker threads.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.embeds import truncate
from bot.views import answer_view
from index.errors import EngineError, ReindexInProgress
from index.models import Answer
from index.upload import MAX_UPLOAD_BYTES

if TYPE_CHECKING:
    from bot.client import QuoteBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
#: Discord allows at most 25 autocomplete choices; names and values of 1-100 characters.
MAX_CHOICES = 25
CHOICE_LIMIT = 100
UPLOAD_EXTENSIONS = (".txt", ".md", ".html", ".htm")


# ---------------------------------------------------------------- answers and their buttons
async def remember_answer(
    bot: QuoteBot,
    answer: Answer,
    *,
    user_id: int,
    source: str,
    seconds: float,
    article: str | None = None,
    guild_id: int | None = None,
    channel_id: int | None = None,
) -> str | None:
    """Count the answer for /stats and save it for its buttons; returns its id, or None
    when it could not be saved (the answer is then sent without buttons)."""
    bot.live_stats.record_answer(bool(answer.answered and answer.quotes), seconds)
    store = bot.store
    if store is None:
        return None
    try:
        return await asyncio.to_thread(
            store.save_answer,
            answer,
            user_id=user_id,
            source=source,
            seconds=seconds,
            page_size=page_size(answer, bot.top_k),
            article=article,
            guild_id=guild_id,
            channel_id=channel_id,
        )
    except (sqlite3.Error, OSError) as exc:
        log.warning("could not save an answer (sent without buttons): %s", exc)
        return None


def page_size(answer: Answer, top_k: int) -> int:
    """Quotes per page: as many as the answer shows first (so page 1 is the answer)."""
    return len(answer.quotes) if answer.answered and answer.quotes else max(1, top_k)


def view_for(answer_id: str | None, answer: Answer) -> discord.ui.View | None:
    """The buttons under a freshly sent answer (None when it was not saved)."""
    if answer_id is None:
        return None
    quotes = answer.quotes if answer.answered else ()
    total = len(answer.quotes) + len(answer.more) if answer.answered else 0
    size = page_size(answer, 1)
    pages = max(1, -(-total // size))
    return answer_view(answer_id, quotes, page=1, pages=pages)


def check_article(bot: QuoteBot, article: str) -> None:
    """Refuse an article filter that names no indexed article, before the answer is
    deferred, so the refusal stays private (``UnknownArticle``, the engine's own rule)."""
    bot.engine.article(article)


# ---------------------------------------------------------------- autocomplete
def _choice(name: str, value: str) -> app_commands.Choice[str] | None:
    if not value or len(value) > CHOICE_LIMIT:
        return None  # a value Discord would reject; the user can still type it
    label = truncate(" ".join(name.split()) or value, CHOICE_LIMIT)
    return app_commands.Choice(name=label, value=value)


async def article_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Articles whose id or title matches what the user typed (at most 25)."""
    bot: QuoteBot = interaction.client  # type: ignore[assignment]
    try:
        found = await asyncio.to_thread(bot.engine.match_articles, current, MAX_CHOICES)
    except EngineError as exc:
        log.debug("article autocomplete: %s", exc)
        return []
    choices = [_choice(f"{a.title} ({a.id})", a.id) for a in found]
    return [c for c in choices if c is not None][:MAX_CHOICES]


async def speaker_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Speakers matching what the user typed (word prefix first, then substring; <= 25)."""
    bot: QuoteBot = interaction.client  # type: ignore[assignment]
    try:
        found = await asyncio.to_thread(bot.engine.match_speakers, current, MAX_CHOICES)
    except EngineError as exc:
        log.debug("speaker autocomplete: %s", exc)
        return []
    choices = []
    for s in found:
        role = f", {s.roles[0]}" if s.roles else ""
        plural = "" if s.sentences == 1 else "s"
        choices.append(_choice(f"{s.name}{role} ({s.sentences} sentence{plural})", s.name))
    return [c for c in choices if c is not None][:MAX_CHOICES]


# ---------------------------------------------------------------- uploads
def upload_problem(filename: str, size: int) -> str | None:
    """Why an attachment cannot be an article, judged before downloading it (or None)."""
    name = PurePath(filename).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in UPLOAD_EXTENSIONS:
        return f"'{truncate(name, 100)}' is not an article file: attach a .txt, .md or .html file."
    if size <= 0:
        return f"'{truncate(name, 100)}' is empty."
    if size > MAX_UPLOAD_BYTES:
        return (
            f"'{truncate(name, 100)}' is {size / 1_048_576:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES / 1_048_576:.0f} MB."
        )
    return None


def nothing_changed(reason: str) -> str:
    text = " ".join(f"Nothing changed: {reason}".split())
    return truncate(text, 1900)


async def ingest_upload(
    bot: QuoteBot, interaction: discord.Interaction, file: discord.Attachment
) -> None:
    """/reindex file: check name and size, download, hand to ``engine.add_article``, report."""
    problem = upload_problem(file.filename, file.size)
    log.info(
        "article upload %r (%d bytes) by user %s (guild %s)",
        file.filename,
        file.size,
        interaction.user.id,
        interaction.guild_id,
    )
    if problem is not None:
        await interaction.response.send_message(
            nothing_changed(problem), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return
    await interaction.response.defer(thinking=True, ephemeral=True)
    try:
        data = await file.read()
    except (discord.HTTPException, discord.NotFound) as exc:
        message = nothing_changed(f"I could not download '{file.filename}' ({exc}); try again.")
    else:
        if len(data) > MAX_UPLOAD_BYTES:  # the size Discord reported was wrong
            message = nothing_changed(upload_problem(file.filename, len(data)) or "too large")
        else:
            message = await _add_article(bot, file.filename, data)
    await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _add_article(bot: QuoteBot, filename: str, data: bytes) -> str:
    try:
        report: Any = await asyncio.to_thread(bot.engine.add_article, filename, data)
    except ReindexInProgress as exc:
        return exc.message
    except EngineError as exc:
        log.info("article upload %r rejected: %s", filename, exc.message)
        return nothing_changed(exc.message)
    return truncate(
        f"Added '{filename}' and reindexed: {report.summary()}. /about lists the articles.",
        1900,
    )


async def remove_article(bot: QuoteBot, interaction: discord.Interaction, article: str) -> None:
    """/remove article: drop one article and rebuild; the reason when it cannot."""
    await interaction.response.defer(thinking=True, ephemeral=True)
    log.info("article removal %r by user %s", article, interaction.user.id)
    try:
        report: Any = await asyncio.to_thread(bot.engine.remove_article, article)
    except ReindexInProgress as exc:
        message = exc.message
    except EngineError as exc:
        message = nothing_changed(exc.message)
    else:
        message = truncate(
            f"Removed '{article}' and reindexed: {report.articles} article(s) left, "
            f"{report.paragraphs} paragraphs, {report.sentences} sentences.",
            1900,
        )
    await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
