"""Soak: many users asking in bursts through the local Discord emulator; latency, RSS, checks.

Usage: ``python -m bench.soak [--users 50] [--questions 2000] [--burst 3] [--in-process]``

The real bot runs as ``python -m bot run`` in a subprocess (so its RSS is its own) against
the emulator (tests/emulator) in this process, which plays Discord and the users. Traffic
comes in waves: every simulated user sends a burst of 1 to ``--burst`` questions at the
same instant (slash ``/ask``, DM and mention mixed, at most one DM per burst so DM replies
can be told apart), every question of the wave is waited for, then a short pause, until
``--questions`` have been asked. ``--in-process`` runs the bot in this process instead
(faster to start; RSS then includes the emulator). tests/bot/test_e2e_soak.py runs a
smaller soak with the same code.

Measured: "ack" is interaction dispatched -> initial response accepted (the defer; Discord
drops interactions not acknowledged within 3 s); "reply" is interaction dispatched (or
message posted) -> the answer visible. RSS of the bot process after start, after a
warm-up (one wave), and after the soak. Checked: every question got exactly one reply
(answer or refusal; a "queued" note does not count as the reply), every slash command was
acknowledged within 3 s, no reply went unattributed, RSS grew less than 10%.

The per-user rate limit is off here (``RATE_LIMIT_QUESTIONS=0``): each simulated user asks
about 40 questions in under a minute, far beyond any sensible per-user limit, and this
measures capacity (tests/bot/test_e2e_abuse.py covers the limit itself).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT), str(ROOT / "tests")):
    if _path not in sys.path:
        sys.path.append(_path)

import psutil  # noqa: E402
from emulator import DiscordEmulator, StoredMessage, User  # noqa: E402
from emulator.botprocess import bot_run_env, start_bot_process  # noqa: E402
from emulator.fixtures import connected_client, running_emulator  # noqa: E402

from bot.render.wording import NO_ANSWER, queued_note  # noqa: E402

KINDS = ("slash", "dm", "mention")
WEIGHTS = (0.4, 0.3, 0.3)
ACK_DEADLINE = 3.0
RSS_GROWTH_LIMIT = 0.10
NOTE_PREFIX = queued_note(1).split(":", 1)[0]  # "I'm busy right now"
CONTINUATION = re.compile(r"^[2-9]\d*\. “")  # second and later messages of a long answer
QUESTIONS_FILE = ROOT / "bench" / "eval" / "kyiv_embassy.jsonl"
# Shaped like a bot token (id . timestamp . hmac) so Settings accepts it; not a real one.
FAKE_TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.cdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDe"


def load_questions() -> list[str]:
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


# ------------------------------------------------------------------------ tracking replies
@dataclass
class Asked:
    """One question and what the bot did with it."""

    kind: str
    user_id: int
    question: str
    started: float  # time.monotonic() when the interaction / message reached the emulator
    interaction: Any = None  # emulator InteractionResult for slash
    replies: list[tuple[float, str]] = field(default_factory=list)  # (time, class)
    notes: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def ack(self) -> float | None:
        return None if self.interaction is None else self.interaction.ack_seconds

    @property
    def reply_seconds(self) -> float | None:
        return self.replies[0][0] - self.started if self.replies else None


def classify(msg: StoredMessage) -> str:
    """'quotes', 'no answer', 'note', 'continuation' or 'refused' (any other text)."""
    text = msg.content
    if text.startswith(NOTE_PREFIX):
        return "note"
    if CONTINUATION.match(text):
        return "continuation"
    fields = [f for e in msg.embeds for f in e.get("fields") or []]
    if fields or text.startswith("1. “") or "\n1. “" in text:  # quotes, maybe after a lead
        return "quotes"
    described = " ".join([text, *(str(e.get("description") or "") for e in msg.embeds)])
    if NO_ANSWER in described:
        return "no answer"
    return "refused"


class ReplyTracker:
    """Attributes every visible message of the bot to the question it answers.

    Wraps the emulator's ``create_message`` and ``edit_message`` so each bot message is
    seen once, when it is stored (O(1) per message: 2,000 questions with 150 waiting at a
    time would make polling the message store the bottleneck). Slash replies are matched
    by interaction, mention replies by the message they reply to, DM replies by channel
    (one DM question in flight per user).
    """

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.by_key: dict[tuple[str, int], Asked] = {}
        self.strays: list[StoredMessage] = []
        create, edit = emu.create_message, emu.edit_message

        def create_message(*args: Any, **kwargs: Any) -> StoredMessage:
            msg = create(*args, **kwargs)
            self.seen(msg)
            return msg

        def edit_message(*args: Any, **kwargs: Any) -> StoredMessage:
            msg = edit(*args, **kwargs)
            self.seen(msg)
            return msg

        emu.create_message = create_message  # type: ignore[method-assign]
        emu.edit_message = edit_message  # type: ignore[method-assign]

    def key(self, msg: StoredMessage) -> tuple[str, int]:
        if msg.interaction_id is not None:
            return ("slash", msg.interaction_id)
        ref = msg.message_reference
        if ref:
            return ("reply", int(ref["message_id"]))
        return ("channel", msg.channel_id)

    def expect(self, key: tuple[str, int], asked: Asked) -> None:
        self.by_key[key] = asked

    def seen(self, msg: StoredMessage) -> None:
        if msg.author_id != self.emu.bot.id or msg.loading:
            return
        now = time.monotonic()
        kind = classify(msg)
        if kind == "continuation":
            return
        asked = self.by_key.get(self.key(msg))
        if asked is None:
            self.strays.append(msg)
            return
        if kind == "note":
            asked.notes += 1
            return
        asked.replies.append((now, kind))
        asked.done.set()


# ------------------------------------------------------------------------ the world
@dataclass
class SoakWorld:
    emu: DiscordEmulator
    guild_id: int
    channel_ids: list[int]
    users: list[User]


def build_soak_world(emu: DiscordEmulator, users: int, channels: int = 5) -> SoakWorld:
    """One server with ``channels`` text channels and ``users`` ordinary members."""
    guild = emu.add_guild("Soak")
    channel_ids = [emu.default_channel(guild.id).id]
    channel_ids += [emu.add_text_channel(guild.id, f"news-{n}").id for n in range(channels - 1)]
    members = []
    for number in range(users):
        user = emu.add_user(f"reader-{number}")
        emu.add_member(guild.id, user.id)
        members.append(user)
    return SoakWorld(emu, guild.id, channel_ids, members)


# ------------------------------------------------------------------------ traffic
@dataclass
class SoakConfig:
    users: int = 50
    questions: int = 2000
    burst: int = 3
    pause: float = 0.2  # seconds between waves
    reply_timeout: float = 120.0
    seed: int = 7


@dataclass
class SoakResult:
    asked: list[Asked]
    seconds: float
    waves: int
    strays: int


async def ask_one(
    world: SoakWorld, tracker: ReplyTracker, kind: str, user: User, question: str, channel: int
) -> Asked:
    emu = world.emu
    if kind == "slash":
        rec = await emu.invoke_slash(
            "ask", {"question": question}, user_id=user.id, guild_id=world.guild_id
        )
        asked = Asked(kind, user.id, question, rec.dispatched_at, interaction=rec)
        tracker.expect(("slash", rec.id), asked)
    else:
        # the tracker must know the question before the bot can possibly reply
        asked = Asked(kind, user.id, question, time.monotonic())
        if kind == "dm":
            tracker.expect(("channel", emu.dm_channel_for(user.id).id), asked)
            msg = await emu.send_dm(user.id, question)
        else:
            msg = await emu.send_channel_message(channel, user.id, question, mention_bot=True)
            tracker.expect(("reply", msg.id), asked)
        asked.started = msg.created_at
    return asked


def burst_kinds(rng: random.Random, size: int) -> list[str]:
    """``size`` kinds drawn by WEIGHTS, at most one DM (DM replies are matched by channel)."""
    kinds: list[str] = []
    for _ in range(size):
        kind = rng.choices(KINDS, WEIGHTS)[0]
        if kind == "dm" and "dm" in kinds:
            kind = rng.choice(("slash", "mention"))
        kinds.append(kind)
    return kinds


async def run_waves(
    world: SoakWorld,
    tracker: ReplyTracker,
    config: SoakConfig,
    questions: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
) -> SoakResult:
    """Waves of bursts until ``config.questions`` are asked; waits for every reply."""
    rng = random.Random(config.seed)
    users = world.users[: config.users]
    asked: list[Asked] = []
    waves = 0
    started = time.perf_counter()
    while len(asked) < config.questions:
        wave: list[Asked] = []
        for user in users:
            left = config.questions - len(asked) - len(wave)
            if left <= 0:
                break
            for kind in burst_kinds(rng, min(left, rng.randint(1, config.burst))):
                question = questions[rng.randrange(len(questions))]
                channel = world.channel_ids[rng.randrange(len(world.channel_ids))]
                wave.append(await ask_one(world, tracker, kind, user, question, channel))
        waves += 1
        await wait_all(wave, config.reply_timeout)
        asked += wave
        if progress:
            progress(len(asked), config.questions)
        if len(asked) < config.questions:
            await asyncio.sleep(config.pause)
    seconds = time.perf_counter() - started
    await asyncio.sleep(0.5)  # let any extra (wrong) reply arrive before counting
    return SoakResult(asked, seconds, waves, len(tracker.strays))


async def wait_all(wave: list[Asked], timeout: float) -> None:  # noqa: ASYNC109
    """Wait until every question of the wave has a reply, or ``timeout`` (then move on)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(a.done.wait() for a in wave)), timeout)


