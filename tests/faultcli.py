"""Run the real command line (``bot.__main__.main``) in a subprocess with faults injected.

``python tests/faultcli.py ARGS...`` is ``python -m bot ARGS...`` after installing the
faults named in the ``FAULTS`` environment variable (comma separated):

- ``fake-encoder``: the deterministic ``support.FakeEncoder`` instead of the real model (a
  subprocess then starts in about a second instead of five);
- ``encoder-crash``: the model raises ``RuntimeError`` when a build embeds texts (questions
  are still embedded normally), like a torch or ONNX Runtime crash;
- ``eio``: writing a vector file fails with ``OSError(EIO)`` after a partial write;
- ``enospc``: the same with ``OSError(ENOSPC)``, as a full disk mid-write;
- ``hold-save``: a build stops before writing its vector files (its half-written folder
  exists) and touches the file named by ``FAULT_MARK``, then waits for ``FAULT_RELEASE``
  to exist (or 60 s): for ``kill -9`` and for a second process racing the first.

``run_cli`` is what tests call. Used by ``tests/bot/test_cli_faults.py``.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def run_cli(
    args: list[str],
    env: dict[str, str],
    *,
    faults: str = "",
    timeout: float = 120,
    prefix: tuple[str, ...] = (),
    **options: Any,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ``faults`` in ``env`` (plus the repository on ``PYTHONPATH``);
    ``prefix`` is a command to run it under (``setpriv …``)."""
    return subprocess.run(
        [*prefix, sys.executable, str(Path(__file__)), *args],
        env=cli_env(env, faults),
        capture_output=True,
        text=True,
        timeout=timeout,
        **options,
    )


def start_cli(args: list[str], env: dict[str, str], *, faults: str = "") -> subprocess.Popen:
    """The same, started in the background (the caller waits or kills it)."""
    return subprocess.Popen(
        [sys.executable, str(Path(__file__)), *args],
        env=cli_env(env, faults),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli_env(env: dict[str, str], faults: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{TESTS}", **env, "FAULTS": faults}


def wait_for(path: Path, timeout: float = 60) -> bool:
    """Poll for ``path`` to exist (a marker a faulty process touches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------ in the subprocess
def _install(faults: set[str]) -> None:
    from index import engine
    from index.search import store

    if "fake-encoder" in faults:
        from support import FakeEncoder

        engine.load_encoder = lambda *args, **kwargs: FakeEncoder()  # type: ignore[assignment]

    if "encoder-crash" in faults:
        real_embed = store._embed

        class Crashing:
            def __init__(self, inner: Any) -> None:
                self.inner = inner
                self.name, self.dimension = inner.name, inner.dimension
                self.fingerprint = inner.fingerprint

            def encode(self, texts: list[str]) -> Any:
                if texts:
                    raise RuntimeError("CUDA error: an illegal memory access was encountered")
                return self.inner.encode(texts)

        store._embed = lambda texts, encoder, previous: real_embed(  # type: ignore[assignment]
            texts, Crashing(encoder), previous
        )

    for name, code in (("eio", errno.EIO), ("enospc", errno.ENOSPC)):
        if name in faults:

            def failing_save(self: Any, path: Path, code: int = code) -> None:
                path.write_bytes(b"\x00" * 512)  # what a failed write leaves behind
                raise OSError(code, os.strerror(code), str(path))

            store.VectorIndex.save = failing_save  # type: ignore[method-assign]

    if "hold-save" in faults:
        real_save = store.VectorIndex.save
        held = []

        def holding_save(self: Any, path: Path) -> None:
            if not held:
                held.append(path)
                Path(os.environ["FAULT_MARK"]).touch()
                wait_for(Path(os.environ["FAULT_RELEASE"]), timeout=60)
            real_save(self, path)

        store.VectorIndex.save = holding_save  # type: ignore[method-assign]


def main() -> int:
    faults = {f.strip() for f in os.environ.get("FAULTS", "").split(",") if f.strip()}
    _install(faults)
    from bot.__main__ import main as cli

    return cli(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
