"""Who the articles quote: /speakers (every source) and /quotes (what one of them said)."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from bot.autocomplete import article_autocomplete, speaker_autocomplete
from bot.cogs.base import QuoteCog
from bot.limits import ARTICLE_OPTION_CHARS, SPEAKER_OPTION_CHARS
from bot.render.who_said import quotes_card, speakers_card
from bot.replies import respond, to_embed

log = logging.getLogger(__name__)


class SourcesCog(QuoteCog):
    """/speakers and /quotes (engine lookups in a worker thread, answered at once)."""

    @app_commands.command(name="speakers")
    async def speakers(
        self,
        interaction: discord.Interaction,
        article: app_commands.Range[str, 1, ARTICLE_OPTION_CHARS] | None = None,
    ) -> None:
        """Everyone the articles quote or cite: role, article, how many sentences.

        Parameters
        -----------
        article
            Only this article's sources (see /about).
        """
        found = await asyncio.to_thread(self.ctx.engine_for(interaction.guild_id).speakers, article)
        await respond(interaction, embed=to_embed(speakers_card(found, article)))

    speakers.autocomplete("article")(article_autocomplete)

    @app_commands.command(name="quotes")
    async def quotes(
        self,
        interaction: discord.Interaction,
        speaker: app_commands.Range[str, 1, SPEAKER_OPTION_CHARS],
        article: app_commands.Range[str, 1, ARTICLE_OPTION_CHARS] | None = None,
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
        said = await asyncio.to_thread(
            self.ctx.engine_for(interaction.guild_id).quotes_by, speaker, article
        )
        await respond(interaction, embed=to_embed(quotes_card(speaker, said)), ephemeral=private)

    quotes.autocomplete("speaker")(speaker_autocomplete)
    quotes.autocomplete("article")(article_autocomplete)
