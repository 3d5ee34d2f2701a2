"""Domain errors: each carries a short message that is safe to show to a user."""

from __future__ import annotations


class EngineError(Exception):
    """Base class for every error the answer engine raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidQuestion(EngineError):
    """The question is empty, too long or has no words in it."""


class ArticleError(EngineError):
    """An article file cannot be read or parsed (unreadable, empty, binary)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CorpusError(EngineError):
    """The articles directory is missing or holds no usable article."""


class ReadOnlyArticle(EngineError):
    """The article is not this collection's to change (a shared default article)."""


class NotAllowed(EngineError):
    """The user may not change these articles (another server's, or the defaults)."""


class CollectionFull(EngineError):
    """A server's collection already holds as many articles or bytes as it may."""


class IndexCorrupt(EngineError):
    """The saved index is missing, stale or damaged and must be rebuilt."""


class ModelError(EngineError):
    """The embedding model cannot be found, loaded or verified."""


class ReindexInProgress(EngineError):
    """A rebuild is already running; only one runs at a time."""


class NotReady(EngineError):
    """The engine has no index loaded yet."""


class UnknownArticle(EngineError):
    """No indexed article has that id (file name) or title.

    Built from the name asked for (``UnknownArticle("x.txt")``); a ready message that
    already starts "No article called" is kept as it is.
    """

    PREFIX = "No article called"

    def __init__(self, article: str) -> None:
        text = str(article)
        if text.startswith(self.PREFIX):
            super().__init__(text)
        else:
            shown = " ".join(text.split())
            shown = shown if len(shown) <= 80 else shown[:79] + "…"
            super().__init__(f"{self.PREFIX} '{shown}'.")
        self.article = article


class BuildFailed(EngineError):
    """A rebuild of the index failed; the message is one line a person can act on.

    ``reason`` says what went wrong ("no space left on device in INDEX_DIR (…)", "bad
    article x.txt: …"), ``kind`` classifies it (see ``index/search/builds.py``), and ``serving``
    says whether a previous build is still there to answer from. The message reads
    "Index build failed: <reason>. The previous index is still serving (<how stale>)."
    """

    def __init__(self, message: str, *, reason: str, kind: str, serving: bool) -> None:
        super().__init__(message)
        self.reason = reason
        self.kind = kind
        self.serving = serving


class EncoderFailed(EngineError):
    """The embedding model raised while embedding a build's texts (a crash, not a bad file)."""
