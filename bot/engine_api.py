"""The one engine interface: every engine method and property the bot uses.

``index.engine.Engine`` implements it, and so do the test engines in ``tests/bot/botkit.py``
(in full: ``tests/bot/test_engine_api.py`` checks every member and its parameters), so the
bot never needs to ask whether an engine "has" something. The Protocol lives on the bot
side because it describes what the bot consumes; ``index/`` never imports it.
"""

from __future__ import annotations

from typing import Protocol

from index.engine import EngineConfig, ReindexReport
from index.models import Answer, ArticleSummary, IndexInfo, Paragraph, Quote, SpeakerSummary
from index.search.builds import IndexStatus


class EngineAPI(Protocol):
    """Questions, articles, speakers and (re)building, as the bot and the CLI call them.

    Calls that read or change the index block (they embed, search or rebuild): the bot
    makes them in worker threads. Domain failures are ``index.errors.EngineError``s whose
    message is safe to show to a user.
    """

    @property
    def config(self) -> EngineConfig: ...

    @property
    def ready(self) -> bool:
        """An index is loaded and questions can be answered."""
        ...

    @property
    def reindexing(self) -> bool:
        """A rebuild is running now (questions still use the previous index)."""
        ...

    @property
    def status(self) -> IndexStatus:
        """The build served and whether it is stale (why the last rebuild failed, which
        articles changed since): ``status.note()`` is the line /about shows, or None."""
        ...

    # ---------------------------------------------------------------- lifecycle
    def start(self, *, allow_stale: bool = True) -> None:
        """Load or build the index; a failed rebuild serves the last complete build
        (``BuildFailed`` only when there is none, or with ``allow_stale=False``)."""
        ...

    def refresh(self) -> bool:
        """Serve a build another process published in INDEX_DIR; True if it switched."""
        ...

    def reindex(self, *, wait: bool = False) -> ReindexReport:
        """Rebuild; a failure is ``BuildFailed`` and the previous build keeps serving. With
        ``wait``, wait for another process's build (and reuse it) instead of refusing."""
        ...

    def info(self) -> IndexInfo: ...

    # ---------------------------------------------------------------- questions
    def ask(self, question: str, article: str | None = None) -> Answer: ...

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]: ...

    # ---------------------------------------------------------------- articles
    def articles(self) -> list[ArticleSummary]: ...

    def article(self, article: str) -> ArticleSummary:
        """The article named by id or title; ``UnknownArticle`` when there is none."""
        ...

    def match_articles(self, prefix: str, limit: int = 25) -> list[ArticleSummary]: ...

    def paragraph(self, article: str, number: int) -> Paragraph: ...

    def add_article(self, filename: str, data: bytes) -> ReindexReport: ...

    def remove_article(self, article: str) -> ReindexReport: ...

    # ---------------------------------------------------------------- speakers
    def speakers(self, article: str | None = None) -> list[SpeakerSummary]: ...

    def match_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]: ...

    def quotes_by(self, speaker: str, article: str | None = None) -> list[Quote]: ...
