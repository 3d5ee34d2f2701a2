"""The lean encoder gives the same vectors as sentence-transformers, for the same files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLE

from index.bert_encoder import supports
from index.embeddings import LeanEncoder, SentenceTransformerEncoder, load_encoder, resolve_model

pytestmark = pytest.mark.model


def test_default_backend_is_lean_for_the_bundled_model():
    """The bundled MiniLM is served by the lean encoder unless asked otherwise."""
    assert isinstance(load_encoder(), LeanEncoder)
    assert isinstance(load_encoder(backend="sentence-transformers"), SentenceTransformerEncoder)


def test_vectors_match_sentence_transformers(real_encoder):
    """Cosine >= 0.9999 on questions, long text (truncation), one word and punctuation."""
    texts = [
        "why did the US embassy in Kyiv close?",
        BUNDLED_ARTICLE.read_text(encoding="utf-8"),  # longer than max_seq_length
        "x",
        "?!",
        "Ünïcödé — “quotes” and émojis 🎉",
    ]
    reference = SentenceTransformerEncoder(verify=False).encode(texts)
    lean = real_encoder.encode(texts)
    assert lean.shape == reference.shape
    assert np.min(np.sum(lean * reference, axis=1)) >= 0.9999


def test_unsupported_layout_is_detected(tmp_path: Path):
    """A model that is not BERT + mean pooling is left to sentence-transformers."""
    model_dir, _, _ = resolve_model("bundled")
    assert supports(model_dir)
    for name in ("model.safetensors", "tokenizer.json", "modules.json"):
        (tmp_path / name).symlink_to(model_dir / name)
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_act": "gelu"}))
    assert not supports(tmp_path)
