"""Helpers for the Discord layer's tests: engines, a test world, a running bot, fakes.

Import from here (``from botkit import ...``), not from ``conftest`` (pytest loads several
conftest modules under that one name).

Engines: :func:`make_engine` is the one way to build a real ``Engine`` in these tests.
Every fake engine is a :class:`StubEngine` (nothing indexed, in memory) or an
:class:`EngineProxy` (a real engine behind explicit delegation), which implement
``EngineAPI`` in full; a subclass is checked against it (:func:`check_engine_api`) as soon
as it is defined, so no fake can lack a call or change its parameters.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

_TESTS = Path(__file__).resolve().parent.parent
for _path in (str(_TESTS.parent), str(_TESTS)):  # `import bot`, `import emulator`, `support`
    if _path not in sys.path:
        sys.path.append(_path)

import discord  # noqa: E402
from emulator import DiscordEmulator, Guild, User  # noqa: E402
from emulator.fixtures import connected_client  # noqa: E402
from support import BUNDLED_ARTICLE, BUNDLED_ARTICLES, ROOT  # noqa: E402

from bot.client import QuoteBot  # noqa: E402
from bot.engine_api import EngineAPI  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.encoding.base import Encoder  # noqa: E402
from index.engine import Engine, EngineConfig, ReindexReport  # noqa: E402
from index.errors import ArticleError, NotReady, UnknownArticle  # noqa: E402
from index.models import (  # noqa: E402
    Answer,
    ArticleSummary,
    Attribution,
    IndexInfo,
    Paragraph,
    Quote,
    SpeakerSummary,
)
from index.retrieval.retriever import validate_question  # noqa: E402
from index.search.builds import IndexStatus  # noqa: E402

__all__ = ["BUNDLED_ARTICLE", "BUNDLED_ARTICLES", "ROOT"]  # re-exported for the tests

ARTICLE_TEXT = BUNDLED_ARTICLE.read_text(encoding="utf-8")
ARTICLE_TITLE = ARTICLE_TEXT.split("\n", 1)[0].strip()


# ---------------------------------------------------------------- engines
def make_engine(
    encoder: Encoder,
    index_dir: Path,
    *,
    articles_dir: Path = BUNDLED_ARTICLES,
    top_k: int = 3,
    start: bool = True,
) -> Engine:
    """A real engine over ``articles_dir`` with ``encoder``, its index in ``index_dir``;
    started (building or loading the index) unless ``start`` is False."""
    config = EngineConfig(articles_dir=articles_dir, index_dir=index_dir, top_k=top_k)
    engine = Engine(config, encoder_factory=lambda spec: encoder)
    if start:
        engine.start(allow_stale=True)
    return engine


def engine_api_members() -> dict[str, Any]:
    """The methods and properties ``EngineAPI`` lists, by name."""
    return {
        name: value
        for name, value in vars(EngineAPI).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    }


def _parameters(function: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def check_engine_api(engine: object) -> None:
    """Raise TypeError unless ``engine`` (a class or an instance) itself defines every
    ``EngineAPI`` member: a method with the same parameters (names, kinds, defaults), a
    property or attribute for a property; never through ``__getattr__``."""
    owner = engine if isinstance(engine, type) else type(engine)
    if any("__getattr__" in vars(k) for k in owner.__mro__):
        raise TypeError(f"{owner.__name__} forwards attributes with __getattr__")
    for name, member in engine_api_members().items():
        try:
            found = inspect.getattr_static(engine, name)
        except AttributeError:
            raise TypeError(f"{owner.__name__} has no {name}") from None
        if isinstance(member, property):
            if callable(found) and not isinstance(found, property):
                raise TypeError(f"{owner.__name__}.{name} must be a property or an attribute")
        elif not callable(found) or _parameters(found) != _parameters(member):
            raise TypeError(f"{owner.__name__}.{name} does not match EngineAPI.{name}")


class StubEngine:
    """A complete ``EngineAPI`` with nothing indexed, for tests that need no index: every
    question abstains, lists are empty, lookups raise the engine's own errors. A subclass
    overrides what its test needs; its overrides are checked against ``EngineAPI`` when
    the class is defined."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_engine_api(cls)

    def __init__(self, *, top_k: int = 3, ready: bool = True) -> None:
        self._config = EngineConfig(top_k=top_k)
        self._ready = ready

    @property
    def config(self) -> EngineConfig:
        return self._config

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def reindexing(self) -> bool:
        return False

    @property
    def status(self) -> IndexStatus:
        return IndexStatus()  # current: nothing to say in /about

    def start(self, *, allow_stale: bool = True) -> None:
        self._ready = True

    def refresh(self) -> bool:
        return False

    def reindex(self, *, wait: bool = False) -> ReindexReport:
        return ReindexReport(articles=0, paragraphs=0, sentences=0, seconds=0.0)

    def info(self) -> IndexInfo:
        return IndexInfo((), 0, 0, "stub", 0, "", 0.0)

    def ask(self, question: str, article: str | None = None) -> Answer:
        validate_question(question)
        if article is not None:
            self.article(article)
        return Answer(question, False)

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        chosen = articles or [None] * len(questions)
        return [self.ask(q, a) for q, a in zip(questions, chosen, strict=True)]

    def articles(self) -> list[ArticleSummary]:
        return []

    def article(self, article: str) -> ArticleSummary:
        raise UnknownArticle(article)

    def match_articles(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        return []

    def paragraph(self, article: str, number: int) -> Paragraph:
        raise UnknownArticle(article)

    def add_article(self, filename: str, data: bytes) -> ReindexReport:
        raise ArticleError(filename, "the stub engine stores no articles")

    def remove_article(self, article: str) -> ReindexReport:
        raise UnknownArticle(article)

    def speakers(self, article: str | None = None) -> list[SpeakerSummary]:
        return []

    def match_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]:
        return []

    def quotes_by(self, speaker: str, article: str | None = None) -> list[Quote]:
        return []


