"""The real command line in a subprocess while rebuilding fails: a full disk (a small tmpfs
as INDEX_DIR, and ENOSPC injected mid-write), an I/O error, no permission, a read-only
INDEX_DIR, a bad article, a crash of the embedding model, ``kill -9`` mid-build, and two
processes building at once.

Every time: ``reindex`` exits 1 with one ``error:`` line and no traceback, nothing
half-written stays in INDEX_DIR, and ``ask`` exits 0 answering from the last good build
with one WARNING naming the reason and the articles that changed since. Faults other than
the disk are injected by ``tests/faultcli.py``; the runs use the fake encoder (about a
second per run; the real model's runs are in test_e2e_faults.py and test_cli.py).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from faultcli import run_cli, start_cli, wait_for
from support import remount, small_tmpfs, synthetic_article

from index.search import store

FAKE = "fake-encoder"
QUESTION = "Who confirmed the strike could be grounds for a nuclear response?"
PESKOV = "Dmitry Peskov"
BRIDGE = "Bridge report\n\nThe harbour master said the swing bridge reopens on Friday.\n"


@pytest.fixture
def folders(articles_dir: Path, tmp_path: Path) -> dict[str, str]:
    """ARTICLES_DIR (a copy of the bundled article) and INDEX_DIR for the CLI."""
    return {"ARTICLES_DIR": str(articles_dir), "INDEX_DIR": str(tmp_path / "index")}


def cli(args: list[str], env: dict[str, str], faults: str = FAKE, **options):
    return run_cli(args, env, faults=faults, cwd=Path(env["INDEX_DIR"]).parent, **options)


def state(index_dir: Path) -> tuple[str, list[str]]:
    """CURRENT and the folder listing: what a failed build must leave as it found."""
    return (index_dir / store.CURRENT).read_text(), sorted(p.name for p in index_dir.iterdir())


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The failed run's only stderr line (no traceback, no log lines), without "error: "."""
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: Index build failed: "), lines[0]
    return lines[0].removeprefix("error: ")


def served_stale(done: subprocess.CompletedProcess[str], reason: str, changed: str) -> str:
    """``ask`` answered (exit 0, a quote of the old build) and logged the failure once."""
    assert done.returncode == 0, done.stderr
    assert PESKOV in done.stdout
    assert "Traceback" not in done.stderr
    failed = [line for line in done.stderr.splitlines() if "Index build failed: " in line]
    assert len(failed) == 1, done.stderr
    assert " WARNING index.engine: Index build failed: " in failed[0]
    assert reason in failed[0]
    assert "The previous index is still serving (built " in failed[0]
    assert changed in failed[0]
    return failed[0]


# ------------------------------------------------------------------ the disk
def test_disk_full_on_a_small_tmpfs(articles_dir: Path, tmp_path: Path) -> None:
    """INDEX_DIR on a 400 kB tmpfs: the first build fits; three grown articles do not.
    The failure is found before writing, in one line with both sizes; ``ask`` serves the
    old build; with room again the next ``reindex`` works."""
    with small_tmpfs(tmp_path / "index", "400k") as index_dir:
        env = {"ARTICLES_DIR": str(articles_dir), "INDEX_DIR": str(index_dir)}
        assert cli(["reindex"], env).returncode == 0
        before = state(index_dir)
        for seed in range(3):
            (articles_dir / f"grown-{seed}.txt").write_text(synthetic_article(seed))

        line = one_error_line(cli(["reindex"], env))
        sizes = re.search(r"the build needs about ([\d.]+) MB; ([\d.]+) MB free\)", line)
        assert sizes, line
        assert float(sizes[1]) > float(sizes[2])
        assert line.startswith("Index build failed: no space left on device in INDEX_DIR (")
        assert line.endswith(
            "3 articles changed since: grown-0.txt (new), grown-1.txt (new), grown-2.txt (new))."
        )
        assert state(index_dir) == before  # nothing written, nothing half-written

        served_stale(cli(["ask", QUESTION], env), "no space left on device", "grown-0")
        assert state(index_dir) == before

        remount(index_dir, "size=4m")
        done = cli(["reindex"], env)
        assert done.returncode == 0, done.stderr
        assert "4 article(s)" in done.stdout
        assert len(list(index_dir.glob("build-*"))) == 2  # the new build and its predecessor
        assert not list(index_dir.glob(".build-*"))


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("enospc", "no space left on device in INDEX_DIR (the build needs about "),
        ("eio", "cannot write to INDEX_DIR "),
    ],
)
def test_write_errors_mid_build(folders: dict[str, str], fault: str, reason: str) -> None:
    """ENOSPC or EIO while a vector file is written (after a partial write): one line, the
    half-written build removed, and ``ask`` serves the previous build."""
    index_dir = Path(folders["INDEX_DIR"])
    assert cli(["reindex"], folders).returncode == 0
    before = state(index_dir)
    Path(folders["ARTICLES_DIR"], "bridge.txt").write_text(BRIDGE)

    line = one_error_line(cli(["reindex"], folders, faults=f"{FAKE},{fault}"))
    assert reason in line
    assert line.endswith("1 article changed since: bridge.txt (new)).")
    assert state(index_dir) == before
    served_stale(cli(["ask", QUESTION], folders, faults=f"{FAKE},{fault}"), reason, "bridge.txt")


