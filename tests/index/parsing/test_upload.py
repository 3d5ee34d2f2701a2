"""Upload validation, HTML extraction and atomic placement in ARTICLES_DIR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.errors import ArticleError
from index.parsing import upload
from index.parsing.upload import MAX_UPLOAD_BYTES

GOOD = (
    b'Bridge reopens\n\nThe mayor said the bridge reopens on Friday.\n\n"It is safe," she said.\n'
)

PAGE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Riverside flood: homes evacuated | Example News</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Riverside flood forces 200 families from their homes</h1>
<p>The Elk River burst its banks on Tuesday, flooding <b>200 homes</b> in the low-lying
east end of Riverside.</p>
<p>\xe2\x80\x9cWe have never seen water rise this fast,\xe2\x80\x9d said Mayor Linda Okafor.</p>
<p>Officials said the clean-up would take at least three weeks.</p>
</article>
<footer><p>Copyright 2024 Example News. All rights reserved.</p></footer>
</body></html>"""


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("", GOOD, "no name"),
        ("   ", GOOD, "no name"),
        ("a" * 98 + ".txt", GOOD, "too long"),
        ("../escape.txt", GOOD, "path"),
        ("sub/dir.txt", GOOD, "path"),
        ("back\\slash.md", GOOD, "path"),
        (".hidden.txt", GOOD, "dot"),
        ("bell\x07.txt", GOOD, "control"),
        ("rtl\u202etxt.md", GOOD, "control"),
        (" padded.txt", GOOD, "space"),
        ("notes.pdf", GOOD, "only .txt, .md, .html or .htm"),
        ("archive.txt.zip", GOOD, "only .txt"),
        ("noextension", GOOD, "only .txt"),
        (".txt", GOOD, "dot"),
        ("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1), "too large"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\n \t\n", "empty"),
        ("binary.txt", b"PK\x03\x04\x00\x00binary", "binary"),
        ("controls.txt", bytes(range(1, 9)) * 40 + b" words", "binary"),
        ("digits.txt", b"12345 67890\n\n111 222", "no words"),
        ("title-only.txt", b"Just a title line\n", "no body paragraphs"),
        ("captions.md", b"Title\n\nA photo of the bridge. Credit: AP\n", "no body paragraphs"),
        ("empty.html", b"<html><body></body></html>", "no article text"),
        ("nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article"),
        ("binary.htm", b"\x00\x01\x02<html>", "binary"),
        ("script.html", b"<html><body><script>var a = 1;</script></body></html>", "no article"),
    ],
)
def test_bad_uploads_are_rejected_with_a_reason(filename, data, reason):
    """Each bad name, size or content raises ArticleError naming the reason in one line."""
    with pytest.raises(ArticleError, match=reason) as caught:
        upload.prepare(filename, data)
    assert "\n" not in str(caught.value)
    if filename.strip() and len(filename) < 60:  # the file is named as it was uploaded
        assert caught.value.path == upload.shown_name(filename)


@pytest.mark.parametrize("name", ["story.txt", "Story.MD", "page.html", "page.HTM", "a b.txt"])
def test_good_names_pass(name):
    """Ordinary names with an accepted extension (any case) are kept as they are."""
    assert upload.check_name(name) == name


def test_text_upload_is_stored_byte_for_byte():
    """A .txt or .md upload is stored unchanged, so quotes are slices of what was sent."""
    prepared = upload.prepare("bridge.txt", GOOD)
    assert prepared.name == "bridge.txt"
    assert prepared.data == GOOD
    assert not prepared.converted
    assert prepared.article.title == "Bridge reopens"


def test_html_becomes_markdown_with_title_and_paragraphs():
    """An HTML page keeps its main text only, stored as <stem>.md, one block per paragraph."""
    prepared = upload.prepare("riverside.html", PAGE)
    assert prepared.name == "riverside.md"
    assert prepared.converted
    text = prepared.data.decode("utf-8")
    blocks = text.strip().split("\n\n")
    assert blocks[0] == "Riverside flood forces 200 families from their homes"
    assert blocks[1].startswith("The Elk River burst its banks on Tuesday")
    assert "Home" not in text
    assert "Copyright" not in text
    article = prepared.article
    assert article.title == blocks[0]
    speakers = {s.attribution.speaker for s in article.sentences()}
    assert "Linda Okafor" in speakers
    for sentence in article.sentences():  # every quote is a verbatim slice of the file
        assert text[sentence.start : sentence.end] == sentence.text


