"""Per-server collections: each server sees the default articles plus its own, nothing else."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE, FakeEncoder

from index.collections import SOURCES_FILE, CollectionLimits, Library
from index.engine import Engine, EngineConfig
from index.errors import (
    ArticleError,
    BuildFailed,
    CollectionFull,
    ReadOnlyArticle,
    UnknownArticle,
)

A, B = 1111, 2222
DEFAULT = "us-embassy-kyiv-closes.txt"
FERRY = (
    b"Ferry service to Orrin Island resumes\n\n"
    b"The ferry to Orrin Island will resume on Monday, harbour master Lena Voss said.\n\n"
    b'"The new pier is finally safe," Voss told reporters at the terminal.\n'
)
MARKET = (
    b"Night market moves to the old tram depot\n\n"
    b"The night market will move to the old tram depot in June, organiser Tomas Reyes said.\n\n"
    b'"We outgrew the car park," Reyes said in a statement.\n'
)


@pytest.fixture
def library(tmp_path: Path, fake_encoder: FakeEncoder) -> Library:
    defaults = tmp_path / "defaults"
    defaults.mkdir()
    shutil.copy(BUNDLED_ARTICLE, defaults / DEFAULT)
    default = Engine(
        EngineConfig(articles_dir=defaults, index_dir=tmp_path / "index"),
        encoder_factory=lambda _: fake_encoder,
    )
    default.start()
    found = Library(default, tmp_path / "collections", limits=CollectionLimits(3, 200_000))
    found.start()
    return found


def ids(library: Library, guild: int | None) -> list[str]:
    return [owned.article.id for owned in library.articles(guild)]


def test_an_article_added_in_one_server_is_seen_there_only(library: Library) -> None:
    library.add_article(A, "ferry.txt", FERRY)
    assert ids(library, A) == [DEFAULT, "ferry.txt"]
    assert ids(library, B) == [DEFAULT]
    assert ids(library, None) == [DEFAULT]  # a DM
    answer = library.scope(A).ask("When will the ferry to Orrin Island resume?")
    assert answer.quotes
    assert answer.quotes[0].article_id == "ferry.txt"
    for guild in (B, None):
        other = library.scope(guild).ask("When will the ferry to Orrin Island resume?")
        assert all(q.article_id == DEFAULT for q in other.quotes)
    with pytest.raises(UnknownArticle):
        library.scope(B).article("ferry.txt")
    assert [s.name for s in library.scope(A).speakers("ferry.txt")] == ["Lena Voss"]
    assert "Lena Voss" not in {s.name for s in library.scope(B).speakers()}


def test_owner_of_each_article(library: Library) -> None:
    library.add_article(A, "ferry.txt", FERRY)
    assert library.owner(A, "ferry.txt").guild_id == A
    assert library.owner(A, DEFAULT).guild_id is None
    assert [o.guild_id for o in library.articles(A)] == [None, A]


def test_a_server_cannot_remove_a_default_article_or_another_servers(library: Library) -> None:
    library.add_article(A, "ferry.txt", FERRY)
    library.add_article(B, "market.txt", MARKET)
    with pytest.raises(UnknownArticle):
        library.remove_article(B, "ferry.txt")  # B does not even see it
    with pytest.raises(ReadOnlyArticle, match="default article"):
        library.scope(A).remove_article(DEFAULT)
    with pytest.raises(UnknownArticle):
        library.remove_article(A, DEFAULT)  # not A's own
    assert ids(library, A) == [DEFAULT, "ferry.txt"]
    assert ids(library, None) == [DEFAULT]


def test_removing_the_last_article_goes_back_to_the_defaults(library: Library) -> None:
    library.add_article(A, "ferry.txt", FERRY)
    library.remove_article(A, "ferry.txt")
    assert ids(library, A) == [DEFAULT]
    assert library.scope(A) is library.default
    assert library.guilds() == []


def test_a_default_name_is_refused_and_nothing_is_written(library: Library) -> None:
    with pytest.raises(ArticleError, match="default article has that name"):
        library.add_article(A, DEFAULT, FERRY)
    assert library.guilds() == []


def test_caps_on_articles_and_bytes(library: Library, tmp_path: Path) -> None:
    for n in range(3):
        library.add_article(A, f"a{n}.txt", FERRY)
    with pytest.raises(CollectionFull, match="already has 3 article"):
        library.add_article(A, "a3.txt", FERRY)
    library.add_article(A, "a0.txt", MARKET)  # replacing one is within the cap
    big = FERRY + b"\n\n" + b"The harbour board met on Tuesday, Voss said. " * 5000
    with pytest.raises(CollectionFull, match="MB"):
        library.add_article(B, "big.txt", big)
    assert library.guilds() == [A]


def test_a_failed_build_leaves_the_server_as_it_was(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.add_article(A, "ferry.txt", FERRY)
    engine = library.scope(A)
    build = engine.search_index.build

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("index.search.store.save", broken)
    with pytest.raises(BuildFailed):
        library.add_article(A, "market.txt", MARKET)
    with pytest.raises(BuildFailed):
        library.add_article(B, "market.txt", MARKET)  # a first article: nothing kept
    assert ids(library, A) == [DEFAULT, "ferry.txt"]
    assert library.scope(A).search_index.build == build
    assert [p.name for p in library.own_files(A)] == ["ferry.txt"]
    assert library.guilds() == [A]


def test_one_servers_build_does_not_block_another(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.add_article(A, "ferry.txt", FERRY)
    a_engine = library.scope(A)
    inside, release = threading.Event(), threading.Event()
    original = a_engine.reindex

    def slow(*, wait: bool = False):  # type: ignore[no-untyped-def]
        inside.set()
        release.wait(10)
        return original(wait=wait)

    monkeypatch.setattr(a_engine, "reindex", slow)
    worker = threading.Thread(target=library.reindex, args=(A,))
    worker.start()
    try:
        assert inside.wait(10)
        library.add_article(B, "market.txt", MARKET)  # not blocked by A's rebuild
        assert library.scope(A).ask("Who is the harbour master?").quotes  # A still answers
        assert ids(library, B) == [DEFAULT, "market.txt"]
    finally:
        release.set()
        worker.join(10)


def test_collections_survive_a_restart_and_follow_the_defaults(
    library: Library, fake_encoder: FakeEncoder
) -> None:
    library.add_article(A, "ferry.txt", FERRY, source="https://news.example/ferry")
    defaults = library.default.config.articles_dir
    (defaults / "market.txt").write_bytes(MARKET)  # the owners change the defaults
    library.default.reindex()
    assert library.follow_defaults() == 1
    assert ids(library, A) == ["market.txt", DEFAULT, "ferry.txt"]

    default = Engine(library.default.config, encoder_factory=lambda _: fake_encoder)
    default.start()
    again = Library(default, library.root)
    again.start()
    assert ids(again, A) == ["market.txt", DEFAULT, "ferry.txt"]
    assert again.sources(A) == {"ferry.txt": "https://news.example/ferry"}
    assert again.sources(B) == {}


def test_dropping_a_server_deletes_its_articles_and_index(library: Library) -> None:
    library.add_article(A, "ferry.txt", FERRY, source="https://news.example/ferry")
    assert (library.articles_dir(A) / SOURCES_FILE).exists()
    assert library.drop(A) == 1
    assert not (library.root / str(A)).exists()
    assert ids(library, A) == [DEFAULT]
    assert library.drop(A) == 0  # twice: nothing left, no error


def test_another_process_sees_a_new_collection_on_refresh(
    library: Library, fake_encoder: FakeEncoder
) -> None:
    default = Engine(library.default.config, encoder_factory=lambda _: fake_encoder)
    default.start()
    shard = Library(default, library.root)
    shard.start()
    library.add_article(A, "ferry.txt", FERRY)
    assert ids(shard, A) == [DEFAULT]
    assert shard.refresh()
    assert ids(shard, A) == [DEFAULT, "ferry.txt"]
    library.add_article(A, "market.txt", MARKET)
    shard.refresh()
    assert ids(shard, A) == [DEFAULT, "ferry.txt", "market.txt"]
    library.drop(A)
    shard.refresh()
    assert ids(shard, A) == [DEFAULT]


@pytest.mark.parametrize("guild", [0, -5, True])
def test_a_bad_server_id_is_refused(library: Library, guild: int) -> None:
    with pytest.raises(ValueError, match="not a server id"):
        library.add_article(guild, "ferry.txt", FERRY)
