"""Hostile questions: any Unicode, invisible and RTL characters, Markdown, mentions, emoji,
punctuation and over-long text. Each gets a clear result (an answer, an explicit "not in
the article", or one short ``InvalidQuestion`` message), never a crash; every quote is a
verbatim slice of its article at its paragraph; every reply the bot would build from the
answer fits Discord's limits. The fake encoder keeps this fast; a handful of the same
inputs go through the emulator's DM path in tests/bot/test_e2e_hostile.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile import HOSTILE, check_quotes, questions
from hypothesis import example, given
from support import BUNDLED_ARTICLES, DATA, FakeEncoder, assert_embed_within_limits

from bot.render.answer import answer_card, answer_messages, render_text
from bot.replies import to_embed
from index.engine import Engine, EngineConfig
from index.errors import InvalidQuestion
from index.models import Answer, Article
from index.retrieval.retriever import MAX_QUESTION_CHARS


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Two articles (the bundled one and the Markdown test article), fake encoder."""
    root = tmp_path_factory.mktemp("hostile-questions")
    shutil.copytree(BUNDLED_ARTICLES, root / "articles")
    shutil.copy(DATA / "attribution" / "second_article.md", root / "articles")
    engine = Engine(
        EngineConfig(articles_dir=root / "articles", index_dir=root / "index"),
        encoder_factory=lambda spec: FakeEncoder(),
    )
    engine.start()
    return engine


@pytest.fixture(scope="module")
def articles(engine: Engine) -> dict[str, Article]:
    return {a.id: a for a in engine.search_index.articles}


def assert_fits_discord(answer: Answer) -> None:
    assert_embed_within_limits(to_embed(answer_card(answer)))
    for message in answer_messages(answer):
        assert 0 < len(message) <= 2000
    assert render_text(answer).strip()


def ask(engine: Engine, question: str) -> Answer | None:
    """The answer, or None after checking the refusal is one clear line."""
    error: InvalidQuestion | None = None
    try:
        answer = engine.ask(question)
    except InvalidQuestion as exc:
        error = exc
    if error is not None:
        assert error.message.strip()
        assert "\n" not in error.message
        assert len(error.message) < 200
        return None
    assert answer.question == question
    return answer


@HOSTILE
@given(questions)
@example("\u202ewho closed the embassy?\u202c")
@example("\u200bwho\u200b confirmed\u200d the strike could be grounds for a nuclear response?")
@example("```\nwhat did Lavrov say?\n```")
@example("<@123456789012345678> @everyone what did the Kremlin say about nukes?")
@example("😀😀😀")
@example("?!?!...")
@example("\u200b\u200c\u200d\ufeff")
@example("\ud800 who closed the embassy?")  # a lone surrogate, as JSON can carry
def test_any_question_gets_a_clear_result(engine: Engine, articles, question: str) -> None:
    answer = ask(engine, question)
    if answer is None:
        return
    check_quotes(answer, articles)
    assert_fits_discord(answer)


def test_hostile_wrappers_do_not_hide_an_answerable_question(engine: Engine, articles) -> None:
    """Zero-width, bidi and Markdown noise around a real question still answers it (Discord's
    mention syntax is the bot's to remove: tests/bot/test_answer_flow.py)."""
    plain = ask(engine, "who confirmed the strike could be grounds for a nuclear response?")
    assert plain is not None
    assert plain.answered
    for noisy in (
        "\u202ewho confirmed the strike could be grounds for a nuclear response?\u202c",
        "**who** confirmed the `strike` could be grounds for a ~~nuclear~~ response?",
        "\u2060who con\u200bfirmed the strike could be grounds for a nuclear response?\ufeff",
    ):
        answer = ask(engine, noisy)
        assert answer is not None
        assert answer.answered, noisy
        assert answer.quotes[0].text == plain.quotes[0].text
        check_quotes(answer, articles)


def test_over_long_and_empty_questions_are_refused_in_one_line(engine: Engine) -> None:
    for question in ("x" * 10_000, "why " * 2_500, "", " \n\t ", "\u200b" * 400):
        assert ask(engine, question) is None
    with pytest.raises(InvalidQuestion, match=f"keep it under {MAX_QUESTION_CHARS}"):
        engine.ask("who? " * 2_000)


def test_a_batch_with_hostile_questions_answers_each(engine: Engine, articles) -> None:
    """The bot answers queued questions in batches: hostile ones do not break a batch."""
    batch = ["who closed the embassy?", "\u202e😀 what did Lavrov say?", "@everyone **Peskov**"]
    answers = engine.ask_many(batch)
    assert [a.question for a in answers] == batch
    for answer in answers:
        check_quotes(answer, articles)
        assert_fits_discord(answer)


def test_index_dir_is_untouched_by_questions(engine: Engine) -> None:
    """Answering never writes: the index folder is the same after a storm of questions."""
    index_dir: Path = engine.config.index_dir
    before = sorted((p.name, p.stat().st_mtime_ns) for p in index_dir.rglob("*"))
    for question in ("who?", "\u202e" * 5 + "embassy", "x" * 500, "<@1> Kyiv"):
        ask(engine, question)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in index_dir.rglob("*")) == before
