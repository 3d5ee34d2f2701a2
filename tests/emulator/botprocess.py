"""Run the real bot (``python -m bot run``) as a subprocess against an emulator.

Shared by the end-to-end process tests and ``bench/soak.py``: one place that knows which
environment points the bot at the emulator instead of Discord.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import IO

from .emulator import DiscordEmulator

ROOT = Path(__file__).resolve().parents[2]


def bot_run_env(emu: DiscordEmulator, token: str, **settings: str) -> dict[str, str]:
    """The environment for ``python -m bot run`` against ``emu``: its URLs and ``token``,
    the bundled article, no admins, no dev guild, INFO logs; ``settings`` add or override."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": token,
        "DISCORD_API_BASE": emu.api_base,
        "DISCORD_GATEWAY_URL": emu.gateway_url,
        "ARTICLES_DIR": str(ROOT / "data" / "articles"),
        "ADMIN_USER_IDS": "",
        "DEV_GUILD_ID": "",
        "LOG_LEVEL": "INFO",
        **settings,
    }


async def start_bot_process(
    env: dict[str, str], cwd: Path, log_file: IO[bytes]
) -> asyncio.subprocess.Process:
    """``python -m bot run`` in ``cwd`` (no stray ``.env``), output to ``log_file``."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log_file,
        stderr=log_file,
    )


#: How long a bot process may take to stop after SIGTERM before it is killed.
STOP_SECONDS = 30


async def stop_bot_process(process: asyncio.subprocess.Process) -> int:
    """SIGTERM (unless it already exited) and wait for the exit code; a process that does
    not stop within ``STOP_SECONDS`` is killed and the ``TimeoutError`` raised."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), timeout=STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
