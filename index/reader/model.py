"""The reader: reads a question and a candidate sentence together and says how likely the
sentence answers it.

It is a small cross-encoder trained here (``bench/train_reader.py``): the bundled
all-MiniLM-L6-v2 token, position and type embeddings (frozen, read from the bundled and
sha256-verified ``model.safetensors``) and ``LAYERS`` transformer layers initialised from
that model's lower layers and fine-tuned on question–sentence pairs, then mean pooling and
a linear head. Only the fine-tuned part is shipped, as ``reader.onnx`` beside this module
(int8 weights, a few MB), pinned by the sha256 in ``READER_SHA256``; ONNX Runtime runs
it. The embedding lookup is a memory-mapped read of the bundled file, so the reader adds
little memory: the rows of the tokens asked about are all it touches.

Why not the whole six-layer model over the pair: measured here, eight candidates of
48 tokens through six layers take about 50 ms, fifteen times one query embedding; the
product's budget is three. See docs/benchmarks.md for the reader's own figures.
"""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.checksums import sha256_file
from index.encoding.model_files import ModelFiles
from index.errors import ModelError
from index.reader.pairs import PairTokenizer
from index.reader.pin import LAYERS, READER_SHA256

log = logging.getLogger(__name__)

READER_FILE = Path(__file__).with_name("reader.onnx")
EMBEDDINGS = (
    "embeddings.word_embeddings.weight",
    "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "embeddings.LayerNorm.bias",
)


def _safetensors_arrays(path: Path, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Memory-mapped float32 views of some tensors of a ``.safetensors`` file (its format:
    an 8-byte little-endian header size, a JSON header of dtypes, shapes and offsets, the
    data). Nothing is read until a row is used."""
    with path.open("rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
    out = {}
    for name in names:
        entry = header.get(name) or header.get(f"bert.{name}")
        if entry is None or entry["dtype"] != "F32":
            raise ModelError(f"{path}: no float32 tensor {name!r} for the reader")
        start, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end - start != 4 * int(np.prod(shape)):
            raise ModelError(f"{path}: tensor {name!r} has the wrong size")
        out[name] = np.memmap(path, np.float32, "r", offset=8 + size + start, shape=shape)
    return out


class Reader:
    """``score(question, sentences)`` → probabilities that each sentence answers it."""

    def __init__(
        self, files: ModelFiles, path: Path | None = None, expected: str | None = None
    ) -> None:
        import onnxruntime as ort

        path = READER_FILE if path is None else path
        expected = READER_SHA256 if expected is None else expected

        if not path.is_file():
            raise ModelError(f"reader weights missing: {path} (see README: the reader)")
        actual = sha256_file(path)
        if actual != expected:
            raise ModelError(
                f"reader weights damaged: {path} has sha256 {actual[:12]}…, "
                f"expected {expected[:12]}…"
            )
        self.path = path
        self.name = f"reader@{expected[:12]}"
        config = json.loads((files.path / "config.json").read_text(encoding="utf-8"))
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._tensors = _safetensors_arrays(files.path / "model.safetensors", EMBEDDINGS)
        self.pairs = PairTokenizer(files.path / "tokenizer.json")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a file with the right sum that ONNX Runtime refuses
            raise ModelError(f"reader weights unreadable: {path}: {exc}") from exc

    def embed(self, ids: np.ndarray, types: np.ndarray) -> np.ndarray:
        """The frozen BERT embedding layer: word + position + type, then LayerNorm."""
        t = self._tensors
        x = (
            t["embeddings.word_embeddings.weight"][ids]
            + t["embeddings.position_embeddings.weight"][: ids.shape[1]][None, :, :]
            + t["embeddings.token_type_embeddings.weight"][types]
        )
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        x = (x - mean) / np.sqrt(var + self._eps)
        return (x * t["embeddings.LayerNorm.weight"] + t["embeddings.LayerNorm.bias"]).astype(
            np.float32
        )

    # ------------------------------------------------------------------ scoring
    def logits(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        ids, types, mask = self.pairs.encode(question, sentences)
        (out,) = self._session.run(None, {"hidden": self.embed(ids, types), "mask": mask})
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Probability, per sentence, that it answers the question (0–1)."""
        return 1.0 / (1.0 + np.exp(-self.logits(question, sentences)))


__all__ = ["LAYERS", "READER_FILE", "Reader"]
