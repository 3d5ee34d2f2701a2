"""Autocomplete for the article and speaker options (at most 25 choices, as Discord allows).

The engine matches what the user typed (``match_articles``, ``match_speakers``) in a worker
thread; a name or value Discord would reject is left out (the user can still type it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from bot.context import context_of
from bot.limits import CHOICE_LIMIT, MAX_CHOICES
from bot.render.format import plural, truncate
from index.errors import EngineError

log = logging.getLogger(__name__)

Choices = list[app_commands.Choice[str]]
T = TypeVar("T")


def choice(name: str, value: str) -> app_commands.Choice[str] | None:
    if not value or len(value) > CHOICE_LIMIT:
        return None  # a value Discord would reject; the user can still type it
    label = truncate(" ".join(name.split()) or value, CHOICE_LIMIT)
    return app_commands.Choice(name=label, value=value)


def choices(pairs: list[tuple[str, str]]) -> Choices:
    """(name, value) pairs as at most 25 valid choices."""
    found = (choice(name, value) for name, value in pairs)
    return [c for c in found if c is not None][:MAX_CHOICES]


async def _matches(what: str, match: Callable[[str, int], list[T]], current: str) -> list[T]:
    """``match(current, 25)`` in a worker thread; nothing when the engine cannot answer."""
    try:
        return await asyncio.to_thread(match, current, MAX_CHOICES)
    except EngineError as exc:
        log.debug("%s autocomplete: %s", what, exc)
        return []


async def article_autocomplete(interaction: discord.Interaction, current: str) -> Choices:
    """Articles this server (or DM) sees whose id or title matches what the user typed."""
    engine = context_of(interaction.client).engine_for(interaction.guild_id)
    found = await _matches("article", engine.match_articles, current)
    return choices([(f"{a.title} ({a.id})", a.id) for a in found])


async def speaker_autocomplete(interaction: discord.Interaction, current: str) -> Choices:
    """Speakers matching what the user typed (word prefix first, then substring)."""
    engine = context_of(interaction.client).engine_for(interaction.guild_id)
    found = await _matches("speaker", engine.match_speakers, current)
    pairs = []
    for s in found:
        role = f", {s.roles[0]}" if s.roles else ""
        pairs.append((f"{s.name}{role} ({plural(s.sentences, 'sentence')})", s.name))
    return choices(pairs)
