"""Persistent buttons under each answer: More, Paragraph, thumbs up/down.

Each button is an :class:`AnswerButton`, a ``discord.ui.DynamicItem`` whose state lives in
its ``custom_id``, ``qa:<kind>:<answer id>:<value>`` (``qa:more:<id>:<page>``,
``qa:para:<id>:<quote number>``, ``qa:fb:<id>:<+|->``), and the answer itself in the
answer store (``bot/answer_store.py``), so the client rebuilds the button from the id on
every click, also after a restart (``add_dynamic_items`` in ``QuoteBot.setup_hook``).
Nothing is asked again: "More" pages through the saved quotes, "Paragraph" reads the
paragraph from the live index.

Replies are private (ephemeral). "More" under a public answer opens a private page; under
a private page it turns that page in place (an UPDATE_MESSAGE).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any, ClassVar, Self

import discord

from bot.answer_store import StoredAnswer, page_size
from bot.context import BotContext, context_of
from bot.limits import BUTTON_LABEL_LIMIT, BUTTONS_PER_ROW, MAX_NUMBER, MAX_PARAGRAPH_BUTTONS
from bot.render.answer import page_card
from bot.render.paragraph import paragraph_card
from bot.render.wording import GONE, NOT_IN_ANSWER, UNEXPECTED, vote_recorded
from bot.replies import respond, to_embed
from index.errors import EngineError
from index.models import Answer, Quote

log = logging.getLogger(__name__)

ANSWER_ID = r"(?P<answer>[0-9a-f]{16})"
VOTE_EMOJI = {1: "👍", -1: "👎"}


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"qa:[a-z]+:{ANSWER_ID}:(?P<value>.+)",  # abstract: never registered
):
    """A button of a saved answer: its custom id, its click guarded, its saved answer.

    A subclass names its ``kind`` and the pattern of its ``value``, turns a value back
    into a button (:meth:`from_value`) and does its work in :meth:`clicked`.
    """

    kind: ClassVar[str]
    #: What the button is called in the log ("the More button").
    what: ClassVar[str]

    def __init_subclass__(cls, *, kind: str, value: str, what: str) -> None:
        super().__init_subclass__(template=rf"qa:{kind}:{ANSWER_ID}:(?P<value>{value})")
        cls.kind = kind
        cls.what = what

    def __init__(self, answer_id: str, value: str, **button: Any) -> None:
        custom_id = f"qa:{self.kind}:{answer_id}:{value}"
        super().__init__(discord.ui.Button(custom_id=custom_id, **button))
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls.from_value(match["answer"], match["value"])

    @classmethod
    def from_value(cls, answer_id: str, value: str) -> Self:
        """The button for ``value`` of its custom id: by default a number (page, quote)."""
        return cls(answer_id, int(value))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the click; an error becomes a short private message, never a traceback in
        discord.py's logger."""
        try:
            await self.clicked(interaction, context_of(interaction.client))
        except discord.HTTPException as exc:
            log.warning("%s by %s: could not reply (%s)", self.what, interaction.user.id, exc)
        except Exception:
            log.exception("unexpected error in %s", self.what)
            with contextlib.suppress(discord.HTTPException):
                await respond(interaction, UNEXPECTED)

    async def clicked(self, interaction: discord.Interaction, ctx: BotContext) -> None:
        raise NotImplementedError

    async def saved_answer(
        self, interaction: discord.Interaction, ctx: BotContext
    ) -> StoredAnswer | None:
        """The answer this button belongs to, or None after telling the user it is gone."""
        stored = None
        if ctx.store is not None:
            stored = await asyncio.to_thread(ctx.store.answer, self.answer_id)
        if stored is None:
            await respond(interaction, GONE)
        return stored


class MoreButton(AnswerButton, kind="more", value="[0-9]{1,3}", what="the More button"):
    """Shows the next page of quotes of a saved answer."""

    def __init__(self, answer_id: str, page: int) -> None:
        super().__init__(
            answer_id, str(page), label="More", emoji="➕", style=discord.ButtonStyle.primary
        )
        self.page = page

    async def clicked(self, interaction: discord.Interaction, ctx: BotContext) -> None:
        stored = await self.saved_answer(interaction, ctx)
        if stored is None:
            return
        page = min(max(1, self.page), stored.pages)
        embed = to_embed(page_card(stored, page))
        first = (page - 1) * stored.page_size + 1
        view = answer_view(stored.id, stored.page(page), page=page, pages=stored.pages,
                           first_number=first)  # fmt: skip
        message = interaction.message
        if message is not None and message.flags.ephemeral:
            await interaction.response.edit_message(embed=embed, view=view)  # type 7
        else:
            await respond(interaction, embed=embed, view=view)


