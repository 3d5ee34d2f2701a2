"""Persistent buttons under each answer: More, Paragraph, thumbs up/down.

Each button is a ``discord.ui.DynamicItem``: its state lives in its ``custom_id``
(``qa:more:<answer id>:<page>``, ``qa:para:<answer id>:<quote number>``,
``qa:fb:<answer id>:<+|->``) and the answer itself in the SQLite store, so the client
rebuilds the button from the id on every click, also after a restart
(``client.add_dynamic_items`` in ``setup_hook``). Nothing is asked again: "More" pages
through the saved quotes, "Paragraph" reads the paragraph from the live index.

Replies are private (ephemeral). "More" under a public answer opens a private page; under
a private page it turns that page in place (an UPDATE_MESSAGE).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.panels import page_embed, paragraph_embed
from bot.store import StoredAnswer
from index.errors import EngineError
from index.models import Quote

if TYPE_CHECKING:
    from bot.client import QuoteBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
ANSWER_ID = r"(?P<answer>[0-9a-f]{16})"
#: Page and quote numbers in custom ids: at most 3 digits (an answer has < 1000 quotes).
MAX_NUMBER = 999
GONE = (
    "This answer has expired: I no longer have it saved (the answer database was reset). "
    "Please ask again."
)
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again."
VOTE_EMOJI = {1: "👍", -1: "👎"}


def more_id(answer_id: str, page: int) -> str:
    return f"qa:more:{answer_id}:{page}"


def paragraph_id(answer_id: str, number: int) -> str:
    return f"qa:para:{answer_id}:{number}"


def feedback_id(answer_id: str, vote: int) -> str:
    return f"qa:fb:{answer_id}:{'+' if vote > 0 else '-'}"


async def _guarded(
    interaction: discord.Interaction, what: str, action: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's action; an error becomes a short private message, never a traceback
    in discord.py's logger."""
    try:
        await action()
    except discord.HTTPException as exc:
        log.warning("%s by %s: could not reply (%s)", what, interaction.user.id, exc)
    except Exception:
        log.exception("unexpected error in %s", what)
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(
                    UNEXPECTED, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.response.send_message(
                    UNEXPECTED, ephemeral=True, allowed_mentions=NO_MENTIONS
                )


async def _load(interaction: discord.Interaction, answer_id: str) -> StoredAnswer | None:
    bot: QuoteBot = interaction.client  # type: ignore[assignment]
    stored = None
    if bot.store is not None:
        stored = await asyncio.to_thread(bot.store.answer, answer_id)
    if stored is None:
        await interaction.response.send_message(GONE, ephemeral=True, allowed_mentions=NO_MENTIONS)
    return stored


class MoreButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"qa:more:{ANSWER_ID}:(?P<page>[0-9]{{1,3}})",
):
    """Shows the next page of quotes of a saved answer."""

    def __init__(self, answer_id: str, page: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="More",
                emoji="➕",
                style=discord.ButtonStyle.primary,
                custom_id=more_id(answer_id, page),
            )
        )
        self.answer_id = answer_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MoreButton:
        return cls(match["answer"], int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await _guarded(interaction, "the More button", lambda: self._more(interaction))

    async def _more(self, interaction: discord.Interaction) -> None:
        stored = await _load(interaction, self.answer_id)
        if stored is None:
            return
        page = min(max(1, self.page), stored.pages)
        embed = page_embed(stored, page)
        view = answer_view(
            stored.id,
            stored.page(page),
            page=page,
            pages=stored.pages,
            first_number=(page - 1) * stored.page_size + 1,
        )
        message = interaction.message
        if message is not None and message.flags.ephemeral:
            await interaction.response.edit_message(embed=embed, view=view)  # type 7
        else:
            await interaction.response.send_message(
                embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
            )


class ParagraphButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"qa:para:{ANSWER_ID}:(?P<number>[0-9]{{1,3}})",
):
    """Shows the whole paragraph a quote comes from, privately."""

    def __init__(self, answer_id: str, number: int, quote: Quote | None = None) -> None:
        label = f"Paragraph ({number})"
        if quote is not None:
            label = f"¶ {quote.paragraph} (quote {number})"
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.secondary,
                custom_id=paragraph_id(answer_id, number),
            )
        )
        self.answer_id = answer_id
        self.number = number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ParagraphButton:
        return cls(match["answer"], int(match["number"]))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await _guarded(interaction, "the Paragraph button", lambda: self._paragraph(interaction))

    async def _paragraph(self, interaction: discord.Interaction) -> None:
        stored = await _load(interaction, self.answer_id)
        if stored is None:
            return
        if not 1 <= self.number <= len(stored.quotes):
            await interaction.response.send_message(
                "That quote is not part of this answer.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        quote = stored.quotes[self.number - 1]
        bot: QuoteBot = interaction.client  # type: ignore[assignment]
        text: str | None
        try:
            paragraph = await asyncio.to_thread(
                bot.engine.paragraph, quote.article_id, quote.paragraph
            )
            text = paragraph.text
        except EngineError as exc:
            log.info("paragraph %s/%d: %s", quote.article_id, quote.paragraph, exc)
            text = None
        await interaction.response.send_message(
            embed=paragraph_embed(quote, text), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"qa:fb:{ANSWER_ID}:(?P<vote>[+-])",
):
    """Thumbs up or down: recorded once per user per answer (a new click changes the vote)."""

    def __init__(self, answer_id: str, vote: int) -> None:
        super().__init__(
            discord.ui.Button(
                emoji=VOTE_EMOJI[vote],
                style=discord.ButtonStyle.secondary,
                custom_id=feedback_id(answer_id, vote),
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["answer"], 1 if match["vote"] == "+" else -1)

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await _guarded(interaction, "a feedback button", lambda: self._vote(interaction))

    async def _vote(self, interaction: discord.Interaction) -> None:
        bot: QuoteBot = interaction.client  # type: ignore[assignment]
        if bot.store is None:
            await interaction.response.send_message(
                GONE, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        try:
            vote = await asyncio.to_thread(
                bot.store.vote, self.answer_id, interaction.user.id, self.vote
            )
        except KeyError:
            await interaction.response.send_message(
                GONE, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        bot.live_stats.record_vote(vote)
        emoji = VOTE_EMOJI[vote.vote]
        if vote.first:
            text = f"Thanks! Your {emoji} is recorded for this answer."
        elif vote.changed:
            text = (
                f"Changed your vote to {emoji}. You still count once for this answer "
                "(your latest vote is kept)."
            )
        else:
            text = f"You already gave this answer a {emoji}; it counts once."
        log.info("feedback %s on %s by %s", emoji, self.answer_id, interaction.user.id)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


#: Registered with ``client.add_dynamic_items`` so old messages' buttons keep working.
DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    MoreButton,
    ParagraphButton,
    FeedbackButton,
)


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
    first_row: list[discord.ui.DynamicItem[Any]] = []
    if page < pages and page < MAX_NUMBER:
        first_row.append(MoreButton(answer_id, page + 1))
    if feedback:
        first_row += [FeedbackButton(answer_id, 1), FeedbackButton(answer_id, -1)]
    for button in first_row:
        button.row = 0
        view.add_item(button)
    for offset, quote in enumerate(quotes[:10]):
        number = first_number + offset
        if number > MAX_NUMBER:
            break
        item = ParagraphButton(answer_id, number, quote)
        item.row = 1 + offset // 5
        view.add_item(item)
    return view
