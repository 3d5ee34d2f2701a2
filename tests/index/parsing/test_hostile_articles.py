"""Hostile article files: a clear per-file error or a correct index, never a crash.

Random bytes, empty files, BOM, CRLF, Latin-1, one 1 MB paragraph, thousands of tiny
paragraphs and quotes that never close. Each file either parses into an article whose
every paragraph and sentence is the slice of the text it claims to be, or is refused
with an ``ArticleError`` naming it; a rebuild over a bad file leaves the live index
exactly as it was (no half-written build). Timings are in ``bench/hostile_inputs.py``;
here the bounds are structural (how much text pysbd and the attributor get at once).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hostile import HOSTILE, any_character, check_article, check_quotes
from hypothesis import example, given
from hypothesis import strategies as st
from support import FakeEncoder

from index.engine import Engine, EngineConfig
from index.errors import ArticleError, BuildFailed
from index.parsing import ingest, sentences
from index.parsing.attribution import Attributor
from index.parsing.ingest import ATTRIBUTION_WINDOW, parse_article
from index.search import store

NAME = "hostile.txt"
QUOTE_MARKS = ["“", "”", '"', "‘", "’", "'", "«", "»", "„"]
PROSE = [
    "The embassy said it would close on Monday.",
    "“We will do everything we can,” said Peter Kyle, the Science Secretary.",
    "According to two US officials, the strike was expected.",
    "Mr. Peskov told reporters in the U.S. capital that 2.5 million people were safe.",
    "Photo: Reuters",
    "Subscribe to our newsletter.",
]
article_text = st.lists(
    st.one_of(
        st.sampled_from(PROSE),
        st.sampled_from(QUOTE_MARKS),
        st.sampled_from(["\n", "\n\n", "\n \n", " ", "\t", "\u00a0", "\u2028", "\x0c"]),
        st.text(any_character.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=12),
    ),
    max_size=80,
).map("".join)


def parse_or_refuse(data: bytes):
    """The article, or None when refused with a clear ArticleError naming the file."""
    error: ArticleError | None = None
    try:
        article = parse_article(NAME, data)
    except ArticleError as exc:
        error = exc
    if error is not None:
        assert error.path == NAME
        assert error.reason
        assert "\n" not in error.message
        return None
    check_article(article)
    return article


# ------------------------------------------------------------------ properties
@HOSTILE
@given(st.binary(max_size=3000))
@example(b"")
@example(b"\xef\xbb\xbf")  # a BOM and nothing else
@example(b"\xff\xfe\x00T\x00i\x00t\x00l\x00e")  # UTF-16
@example(b"\r\n\r\n\r\n")
@example(b"Title\r\rBody text without a blank line.\r")
def test_random_bytes_parse_or_get_a_clear_error(data: bytes) -> None:
    parse_or_refuse(data)


@HOSTILE
@given(article_text)
@example("Title\n\n“A quote that never closes, he said.\n\nAnd the next paragraph.")
@example("Title\n\n\"Straight quote never closed.\n\n'Single never closed.")
@example("Title\n\n‘Nested “double ‘single’ never closed.")
def test_any_text_gives_verbatim_paragraphs_and_sentences(text: str) -> None:
    article = parse_or_refuse(text.encode("utf-8"))
    if article is None:
        return
    if "\r" in text or text.startswith("\ufeff"):
        return
    # The same article with a BOM and Windows (or old Mac) line endings reads the same.
    for variant in (
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.replace("\n", "\r\n").encode("utf-8"),
        text.replace("\n", "\r").encode("utf-8"),
    ):
        other = parse_article(NAME, variant)
        assert [p.text for p in other.paragraphs] == [p.text for p in article.paragraphs]
        assert [s.text for s in other.sentences()] == [s.text for s in article.sentences()]
        assert [s.attribution for s in other.sentences()] == [
            s.attribution for s in article.sentences()
        ]


@HOSTILE
@given(article_text.filter(lambda t: t.isascii() is False))
def test_latin1_and_cp1252_files_read_as_the_same_text(text: str) -> None:
    for codec in ("cp1252", "latin-1"):
        if codec == "latin-1" and any("\x80" <= ch <= "\x9f" for ch in text):
            continue  # C1 controls: such bytes are read as Windows-1252 (€, “, …), rightly
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:
            continue
        try:
            data.decode("utf-8")
            continue  # happens to be valid UTF-8 too: it is read as UTF-8, rightly
        except UnicodeDecodeError:
            pass
        article = parse_or_refuse(data)
        if article is not None:
            assert article.text == text.replace("\r\n", "\n").replace("\r", "\n")


# ------------------------------------------------------------------ big and many
def test_thousands_of_tiny_paragraphs() -> None:
    body = "\n\n".join(f"Official {n} said “yes.”" for n in range(2000))
    article = parse_or_refuse(f"Many tiny paragraphs\n\n{body}\n".encode())
    assert article is not None
    assert len(article.paragraphs) == 2001
    assert len(article.sentences()) == 2000


def test_a_long_quote_heavy_paragraph_is_attributed_in_bounded_pieces(monkeypatch) -> None:
    """Attribution compares sentences pairwise (quadratic: a 100 kB paragraph of quotes
    took 93 s); a long paragraph goes in windows, with the same attributions."""
    rng = random.Random(7)
    body = " ".join(
        f"“{' '.join(rng.choice(PROSE[:4]).split()[:8])}” said official {n}."
        if n % 3
        else rng.choice(PROSE[:4])
        for n in range(300)
    )
    assert len(body) > 2 * ATTRIBUTION_WINDOW
    data = f"Title\n\n{body}\n".encode()
    sizes: list[int] = []
    attribute = Attributor.attribute

    def spy(self, paragraph, spans):
        sizes.append(len(paragraph))
        return attribute(self, paragraph, spans)

    monkeypatch.setattr(Attributor, "attribute", spy)
    article = parse_or_refuse(data)
    assert article is not None
    assert len(sizes) > 1
    assert max(sizes) <= 2 * ATTRIBUTION_WINDOW + sentences._MAX_CHUNK

    monkeypatch.setattr(ingest, "ATTRIBUTION_WINDOW", 10**9)  # the whole paragraph at once
    whole = parse_article(NAME, data)
    assert [s.attribution for s in article.sentences()] == [
        s.attribution for s in whole.sentences()
    ]


def test_pysbd_only_ever_sees_bounded_chunks(monkeypatch) -> None:
    """No sentence punctuation for 300 kB: pysbd still gets at most 5,000 characters."""
    seen: list[int] = []
    segmenter = sentences._segmenter()
    segment = type(segmenter).segment

    def spy(self, text):
        seen.append(len(text))
        return segment(self, text)

    monkeypatch.setattr(type(segmenter), "segment", spy)
    text = "word " * 60_000 + "“an open quote " * 100
    spans = sentences.split_sentences(text)
    assert max(seen) <= sentences._MAX_CHUNK
    assert spans[0][0] == 0
    assert all(text[a:b] == text[a:b].strip() and text[a:b] for a, b in spans)


# ------------------------------------------------------------------ through the engine
ONE_MB = ("word " * 209_716)[:1_048_576]
HOSTILE_FILES = {
    "random-bytes": bytes(random.Random(1).randrange(256) for _ in range(4096)),
    "empty": b"",
    "bom-only": b"\xef\xbb\xbf",
    "utf16": "Title\n\nThe embassy said so.\n".encode("utf-16"),
    "bom-crlf": b"\xef\xbb\xbfTitle\r\n\r\nThe embassy closed, officials said.\r\n",
    "latin1": "Caf\xe9 title\n\n\xabNous fermons\xbb, a dit le ministre \xe0 Kyiv.\n".encode(
        "latin-1"
    ),
    "never-closed": "Title\n\n“It will never close, said Peskov.\n\nNor will ‘this.\n".encode(),
    "one-mb-paragraph": f"A title\n\n{ONE_MB}\n".encode(),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Path, Path]:
    """An engine (fake encoder) over the bundled article, started, with its dirs."""
    from support import BUNDLED_ARTICLE

    root = tmp_path_factory.mktemp("hostile-corpus")
    articles, index_dir = root / "articles", root / "index"
    articles.mkdir()
    (articles / BUNDLED_ARTICLE.name).write_bytes(BUNDLED_ARTICLE.read_bytes())
    engine = Engine(
        EngineConfig(articles_dir=articles, index_dir=index_dir),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    engine.start()
    return engine, articles, index_dir


def index_state(index_dir: Path) -> tuple[str, list[str]]:
    return (index_dir / store.CURRENT).read_text(), sorted(p.name for p in index_dir.iterdir())


@pytest.mark.parametrize("kind", list(HOSTILE_FILES))
def test_rebuild_with_a_hostile_file_is_all_or_nothing(corpus, kind: str) -> None:
    engine, articles, index_dir = corpus
    path = articles / f"{kind}.txt"
    path.write_bytes(HOSTILE_FILES[kind])
    before = index_state(index_dir)
    live = engine.info()
    try:
        error: ArticleError | None = None
        try:
            engine.reindex()
        except BuildFailed as exc:
            failure = exc
            error = exc.__cause__  # type: ignore[assignment]
        if error is not None:
            assert failure.kind == "bad-article", failure.message
            assert isinstance(error, ArticleError)
            assert error.path == path.name
            assert index_state(index_dir) == before  # nothing written, nothing half-written
            assert engine.info() == live
            return
        # accepted: the saved index is whole, loads, and quotes this file verbatim
        checksums = {p.name: ingest.checksum(p.read_bytes()) for p in ingest.discover(articles)}
        loaded = store.load(index_dir, model=FakeEncoder.fingerprint, articles=checksums)
        parsed = {a.id: a for a in loaded.articles}
        check_article(parsed[path.name])
        first = next(s.text for s in parsed[path.name].sentences())
        question = " ".join(first[:200].split()[:12])
        if not any(ch.isalnum() for ch in question):
            question = "embassy"
        answer = engine.ask(question)
        check_quotes(answer, parsed)
    finally:
        path.unlink()
        engine.reindex()
