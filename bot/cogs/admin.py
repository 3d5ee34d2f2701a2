"""Administration: /reindex (optionally with a file: add or replace one article), /remove
and /stats, for server administrators and the users in ADMIN_USER_IDS only.

Every command of this cog is admin-only: the cog's ``interaction_check`` refuses anyone
else with :class:`NotAdmin` (an ephemeral message from the tree's error handler), and the
commands are hidden from non-administrators by default (``default_permissions``). A
rebuild runs in a worker thread; questions keep using the previous index until the swap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection

import discord
from discord import app_commands

from bot.answer_store import Totals
from bot.autocomplete import article_autocomplete
from bot.cogs.base import QuoteCog
from bot.limits import ARTICLE_OPTION_CHARS
from bot.render.stats import stats_card
from bot.render.wording import (
    added,
    build_failed,
    download_failed,
    not_admin,
    nothing_changed,
    refusal,
    reindex_failed,
    reindexed,
    removed,
)
from bot.replies import respond, to_embed
from bot.upload_checks import upload_problem
from index.engine import ReindexReport
from index.errors import BuildFailed, EngineError, ReindexInProgress
from index.parsing.upload import MAX_UPLOAD_BYTES

log = logging.getLogger(__name__)


class NotAdmin(app_commands.CheckFailure):
    """The user may not run an admin command here."""

    def __init__(self, command: str = "reindex") -> None:
        super().__init__(not_admin(command))


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


async def change_index(
    work: Callable[[], ReindexReport],
    done: Callable[[ReindexReport], str],
    failed: Callable[[EngineError], str],
) -> str:
    """Run a rebuild (``work``) in a worker thread; the reply for its report or its error.
    Another rebuild already running is reported as the engine words it."""
    try:
        report = await asyncio.to_thread(work)
    except ReindexInProgress as exc:
        return exc.message
    except EngineError as exc:
        return failed(exc)
    return done(report)


class AdminCog(QuoteCog):
    """/reindex, /remove and /stats."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every command here is admin-only: refuse anyone else with :class:`NotAdmin`."""
        name = interaction.command.name if interaction.command else "reindex"
        allowed = is_admin(
            interaction.user.id,
            in_guild=interaction.guild_id is not None,
            permissions=interaction.permissions,
            admin_ids=self.ctx.settings.admin_user_ids,
        )
        if not allowed:
            log.info(
                "refused /%s for user %s (guild %s)",
                name,
                interaction.user.id,
                interaction.guild_id,
            )
            raise NotAdmin(name)
        return True

    @app_commands.command(name="reindex")
    @app_commands.default_permissions(administrator=True)
    async def reindex(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        """Rebuild the index, or add/replace one article from a file (administrators only).

        Parameters
        -----------
        file
            A .txt, .md or .html article to add (or replace, if one has the same name).
        """
        if file is not None:
            await self.add_upload(interaction, file)
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        log.info(
            "reindex requested by user %s (guild %s)", interaction.user.id, interaction.guild_id
        )
        message = await change_index(self.ctx.engine.reindex, self._reindexed, self._failed)
        await respond(interaction, message)

    def _reindexed(self, report: ReindexReport) -> str:
        settings = self.ctx.settings
        others = settings.shard_ids is not None and settings.index_watch_seconds > 0
        return reindexed(
            report.summary(), others_within=settings.index_watch_seconds if others else None
        )

    @staticmethod
    def _failed(error: EngineError) -> str:
        if isinstance(error, BuildFailed):  # one line: why, and how stale the index serving is
            log.warning("/reindex: %s", error.message)
            return build_failed(error.message)
        log.warning("reindex failed, still serving the previous index: %s", error.message)
        return reindex_failed(error.message)

    async def add_upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """/reindex file: check name and size, download, hand to ``engine.add_article``."""
        problem = upload_problem(file.filename, file.size)
        log.info(
            "article upload %r (%d bytes) by user %s (guild %s)",
            file.filename,
            file.size,
            interaction.user.id,
            interaction.guild_id,
        )
        if problem is not None:
            await respond(interaction, nothing_changed(problem))
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            data = await file.read()
        except (discord.HTTPException, discord.NotFound) as exc:
            message = nothing_changed(download_failed(file.filename, exc))
        else:
            if len(data) > MAX_UPLOAD_BYTES:  # the size Discord reported was wrong
                message = nothing_changed(upload_problem(file.filename, len(data)) or "too large")
            else:
                message = await change_index(
                    lambda: self.ctx.engine.add_article(file.filename, data),
                    lambda report: added(file.filename, report.summary()),
                    lambda error: self._rejected(file.filename, error),
                )
        await respond(interaction, message)

    @staticmethod
    def _rejected(filename: str, error: EngineError) -> str:
        log.info("article upload %r rejected: %s", filename, error.message)
        return nothing_changed(error.message)

    @app_commands.command(name="remove")
    @app_commands.default_permissions(administrator=True)
    async def remove(
        self,
        interaction: discord.Interaction,
        article: app_commands.Range[str, 1, ARTICLE_OPTION_CHARS],
    ) -> None:
        """Remove one article and rebuild the index (administrators only).

        Parameters
        -----------
        article
            The article to remove (see /about).
        """
        await interaction.response.defer(thinking=True, ephemeral=True)
        log.info("article removal %r by user %s", article, interaction.user.id)
        message = await change_index(
            lambda: self.ctx.engine.remove_article(article),
            lambda r: removed(article, r.articles, r.paragraphs, r.sentences),
            lambda error: nothing_changed(refusal(error)),
        )
        await respond(interaction, message)

    remove.autocomplete("article")(article_autocomplete)

    @app_commands.command(name="stats")
    @app_commands.default_permissions(administrator=True)
    async def stats(self, interaction: discord.Interaction) -> None:
        """Questions, abstentions, feedback and answer times (administrators only)."""
        totals = Totals(0, 0, 0, 0, 0)
        if self.ctx.store is not None:
            totals = await asyncio.to_thread(self.ctx.store.totals)
        await respond(interaction, embed=to_embed(stats_card(self.ctx.live_stats, totals)))
