"""End to end: two bot processes, shard 0 and shard 1 of 2, sharing INDEX_DIR and ARTICLES_DIR.

Each "process" is a QuoteBot with its own engine (fake encoder) in this event loop,
connected to one emulator that routes each guild's traffic to the shard owning it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botkit import EngineProxy, bot_settings, make_engine, running_bot
from emulator import DiscordEmulator, Guild, InteractionResult, StoredMessage, User
from emulator.fixtures import running_emulator
from support import FakeEncoder

from bot.client import QuoteBot
from index.engine import Engine
from index.models import Answer

pytestmark = [pytest.mark.e2e]

QUESTION = "Who confirmed the strike could be grounds for a nuclear response?"
NEW_ARTICLE = "Bridge report\n\nThe harbour master said the swing bridge reopens on Friday.\n"
NEW_QUESTION = "When does the swing bridge reopen, according to the harbour master?"


class AskCountingEngine(EngineProxy):
    """An engine that counts the questions it answered (to see which process did)."""

    def __init__(self, inner: Engine) -> None:
        super().__init__(inner)
        self.questions: list[str] = []
        self.switched = threading.Event()  # set when the watcher swapped in a new build

    def ask(self, question: str, article: str | None = None) -> Answer:
        self.questions.append(question)
        return self.inner.ask(question, article)

    def ask_many(
        self, questions: list[str], articles: list[str | None] | None = None
    ) -> list[Answer]:
        self.questions.extend(questions)
        return self.inner.ask_many(questions, articles)

    def refresh(self) -> bool:
        switched = self.inner.refresh()
        if switched:
            self.switched.set()
        return switched


@dataclass
class Deployment:
    """One emulated Discord, two guilds (one per shard), two processes."""

    emu: DiscordEmulator
    guilds: tuple[Guild, Guild]  # guilds[i] is on shard i
    admin: User
    reader: User
    bots: tuple[QuoteBot, QuoteBot]  # bots[i] serves shard i
    engines: tuple[AskCountingEngine, AskCountingEngine]

    async def ask(self, shard: int, question: str = QUESTION) -> InteractionResult:
        return await self.emu.invoke_slash(
            "ask", {"question": question}, user_id=self.reader.id, guild_id=self.guilds[shard].id
        )


def process_engine(articles_dir: Path, index_dir: Path) -> AskCountingEngine:
    return AskCountingEngine(make_engine(FakeEncoder(), index_dir, articles_dir=articles_dir))


@pytest.fixture
async def deployment(articles_dir: Path, tmp_path: Path) -> AsyncIterator[Deployment]:
    index_dir = tmp_path / "shared-index"
    engines = (process_engine(articles_dir, index_dir), process_engine(articles_dir, index_dir))
    async with running_emulator(recommended_shards=2) as emu:
        guilds = (
            emu.add_guild("Shard zero news", guild_id=emu.new_guild_id(0, 2)),
            emu.add_guild("Shard one news", guild_id=emu.new_guild_id(1, 2)),
        )
        admin, reader = emu.add_user("editor"), emu.add_user("reader")
        for guild in guilds:
            emu.add_member(guild.id, admin.id, administrator=True)
            emu.add_member(guild.id, reader.id)

        def settings(shard: int) -> Any:
            return bot_settings(
                shard_count=2,
                shard_ids=(shard,),
                index_watch_seconds=0.1,
                admin_user_ids=frozenset({admin.id}),  # /reindex rebuilds the defaults
            )

        async with (
            running_bot(emu, engines[0], settings(0)) as first,
            running_bot(emu, engines[1], settings(1)) as second,
        ):
            yield Deployment(emu, guilds, admin, reader, (first, second), engines)


def quotes_in(reply: StoredMessage) -> str:
    """The quotes of an answer embed ("" when the bot found no answer)."""
    return "\n".join(f["value"] for embed in reply.embeds for f in embed.get("fields") or [])


async def test_each_process_identifies_its_own_shard(deployment: Deployment) -> None:
    """IDENTIFY carries [0, 2] and [1, 2]; each READY lists that shard's guild only."""
    emu = deployment.emu
    assert sorted(s.identify["shard"] for s in emu.sessions()) == [[0, 2], [1, 2]]
    ready = {e.shard: e.detail["guild_ids"] for e in emu.gateway_log("ready")}
    assert ready == {(i, 2): [deployment.guilds[i].id] for i in (0, 1)}
    for shard, bot in enumerate(deployment.bots):
        assert bot.shard_count == 2
        assert list(bot.shards) == [shard]
        assert [g.id for g in bot.guilds] == [deployment.guilds[shard].id]
    assert len(emu.command_puts) == 1  # only shard 0's process registered the commands


