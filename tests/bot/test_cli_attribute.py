"""``python -m bot attribute``: JSON per sentence, a readable listing, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE, ROOT

from bot.__main__ import main

FIELDS = {"article", "start", "end", "text", "speaker", "role", "cue", "channel", "kind"}
ARTICLE = (
    "Pool to close\n\n"
    "The council voted to shut the pool on Monday.\n\n"
    '"We had no choice, because the roof is no longer safe," said Ana Ruiz, the leader.\n'
)


def run_json(capsys, *files: str) -> list[dict]:
    assert main(["attribute", "--json", *files]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_json_has_the_fields_and_verbatim_offsets(tmp_path: Path, capsys) -> None:
    path = tmp_path / "pool.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    records = run_json(capsys, str(path))
    assert [r["kind"] for r in records] == ["narration", "direct"]
    for record in records:
        assert set(record) == FIELDS
        assert record["article"] == str(path)
        assert ARTICLE[record["start"] : record["end"]] == record["text"]
    assert records[1]["speaker"] == "Ana Ruiz"
    assert records[1]["role"] == "leader"


def test_offsets_are_into_the_file_as_it_is(tmp_path: Path, capsys) -> None:
    """A BOM and CRLF line endings are counted: offsets index the file's own text."""
    raw = "\ufeff" + ARTICLE.replace("\n", "\r\n")
    path = tmp_path / "windows.txt"
    path.write_bytes(raw.encode("utf-8"))
    records = run_json(capsys, str(path))
    plain = tmp_path / "plain.txt"
    plain.write_text(ARTICLE, encoding="utf-8")
    expected = run_json(capsys, str(plain))
    assert [r["text"] for r in records] == [r["text"] for r in expected]
    on_disk = path.read_bytes().decode("utf-8")  # what open(..., newline="") reads
    for record in records:
        assert on_disk[record["start"] : record["end"]] == record["text"]
    assert records[0]["start"] == expected[0]["start"] + 1 + 2  # the BOM, two CRs before


def test_listing_says_who_said_what(capsys) -> None:
    assert main(["attribute", str(BUNDLED_ARTICLE)]) == 0
    out = capsys.readouterr().out
    assert "Dmitry Peskov, Kremlin spokesman — confirmed" in out
    assert "23 sentences," in out
    assert "attributed" in out


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "nul.txt", b"Title\n\nA\x00B"), "binary"),
        (lambda d: _write(d / "empty.txt", b""), "empty"),
    ],
)
def test_unusable_files_get_one_error_line(tmp_path: Path, capsys, make, reason) -> None:
    good = _write(tmp_path / "good.txt", ARTICLE.encode())
    bad = make(tmp_path)
    assert main(["attribute", "--json", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing partial
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {bad}")
    assert reason in lines[0]


def test_runs_as_a_module_without_settings(tmp_path: Path) -> None:
    """The shared scorer calls it as a subprocess, from the project root."""
    path = _write(tmp_path / "pool.txt", ARTICLE.encode())
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "attribute", "--json", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LOG_LEVEL": "not-a-level"},
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
