"""The ONNX Runtime backend: serves a graph exported from the same verified weights.

The ONNX file is exported offline from the torch backend (``onnx_export``) and cached in
``ONNX_DIR`` (default ``var/onnx``), one folder per source model::

    var/onnx/<sha of model.safetensors + config.json>/
        model.onnx          BERT + mean pooling + L2 normalisation, traced from torch
        model.onnx.sha256   checked on every load
        export.json         format, source, min cosine to torch at export time

``open_cached`` serves that file or says why it cannot (missing, stale, damaged); the
factory then exports it again. This module never imports the exporter, torch or the
``onnx`` package: serving needs only ``onnxruntime``, ``tokenizers`` and numpy, which is
why this backend starts faster and holds less memory.

Tokenisation is the model's ``tokenizer.json`` with the same truncation and padding as
the torch backend (``model_files.load_tokenizer``); texts are batched sorted by length.

The encoder keeps the torch backend's fingerprint (the weights' pinned sha256): an export
is refused unless its vectors are within cosine 0.999 of torch's (0.99999+ measured), so
an index built with one backend is served by the other without a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from index.checksums import sha256_file
from index.encoding.base import encode_sorted
from index.encoding.model_files import ModelFiles, load_tokenizer
from index.errors import ModelError

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the exported graph changes: cached files get re-exported
MODEL_FILE = "model.onnx"
SUMS_SUFFIX = ".sha256"
META_FILE = "export.json"
BATCH_SIZE = 32
MAX_DEFAULT_THREADS = 4


def default_threads() -> int:
    """ONNX Runtime intra-op threads: every core this process may use, at most 4 (no gain
    past that for one question at a time; the bot has other work to do too)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_DEFAULT_THREADS, cores))


def source_digest(model_dir: Path, sums: Mapping[str, str]) -> str:
    """What the export depends on: the weights and the architecture (their pinned sums when
    the model has them, already verified by ``prepare_model``; else hashed here)."""
    parts = []
    for name in ("model.safetensors", "config.json"):
        parts.append(sums.get(name) or sha256_file(model_dir / name))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def cache_dir_for(files: ModelFiles, onnx_dir: Path) -> Path:
    """The folder of ``onnx_dir`` that holds (or will hold) this model's export."""
    return onnx_dir / source_digest(files.path, files.sums)[:16]


def check_cached(folder: Path) -> str | None:
    """Why the cached export in ``folder`` cannot be used (missing, stale, damaged), or
    None when it can."""
    model = folder / MODEL_FILE
    if not model.is_file():
        return f"no exported model at {model}"
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{folder / META_FILE} is missing or unreadable"
    if not isinstance(meta, dict):
        return f"{folder / META_FILE} is not an export record"
    if meta.get("format") != EXPORT_FORMAT:
        return f"{model} was exported by another version (format {meta.get('format')!r})"
    if meta.get("source") != folder.name:
        return f"{model} was exported from other weights"
    try:
        want = (folder / (MODEL_FILE + SUMS_SUFFIX)).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return f"{model}{SUMS_SUFFIX} is missing or empty"
    got = sha256_file(model)
    if got != want.lower():
        return f"{model} does not match its sha256 (expected {want[:12]}…, got {got[:12]}…)"
    return None


def import_runtime():
    """The ``onnxruntime`` module, or a ``ModelError`` saying how to install it."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise ModelError(
            "the ONNX backend needs the onnxruntime package, a dependency of this project: "
            "reinstall it with `pip install -c constraints.txt -e .` (or run `make run`)"
        ) from exc
    return onnxruntime


def open_cached(files: ModelFiles, onnx_dir: Path, threads: int = 0) -> OnnxEncoder:
    """The encoder for this model's cached export; ``ModelError`` saying why not (no
    export yet, stale, damaged, or ONNX Runtime cannot load it)."""
    folder = cache_dir_for(files, onnx_dir)
    problem = check_cached(folder)
    if problem is not None:
        raise ModelError(f"cannot use the ONNX model: {problem}")
    return OnnxEncoder(folder / MODEL_FILE, files, threads=threads)


class OnnxEncoder:
    """Token ids to unit vectors with ONNX Runtime on the CPU; same model as the torch path.

    ``threads`` is ONNX Runtime's intra-op thread count (0: ``default_threads()``)."""

    def __init__(self, onnx_path: Path, files: ModelFiles, *, threads: int = 0) -> None:
        onnxruntime = import_runtime()
        self._tokenizer, config = load_tokenizer(files.path)
        self.name = files.name
        self.fingerprint = files.fingerprint
        self.dimension = int(config["hidden_size"])
        self.threads = int(threads) if threads else default_threads()

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        # Idle pool threads sleep instead of spinning: FAISS and the bot share 2 cores
        # (the same reason as OMP_WAIT_POLICY=PASSIVE in index/__init__.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = onnxruntime.InferenceSession(
                str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf types
            raise ModelError(f"ONNX Runtime cannot load {onnx_path}: {exc}") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        outputs = self._session.get_outputs()
        if not {"input_ids", "attention_mask"} <= self._inputs or len(outputs) != 1:
            raise ModelError(f"{onnx_path} is not an exported sentence encoder")
        self.path = onnx_path

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        return encode_sorted(texts, self.dimension, batch_size, self._encode_batch)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (vectors,) = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})
        return vectors
