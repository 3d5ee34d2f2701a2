"""A card: what an embed shows, as plain data (no Discord object).

Every renderer in ``bot/render/`` returns a :class:`Card`; ``bot/replies.py`` turns it into
a ``discord.Embed`` in one place (``to_embed``). ``len(card)`` counts characters the way
Discord counts an embed against its 6,000-character total.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Colours (Discord's blurple, orange, light grey and dark teal).
ANSWER_COLOUR = 0x5865F2
HEDGED_COLOUR = 0xE67E22
NO_ANSWER_COLOUR = 0x979C9F
INFO_COLOUR = 0x11806A


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Card:
    """Title, description, colour, fields and footer of one embed."""

    title: str
    colour: int
    description: str | None = None
    fields: tuple[Field, ...] = ()
    footer: str | None = None

    def __len__(self) -> int:
        total = len(self.title) + len(self.description or "") + len(self.footer or "")
        return total + sum(len(f.name) + len(f.value) for f in self.fields)
