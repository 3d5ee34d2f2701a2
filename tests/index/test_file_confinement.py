"""Files are read only under ARTICLES_DIR and written only under INDEX_DIR, whatever the
names, links and pointers found there: symbolic links out of ARTICLES_DIR, names full of
dots and backslashes, a CURRENT pointer naming ``../x``, a build folder or index file that
is a link to somewhere else, a planted link where the bot writes its pointer.

An audit hook (PEP 578) records every file the process opens, creates, renames or
removes while the engine starts, rebuilds and answers; the tests check each path.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE, FakeEncoder

from index.engine import Engine, EngineConfig
from index.errors import IndexCorrupt
from index.search import store

SECRET = "the secret outside ARTICLES_DIR said the embassy closed"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_CHANGES = ("os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.symlink")


@dataclass
class FileAudit:
    reads: list[Path] = field(default_factory=list)
    writes: list[Path] = field(default_factory=list)  # files opened for writing
    changes: list[Path] = field(default_factory=list)  # names created, renamed, removed
    recording: bool = False


_AUDIT = FileAudit()


def _hook(event: str, args: tuple) -> None:
    if not _AUDIT.recording:
        return
    if event == "open":
        path, mode, flags = args
        if not isinstance(path, str | bytes | os.PathLike):
            return  # a file descriptor
        target = Path(os.fsdecode(path)).absolute()
        writing = (isinstance(flags, int) and flags & _WRITE_FLAGS) or (
            isinstance(mode, str) and any(ch in mode for ch in "wax+")
        )
        (_AUDIT.writes if writing else _AUDIT.reads).append(target)
    elif event in _CHANGES:
        for arg in args[:2] if event == "os.rename" else args[:1]:
            if isinstance(arg, str | bytes | os.PathLike) and os.path.isabs(os.fsdecode(arg)):
                _AUDIT.changes.append(Path(os.fsdecode(arg)))


sys.addaudithook(_hook)  # hooks cannot be removed; it records only inside `audited()`


@contextmanager
def audited() -> Iterator[FileAudit]:
    _AUDIT.reads.clear()
    _AUDIT.writes.clear()
    _AUDIT.changes.clear()
    _AUDIT.recording = True
    try:
        yield _AUDIT
    finally:
        _AUDIT.recording = False


def under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


@dataclass
class Layout:
    root: Path
    articles: Path
    index: Path
    outside: Path

    def engine(self) -> Engine:
        return Engine(
            EngineConfig(articles_dir=self.articles, index_dir=self.index),
            encoder_factory=lambda spec: FakeEncoder(),
        )

    def check(self, audit: FileAudit) -> None:
        """Nothing outside was touched; reads in the tree stay in articles/ and index/.

        Opened paths are resolved (opening a link opens its target); renamed or removed
        names only through their folder (removing a link removes the link).
        """
        reads = [Path(os.path.realpath(p)) for p in audit.reads]
        writes = [Path(os.path.realpath(p)) for p in audit.writes] + [
            Path(os.path.realpath(p.parent)) / p.name for p in audit.changes
        ]
        for path in reads + writes:
            assert not under(path, self.outside), path
            assert "secret" not in path.name, path
        for path in reads:
            if under(path, self.root):
                assert under(path, self.articles) or under(path, self.index), path
        for path in writes:
            assert under(path, self.index), path


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """articles/ (the bundled article), index/, and outside/ with a secret article."""
    root = tmp_path.resolve()
    articles, index, outside = root / "articles", root / "index", root / "outside"
    articles.mkdir()
    outside.mkdir()
    shutil.copy(BUNDLED_ARTICLE, articles)
    (outside / "secret.txt").write_text(f"Secret\n\n{SECRET}.\n", encoding="utf-8")
    return Layout(root, articles, index, outside)


def assert_secret_not_indexed(engine: Engine) -> None:
    for article in engine.search_index.articles:
        assert SECRET not in article.text
    answer = engine.ask("what did the secret outside ARTICLES_DIR say?")
    assert all(SECRET not in quote.text for quote in answer.quotes)


def test_links_and_odd_names_in_articles_dir_never_reach_outside(layout: Layout) -> None:
    (layout.articles / "leak.txt").symlink_to(layout.outside / "secret.txt")
    (layout.articles / "leakdir.md").symlink_to(layout.outside)
    (layout.articles / "nested").symlink_to(layout.outside, target_is_directory=True)
    (layout.articles / "..txt").write_text("Hidden\n\nA dot file is skipped.\n")
    odd = "~..\\..\\outside\\notes.txt"  # a plain name on POSIX, not a path
    (layout.articles / odd).write_text("Odd name\n\nThe odd name was read as itself.\n")
    engine = layout.engine()
    with audited() as audit:
        engine.start()
        engine.reindex()
        engine.ask("what did the odd name say?")
    layout.check(audit)
    assert {a.id for a in engine.search_index.articles} == {BUNDLED_ARTICLE.name, odd}
    assert_secret_not_indexed(engine)


def test_articles_dir_that_is_itself_a_link_is_followed_once(layout: Layout) -> None:
    """ARTICLES_DIR may be a link (a deployment choice); links inside it still may not
    leave it."""
    linked = layout.root / "articles-link"
    linked.symlink_to(layout.articles, target_is_directory=True)
    (layout.articles / "leak.txt").symlink_to(layout.outside / "secret.txt")
    (layout.articles / "alias.txt").symlink_to(layout.articles / BUNDLED_ARTICLE.name)
    engine = Engine(
        EngineConfig(articles_dir=linked, index_dir=layout.index),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    with audited() as audit:
        engine.start()
    layout.check(audit)
    assert {a.id for a in engine.search_index.articles} == {BUNDLED_ARTICLE.name, "alias.txt"}
    assert_secret_not_indexed(engine)


def build_outside_index(layout: Layout) -> Path:
    """A complete, valid index build of the secret article, outside INDEX_DIR."""
    secret_articles = layout.outside / "articles"
    secret_articles.mkdir()
    shutil.copy(layout.outside / "secret.txt", secret_articles)
    other = Engine(
        EngineConfig(articles_dir=secret_articles, index_dir=layout.outside / "index"),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    other.start()
    return store.current_build(layout.outside / "index")


@pytest.mark.parametrize(
    "pointer",
    ["../x", "../outside/index/build-x", "build-../../outside", "/etc/passwd", "build-\x00"],
)
def test_current_pointer_cannot_name_a_build_outside(layout: Layout, pointer: str) -> None:
    engine = layout.engine()
    engine.start()
    (layout.index / store.CURRENT).write_text(pointer + "\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        store.current_build(layout.index)
    with audited() as audit:
        layout.engine().start()  # rebuilds, logs why
    layout.check(audit)


@pytest.mark.parametrize("what", ["build", "corpus", "manifest", "pointer"])
def test_links_inside_index_dir_are_refused_not_followed(layout: Layout, what: str) -> None:
    """A build folder, an index file or CURRENT itself replaced by a link to a valid
    index outside: refused as damaged and rebuilt; the outside index is never read."""
    outside_build = build_outside_index(layout)
    engine = layout.engine()
    engine.start()
    build = store.current_build(layout.index)
    if what == "build":
        evil = layout.index / "build-99999999T999999-evil00"
        evil.symlink_to(outside_build, target_is_directory=True)
        (layout.index / store.CURRENT).write_text(evil.name + "\n", encoding="utf-8")
    elif what == "pointer":
        (layout.index / store.CURRENT).unlink()
        (layout.index / store.CURRENT).symlink_to(layout.outside / "index" / store.CURRENT)
    else:
        name = store.CORPUS if what == "corpus" else store.MANIFEST
        (build / name).unlink()
        (build / name).symlink_to(outside_build / name)
    with pytest.raises(IndexCorrupt, match="symbolic link"):
        store.load(layout.index, model=FakeEncoder.fingerprint, articles=None)
    fresh = layout.engine()
    with audited() as audit:
        fresh.start()
    layout.check(audit)
    assert_secret_not_indexed(fresh)
    assert (outside_build / store.CORPUS).is_file()  # and nothing outside was deleted


def test_planted_links_where_the_bot_writes_are_not_written_through(layout: Layout) -> None:
    """Links planted at the old pointer's temporary name and as old or stale builds: the
    rebuild writes a fresh pointer file, and pruning removes links, never their targets."""
    engine = layout.engine()
    engine.start()
    victim = layout.outside / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    (layout.index / ".CURRENT.tmp").symlink_to(victim)
    (layout.index / "build-00000000T000000-old000").symlink_to(
        layout.outside, target_is_directory=True
    )
    stale = layout.index / ".build-stale0"
    stale.symlink_to(layout.outside, target_is_directory=True)
    old = time.time() - 7200
    os.utime(layout.outside, (old, old))
    with audited() as audit:
        for _ in range(3):  # enough builds for pruning to run over the planted links
            engine.reindex()
    layout.check(audit)
    assert victim.read_text(encoding="utf-8") == "untouched\n"
    assert (layout.outside / "secret.txt").is_file()
    assert not (layout.index / store.CURRENT).is_symlink()
    assert store.current_build(layout.index).parent == layout.index
