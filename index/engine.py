"""The engine: load or build the index, answer questions, rebuild on demand.

Thread-safe by construction: the live ``Retriever`` is an immutable object that a
rebuild replaces in one assignment, so questions in flight finish on the index they
started with. Only one rebuild runs at a time, in this process (a lock) and across the
processes sharing INDEX_DIR (a lock file, ``index/search/builds.py``). A rebuild that fails for
any reason raises ``BuildFailed`` with one line saying why and how stale the index is,
and leaves the last complete build serving; ``start`` serves that build rather than fail
when it cannot rebuild. ``status`` tells whether the build served is stale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.encoding.base import Encoder
from index.encoding.factory import load_encoder
from index.encoding.model_files import BUNDLED, prepare_model
from index.errors import (
    ArticleError,
    BuildFailed,
    CorpusError,
    EngineError,
    IndexCorrupt,
    ModelError,
    NotReady,
    ReadOnlyArticle,
    ReindexInProgress,
)
from index.models import Answer, ArticleSummary, IndexInfo, Paragraph, Quote, SpeakerSummary
from index.parsing import ingest, upload
from index.reader.model import Reader
from index.retrieval.article_filter import FilteredRetriever
from index.retrieval.catalog import ArticleTable
from index.retrieval.retriever import RetrievalConfig, Retriever, validate_question
from index.retrieval.speakers import SpeakerTable
from index.search import builds, incremental, store
from index.search.builds import IndexStatus

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = upload.MAX_UPLOAD_BYTES  # the largest article file add_article accepts
DEFAULT_ARTICLES_DIR = Path(__file__).resolve().parent.parent / "data" / "articles"
DEFAULT_INDEX_DIR = Path(__file__).resolve().parent.parent / "var" / "index"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Where articles and the index live, which model embeds them, how many quotes."""

    articles_dir: Path = DEFAULT_ARTICLES_DIR
    index_dir: Path = DEFAULT_INDEX_DIR
    embedding_model: str = BUNDLED
    embedding_backend: str = "auto"  # auto | torch | sentence-transformers | onnx
    top_k: int = 3
    onnx_dir: Path | None = None  # ONNX backend (auto, onnx): export cache (None: var/onnx)
    onnx_threads: int = 0  # ONNX backend: intra-op threads (0: cores, at most 4)
    reader: bool = False  # reread the first candidates with the reader (index/reader/)
    #: Read-only article directories indexed before ``articles_dir`` (a server's
    #: collection sees the default articles; ``index/collections.py``). Uploads and
    #: removals only ever touch ``articles_dir``.
    shared_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class ReindexReport:
    """What a rebuild did, for the CLI and the /reindex reply."""

    articles: int
    paragraphs: int
    sentences: int
    seconds: float
    embedded: int = 0  # articles (new or changed) whose text had to be embedded
    reused: int = 0  # articles whose vectors all came from the previous build
    removed: int = 0  # articles of the previous build no longer in ARTICLES_DIR
    #: True when another process built it while this one waited for the build lock, and it
    #: already matched ARTICLES_DIR: this process loaded that build instead of building.
    adopted: bool = False

    def summary(self) -> str:
        """One line for people: "2 article(s): 40 paragraphs, 90 sentences in 1.2 s
        (1 embedded, 1 reused)"."""
        if self.adopted:
            return (
                f"{self.articles} article(s): {self.paragraphs} paragraphs, {self.sentences} "
                "sentences (built by another process meanwhile; loaded, not rebuilt)"
            )
        work = [f"{self.embedded} embedded", f"{self.reused} reused"]
        if self.removed:
            work.append(f"{self.removed} removed")
        return (
            f"{self.articles} article(s): {self.paragraphs} paragraphs, {self.sentences} "
            f"sentences in {self.seconds:.1f} s ({', '.join(work)})"
        )


