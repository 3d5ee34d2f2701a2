"""The lean torch backend gives sentence-transformers' vectors, from the same files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLE

from index.encoding.model_files import ModelFiles, prepare_model, resolve_model
from index.encoding.torch_bert import TorchBertEncoder
from index.errors import ModelError

pytestmark = pytest.mark.model


def test_vectors_match_sentence_transformers(real_encoder, sbert_encoder):
    """Cosine >= 0.9999 on questions, long text (truncation), one word and punctuation."""
    texts = [
        "why did the US embassy in Kyiv close?",
        BUNDLED_ARTICLE.read_text(encoding="utf-8"),  # longer than max_seq_length
        "x",
        "?!",
        "Ünïcödé — “quotes” and émojis 🎉",
    ]
    reference = sbert_encoder.encode(texts)
    lean = real_encoder.encode(texts)
    assert isinstance(real_encoder, TorchBertEncoder)
    assert lean.shape == reference.shape
    assert np.min(np.sum(lean * reference, axis=1)) >= 0.9999


def test_real_encoder_vectors(real_encoder):
    """Vectors are 384-d, unit length, and similar texts are closer than unrelated ones."""
    vectors = real_encoder.encode(
        ["The embassy closed.", "The embassy shut its doors.", "A recipe for banana bread."]
    )
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_batch_equals_single(real_encoder):
    """A text gets the same vector alone as inside a length-sorted, padded batch."""
    texts = ["short", "a somewhat longer sentence about the embassy", "", "?!"]
    batch = real_encoder.encode(texts, batch_size=3)
    single = np.vstack([real_encoder.encode([t]) for t in texts])
    assert np.allclose(batch, single, atol=1e-5)
    assert real_encoder.encode([]).shape == (0, 384)


def test_names_the_weights(real_encoder):
    """Name and fingerprint come from the verified model files."""
    files = prepare_model("bundled")
    assert (real_encoder.name, real_encoder.fingerprint) == (files.name, files.fingerprint)


def test_bad_weights_are_a_model_error(tmp_path: Path):
    """A folder whose model.safetensors is not a weights file: ModelError naming it."""
    model_dir, name, _ = resolve_model("bundled")
    for part in ("config.json", "tokenizer.json", "sentence_bert_config.json"):
        (tmp_path / part).symlink_to(model_dir / part)
    (tmp_path / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(ModelError, match=rf"cannot load the embedding model from {tmp_path}"):
        TorchBertEncoder(ModelFiles(tmp_path, name, "x@1", {}))
