"""Several articles: catalog, the article filter, adding and removing articles safely."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE, DATA, FakeEncoder

from index.engine import Engine, EngineConfig
from index.errors import (
    ArticleError,
    BuildFailed,
    CorpusError,
    NotReady,
    ReindexInProgress,
    UnknownArticle,
)
from index.retrieval import article_filter
from index.retrieval.catalog import ArticleTable
from index.retrieval.retriever import Retriever
from index.search import store
from index.search.lexical import tokenize

KYIV = "us-embassy-kyiv-closes.txt"
FIRE = "second_article.md"
BRIDGE = b"Bridge reopens in Ashby\n\nThe Ashby bridge reopens on Friday, Mayor Ruth Kane said.\n"


def snapshot(folder: Path) -> dict[str, tuple[bytes, float]]:
    """Every file in ``folder`` (hidden ones too) with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime) for p in sorted(folder.iterdir())}


@pytest.fixture
def two_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copy(BUNDLED_ARTICLE, folder / KYIV)
    shutil.copy(DATA / "attribution" / FIRE, folder / FIRE)
    return folder


@pytest.fixture
def two(two_dir: Path, tmp_path: Path, fake_encoder: FakeEncoder) -> Engine:
    """A started engine over the bundled article and the wildfire article (fake encoder)."""
    engine = Engine(
        EngineConfig(articles_dir=two_dir, index_dir=tmp_path / "index"),
        encoder_factory=lambda spec: fake_encoder,
    )
    engine.start()
    return engine


# ------------------------------------------------------------------ catalog


def test_articles_lists_each_with_counts(two):
    """articles() names every indexed file with its title and quotable counts."""
    summaries = two.articles()
    assert [a.id for a in summaries] == [FIRE, KYIV]
    assert summaries[1].title.startswith("US embassy in Kyiv closes")
    assert sum(a.sentences for a in summaries) == two.info().sentences
    assert sum(a.paragraphs for a in summaries) == two.info().paragraphs


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("wild", [FIRE]), ("KYIV", [KYIV]), ("second", [FIRE]), ("", [FIRE, KYIV]), ("qq", [])],
)
def test_match_articles_by_title_or_id(two, typed, expected):
    """Autocomplete matches words of the title or the file name."""
    assert [a.id for a in two.match_articles(typed)] == expected


def test_paragraph_lookup(two):
    """paragraph() returns a block by number; a number out of range is a clear error."""
    assert two.paragraph(KYIV, 1).kind == "title"
    with pytest.raises(ArticleError, match="has no paragraph 99"):
        two.paragraph(KYIV, 99)
    with pytest.raises(UnknownArticle):
        two.paragraph("missing.txt", 1)


def test_not_ready_before_start(two_dir, tmp_path, fake_encoder):
    """Every new method says the index is still loading before start()."""
    engine = Engine(
        EngineConfig(articles_dir=two_dir, index_dir=tmp_path / "i"),
        encoder_factory=lambda spec: fake_encoder,
    )
    calls = [
        engine.articles,
        engine.speakers,
        lambda: engine.match_speakers("a"),
        lambda: engine.match_articles("a"),
        lambda: engine.quotes_by("Peter Kyle"),
        lambda: engine.ask("who?", article=KYIV),
        lambda: engine.add_article("x.txt", BRIDGE),
        lambda: engine.remove_article(KYIV),
    ]
    for call in calls:
        with pytest.raises(NotReady):
            call()


# ------------------------------------------------------------------ the filter


def test_filtered_ask_quotes_only_the_chosen_article(two):
    """With article:, every quote comes from that article; unknown names are refused."""
    question = "What did the fire chief say about the wind and the evacuation?"
    for article in (FIRE, KYIV):
        answer = two.ask(question, article=article)
        assert all(q.article_id == article for q in answer.quotes + answer.more)
    assert two.ask(question, article=FIRE).answered
    with pytest.raises(UnknownArticle, match=r"No article called .*\.$"):
        two.ask(question, article="nope.md")


def test_filter_by_title_is_case_insensitive(two):
    """The exact title, in any case, works as well as the file name."""
    title = next(a.title for a in two.articles() if a.id == FIRE)
    question = "How many homes were evacuated?"
    assert two.ask(question, article=title.lower()) == two.ask(question, article=FIRE)