# ------------------------------------------------------------------------ report
def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100)
    return ordered[min(len(ordered), int(rank)) - 1]


@dataclass
class Checks:
    questions: int
    exactly_one: int
    missing: int
    extra: int
    strays: int
    slow_acks: int
    refused: int
    notes: int

    @property
    def ok(self) -> bool:
        return (
            self.exactly_one == self.questions
            and not self.strays
            and not self.slow_acks
            and not self.missing
        )


def check(result: SoakResult) -> Checks:
    asked = result.asked
    acks = [a.ack for a in asked if a.kind == "slash"]
    return Checks(
        questions=len(asked),
        exactly_one=sum(len(a.replies) == 1 for a in asked),
        missing=sum(not a.replies for a in asked),
        extra=sum(len(a.replies) > 1 for a in asked),
        strays=result.strays,
        slow_acks=sum(ack is None or ack >= ACK_DEADLINE for ack in acks),
        refused=sum(1 for a in asked for _, kind in a.replies if kind == "refused"),
        notes=sum(a.notes for a in asked),
    )


def ms(value: float) -> str:
    return "-" if value != value else f"{value * 1000:.0f}"  # nan -> "-"


def latency_table(result: SoakResult) -> str:
    header = "| questions | kind | count | p50 ms | p95 ms | p99 ms | max ms |"
    lines = [header, "|" + "---|" * 7]

    def row(label: str, kind: str, values: list[float]) -> None:
        top = max(values) if values else float("nan")
        lines.append(
            f"| {label} | {kind} | {len(values)} | {ms(percentile(values, 50))} | "
            f"{ms(percentile(values, 95))} | {ms(percentile(values, 99))} | {ms(top)} |"
        )

    asked = result.asked
    row("slash ack (defer)", "slash", [a.ack for a in asked if a.ack is not None])
    replies = [a for a in asked if a.reply_seconds is not None]
    row("reply", "all", [a.reply_seconds for a in replies])  # type: ignore[misc]
    for kind in KINDS:
        row("reply", kind, [a.reply_seconds for a in replies if a.kind == kind])  # type: ignore[misc]
    return "\n".join(lines)