def test_place_new_file_and_roll_back(tmp_path: Path):
    """A new file is written whole; rolling back leaves no trace."""
    placed = upload.place(tmp_path, "new.txt", GOOD)
    assert (tmp_path / "new.txt").read_bytes() == GOOD
    placed.rollback()
    assert list(tmp_path.iterdir()) == []


def test_place_replacement_and_roll_back_restores_the_old_file(tmp_path: Path):
    """Replacing keeps the old file aside; rollback puts back its bytes and mtime."""
    old = tmp_path / "story.md"
    old.write_bytes(b"old text")
    os.utime(old, (1_000_000, 1_000_000))
    placed = upload.place(tmp_path, "story.md", GOOD)
    assert old.read_bytes() == GOOD
    hidden = [p.name for p in tmp_path.iterdir() if p.name != "story.md"]
    assert all(name.startswith(".") for name in hidden)  # indexing ignores the backup
    placed.rollback()
    assert old.read_bytes() == b"old text"
    assert old.stat().st_mtime == 1_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["story.md"]


def test_place_commit_drops_the_backup(tmp_path: Path):
    """After commit only the new file remains."""
    (tmp_path / "story.md").write_bytes(b"old text")
    upload.place(tmp_path, "story.md", GOOD).commit()
    assert [p.name for p in tmp_path.iterdir()] == ["story.md"]
    assert (tmp_path / "story.md").read_bytes() == GOOD


def test_take_out_and_roll_back(tmp_path: Path):
    """Removing moves the file aside; rollback restores it, commit deletes it."""
    path = tmp_path / "story.md"
    path.write_bytes(GOOD)
    placed = upload.take_out(path)
    assert not path.exists()
    placed.rollback()
    assert path.read_bytes() == GOOD
    upload.take_out(path).commit()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_the_folder_unchanged(tmp_path: Path, monkeypatch):
    """A write error (a full disk) removes the temporary file and keeps the old article."""
    (tmp_path / "story.md").write_bytes(b"old text")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(upload.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        upload.place(tmp_path, "story.md", GOOD)
    assert [p.name for p in tmp_path.iterdir()] == ["story.md"]
    assert (tmp_path / "story.md").read_bytes() == b"old text"


PROSE = [
    "<p>The council said the bridge would reopen on Friday.</p>",
    "<p>“We are delighted,” said Mayor Ruth Kane.</p>",
    "<h1>Bridge reopens</h1>",
    "<title>Bridge | News</title>",
    "<script>alert(1)</script>",
    "<div>",
    "</div>",
    "<p>",
    "&amp;",
    "<!--",
    "<![CDATA[",
    "\x00",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.one_of(st.sampled_from(PROSE), st.text(max_size=10)), max_size=30),
    suffix=st.sampled_from([".html", ".htm", ".txt", ".md"]),
)
def test_any_upload_is_prepared_or_refused_cleanly(parts, suffix):
    """Whatever the bytes, an upload is either prepared (quotes are slices) or refused."""
    data = "".join(parts).encode("utf-8", "surrogatepass")
    error: ArticleError | None = None
    try:
        prepared = upload.prepare("fuzz" + suffix, data)
    except ArticleError as exc:
        error = exc
    if error is not None:
        assert error.reason
        assert "\n" not in str(error)
        return
    text = prepared.data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    assert prepared.article.text == text
    for sentence in prepared.article.sentences():
        assert text[sentence.start : sentence.end] == sentence.text


def test_html_with_only_a_title_is_named_as_uploaded():
    """An HTML page whose text is a title and a caption is refused under its own name."""
    page = b"<html><body><article><h1>Just a headline</h1><p>Photo: Reuters</p></article></body>"
    with pytest.raises(ArticleError, match=r"^headline\.html: ") as caught:
        upload.prepare("headline.html", page)
    assert caught.value.reason