def test_unfiltered_answers_are_unchanged(two):
    """No filter (or None filters) answers exactly as the plain retriever does."""
    questions = ["Who confirmed the nuclear response?", "How many homes were evacuated?"]
    plain = Retriever(two.search_index, two.encoder, two._live().config).ask_many(questions)
    assert two.ask_many(questions) == plain
    assert two.ask_many(questions, [None, None]) == plain
    assert [two.ask(q) for q in questions] == plain


def test_filter_on_the_answering_article_keeps_the_answer(two):
    """When the answer lies in one article, filtering to it changes nothing: same scores."""
    question = "Who confirmed the strike could be grounds for a nuclear response?"
    unfiltered = two.ask(question)
    assert {q.article_id for q in unfiltered.quotes} == {KYIV}
    assert two.ask(question, article=KYIV).quotes[0] == unfiltered.quotes[0]


def test_ask_many_mixes_filters_in_order(two):
    """Each question gets its own filter; answers come back in question order."""
    questions = ["How many homes were evacuated?", "Who confirmed the nuclear response?"] * 2
    articles = [FIRE, KYIV, None, FIRE]
    answers = two.ask_many(questions, articles)
    assert [a.question for a in answers] == questions
    assert answers[0] == two.ask(questions[0], article=FIRE)
    assert answers[1] == two.ask(questions[1], article=KYIV)
    assert answers[2] == two.ask(questions[2])
    assert all(q.article_id == FIRE for q in answers[3].quotes)


def test_multi_article_answer_names_each_article(two):
    """Unfiltered answers may quote several articles; each quote names its own."""
    titles = {a.id: a.title for a in two.articles()}
    answer = two.ask("What did officials say?")
    for quote in answer.quotes + answer.more:
        assert quote.article_title == titles[quote.article_id]


def make_corpus(folder: Path, fillers: int) -> None:
    folder.mkdir()
    for i in range(fillers):
        lines = [f"Council report number {i}"]
        for j in range(6):
            lines.append(
                f"The council said the harbour budget for district {i} rose by {j} percent. "
                f"Officials said the harbour plan {i}-{j} would be reviewed."
            )
        (folder / f"filler-{i:02d}.txt").write_text("\n\n".join(lines))
    (folder / "tiny.txt").write_text(
        "Lighthouse keeper retires\n\n"
        "The harbour lighthouse keeper, Ada Crane, retired on Monday after forty years.\n"
    )


@pytest.mark.parametrize("exact_rows", [article_filter.EXACT_ROWS, 0])
def test_small_article_in_a_big_corpus_still_gets_candidates(
    tmp_path, fake_encoder, monkeypatch, exact_rows
):
    """A one-sentence article among many similar ones is found when filtered to it.

    Both ways of finding dense neighbours are exercised: exact over the article's rows,
    and the widened corpus-wide search used for large allow-lists.
    """
    monkeypatch.setattr(article_filter, "EXACT_ROWS", exact_rows)
    make_corpus(tmp_path / "corpus", fillers=30)
    engine = Engine(
        EngineConfig(articles_dir=tmp_path / "corpus", index_dir=tmp_path / "i"),
        encoder_factory=lambda spec: fake_encoder,
    )
    engine.start()
    index, retriever = engine.search_index, engine._live()
    tiny = next(i for i, a in enumerate(index.articles) if a.id == "tiny.txt")
    table = ArticleTable(index)
    filtered = article_filter.FilteredRetriever(
        index,
        engine.encoder,
        retriever.config,
        table.sentence_rows[tiny],
        table.paragraph_rows[tiny],
    )
    question = "What did officials say about the harbour budget?"
    vector, tokens = engine.encoder.encode([question]), tokenize(question)
    assert tiny not in {
        index.sentence_refs[r].article for r in retriever.candidate_rows(tokens, vector)
    }
    assert filtered.candidate_rows(tokens, vector) == table.sentence_rows[tiny]
    answer = engine.ask("When did the harbour lighthouse keeper retire?", article="tiny.txt")
    assert answer.answered
    assert [q.article_id for q in answer.quotes] == ["tiny.txt"]


# ------------------------------------------------------------------ add / remove


