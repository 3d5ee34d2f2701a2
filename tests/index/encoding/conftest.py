"""Fixtures for the encoder backends' tests (the torch and ONNX ones are in tests/conftest)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sbert_encoder():
    """The bundled model on sentence-transformers (~8 s to import): once per session."""
    from index.encoding.factory import load_encoder

    return load_encoder(backend="sentence-transformers")