class ParagraphButton(AnswerButton, kind="para", value="[0-9]{1,3}", what="the Paragraph button"):
    """Shows the whole paragraph a quote comes from, privately."""

    def __init__(self, answer_id: str, number: int, quote: Quote | None = None) -> None:
        label = f"Paragraph ({number})"
        if quote is not None:
            label = f"¶ {quote.paragraph} (quote {number})"
        super().__init__(
            answer_id,
            str(number),
            label=label[:BUTTON_LABEL_LIMIT],
            style=discord.ButtonStyle.secondary,
        )
        self.number = number

    async def clicked(self, interaction: discord.Interaction, ctx: BotContext) -> None:
        stored = await self.saved_answer(interaction, ctx)
        if stored is None:
            return
        if not 1 <= self.number <= len(stored.quotes):
            await respond(interaction, NOT_IN_ANSWER)
            return
        quote = stored.quotes[self.number - 1]
        text: str | None
        try:
            paragraph = await asyncio.to_thread(
                ctx.engine_for(interaction.guild_id).paragraph, quote.article_id, quote.paragraph
            )
            text = paragraph.text
        except EngineError as exc:
            log.info("paragraph %s/%d: %s", quote.article_id, quote.paragraph, exc)
            text = None
        await respond(interaction, embed=to_embed(paragraph_card(quote, text)))


class FeedbackButton(AnswerButton, kind="fb", value="[+-]", what="a feedback button"):
    """Thumbs up or down: recorded once per user per answer (a new click changes the vote)."""

    def __init__(self, answer_id: str, vote: int) -> None:
        super().__init__(
            answer_id,
            "+" if vote > 0 else "-",
            emoji=VOTE_EMOJI[vote],
            style=discord.ButtonStyle.secondary,
        )
        self.vote = vote

    @classmethod
    def from_value(cls, answer_id: str, value: str) -> Self:
        return cls(answer_id, 1 if value == "+" else -1)

    async def clicked(self, interaction: discord.Interaction, ctx: BotContext) -> None:
        if ctx.store is None:
            await respond(interaction, GONE)
            return
        try:
            vote = await asyncio.to_thread(
                ctx.store.vote, self.answer_id, interaction.user.id, self.vote
            )
        except KeyError:
            await respond(interaction, GONE)
            return
        ctx.live_stats.record_vote(vote)
        emoji = VOTE_EMOJI[vote.vote]
        log.info("feedback %s on %s by %s", emoji, self.answer_id, interaction.user.id)
        await respond(interaction, vote_recorded(emoji, first=vote.first, changed=vote.changed))


#: Registered with ``client.add_dynamic_items`` so old messages' buttons keep working.
DYNAMIC_ITEMS: tuple[type[AnswerButton], ...] = (MoreButton, ParagraphButton, FeedbackButton)


def answer_view(
    answer_id: str,
    quotes: tuple[Quote, ...] | list[Quote],
    *,
    page: int = 1,
    pages: int = 1,
    first_number: int = 1,
    feedback: bool = True,
) -> discord.ui.View:
    """The buttons under an answer page: More (when there is a next page), 👍 👎, then one
    Paragraph button per quote on the page (5 per row; a page has at most 10 quotes)."""
    view = discord.ui.View(timeout=None)
    first_row: list[AnswerButton] = []
    if page < pages and page < MAX_NUMBER:
        first_row.append(MoreButton(answer_id, page + 1))
    if feedback:
        first_row += [FeedbackButton(answer_id, 1), FeedbackButton(answer_id, -1)]
    for button in first_row:
        button.row = 0
        view.add_item(button)
    for offset, quote in enumerate(quotes[:MAX_PARAGRAPH_BUTTONS]):
        number = first_number + offset
        if number > MAX_NUMBER:
            break
        item = ParagraphButton(answer_id, number, quote)
        item.row = 1 + offset // BUTTONS_PER_ROW
        view.add_item(item)
    return view


def view_for(answer_id: str | None, answer: Answer) -> discord.ui.View | None:
    """The buttons under a freshly sent answer (None when it was not saved)."""
    if answer_id is None:
        return None
    quotes = answer.quotes  # confident or hedged: the buttons work the same
    total = len(answer.quotes) + len(answer.more)
    pages = max(1, -(-total // page_size(answer, 1)))
    return answer_view(answer_id, quotes, page=1, pages=pages)
