"""Export the lean torch encoder to ONNX, offline, from the same verified local weights.

``export`` writes ``model.onnx`` (+ ``model.onnx.sha256`` and ``export.json``) into the ONNX
cache (``ONNX_DIR``, default ``var/onnx``) under a folder named after the source weights
(``onnx_runtime.cache_dir_for``). The factory calls it when that file is missing, stale or
damaged; ``python -m bot export-onnx`` calls it on demand.

The graph is traced from ``TorchBertEncoder.forward`` (``torch_bert``): the BERT forward
pass, mean pooling and L2 normalisation of the torch backend, with the weights as
constants. Before a file is kept, its vectors are compared with the torch encoder's on a
fixed set of texts; below ``MIN_COSINE`` the export is refused (``ModelError``).

This needs torch (installed with sentence-transformers) and the ``onnx`` package; the
legacy TorchScript exporter (``dynamo=False``, still in torch 2.13) writes one
self-contained, byte-identical file each time in ~5 s. The dynamo exporter needs
onnxscript and onnx-ir as well, took ~20 s here and wrote a graph with an external data
file that ONNX Runtime refused as first exported (a duplicate output name).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.checksums import sha256_file
from index.encoding.model_files import ModelFiles, is_bert_mean_pooling
from index.encoding.onnx_runtime import (
    EXPORT_FORMAT,
    META_FILE,
    MODEL_FILE,
    SUMS_SUFFIX,
    OnnxEncoder,
    cache_dir_for,
)
from index.encoding.torch_bert import TorchBertEncoder
from index.errors import ModelError

log = logging.getLogger(__name__)

MIN_COSINE = 0.999
OPSET = 17  # LayerNormalization is one ONNX op from opset 17 on
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "embedding"
# Checked at every export: questions, a sentence, one character, punctuation, nothing,
# non-Latin scripts and emoji, and a text far past max_seq_length (truncation).
VERIFY_TEXTS = (
    "why did the US embassy in Kyiv close?",
    "Kremlin spokesman Dmitry Peskov confirmed the strike could be grounds for a nuclear "
    "response from Russia.",
    "x",
    "?!",
    "",
    "Ünïcödé — “quotes”, émojis 🎉, 日本語のテキスト, Кремль, العربية",
    " ".join(
        f"Sentence {i} about air attacks, embassies, officials and statements." for i in range(80)
    ),
)


@dataclass(frozen=True, slots=True)
class ExportReport:
    """Where the model was written, how close it is to torch, how long it took."""

    path: Path
    min_cosine: float
    seconds: float


def export(files: ModelFiles, onnx_dir: Path) -> ExportReport:
    """Trace, write, verify and publish ``model.onnx`` for a verified model folder.

    Files are written under temporary names and moved into place only after the
    verification passed, the sidecar last, so a crash leaves no file that looks valid.
    A read-only or full ``onnx_dir`` is a ``ModelError`` naming the folder, raised before
    torch is even imported when the folder cannot be written at all.
    """
    if not is_bert_mean_pooling(files.path):
        raise ModelError(
            f"the model in {files.path} is not a BERT mean-pooling model; "
            "EMBEDDING_BACKEND=onnx supports those only"
        )
    started = time.perf_counter()
    target = cache_dir_for(files, onnx_dir)
    tmp_model = target / f".{MODEL_FILE}.{os.getpid()}.tmp"
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp_model.touch()  # can we write here at all? (before seconds of torch work)
        log.info("exporting %s to ONNX in %s (once, about 10 s)", files.name, target)
        torch = _import_exporter()
        bert = TorchBertEncoder(files)
        try:
            _trace(bert, tmp_model, torch)
        except OSError:
            raise
        except Exception as exc:  # the exporter raises many types
            raise ModelError(f"torch could not export {files.name} to ONNX: {exc}") from exc
        min_cosine = _verify(bert, tmp_model, files)
        digest = sha256_file(tmp_model)
        seconds = time.perf_counter() - started
        meta = {
            "format": EXPORT_FORMAT,
            "source": target.name,
            "model": files.name,
            "sha256": digest,
            "min_cosine": round(min_cosine, 7),
            "torch": torch.__version__,
            "opset": OPSET,
            "export_seconds": round(seconds, 2),
        }
        os.replace(tmp_model, target / MODEL_FILE)
        _write_atomic(target / META_FILE, json.dumps(meta, indent=2) + "\n")
        _write_atomic(target / (MODEL_FILE + SUMS_SUFFIX), f"{digest}  {MODEL_FILE}\n")
    except OSError as exc:  # a read-only or full ONNX_DIR
        raise ModelError(f"cannot write the ONNX model to {target}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):  # gone already, or never written
            tmp_model.unlink()
    log.info(
        "exported %s to %s in %.1f s (min cosine to torch %.6f)",
        files.name,
        target / MODEL_FILE,
        seconds,
        min_cosine,
    )
    return ExportReport(target / MODEL_FILE, min_cosine, seconds)


def _import_exporter():
    """torch, once the ``onnx`` package its TorchScript exporter serialises with is known
    to be there; a clear ``ModelError`` naming the missing package otherwise."""
    try:
        import onnx  # noqa: F401
        import torch
    except ImportError as exc:
        raise ModelError(
            "exporting the ONNX model needs torch and the onnx package, dependencies of "
            "this project: reinstall it with `pip install -c constraints.txt -e .` "
            "(or run `make run`)"
        ) from exc
    return torch


def _verify(bert: TorchBertEncoder, path: Path, files: ModelFiles) -> float:
    """The lowest cosine between the torch and the ONNX vectors of ``VERIFY_TEXTS``;
    below ``MIN_COSINE``, a ``ModelError``."""
    reference = bert.encode(list(VERIFY_TEXTS))
    candidate = OnnxEncoder(path, files)  # a file ONNX Runtime cannot load: ModelError
    try:
        vectors = candidate.encode(list(VERIFY_TEXTS))
    except Exception as exc:  # onnxruntime raises its own Fail/RuntimeException types
        raise ModelError(f"the exported ONNX model does not run: {exc}") from exc
    min_cosine = float(np.min(np.sum(reference * vectors, axis=1)))
    if not min_cosine >= MIN_COSINE:  # also refuses NaN
        raise ModelError(
            f"the exported ONNX model is not equivalent to the torch encoder (min cosine "
            f"{min_cosine:.6f} < {MIN_COSINE}); refusing to use it"
        )
    return min_cosine


def _trace(bert: TorchBertEncoder, path: Path, torch) -> None:
    """Trace ``bert.forward`` on a small batch, batch size and length left dynamic."""

    class Graph(torch.nn.Module):
        def forward(self, input_ids, attention_mask, token_type_ids):
            return bert.forward(input_ids, attention_mask, token_type_ids)

    encodings = bert.tokenizer.encode_batch(["a short one", "and a somewhat longer sample"])
    sample = tuple(
        torch.tensor([getattr(e, field) for e in encodings], dtype=torch.long)
        for field in ("ids", "attention_mask", "type_ids")
    )
    dynamic = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    dynamic[OUTPUT] = {0: "batch"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            Graph().eval(),
            sample,
            str(path),
            dynamo=False,
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            do_constant_folding=True,
        )


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
