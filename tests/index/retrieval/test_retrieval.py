"""Retrieval with the fake encoder: validation, verbatim quotes, abstention, limits."""

from __future__ import annotations

import numpy as np
import pytest
from support import BUNDLED_ARTICLE

from index.errors import InvalidQuestion
from index.retrieval.retriever import MAX_QUESTION_CHARS, clean_question, validate_question


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * (MAX_QUESTION_CHARS + 1), "characters long"),
        ("?!?! ...", "no letters"),
        ("*** ~~ `` __", "no letters"),
        ("\u200b\u200f\u202e", "no letters"),
    ],
)
def test_invalid_questions(question, reason):
    """Empty, huge and wordless questions get a clear reason."""
    with pytest.raises(InvalidQuestion, match=reason):
        validate_question(question)


def test_clean_question_strips_markup():
    """Markdown marks and invisible characters do not reach the ranker (Discord's mention
    syntax is removed by the bot: tests/bot/test_answer_flow.py)."""
    assert clean_question("**who** said\u200b `it`?") == "who said it ?"


def test_answers_are_verbatim(fake_engine):
    """Each quote is the article's text at the quote's offsets, in its paragraph."""
    raw = BUNDLED_ARTICLE.read_text(encoding="utf-8")
    answer = fake_engine.ask("What did Dmitry Peskov confirm about a nuclear response?")
    assert answer.answered
    assert answer.quotes[0].attribution.speaker == "Dmitry Peskov"
    for quote in answer.quotes:
        assert raw[quote.start : quote.end] == quote.text
        paragraph = fake_engine.search_index.articles[0].paragraph(quote.paragraph)
        assert quote.text in paragraph.text
        assert paragraph.kind == "body"


@pytest.mark.model
def test_unrelated_question_abstains(real_engine):
    """A question sharing no words with the article gets no quote."""
    answer = real_engine.ask("best sourdough recipe for beginners")
    assert not answer.answered
    assert answer.confidence == "none"
    assert answer.quotes == ()


def test_top_k_and_no_duplicates(fake_engine):
    """At most TOP_K quotes, never the same sentence twice, ranked by score."""
    answer = fake_engine.ask("anti-personnel mines Ukraine Biden administration")
    assert 1 <= len(answer.quotes) <= 3
    texts = [q.text for q in answer.quotes + answer.more]
    assert len(texts) == len(set(texts))
    scores = [q.score for q in answer.quotes]
    assert scores == sorted(scores, reverse=True)


def test_caption_is_never_quoted(fake_engine):
    """A question matching a photo caption word for word quotes the body, not the caption."""
    answer = fake_engine.ask(
        "President Joe Biden and Ukrainian President Volodymyr Zelenskyy in 2023"
    )
    for quote in answer.quotes:
        assert "Credit: AP" not in quote.text


def test_json_shape(fake_engine):
    """Answer.to_dict has exactly the documented fields."""
    data = fake_engine.ask("Who closed the embassy in Kyiv?").to_dict()
    assert set(data) == {"question", "answered", "confidence", "note", "who", "quotes"}
    assert data["confidence"] in ("high", "low", "none")
    assert data["answered"] == (data["confidence"] == "high")
    for quote in data["quotes"]:
        assert {
            "text",
            "speaker",
            "role",
            "cue",
            "channel",
            "kind",
            "article",
            "paragraph",
            "score",
        } <= set(quote)
        assert isinstance(quote["paragraph"], int)
        assert quote["paragraph"] >= 1


@pytest.mark.parametrize(
    ("scores", "k"),
    [
        ([3.0, 1.0, 2.0, 5.0, 4.0], 2),
        ([1.0, 2.0, 2.0, 2.0, 0.0, 2.0], 3),  # ties at the cut go to the lower rows
        ([0.0, 0.0, 0.0], 2),
        ([1.0, 2.0], 5),  # k above the table size
    ],
)
def test_top_rows_is_a_stable_partial_sort(scores, k):
    """top_rows picks what a stable full sort picks, in the same order."""
    from index.retrieval.retriever import top_rows

    values = np.asarray(scores, dtype=np.float32)
    assert top_rows(values, k).tolist() == np.argsort(-values, kind="stable")[:k].tolist()


@pytest.mark.parametrize(
    "question",
    ["Who confirmed the nuclear response?", "When did the embassy close?", "how many mines"],
)
def test_skipping_zero_weight_features_keeps_the_ranking(fake_engine, question):
    """Ranking with only the weighted features equals ranking with all of them."""
    retriever = fake_engine._live()
    vector = retriever.encoder.encode([question])
    rows, full = retriever.features(question, vector)
    weights = np.asarray(retriever.config.weights, dtype=np.float32)
    expected = [rows[i] for i in np.argsort(-(full @ weights), kind="stable")]
    ranked = retriever.candidates(question, vector)
    assert [retriever.index.sentence_refs.index(c.ref) for c in ranked] == expected
    assert [c.score for c in ranked] == sorted((full @ weights).tolist(), reverse=True)
