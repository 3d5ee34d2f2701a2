"""Asking: /ask, the "Ask the article" message menu, direct messages and mentions.

All four run the one answer flow (``bot/answer_flow.py``); this cog only supplies the two
Discord forms of an :class:`~bot.answer_flow.Asker`. A slash command or the menu
(:class:`InteractionAsker`) defers, turns its "thinking…" message into the queued note
when the queue is long, and sends the answer embed as a follow-up; a refusal is raised
for the command tree's error handler (a short ephemeral message). A DM or a mention
(:class:`MessageAsker`) is answered with plain text in DMs and an embed reply in servers;
a refusal is a reply, and a user already told to slow down is not told again.

Only non-privileged intents are needed: Discord delivers the content of DMs and of
messages that mention the bot, and the message of a message command, without the
message-content intent.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer_flow import answer_question
from bot.autocomplete import article_autocomplete
from bot.buttons import view_for
from bot.cogs.base import QuoteCog
from bot.context import BotContext
from bot.limits import ARTICLE_OPTION_CHARS
from bot.ratelimit import Busy, RateLimited
from bot.render.answer import answer_card, answer_messages
from bot.render.wording import NO_TEXT, SHUTTING_DOWN, UNEXPECTED, help_text, refusal
from bot.replies import NO_MENTIONS, can, respond, send_reply, send_text, to_embed
from index.errors import EngineError
from index.models import Answer
from index.retrieval.retriever import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

ASK_THE_ARTICLE = "Ask the article"
#: A DM or mention that is one of these gets the help text instead of an answer.
HELP_WORDS = frozenset({"help", "/help", "!help", "?help", "hi", "hello"})


def without_mentions_of(text: str, user_id: int) -> str:
    """``text`` with every mention of ``user_id`` replaced by a space."""
    return re.sub(rf"<@!?{user_id}>", " ", text)


def question_in(message: discord.Message, me: discord.abc.User | None) -> str | None:
    """The question a message asks the bot ``me``, or None if the message is not for it.

    Any direct message is a question; in a server, only a message that mentions the
    bot (the mention is removed from the question).
    """
    if me is None or message.author.bot or message.author.id == me.id:
        return None
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return None
    if message.guild is None:
        return message.content
    if me.id not in message.raw_mentions:
        return None
    return without_mentions_of(message.content, me.id)


class InteractionAsker:
    """A question asked by /ask or the "Ask the article" menu."""

    def __init__(
        self,
        interaction: discord.Interaction,
        *,
        private: bool,
        source: str = "slash",
        links: Mapping[str, str] | None = None,
    ) -> None:
        self.interaction = interaction
        self.links = links or {}  # article id -> the link it was added from
        self.private = private
        self.source = source
        self.user_id = interaction.user.id
        self.guild_id = interaction.guild_id
        self.channel_id = interaction.channel_id
        self.noted = False  # the "thinking…" message says the question is queued

    async def local_reply(self, question: str) -> bool:
        return False

    async def accept(self) -> None:
        await self.interaction.response.defer(thinking=True, ephemeral=self.private)

    async def queued(self, note: str) -> None:
        try:  # the "thinking…" message says why it takes long; the answer replaces it
            await self.interaction.edit_original_response(
                content=note, allowed_mentions=NO_MENTIONS
            )
            self.noted = True
        except discord.HTTPException as exc:
            log.warning("could not tell a queued %s user to wait: %s", self.source, exc)

    async def refuse(self, error: EngineError | Busy) -> None:
        if not self.noted:
            raise error  # the tree's error handler sends it (replacing "thinking…")
        await self.interaction.edit_original_response(
            content=refusal(error), allowed_mentions=NO_MENTIONS
        )

    async def reply(self, answer: Answer, answer_id: str | None) -> None:
        embed = to_embed(answer_card(answer, self.links))
        view = view_for(answer_id, answer)
        if self.noted:
            await self.interaction.edit_original_response(
                content=None, embed=embed, view=view, allowed_mentions=NO_MENTIONS
            )
        else:
            await respond(self.interaction, embed=embed, view=view, ephemeral=self.private)


class MessageAsker:
    """A question in a direct message, or in a server message that mentions the bot."""

    def __init__(
        self, message: discord.Message, bot_name: str, links: Mapping[str, str] | None = None
    ) -> None:
        self.message = message
        self.links = links or {}
        self.bot_name = bot_name
        self.user_id = message.author.id
        self.guild_id = message.guild.id if message.guild else None
        self.channel_id = message.channel.id
        self.source = "dm" if message.guild is None else "mention"
        self.where = "DM" if message.guild is None else f"channel {message.channel.id}"

    async def local_reply(self, question: str) -> bool:
        if question.strip().lower() not in HELP_WORDS:
            return False
        await send_text(self.message, [help_text(self.bot_name)])
        return True

    async def accept(self) -> None:
        return None  # the answer itself is the acknowledgement

    async def queued(self, note: str) -> None:
        try:
            await send_text(self.message, [note])
        except discord.HTTPException as exc:
            log.warning("could not tell a queued user to wait: %s", exc)

    async def refuse(self, error: EngineError | Busy) -> None:
        if isinstance(error, RateLimited) and not error.notify:
            # already told when to retry: stay quiet, so a flood cannot make the bot flood
            log.debug("%s from %s: rate limited again", self.where, self.user_id)
            return
        log.info("%s from %s: %s", self.where, self.user_id, error)
        await send_text(self.message, [refusal(error)])

    async def reply(self, answer: Answer, answer_id: str | None) -> None:
        view = view_for(answer_id, answer)
        if self.message.guild is not None and can(self.message, "embed_links"):
            card = answer_card(answer, self.links)
            await send_reply(self.message, embed=to_embed(card), view=view)
        else:
            await send_text(self.message, answer_messages(answer, links=self.links), view=view)


class AskCog(QuoteCog):
    """/ask, "Ask the article", and questions in DMs and mentions."""

    def __init__(self, bot: commands.Bot, ctx: BotContext) -> None:
        super().__init__(bot, ctx)
        self.menu = app_commands.ContextMenu(name=ASK_THE_ARTICLE, callback=self.ask_the_article)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)  # context menus cannot be defined in a cog body

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="ask")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
        article: app_commands.Range[str, 1, ARTICLE_OPTION_CHARS] | None = None,
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
        links = self.ctx.links(interaction.guild_id)
        asker = InteractionAsker(interaction, private=private, links=links)
        await answer_question(self.ctx, asker, question, article)

    ask.autocomplete("article")(article_autocomplete)

    async def ask_the_article(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        # The resolved message of a message command carries its text even without the
        # message-content intent. "@Bot who closed it?" asks "who closed it?".
        question = message.content or ""
        if self.bot.user is not None:
            question = without_mentions_of(question, self.bot.user.id)
        question = question.strip()
        if not question:
            await respond(interaction, NO_TEXT)
            return
        links = self.ctx.links(interaction.guild_id)
        asker = InteractionAsker(interaction, private=False, source="context menu", links=links)
        await answer_question(self.ctx, asker, question)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = question_in(message, self.bot.user)
        if question is None:
            return
        guild_id = message.guild.id if message.guild else None
        asker = MessageAsker(message, self.bot_name, self.ctx.links(guild_id))
        with self.ctx.in_flight.track():
            if self.ctx.in_flight.stopping:
                with contextlib.suppress(discord.HTTPException):
                    await send_text(message, [SHUTTING_DOWN])
                return
            try:
                await answer_question(self.ctx, asker, question)
            except discord.HTTPException as exc:
                log.warning("could not answer a message in %s: %s", asker.where, exc)
            except Exception:
                log.exception("unexpected error answering a message in %s", asker.where)
                with contextlib.suppress(discord.HTTPException):
                    await send_text(message, [UNEXPECTED])
