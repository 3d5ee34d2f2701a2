"""Fixtures for the emulator's own self-tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .emulator import DiscordEmulator
from .fixtures import running_emulator


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    """A running, discord.py-patched emulator that fails the test if anything went wrong."""
    async with running_emulator() as emulator:
        yield emulator