def summary(result: SoakResult, checks: Checks) -> str:
    kinds = {kind: sum(a.kind == kind for a in result.asked) for kind in KINDS}
    outcome: dict[str, int] = {}
    for a in result.asked:
        for _, kind in a.replies:
            outcome[kind] = outcome.get(kind, 0) + 1
    return (
        f"{checks.questions} questions ({', '.join(f'{k} {v}' for k, v in kinds.items())}) "
        f"in {result.waves} waves, {result.seconds:.1f} s, "
        f"{checks.questions / result.seconds:.1f} q/s; replies: "
        f"{', '.join(f'{k} {v}' for k, v in sorted(outcome.items()))}; "
        f"exactly one reply: {checks.exactly_one}/{checks.questions} (missing {checks.missing}, "
        f"extra {checks.extra}, unattributed {checks.strays}); slash acks >= 3 s: "
        f"{checks.slow_acks}; queued notes: {checks.notes}"
    )


# ------------------------------------------------------------------------ running the bot
@contextlib.asynccontextmanager
async def bot_subprocess(emu: DiscordEmulator, workdir: Path) -> AsyncIterator[psutil.Process]:
    """``python -m bot run`` against ``emu``; yields its psutil.Process; SIGTERM at exit."""
    env = bot_run_env(
        emu,
        FAKE_TOKEN,
        INDEX_DIR=str(workdir / "index"),
        FEEDBACK_DB=str(workdir / "feedback.sqlite3"),
        TOP_K="3",
        RATE_LIMIT_QUESTIONS="0",  # capacity, not abuse: see the module docstring
    )
    log_path = workdir / "bot.log"
    with log_path.open("wb") as log_file:
        process = await start_bot_process(env, workdir, log_file)
        try:
            await emu.wait_until_ready(timeout=180)
            yield psutil.Process(process.pid)
        finally:
            if process.returncode is None:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()
    if process.returncode != 0:
        print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)