def test_add_article_indexes_it(two, two_dir):
    """A new .txt is stored, indexed and answerable; the report counts it."""
    report = two.add_article("bridge.txt", BRIDGE)
    assert report.articles == 3
    assert (two_dir / "bridge.txt").read_bytes() == BRIDGE
    answer = two.ask("When does the Ashby bridge reopen?", article="bridge.txt")
    assert answer.answered
    assert answer.quotes[0].attribution.speaker == "Ruth Kane"
    assert not two.reindexing
    assert not [p for p in two_dir.iterdir() if p.name.startswith(".")]


def test_add_article_replaces_a_same_named_one(two, two_dir):
    """Uploading a file with an existing name replaces that article."""
    two.add_article("bridge.txt", BRIDGE)
    newer = BRIDGE.replace(b"Friday", b"Sunday")
    two.add_article("bridge.txt", newer)
    assert (two_dir / "bridge.txt").read_bytes() == newer
    assert len(two.articles()) == 3
    quotes = two.quotes_by("Ruth Kane")
    assert [q.text for q in quotes] == ["The Ashby bridge reopens on Sunday, Mayor Ruth Kane said."]


def test_add_html_is_stored_as_markdown(two, two_dir):
    """An HTML upload is stored as <stem>.md and quoted verbatim from that file."""
    page = (
        b"<html><head><title>Ashby bridge</title></head><body><article>"
        b"<h1>Ashby bridge reopens</h1><p>The Ashby bridge reopens on Friday, Mayor Ruth "
        b"Kane said.</p><p>Engineers said the repairs cost two million pounds.</p>"
        b"</article></body></html>"
    )
    two.add_article("bridge.html", page)
    stored = (two_dir / "bridge.md").read_text(encoding="utf-8")
    assert not (two_dir / "bridge.html").exists()
    quote = two.quotes_by("Ruth Kane", article="bridge.md")[0]
    assert stored[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    ("name", "data"),
    [("bad.pdf", BRIDGE), ("bad.txt", b""), ("../bad.txt", BRIDGE), ("bad.txt", b"\x00\x01")],
)
def test_bad_upload_changes_nothing(two, two_dir, fake_encoder, name, data):
    """A rejected file leaves ARTICLES_DIR, the index and the encoder untouched."""
    before, info, calls = snapshot(two_dir), two.info(), fake_encoder.calls
    with pytest.raises(ArticleError):
        two.add_article(name, data)
    assert snapshot(two_dir) == before
    assert two.info() == info
    assert fake_encoder.calls == calls


@pytest.mark.parametrize("existing", [False, True])
def test_failed_rebuild_after_write_restores_the_folder(two, two_dir, monkeypatch, existing):
    """If the rebuild fails after the file was written, the folder is restored exactly."""
    if existing:
        two.add_article("bridge.txt", BRIDGE)
        os.utime(two_dir / "bridge.txt", (1_000_000, 1_000_000))
    before, info = snapshot(two_dir), two.info()

    def full_disk(index, index_dir):
        raise store.IndexWriteError("cannot save the new index in INDEX_DIR (disk full)")

    monkeypatch.setattr(store, "save", full_disk)
    with pytest.raises(BuildFailed, match=r"disk full\). The previous index is still serving"):
        two.add_article("bridge.txt", BRIDGE.replace(b"Friday", b"Monday"))
    assert snapshot(two_dir) == before
    assert two.info() == info
    assert not two.reindexing


def test_another_bad_file_fails_the_upload_and_names_it(two, two_dir):
    """A broken article already in the folder fails the rebuild; the upload is undone."""
    (two_dir / "broken.txt").write_bytes(b"\x00\x00")
    before = snapshot(two_dir)
    with pytest.raises(BuildFailed, match=r"bad article broken\.txt") as failed:
        two.add_article("bridge.txt", BRIDGE)
    assert "bridge.txt" not in str(failed.value)  # said after the upload was undone
    assert snapshot(two_dir) == before


