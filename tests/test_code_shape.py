"""The shape of the code in bot/ (and index/): short functions, and docstrings and comments
that point only at files that exist (issue 12)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support import ROOT

MAX_FUNCTION_LINES = 80
#: A path in the repository (``bot/cogs/ask.py``, ``docs/discord.md``) or a bare module
#: file name in double backquotes (````answer.py````).
PATH = re.compile(r"\b((?:bot|index|tests|docs|bench|deploy|data)/[\w./-]*\w)")
BARE = re.compile(r"``(\w+\.(?:py|md))``")


def long_functions(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    return found


def test_no_function_in_bot_is_over_80_lines() -> None:
    assert long_functions("bot") == []


def test_no_function_in_index_is_over_80_lines() -> None:
    assert long_functions("index") == []


def dangling_references(package: str) -> list[str]:
    """References in ``package``'s source to files that do not exist."""
    missing = []
    for path in sorted((ROOT / package).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in PATH.finditer(text):
            ref = match.group(1).rstrip(".")
            if "." in Path(ref).name and not (ROOT / ref).exists():
                missing.append(f"{path.relative_to(ROOT)}: {ref}")
        for match in BARE.finditer(text):
            name = match.group(1)
            here = path.parent
            if not (here / name).exists() and not list((ROOT / package).rglob(name)):
                missing.append(f"{path.relative_to(ROOT)}: {name}")
    return missing


def test_bot_points_only_at_files_that_exist() -> None:
    assert dangling_references("bot") == []


def test_the_reference_check_sees_a_missing_file(tmp_path: Path) -> None:
    assert PATH.findall("see ``bot/views.py`` and docs/discord.md.") == [
        "bot/views.py",
        "docs/discord.md",
    ]
    assert not (ROOT / "bot/views.py").exists()
