"""The command line for several articles: add, remove, speakers, quotes, ask --article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import FakeEncoder

import bot.__main__ as cli
from bot.__main__ import main
from index.engine import Engine

KYIV = "us-embassy-kyiv-closes.txt"
BRIDGE = "Bridge reopens in Ashby\n\nThe Ashby bridge reopens on Friday, Mayor Ruth Kane said.\n"


@pytest.fixture
def env(monkeypatch, articles_dir: Path, tmp_path: Path) -> Path:
    """The CLI over a copy of the bundled article, with the fake encoder."""
    monkeypatch.setenv("ARTICLES_DIR", str(articles_dir))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)
    encoder = FakeEncoder()
    monkeypatch.setattr(
        cli, "Engine", lambda config: Engine(config, encoder_factory=lambda s: encoder)
    )
    return tmp_path


def test_add_then_ask_in_it_then_remove(env, articles_dir, capsys):
    """add stores and indexes a file, ask --article answers from it, remove drops it."""
    upload = env / "bridge.txt"
    upload.write_text(BRIDGE)
    assert main(["add", str(upload)]) == 0
    assert "added bridge.txt; indexed 2 article(s)" in capsys.readouterr().out
    assert (articles_dir / "bridge.txt").read_text() == BRIDGE
    assert main(["ask", "--json", "--article", "bridge.txt", "When does the bridge reopen?"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert {q["article_id"] for q in answer["quotes"]} == {"bridge.txt"}
    assert main(["remove", "bridge.txt"]) == 0
    assert "indexed 1 article(s)" in capsys.readouterr().out
    assert not (articles_dir / "bridge.txt").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "missing.txt"], "no such file"),
        (["remove", "nope.txt"], "No article called 'nope.txt'"),
        (["remove", KYIV], "at least one"),
        (["ask", "--article", "nope.txt", "who?"], "No article called"),
        (["speakers", "--article", "nope.txt"], "No article called"),
        (["quotes", "Nobody At All"], "no sentences attributed"),
    ],
)
def test_errors_are_one_line(env, capsys, args, message):
    """Each mistake prints one error line and exits 1."""
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error:")
    assert message in err[0]


def test_add_rejects_a_bad_file(env, articles_dir, capsys):
    """A bad upload is refused with its reason; ARTICLES_DIR is unchanged."""
    bad = env / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4")
    before = sorted(p.name for p in articles_dir.iterdir())
    assert main(["add", str(bad)]) == 1
    assert "only .txt, .md, .html or .htm" in capsys.readouterr().err
    assert sorted(p.name for p in articles_dir.iterdir()) == before


def test_speakers_and_quotes(env, capsys):
    """speakers lists sources with counts; quotes prints one source's sentences verbatim."""
    assert main(["speakers"]) == 0
    out = capsys.readouterr().out
    assert "  3  Peter Kyle (Science Secretary) — us-embassy-kyiv-closes.txt" in out
    assert main(["quotes", "peter kyle"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n   (US embassy in Kyiv") == 3
    assert "paragraph 9" in out
