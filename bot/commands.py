"""The slash commands (/ask, /about, /help, /reindex) and the admin check.

The issue-5 commands (/speakers, /quotes, /stats, /remove, "Ask the article") live in
``bot/features.py``; answers are saved and get their buttons through ``bot.features``.

``register_commands(bot)`` builds fresh command objects on ``bot.tree`` (one set per client,
so several clients can live in one process, as in the tests). The callbacks only defer,
hand the blocking work to a worker thread and render the result; errors are raised and
turned into short ephemeral messages by the tree's single error handler (see client.py).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Collection
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.embeds import answer_embed, help_embed
from bot.features import (
    article_autocomplete,
    check_article,
    ingest_upload,
    remember_answer,
    view_for,
)
from bot.panels import about_articles_embed
from bot.ratelimit import Busy
from index.errors import BuildFailed, EngineError, ReindexInProgress
from index.retrieval import MAX_QUESTION_CHARS, validate_question

if TYPE_CHECKING:
    from bot.client import QuoteBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


class NotAdmin(app_commands.CheckFailure):
    """The user may not run an admin command here."""

    def __init__(self, command: str = "reindex") -> None:
        super().__init__(
            f"Only server administrators (or users listed in ADMIN_USER_IDS) can use /{command}."
        )


def is_admin(
    user_id: int,
    *,
    in_guild: bool,
    permissions: discord.Permissions,
    admin_ids: Collection[int],
) -> bool:
    """Administrator permission in the guild, or listed in ADMIN_USER_IDS (DMs: only listed)."""
    if user_id in admin_ids:
        return True
    return in_guild and permissions.administrator


def admin_check(interaction: discord.Interaction) -> bool:
    """An ``app_commands.check`` predicate: raise ``NotAdmin`` unless the user is an admin."""
    settings = getattr(interaction.client, "settings", None)
    admin_ids = getattr(settings, "admin_user_ids", frozenset())
    allowed = is_admin(
        interaction.user.id,
        in_guild=interaction.guild_id is not None,
        permissions=interaction.permissions,
        admin_ids=admin_ids,
    )
    if not allowed:
        log.info(
            "refused /%s for user %s (guild %s)",
            interaction.command.name if interaction.command else "?",
            interaction.user.id,
            interaction.guild_id,
        )
        raise NotAdmin(interaction.command.name if interaction.command else "reindex")
    return True


def one_line(text: str, limit: int = 1900) -> str:
    """Collapse whitespace so an error is reported on one line, and keep it short."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register_commands(bot: QuoteBot) -> None:
    """Add /ask, /about, /help and /reindex to ``bot.tree``."""
    tree = bot.tree

    @tree.command(name="ask")
    async def ask(
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
        article: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Ask about the articles: I answer with exact quotes and who said them.

        Parameters
        -----------
        question
            Your question about the article, e.g. who closed the embassy?
        private
            Only you can see the answer (default: everyone in the channel).
        article
            Only quote this article (see /about for the list).
        """
        await answer_slash(bot, interaction, question, private=private, article=article)

    ask.autocomplete("article")(article_autocomplete)

    @tree.command(name="about")
    async def about(interaction: discord.Interaction) -> None:
        """Which articles I know, how many sentences, which model, when indexed."""
        info = bot.engine.info()
        lister = getattr(bot.engine, "articles", None)
        articles = await asyncio.to_thread(lister) if callable(lister) else None
        status = getattr(bot.engine, "status", None)  # index/builds.py IndexStatus
        embed = about_articles_embed(
            info,
            articles,
            top_k=bot.top_k,
            reindexing=bot.engine.reindexing,
            notice=status.note() if status is not None else None,
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @tree.command(name="help")
    async def help_(interaction: discord.Interaction) -> None:
        """How to ask me questions."""
        name = bot.user.display_name if bot.user else "bot"
        await interaction.response.send_message(
            embed=help_embed(name), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @tree.command(name="reindex")
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(admin_check)
    async def reindex(
        interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        """Rebuild the index, or add/replace one article from a file (administrators only).

        Parameters
        -----------
        file
            A .txt, .md or .html article to add (or replace, if one has the same name).
        """
        if file is not None:
            await ingest_upload(bot, interaction, file)
            return
        await run_reindex(bot, interaction)


def queued_note(seconds: float) -> str:
    """What a user at the back of a long queue is told while the question waits."""
    return (
        "I'm busy right now: your question is queued and should be answered in about "
        f"{max(1, math.ceil(seconds))} s."
    )


async def answer_slash(
    bot: QuoteBot,
    interaction: discord.Interaction,
    question: str,
    *,
    private: bool,
    article: str | None = None,
    source: str = "slash",
) -> None:
    """/ask: admit (rate limit, in-flight cap), validate, defer at once, answer in a worker
    thread, reply with an embed. A refusal is an ephemeral message (the tree's handler).

    The user's in-flight slot is held until the answer exists, not while it is sent, so a
    user who has seen the answer can always ask again at once.
    """
    with bot.gate.admit(interaction.user.id):
        validate_question(question)  # cheap; a bad question gets an ephemeral error, no defer
        if article is not None:
            check_article(bot, article)  # so does an unknown article
        ticket = bot.answers.submit(question, article)  # so is a full queue's "too busy"
        try:
            await interaction.response.defer(thinking=True, ephemeral=private)
        except BaseException:
            ticket.future.cancel()  # nobody will read the answer
            raise
        started = time.perf_counter()
        noted = False
        if ticket.estimated_wait >= bot.busy_note_after:
            try:  # the "thinking…" message says why it takes long; the answer replaces it
                await interaction.edit_original_response(
                    content=queued_note(ticket.estimated_wait), allowed_mentions=NO_MENTIONS
                )
                noted = True
            except discord.HTTPException as exc:
                log.warning("could not tell a queued /ask user to wait: %s", exc)
        try:
            answer = await ticket
        except (EngineError, Busy) as exc:
            if not noted:
                raise  # the tree's error handler replaces "thinking…" with the message
            await interaction.edit_original_response(
                content=exc.message, allowed_mentions=NO_MENTIONS
            )
            return
    seconds = time.perf_counter() - started
    answer_id = await remember_answer(
        bot,
        answer,
        user_id=interaction.user.id,
        source=source,
        seconds=seconds,
        article=article,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
    )
    view = view_for(answer_id, answer)
    if noted:
        await interaction.edit_original_response(
            content=None, embed=answer_embed(answer), view=view, allowed_mentions=NO_MENTIONS
        )
    elif view is None:
        await interaction.followup.send(
            embed=answer_embed(answer), ephemeral=private, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.followup.send(
            embed=answer_embed(answer), view=view, ephemeral=private, allowed_mentions=NO_MENTIONS
        )
    log.info(
        "%s by %s answered in %.0f ms (%d quotes)",
        "/ask" if source == "slash" else source,
        interaction.user.id,
        seconds * 1000,
        len(answer.quotes),
    )
    log.debug("question %r", question)


async def run_reindex(bot: QuoteBot, interaction: discord.Interaction) -> None:
    """/reindex: rebuild in a worker thread; questions keep using the old index until the swap."""
    await interaction.response.defer(thinking=True, ephemeral=True)
    log.info("reindex requested by user %s (guild %s)", interaction.user.id, interaction.guild_id)
    try:
        report = await asyncio.to_thread(bot.engine.reindex)
    except ReindexInProgress as exc:
        message = exc.message
    except BuildFailed as exc:  # "Index build failed: <why>. The previous index is still serving…"
        log.warning("/reindex: %s", exc.message)
        message = one_line(exc.message)
    except EngineError as exc:
        log.warning("reindex failed, still serving the previous index: %s", exc.message)
        message = one_line(f"Reindex failed; the previous index is still answering: {exc.message}")
    else:
        message = f"Reindexed {report.summary()}."
        settings = bot.settings
        if settings.shard_ids is not None and settings.index_watch_seconds > 0:
            message += (
                " Processes serving the other shards switch to it within "
                f"{settings.index_watch_seconds:g} s."
            )
    await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
