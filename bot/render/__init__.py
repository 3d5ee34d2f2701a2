"""Rendering: engine and store results -> cards (embed data) and text, with no Discord object.

``card.py`` (the Card data type and colours), ``format.py`` (escaping, shortening, lists),
``quoting.py`` (one quote), ``answer.py`` (an answer, its pages, its text forms),
``paragraph.py``, ``who_said.py`` (/speakers, /quotes), ``about.py`` (/about, /help),
``stats.py`` (/stats) and ``wording.py`` (every sentence of the bot's replies). Only
``bot/replies.py`` turns a card into a ``discord.Embed``.
"""
