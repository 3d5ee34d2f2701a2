"""Collections: the default articles, shared by everyone, and one collection per server.

One bot process serves many Discord servers. The default articles (``ARTICLES_DIR``) are
read-only for servers; an article added in a server belongs to that server only. Each
server that has articles of its own gets an :class:`~index.engine.Engine` of its own, whose
corpus is the default articles followed by the server's (``EngineConfig.shared_dirs``), in
its own directory under ``COLLECTIONS_DIR``::

    COLLECTIONS_DIR/<server id>/articles/   the server's article files (+ .sources.json)
    COLLECTIONS_DIR/<server id>/index/      its index builds (the same format as INDEX_DIR)

So a question asked in a server searches one index holding exactly what that server may
see (its latency does not depend on how many other servers have articles), a rebuild in
one server never blocks or rebuilds another's (each engine has its own build lock), and a
failed add leaves that server's previous build serving. The engines share the one
embedding model; a new collection reuses the default articles' vectors.

A server with no articles of its own is served by the default engine. ``scope(None)`` is
the default engine (DMs). Who may change which collection is the bot's decision
(``bot/permissions.py``); this module only keeps collections apart and within their caps.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from index.engine import Engine, EngineConfig, ReindexReport
from index.errors import (
    ArticleError,
    CollectionFull,
    EngineError,
    ReindexInProgress,
    UnknownArticle,
)
from index.models import ArticleSummary
from index.parsing import ingest, upload

log = logging.getLogger(__name__)

SOURCES_FILE = ".sources.json"  # {article id: the link it was fetched from}; hidden from ingest
_ARTICLES, _INDEX = "articles", "index"


@dataclass(frozen=True, slots=True)
class CollectionLimits:
    """How much one server may add (the default articles do not count)."""

    max_articles: int = 10
    max_bytes: int = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Owned:
    """Whose an article is: ``guild_id`` None for a default article."""

    article: ArticleSummary
    guild_id: int | None


def _check_guild(guild_id: int) -> int:
    if not isinstance(guild_id, int) or isinstance(guild_id, bool) or guild_id <= 0:
        raise ValueError(f"not a server id: {guild_id!r}")
    return guild_id


class Library:
    """The default engine and one engine per server collection, created on demand."""

    def __init__(
        self,
        default: Engine,
        root: Path,
        *,
        limits: CollectionLimits | None = None,
        engine_factory: Callable[[EngineConfig], Engine] | None = None,
    ) -> None:
        self.default = default
        self.root = root
        self.limits = limits or CollectionLimits()
        self._factory = engine_factory or self._engine
        self._engines: dict[int, Engine] = {}
        self._lock = threading.Lock()  # guards _engines (never held while building)
        self._changing: set[int] = set()  # servers whose collection is being changed

    # ---------------------------------------------------------------- engines
    def _engine(self, config: EngineConfig) -> Engine:
        default = self.default
        return Engine(
            config,
            encoder_factory=lambda _model: default.encoder,
            seed=lambda: default.search_index if default.ready else None,
        )

    def _config(self, guild_id: int) -> EngineConfig:
        base = self.default.config
        folder = self.root / str(guild_id)
        return replace(
            base,
            articles_dir=folder / _ARTICLES,
            index_dir=folder / _INDEX,
            shared_dirs=(*base.shared_dirs, base.articles_dir),
        )

    def articles_dir(self, guild_id: int) -> Path:
        return self.root / str(_check_guild(guild_id)) / _ARTICLES

    def own_files(self, guild_id: int) -> list[Path]:
        """The server's own article files (none when it has no collection)."""
        folder = self.articles_dir(guild_id)
        if not folder.is_dir():
            return []
        return ingest.discover(folder, allow_empty=True)

    def scope(self, guild_id: int | None) -> Engine:
        """The engine answering in ``guild_id`` (None: a DM): the server's own when it has
        articles of its own, else the default one. Never loads or builds anything."""
        if guild_id is None:
            return self.default
        engine = self._engines.get(guild_id)
        return engine if engine is not None and engine.ready else self.default

    def guilds(self) -> list[int]:
        """Servers with a collection on disk (loaded or not), in id order."""
        if not self.root.is_dir():
            return []
        found = []
        for entry in self.root.iterdir():
            if entry.name.isdigit() and (entry / _ARTICLES).is_dir():
                found.append(int(entry.name))
        return sorted(found)

    def loaded(self) -> dict[int, Engine]:
        with self._lock:
            return dict(self._engines)

    def start(self) -> None:
        """Load every collection on disk (blocking; the default engine must be started).

        A collection that cannot load is logged and left out (its server is answered
        from the default articles until it is fixed); it never stops the bot."""
        for guild_id in self.guilds():
            if guild_id in self._engines:
                continue
            try:
                self._open(guild_id)
            except EngineError as exc:
                log.warning("server %s: its articles cannot be loaded (%s)", guild_id, exc)

    def _open(self, guild_id: int) -> Engine | None:
        """Start the server's engine when it has articles of its own (None when not)."""
        if not self.own_files(guild_id):
            return None
        engine = self._factory(self._config(guild_id))
        engine.start(allow_stale=True)
        with self._lock:
            self._engines[guild_id] = engine
        log.info("server %s: %d article(s) of its own loaded", guild_id, len(engine.files()))
        return engine

    # ---------------------------------------------------------------- reading
    def articles(self, guild_id: int | None) -> list[Owned]:
        """What ``guild_id`` sees, each with its owner (defaults first)."""
        engine = self.scope(guild_id)
        own = {p.name for p in self.own_files(guild_id)} if guild_id is not None else set()
        return [
            Owned(summary, guild_id if summary.id in own else None) for summary in engine.articles()
        ]

    def owner(self, guild_id: int | None, article: str) -> Owned:
        """The article ``guild_id`` sees under that name, and whose it is
        (``UnknownArticle`` when it sees none)."""
        summary = self.scope(guild_id).article(article)
        own = guild_id is not None and any(p.name == summary.id for p in self.own_files(guild_id))
        return Owned(summary, guild_id if own else None)

    def locate(self, article: str) -> list[Owned]:
        """Every server's own article with that id or title (for the bot's owners, who
        may remove any server's article from a DM)."""
        found = []
        for guild_id, engine in sorted(self.loaded().items()):
            try:
                summary = engine.article(article)
            except UnknownArticle:
                continue
            if any(p.name == summary.id for p in self.own_files(guild_id)):
                found.append(Owned(summary, guild_id))
        return found

    def sources(self, guild_id: int | None) -> dict[str, str]:
        """``{article id: link}`` for the articles ``guild_id`` sees that came from a link."""
        found = _read_sources(self.default.config.articles_dir)
        if guild_id is not None:
            found.update(_read_sources(self.articles_dir(guild_id)))
        return found

    # ---------------------------------------------------------------- changing
    @contextlib.contextmanager
    def _changing_guild(self, guild_id: int) -> Iterator[None]:
        with self._lock:
            if guild_id in self._changing:
                raise ReindexInProgress(
                    "This server's articles are being changed already; try again when that "
                    "finishes."
                )
            self._changing.add(guild_id)
        try:
            yield
        finally:
            with self._lock:
                self._changing.discard(guild_id)

    def add_article(
        self, guild_id: int | None, filename: str, data: bytes, *, source: str | None = None
    ) -> ReindexReport:
        """Add (or replace) an article in the server's collection (None: the defaults).

        Checked before anything is written: the file (as for uploads), that no default
        article has the name, and the server's caps. A failed rebuild leaves the
        collection and its build exactly as they were."""
        if guild_id is None:
            report = self.default.add_article(filename, data)
            self._record_source(self.default.config.articles_dir, filename, data, source)
            self.follow_defaults()
            return report
        _check_guild(guild_id)
        prepared = upload.prepare(filename, data)
        shared = self._config(guild_id).shared_dirs
        if any((folder / prepared.name).exists() for folder in shared):
            raise ArticleError(
                upload.shown_name(prepared.name),
                "a default article has that name; rename the file and try again",
            )
        with self._changing_guild(guild_id):
            self._check_caps(guild_id, prepared.name, len(prepared.data))
            folder = self.articles_dir(guild_id)
            created = not folder.is_dir()
            folder.mkdir(parents=True, exist_ok=True)
            engine = self._engines.get(guild_id)
            try:
                if engine is None:
                    report = self._first_article(guild_id, prepared)
                else:
                    report = engine.add_article(prepared.name, prepared.data)
            except BaseException:
                if created:
                    shutil.rmtree(folder.parent, ignore_errors=True)
                raise
            self._set_source(folder, prepared.name, source)
        log.info("server %s: added %s (%s)", guild_id, prepared.name, prepared.article.title)
        return report

    def _first_article(self, guild_id: int, prepared: upload.PreparedUpload) -> ReindexReport:
        """A server's first article: write it, build the collection, swap it in."""
        folder = self.articles_dir(guild_id)
        config = self._config(guild_id)
        config.index_dir.mkdir(parents=True, exist_ok=True)
        placed = upload.place(folder, prepared.name, prepared.data)
        engine = self._factory(config)
        try:
            report = engine.reindex(wait=True)
        except BaseException:
            placed.rollback()
            raise
        placed.commit()
        with self._lock:
            self._engines[guild_id] = engine
        return report

    def _check_caps(self, guild_id: int, name: str, size: int) -> None:
        files = {p.name: p for p in self.own_files(guild_id)}
        count = len(files) + (0 if name in files else 1)
        used = sum(_size(p) for n, p in files.items() if n != name) + size
        limits = self.limits
        if count > limits.max_articles:
            raise CollectionFull(
                f"This server already has {len(files)} article(s), the most it may keep; "
                "remove one with /remove first."
            )
        if used > limits.max_bytes:
            raise CollectionFull(
                f"This server's articles would take {used / 1e6:.1f} MB, more than the "
                f"{limits.max_bytes / 1e6:.1f} MB it may keep; remove one with /remove first."
            )

    def remove_article(self, guild_id: int | None, article: str) -> ReindexReport:
        """Remove one of the server's own articles (None: a default article)."""
        if guild_id is None:
            summary = self.default.article(article)
            report = self.default.remove_article(summary.id)
            self._set_source(self.default.config.articles_dir, summary.id, None)
            self.follow_defaults()
            return report
        _check_guild(guild_id)
        with self._changing_guild(guild_id):
            engine = self._engines.get(guild_id)
            if engine is None:
                raise UnknownArticle(article)
            summary = engine.article(article)
            if not any(p.name == summary.id for p in self.own_files(guild_id)):
                raise UnknownArticle(article)
            if len(self.own_files(guild_id)) == 1:
                return self._drop_last(guild_id, summary)
            report = engine.remove_article(summary.id)
            self._set_source(self.articles_dir(guild_id), summary.id, None)
        log.info("server %s: removed %s", guild_id, summary.id)
        return report

    def _drop_last(self, guild_id: int, summary: ArticleSummary) -> ReindexReport:
        """Removing a server's last article: the server goes back to the default engine."""
        with self._lock:
            self._engines.pop(guild_id, None)
        shutil.rmtree(self.root / str(guild_id), ignore_errors=True)
        log.info("server %s: removed %s, its last article", guild_id, summary.id)
        info = self.default.info()
        return ReindexReport(len(info.articles), info.paragraphs, info.sentences, 0.0, removed=1)

    def drop(self, guild_id: int) -> int:
        """Delete a server's collection and its index (the bot left the server); returns
        how many articles it held."""
        _check_guild(guild_id)
        count = len(self.own_files(guild_id))
        with self._lock:
            self._engines.pop(guild_id, None)
        folder = self.root / str(guild_id)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            log.info(
                "server %s: the bot was removed; deleted its %d article(s) and their index",
                guild_id,
                count,
            )
        return count

    def reindex(self, guild_id: int | None, *, wait: bool = False) -> ReindexReport:
        """Rebuild one server's collection (None: the default articles only)."""
        if guild_id is None:
            return self.default.reindex(wait=wait)
        engine = self._engines.get(guild_id)
        if engine is None:
            raise UnknownArticle(
                "No article called that: this server has no articles of its own to rebuild."
            )
        return engine.reindex(wait=wait)

    def reindex_all(self) -> ReindexReport:
        """Rebuild the defaults, then every collection (each serves its last build until
        its own rebuild is done). The report is the default engine's; a collection that
        fails is logged and keeps serving its previous build."""
        report = self.default.reindex(wait=True)
        self.follow_defaults(force=True)
        return report

    def follow_defaults(self, *, force: bool = False) -> int:
        """Rebuild every loaded collection whose default articles changed (or all, with
        ``force``); returns how many were rebuilt. Blocking; one collection at a time."""
        rebuilt = 0
        for guild_id, engine in self.loaded().items():
            if not force and not engine.outdated():
                continue
            try:
                engine.reindex(wait=True)
                rebuilt += 1
            except EngineError as exc:
                log.warning(
                    "server %s: rebuild after the defaults changed failed: %s", guild_id, exc
                )
        return rebuilt

    def refresh(self) -> bool:
        """Follow builds other processes published: the defaults, each loaded collection,
        collections created or deleted elsewhere. Never raises; True if anything changed."""
        changed = self.default.refresh()
        if changed:
            self.follow_defaults()
        for guild_id, engine in self.loaded().items():
            if not self.own_files(guild_id):
                with self._lock:
                    self._engines.pop(guild_id, None)
                changed = True
                continue
            changed = engine.refresh() or changed
        for guild_id in self.guilds():
            if guild_id not in self._engines and guild_id not in self._changing:
                try:
                    changed = self._open(guild_id) is not None or changed
                except EngineError as exc:
                    log.warning("server %s: its articles cannot be loaded (%s)", guild_id, exc)
        return changed

    # ---------------------------------------------------------------- sources
    def _record_source(self, folder: Path, filename: str, data: bytes, source: str | None) -> None:
        if source is not None:
            self._set_source(folder, upload.prepare(filename, data).name, source)

    @staticmethod
    def _set_source(folder: Path, article_id: str, source: str | None) -> None:
        sources = _read_sources(folder)
        if source is None and article_id not in sources:
            return
        if source is None:
            sources.pop(article_id, None)
        else:
            sources[article_id] = source
        try:
            _write_json(folder / SOURCES_FILE, sources)
        except OSError as exc:
            log.warning("could not record the link of %s: %s", article_id, exc)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_sources(folder: Path) -> dict[str, str]:
    """The folder's ``.sources.json`` (empty when missing or damaged). Read on every answer
    (for its source links), so the parse is kept until the file changes (one stat)."""
    path = folder / SOURCES_FILE
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_parsed_sources(path, stat.st_ino, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=256)
def _parsed_sources(
    path: Path, _inode: int, _mtime_ns: int, _size: int
) -> tuple[tuple[str, str], ...]:
    """The file as it was at that inode, time and size (written by replace: a new inode)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    if not isinstance(data, dict):
        return ()
    return tuple((str(k), v) for k, v in data.items() if isinstance(v, str))


def _write_json(path: Path, data: object) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".sources-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
