"""Throughput and latency of the Discord bot, in-process, against the local Discord emulator.

Usage: ``python -m bench.discord_bench [--questions 200] [--concurrency 1 8 32] [--top-k 3]``

The real bot (``bot.client.QuoteBot``) with the real model and the bundled article is
connected to the emulator (tests/emulator), which plays Discord and many users. For each
concurrency level C, C users each ask a question, wait for the reply, and ask the next,
until ``--questions`` replies have arrived (a closed loop). Questions come from
bench/eval/kyiv_embassy.jsonl (on-topic and off-topic). Reported per row:

- q/s: replies per second of wall time;
- ack p50/p95: interaction dispatched -> initial response (the defer) accepted; Discord
  drops interactions not acknowledged within 3 s;
- reply p50/p95/max: interaction dispatched -> the answer is visible (the deferred message
  edited), or for DMs: message sent -> the bot's reply stored.

A first row times ``engine.ask`` alone (no Discord layer) for reference.

Both sides share one process and event loop, so the numbers include the emulator's own
work (JSON, HTTP, websocket) and are a lower bound on what a real deployment gets with
Discord's network latency added. Nothing here touches Discord or var/index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT), str(ROOT / "tests")):
    if _path not in sys.path:
        sys.path.append(_path)

from emulator import DiscordEmulator  # noqa: E402
from emulator.fixtures import connected_client, running_emulator  # noqa: E402

from bot.client import QuoteBot  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.engine import DEFAULT_ARTICLES_DIR, Engine, EngineConfig  # noqa: E402

QUESTIONS_FILE = ROOT / "bench" / "eval" / "kyiv_embassy.jsonl"
FALLBACK_QUESTIONS = [
    "What did Peter Kyle say about the situation?",
    "What did Lavrov say about the attack?",
    "Why did the US embassy in Kyiv close?",
    "what is a good recipe for banana bread?",
]


@dataclass
class Row:
    mode: str
    concurrency: int
    questions: int
    seconds: float
    acks: list[float]
    replies: list[float]
    answered: int

    @property
    def rate(self) -> float:
        return self.questions / self.seconds if self.seconds else 0.0


def load_questions() -> list[str]:
    if not QUESTIONS_FILE.is_file():
        return FALLBACK_QUESTIONS
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def closed_loop(
    total: int, concurrency: int, one: Callable[[int, int], Awaitable[None]]
) -> float:
    """Run ``one(worker, n)`` for n in 0..total-1 with ``concurrency`` workers; wall time."""
    counter = iter(range(total))

    async def worker(number: int) -> None:
        for n in counter:
            await one(number, n)

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return time.perf_counter() - started


async def run_level(
    engine: Engine, questions: list[str], total: int, concurrency: int, mode: str
) -> Row:
    acks: list[float] = []
    replies: list[float] = []
    answered = 0
    async with running_emulator() as emu:
        guild = emu.add_guild("Bench")
        users = [emu.add_user(f"user-{n}") for n in range(concurrency)]
        for user in users:
            emu.add_member(guild.id, user.id)
        # no per-user rate limit: each simulated user asks far more than a person would
        # answers are saved (for their buttons) in a throwaway FEEDBACK_DB, as in production
        feedback_db = Path(engine.config.index_dir) / f"feedback-{mode}-{concurrency}.sqlite3"
        settings = Settings(discord_token=None, rate_limit_questions=0, feedback_db=feedback_db)
        bot = QuoteBot(engine, settings, guild_ready_timeout=0.05)
        async with connected_client(emu, bot):
            await warm_up(emu, users[0].id, guild.id)

            async def slash(worker: int, n: int) -> None:
                nonlocal answered
                result = await emu.invoke_slash(
                    "ask",
                    {"question": questions[n % len(questions)]},
                    user_id=users[worker].id,
                    guild_id=guild.id,
                )
                reply = await result.reply(timeout=60)
                acks.append(result.ack_seconds or 0.0)
                replies.append(result.reply_seconds or 0.0)
                answered += bool(reply.embeds and reply.embeds[0].get("fields"))

            async def dm(worker: int, n: int) -> None:
                nonlocal answered
                started = time.monotonic()
                asked = await emu.send_dm(users[worker].id, questions[n % len(questions)])
                (reply,) = await emu.wait_for_messages(asked.channel_id, 1, after=asked, timeout=60)
                replies.append(reply.created_at - started)
                answered += reply.content.startswith("1. ")
                # a long answer may take more messages: wait until they are all in
                await asyncio.sleep(0)

            seconds = await closed_loop(total, concurrency, slash if mode == "slash" else dm)
    return Row(mode, concurrency, total, seconds, acks, replies, answered)


def engine_only(engine: Engine, questions: list[str], total: int) -> Row:
    """Reference row: ``engine.ask`` called in a loop, no Discord and no emulator."""
    asked = [questions[n % len(questions)] for n in range(total)]
    replies: list[float] = []
    answered = 0
    started = time.perf_counter()
    for question in asked:
        begun = time.perf_counter()
        answered += bool(engine.ask(question).quotes)
        replies.append(time.perf_counter() - begun)
    return Row("engine.ask only", 1, total, time.perf_counter() - started, [], replies, answered)


async def warm_up(emu: DiscordEmulator, user_id: int, guild_id: int) -> None:
    result = await emu.invoke_slash(
        "ask", {"question": "warm up: who closed the embassy?"}, user_id=user_id, guild_id=guild_id
    )
    await result.reply(timeout=60)


def ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def table(rows: list[Row]) -> str:
    header = (
        "| mode | users | questions | seconds | q/s | ack p50 ms | ack p95 ms | "
        "reply p50 ms | reply p95 ms | reply max ms | with quotes |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in rows:
        ack50 = ms(percentile(row.acks, 50)) if row.acks else "-"
        ack95 = ms(percentile(row.acks, 95)) if row.acks else "-"
        lines.append(
            f"| {row.mode} | {row.concurrency} | {row.questions} | {row.seconds:.2f} | "
            f"{row.rate:.1f} | {ack50} | {ack95} | {ms(percentile(row.replies, 50))} | "
            f"{ms(percentile(row.replies, 95))} | {ms(max(row.replies))} | {row.answered} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[Row]:
    questions = load_questions()
    with tempfile.TemporaryDirectory(prefix="discord-bench-") as tmp:
        engine = Engine(
            EngineConfig(articles_dir=args.articles, index_dir=Path(tmp), top_k=args.top_k)
        )
        started = time.perf_counter()
        await asyncio.to_thread(engine.start, allow_stale=True)
        print(f"engine ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        rows = [engine_only(engine, questions, args.questions)]
        print(table(rows).splitlines()[-1], file=sys.stderr)
        for concurrency in args.concurrency:
            rows.append(await run_level(engine, questions, args.questions, concurrency, "slash"))
            print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
        if args.dm:
            for concurrency in args.concurrency:
                rows.append(await run_level(engine, questions, args.questions, concurrency, "dm"))
                print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES_DIR)
    parser.add_argument("--no-dm", dest="dm", action="store_false", help="skip the DM rows")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rows = asyncio.run(main_async(args))
    cpus = os.cpu_count()
    print(
        f"\n{args.questions} questions per row, TOP_K={args.top_k}, Python "
        f"{platform.python_version()}, {cpus} CPUs, {platform.machine()}\n"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
