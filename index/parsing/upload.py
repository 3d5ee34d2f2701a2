"""Admin uploads: validate an article file, turn HTML into text, write it atomically.

Everything is checked before anything is written: the name (no path parts, no hidden
file, no control characters, at most ``MAX_NAME_CHARS``), the extension, the size
(``MAX_UPLOAD_BYTES``), the bytes (decodable text, not binary) and the content (the same
parser as indexing, which needs at least one quotable paragraph). HTML pages keep only
their main text, extracted with trafilatura, and are stored as ``<stem>.md``: the title
on the first line, then one paragraph per block, so every quote the bot gives is a
verbatim slice of the file it stored. ``.txt`` and ``.md`` files are stored byte for byte.

Writes go through a temporary file and ``os.replace``; a replaced article is kept aside
(a hidden file, which indexing ignores) until the caller commits or rolls back, so a
failed rebuild restores ARTICLES_DIR exactly as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from index.errors import ArticleError
from index.models import Article
from index.parsing import ingest

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_NAME_CHARS = 100
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
UPLOAD_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
_BACKUP_PREFIX = ".replaced-"


@dataclass(frozen=True, slots=True)
class PreparedUpload:
    """A validated upload: the file name and bytes to store, and the parsed article."""

    name: str
    data: bytes
    article: Article
    converted: bool  # HTML turned into Markdown text


def shown_name(filename: str) -> str:
    """A file name safe to print in a one-line message (controls escaped, shortened)."""
    text = "".join(
        ch if unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}" for ch in filename
    )
    return text if len(text) <= 60 else text[:59] + "…"


def check_name(filename: str) -> str:
    """Return ``filename`` if it is safe to store in ARTICLES_DIR, else raise ``ArticleError``."""
    shown = shown_name(filename or "")
    if not filename or not filename.strip():
        raise ArticleError("(no name)", "the file has no name")
    if len(filename) > MAX_NAME_CHARS:
        raise ArticleError(
            shown,
            f"the file name is too long ({len(filename)} characters; at most {MAX_NAME_CHARS})",
        )
    if "/" in filename or "\\" in filename or filename in {".", ".."}:
        raise ArticleError(shown, "the file name must not contain a path (/ or \\)")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in filename):
        raise ArticleError(shown, "the file name contains control or invisible characters")
    if filename.startswith("."):
        raise ArticleError(shown, "the file name must not start with a dot (hidden file)")
    if filename != filename.strip():
        raise ArticleError(shown, "the file name must not start or end with a space")
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES or not Path(filename).stem.strip():
        raise ArticleError(shown, "only .txt, .md, .html or .htm files can be added as articles")
    return filename


def html_to_text(data: bytes, name: str) -> str:
    """The main text of an HTML page as an article: title line, blank-line paragraphs."""
    import trafilatura  # imported on first use: it is only needed for HTML uploads

    html = ingest.decode(data, name)  # refuses empty, binary and word-less files
    try:
        document = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            # not deduplicate=True: its cache is process-wide, so a page seen a third time
            # came out empty
            deduplicate=False,
        )
    except Exception as exc:  # lxml or trafilatura failing on hostile markup
        log.warning("HTML extraction failed for %s: %s", name, exc)
        raise ArticleError(name, "the HTML page could not be read") from exc
    text = getattr(document, "text", None) or ""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    if not any(any(ch.isalpha() for ch in p) for p in paragraphs):
        raise ArticleError(name, "no article text could be found in the HTML page")
    title = " ".join((getattr(document, "title", None) or "").split())
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    if not title:
        title, paragraphs = paragraphs[0], paragraphs[1:]
    if not paragraphs:
        raise ArticleError(name, "the HTML page has a title but no article text")
    return "\n\n".join([title, *paragraphs]) + "\n"


def prepare(filename: str, data: bytes) -> PreparedUpload:
    """Validate an upload and return what to store; raise ``ArticleError`` with the reason."""
    name = check_name(filename)
    shown = shown_name(name)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ArticleError(shown, "the upload has no file content")
    data = bytes(data)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ArticleError(
            shown,
            f"the file is too large ({len(data):,} bytes; the limit is "
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB)",
        )
    converted = Path(name).suffix.lower() in HTML_SUFFIXES
    if converted:
        stored = Path(name).stem + ".md"
        text = html_to_text(data, shown)
        data = text.encode("utf-8")
        name = stored
    try:
        article = ingest.parse_article(name, data)  # needs >= 1 quotable paragraph
    except ArticleError as exc:  # named as uploaded, not as it would have been stored
        raise ArticleError(shown, exc.reason) from None
    return PreparedUpload(name, data, article, converted)


# ---------------------------------------------------------------- atomic writes


@dataclass(slots=True)
class Placement:
    """A file placed in ARTICLES_DIR that can still be rolled back."""

    path: Path
    backup: Path | None  # the file it replaced, moved aside

    def commit(self) -> None:
        if self.backup is not None:
            with contextlib.suppress(OSError):
                self.backup.unlink()

    def rollback(self) -> None:
        """Put ARTICLES_DIR back as it was: the old file, or no file at all."""
        if self.backup is not None:
            os.replace(self.backup, self.path)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _aside(path: Path) -> Path:
    """A fresh hidden name next to ``path`` (indexing skips hidden files)."""
    fd, name = tempfile.mkstemp(prefix=_BACKUP_PREFIX, suffix="-" + path.name[:40], dir=path.parent)
    os.close(fd)
    return Path(name)


def place(articles_dir: Path, name: str, data: bytes) -> Placement:
    """Write ``data`` as ``articles_dir/name`` atomically, keeping any old file aside."""
    path = articles_dir / name
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", dir=articles_dir)
    backup: Path | None = None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        if path.exists() or path.is_symlink():
            backup = _aside(path)
            os.replace(path, backup)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if backup is not None and not path.exists():
            os.replace(backup, path)
        elif backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()
        raise
    return Placement(path, backup)


def take_out(path: Path) -> Placement:
    """Move an article file aside (to delete it on commit, restore it on rollback)."""
    backup = _aside(path)
    try:
        os.replace(path, backup)
    except BaseException:
        with contextlib.suppress(OSError):
            backup.unlink()
        raise
    # after commit() the file is gone; rollback() moves it back
    return Placement(path, backup)
