"""Administration: /reindex (optionally with a file), /add (a link), /remove and /stats,
for server administrators and the users in ADMIN_USER_IDS only.

Every command of this cog is admin-only: the cog's ``interaction_check`` refuses anyone
else with :class:`NotAdmin` (an ephemeral message from the tree's error handler), and the
commands are hidden from non-administrators by default (``default_permissions``). Which
articles each caller may change is ``bot/permissions.py``: a server's administrators change
that server's own articles, only ADMIN_USER_IDS the default ones every server shares. A
rebuild runs in a worker thread; questions keep using the previous index until the swap,
and one server's rebuild never blocks another's (``index/collections.py``).
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
from bot.permissions import Caller, add_target, check_remove, rebuild_scope
from bot.render.stats import stats_card
from bot.render.wording import (
    NO_OWN_ARTICLES,
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
from index.collections import Library
from index.engine import ReindexReport
from index.errors import BuildFailed, EngineError, ReindexInProgress, UnknownArticle
from index.parsing import fetch
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
    """/reindex, /add, /remove and /stats."""

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

    @property
    def library(self) -> Library:
        library = self.ctx.library
        if library is None:  # BotContext.create always makes one
            raise RuntimeError("the bot has no article library")
        return library

    def caller(self, interaction: discord.Interaction) -> Caller:
        return Caller.of(
            interaction.user.id,
            interaction.guild_id,
            interaction.permissions.administrator,
            self.ctx.settings.admin_user_ids,
        )

    @app_commands.command(name="reindex")
    @app_commands.default_permissions(administrator=True)
    async def reindex(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        shared: bool = False,
    ) -> None:
        """Rebuild this server's articles, or add/replace one from a file (administrators).

        Parameters
        -----------
        file
            A .txt, .md or .html article to add to this server (or replace one of the same name).
        shared
            Add it to the default articles every server sees (the bot's owners only).
        """
        caller = self.caller(interaction)
        if file is not None:
            target = add_target(caller, shared=shared)  # NotAllowed: one ephemeral line
            await self.add_upload(interaction, file, target)
            return
        scope = rebuild_scope(caller)
        guild_id = interaction.guild_id
        if scope == "server" and guild_id is not None and not self.library.own_files(guild_id):
            await respond(interaction, NO_OWN_ARTICLES)
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        log.info("reindex (%s) requested by user %s (guild %s)", scope, caller.user_id, guild_id)
        work = (
            self.library.reindex_all if scope == "all" else lambda: self.library.reindex(guild_id)
        )
        message = await change_index(work, self._reindexed, self._failed)
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

    async def add_upload(
        self, interaction: discord.Interaction, file: discord.Attachment, target: int | None
    ) -> None:
        """/reindex file: check name and size, download, add it to ``target``'s articles."""
        problem = upload_problem(file.filename, file.size)
        log.info(
            "article upload %r (%d bytes) by user %s (guild %s) to %s",
            file.filename,
            file.size,
            interaction.user.id,
            interaction.guild_id,
            "the defaults" if target is None else f"server {target}",
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
                    lambda: self.library.add_article(target, file.filename, data),
                    lambda report: added(file.filename, report.summary()),
                    lambda error: self._rejected(file.filename, error),
                )
        await respond(interaction, message)

    @staticmethod
    def _rejected(filename: str, error: EngineError) -> str:
        log.info("article %r rejected: %s", filename, error.message)
        return nothing_changed(error.message)

    @app_commands.command(name="add")
    @app_commands.default_permissions(administrator=True)
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, fetch.MAX_URL_CHARS],
        shared: bool = False,
    ) -> None:
        """Add a news article to this server from a link (administrators only).

        Parameters
        -----------
        url
            The article's web address (http or https); its main text is kept, the link shown.
        shared
            Add it to the default articles every server sees (the bot's owners only).
        """
        target = add_target(self.caller(interaction), shared=shared)
        await interaction.response.defer(thinking=True, ephemeral=True)
        log.info(
            "article link by user %s (guild %s) to %s",
            interaction.user.id,
            interaction.guild_id,
            "the defaults" if target is None else f"server {target}",
        )
        settings = self.ctx.settings

        def work() -> tuple[str, ReindexReport]:
            page, article = fetch.fetch_article(
                url,
                allow_private=settings.fetch_allow_private,
                timeout=settings.fetch_timeout_seconds,
            )
            report = self.library.add_article(
                target, article.name, article.data, source=page.final_url
            )
            return article.name, report

        try:
            name, report = await asyncio.to_thread(work)
        except ReindexInProgress as exc:
            message = exc.message
        except EngineError as exc:
            message = self._rejected(url, exc)
        else:
            message = added(name, report.summary())
        await respond(interaction, message)

    @app_commands.command(name="remove")
    @app_commands.default_permissions(administrator=True)
    async def remove(
        self,
        interaction: discord.Interaction,
        article: app_commands.Range[str, 1, ARTICLE_OPTION_CHARS],
    ) -> None:
        """Remove one of this server's articles and rebuild (administrators only).

        Parameters
        -----------
        article
            The article to remove (see /about).
        """
        caller = self.caller(interaction)
        await interaction.response.defer(thinking=True, ephemeral=True)
        log.info(
            "article removal %r by user %s (guild %s)", article, caller.user_id, caller.guild_id
        )
        library = self.library

        def work() -> ReindexReport:
            try:
                owned = library.owner(caller.guild_id, article)
            except UnknownArticle:
                # the bot's owners may remove any server's article, named in a DM
                found = library.locate(article) if caller.owner and caller.guild_id is None else []
                if len(found) != 1:
                    raise
                owned = found[0]
                log.info(
                    "owner %s removes %s of server %s",
                    caller.user_id,
                    owned.article.id,
                    owned.guild_id,
                )
            else:
                check_remove(caller, owned)
            return library.remove_article(owned.guild_id, owned.article.id)

        message = await change_index(
            work,
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