@contextlib.asynccontextmanager
async def bot_in_process(emu: DiscordEmulator, workdir: Path) -> AsyncIterator[psutil.Process]:
    from bot.client import QuoteBot
    from bot.settings import Settings
    from index.engine import DEFAULT_ARTICLES_DIR, Engine, EngineConfig

    engine = Engine(EngineConfig(articles_dir=DEFAULT_ARTICLES_DIR, index_dir=workdir / "index"))
    await asyncio.to_thread(engine.start, allow_stale=True)
    settings = Settings(rate_limit_questions=0, feedback_db=workdir / "feedback.sqlite3")
    bot = QuoteBot(engine, settings, guild_ready_timeout=0.05)
    async with connected_client(emu, bot):
        yield psutil.Process()


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 2**20


async def soak(
    args: argparse.Namespace,
) -> tuple[SoakResult, Checks, dict[str, float], list[tuple[int, float]]]:
    questions = load_questions()
    config = SoakConfig(users=args.users, questions=args.questions, burst=args.burst)
    starter = bot_in_process if args.in_process else bot_subprocess
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        async with running_emulator(token=FAKE_TOKEN) as emu:
            world = build_soak_world(emu, config.users)
            tracker = ReplyTracker(emu)
            started = time.perf_counter()
            async with starter(emu, Path(tmp)) as process:
                print(f"bot ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                rss = {"after start": rss_mb(process)}
                warm = replace(config, questions=args.warm_up, seed=config.seed + 1)
                await run_waves(world, tracker, warm, questions)
                gc.collect()
                rss["after warm-up"] = rss_mb(process)

                trace: list[tuple[int, float]] = []
                step = max(1, config.questions // 8)

                def progress(done: int, total: int) -> None:
                    if not trace or done - trace[-1][0] >= step or done == total:
                        trace.append((done, rss_mb(process)))
                        mb = trace[-1][1]
                        print(f"  {done}/{total} questions, RSS {mb:.0f} MB", file=sys.stderr)

                tracker.strays.clear()
                result = await run_waves(world, tracker, config, questions, progress)
                rss["after soak"] = rss_mb(process)
    return result, check(result), rss, trace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=3, help="most questions per user per wave")
    parser.add_argument("--warm-up", type=int, default=100, help="questions before RSS 'before'")
    parser.add_argument("--in-process", action="store_true", help="bot in this process")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("bm25s", "discord"):  # --in-process: index builds and voice notices
        logging.getLogger(noisy).setLevel(logging.ERROR)
    result, checks, rss, trace = asyncio.run(soak(args))
    growth = rss["after soak"] / rss["after warm-up"] - 1
    where = "in-process (RSS includes the emulator)" if args.in_process else "subprocess"
    print(
        f"\n{args.users} users, bursts of 1-{args.burst}, bot {where}, rate limit off, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}\n"
    )
    print(latency_table(result))
    print("\n| RSS | MB |\n|---|---|")
    for label, value in rss.items():
        print(f"| {label} | {value:.0f} |")
    print(f"| growth during the soak | {growth * 100:+.1f}% |")
    points = ", ".join(f"{n}: {mb:.0f}" for n, mb in trace)
    print(f"\nRSS during the soak (questions: MB): {points}")
    print("\n" + summary(result, checks))
    ok = checks.ok and growth < RSS_GROWTH_LIMIT
    print("checks:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
