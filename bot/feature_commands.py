"""The issue-5 commands: /speakers, /quotes, /stats, /remove and the "Ask the article"
message context menu. Registered on ``bot.tree`` next to the ones in ``bot/commands.py``;
errors go to the tree's one error handler (short ephemeral messages)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.commands import NO_MENTIONS, admin_check, answer_slash
from bot.features import (
    article_autocomplete,
    remove_article,
    speaker_autocomplete,
)
from bot.panels import NO_TEXT, quotes_embed, speakers_embed, stats_embed
from bot.store import Totals

if TYPE_CHECKING:
    from bot.client import QuoteBot

log = logging.getLogger(__name__)

ASK_THE_ARTICLE = "Ask the article"


def register_feature_commands(bot: QuoteBot) -> None:
    """Add /speakers, /quotes, /stats, /remove and "Ask the article" to ``bot.tree``."""
    tree = bot.tree

    @tree.command(name="speakers")
    async def speakers(
        interaction: discord.Interaction, article: app_commands.Range[str, 1, 200] | None = None
    ) -> None:
        """Everyone the articles quote or cite: role, article, how many sentences.

        Parameters
        -----------
        article
            Only this article's sources (see /about).
        """
        found = await asyncio.to_thread(bot.engine.speakers, article)
        await interaction.response.send_message(
            embed=speakers_embed(found, article), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    speakers.autocomplete("article")(article_autocomplete)

    @tree.command(name="quotes")
    async def quotes(
        interaction: discord.Interaction,
        speaker: app_commands.Range[str, 1, 100],
        article: app_commands.Range[str, 1, 200] | None = None,
        private: bool = False,
    ) -> None:
        """Everything one source said, verbatim and in order.

        Parameters
        -----------
        speaker
            Who (start typing a name: I suggest the sources I know).
        article
            Only what they said in this article.
        private
            Only you can see the list (default: everyone in the channel).
        """
        said = await asyncio.to_thread(bot.engine.quotes_by, speaker, article)
        await interaction.response.send_message(
            embed=quotes_embed(speaker, said), ephemeral=private, allowed_mentions=NO_MENTIONS
        )

    quotes.autocomplete("speaker")(speaker_autocomplete)
    quotes.autocomplete("article")(article_autocomplete)

    @tree.command(name="stats")
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(admin_check)
    async def stats(interaction: discord.Interaction) -> None:
        """Questions, abstentions, feedback and answer times (administrators only)."""
        totals = Totals(0, 0, 0, 0, 0)
        if bot.store is not None:
            totals = await asyncio.to_thread(bot.store.totals)
        await interaction.response.send_message(
            embed=stats_embed(bot.live_stats, totals), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @tree.command(name="remove")
    @app_commands.default_permissions(administrator=True)
    @app_commands.check(admin_check)
    async def remove(
        interaction: discord.Interaction, article: app_commands.Range[str, 1, 200]
    ) -> None:
        """Remove one article and rebuild the index (administrators only).

        Parameters
        -----------
        article
            The article to remove (see /about).
        """
        await remove_article(bot, interaction, article)

    remove.autocomplete("article")(article_autocomplete)

    @tree.context_menu(name=ASK_THE_ARTICLE)
    async def ask_the_article(interaction: discord.Interaction, message: discord.Message) -> None:
        # The resolved message of a message command carries its text even without the
        # message-content intent.
        question = message.content or ""
        if bot.user is not None:  # "@Bot who closed it?" asks "who closed it?"
            question = re.sub(rf"<@!?{bot.user.id}>", " ", question)
        question = question.strip()
        if not question:
            await interaction.response.send_message(
                NO_TEXT, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await answer_slash(bot, interaction, question, private=False, source="context menu")
