"""The sentence-transformers backend: the bundled model offline, and clear load errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.encoding.model_files import ModelFiles, prepare_model
from index.encoding.sbert import SentenceTransformerEncoder
from index.errors import ModelError

pytestmark = pytest.mark.model


def test_encodes_unit_vectors(sbert_encoder):
    """384-d float32 unit vectors, the weights' fingerprint, and an empty call."""
    assert isinstance(sbert_encoder, SentenceTransformerEncoder)
    vectors = sbert_encoder.encode(["The embassy closed.", "A recipe for banana bread."])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert sbert_encoder.encode([]).shape == (0, 384)
    assert sbert_encoder.fingerprint == prepare_model("bundled").fingerprint


def test_folder_that_is_no_model_is_a_model_error(tmp_path: Path):
    """A folder the library cannot load: ModelError naming it, not the library's trace."""
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match=rf"cannot load the embedding model from {tmp_path}"):
        SentenceTransformerEncoder(ModelFiles(tmp_path, "broken", "broken@1", {}))