@pytest.mark.parametrize("shard", [0, 1])
async def test_ask_is_answered_once_by_the_process_owning_the_guild(
    deployment: Deployment, shard: int
) -> None:
    """A /ask in a guild on shard N reaches only shard N's process, which answers it once."""
    result = await deployment.ask(shard)
    reply = await result.reply()
    assert "Peskov" in quotes_in(reply)
    assert deployment.engines[shard].questions == [QUESTION]
    assert deployment.engines[1 - shard].questions == []
    delivered = [
        s.shard
        for s in deployment.emu.sessions()
        for d in s.received("INTERACTION_CREATE")
        if int(d["id"]) == result.id
    ]
    assert delivered == [(shard, 2)]
    assert result.rejected_callbacks == []  # nobody else tried to acknowledge it
    assert result.followup_ids == []  # one answer, the deferred reply


async def test_dm_is_answered_by_shard_zero(deployment: Deployment) -> None:
    """DMs arrive on shard 0 (Discord's rule): its process answers; the other never sees it."""
    emu = deployment.emu
    asked = await emu.send_dm(deployment.reader.id, QUESTION)
    (reply,) = await emu.wait_for_messages(asked.channel_id, after=asked)
    assert "Peskov" in reply.content
    assert deployment.engines[0].questions == [QUESTION]
    assert deployment.engines[1].questions == []


async def test_mention_in_a_shard_one_guild_is_answered_by_shard_one(
    deployment: Deployment,
) -> None:
    """The process without shard 0 (no DMs, no command sync) still answers its guilds."""
    emu = deployment.emu
    channel = emu.default_channel(deployment.guilds[1].id).id
    asked = await emu.send_channel_message(
        channel, deployment.reader.id, QUESTION, mention_bot=True
    )
    (reply,) = await emu.wait_for_messages(channel, after=asked)
    assert "Peskov" in quotes_in(reply)
    assert [q.strip() for q in deployment.engines[1].questions] == [QUESTION]
    assert deployment.engines[0].questions == []


@pytest.mark.parametrize("reindexed_on", [0, 1])
async def test_reindex_in_one_process_reaches_the_other(
    deployment: Deployment, articles_dir: Path, reindexed_on: int
) -> None:
    """After /reindex in one process, the other serves the new article, without restart."""
    other = 1 - reindexed_on
    before = await deployment.ask(other, NEW_QUESTION)
    assert "swing bridge" not in quotes_in(await before.reply())

    (articles_dir / "bridge.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    rebuild = await deployment.emu.invoke_slash(
        "reindex", user_id=deployment.admin.id, guild_id=deployment.guilds[reindexed_on].id
    )
    reply = (await rebuild.reply(timeout=30)).content
    assert reply.startswith("Reindexed 2 article(s)")
    assert "Processes serving the other shards switch to it within" in reply
    assert await asyncio.to_thread(deployment.engines[other].switched.wait, 10)
    build = deployment.engines[reindexed_on].inner.search_index.build
    assert deployment.engines[other].inner.search_index.build == build

    after = await deployment.ask(other, NEW_QUESTION)
    quoted = quotes_in(await after.reply())
    assert "The harbour master said the swing bridge reopens on Friday." in quoted
    assert ("bridge.txt", "Bridge report") in deployment.bots[other].ctx.engine.info().articles
