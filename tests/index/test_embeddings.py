"""The real encoder: offline loading, normalised vectors, and refusal of tampered files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embeddings import BUNDLED_SHA256, SUMS_FILE, read_sums, resolve_model, verify_files
from index.errors import ModelError


def test_bundled_model_matches_upstream_hashes():
    """The packaged model files are byte-identical to upstream all-MiniLM-L6-v2."""
    model_dir, name, expected = resolve_model("bundled")
    assert name == "sentence-transformers/all-MiniLM-L6-v2"
    assert expected == BUNDLED_SHA256
    verify_files(model_dir, expected)


def test_tampered_file_is_refused(tmp_path: Path):
    """A model directory whose file differs from its pin is refused with a clear error."""
    model_dir, _, expected = resolve_model("bundled")
    for name in expected:
        (tmp_path / name).symlink_to(model_dir / name)
    (tmp_path / "config.json").unlink()
    (tmp_path / "config.json").write_text('{"tampered": true}')
    with pytest.raises(ModelError, match=r"config\.json .* does not match"):
        verify_files(tmp_path, expected)


def test_user_model_pins_are_read(tmp_path: Path):
    """A user-supplied model directory can pin its own files in SHA256SUMS."""
    (tmp_path / SUMS_FILE).write_text("ab12  model.safetensors\ncd34 *tokenizer.json\n")
    assert read_sums(tmp_path) == {"model.safetensors": "ab12", "tokenizer.json": "cd34"}


def test_hub_names_are_refused():
    """A hub model name is refused: models load offline, by path."""
    with pytest.raises(ModelError, match="not a local model directory"):
        resolve_model("BAAI/bge-small-en-v1.5")


@pytest.mark.model
def test_real_encoder_vectors(real_encoder):
    """Vectors are 384-d, unit length, and similar texts are closer than unrelated ones."""
    vectors = real_encoder.encode(
        ["The embassy closed.", "The embassy shut its doors.", "A recipe for banana bread."]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
