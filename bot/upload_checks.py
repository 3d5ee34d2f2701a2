"""What an attachment must be to become an article, judged before downloading it.

The extensions and the size limit are the engine's own (``index/parsing/upload.py``), so the bot
refuses exactly what ``engine.add_article`` would, only sooner and without a download.
"""

from __future__ import annotations

from pathlib import PurePath

from bot.render.wording import empty_file, not_an_article, too_large
from index.parsing.upload import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES


def upload_problem(filename: str, size: int) -> str | None:
    """Why an attachment cannot be an article, from its name and size (or None)."""
    name = PurePath(filename).name
    if PurePath(name).suffix.lower() not in UPLOAD_SUFFIXES:
        return not_an_article(name)
    if size <= 0:
        return empty_file(name)
    if size > MAX_UPLOAD_BYTES:
        return too_large(name, size, MAX_UPLOAD_BYTES)
    return None