#: The one article and the one quote of :class:`OneQuoteEngine`.
QUOTE = Quote("It is so.", Attribution("Ann Lee", None, "said", None, "direct"), "a.txt", "A", 2, 1)
ARTICLE = ArticleSummary("a.txt", "A", 3, 9)


class OneQuoteEngine(StubEngine):
    """Knows one article and answers every question with one quote (or fails on "boom")."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, str | None]] = []

    def article(self, article: str) -> ArticleSummary:
        if article not in (ARTICLE.id, ARTICLE.title):
            raise UnknownArticle(article)
        return ARTICLE

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        chosen = articles or [None] * len(questions)
        self.asked += list(zip(questions, chosen, strict=True))
        if any("boom" in q for q in questions):
            raise NotReady("The index is still loading; try again in a moment.")
        return [Answer(q, True, (QUOTE,)) for q in questions]

    def ask(self, question: str, article: str | None = None) -> Answer:
        return self.ask_many([question], None if article is None else [article])[0]


#: What :class:`ScriptedEngine` rebuilds report by default.
REPORT = ReindexReport(2, 40, 90, 1.25, embedded=1, reused=1)


class ScriptedEngine(StubEngine):
    """Rebuilds the way a test says: ``outcome`` returns a report or raises."""

    def __init__(self, outcome: Callable[[], ReindexReport] = lambda: REPORT) -> None:
        super().__init__()
        self.outcome = outcome
        self.calls: list[tuple[str, ...]] = []

    def reindex(self, *, wait: bool = False) -> ReindexReport:
        self.calls.append(("reindex",))
        return self.outcome()

    def article(self, article: str) -> ArticleSummary:
        return ArticleSummary(article, article.title(), 1, 1)

    def add_article(self, filename: str, data: bytes) -> ReindexReport:
        self.calls.append(("add", filename, data.decode()))
        return self.outcome()

    def remove_article(self, article: str) -> ReindexReport:
        self.calls.append(("remove", article))
        return self.outcome()


def failing(error: Exception) -> Callable[[], ReindexReport]:
    def outcome() -> ReindexReport:
        raise error

    return outcome


class EngineProxy:
    """A real engine behind explicit delegation of every ``EngineAPI`` member; a fake
    subclasses it and overrides only the calls it changes or counts (checked against
    ``EngineAPI`` when the subclass is defined)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_engine_api(cls)

    def __init__(self, inner: Engine) -> None:
        self.inner = inner

    @property
    def config(self) -> EngineConfig:
        return self.inner.config

    @property
    def ready(self) -> bool:
        return self.inner.ready

    @property
    def reindexing(self) -> bool:
        return self.inner.reindexing

    @property
    def status(self) -> IndexStatus:
        return self.inner.status

    def start(self, *, allow_stale: bool = True) -> None:
        self.inner.start(allow_stale=allow_stale)

    def refresh(self) -> bool:
        return self.inner.refresh()

    def reindex(self, *, wait: bool = False) -> ReindexReport:
        return self.inner.reindex(wait=wait)

    def info(self) -> IndexInfo:
        return self.inner.info()

    def ask(self, question: str, article: str | None = None) -> Answer:
        return self.inner.ask(question, article)

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        return self.inner.ask_many(questions, articles)

    def articles(self) -> list[ArticleSummary]:
        return self.inner.articles()

    def article(self, article: str) -> ArticleSummary:
        return self.inner.article(article)

    def match_articles(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        return self.inner.match_articles(prefix, limit)

    def paragraph(self, article: str, number: int) -> Paragraph:
        return self.inner.paragraph(article, number)

    def add_article(self, filename: str, data: bytes) -> ReindexReport:
        return self.inner.add_article(filename, data)

    def remove_article(self, article: str) -> ReindexReport:
        return self.inner.remove_article(article)

    def speakers(self, article: str | None = None) -> list[SpeakerSummary]:
        return self.inner.speakers(article)

    def match_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerSummary]:
        return self.inner.match_speakers(prefix, limit)

    def quotes_by(self, speaker: str, article: str | None = None) -> list[Quote]:
        return self.inner.quotes_by(speaker, article)


