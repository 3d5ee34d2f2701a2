"""The ONNX Runtime backend: the exported model matches torch, and its cache is checked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLE

from index.checksums import sha256_file
from index.encoding import onnx_runtime
from index.encoding.model_files import prepare_model
from index.errors import ModelError

pytestmark = pytest.mark.model

LONG = " ".join(f"Paragraph {i} about sirens, shelters and the embassy." for i in range(60))
TEXTS = {
    "question": "why did the US embassy in Kyiv close?",
    "sentence": "Kremlin spokesman Dmitry Peskov confirmed the strike could be grounds for a "
    "nuclear response from Russia, given President Vladimir Putin has updated the doctrine.",
    "article": BUNDLED_ARTICLE.read_text(encoding="utf-8"),  # far past 256 tokens
    "long": LONG,
    "unicode": "Ünïcödé — “quotes”, émojis 🎉, 日本語, Кремль, العربية",
    "one-char": "x",
    "punctuation": "?!",
    "empty": "",
    "spaces": "   ",
}


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_vectors_match_torch(onnx_encoder, real_encoder):
    """Cosine >= 0.999 to the torch encoder on questions, long, unicode and empty-ish text."""
    texts = list(TEXTS.values())
    got, want = onnx_encoder.encode(texts), real_encoder.encode(texts)
    assert got.shape == want.shape == (len(texts), 384)
    assert got.dtype == np.float32
    worst = dict(zip(TEXTS, cosines(got, want).round(6), strict=True))
    assert min(worst.values()) >= 0.999, worst
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_long_texts_are_truncated_like_torch(onnx_encoder, real_encoder):
    """Text past max_seq_length is cut at the same token: a different ending changes nothing."""
    texts = [LONG, LONG + " An entirely different ending about bread and football."]
    got = onnx_encoder.encode(texts)
    assert np.allclose(got[0], got[1], atol=1e-6)
    assert cosines(got, real_encoder.encode(texts)).min() >= 0.999


def test_batch_equals_single(onnx_encoder):
    """A text gets the same vector alone as inside a length-sorted, padded batch."""
    texts = [text for key, text in TEXTS.items() if key != "article"]
    batch = onnx_encoder.encode(texts, batch_size=4)
    single = np.vstack([onnx_encoder.encode([t]) for t in texts])
    assert np.allclose(batch, single, atol=1e-5)
    assert onnx_encoder.encode([]).shape == (0, 384)


def test_same_fingerprint_as_torch(onnx_encoder, real_encoder):
    """The backends share the weights' fingerprint, so switching does not rebuild the index."""
    assert onnx_encoder.fingerprint == real_encoder.fingerprint
    assert onnx_encoder.name == real_encoder.name
    assert onnx_encoder.dimension == real_encoder.dimension


def test_open_cached_serves_the_export(cache_copy: Path, onnx_encoder):
    """A good cached export is served as it is, without exporting."""
    encoder = onnx_runtime.open_cached(prepare_model("bundled"), cache_copy, threads=1)
    assert encoder.path.parent.parent == cache_copy
    text = [TEXTS["question"]]
    assert np.allclose(encoder.encode(text), onnx_encoder.encode(text), atol=1e-6)


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda f: corrupt(f / "model.onnx"), "does not match its sha256"),
        (lambda f: (f / "model.onnx").unlink(), "no exported model"),
        (lambda f: (f / "model.onnx.sha256").unlink(), "model.onnx.sha256 is missing"),
        (lambda f: (f / "export.json").write_text("{not json"), "missing or unreadable"),
        (lambda f: (f / "export.json").write_text("[]"), "not an export record"),
        (
            lambda f: (f / "export.json").write_text(json.dumps({"format": 0})),
            "exported by another version",
        ),
        (
            lambda f: (f / "export.json").write_text(
                json.dumps({"format": onnx_runtime.EXPORT_FORMAT, "source": "other"})
            ),
            "exported from other weights",
        ),
    ],
    ids=[
        "flipped-byte",
        "no-model",
        "no-sidecar",
        "bad-metadata",
        "list-metadata",
        "old-format",
        "other-weights",
    ],
)
def test_damaged_or_stale_cache_is_refused(cache_copy: Path, damage, reason):
    """A damaged or stale cached model is a clear ModelError (the factory then re-exports)."""
    folder = next(cache_copy.iterdir())
    damage(folder)
    with pytest.raises(ModelError, match=reason):
        onnx_runtime.open_cached(prepare_model("bundled"), cache_copy)


def test_unreadable_file_with_matching_sidecar_is_refused(cache_copy: Path):
    """A file that hashes right but is no ONNX model: ONNX Runtime's refusal, clearly."""
    folder = next(cache_copy.iterdir())
    (folder / "model.onnx").write_bytes(b"not an onnx model")
    (folder / "model.onnx.sha256").write_text(f"{sha256_file(folder / 'model.onnx')}  model.onnx")
    with pytest.raises(ModelError, match="ONNX Runtime cannot load"):
        onnx_runtime.open_cached(prepare_model("bundled"), cache_copy)


def test_missing_onnxruntime_is_a_clear_error(monkeypatch, onnx_encoder):
    """Without the onnxruntime package, the backend says which package to install."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(
        ModelError, match=r"needs the onnxruntime package.*pip install -c constraints.txt -e \."
    ):
        onnx_runtime.OnnxEncoder(onnx_encoder.path, prepare_model("bundled"))


@pytest.mark.parametrize(("setting", "expected"), [(0, onnx_runtime.default_threads()), (1, 1)])
def test_thread_setting(onnx_encoder, setting: int, expected: int):
    """ONNX_THREADS=0 means one per core (at most 4); other values are used as given."""
    encoder = onnx_runtime.OnnxEncoder(onnx_encoder.path, prepare_model("bundled"), threads=setting)
    assert encoder.threads == expected
    assert 1 <= onnx_runtime.default_threads() <= onnx_runtime.MAX_DEFAULT_THREADS
