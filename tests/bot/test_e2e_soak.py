"""End to end: a small soak (bench/soak.py's traffic, in-process): 50 users asking 300
questions in waves of bursts, slash, DM and mention mixed. Every question gets exactly one
reply and every interaction is acknowledged within Discord's 3 s (the emulator enforces
it too). The 2,000-question run with latency and RSS figures is ``python -m bench.soak``."""

from __future__ import annotations

import pytest
from botkit import bot_settings, running_bot
from emulator import DiscordEmulator

from bench.soak import (
    ACK_DEADLINE,
    ReplyTracker,
    SoakConfig,
    build_soak_world,
    check,
    load_questions,
    run_waves,
    summary,
)
from index.engine import Engine

pytestmark = [pytest.mark.e2e, pytest.mark.model]


async def test_fifty_users_in_bursts_each_get_exactly_one_reply(
    emu: DiscordEmulator, bot_engine: Engine
) -> None:
    config = SoakConfig(users=50, questions=300, burst=3, pause=0.05, reply_timeout=60)
    world = build_soak_world(emu, config.users)
    tracker = ReplyTracker(emu)
    settings = bot_settings(rate_limit_questions=0)  # capacity, not abuse (test_e2e_abuse)
    async with running_bot(emu, bot_engine, settings) as bot:
        result = await run_waves(world, tracker, config, load_questions())
        checks = check(result)
        print(summary(result, checks))
        assert checks.questions == 300
        assert {a.kind for a in result.asked} == {"slash", "dm", "mention"}
        assert checks.missing == 0
        assert checks.extra == 0
        assert checks.strays == 0
        assert checks.exactly_one == 300
        assert checks.refused == 0  # bursts stay within the in-flight cap; the queue never fills
        acks = [a.ack for a in result.asked if a.kind == "slash"]
        assert acks
        assert all(ack is not None and ack < ACK_DEADLINE for ack in acks)
        assert bot.ctx.answers.pending == 0
        assert bot.ctx.limiter.in_flight(world.users[0].id) == 0
    assert emu.violations_of("interaction_deadline") == []