class _ReindexLock:
    """The one-rebuild-at-a-time lock, re-entrant for its holder.

    ``add_article`` and ``remove_article`` hold it around "change ARTICLES_DIR, rebuild,
    or put the file back", and call ``reindex`` inside; any other thread is refused.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0

    def acquire(self, blocking: bool = True) -> bool:
        if not self._lock.acquire(blocking):
            return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        self._lock.release()

    def locked(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> _ReindexLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True, slots=True)
class _Tables:
    """The article table of one live index, built on first use (speakers: the retriever's)."""

    index: store.SearchIndex
    articles: ArticleTable


@dataclass
class Engine:
    """Facade over ingest, index and retrieval; the only object the bot talks to."""

    config: EngineConfig
    encoder_factory: Callable[[str], Encoder] | None = None  # tests inject a fake
    #: Another index to reuse vectors and parses from when this one has no previous
    #: build (a new server collection reuses the default articles' vectors).
    seed: Callable[[], store.SearchIndex | None] | None = None
    _encoder: Encoder | None = field(default=None, init=False)
    _retriever: Retriever | None = field(default=None, init=False)
    _reader: Reader | None = field(default=None, init=False)
    _reindex_lock: _ReindexLock = field(default_factory=lambda: _ReindexLock(), init=False)
    _tables: _Tables | None = field(default=None, init=False)
    _refresh_problem: str | None = field(default=None, init=False)
    _status: IndexStatus = field(default_factory=IndexStatus, init=False)

    # ---------------------------------------------------------------- lifecycle
    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            if self.encoder_factory is not None:
                self._encoder = self.encoder_factory(self.config.embedding_model)
            else:
                self._encoder = load_encoder(
                    self.config.embedding_model,
                    self.config.embedding_backend,
                    onnx_dir=self.config.onnx_dir,
                    onnx_threads=self.config.onnx_threads,
                )
        return self._encoder

    @property
    def reader(self) -> Reader | None:
        """The reader (None when ``EngineConfig.reader`` is off), loaded and verified once:
        a missing or damaged weights file is a ``ModelError`` naming it."""
        if self._reader is None and self.config.reader:
            self._reader = Reader(prepare_model(BUNDLED))
        return self._reader

    @property
    def ready(self) -> bool:
        return self._retriever is not None

    def start(self, *, allow_stale: bool = True) -> None:
        """Load the saved index, or rebuild it when missing, stale or corrupt.

        When the rebuild fails, for any reason (a full disk, no permission, a read-only
        INDEX_DIR, an I/O error, a bad article, a crash of the embedding model), the last
        complete build is served instead and one WARNING says why and how stale it is
        (which articles changed since); ``status`` keeps it for /about. ``BuildFailed`` is
        raised only when no usable previous build exists, or with ``allow_stale=False``.
        While another process is building, this waits for it and serves its build when it
        matches ARTICLES_DIR.
        """
        try:
            self.files()
        except CorpusError:
            if not allow_stale or not (self.config.index_dir / store.CURRENT).exists():
                raise  # nothing to fall back on: fail before loading the model
        model = self.encoder.fingerprint
        self.reader  # noqa: B018  (a missing or damaged reader stops here, one line)
        try:
            index = store.load(self.config.index_dir, model=model, articles=self._checksums())
            log.info(
                "loaded index: %d articles, %d sentences",
                len(index.articles),
                len(index.sentence_refs),
            )
        except (IndexCorrupt, EngineError) as exc:
            if isinstance(exc, IndexCorrupt):
                log.warning("rebuilding the index: %s", exc)
            try:
                self.reindex(wait=True)
                return
            except BuildFailed as failure:
                if not allow_stale or not failure.serving:
                    raise
                try:
                    index = store.load(self.config.index_dir, model=model, articles=None)
                except IndexCorrupt as damaged:
                    log.info("the previous build cannot serve either: %s", damaged)
                    raise BuildFailed(
                        builds.failure_message(failure.reason, None),
                        reason=failure.reason,
                        kind=failure.kind,
                        serving=False,
                    ) from None
                self._swap(index)
                log.warning("%s", failure.message)
                return
        self._swap(index)
        self._status = IndexStatus(build=index.build, built_at=index.built_at)

    def files(self) -> list[Path]:
        """The article files this engine indexes: the shared directories' then its own
        (``CorpusError`` when a directory is missing or there is no article at all)."""
        return ingest.discover_in(self.config.shared_dirs, self.config.articles_dir)

    def _checksums(self) -> dict[str, str]:
        """``{file name: sha256}`` of the articles in ARTICLES_DIR (``EngineError`` if not)."""
        return {
            path.name: ingest.checksum(ingest.read_bytes(path, path.name)) for path in self.files()
        }

    def outdated(self) -> bool:
        """The build served differs from the article files now (True before ``start``, or
        when the files cannot be read): a collection whose default articles changed."""
        live = self._retriever
        if live is None:
            return True
        built = {article.id: article.checksum for article in live.index.articles}
        try:
            return built != self._checksums()
        except EngineError:
            return True

    @property
    def status(self) -> IndexStatus:
        """The build being served and whether it is stale: why the last rebuild failed
        (None after a good one) and which articles ARTICLES_DIR holds that it lacks, as of
        the last start, rebuild or switch to another process's build. For /about."""
        return self._status

    def reindex(self, *, wait: bool = False) -> ReindexReport:
        """Rebuild from ARTICLES_DIR and swap the new index in; one at a time.

        One rebuild runs at a time in this process (another is refused with
        ``ReindexInProgress``) and across processes sharing INDEX_DIR: with ``wait`` this
        waits for another process's build and, if that build matches ARTICLES_DIR, serves
        it instead of building again (``ReindexReport.adopted``); without, it is refused.
        Any failure raises ``BuildFailed`` (one line: why, and how stale the index still
        serving is) and leaves the previous build current and live, except a model that
        cannot load (``ModelError``), which no previous build could answer without either.
        """
        if not self._reindex_lock.acquire(blocking=False):
            raise ReindexInProgress("A reindex is already running; try again when it finishes.")
        try:
            return self._reindex(wait)
        finally:
            self._reindex_lock.release()

    def _reindex(self, wait: bool) -> ReindexReport:
        started = time.perf_counter()
        index_dir = self.config.index_dir
        # A model that fails its checks stops here (ModelError), before INDEX_DIR is touched.
        self.encoder  # noqa: B018
        try:
            with builds.build_lock(index_dir, wait=wait) as waited:
                if waited:
                    adopted = self._adopt_published(started)
                    if adopted is not None:
                        return adopted
                store.check_writable(index_dir)
                store.remove_abandoned(index_dir)
                previous = self._previous_build()
                articles, _ = incremental.read_corpus(self.files(), previous)
                index = store.build(articles, self.encoder, previous=previous)
                del previous
                store.save(index, index_dir)
        except (ReindexInProgress, ModelError):
            raise
        except Exception as exc:
            raise self._build_failed(exc) from exc
        self._swap(index)
        self._status = IndexStatus(build=index.build, built_at=index.built_at)
        seconds = time.perf_counter() - started
        info, done = index.info(), index.embedding
        log.info(
            "reindexed %d articles, %d paragraphs, %d sentences in %.2f s "
            "(%d articles embedded, %d reused, %d removed)",
            len(info.articles),
            info.paragraphs,
            info.sentences,
            seconds,
            done.embedded_articles,
            done.reused_articles,
            done.removed_articles,
        )
        return ReindexReport(
            len(info.articles),
            info.paragraphs,
            info.sentences,
            seconds,
            embedded=done.embedded_articles,
            reused=done.reused_articles,
            removed=done.removed_articles,
        )

    def _adopt_published(self, started: float) -> ReindexReport | None:
        """After waiting for another process's build: serve it if it matches ARTICLES_DIR
        and this model (None: it does not, or it failed, so build here)."""
        try:
            index = store.load(
                self.config.index_dir,
                model=self.encoder.fingerprint,
                articles=self._checksums(),
            )
        except EngineError as exc:
            log.info("the build another process left does not serve here (%s); rebuilding", exc)
            return None
        self._swap(index)
        self._status = IndexStatus(build=index.build, built_at=index.built_at)
        info = index.info()
        log.info("serving index build %s, built by another process meanwhile", index.build)
        return ReindexReport(
            len(info.articles),
            info.paragraphs,
            info.sentences,
            time.perf_counter() - started,
            reused=len(info.articles),
            adopted=True,
        )

    def _build_failed(self, exc: Exception) -> BuildFailed:
        """Turn whatever made a rebuild fail into ``BuildFailed`` and record it in ``status``.

        Failures a person can fix are logged at DEBUG only, without a traceback: the caller
        shows or logs the one line, so it is said once (``start`` logs it as a WARNING, the
        CLI prints it, ``/reindex`` replies with it). An unexpected one is logged here at
        ERROR with its traceback."""
        kind, reason = builds.describe(exc, self.config.index_dir)
        failure = self._failure(kind, reason)
        if kind == builds.UNEXPECTED:
            log.error("%s", failure.message, exc_info=exc)
        else:
            log.debug("%s", failure.message, exc_info=exc)
        return failure

    def _failure(self, kind: str, reason: str) -> BuildFailed:
        """``BuildFailed`` for ``reason``, saying how stale the build still serving is now."""
        status = self._serving_status(reason)
        if status is not None:
            self._status = status
        return BuildFailed(
            builds.failure_message(reason, status),
            reason=reason,
            kind=kind,
            serving=status is not None,
        )

    def _serving_status(self, failure: str) -> IndexStatus | None:
        """The status of the build that keeps serving after a failed rebuild: the live one,
        else the one ``CURRENT`` names if it was made with this model (what ``start`` falls
        back on); None when there is none."""
        live = self._retriever
        if live is not None:
            index = live.index
            name, built_at = index.build, index.built_at
            built = {article.id: article.checksum for article in index.articles}
        else:
            try:
                build_dir = store.current_build(self.config.index_dir)
                manifest = store.read_manifest(build_dir)
            except IndexCorrupt:
                return None
            encoder = self._encoder
            if encoder is not None and manifest.get("model") != encoder.fingerprint:
                return None
            articles = manifest.get("articles")
            built = (
                {str(k): str(v) for k, v in articles.items()} if isinstance(articles, dict) else {}
            )
            name, built_at = build_dir.name, str(manifest.get("built_at", ""))
        return IndexStatus(
            build=name,
            built_at=built_at,
            changes=builds.changes_since(built, self.files),
            failure=failure,
        )

    def _previous_build(self) -> store.SearchIndex | None:
        """The index to reuse vectors and parses from: the live one, else the one on disk."""
        retriever = self._retriever
        if retriever is not None:
            return retriever.index
        previous = store.load_previous(self.config.index_dir, self.encoder.fingerprint)
        if previous is None and self.seed is not None:
            previous = self.seed()
        return previous

    @property
    def reindexing(self) -> bool:
        return self._reindex_lock.locked()

    def refresh(self) -> bool:
        """Serve the build ``CURRENT`` names if another process published a new one.

        Several processes (shards of one bot) share INDEX_DIR: a rebuild in one of them
        saves a new build and points ``CURRENT`` at it; the others call this now and then.
        When ``CURRENT`` names a build other than the live one, that build is loaded
        (checksums and model verified as on start; ``CURRENT`` wins, as the last one
        published) and swapped in. A no-op when nothing changed, before ``start`` and while
        this process rebuilds. Never raises: a missing, half-written or damaged build is
        logged (once per problem) and the live index keeps serving. True if it swapped.
        """
        live = self._retriever
        if live is None or self.reindexing:
            return False
        try:
            build = store.current_build(self.config.index_dir).name
            if build == live.index.build:
                self._refresh_problem = None
                return False
            encoder = self.encoder
            model = encoder.fingerprint
            index = store.load(self.config.index_dir, model=model, articles=None)
        except Exception as exc:  # never let a bad build stop the live index
            problem = f"{type(exc).__name__}: {exc}"
            if problem != self._refresh_problem:
                self._refresh_problem = problem
                log.warning(
                    "not switching to the index build in %s (%s); still serving %s",
                    self.config.index_dir,
                    exc,
                    live.index.build or "the index loaded at start",
                )
            return False
        if self._retriever is not live or self.reindexing:
            return False  # rebuilt here meanwhile; CURRENT is compared again next time
        self._swap(index)
        self._status = IndexStatus(build=index.build, built_at=index.built_at)
        self._refresh_problem = None
        log.info(
            "switched to index build %s published by another process (%d articles, %d sentences)",
            index.build,
            len(index.articles),
            len(index.sentence_refs),
        )
        return True

    def _swap(self, index: store.SearchIndex) -> None:
        self._retriever = Retriever(
            index, self.encoder, RetrievalConfig(top_k=self.config.top_k), reader=self.reader
        )

    # ---------------------------------------------------------------- questions
    def _live(self) -> Retriever:
        retriever = self._retriever
        if retriever is None:
            raise NotReady("The index is still loading; try again in a moment.")
        return retriever

    def ask(self, question: str, article: str | None = None) -> Answer:
        if article is not None:
            return self.ask_in([question], [article])[0]
        return self._live().ask(question)

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        if articles is not None and any(a is not None for a in articles):
            return self.ask_in(questions, articles)
        return self._live().ask_many(questions)

    def info(self) -> IndexInfo:
        return self._live().index.info()

    @property
    def search_index(self) -> store.SearchIndex:
        return self._live().index

    # ---------------------------------------------------------------- articles
    def _article_table(self, index: store.SearchIndex | None = None) -> ArticleTable:
        index = index if index is not None else self._live().index
        tables = self._tables
        if tables is None or tables.index is not index:
            tables = _Tables(index, ArticleTable(index))
            self._tables = tables
        return tables.articles

    def _speaker_table(self) -> SpeakerTable:
        """The live index's speakers: the table the retriever resolves sources with."""
        return self._live().sources.speakers

    def articles(self) -> list[ArticleSummary]:
        """Every indexed article, in index order."""
        return list(self._article_table().summaries)

    def article(self, article: str) -> ArticleSummary:
        """The indexed article named by its id (file name) or title; ``UnknownArticle``
        when there is none, with the user-facing message."""
        table = self._article_table()
        return table.summaries[table.resolve(article)]

    def match_articles(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        """Articles whose title or id matches what the user has typed so far."""
        return self._article_table().match(prefix, limit)

    def paragraph(self, article: str, number: int) -> Paragraph:
        """Paragraph ``number`` (1-based block) of an article."""
        table = self._article_table()
        found = table.index.articles[table.resolve(article)]
        if not isinstance(number, int) or not 1 <= number <= len(found.paragraphs):
            raise ArticleError(
                found.id, f"has no paragraph {number} (it has {len(found.paragraphs)})"
            )
        return found.paragraph(number)

    def _filtered(self, retriever: Retriever, article: int) -> FilteredRetriever:
        table = self._article_table(retriever.index)
        return FilteredRetriever(
            retriever.index,
            retriever.encoder,
            retriever.config,
            table.sentence_rows[article],
            table.paragraph_rows[article],
            parent=retriever,
        )

    def ask_in(self, questions: list[str], articles: list[str | None]) -> list[Answer]:
        """Answer ``questions[i]`` from ``articles[i]`` only (None: from every article)."""
        if len(articles) != len(questions):
            raise ValueError("one article (or None) per question is needed")
        retriever = self._live()
        table = self._article_table(retriever.index)
        chosen = [None if a is None else table.resolve(a) for a in articles]
        for question in questions:  # all checked before any work
            validate_question(question)
        groups: dict[int | None, list[int]] = {}
        for i, article in enumerate(chosen):
            groups.setdefault(article, []).append(i)
        answers: list[Answer | None] = [None] * len(questions)
        for article, positions in groups.items():
            asker = retriever if article is None else self._filtered(retriever, article)
            for i, answer in zip(
                positions, asker.ask_many([questions[i] for i in positions]), strict=True
            ):
                answers[i] = answer
        return [a for a in answers if a is not None]

    # ---------------------------------------------------------------- speakers
    def speakers(self, article: str | None = None) -> list[SpeakerSummary]:
        """Every quoted or cited source (of one article), most sentences first."""
        table = self._speaker_table()
        return table.speakers(None if article is None else table.articles.resolve(article))

    def match_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]:
        """Speakers whose name matches what the user has typed so far."""
        return self._speaker_table().match(prefix, limit)

    def quotes_by(self, speaker: str, article: str | None = None) -> list[Quote]:
        """Every quotable sentence attributed to ``speaker``, in article order."""
        table = self._speaker_table()
        chosen = None if article is None else table.articles.resolve(article)
        return table.quotes(speaker, chosen)

    # ---------------------------------------------------------------- ingest
    def _hold_reindex_lock(self) -> None:
        if not self._reindex_lock.acquire(blocking=False):
            raise ReindexInProgress("A reindex is already running; try again when it finishes.")

    def add_article(self, filename: str, data: bytes) -> ReindexReport:
        """Validate an uploaded article, store it in ARTICLES_DIR and rebuild.

        A bad file raises ``ArticleError`` before anything is written. If the rebuild
        fails, ARTICLES_DIR is put back exactly as it was and the error re-raised; the
        live index is untouched.
        """
        self._live()  # not before start(): a start still loading would swap the old index in
        prepared = upload.prepare(filename, data)
        articles_dir = self.config.articles_dir
        if not articles_dir.is_dir():
            raise CorpusError(f"ARTICLES_DIR {articles_dir} does not exist or is not a directory")
        if prepared.name in self._shared_names():
            raise ArticleError(
                prepared.name, "a default article has that name; rename the file and try again"
            )
        self._hold_reindex_lock()
        try:
            try:
                placed = upload.place(articles_dir, prepared.name, prepared.data)
            except OSError as exc:
                raise ArticleError(
                    prepared.name, f"cannot write it to ARTICLES_DIR ({exc.strerror or exc})"
                ) from exc
            report = self._reindex_or_restore(placed, f"adding {prepared.name}")
            log.info("added article %s (%s)", prepared.name, prepared.article.title)
            return report
        finally:
            self._reindex_lock.release()

    def remove_article(self, article: str) -> ReindexReport:
        """Delete an article's file from ARTICLES_DIR and rebuild (restored on failure)."""
        table = self._article_table()
        found = table.index.articles[table.resolve(article)]
        self._hold_reindex_lock()
        try:
            if found.id in self._shared_names():
                raise ReadOnlyArticle(
                    f"{found.id} is a default article, shared by every server; it cannot be "
                    "removed from here."
                )
            files = ingest.discover(
                self.config.articles_dir, allow_empty=bool(self.config.shared_dirs)
            )
            path = self.config.articles_dir / found.id
            if not any(f.name == found.id for f in files):
                return self.reindex()  # already gone from disk: the rebuild drops it
            if len(files) == 1 and not self.config.shared_dirs:
                raise CorpusError(
                    f"Cannot remove {found.id}: ARTICLES_DIR must keep at least one article."
                )
            try:
                placed = upload.take_out(path)
            except OSError as exc:
                raise ArticleError(
                    found.id, f"cannot remove it from ARTICLES_DIR ({exc.strerror or exc})"
                ) from exc
            report = self._reindex_or_restore(placed, f"removing {found.id}")
            log.info("removed article %s", found.id)
            return report
        finally:
            self._reindex_lock.release()

    def _shared_names(self) -> set[str]:
        return {
            path.name
            for folder in self.config.shared_dirs
            for path in ingest.discover(folder, allow_empty=True)
        }

    def _reindex_or_restore(self, change: upload.Placement, what: str) -> ReindexReport:
        """Rebuild after a change to ARTICLES_DIR; undo the change if the rebuild fails."""
        try:
            report = self.reindex()
        except BuildFailed as failure:
            change.rollback()
            log.warning("%s failed; ARTICLES_DIR restored", what)
            # said again with ARTICLES_DIR as it is now, not with the change undone
            raise self._failure(failure.kind, failure.reason) from failure.__cause__
        except BaseException:
            change.rollback()
            log.warning("%s failed; ARTICLES_DIR restored", what)
            raise
        change.commit()
        return report
