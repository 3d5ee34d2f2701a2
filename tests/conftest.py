"""Shared fixtures: article folders, engines with a fake or the real encoder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import BUNDLED_ARTICLES, FakeEncoder

from index.engine import Engine, EngineConfig


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled articles."""
    target = tmp_path / "articles"
    shutil.copytree(BUNDLED_ARTICLES, target)
    return target


@pytest.fixture
def fake_engine(articles_dir: Path, tmp_path: Path, fake_encoder: FakeEncoder) -> Engine:
    """An engine over the bundled article with the fake encoder, started."""
    engine = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=tmp_path / "index"),
        encoder_factory=lambda spec: fake_encoder,
    )
    engine.start()
    return engine


@pytest.fixture(scope="session")
def real_encoder():
    """The bundled all-MiniLM-L6-v2 on the torch backend (the reference every other backend
    is compared with), loaded once per test session."""
    from index.encoding.factory import load_encoder

    return load_encoder(backend="torch")


@pytest.fixture(scope="session")
def real_engine(real_encoder, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over the bundled article with the real model, shared by the session."""
    engine = Engine(
        EngineConfig(
            articles_dir=BUNDLED_ARTICLES, index_dir=tmp_path_factory.mktemp("real-index")
        ),
        encoder_factory=lambda spec: real_encoder,
    )
    engine.start()
    return engine


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ONNX export cache holding the bundled model, exported once per test session."""
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="session", autouse=True)
def _onnx_dir_for_the_bot(onnx_dir: Path):
    """``ONNX_DIR`` for everything the tests start with the default backend (the CLI, bot
    processes): the session's cache, so tests never write into the project's var/onnx and
    the model is exported at most once per session, by whichever needs it first."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONNX_DIR", str(onnx_dir))
        yield


@pytest.fixture(scope="session")
def onnx_encoder(onnx_dir: Path):
    """The bundled model on ONNX Runtime: the first load exports it into ``onnx_dir``."""
    from index.encoding.factory import load_encoder

    return load_encoder(backend="onnx", onnx_dir=onnx_dir)
