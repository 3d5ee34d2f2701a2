"""Bad input for the attributor: odd articles parse, never crash, stay verbatim.

Articles with no quotes, only quotes, unbalanced or mixed quote marks, very long
paragraphs, non-Latin scripts and control characters go through the whole parser
(``parse_article``) and the file view (``attribute_file``): every sentence is the slice
of the text it claims, every attribution is well formed, and offsets into the raw file
(BOM, CRLF) give back the same sentence text. Timings belong to ``bench/``, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import HOSTILE, check_article
from hypothesis import example, given
from hypothesis import strategies as st

from index.errors import ArticleError
from index.parsing.attribute_files import attribute_file, offset_map, raw_text
from index.parsing.attribution.quotes import find_quotes
from index.parsing.ingest import parse_article

MARKS = ['"', "“", "”", "‘", "’", "'", "''", "``", "«", "»", "„", "‹", "›", "‚"]
PIECES = [
    "Ana Ruiz said",
    "said the minister",
    ", according to officials",
    "She told reporters that",
    "Mr. Lee, a nurse, said:",
    "who said",
    "the so-called",
    "declared",
    "Sen. Jo Fenn (D-Ore.)",
    " and ",
    ". ",
    ", ",
    ": ",
    " — ",
]
BAD_INPUT = {
    "no-quotes": "Title\n\nThe council met on Monday. It voted to close the pool.\n",
    "only-quotes": 'Title\n\n“Go home.”\n\n“Now.” “Then come back.”\n\n"Why?"\n',
    "unbalanced": "Title\n\n“It never ends, she said.\n\nNext paragraph, said Ana Ruiz.\n",
    "stray-closers": "Title\n\nHe said” it was fine’ and left». Then ” again.\n",
    "mixed-marks": "Title\n\n“Mixed\" marks ‘here’' and «there“, said Jo Lee.\n",
    "doubled-singles-unclosed": "Title\n\n''It runs on, said Ana Ruiz.\n\n''And on.\n",
    "very-long-paragraph": "Title\n\n"
    + " ".join(f"“Point {n},” said official {n}." for n in range(1500))
    + "\n",
    "long-paragraph-one-open-quote": "Title\n\n“" + "word " * 20000 + "\n",
    "non-latin": "Заголовок\n\n«Мы остаемся», — сказал министр. 他说：“我们留下。”\n",
    "right-to-left": "عنوان\n\nقال الوزير: «سنبقى هنا». שלום, אמר הוא.\n",
    "control-characters": "Title\n\nThe mayor\x07 said\x0b the \x1b[31mroad\x1b[0m is shut.\n",
    "zero-width": "Title\n\nAna\u200b Ruiz said\u200d the “plan\u2060” failed.\n",
    "marks-only": "Title\n\n“ ” ‘ ’ \" ' « » „ “\n",
    "cue-words-only": "Title\n\nsaid said told according to said.\n",
}


def parse_or_refuse(name: str, data: bytes):
    """The parsed article, or None when refused with a one-line ``ArticleError``."""
    error: ArticleError | None = None
    try:
        article = parse_article(name, data)
    except ArticleError as exc:
        error = exc
    if error is not None:
        assert "\n" not in str(error)
        return None
    check_article(article)
    return article


def check_file(path: Path) -> None:
    """The file view: offsets into the raw file give each sentence's text back."""
    result = attribute_file(path)
    raw = raw_text(path.read_bytes())
    for sentence in result.sentences:
        assert raw[sentence.start : sentence.end] == sentence.text
        assert sentence.text.strip()


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_bad_input_parses_verbatim(name: str, tmp_path: Path) -> None:
    """Each odd article is parsed (or refused with one clear line), and stays verbatim."""
    data = BAD_INPUT[name].encode("utf-8")
    article = parse_or_refuse(f"{name}.txt", data)
    if article is None:
        return
    for paragraph in article.paragraphs:
        for a, b in find_quotes(paragraph.text).spans:  # a quote never leaves its paragraph
            assert 0 <= a < b <= len(paragraph.text)
    for variant, raw in {
        "plain": data,
        "bom-crlf": b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
        "cr": data.replace(b"\n", b"\r"),
    }.items():
        path = tmp_path / f"{name}-{variant}.txt"
        path.write_bytes(raw)
        check_file(path)


def test_unclosed_quote_does_not_reach_the_next_paragraph() -> None:
    article = parse_article("open.txt", BAD_INPUT["unbalanced"].encode())
    last = article.paragraphs[-1].sentences[0]
    assert last.attribution.speaker == "Ana Ruiz"
    assert last.attribution.kind == "reported"


article_text = st.lists(
    st.one_of(
        st.sampled_from(MARKS),
        st.sampled_from(PIECES),
        st.sampled_from(["\n", "\n\n", "\r\n", "\r\n\r\n", "\t", "\u00a0", "\x0b", "\x07"]),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=10),
        st.sampled_from(["Ана Руис сказала", "王说", "قال", "Ruiz"]),
    ),
    max_size=60,
).map(lambda pieces: "Title\n\n" + "".join(pieces))


@HOSTILE
@given(article_text, st.booleans())
@example("Title\n\n''It never closes, said Ruiz.\n\n''Nor this.", False)
@example("Title\n\n„Half“ open » and ‹ shut", True)
@example("Title\n\n``Fine,'' said Jo Lee, who \x07 said \"so.", True)
def test_any_marks_and_scripts_stay_verbatim(text: str, bom: bool) -> None:
    """Random mixes of every quote mark, cue words, scripts and controls never break."""
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    article = parse_or_refuse("random.txt", data)
    if article is None:
        return
    raw = data.decode("utf-8")
    positions = offset_map(raw)
    assert len(positions) == len(article.text) + 1
    for sentence in article.sentences():
        start, end = positions[sentence.start], positions[sentence.end - 1] + 1
        assert raw[start:end].replace("\r\n", "\n").replace("\r", "\n") == sentence.text
