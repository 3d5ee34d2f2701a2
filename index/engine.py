"""The engine: load or build the index, answer questions, rebuild on demand.

Thread-safe by construction: the live ``Retriever`` is an immutable object that a
rebuild replaces in one assignment, so questions in flight finish on the index they
started with. Only one rebuild runs at a time; a failed one leaves the old index live.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index import ingest, store
from index.embeddings import BUNDLED, Encoder, load_encoder
from index.errors import (
    ArticleError,
    CorpusError,
    EngineError,
    IndexCorrupt,
    NotReady,
    ReindexInProgress,
)
from index.models import Answer, IndexInfo
from index.retrieval import RetrievalConfig, Retriever

log = logging.getLogger(__name__)

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
    onnx_dir: Path | None = None  # EMBEDDING_BACKEND=onnx: export cache (None: var/onnx)
    onnx_threads: int = 0  # EMBEDDING_BACKEND=onnx: intra-op threads (0: cores, at most 4)


@dataclass(frozen=True, slots=True)
class ReindexReport:
    """What a rebuild did, for the CLI and the /reindex reply."""

    articles: int
    paragraphs: int
    sentences: int
    seconds: float


@dataclass
class Engine:
    """Facade over ingest, index and retrieval; the only object the bot talks to."""

    config: EngineConfig
    encoder_factory: Callable[[str], Encoder] | None = None  # tests inject a fake
    _encoder: Encoder | None = field(default=None, init=False)
    _retriever: Retriever | None = field(default=None, init=False)
    _reindex_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

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
    def ready(self) -> bool:
        return self._retriever is not None

    def start(self, *, allow_stale: bool = False) -> None:
        """Load the saved index, or rebuild it when missing, stale or corrupt.

        With ``allow_stale`` (the bot), a rebuild that fails on a bad article file (or on
        a full disk) falls back to the last good index, so users keep getting answers while
        an admin fixes the file; without it (the CLI) the error is raised.
        """
        if not allow_stale:
            ingest.discover(self.config.articles_dir)  # fail fast, before loading the model
        encoder = self.encoder
        model = getattr(encoder, "fingerprint", encoder.name)
        try:
            files = ingest.discover(self.config.articles_dir)
            checksums = {path.name: ingest.checksum(path.read_bytes()) for path in files}
            index = store.load(self.config.index_dir, model=model, articles=checksums)
            log.info(
                "loaded index: %d articles, %d sentences",
                len(index.articles),
                len(index.sentence_refs),
            )
        except (IndexCorrupt, EngineError) as exc:
            if isinstance(exc, IndexCorrupt):
                log.warning("rebuilding the index: %s", exc)
            try:
                self.reindex()
                return
            except (ArticleError, CorpusError, store.IndexWriteError) as error:
                if not allow_stale:
                    raise
                try:
                    index = store.load(self.config.index_dir, model=model, articles=None)
                except IndexCorrupt:
                    raise error from None
                log.error("cannot rebuild (%s); serving the last good index", error)
        self._swap(index)

    def reindex(self) -> ReindexReport:
        """Rebuild from ARTICLES_DIR and swap the new index in; one at a time."""
        if not self._reindex_lock.acquire(blocking=False):
            raise ReindexInProgress("A reindex is already running; try again when it finishes.")
        try:
            started = time.perf_counter()
            articles = ingest.read_corpus(self.config.articles_dir)
            index = store.build(articles, self.encoder)
            store.save(index, self.config.index_dir)
            self._swap(index)
            seconds = time.perf_counter() - started
            info = index.info()
            log.info(
                "reindexed %d articles, %d paragraphs, %d sentences in %.2f s",
                len(info.articles),
                info.paragraphs,
                info.sentences,
                seconds,
            )
            return ReindexReport(len(info.articles), info.paragraphs, info.sentences, seconds)
        finally:
            self._reindex_lock.release()

    @property
    def reindexing(self) -> bool:
        return self._reindex_lock.locked()

    def _swap(self, index: store.SearchIndex) -> None:
        self._retriever = Retriever(index, self.encoder, RetrievalConfig(top_k=self.config.top_k))

    # ---------------------------------------------------------------- questions
    def _live(self) -> Retriever:
        retriever = self._retriever
        if retriever is None:
            raise NotReady("The index is still loading; try again in a moment.")
        return retriever

    def ask(self, question: str) -> Answer:
        return self._live().ask(question)

    def ask_many(self, questions: list[str]) -> list[Answer]:
        return self._live().ask_many(questions)

    def info(self) -> IndexInfo:
        return self._live().index.info()

    @property
    def search_index(self) -> store.SearchIndex:
        return self._live().index
