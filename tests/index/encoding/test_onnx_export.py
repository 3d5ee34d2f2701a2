"""The ONNX exporter: verified against torch, written atomically, clear on a bad ONNX_DIR."""

from __future__ import annotations

import errno
import json
import shutil
import sys
from pathlib import Path

import pytest

from index.checksums import sha256_file
from index.encoding import onnx_export, onnx_runtime
from index.encoding.model_files import ModelFiles, prepare_model, resolve_model
from index.errors import ModelError

pytestmark = pytest.mark.model


def test_export_writes_sidecar_and_metadata(onnx_encoder):
    """The export records the file's sha256 and its measured cosine to torch."""
    folder = onnx_encoder.path.parent
    digest = sha256_file(onnx_encoder.path)
    assert (folder / "model.onnx.sha256").read_text().split() == [digest, "model.onnx"]
    meta = json.loads((folder / "export.json").read_text())
    assert meta["format"] == onnx_runtime.EXPORT_FORMAT
    assert meta["sha256"] == digest
    assert meta["min_cosine"] >= onnx_export.MIN_COSINE
    assert onnx_runtime.check_cached(folder) is None
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no temp files


def test_export_below_the_cosine_bar_is_refused(monkeypatch, tmp_path: Path, onnx_encoder):
    """An export whose vectors stray from torch's is refused and leaves no file behind."""
    monkeypatch.setattr(onnx_export, "MIN_COSINE", 1.5)  # no model can reach it
    monkeypatch.setattr(onnx_export, "VERIFY_TEXTS", ("a short text",))
    monkeypatch.setattr(  # skip the slow trace: reuse the session's exported file
        onnx_export, "_trace", lambda bert, path, torch: shutil.copy(onnx_encoder.path, path)
    )
    with pytest.raises(ModelError, match="not equivalent to the torch encoder"):
        onnx_export.export(prepare_model("bundled"), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_export_that_does_not_run_is_refused(monkeypatch, tmp_path: Path, onnx_encoder):
    """A graph that loads but fails at inference is a ModelError, and no file is left."""

    def failing_encode(self, texts, batch_size=32):
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION")

    monkeypatch.setattr(onnx_export.OnnxEncoder, "encode", failing_encode)
    monkeypatch.setattr(
        onnx_export, "_trace", lambda bert, path, torch: shutil.copy(onnx_encoder.path, path)
    )
    with pytest.raises(ModelError, match=r"the exported ONNX model does not run: .*RUNTIME"):
        onnx_export.export(prepare_model("bundled"), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_unwritable_onnx_dir_is_a_clear_error(tmp_path: Path):
    """An ONNX_DIR that cannot be created gives a ModelError naming it, not a traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelError, match=r"cannot write the ONNX model to .*a-file"):
        onnx_export.export(prepare_model("bundled"), blocker)


def test_read_only_onnx_dir_fails_before_torch_work(tmp_path: Path, monkeypatch):
    """On a read-only file system (EROFS at the first write) the export stops before it
    loads the model, with a ModelError naming the folder."""
    real_touch = Path.touch

    def read_only_touch(self, *args, **kwargs):
        if tmp_path in self.parents:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_touch(self, *args, **kwargs)

    loaded = []
    monkeypatch.setattr(Path, "touch", read_only_touch)
    monkeypatch.setattr(onnx_export, "TorchBertEncoder", lambda files: loaded.append(files))
    with pytest.raises(ModelError, match=r"cannot write the ONNX model to .*Read-only file"):
        onnx_export.export(prepare_model("bundled"), tmp_path)
    assert loaded == []


def test_missing_onnx_package_is_a_clear_error(tmp_path: Path, monkeypatch):
    """Exporting without the onnx package says which package to install."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(
        ModelError, match=r"needs torch and the onnx package.*pip install -c constraints.txt -e \."
    ):
        onnx_export.export(prepare_model("bundled"), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_other_layouts_are_refused(tmp_path: Path):
    """Only BERT mean-pooling models are exported."""
    model_dir, _, _ = resolve_model("bundled")
    (tmp_path / "config.json").symlink_to(model_dir / "config.json")
    with pytest.raises(ModelError, match="not a BERT mean-pooling model"):
        onnx_export.export(ModelFiles(tmp_path, "other", "other@1", {}), tmp_path / "onnx")
