"""bot/cogs/admin.py without Discord: who is an admin, and what /reindex (with and without
a file), /remove and /stats reply in each case. End to end: test_e2e_reindex.py,
test_e2e_ingest.py, test_e2e_security.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from botkit import REPORT, FakeInteraction, ScriptedEngine, bot_settings, failing

from bot.answer_store import AnswerStore
from bot.cogs.admin import AdminCog, NotAdmin, is_admin
from bot.context import BotContext
from index.engine import ReindexReport
from index.errors import ArticleError, BuildFailed, CorpusError, ReindexInProgress

ADMIN = discord.Permissions(administrator=True)
MEMBER = discord.Permissions(send_messages=True, manage_messages=True)
NONE = discord.Permissions.none()


@pytest.fixture
async def admin() -> AsyncIterator[Callable[..., tuple[AdminCog, ScriptedEngine]]]:
    made: list[BotContext] = []

    def make(outcome: Callable[[], ReindexReport] = lambda: REPORT, **settings: Any):
        """The cog over a scripted default engine; user 10 is one of the bot's owners, who
        change the default articles (from a DM: ``OWNER_DM``)."""
        settings.setdefault("admin_user_ids", frozenset({10}))
        engine = ScriptedEngine(outcome)
        ctx = BotContext.create(engine, bot_settings(**settings), store=AnswerStore(":memory:"))
        made.append(ctx)
        return AdminCog(SimpleNamespace(user=None), ctx), engine

    yield make
    for ctx in made:
        ctx.close()


def attachment(filename: str, data: bytes, size: int | None = None, *, broken: bool = False):
    async def read() -> bytes:
        if broken:
            raise discord.HTTPException(SimpleNamespace(status=503, reason="down"), "CDN down")
        return data

    return SimpleNamespace(filename=filename, size=len(data) if size is None else size, read=read)


# ---------------------------------------------------------------- who is an admin
@pytest.mark.parametrize(
    ("user_id", "in_guild", "permissions", "admin_ids", "allowed"),
    [
        (1, True, ADMIN, set(), True),  # server administrator
        (1, True, MEMBER, set(), False),  # ordinary member
        (1, True, MEMBER, {1}, True),  # listed in ADMIN_USER_IDS
        (1, False, NONE, set(), False),  # DM, not listed
        (1, False, ADMIN, set(), False),  # DM: server permissions never count
        (1, False, NONE, {1}, True),  # DM, listed
        (2, False, NONE, {1}, False),  # DM, someone else listed
    ],
)
def test_is_admin(user_id: int, in_guild: bool, permissions, admin_ids, allowed: bool) -> None:
    assert (
        is_admin(user_id, in_guild=in_guild, permissions=permissions, admin_ids=admin_ids)
        is allowed
    )


async def test_the_cog_admits_admins_and_listed_users_only(
    admin: Callable[..., tuple[AdminCog, ScriptedEngine]], caplog: pytest.LogCaptureFixture
) -> None:
    cog, _ = admin()
    assert await cog.interaction_check(FakeInteraction(None, user_id=11, permissions=ADMIN))
    assert await cog.interaction_check(FakeInteraction(None, user_id=10, guild_id=None))
    with caplog.at_level(logging.INFO, logger="bot.cogs.admin"):
        with pytest.raises(NotAdmin, match=r"^Only server administrators .* /stats\.$"):
            await cog.interaction_check(FakeInteraction(None, user_id=11, command="stats"))
        with pytest.raises(NotAdmin):
            await cog.interaction_check(
                FakeInteraction(None, user_id=11, guild_id=None, permissions=ADMIN)
            )
    assert "refused /stats for user 11 (guild 99)" in caplog.text


# ---------------------------------------------------------------- /reindex
@pytest.mark.parametrize(
    ("outcome", "settings", "reply"),
    [
        (lambda: REPORT, {}, f"Reindexed {REPORT.summary()}."),
        (
            lambda: REPORT,
            {"shard_count": 2, "shard_ids": (0,), "index_watch_seconds": 5.0},
            f"Reindexed {REPORT.summary()}. Processes serving the other shards switch to it "
            "within 5 s.",
        ),
        (failing(ReindexInProgress("A reindex is already running.")), {},
         "A reindex is already running."),
        (failing(CorpusError("ARTICLES_DIR\nis   empty")), {},
         "Reindex failed; the previous index is still answering: ARTICLES_DIR is empty"),
    ],
)  # fmt: skip
async def test_reindex_replies(admin, outcome, settings: dict[str, Any], reply: str) -> None:
    cog, engine = admin(outcome, **settings)
    interaction = FakeInteraction(None, command="reindex", guild_id=None)
    await cog.reindex.callback(cog, interaction)
    assert interaction.sent[0] == ("defer", None, {"thinking": True, "ephemeral": True})
    assert interaction.replies() == [reply]
    assert interaction.sent[-1][2]["ephemeral"] is True
    assert engine.calls == [("reindex",)]


async def test_a_failed_build_replies_with_the_engines_one_line(
    admin, caplog: pytest.LogCaptureFixture
) -> None:
    """BuildFailed already says why and that the previous index serves: passed on as one
    line (not wrapped in "Reindex failed; ..."), and logged once as a WARNING."""
    line = (
        "Index build failed: no space left on device in INDEX_DIR (the build needs about "
        "12 MB; 4 MB free). The previous index is still serving (built today; no article has "
        "changed since)."
    )
    failure = BuildFailed(line.replace(". The", ".\nThe"), reason="no space", kind="space",
                          serving=True)  # fmt: skip
    cog, engine = admin(failing(failure))
    interaction = FakeInteraction(None, command="reindex", guild_id=None)
    with caplog.at_level(logging.WARNING, logger="bot.cogs.admin"):
        await cog.reindex.callback(cog, interaction)
    assert interaction.replies() == [line]
    assert [(r.levelno, r.getMessage().split(": ", 1)[0]) for r in caplog.records] == [
        (logging.WARNING, "/reindex")
    ]
    assert engine.calls == [("reindex",)]


# ---------------------------------------------------------------- /reindex file:
@pytest.mark.parametrize(
    ("file", "reply", "added"),
    [
        (attachment("report.pdf", b"x"), "Nothing changed: 'report.pdf' is not an article "
         "file: attach a .txt, .md or .html file.", False),
        (attachment("a.txt", b"text", broken=True), "Nothing changed: I could not download "
         "'a.txt' (503 down (error code: 0): CDN down); try again.", False),
        (attachment("a.txt", b"x" * (2 * 1024 * 1024 + 1), size=10),
         "Nothing changed: 'a.txt' is 2.0 MB; the limit is 2 MB.", False),
        (attachment("a.txt", b"Title\n\nBody."), f"Added 'a.txt' and reindexed: "
         f"{REPORT.summary()}. /about lists the articles.", True),
    ],
)  # fmt: skip
async def test_upload_replies(admin, file: Any, reply: str, added: bool) -> None:
    cog, engine = admin()
    interaction = FakeInteraction(None, command="reindex", guild_id=None)
    await cog.reindex.callback(cog, interaction, file)
    assert interaction.replies() == [reply]
    assert bool(engine.calls) is added


async def test_an_upload_the_engine_rejects_changes_nothing(admin) -> None:
    cog, engine = admin(failing(ArticleError("a.txt", "the file is binary, not text")))
    interaction = FakeInteraction(None, command="reindex", guild_id=None)
    await cog.reindex.callback(cog, interaction, attachment("a.txt", b"\x00\x01"))
    assert interaction.replies() == ["Nothing changed: a.txt: the file is binary, not text"]
    assert engine.calls == [("add", "a.txt", "\x00\x01")]


# ---------------------------------------------------------------- /remove, /stats
async def test_remove_replies(admin) -> None:
    cog, engine = admin()
    interaction = FakeInteraction(None, command="remove", guild_id=None)
    await cog.remove.callback(cog, interaction, "a.txt")
    assert interaction.replies() == [
        "Removed 'a.txt' and reindexed: 2 article(s) left, 40 paragraphs, 90 sentences."
    ]
    cog, engine = admin(failing(ArticleError("a.txt", "it is the last article")))
    interaction = FakeInteraction(None, command="remove", guild_id=None)
    await cog.remove.callback(cog, interaction, "a.txt")
    assert interaction.replies() == ["Nothing changed: a.txt: it is the last article"]
    assert engine.calls == [("remove", "a.txt")]


async def test_stats_counts_the_stored_answers(admin) -> None:
    cog, _ = admin()
    interaction = FakeInteraction(None, command="stats")
    await cog.stats.callback(cog, interaction)
    ((how, _, sent),) = interaction.sent
    assert (how, sent["ephemeral"]) == ("response", True)
    assert sent["embed"].fields[1].value.startswith("0 questions: 0 answered, 0 abstained")