class CountingEngine(EngineProxy):
    """Counts reindex calls."""

    def __init__(self, inner: Engine) -> None:
        super().__init__(inner)
        self.reindex_calls = 0

    def reindex(self, *, wait: bool = False) -> ReindexReport:
        self.reindex_calls += 1
        return self.inner.reindex(wait=wait)


class GatedEncoder:
    """Wraps the real encoder with a gate that a test closes to hold work in progress.

    By default the gate holds encoding outside the answer workers (a reindex); with
    ``answers=True`` it holds the questions instead (encoded in the ``answers`` threads).
    """

    def __init__(self, inner: Any, *, answers: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.fingerprint = inner.fingerprint
        self.answers = answers
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def close(self) -> None:
        self.waiting.clear()
        self.gate.clear()

    def open(self) -> None:
        self.gate.set()

    hold = close
    release = open

    async def wait_until_held(self) -> None:
        assert await asyncio.to_thread(self.waiting.wait, 10), "nothing reached the gate"

    def encode(self, texts: Any) -> Any:
        in_answers = threading.current_thread().name.startswith("answers")
        if in_answers == self.answers and not self.gate.is_set():
            self.waiting.set()
            if not self.gate.wait(timeout=30):
                raise TimeoutError("the test never opened the gate")
        return self.inner.encode(texts)


# ---------------------------------------------------------------- a world and a bot
@dataclass
class World:
    """A server with one admin and one ordinary member, plus a user who is only in DMs."""

    emu: DiscordEmulator
    guild: Guild
    channel_id: int
    admin: User
    reader: User
    stranger: User

    @property
    def guild_id(self) -> int:
        return self.guild.id


def build_world(emu: DiscordEmulator) -> World:
    guild = emu.add_guild("Newsroom")
    admin = emu.add_user("editor")
    reader = emu.add_user("reader")
    stranger = emu.add_user("stranger")
    emu.add_member(guild.id, admin.id, administrator=True)
    emu.add_member(guild.id, reader.id)
    return World(emu, guild, emu.default_channel(guild.id).id, admin, reader, stranger)


#: Server collections of test bots that were given none: one folder per bot, all removed
#: when the test process ends (TemporaryDirectory's finaliser).
_COLLECTIONS = tempfile.TemporaryDirectory(prefix="test-collections-")


def bot_settings(**changes: Any) -> Settings:
    """Settings for a test bot (no token: the emulator's is passed to start()); answers and
    feedback in memory unless ``feedback_db`` is given."""
    changes.setdefault("collections_dir", Path(tempfile.mkdtemp(dir=_COLLECTIONS.name)))
    return replace(Settings(discord_token=None, feedback_db=Path(":memory:")), **changes)


@contextlib.asynccontextmanager
async def running_bot(
    emu: DiscordEmulator, engine: Any, settings: Settings | None = None, **options: Any
) -> AsyncIterator[QuoteBot]:
    """A QuoteBot connected to ``emu`` and ready (commands synced)."""
    options.setdefault("guild_ready_timeout", 0.05)
    bot = QuoteBot(engine, settings or bot_settings(), **options)
    async with connected_client(emu, bot) as client:
        yield client


# ---------------------------------------------------------------- interactions without Discord
class FakeInteraction:
    """Records what a command or button sends, without Discord: ``sent`` holds
    ``(how, content, kwargs)`` for each response, follow-up, defer and edit."""

    def __init__(
        self,
        client: Any,
        *,
        user_id: int = 10,
        guild_id: int | None = 99,
        channel_id: int | None = 5,
        permissions: discord.Permissions | None = None,
        command: str = "ask",
        message: Any = None,
        answered: bool = False,
    ) -> None:
        self.client = client
        self.user = SimpleNamespace(id=user_id)
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.permissions = permissions or discord.Permissions.none()
        self.command = SimpleNamespace(name=command)
        self.message = message
        self.sent: list[tuple[str, str | None, dict[str, Any]]] = []
        self._done = answered  # True: as if already deferred or answered
        self.response = SimpleNamespace(
            is_done=lambda: self._done,
            send_message=self._record("response", done=True),
            defer=self._record("defer", done=True),
            edit_message=self._record("update", done=True),
        )
        self.followup = SimpleNamespace(send=self._record("followup"))
        self.edit_original_response = self._record("edit")

    def _record(self, how: str, *, done: bool = False) -> Any:
        async def record(content: str | None = None, **kwargs: Any) -> None:
            if done:
                if self._done:
                    raise AssertionError(f"{how}: the interaction was already answered")
                self._done = True
            self.sent.append((how, content, kwargs))

        return record

    def replies(self) -> list[str | None]:
        """The text of every message sent (responses, follow-ups and edits)."""
        return [content for how, content, _ in self.sent if how != "defer"]
