"""Ingest: decoding, blocks, titles and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE

from index.errors import ArticleError, CorpusError
from index.parsing.ingest import discover, parse_article, read_article, read_corpus

ARTICLE = "Title line\n\nFirst paragraph. It has two sentences.\n\nSecond “quoted” paragraph.\n"


def test_bundled_article_blocks_and_verbatim_sentences():
    """Every sentence of the bundled article is a verbatim slice at its paragraph."""
    article = read_article(BUNDLED_ARTICLE)
    raw = BUNDLED_ARTICLE.read_text(encoding="utf-8")
    assert article.title == "US embassy in Kyiv closes after warning of 'significant air attack'"
    assert [p.kind for p in article.paragraphs].count("caption") == 2
    assert [p.kind for p in article.paragraphs][-2:] == ["boilerplate", "boilerplate"]
    blocks = [b.strip() for b in raw.split("\n\n") if b.strip()]
    for paragraph in article.paragraphs:
        assert paragraph.text == blocks[paragraph.number - 1]
        for sentence in paragraph.sentences:
            assert raw[sentence.start : sentence.end] == sentence.text
            assert sentence.text in paragraph.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (bytes(range(1, 32)) * 50, "binary"),
        (b"123 456\n\n789", "no words"),
        (b"Only a title", "no body"),
    ],
)
def test_bad_files_get_clear_errors(data, message):
    """Empty, binary and title-only files are refused with a reason."""
    with pytest.raises(ArticleError, match=message):
        parse_article("bad.txt", data)


@pytest.mark.parametrize(
    "data",
    [
        ARTICLE.encode("utf-8"),
        b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"),  # BOM
        ARTICLE.replace("\n", "\r\n").encode("utf-8"),  # CRLF
        ARTICLE.replace("“", '"').replace("”", '"').encode("latin-1"),
    ],
    ids=["utf8", "bom", "crlf", "latin1"],
)
def test_encodings_and_line_endings(data):
    """BOM, CRLF and Latin-1 files parse to the same blocks and sentences."""
    article = parse_article("a.txt", data)
    assert article.title == "Title line"
    assert [p.number for p in article.paragraphs] == [1, 2, 3]
    assert [s.text for s in article.paragraph(2).sentences] == [
        "First paragraph.",
        "It has two sentences.",
    ]


def test_markdown_heading_title():
    """A Markdown heading gives the title without its hashes."""
    article = parse_article("a.md", b"# A Heading\n\nBody text here.")
    assert article.title == "A Heading"


def test_missing_and_empty_dirs(tmp_path: Path):
    """A missing ARTICLES_DIR, or one with no articles, is a corpus error."""
    with pytest.raises(CorpusError, match="does not exist"):
        discover(tmp_path / "nope")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match="no article"):
        discover(tmp_path)


def test_symlink_outside_is_skipped(tmp_path: Path):
    """A link that points outside ARTICLES_DIR is not read."""
    outside = tmp_path / "outside.txt"
    outside.write_text(ARTICLE)
    inside = tmp_path / "articles"
    inside.mkdir()
    (inside / "real.txt").write_text(ARTICLE)
    (inside / "link.txt").symlink_to(outside)
    assert [p.name for p in discover(inside)] == ["real.txt"]


def test_one_bad_file_fails_the_corpus(articles_dir: Path):
    """A corpus read stops at a bad file, naming it."""
    (articles_dir / "broken.txt").write_bytes(b"\x00\x00")
    with pytest.raises(ArticleError, match=r"broken\.txt"):
        read_corpus(articles_dir)
