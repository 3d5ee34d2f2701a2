"""Everything the bot sends to Discord goes out through here, and never pings anyone.

``NO_MENTIONS`` is the one allowed-mentions setting (also the client's default);
:func:`to_embed` is the one place a render card becomes a ``discord.Embed``;
:func:`respond` answers an interaction (as its response, or as a follow-up once it was
answered or deferred); :func:`send_text` and :func:`send_reply` answer a DM or a mention,
checking the channel permissions first so a missing one is a log line, not an error.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.render.card import Card

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


def to_embed(card: Card) -> discord.Embed:
    embed = discord.Embed(title=card.title, description=card.description, colour=card.colour)
    for field in card.fields:
        embed.add_field(name=field.name, value=field.value, inline=field.inline)
    if card.footer is not None:
        embed.set_footer(text=card.footer)
    return embed


def _sent(**parts: Any) -> dict[str, Any]:
    """The keyword arguments of a send: the given parts, no pings."""
    return {"allowed_mentions": NO_MENTIONS, **{k: v for k, v in parts.items() if v is not None}}


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction: its response, or a follow-up when it was already answered."""
    kwargs = _sent(content=content, embed=embed, view=view)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


def can(message: discord.Message, permission: str) -> bool:
    """Whether the bot has ``permission`` in the message's channel (always in DMs)."""
    guild = message.guild
    if guild is None or guild.me is None:
        return True
    channel = message.channel
    if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return True
    if isinstance(channel, discord.Thread) and permission == "send_messages":
        permission = "send_messages_in_threads"
    return bool(getattr(channel.permissions_for(guild.me), permission))


async def send_text(
    message: discord.Message, chunks: list[str], *, view: discord.ui.View | None = None
) -> None:
    """Answer with plain text: in DMs as messages, in servers as a reply, then the rest.
    A ``view`` (the answer's buttons) goes under the last message."""
    if message.guild is not None:
        if not can(message, "send_messages"):
            log.warning("no Send Messages permission in channel %s", message.channel.id)
            return
        first, *chunks = chunks
        await send_reply(message, content=first, view=None if chunks else view)
    for number, chunk in enumerate(chunks, start=1):
        await message.channel.send(chunk, **_sent(view=view if number == len(chunks) else None))


async def send_reply(
    message: discord.Message,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Reply to a server message without pinging anyone (a plain send if replies can't)."""
    if not can(message, "send_messages"):
        log.warning("no Send Messages permission in channel %s", message.channel.id)
        return
    reference = None
    if can(message, "read_message_history"):  # Discord requires it for replies
        reference = message.to_reference(fail_if_not_exists=False)
    kwargs = _sent(embed=embed, view=view)
    kwargs["reference"] = reference
    if reference is not None:
        kwargs["mention_author"] = False
    await message.channel.send(content, **kwargs)
