"""bot/buttons.py without Discord: the buttons' layout and custom ids, and what each click
replies (a saved answer in an in-memory store, recorded interactions).
The same buttons through the emulator: test_e2e_buttons.py."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from botkit import FakeInteraction, StubEngine, bot_settings

from bot.answer_store import AnswerStore
from bot.buttons import (
    DYNAMIC_ITEMS,
    AnswerButton,
    FeedbackButton,
    MoreButton,
    ParagraphButton,
    answer_view,
    view_for,
)
from bot.context import BotContext
from bot.render.wording import GONE, NOT_IN_ANSWER, UNEXPECTED
from index.models import Answer, Attribution, Quote


def quote(n: int) -> Quote:
    return Quote(
        text=f"Quote number {n} says *something* about _the_ fire.",
        attribution=Attribution("Dana Okafor", "Fire Chief", "said", None, "direct"),
        article_id="fire.md",
        article_title="Wildfire forces evacuation",
        paragraph=n,
        score=0.5,
    )


ANSWER = Answer("what did she say?", True, (quote(1),), (quote(2), quote(3)))


@pytest.fixture
def ctx() -> Iterator[BotContext]:
    context = BotContext.create(StubEngine(), bot_settings(), store=AnswerStore(":memory:"))
    yield context
    context.close()


def saved(ctx: BotContext, answer: Answer = ANSWER) -> str:
    assert ctx.store is not None
    return ctx.store.save_answer(answer, user_id=1, source="slash", seconds=0.1, page_size=1)


def click(ctx: BotContext, **options: Any) -> FakeInteraction:
    return FakeInteraction(SimpleNamespace(ctx=ctx), user_id=7, **options)


def custom_ids(view: Any) -> list[str]:
    return [c["custom_id"] for row in view.to_components() for c in row["components"]]


# ---------------------------------------------------------------- layout and ids
@pytest.mark.parametrize("page_size", [1, 3, 10])
def test_answer_buttons_fit_discord_and_match_their_templates(page_size: int) -> None:
    """Rows of at most 5, custom ids <= 100 characters that the dynamic items parse back."""
    quotes = tuple(quote(n + 1) for n in range(page_size))
    view = answer_view("f" * 16, quotes, page=998, pages=999, first_number=990)
    rows = view.to_components()
    assert len(rows) <= 5
    templates = [item.__discord_ui_compiled_template__ for item in DYNAMIC_ITEMS]
    for row in rows:
        assert 1 <= len(row["components"]) <= 5
        for button in row["components"]:
            assert len(button["custom_id"]) <= 100
            assert len(button.get("label") or "") <= 80
            assert sum(bool(t.fullmatch(button["custom_id"])) for t in templates) == 1


@pytest.mark.parametrize(
    ("button", "custom_id"),
    [
        (MoreButton("a" * 16, 2), f"qa:more:{'a' * 16}:2"),
        (ParagraphButton("b" * 16, 12), f"qa:para:{'b' * 16}:12"),
        (FeedbackButton("c" * 16, 1), f"qa:fb:{'c' * 16}:+"),
        (FeedbackButton("c" * 16, -1), f"qa:fb:{'c' * 16}:-"),
    ],
)
async def test_custom_ids_turn_back_into_the_same_button(
    button: AnswerButton, custom_id: str
) -> None:
    """After a restart discord.py rebuilds each button from its custom id alone."""
    assert button.item.custom_id == custom_id
    match = type(button).__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match
    again = await type(button).from_custom_id(None, None, match)
    assert again.item.custom_id == custom_id
    assert vars(again).keys() == vars(button).keys()


def test_view_for_pages_and_abstentions() -> None:
    """More only when there are further quotes; an abstention only gets feedback buttons."""
    view = view_for("a" * 16, ANSWER)
    assert view is not None
    assert custom_ids(view)[0] == f"qa:more:{'a' * 16}:2"
    abstained = view_for("b" * 16, Answer("q", False))
    assert abstained is not None
    assert custom_ids(abstained) == [f"qa:fb:{'b' * 16}:+", f"qa:fb:{'b' * 16}:-"]
    assert view_for(None, ANSWER) is None


# ---------------------------------------------------------------- clicks
async def test_more_opens_a_private_page_then_turns_it_in_place(ctx: BotContext) -> None:
    answer_id = saved(ctx)
    public = click(ctx, message=SimpleNamespace(flags=SimpleNamespace(ephemeral=False)))
    await MoreButton(answer_id, 2).callback(public)
    ((how, _, sent),) = public.sent
    assert (how, sent["ephemeral"]) == ("response", True)
    assert sent["embed"].footer.text.startswith("Page 2 of 3")
    assert custom_ids(sent["view"])[0] == f"qa:more:{answer_id}:3"

    private = click(ctx, message=SimpleNamespace(flags=SimpleNamespace(ephemeral=True)))
    await MoreButton(answer_id, 9).callback(private)
    ((how, _, sent),) = private.sent
    assert how == "update"  # the private page turns in place
    assert sent["embed"].footer.text.startswith("Page 3 of 3")  # clamped to the last page
    assert not any(i.startswith("qa:more:") for i in custom_ids(sent["view"]))


async def test_paragraph_of_an_article_no_longer_indexed(ctx: BotContext) -> None:
    answer_id = saved(ctx)
    interaction = click(ctx)
    await ParagraphButton(answer_id, 1).callback(interaction)
    ((_, _, sent),) = interaction.sent
    assert "no longer indexed" in sent["embed"].description
    other = click(ctx)
    await ParagraphButton(answer_id, 4).callback(other)
    assert other.replies() == [NOT_IN_ANSWER]


async def test_votes_count_once_and_say_so(ctx: BotContext) -> None:
    answer_id = saved(ctx)
    replies = []
    for vote in (1, 1, -1):
        interaction = click(ctx)
        await FeedbackButton(answer_id, vote).callback(interaction)
        replies += interaction.replies()
    assert replies == [
        "Thanks! Your 👍 is recorded for this answer.",
        "You already gave this answer a 👍; it counts once.",
        "Changed your vote to 👎. You still count once for this answer (your latest vote is kept).",
    ]
    assert (ctx.live_stats.votes_up, ctx.live_stats.votes_down) == (0, 1)


@pytest.mark.parametrize("button", [MoreButton("d" * 16, 2), ParagraphButton("d" * 16, 1),
                                    FeedbackButton("d" * 16, 1)])  # fmt: skip
async def test_an_answer_no_longer_saved_is_gone(ctx: BotContext, button: AnswerButton) -> None:
    interaction = click(ctx)
    await button.callback(interaction)
    assert interaction.replies() == [GONE]


async def test_an_unexpected_error_is_a_private_apology_and_a_traceback(
    ctx: BotContext, caplog: pytest.LogCaptureFixture
) -> None:
    assert ctx.store is not None
    ctx.store.close()  # every read now fails inside the click
    interaction = click(ctx)
    with caplog.at_level(logging.ERROR, logger="bot.buttons"):
        await MoreButton("e" * 16, 2).callback(interaction)
    assert interaction.replies() == [UNEXPECTED]
    (record,) = caplog.records
    assert re.match("unexpected error in the More button", record.getMessage())
    assert record.exc_info is not None
