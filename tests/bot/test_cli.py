"""The command line: JSON answers, readable answers, reindex, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLE, ROOT

from bot.__main__ import main


@pytest.fixture
def env(monkeypatch, articles_dir: Path, tmp_path: Path) -> Path:
    """Point the CLI at a copy of the bundled article and a fresh index folder."""
    monkeypatch.setenv("ARTICLES_DIR", str(articles_dir))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path / "index"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "empty"),
        (["ask", "x" * 301], "301 characters"),
        (["ask", "   ", "\t"], "empty"),
        (["ask", "???"], "no letters"),
    ],
)
def test_bad_questions_exit_non_zero(env, capsys, args, message):
    """Empty, over-long and wordless questions print one error line each and exit 1."""
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(args) - 1
    assert all(line.startswith("error: question ") for line in err)
    assert message in err[0]


def test_missing_articles_dir(env, monkeypatch, tmp_path, capsys):
    """A missing ARTICLES_DIR is one line and exit 1, before any model loads."""
    monkeypatch.setenv("ARTICLES_DIR", str(tmp_path / "nowhere"))
    assert main(["ask", "who said it?"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_invalid_settings(env, monkeypatch, capsys):
    """A bad TOP_K is reported with the setting's name and exit 2."""
    monkeypatch.setenv("TOP_K", "lots")
    assert main(["ask", "who?"]) == 2
    assert "TOP_K" in capsys.readouterr().err


@pytest.mark.model
def test_ask_json_one_line_per_question(env, capsys):
    """--json prints one object per question, in order, with verbatim quotes."""
    questions = ["What did the Kremlin spokesman confirm?", "What is a good banana bread recipe?"]
    assert main(["ask", "--json", *questions]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert [first["question"], second["question"]] == questions
    assert first["answered"]
    assert first["confidence"] == "high"
    assert second == {
        "question": questions[1],
        "answered": False,
        "confidence": "none",
        "note": None,
        "who": None,
        "quotes": [],
    }
    raw = BUNDLED_ARTICLE.read_text(encoding="utf-8")
    blocks = [b.strip() for b in raw.split("\n\n") if b.strip()]
    for quote in first["quotes"]:
        assert quote["text"] in blocks[quote["paragraph"] - 1]
        assert set(quote) >= {"speaker", "role", "cue", "channel", "kind", "article", "score"}
    assert first["quotes"][0]["speaker"] == "Dmitry Peskov"


@pytest.mark.model
def test_a_refused_question_in_a_batch_gets_its_own_line(env, capsys):
    """In a batch, a refused question gets an "error" line; the others are answered; the
    exit status is 1 and each refusal is one line on stderr."""
    questions = ["Who confirmed the strike could mean a nuclear response?", "   ", "?!?"]
    assert main(["ask", "--json", *questions]) == 1
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.strip().splitlines()]
    assert [line["question"] for line in lines] == questions
    assert lines[0]["answered"]
    assert lines[0]["quotes"]
    assert "empty" in lines[1]["error"]
    assert "quotes" not in lines[1]
    assert "no letters" in lines[2]["error"]
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: question 2: {lines[1]['error']}",
        f"error: question 3: {lines[2]['error']}",
    ]


@pytest.mark.model
def test_reindex_then_failed_reindex_keeps_index(env, articles_dir, capsys):
    """reindex prints counts; a bad file then fails in one line and the index survives."""
    assert main(["reindex"]) == 0
    out = capsys.readouterr().out
    assert "1 article(s)" in out
    assert "sentences in" in out
    build = sorted(p.name for p in env.glob("build-*"))
    (articles_dir / "bad.txt").write_bytes(b"\x00\x01")
    assert main(["reindex"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "bad.txt" in err[0]
    assert sorted(p.name for p in env.glob("build-*")) == build


@pytest.mark.model
def test_readable_answer_in_a_subprocess(tmp_path):
    """`python -m bot ask` prints quotes with speaker, role and paragraph."""
    env = {**os.environ, "INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "What did Peter Kyle say on Times Radio?"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    assert "Peter Kyle, Science Secretary, said on Times Radio" in out
    assert "paragraph 9" in out


def test_export_onnx_command(env, monkeypatch, tmp_path, capsys):
    """`python -m bot export-onnx` exports into ONNX_DIR and prints where and how close."""
    from index.encoding import onnx_export

    calls = []

    def fake_export(files, onnx_dir):
        calls.append(onnx_dir)
        return onnx_export.ExportReport(onnx_dir / "x" / "model.onnx", 0.9999991, 4.2)

    monkeypatch.setattr(onnx_export, "export", fake_export)
    monkeypatch.setenv("ONNX_DIR", str(tmp_path / "onnx"))
    assert main(["export-onnx"]) == 0
    assert calls == [tmp_path / "onnx"]
    out = capsys.readouterr().out
    assert f"exported {tmp_path / 'onnx' / 'x' / 'model.onnx'} in 4.2 s" in out
    assert "0.999999" in out
