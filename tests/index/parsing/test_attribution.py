"""Attribution: a table of sentences in varied news styles and a whole second article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE, DATA

from index.parsing.attribution import Attributor
from index.parsing.ingest import read_article
from index.parsing.sentences import split_sentences

FIELDS = ("speaker", "role", "cue", "channel", "kind")
TABLE = [
    json.loads(line)
    for line in (DATA / "attribution" / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
SECOND = DATA / "attribution" / "second_article.md"
SECOND_EXPECTED = [
    json.loads(line)
    for line in (DATA / "attribution" / "second_article.expected.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


def attribute_in_context(case: dict) -> dict:
    attributor = Attributor()
    for paragraph in case["context"]:
        attributor.attribute(paragraph, split_sentences(paragraph))
    paragraph = case["paragraph"]
    spans = split_sentences(paragraph)
    results = attributor.attribute(paragraph, spans)
    at = paragraph.index(case["sentence"])
    (index,) = [i for i, (start, end) in enumerate(spans) if start <= at < end]
    got = results[index]
    return {field: getattr(got, field) for field in FIELDS}


def test_table_is_large_and_varied():
    """The table holds at least 40 cases covering all three kinds."""
    assert len(TABLE) >= 40
    assert {case["kind"] for case in TABLE} == {"direct", "reported", "narration"}


@pytest.mark.parametrize("case", TABLE, ids=[case["id"] for case in TABLE])
def test_sentence_table(case):
    """Each sentence gets the speaker, role, cue, channel and kind the conventions give."""
    assert attribute_in_context(case) == {field: case[field] for field in FIELDS}


@pytest.mark.parametrize(
    "row", SECOND_EXPECTED, ids=[f"p{r['paragraph']}-{r['sentence'][:24]}" for r in SECOND_EXPECTED]
)
def test_second_article(row):
    """A Markdown article in US style with single quotes and 'says' is attributed correctly."""
    article = read_article(SECOND)
    found = [s for s in article.sentences() if s.paragraph == row["paragraph"]]
    (sentence,) = [s for s in found if s.text == row["sentence"]]
    got = {field: getattr(sentence.attribution, field) for field in FIELDS}
    assert got == {field: row[field] for field in FIELDS}


def test_second_article_block_classes():
    """Captions and boilerplate blocks of the second article are recognised."""
    classes = json.loads((DATA / "attribution" / "second_article.classes.json").read_text())
    article = read_article(SECOND)
    for kind, numbers in classes.items():
        assert [p.number for p in article.paragraphs if p.kind == kind] == numbers


@pytest.mark.parametrize(
    ("paragraph", "speaker", "role", "channel", "kind"),
    [
        (9, "Peter Kyle", "Science Secretary", "on Times Radio", "direct"),
        (10, "Peter Kyle", "Science Secretary", "on Times Radio", "direct"),  # continuation
        (8, "US Travel State Department", None, "in a post on X", "direct"),  # continuation
        (18, "two US officials", None, None, "reported"),  # "the officials" resolved
        (23, "Dmitry Peskov", "Kremlin spokesman", None, "reported"),
        (13, None, None, None, "narration"),
    ],
)
def test_bundled_article_key_sentences(paragraph, speaker, role, channel, kind):
    """Continuations, back-references and titles resolve in the bundled article."""
    article = read_article(Path(BUNDLED_ARTICLE))
    for sentence in article.paragraph(paragraph).sentences:
        a = sentence.attribution
        assert (a.speaker, a.role, a.channel, a.kind) == (speaker, role, channel, kind)
