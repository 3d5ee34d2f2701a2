"""Export the lean BERT encoder to ONNX, offline, from the same verified local weights.

``python -m bot export-onnx`` (settings from ``.env``) or
``python -m index.onnx_export [--model SPEC] [--onnx-dir DIR]`` writes
``model.onnx`` (+ ``model.onnx.sha256`` and ``export.json``) into the ONNX cache
(``ONNX_DIR``, default ``var/onnx``) under a folder named after the source weights. The
bot also exports on first use of ``EMBEDDING_BACKEND=onnx`` when that file is missing,
stale or damaged.

The graph is traced from ``BertEncoder.forward`` (``index/bert_encoder.py``): the BERT
forward pass, mean pooling and L2 normalisation of the torch path, with the weights as
constants. Before a file is kept, its vectors are compared with the torch encoder's on a
fixed set of texts; below ``MIN_COSINE`` the export is refused (``ModelError``).

This needs torch (already installed) and the ``onnx`` package (the ``[onnx]`` extra): the
legacy TorchScript exporter (``dynamo=False``, still in torch 2.13) writes one
self-contained, byte-identical file each time in ~5 s. The dynamo exporter needs
onnxscript and onnx-ir as well, took ~20 s here and wrote a graph with an external data
file that ONNX Runtime refused as first exported (a duplicate output name).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.checksums import sha256_file
from index.errors import ModelError
from index.onnx_encoder import (
    EXPORT_FORMAT,
    META_FILE,
    MODEL_FILE,
    SUMS_SUFFIX,
    OnnxEncoder,
    cache_dir_for,
    default_onnx_dir,
)

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


def export(model_dir: Path, name: str, sums: dict[str, str], onnx_dir: Path) -> ExportReport:
    """Trace, write, verify and publish ``model.onnx`` for the model in ``model_dir``.

    Files are written under temporary names and moved into place only after the
    verification passed, the sidecar last, so a crash leaves no file that looks valid.
    """
    try:
        import onnx  # noqa: F401  (the TorchScript exporter serialises with it)
        import torch
    except ImportError as exc:
        raise ModelError(
            "exporting the ONNX model needs torch and the onnx package: "
            "pip install -e '.[onnx]' (or run `make run`, which installs it)"
        ) from exc
    from index.bert_encoder import BertEncoder, supports

    if not supports(model_dir):
        raise ModelError(
            f"the model in {model_dir} is not a BERT mean-pooling model; "
            "EMBEDDING_BACKEND=onnx supports those only"
        )
    started = time.perf_counter()
    target = cache_dir_for(model_dir, sums, onnx_dir)
    tmp_model = target / f".{MODEL_FILE}.{os.getpid()}.tmp"
    try:
        target.mkdir(parents=True, exist_ok=True)
        bert = BertEncoder(model_dir)
        try:
            _trace(bert, tmp_model, torch)
        except OSError:
            raise
        except Exception as exc:  # the exporter raises many types
            raise ModelError(f"torch could not export {name} to ONNX: {exc}") from exc
        min_cosine = _verify(bert, tmp_model, model_dir, name)
        digest = sha256_file(tmp_model)
        seconds = time.perf_counter() - started
        meta = {
            "format": EXPORT_FORMAT,
            "source": target.name,
            "model": name,
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
        name,
        target / MODEL_FILE,
        seconds,
        min_cosine,
    )
    return ExportReport(target / MODEL_FILE, min_cosine, seconds)


def _verify(bert, path: Path, model_dir: Path, name: str) -> float:
    """The lowest cosine between the torch and the ONNX vectors of ``VERIFY_TEXTS``;
    below ``MIN_COSINE``, a ``ModelError``."""
    reference = bert.encode(list(VERIFY_TEXTS))
    candidate = OnnxEncoder(path, model_dir, name=name, fingerprint=name)
    vectors = candidate.encode(list(VERIFY_TEXTS))
    min_cosine = float(np.min(np.sum(reference * vectors, axis=1)))
    if not min_cosine >= MIN_COSINE:  # also refuses NaN
        raise ModelError(
            f"the exported ONNX model is not equivalent to the torch encoder (min cosine "
            f"{min_cosine:.6f} < {MIN_COSINE}); refusing to use it"
        )
    return min_cosine


def _trace(bert, path: Path, torch) -> None:
    """Trace ``bert.forward`` on a small batch, batch size and length left dynamic."""

    class Graph(torch.nn.Module):
        def forward(self, input_ids, attention_mask, token_type_ids):
            return bert.forward(input_ids, attention_mask, token_type_ids)

    encodings = bert._tokenizer.encode_batch(["a short one", "and a somewhat longer sample"])
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


def export_model(spec: str, onnx_dir: Path | None = None) -> ExportReport:
    """Verify the model named by ``EMBEDDING_MODEL`` and export it (again) into the cache."""
    from index.embeddings import prepare_model, resolve_model

    model_dir, name, _ = prepare_model(spec)
    sums = resolve_model(spec)[2]
    return export(model_dir, name, sums, onnx_dir if onnx_dir is not None else default_onnx_dir())


def main(argv: list[str] | None = None) -> int:
    from index.embeddings import BUNDLED

    parser = argparse.ArgumentParser(
        prog="python -m index.onnx_export", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", default=os.environ.get("EMBEDDING_MODEL") or BUNDLED)
    parser.add_argument("--onnx-dir", type=Path, default=None, help="default: ONNX_DIR or var/onnx")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        report = export_model(args.model, args.onnx_dir)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{report.path}  min cosine {report.min_cosine:.6f}  {report.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