def test_read_only_index_dir(articles_dir: Path, tmp_path: Path) -> None:
    """A read-only INDEX_DIR: a fresh index serves without a word; a stale one serves with
    the warning; ``reindex`` says it cannot write; nothing crashes."""
    with small_tmpfs(tmp_path / "index", "4m") as index_dir:
        env = {"ARTICLES_DIR": str(articles_dir), "INDEX_DIR": str(index_dir)}
        assert cli(["reindex"], env).returncode == 0
        remount(index_dir, "ro")
        fresh = cli(["ask", QUESTION], env)
        assert fresh.returncode == 0, fresh.stderr
        assert PESKOV in fresh.stdout
        assert fresh.stderr == ""

        (articles_dir / "bridge.txt").write_text(BRIDGE)
        reason = f"INDEX_DIR {index_dir} is on a read-only file system"
        served_stale(cli(["ask", QUESTION], env), reason, "1 article changed since: bridge.txt")
        assert reason in one_error_line(cli(["reindex"], env))


def test_no_permission_to_write_index_dir(folders: dict[str, str]) -> None:
    """INDEX_DIR not writable (mode 0555, the CLI run without root's override of file
    permissions): the stale index serves and ``reindex`` names the problem."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is needed to run without CAP_DAC_OVERRIDE (tests run as root)")
    unprivileged = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]
    index_dir = Path(folders["INDEX_DIR"])
    assert cli(["reindex"], folders).returncode == 0
    Path(folders["ARTICLES_DIR"], "bridge.txt").write_text(BRIDGE)
    index_dir.chmod(0o555)
    try:
        probe = subprocess.run(
            [*unprivileged, "touch", str(index_dir / "probe")], capture_output=True, check=False
        )
        if probe.returncode == 0:
            pytest.skip("dropping CAP_DAC_OVERRIDE did not make INDEX_DIR unwritable here")

        def run(args: list[str]) -> subprocess.CompletedProcess[str]:
            return cli(args, folders, prefix=tuple(unprivileged))

        reason = f"no permission to write in INDEX_DIR {index_dir} (Permission denied)"
        served_stale(run(["ask", QUESTION]), reason, "bridge.txt (new)")
        assert reason in one_error_line(run(["reindex"]))
    finally:
        index_dir.chmod(0o755)


# ------------------------------------------------------------------ articles and the model
def test_bad_article(folders: dict[str, str]) -> None:
    index_dir = Path(folders["INDEX_DIR"])
    assert cli(["reindex"], folders).returncode == 0
    before = state(index_dir)
    Path(folders["ARTICLES_DIR"], "bad.txt").write_bytes(b"\x00\x01binary")
    line = one_error_line(cli(["reindex"], folders))
    assert line.startswith("Index build failed: bad article bad.txt: the file looks binary")
    assert state(index_dir) == before
    served_stale(cli(["ask", QUESTION], folders), "bad article bad.txt", "bad.txt (new)")


def test_encoder_crash(folders: dict[str, str]) -> None:
    """The model crashes embedding a build's new texts (not the questions)."""
    assert cli(["reindex"], folders).returncode == 0
    Path(folders["ARTICLES_DIR"], "bridge.txt").write_text(BRIDGE)
    crash = f"{FAKE},encoder-crash"
    line = one_error_line(cli(["reindex"], folders, faults=crash))
    reason = "the embedding model failed (RuntimeError: CUDA error: an illegal memory access"
    assert line.startswith(f"Index build failed: {reason}")
    served_stale(cli(["ask", QUESTION], folders, faults=crash), reason, "bridge.txt (new)")


