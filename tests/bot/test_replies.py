"""bot/replies.py: a card becomes exactly its embed, an interaction is answered once
(response, then follow-ups), and DM and mention replies never ping and respect
permissions. Through the emulator: test_e2e_messages.py and the other test_e2e_*.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
from botkit import FakeInteraction

from bot.render.card import INFO_COLOUR, Card, Field
from bot.replies import respond, send_text, to_embed


def test_to_embed_keeps_every_part_of_the_card() -> None:
    card = Card("T", INFO_COLOUR, "D", (Field("a", "1"), Field("b", "2", inline=True)), "F")
    assert to_embed(card).to_dict() == {
        "type": "rich",
        "flags": 0,
        "title": "T",
        "description": "D",
        "color": INFO_COLOUR,
        "fields": [
            {"name": "a", "value": "1", "inline": False},
            {"name": "b", "value": "2", "inline": True},
        ],
        "footer": {"text": "F"},
    }
    assert to_embed(Card("T", 1)).to_dict() == {"type": "rich", "flags": 0, "title": "T",
                                                "color": 1}  # fmt: skip
    assert isinstance(to_embed(Card("T", 1)), discord.Embed)


async def test_respond_answers_first_then_follows_up_never_pinging() -> None:
    interaction = FakeInteraction(None)
    await respond(interaction, "first")
    await respond(interaction, "second", ephemeral=False)
    assert [(how, text, kwargs["ephemeral"]) for how, text, kwargs in interaction.sent] == [
        ("response", "first", True),
        ("followup", "second", False),
    ]
    for _, _, kwargs in interaction.sent:
        assert kwargs["allowed_mentions"].to_dict()["parse"] == []
        assert "embed" not in kwargs  # only the parts given are sent
        assert "view" not in kwargs


def dm() -> Any:
    sent: list[tuple[str, dict[str, Any]]] = []

    async def send(content: str | None = None, **kwargs: Any) -> None:
        sent.append((content or "", kwargs))

    return SimpleNamespace(guild=None, channel=SimpleNamespace(id=3, send=send), sent=sent)


async def test_a_dm_answer_in_several_messages_has_its_buttons_under_the_last() -> None:
    message = dm()
    view = discord.ui.View()
    await send_text(message, ["one", "two", "three"], view=view)
    assert [text for text, _ in message.sent] == ["one", "two", "three"]
    assert ["view" in kwargs for _, kwargs in message.sent] == [False, False, True]
    assert all(k["allowed_mentions"].to_dict()["parse"] == [] for _, k in message.sent)
