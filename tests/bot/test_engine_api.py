"""bot/engine_api.py: the real engine and the test engines implement EngineAPI in full.

Each member of the Protocol must be defined by the engine itself (not reached through a
``__getattr__`` forwarder): a method with the same parameters (names, kinds, defaults), a
property or a plain attribute for a property. So the bot never needs ``getattr`` to ask
whether an engine can do something. Every fake in these tests subclasses ``StubEngine``
or ``EngineProxy``, which check each subclass when it is defined (``check_engine_api``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botkit import EngineProxy, StubEngine, check_engine_api, engine_api_members, make_engine
from support import FakeEncoder

from index.models import Answer


def test_the_protocol_lists_what_the_bot_uses() -> None:
    assert set(engine_api_members()) == {
        *("config", "ready", "reindexing", "status", "start", "refresh", "reindex", "info"),
        *("ask", "ask_many", "articles", "article", "match_articles", "paragraph"),
        *("add_article", "remove_article", "speakers", "match_speakers", "quotes_by"),
    }


def test_the_real_engine_implements_it(tmp_path: Path) -> None:
    engine = make_engine(FakeEncoder(), tmp_path / "index", start=False)
    check_engine_api(engine)


def test_the_two_test_bases_implement_it(tmp_path: Path) -> None:
    check_engine_api(StubEngine)
    check_engine_api(StubEngine())
    check_engine_api(EngineProxy(make_engine(FakeEncoder(), tmp_path / "index", start=False)))


def test_a_fake_with_another_signature_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match=r"OldAsk.ask does not match EngineAPI.ask"):

        class OldAsk(StubEngine):
            def ask(self, question: str) -> Answer:  # no article filter
                return Answer(question, False)


def test_a_forwarding_fake_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="forwards attributes with __getattr__"):

        class Forwarder(EngineProxy):
            def __getattr__(self, name: str) -> object:
                return getattr(self.inner, name)


def test_a_missing_member_is_reported() -> None:
    class Partial:
        def ask(self, question: str, article: str | None = None) -> Answer:
            return Answer(question, False)

    with pytest.raises(TypeError, match="Partial has no"):
        check_engine_api(Partial)


def test_there_is_one_way_to_build_a_real_engine(tmp_path: Path) -> None:
    """make_engine builds and starts an engine over the bundled article by default."""
    engine = make_engine(FakeEncoder(), tmp_path / "index", top_k=2)
    assert engine.ready
    assert engine.config.top_k == 2
    assert [a.id for a in engine.articles()] == ["us-embassy-kyiv-closes.txt"]
