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
        engine = self.ctx.engine
        info = engine.info()
        articles = await asyncio.to_thread(engine.articles)
        card = about_card(
            info,
            articles,
            top_k=self.ctx.top_k,
            reindexing=engine.reindexing,
            notice=engine.status.note(),  # stale, or the last rebuild failed
        )
        await respond(interaction, embed=to_embed(card))

    @app_commands.command(name="help")
    async def help_(self, interaction: discord.Interaction) -> None:
        """How to ask me questions."""
        await respond(interaction, embed=to_embed(help_card(self.bot_name)))
