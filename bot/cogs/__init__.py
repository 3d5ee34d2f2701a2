"""The slash commands, one Cog per group, loaded by ``QuoteBot.setup_hook``.

``ask.py`` (/ask, the "Ask the article" menu, DMs and mentions: the answer flow),
``sources.py`` (/speakers, /quotes), ``admin.py`` (/reindex, /remove, /stats) and
``info.py`` (/about, /help). Each cog holds only the Discord side; the logic it calls lives
below it (``bot/answer_flow.py``, ``bot/render/``, ``bot/upload_checks.py``). Cogs never
import each other or the client.
"""