def test_no_previous_build_is_one_line_too(folders: dict[str, str]) -> None:
    Path(folders["ARTICLES_DIR"], "bad.txt").write_bytes(b"")
    done = cli(["ask", QUESTION], folders)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "error: Index build failed: bad article bad.txt: the file is empty. There is no "
        "previous index to serve."
    )
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ processes
def test_kill_9_mid_build_then_the_next_run_cleans_up(
    folders: dict[str, str], tmp_path: Path
) -> None:
    """``kill -9`` while a build is half written: the previous build stays current and
    whole; the next run rebuilds, removing the leftover folder."""
    index_dir = Path(folders["INDEX_DIR"])
    assert cli(["reindex"], folders).returncode == 0
    before = (index_dir / store.CURRENT).read_text()
    Path(folders["ARTICLES_DIR"], "bridge.txt").write_text(BRIDGE)
    env = {**folders, "FAULT_MARK": str(tmp_path / "held"), "FAULT_RELEASE": str(tmp_path / "x")}
    builder = start_cli(["reindex"], env, faults=f"{FAKE},hold-save")
    try:
        assert wait_for(tmp_path / "held"), "the build never reached the held write"
        assert list(index_dir.glob(".build-*"))  # half written
        builder.send_signal(signal.SIGKILL)
        builder.wait(30)
    finally:
        if builder.poll() is None:
            builder.kill()
        builder.communicate()
    assert builder.returncode == -signal.SIGKILL
    assert (index_dir / store.CURRENT).read_text() == before
    assert list(index_dir.glob(".build-*"))  # what kill -9 left

    done = cli(["ask", "When does the swing bridge reopen?"], folders)
    assert done.returncode == 0, done.stderr
    assert "swing bridge reopens on Friday" in done.stdout
    assert not list(index_dir.glob(".build-*"))
    assert "Traceback" not in done.stderr


def test_two_processes_build_one_at_a_time(folders: dict[str, str], tmp_path: Path) -> None:
    """A second ``reindex`` while one is building waits for it (saying so) and then serves
    that build instead of building again; an ``ask`` meanwhile does the same."""
    index_dir = Path(folders["INDEX_DIR"])
    assert cli(["reindex"], folders).returncode == 0
    Path(folders["ARTICLES_DIR"], "bridge.txt").write_text(BRIDGE)
    release = tmp_path / "release"
    env = {**folders, "FAULT_MARK": str(tmp_path / "held"), "FAULT_RELEASE": str(release)}
    first = start_cli(["reindex"], env, faults=f"{FAKE},hold-save")
    second = asker = None
    try:
        assert wait_for(tmp_path / "held")
        second = start_cli(["reindex"], folders, faults=FAKE)
        asker = start_cli(["ask", "When does the swing bridge reopen?"], folders, faults=FAKE)
        for waiting in (second, asker):  # each says it waits, then blocks until the release
            line = read_line_until(waiting, "waiting for the index build")
            assert f"running in another process (pid {first.pid}, since " in line
        assert second.poll() is None
        assert asker.poll() is None
        release.touch()
        first_out, first_err = first.communicate(timeout=60)
        second_out, second_err = second.communicate(timeout=60)
        ask_out, ask_err = asker.communicate(timeout=60)
    finally:
        release.touch()
        for process in (first, second, asker):
            if process is not None and process.poll() is None:
                process.kill()
    assert first.returncode == 0, first_err
    assert "2 article(s)" in first_out
    assert second.returncode == 0, second_err
    assert second_out.startswith("indexed 2 article(s): ")
    assert "(built by another process meanwhile; loaded, not rebuilt)" in second_out
    assert asker.returncode == 0, ask_err
    assert "swing bridge reopens on Friday" in ask_out
    assert len(list(index_dir.glob("build-*"))) == 2


def read_line_until(process: subprocess.Popen, text: str, timeout: float = 60) -> str:
    """The first stderr line of ``process`` containing ``text`` (read in a thread)."""
    found: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if text in line:
                found.append(line)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    assert found, f"no line with {text!r}"
    return found[0]
