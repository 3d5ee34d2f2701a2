"""The one place that chooses an embedding backend and builds its encoder.

``EMBEDDING_BACKEND`` (read in ``bot/settings.py``, passed in through ``EngineConfig``):

- ``auto`` (the default): for BERT mean-pooling models like the bundled one, ONNX Runtime
  (faster start, faster questions, less memory; identical answers on every evaluation
  question, docs/benchmarks.md), exported on first use; if that cannot be done (a
  read-only ``ONNX_DIR``, a failed export, onnxruntime missing) the lean torch encoder,
  with one warning line saying why. Any other layout: sentence-transformers;
- ``onnx``: ONNX Runtime (``onnx_runtime``) on a graph exported from the same weights,
  exported into ``onnx_dir`` first when it is missing, stale or damaged (``onnx_export``);
  any problem is a ``ModelError``;
- ``torch``: the lean torch encoder (``torch_bert``); BERT mean-pooling models only;
- ``sentence-transformers``: any local sentence-transformers model (``sbert``).

Every backend gets the same verified ``ModelFiles`` and reports the same fingerprint, so
an index built with one is served by another without a rebuild.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from index.encoding.base import Encoder
from index.encoding.model_files import BUNDLED, ModelFiles, is_bert_mean_pooling, prepare_model
from index.errors import ModelError

if TYPE_CHECKING:
    from index.encoding.onnx_export import ExportReport

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "sentence-transformers", "onnx")
#: Where exported ONNX graphs are cached when ``ONNX_DIR`` is not set.
DEFAULT_ONNX_DIR = Path(__file__).resolve().parents[2] / "var" / "onnx"


def load_encoder(
    spec: str = BUNDLED,
    backend: str = "auto",
    *,
    onnx_dir: Path | None = None,
    onnx_threads: int = 0,
) -> Encoder:
    """The encoder for ``EMBEDDING_MODEL`` ``spec`` on ``backend``: the model's files are
    verified first, whatever the backend. ``onnx_dir`` None means ``DEFAULT_ONNX_DIR``;
    ``onnx_threads`` 0 means one per core, at most 4."""
    if backend not in BACKENDS:
        raise ModelError(f"EMBEDDING_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    files = prepare_model(spec)
    lean = is_bert_mean_pooling(files.path)
    if backend in ("torch", "onnx") and not lean:
        raise ModelError(
            f"the model in {files.path} is not a BERT mean-pooling model; "
            f"EMBEDDING_BACKEND={backend} supports those only (use auto or sentence-transformers)"
        )
    encoder: Encoder
    cache = onnx_dir if onnx_dir is not None else DEFAULT_ONNX_DIR
    if backend == "onnx":
        encoder = _onnx(files, cache, onnx_threads)
    elif backend == "auto" and lean:
        encoder = _onnx_or_torch(files, cache, onnx_threads)
    elif backend != "sentence-transformers" and lean:
        encoder = _torch(files)
    else:
        from index.encoding.sbert import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder(files)
    log.info("loaded embedding model %s (%s)", files.name, type(encoder).__name__)
    return encoder


def _torch(files: ModelFiles) -> Encoder:
    from index.encoding.torch_bert import TorchBertEncoder

    return TorchBertEncoder(files)


def _onnx_or_torch(files: ModelFiles, onnx_dir: Path, threads: int) -> Encoder:
    """``auto``: ONNX Runtime when it can be had, else torch with one warning line (the
    same vectors either way, so the index is the same too)."""
    try:
        return _onnx(files, onnx_dir, threads)
    except ModelError as exc:
        log.warning(
            "%s; serving with the torch backend instead (EMBEDDING_BACKEND=torch skips ONNX)",
            exc,
        )
    return _torch(files)


def _onnx(files: ModelFiles, onnx_dir: Path, threads: int) -> Encoder:
    """Serve the cached export, or export it and serve that (a stale or damaged one is
    logged with the reason)."""
    from index.encoding import onnx_runtime

    onnx_runtime.import_runtime()  # not installed: say so before seconds of exporting
    try:
        return onnx_runtime.open_cached(files, onnx_dir, threads)
    except ModelError as exc:
        problem = str(exc)
    if (onnx_runtime.cache_dir_for(files, onnx_dir) / onnx_runtime.MODEL_FILE).exists():
        log.warning("%s; exporting it again", problem)  # stale or damaged; first use is quiet
    report = _export(files, onnx_dir)  # logs the export itself
    return onnx_runtime.OnnxEncoder(report.path, files, threads=threads)


def _export(files: ModelFiles, onnx_dir: Path) -> ExportReport:
    """Run the exporter (imported here only: serving never loads torch or onnx)."""
    from index.encoding import onnx_export

    return onnx_export.export(files, onnx_dir)


def export_model(spec: str = BUNDLED, onnx_dir: Path | None = None) -> ExportReport:
    """Verify the model ``spec`` names and export it (again) into the ONNX cache:
    ``python -m bot export-onnx``. Returns the exporter's ``ExportReport``."""
    return _export(prepare_model(spec), onnx_dir if onnx_dir is not None else DEFAULT_ONNX_DIR)
