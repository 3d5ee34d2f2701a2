"""Settings: one frozen dataclass read from the environment and ``.env``, validated once."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from index.encoding.factory import BACKENDS
from index.encoding.model_files import BUNDLED
from index.engine import DEFAULT_ARTICLES_DIR, DEFAULT_INDEX_DIR, EngineConfig

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_TOP_K = 10
MAX_RATE_LIMIT_QUESTIONS = 1000
MAX_RATE_LIMIT_SECONDS = 86_400
MAX_SHARD_COUNT = 10_000
MAX_INDEX_WATCH_SECONDS = 3600
#: Where answers (for the buttons under them) and feedback are stored.
DEFAULT_FEEDBACK_DB = DEFAULT_INDEX_DIR.parent / "feedback.sqlite3"
MAX_ONNX_THREADS = 64
#: The reader's default (off: held out, it does not beat the signals it would replace yet;
#: docs/evaluation.md, "The reader").
DEFAULT_READER = False


class SettingsError(Exception):
    """One or more settings are missing or invalid; the message lists each problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(f"- {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment. The token is never printed."""

    discord_token: str | None = field(default=None, repr=False)
    admin_user_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    articles_dir: Path = DEFAULT_ARTICLES_DIR
    index_dir: Path = DEFAULT_INDEX_DIR
    embedding_model: str = BUNDLED
    embedding_backend: str = "auto"
    top_k: int = 3
    log_level: str = "INFO"
    rate_limit_questions: int = 5
    rate_limit_seconds: int = 30
    #: Total shards across every process (None: ask Discord, GET /gateway/bot).
    shard_count: int | None = None
    #: The shards this process serves (None: all of them, 0 .. shard_count - 1).
    shard_ids: tuple[int, ...] | None = None
    #: How often to check INDEX_DIR for a build another process published (0: never).
    index_watch_seconds: float = 5.0
    feedback_db: Path = DEFAULT_FEEDBACK_DB
    onnx_dir: Path | None = None
    onnx_threads: int = 0
    #: Reread the first candidates with the reader (index/reader/; READER=on|off).
    reader: bool = DEFAULT_READER
    #: Where each server's own articles and index live (None: next to INDEX_DIR).
    collections_dir: Path | None = None
    #: How many articles, and how many bytes of them, one server may add.
    server_max_articles: int = 10
    server_max_bytes: int = 5 * 1024 * 1024
    #: /add url: may fetch loopback, private and link-local addresses (tests, self-hosting).
    fetch_allow_private: bool = False
    fetch_timeout_seconds: float = 10.0

    @property
    def collections(self) -> Path:
        """COLLECTIONS_DIR, or ``collections`` beside INDEX_DIR."""
        return self.collections_dir or self.index_dir.parent / "collections"

    @property
    def syncs_commands(self) -> bool:
        """Whether this process registers the slash commands: the one that owns shard 0
        (every process serving all shards does), so that several processes never race."""
        return self.shard_ids is None or 0 in self.shard_ids

    @property
    def engine(self) -> EngineConfig:
        return EngineConfig(
            articles_dir=self.articles_dir,
            index_dir=self.index_dir,
            embedding_model=self.embedding_model,
            embedding_backend=self.embedding_backend,
            top_k=self.top_k,
            onnx_dir=self.onnx_dir,
            onnx_threads=self.onnx_threads,
            reader=self.reader,
        )

    @classmethod
    def load(
        cls, env_file: Path | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Read ``.env`` (if present) under the process environment, which wins."""
        values: dict[str, str] = {}
        path = env_file if env_file is not None else Path.cwd() / ".env"
        if path.is_file():
            values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        problems: list[str] = []

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        token, admins, dev_guild = discord_ids(get, problems)
        top_k = whole_number(get, "TOP_K", 3, 1, MAX_TOP_K, problems)
        rate_questions = whole_number(
            get, "RATE_LIMIT_QUESTIONS", 5, 0, MAX_RATE_LIMIT_QUESTIONS, problems, " (0: no limit)"
        )
        rate_seconds = whole_number(
            get, "RATE_LIMIT_SECONDS", 30, 1, MAX_RATE_LIMIT_SECONDS, problems
        )
        shard_count, shard_ids = shards(get, problems)
        watch_seconds = whole_number(
            get, "INDEX_WATCH_SECONDS", 5, 0, MAX_INDEX_WATCH_SECONDS, problems, " (0: off)"
        )
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
        backend = (get("EMBEDDING_BACKEND") or "auto").lower()
        if backend not in BACKENDS:
            problems.append(
                f"EMBEDDING_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}"
            )
        onnx_threads = whole_number(
            get, "ONNX_THREADS", 0, 0, MAX_ONNX_THREADS, problems, " (0: one per core, up to 4)"
        )
        reader = (get("READER") or ("on" if DEFAULT_READER else "off")).strip().lower()
        if reader not in ("on", "off"):
            problems.append(f"READER must be on or off, not {get('READER')!r}")
        articles_dir = (
            Path(get("ARTICLES_DIR")).expanduser() if get("ARTICLES_DIR") else DEFAULT_ARTICLES_DIR
        )
        index_dir = Path(get("INDEX_DIR")).expanduser() if get("INDEX_DIR") else DEFAULT_INDEX_DIR
        server_articles = whole_number(get, "SERVER_MAX_ARTICLES", 10, 0, 1000, problems)
        server_mb = whole_number(get, "SERVER_MAX_MB", 5, 1, 1000, problems)
        fetch_timeout = whole_number(get, "FETCH_TIMEOUT_SECONDS", 10, 1, 120, problems)
        allow_private = (get("FETCH_ALLOW_PRIVATE") or "off").lower()
        if allow_private not in ("on", "off"):
            problems.append(f"FETCH_ALLOW_PRIVATE must be on or off, not {allow_private!r}")
        collections_dir = (
            Path(get("COLLECTIONS_DIR")).expanduser() if get("COLLECTIONS_DIR") else None
        )
        feedback_db = DEFAULT_FEEDBACK_DB
        if get("FEEDBACK_DB"):
            feedback_db = Path(get("FEEDBACK_DB")).expanduser()
            if get("FEEDBACK_DB").endswith(("/", "\\")) or feedback_db.is_dir():
                problems.append(
                    f"FEEDBACK_DB must be a file path (e.g. var/feedback.sqlite3), not the "
                    f"folder {get('FEEDBACK_DB')!r}"
                )
        if problems:
            raise SettingsError(problems)
        return cls(
            discord_token=token,
            admin_user_ids=frozenset(admins),
            dev_guild_id=int(dev_guild) if dev_guild else None,
            articles_dir=articles_dir,
            index_dir=index_dir,
            embedding_model=get("EMBEDDING_MODEL") or BUNDLED,
            embedding_backend=backend,
            top_k=top_k,
            log_level=level,
            rate_limit_questions=rate_questions,
            rate_limit_seconds=rate_seconds,
            shard_count=shard_count,
            shard_ids=shard_ids,
            index_watch_seconds=float(watch_seconds),
            feedback_db=feedback_db,
            onnx_dir=Path(get("ONNX_DIR")).expanduser() if get("ONNX_DIR") else None,
            onnx_threads=onnx_threads,
            reader=reader == "on",
            collections_dir=collections_dir,
            server_max_articles=server_articles,
            server_max_bytes=server_mb * 1024 * 1024,
            fetch_allow_private=allow_private == "on",
            fetch_timeout_seconds=float(fetch_timeout),
        )


def discord_ids(get: Callable[[str], str], problems: list[str]) -> tuple[str | None, set[int], str]:
    """DISCORD_TOKEN (shape only: it is never echoed), ADMIN_USER_IDS and DEV_GUILD_ID."""
    token = get("DISCORD_TOKEN") or None
    if token and (len(token) < 50 or any(ch.isspace() for ch in token)):
        problems.append(
            "DISCORD_TOKEN does not look like a bot token (copy it again from the "
            "Developer Portal, Bot tab, Reset Token)"
        )
    admins: set[int] = set()
    for part in filter(None, (p.strip() for p in get("ADMIN_USER_IDS").split(","))):
        if part.isdigit():
            admins.add(int(part))
        else:
            problems.append(f"ADMIN_USER_IDS: {part!r} is not a Discord user id (digits only)")
    dev_guild = get("DEV_GUILD_ID")
    if dev_guild and not dev_guild.isdigit():
        problems.append(f"DEV_GUILD_ID: {dev_guild!r} is not a Discord server id (digits only)")
    return token, admins, dev_guild


def shards(
    get: Callable[[str], str], problems: list[str]
) -> tuple[int | None, tuple[int, ...] | None]:
    """SHARD_COUNT and SHARD_IDS (the shards of this process; they need the count)."""
    shard_count: int | None = None
    if get("SHARD_COUNT"):
        shard_count = whole_number(
            get, "SHARD_COUNT", 0, 1, MAX_SHARD_COUNT, problems, " (total shards)"
        )
        shard_count = shard_count or None
    shard_ids: tuple[int, ...] | None = None
    if get("SHARD_IDS"):
        if not get("SHARD_COUNT"):
            problems.append(
                "SHARD_IDS needs SHARD_COUNT: set SHARD_COUNT to the total number of "
                "shards across all processes (the same value in each)"
            )
        shard_ids = parse_shard_ids(get("SHARD_IDS"), shard_count, problems)
    return shard_count, shard_ids


def parse_shard_ids(text: str, shard_count: int | None, problems: list[str]) -> tuple[int, ...]:
    """``SHARD_IDS`` ("0-3,6": ids and inclusive ranges) as sorted unique ids. Each id must
    be below ``shard_count``; without a valid count only the syntax is checked (and nothing
    is returned: the caller reports the missing count)."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        low_text, dash, high_text = (s.strip() for s in part.partition("-"))
        if not dash:
            high_text = low_text
        if not all(t.isascii() and t.isdigit() and len(t) <= 9 for t in (low_text, high_text)) or (
            int(low_text) > int(high_text)
        ):
            shown = part if len(part) <= 20 else part[:20] + "…"
            problems.append(
                f"SHARD_IDS: {shown!r} is not a shard id or a range like 0-3 "
                "(write e.g. SHARD_IDS=0-3,6)"
            )
            continue
        low, high = int(low_text), int(high_text)
        if shard_count is None:
            continue
        if high >= shard_count:
            problems.append(
                f"SHARD_IDS: shard {high} does not exist with SHARD_COUNT={shard_count} "
                f"(shard ids run from 0 to {shard_count - 1})"
            )
            continue
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


def whole_number(
    get: Callable[[str], str],
    name: str,
    default: int,
    low: int,
    high: int,
    problems: list[str],
    hint: str = "",
) -> int:
    """Variable ``name`` as a whole number in [low, high] (``default`` when unset); a value
    out of range or not a number adds a problem and returns ``default``."""
    text = get(name)
    if not text:
        return default
    if text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high:
        return int(text)
    shown = text if len(text) <= 20 else text[:20] + "…"
    problems.append(f"{name} must be a whole number from {low} to {high}{hint}, not {shown!r}")
    return default


def configure_logging(level: str) -> None:
    """Configure logging once, for the whole process (called from ``__main__``)."""
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    for noisy in ("faiss.loader", "sentence_transformers", "bm25s", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
