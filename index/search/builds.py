"""Rebuilding safely: one builder at a time, failures in one line, and how stale the index is.

Three things the engine needs around ``store.build`` and ``store.save``:

- ``build_lock``: a lock file in ``INDEX_DIR`` (``fcntl.flock``), so two processes sharing
  the folder (two shards, a cron ``reindex`` and an admin's ``/reindex``) never build at
  once. The second either waits for the first (and may then reuse its build) or is told a
  build is already running, with the holder's pid. The kernel drops the lock when its
  holder dies, even by ``kill -9``; the next holder removes what it left half-written.
- ``describe``: the one line a person can act on for whatever made a build fail (no space
  with the numbers, no permission, a read-only or failing disk, a bad article, a crash of
  the embedding model), so no user-fixable failure ends in a traceback.
- ``changes_since`` and ``IndexStatus``: which articles in ``ARTICLES_DIR`` differ from the
  build being served, for the log line, the failed ``reindex`` message and ``/about``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.errors import (
    ArticleError,
    CorpusError,
    EncoderFailed,
    EngineError,
    ReindexInProgress,
)
from index.parsing import ingest
from index.search.store import IndexWriteError, InsufficientSpace

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: one process per INDEX_DIR, unchecked
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK = ".build.lock"

#: Failure kinds (``BuildFailed.kind``). All but ``unexpected`` are fixable by a person,
#: so they are logged as one line without a traceback.
NO_SPACE = "no-space"
PERMISSION = "permission"
READ_ONLY = "read-only"
IO_ERROR = "io-error"
BAD_ARTICLE = "bad-article"
ARTICLES_DIR = "articles-dir"
ENCODER = "encoder"
UNEXPECTED = "unexpected"

#: How many changed article names a message lists before "and N more".
_SHOWN = 5


# ------------------------------------------------------------------ the lock
@contextlib.contextmanager
def build_lock(index_dir: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the build lock of ``index_dir``; yields True if another process held it first.

    ``wait=False``: raise ``ReindexInProgress`` naming the holder at once instead of waiting.
    Creating the lock file is the first write a build makes, so an unwritable INDEX_DIR
    fails here (``OSError``), before any article is read or embedded. The file is opened
    without following links and is never removed (removing it would let two processes
    lock two different files)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield False
        return
    path = index_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        waited = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise ReindexInProgress(
                    f"A reindex is already running in another process{holder}; "
                    "try again when it finishes."
                ) from None
            log.warning("waiting for the index build running in another process%s", holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        with contextlib.suppress(OSError):  # who holds it, for the messages above
            os.ftruncate(fd, 0)
            stamp = datetime.now(UTC).strftime("%H:%M:%S UTC")
            os.pwrite(fd, f"{os.getpid()} {stamp}\n".encode(), 0)
        try:
            yield waited
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """ " (pid 123, since 10:04:05 UTC)" from the lock file, or "" when it says nothing."""
    with contextlib.suppress(OSError, ValueError):
        pid, since = os.pread(fd, 64, 0).decode("ascii").strip().split(" ", 1)
        return f" (pid {int(pid)}, since {since})"
    return ""


# ------------------------------------------------------------------ what failed
def describe(exc: BaseException, index_dir: Path) -> tuple[str, str]:
    """``(kind, reason)`` for whatever made a build fail: the reason is the part of the
    one-line message after "Index build failed: "."""
    if isinstance(exc, InsufficientSpace):
        return NO_SPACE, exc.reason
    if isinstance(exc, ArticleError):
        return BAD_ARTICLE, f"bad article {exc.message}"
    if isinstance(exc, CorpusError):
        return ARTICLES_DIR, exc.message.rstrip(".")
    if isinstance(exc, EncoderFailed):
        return ENCODER, exc.message
    if isinstance(exc, IndexWriteError) and exc.errno is None:
        return IO_ERROR, exc.message.rstrip(".")
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f"INDEX_DIR {index_dir}"
        text = exc.strerror or os.strerror(exc.errno)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return NO_SPACE, f"no space left on device in {where} ({text})"
        if exc.errno == errno.EROFS:
            return READ_ONLY, f"{where} is on a read-only file system"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return PERMISSION, f"no permission to write in {where} ({text})"
        if exc.errno == errno.ELOOP:
            return PERMISSION, f"{where} holds a symbolic link where the build lock goes"
        return IO_ERROR, f"cannot write to {where} ({text})"
    if isinstance(exc, EngineError):
        return UNEXPECTED, exc.message.rstrip(".")
    return UNEXPECTED, f"unexpected {type(exc).__name__}: {_short(exc)} (details in the log)"


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or "no message"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------ how stale
@dataclass(frozen=True, slots=True)
class Changes:
    """How ``ARTICLES_DIR`` differs from a build: file names added, changed and removed.

    ``unknown`` holds why they could not be compared (ARTICLES_DIR missing, say)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unknown: str | None = None

    def __len__(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    def describe(self) -> str:
        """ "3 articles changed since: a.txt (new), b.txt (changed), c.txt (removed)"."""
        if self.unknown is not None:
            return f"cannot compare it with ARTICLES_DIR: {self.unknown}"
        if not len(self):
            return "no article has changed since"
        named = (
            [f"{name} (new)" for name in self.added]
            + [f"{name} (changed)" for name in self.changed]
            + [f"{name} (removed)" for name in self.removed]
        )
        shown = ", ".join(named[:_SHOWN])
        if len(named) > _SHOWN:
            shown += f" and {len(named) - _SHOWN} more"
        count = len(named)
        return f"{count} article{'s' if count != 1 else ''} changed since: {shown}"


def changes_since(
    built: Mapping[str, str], articles: Path | Callable[[], Sequence[Path]]
) -> Changes:
    """Compare a build's ``{file name: sha256}`` with the files now in ``articles`` (a
    directory, or a function listing a corpus's files)."""
    try:
        files = ingest.discover(articles) if isinstance(articles, Path) else articles()
    except CorpusError as exc:
        return Changes(unknown=exc.message.rstrip("."))
    now: dict[str, str | None] = {}
    for path in files:
        try:
            now[path.name] = ingest.checksum(path.read_bytes())
        except OSError:
            now[path.name] = None  # unreadable: changed, as far as the build can tell
    return Changes(
        added=tuple(sorted(name for name in now if name not in built)),
        changed=tuple(sorted(n for n, digest in now.items() if n in built and digest != built[n])),
        removed=tuple(sorted(name for name in built if name not in now)),
    )


def built_label(built_at: str) -> str:
    """ "2026-12-01 23:06 UTC" from a build's ISO time ("an unknown time" if unparsable)."""
    try:
        moment = datetime.fromisoformat(built_at)
    except (TypeError, ValueError):
        return "at an unknown time"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class IndexStatus:
    """The build an engine serves and whether it is behind ``ARTICLES_DIR`` (``Engine.status``).

    ``failure`` is the reason the last rebuild failed (None once one succeeds); ``changes``
    the articles the build lacks, as of that failure or of the start."""

    build: str = ""
    built_at: str = ""
    changes: Changes = Changes()
    failure: str | None = None

    @property
    def stale(self) -> bool:
        """The live build does not hold what ARTICLES_DIR holds (or cannot be compared)."""
        return bool(len(self.changes)) or self.changes.unknown is not None

    def note(self) -> str | None:
        """One line for /about when something is wrong, else None."""
        if self.failure is None and not self.stale:
            return None
        built = built_label(self.built_at)
        if self.failure is None:
            return f"The index (built {built}) is stale: {self.changes.describe()}."
        if not self.stale:
            return (
                f"The last rebuild failed ({self.failure}); the index built {built} is "
                "still current and serving."
            )
        return (
            f"The index is stale: the last rebuild failed ({self.failure}), so I still "
            f"answer from the build of {built}; {self.changes.describe()}."
        )


def failure_message(reason: str, serving: IndexStatus | None) -> str:
    """ "Index build failed: <reason>. The previous index is still serving (built …; …)."."""
    if serving is None:
        return f"Index build failed: {reason}. There is no previous index to serve."
    return (
        f"Index build failed: {reason}. The previous index is still serving (built "
        f"{built_label(serving.built_at)}; {serving.changes.describe()})."
    )
