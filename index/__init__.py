"""Answer engine: ingest articles, attribute quotes, embed, index and retrieve.

This package never imports discord: the bot only renders what it returns. Importing it
is cheap; the embedding model loads only when an ``Engine`` needs it.
"""
