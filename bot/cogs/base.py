"""What every cog has: the bot it is loaded in and the shared context."""

from __future__ import annotations

from discord.ext import commands

from bot.context import BotContext


class QuoteCog(commands.Cog):
    """A group of commands of the quote bot."""

    def __init__(self, bot: commands.Bot, ctx: BotContext) -> None:
        self.bot = bot
        self.ctx = ctx

    @property
    def bot_name(self) -> str:
        """How the bot is called in replies ("bot" before it has logged in)."""
        return self.bot.user.display_name if self.bot.user else "bot"
