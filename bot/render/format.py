"""Text primitives for Discord: escape markdown, shorten at a word, fit, list, split.

Quotes are shown verbatim: only Discord markdown is escaped, so what users see is the
article's text. Anything shortened is cut at a word boundary and marked with an ellipsis;
lists that do not fit end with "… and N more".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote, urlsplit

from bot.limits import CONTENT_LIMIT, MESSAGE_LIMIT

ELLIPSIS = "…"

_MARKDOWN = re.compile(r"([\\*_~|`])")
_LINE_START_MARKDOWN = re.compile(r"^(\s*)(>|#|-)", re.MULTILINE)
_WHITESPACE = re.compile(r"\s")
_TRAILING = " \t\n,;:"


def escape_markdown(text: str) -> str:
    """Escape Discord markdown so the text displays exactly as written."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START_MARKDOWN.sub(r"\1\\\2", text)


def bold(text: str) -> str:
    return f"**{escape_markdown(text)}**"


def code_span(text: str) -> str:
    """Text for inside a `code span` (which cannot escape a backtick)."""
    return truncate(text.replace("`", "'"), 100)


#: A link longer than this is shown as its host only (still readable, never cut in two).
LINK_LIMIT = 400


def link(url: str, *, masked: bool = True) -> str:
    """A web link for a message, never previewed: ``[host](url)`` (embeds) or ``<url>``
    (plain text). Characters that would end the markup are percent-encoded; a link
    longer than ``LINK_LIMIT`` or not http(s) is shown as plain text (its host)."""
    parts = urlsplit(url)
    host = escape_markdown(parts.hostname or "the web")
    if parts.scheme not in ("http", "https") or len(url) > LINK_LIMIT:
        return host
    safe = quote(url, safe=":/?#[]@!$&'*+,;=%~-._")
    return f"[{host}]({safe})" if masked else f"<{safe}>"


def truncate(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, at a word break, with an ellipsis.

    A single word longer than the room left is cut inside the word, still followed by
    the ellipsis, so a shortened text is always visibly marked as shortened.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    room = limit - len(ELLIPSIS)
    head = text[:room]
    if not text[room].isspace():
        breaks = [m.start() for m in _WHITESPACE.finditer(head)]
        if breaks and breaks[-1] >= room // 3:
            head = head[: breaks[-1]]
    head = head.rstrip(_TRAILING)
    return (head or text[:room]) + ELLIPSIS


def fit(text: str, limit: int, transform: Callable[[str], str] = escape_markdown) -> str:
    """``transform(truncate(text, n))`` for the largest ``n`` whose result fits ``limit``."""
    size = limit
    while True:
        out = transform(truncate(text, size))
        if len(out) <= limit:
            return out
        if size <= 1:
            return ELLIPSIS[:limit]
        size = max(1, size - (len(out) - limit))


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Collapse whitespace so a message is one line, and keep it short."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def listing(lines: Sequence[str], limit: int, noun: str = "more") -> str:
    """Join ``lines`` under ``limit`` characters; the ones that do not fit become a note."""
    kept: list[str] = []
    size = 0
    for number, line in enumerate(lines):
        rest = len(lines) - number
        note = f"… and {rest} {noun}"
        extra = len(line) + (1 if kept else 0)
        last = number == len(lines) - 1
        if size + extra > limit - (0 if last else len(note) + 1):
            kept.append(note)
            break
        kept.append(line)
        size += extra
    return "\n".join(kept)


def split_message(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Split text into chunks of at most ``limit`` characters at line or word breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip():
        chunks.append(rest)
    return chunks


def pack(blocks: Iterable[str], limit: int = CONTENT_LIMIT, separator: str = "\n") -> list[str]:
    """Join blocks into as few messages as possible, never splitting a block that fits."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        if len(block) <= limit:
            current = block
        else:
            *full, current = split_message(block, limit)
            messages.extend(full)
    if current:
        messages.append(current)
    return messages
