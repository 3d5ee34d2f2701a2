"""Secrets stay out of the repository: ``.env`` is git-ignored, ``.env.example`` holds no
secret, and no file outside tests/ contains anything shaped like a Discord bot token."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import ROOT

# A bot token: base64 user id, a timestamp part, an HMAC part (e.g. MTE5….GxYzAb.cdEf…).
TOKEN_SHAPE = re.compile(r"[A-Za-z\d_-]{23,28}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,}")
SKIP_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", "tests", ".hypothesis"}
TEXT_SUFFIXES = {".py", ".md", ".txt", ".toml", ".cfg", ".ini", ".json", ".jsonl", ".yml", ""}


def gitignore_patterns() -> list[str]:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dotenv_is_git_ignored() -> None:
    patterns = gitignore_patterns()
    assert {".env", "/.env"} & set(patterns), patterns
    assert "!.env" not in patterns


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_agrees_dotenv_is_ignored_and_not_tracked() -> None:
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=30
        )

    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    assert git("check-ignore", "-q", ".env").returncode == 0  # read-only queries
    assert git("check-ignore", "-q", ".env.example").returncode == 1
    assert git("ls-files", "--error-unmatch", ".env").returncode != 0


def test_env_example_holds_no_secret() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    assert "DISCORD_TOKEN" in values
    assert values["DISCORD_TOKEN"] == ""
    for name in ("ADMIN_USER_IDS", "DEV_GUILD_ID"):  # nobody's real ids either
        assert values.get(name, "") == "", name
    for name, value in values.items():
        assert not TOKEN_SHAPE.search(value), name
        assert not re.fullmatch(r"[A-Za-z\d+/=_-]{32,}", value), name  # no key-like blobs
    assert not TOKEN_SHAPE.search(text)


def token_shaped(root: Path, skip: set[str]) -> dict[str, str]:
    """Token-shaped strings in the text files under ``root``: {string: file}."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            if path.suffix not in TEXT_SUFFIXES or path.stat().st_size > 2_000_000:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            for match in TOKEN_SHAPE.finditer(text):
                found[match.group(0)] = str(path.relative_to(ROOT))
    return found


def test_no_token_shaped_string_but_the_tests_fake_ones() -> None:
    """The end-to-end tests use fake tokens (tests/, reused by bench/); any other
    token-shaped string anywhere in the project would be a leaked secret."""
    fakes = set(token_shaped(ROOT / "tests", SKIP_DIRS - {"tests"}))
    assert fakes  # the scan works
    leaked = {
        f"{where}: {token[:12]}…"
        for token, where in token_shaped(ROOT, SKIP_DIRS).items()
        if token not in fakes
    }
    assert leaked == set()
