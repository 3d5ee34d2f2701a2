"""Fixtures for the encoder backends' tests (the torch and ONNX ones are in tests/conftest)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def sbert_encoder():
    """The bundled model on sentence-transformers (~8 s to import): once per session."""
    from index.encoding.factory import load_encoder

    return load_encoder(backend="sentence-transformers")


@pytest.fixture
def cache_copy(onnx_encoder, tmp_path: Path) -> Path:
    """A writable copy of the session's ONNX cache (one model folder)."""
    target = tmp_path / "onnx"
    shutil.copytree(onnx_encoder.path.parent, target / onnx_encoder.path.parent.name)
    return target
