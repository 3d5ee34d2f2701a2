"""The factory: which backend serves which model, and the ONNX export on first use."""

from __future__ import annotations

import errno
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support import BUNDLED_ARTICLES, ROOT

from index.encoding import factory, onnx_export, sbert
from index.encoding.model_files import BUNDLED_SHA256, SUMS_FILE, resolve_model
from index.encoding.onnx_runtime import OnnxEncoder
from index.encoding.torch_bert import TorchBertEncoder
from index.engine import Engine, EngineConfig
from index.errors import ModelError


@pytest.fixture
def cls_pooling_model(tmp_path: Path) -> Path:
    """A model folder sentence-transformers could load but the lean backends cannot run."""
    model_dir, _, _ = resolve_model("bundled")
    folder = tmp_path / "cls-model"
    folder.mkdir()
    for name in ("model.safetensors", "tokenizer.json", "modules.json", "config.json"):
        (folder / name).symlink_to(model_dir / name)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    )
    return folder


def test_unknown_backend_is_refused():
    """A backend name that does not exist: ModelError listing the ones that do."""
    with pytest.raises(ModelError, match="EMBEDDING_BACKEND must be one of auto, torch, "):
        factory.load_encoder(backend="tensorflow")


@pytest.mark.model
def test_auto_serves_the_bundled_model_on_onnx(cache_copy: Path, monkeypatch):
    """The bundled MiniLM (BERT + mean pooling) runs on ONNX Runtime by default."""
    monkeypatch.setattr(onnx_export, "export", lambda *a: pytest.fail("exported"))
    encoder = factory.load_encoder(onnx_dir=cache_copy)
    assert isinstance(encoder, OnnxEncoder)
    assert encoder.path.parent.parent == cache_copy


@pytest.mark.model
def test_auto_exports_on_first_use(tmp_path: Path, onnx_encoder, monkeypatch, caplog):
    """No export yet: auto exports into ONNX_DIR (quietly: one INFO line), then serves it."""
    calls = []

    def fake_export(files, onnx_dir):  # the real one ran for the session fixture
        calls.append(onnx_dir)
        folder = onnx_dir / onnx_encoder.path.parent.name
        shutil.copytree(onnx_encoder.path.parent, folder)
        return onnx_export.ExportReport(folder / "model.onnx", 1.0, 0.0)

    monkeypatch.setattr(onnx_export, "export", fake_export)
    caplog.set_level(logging.INFO)
    encoder = factory.load_encoder(onnx_dir=tmp_path / "onnx")
    assert calls == [tmp_path / "onnx"]
    assert isinstance(encoder, OnnxEncoder)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.model
def test_torch_backend_is_the_lean_encoder():
    """EMBEDDING_BACKEND=torch serves the bundled model with the lean torch encoder."""
    assert isinstance(factory.load_encoder(backend="torch"), TorchBertEncoder)


@pytest.mark.model
@pytest.mark.parametrize("problem", ["read-only", "not-a-folder", "no-onnxruntime"])
def test_auto_falls_back_to_torch_with_one_warning(
    tmp_path: Path, monkeypatch, caplog, problem: str
):
    """auto cannot have ONNX (read-only ONNX_DIR, a file in its way, onnxruntime missing):
    it serves with torch, and one warning line says why."""
    onnx_dir = tmp_path / "onnx"
    if problem == "read-only":
        real_mkdir = Path.mkdir

        def read_only_mkdir(self, *args, **kwargs):
            if self == onnx_dir or onnx_dir in self.parents:
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", read_only_mkdir)
        reason = "Read-only file system"
    elif problem == "not-a-folder":
        onnx_dir.write_text("a file where the cache folder should be")
        reason = "cannot write the ONNX model to"
    else:
        monkeypatch.setitem(sys.modules, "onnxruntime", None)
        monkeypatch.setattr(onnx_export, "export", lambda *a: pytest.fail("exported"))
        reason = "needs the onnxruntime package"
    caplog.set_level(logging.INFO)
    encoder = factory.load_encoder(onnx_dir=onnx_dir)
    assert isinstance(encoder, TorchBertEncoder)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert reason in warnings[0]
    assert "serving with the torch backend instead" in warnings[0]
    assert "\n" not in warnings[0]


def test_other_layouts_go_to_sentence_transformers(cls_pooling_model: Path, monkeypatch):
    """auto hands a layout the lean backends cannot run to sentence-transformers."""
    loaded = []
    monkeypatch.setattr(sbert, "SentenceTransformerEncoder", lambda files: loaded.append(files))
    factory.load_encoder(str(cls_pooling_model))
    assert [f.path for f in loaded] == [cls_pooling_model.resolve()]


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_lean_backends_refuse_other_layouts(cls_pooling_model: Path, backend: str):
    """torch and onnx run BERT mean-pooling models only, and say what to use instead."""
    with pytest.raises(
        ModelError,
        match=rf"not a BERT mean-pooling model; EMBEDDING_BACKEND="
        rf"{backend} supports those only \(use auto or sentence-transformers\)",
    ):
        factory.load_encoder(str(cls_pooling_model), backend)


