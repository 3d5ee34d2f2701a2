"""About the bot: /about (the indexed articles, model and build) and /help (how to ask)."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from bot.cogs.base import QuoteCog
from bot.render.about import about_card, help_card
from bot.replies import respond, to_embed

log = logging.getLogger(__name__)


class InfoCog(QuoteCog):
    """/about and /help, answered privately at once."""

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """Which articles I know, how many sentences, which model, when indexed."""
        guild_id = interaction.guild_id
        engine = self.ctx.engine_for(guild_id)
        info = engine.info()
        articles = await asyncio.to_thread(engine.articles)
        own: set[str] = set()
        if guild_id is not None and self.ctx.library is not None:
            files = await asyncio.to_thread(self.ctx.library.own_files, guild_id)
            own = {path.name for path in files}
        card = about_card(
            info,
            articles,
            top_k=self.ctx.top_k,
            reindexing=engine.reindexing,
            notice=engine.status.note(),  # stale, or the last rebuild failed
            links=self.ctx.links(guild_id),
            own=own,
        )
        await respond(interaction, embed=to_embed(card))

    @app_commands.command(name="help")
    async def help_(self, interaction: discord.Interaction) -> None:
        """How to ask me questions."""
        await respond(interaction, embed=to_embed(help_card(self.bot_name)))
