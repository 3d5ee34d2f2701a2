"""EMBEDDING_BACKEND=onnx: the exported model matches torch, and its cache is checked."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLE, BUNDLED_ARTICLES

from index import onnx_encoder as onnx_mod
from index import onnx_export
from index.checksums import sha256_file
from index.embeddings import resolve_model
from index.engine import Engine, EngineConfig
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


@pytest.fixture
def cache_copy(onnx_encoder, tmp_path: Path) -> Path:
    """A writable copy of the session's ONNX cache (one model folder)."""
    target = tmp_path / "onnx"
    shutil.copytree(onnx_encoder.path.parent, target / onnx_encoder.path.parent.name)
    return target


def model_args() -> tuple[Path, str, str, dict[str, str]]:
    model_dir, name, sums = resolve_model("bundled")
    return model_dir, name, f"{name}@fingerprint", sums


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


def test_export_writes_sidecar_and_metadata(onnx_encoder):
    """The export records the file's sha256 and its measured cosine to torch."""
    folder = onnx_encoder.path.parent
    digest = sha256_file(onnx_encoder.path)
    assert (folder / "model.onnx.sha256").read_text().split() == [digest, "model.onnx"]
    meta = json.loads((folder / "export.json").read_text())
    assert meta["format"] == onnx_mod.EXPORT_FORMAT
    assert meta["sha256"] == digest
    assert meta["min_cosine"] >= onnx_export.MIN_COSINE
    assert onnx_mod.check_cached(folder) is None
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no temp files


def test_an_index_built_with_torch_is_served_by_onnx(onnx_encoder, real_encoder, tmp_path):
    """Switching the backend keeps the index (no rebuild) and the same top quotes."""
    config = EngineConfig(articles_dir=BUNDLED_ARTICLES, index_dir=tmp_path / "index")
    torch_engine = Engine(config, encoder_factory=lambda spec: real_encoder)
    torch_engine.start()
    current = (tmp_path / "index" / "CURRENT").read_text()
    onnx_engine = Engine(config, encoder_factory=lambda spec: onnx_encoder)
    onnx_engine.start()
    assert (tmp_path / "index" / "CURRENT").read_text() == current
    for question in ("Who confirmed the strike could mean a nuclear response?", "Why close?"):
        want = [q.text for q in torch_engine.ask(question).quotes]
        assert [q.text for q in onnx_engine.ask(question).quotes] == want


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
    ],
    ids=["flipped-byte", "no-model", "no-sidecar", "bad-metadata", "list-metadata", "old-format"],
)
def test_damaged_or_stale_cache_is_refused(cache_copy: Path, damage, reason):
    """Without re-export, a damaged or stale cached model is a clear ModelError."""
    model_dir, name, fingerprint, sums = model_args()
    folder = next(cache_copy.iterdir())
    damage(folder)
    with pytest.raises(ModelError, match=reason):
        onnx_mod.load_onnx_encoder(
            model_dir, name, fingerprint, sums, onnx_dir=cache_copy, export=False
        )


def test_unreadable_file_with_matching_sidecar_is_refused(cache_copy: Path):
    """A file that hashes right but is no ONNX model: ONNX Runtime's refusal, clearly."""
    model_dir, name, fingerprint, sums = model_args()
    folder = next(cache_copy.iterdir())
    (folder / "model.onnx").write_bytes(b"not an onnx model")
    (folder / "model.onnx.sha256").write_text(f"{sha256_file(folder / 'model.onnx')}  model.onnx")
    with pytest.raises(ModelError, match="ONNX Runtime cannot load"):
        onnx_mod.load_onnx_encoder(
            model_dir, name, fingerprint, sums, onnx_dir=cache_copy, export=False
        )


def test_damaged_cache_is_exported_again(cache_copy: Path, onnx_encoder, monkeypatch, caplog):
    """On load, a damaged file is re-exported (logged with the reason), then served."""
    model_dir, name, fingerprint, sums = model_args()
    folder = next(cache_copy.iterdir())
    good = folder.parent / "good.onnx"
    shutil.copy(folder / "model.onnx", good)
    corrupt(folder / "model.onnx")
    calls = []

    def fake_export(model_dir, name, sums, onnx_dir):  # the real one is the session fixture's
        calls.append(onnx_dir)
        shutil.copy(good, folder / "model.onnx")
        return onnx_export.ExportReport(folder / "model.onnx", 1.0, 0.0)

    monkeypatch.setattr(onnx_export, "export", fake_export)
    encoder = onnx_mod.load_onnx_encoder(model_dir, name, fingerprint, sums, onnx_dir=cache_copy)
    assert calls == [cache_copy]
    assert "does not match its sha256" in caplog.text
    assert "exporting" in caplog.text
    text = [TEXTS["question"]]
    assert np.allclose(encoder.encode(text), onnx_encoder.encode(text), atol=1e-6)


def test_export_below_the_cosine_bar_is_refused(monkeypatch, tmp_path: Path, onnx_encoder):
    """An export whose vectors stray from torch's is refused and leaves no file behind."""
    model_dir, name, _, sums = model_args()
    monkeypatch.setattr(onnx_export, "MIN_COSINE", 1.5)  # no model can reach it
    monkeypatch.setattr(onnx_export, "VERIFY_TEXTS", ("a short text",))
    monkeypatch.setattr(  # skip the slow trace: reuse the session's exported file
        onnx_export, "_trace", lambda bert, path, torch: shutil.copy(onnx_encoder.path, path)
    )
    with pytest.raises(ModelError, match="not equivalent to the torch encoder"):
        onnx_export.export(model_dir, name, sums, tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_unwritable_onnx_dir_is_a_clear_error(tmp_path: Path):
    """An ONNX_DIR that cannot be created gives a ModelError naming it, not a traceback."""
    model_dir, name, _, sums = model_args()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelError, match=r"cannot write the ONNX model to .*a-file"):
        onnx_export.export(model_dir, name, sums, blocker)


def test_missing_onnxruntime_is_a_clear_error(monkeypatch, onnx_encoder):
    """Without the onnxruntime package, the backend says which package to install."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    model_dir, name, fingerprint, _ = model_args()
    with pytest.raises(ModelError, match=r"needs the onnxruntime package.*\[onnx\]"):
        onnx_mod.OnnxEncoder(onnx_encoder.path, model_dir, name=name, fingerprint=fingerprint)


@pytest.mark.parametrize(("setting", "expected"), [(0, onnx_mod.default_threads()), (1, 1)])
def test_thread_setting(onnx_encoder, setting: int, expected: int):
    """ONNX_THREADS=0 means one per core (at most 4); other values are used as given."""
    model_dir, name, fingerprint, _ = model_args()
    encoder = onnx_mod.OnnxEncoder(
        onnx_encoder.path, model_dir, name=name, fingerprint=fingerprint, threads=setting
    )
    assert encoder.threads == expected
    assert 1 <= onnx_mod.default_threads() <= 4