@pytest.mark.parametrize("backend", factory.BACKENDS)
def test_every_backend_verifies_the_pins_first(tmp_path: Path, backend: str, monkeypatch):
    """A model whose file fails its pin is refused before any backend is built."""
    model_dir, _, _ = resolve_model("bundled")
    for path in model_dir.iterdir():
        (tmp_path / path.name).symlink_to(path)
    sums = {**BUNDLED_SHA256, "config.json": "0" * 64}
    (tmp_path / SUMS_FILE).write_text("".join(f"{d}  {n}\n" for n, d in sums.items()))
    monkeypatch.setattr(onnx_export, "export", lambda *a: pytest.fail("exported"))
    with pytest.raises(ModelError, match=r"config\.json .* does not match its pinned sha256"):
        factory.load_encoder(str(tmp_path), backend, onnx_dir=tmp_path / "onnx")


@pytest.mark.model
def test_onnx_serves_a_good_cache_without_exporting(cache_copy: Path, monkeypatch):
    """A cached export that passes its checks is served as it is."""
    monkeypatch.setattr(onnx_export, "export", lambda *a: pytest.fail("exported"))
    encoder = factory.load_encoder(backend="onnx", onnx_dir=cache_copy, onnx_threads=1)
    assert encoder.path.parent.parent == cache_copy
    assert encoder.threads == 1


@pytest.mark.model
@pytest.mark.parametrize("damage", ["flip-byte", "remove"])
def test_missing_or_damaged_cache_is_exported_again(
    cache_copy: Path, onnx_encoder, monkeypatch, caplog, damage: str
):
    """On load, a missing or damaged file is exported (logged with the reason), then served."""
    folder = next(cache_copy.iterdir())
    good = folder.parent / "good.onnx"
    shutil.copy(folder / "model.onnx", good)
    reason = "does not match its sha256"
    if damage == "remove":
        (folder / "model.onnx").unlink()
    else:
        data = bytearray((folder / "model.onnx").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (folder / "model.onnx").write_bytes(bytes(data))
    calls = []

    def fake_export(files, onnx_dir):  # the real one ran for the session fixture
        calls.append(onnx_dir)
        shutil.copy(good, folder / "model.onnx")
        return onnx_export.ExportReport(folder / "model.onnx", 1.0, 0.0)

    monkeypatch.setattr(onnx_export, "export", fake_export)
    encoder = factory.load_encoder(backend="onnx", onnx_dir=cache_copy)
    assert calls == [cache_copy]
    if damage == "remove":  # first use: nothing to warn about
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    else:
        assert f"{reason}" in caplog.text
        assert "exporting it again" in caplog.text
    text = ["why did the embassy close?"]
    assert np.allclose(encoder.encode(text), onnx_encoder.encode(text), atol=1e-6)


def test_onnx_export_failure_is_the_error(tmp_path: Path, monkeypatch):
    """With EMBEDDING_BACKEND=onnx, an export that cannot be written is a ModelError."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelError, match=r"cannot write the ONNX model to .*a-file"):
        factory.load_encoder(backend="onnx", onnx_dir=blocker)


def test_export_model_defaults_to_var_onnx(monkeypatch):
    """``python -m bot export-onnx`` without ONNX_DIR exports into the project's var/onnx."""
    calls = []
    monkeypatch.setattr(onnx_export, "export", lambda files, onnx_dir: calls.append(onnx_dir))
    factory.export_model()
    factory.export_model(onnx_dir=Path("/elsewhere"))
    assert calls == [ROOT / "var" / "onnx", Path("/elsewhere")]
    assert factory.DEFAULT_ONNX_DIR == ROOT / "var" / "onnx"


@pytest.mark.model
def test_serving_a_cached_export_imports_neither_torch_nor_the_exporter(onnx_encoder):
    """The default backend serving a cached export imports neither torch, onnx, the
    exporter nor sentence-transformers: that is where its faster start comes from."""
    onnx_dir = onnx_encoder.path.parent.parent
    code = f"""
import sys
from pathlib import Path
from index.encoding.factory import load_encoder
load_encoder(onnx_dir=Path({str(onnx_dir)!r})).encode(["a question"])  # auto
heavy = ("torch", "onnx", "index.encoding.onnx_export", "sentence_transformers")
print(sorted(name for name in heavy if name in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.model
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
