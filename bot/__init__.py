"""The Discord and command-line layer: it asks the engine (``index/``) and renders results.

Bottom to top (a module imports only modules above it in this list, never one below):

- ``limits.py``, ``render/`` (pure: cards, text, wording), ``settings.py``,
  ``engine_api.py`` (the engine Protocol), ``ratelimit.py``, ``answer_store.py``,
  ``answer_queue.py``, ``drain.py``, ``upload_checks.py``
- ``context.py``: the :class:`~bot.context.BotContext` every part of the client shares
- ``answer_flow.py``: the one answer flow (no Discord code)
- ``replies.py`` (all sends, no pings), ``autocomplete.py``, ``buttons.py``
- ``cogs/``: the commands, one Cog per group (ask, sources, admin, info)
- ``client.py`` (``QuoteBot``), ``run.py`` (``run_bot``), ``__main__.py`` (the CLI)

``index/`` never imports ``bot/``; ``tests/test_import_cycles.py`` checks there is no cycle.
"""