def test_upload_refused_while_a_reindex_runs(two, two_dir):
    """Adding or removing during a rebuild is refused, and the folder is not touched."""
    entered, release = threading.Event(), threading.Event()
    original = two.encoder.encode

    def slow_encode(texts):
        entered.set()
        release.wait(5)
        return original(texts)

    two.encoder.encode = slow_encode
    worker = threading.Thread(target=two.reindex)
    worker.start()
    assert entered.wait(5)
    try:
        before = snapshot(two_dir)
        with pytest.raises(ReindexInProgress):
            two.add_article("bridge.txt", BRIDGE)
        with pytest.raises(ReindexInProgress):
            two.remove_article(FIRE)
        assert snapshot(two_dir) == before
    finally:
        release.set()
        worker.join(5)
    assert not two.reindexing


def test_remove_article(two, two_dir):
    """Removing deletes the file and drops the article from the index."""
    report = two.remove_article(FIRE)
    assert report.articles == 1
    assert [a.id for a in two.articles()] == [KYIV]
    assert sorted(p.name for p in two_dir.iterdir()) == [KYIV]
    with pytest.raises(UnknownArticle):
        two.ask("How many homes were evacuated?", article=FIRE)


def test_remove_by_title(two, two_dir):
    """An article can be removed by its title too."""
    title = next(a.title for a in two.articles() if a.id == FIRE)
    two.remove_article(title)
    assert not (two_dir / FIRE).exists()


def test_remove_unknown_and_last(two, two_dir):
    """An unknown article is refused; so is removing the only one left."""
    with pytest.raises(UnknownArticle):
        two.remove_article("nope.txt")
    two.remove_article(FIRE)
    with pytest.raises(CorpusError, match="at least one"):
        two.remove_article(KYIV)
    assert (two_dir / KYIV).exists()


def test_failed_rebuild_after_remove_restores_the_file(two, two_dir, monkeypatch):
    """If the rebuild fails after the file was taken out, it is put back exactly."""
    os.utime(two_dir / FIRE, (1_000_000, 1_000_000))
    before, info = snapshot(two_dir), two.info()

    def full_disk(index, index_dir):
        raise store.IndexWriteError("cannot save the new index in INDEX_DIR (disk full)")

    monkeypatch.setattr(store, "save", full_disk)
    with pytest.raises(BuildFailed, match="no article has changed since"):
        two.remove_article(FIRE)
    assert snapshot(two_dir) == before
    assert two.info() == info


# ------------------------------------------------------------------ real model


@pytest.mark.model
def test_real_model_filter_quotes_only_the_chosen_article(two_dir, tmp_path, real_encoder):
    """With the real model and two articles, a filtered ask quotes only the chosen one."""
    engine = Engine(
        EngineConfig(articles_dir=two_dir, index_dir=tmp_path / "real"),
        encoder_factory=lambda spec: real_encoder,
    )
    engine.start()
    fire = engine.ask("Who ordered the evacuations and why?", article=FIRE)
    assert fire.answered
    assert {q.article_id for q in fire.quotes + fire.more} == {FIRE}
    kyiv = engine.ask("What did the Kremlin say about a nuclear response?", article=KYIV)
    assert kyiv.answered
    assert {q.article_id for q in kyiv.quotes + kyiv.more} == {KYIV}
    assert kyiv.quotes[0].attribution.speaker == "Dmitry Peskov"
    # the same Kyiv question filtered to the wildfire story must not quote Kyiv
    elsewhere = engine.ask("What did the Kremlin say about a nuclear response?", article=FIRE)
    assert all(q.article_id == FIRE for q in elsewhere.quotes + elsewhere.more)
    unfiltered = engine.ask("What did the Kremlin say about a nuclear response?")
    assert unfiltered.quotes[0].attribution.speaker == "Dmitry Peskov"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nope.txt", "No article called 'nope.txt'."),
        (
            "No article called 'x'.",
            "No article called 'x'.",
        ),
        ("a\n  b", "No article called 'a b'."),
    ],
)
def test_unknown_article_message(given, message):
    """The error reads the same whether built from a name or from a ready message."""
    assert str(UnknownArticle(given)) == message


def test_article_lookup_by_id_or_title(tmp_path):
    """``Engine.article`` finds an article by file name or title and refuses unknown names."""
    engine = Engine(
        EngineConfig(articles_dir=BUNDLED_ARTICLE.parent, index_dir=tmp_path / "index"),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    engine.start()
    found = engine.article("us-embassy-kyiv-closes.txt")
    assert engine.article(found.title.upper()) == found
    with pytest.raises(UnknownArticle, match="No article called"):
        engine.article("no-such-story.txt")
