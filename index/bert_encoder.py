"""A lean encoder for sentence-transformers BERT models with mean pooling.

Importing sentence-transformers pulls in transformers, scikit-learn and SciPy: about 7.7 s
on this project's 2-core machine before the first question, which alone breaks the 6 s
cold-start budget. The models this bot uses by default (all-MiniLM-L6-v2 and its kin)
are a plain BERT encoder followed by mean pooling and L2 normalisation, so this module
runs exactly that with torch and the ``tokenizers`` library only, from the same files
(``model.safetensors``, ``tokenizer.json``). ``tests/index/test_bert_encoder.py`` checks
that its vectors match sentence-transformers' (cosine >= 0.9999). Any other model layout
is served by sentence-transformers itself (``index.embeddings``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_MEAN_POOLING = "sentence_transformers.models.Pooling"


def supports(model_dir: Path) -> bool:
    """True when the folder holds a BERT + mean pooling (+ normalise) sentence model."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        pooling_dir = next(m["path"] for m in modules if m["type"] == _MEAN_POOLING)
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    types = [m["type"].rsplit(".", 1)[-1] for m in modules]
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k)
        for k in (
            "pooling_mode_cls_token",
            "pooling_mode_max_tokens",
            "pooling_mode_mean_sqrt_len_tokens",
        )
    )
    return (
        config.get("model_type") == "bert"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and config.get("hidden_act") == "gelu"
        and types in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"])
        and bool(mean_only)
        and (model_dir / "model.safetensors").is_file()
        and (model_dir / "tokenizer.json").is_file()
    )


def load_tokenizer(model_dir: Path) -> tuple[Any, dict[str, Any]]:
    """The model's ``tokenizer.json`` with its truncation (``max_seq_length``) and padding,
    and its ``config.json``: the same tokens for every backend."""
    from tokenizers import Tokenizer

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    st_config_path = model_dir / "sentence_bert_config.json"
    st_config = (
        json.loads(st_config_path.read_text(encoding="utf-8")) if st_config_path.is_file() else {}
    )
    max_length = int(st_config.get("max_seq_length") or config["max_position_embeddings"])
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
    return tokenizer, config


def encode_sorted(
    texts: Sequence[str],
    dimension: int,
    batch_size: int,
    encode_batch: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """Embed ``texts`` in batches of similar length (little padding), in their order."""
    out = np.zeros((len(texts), dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        out[rows] = encode_batch([texts[i] for i in rows])
    return out


class BertEncoder:
    """BERT forward pass + mean pooling + L2 normalisation, in inference mode on the CPU."""

    def __init__(self, model_dir: Path) -> None:
        import torch
        from safetensors.torch import load_file

        self._torch = torch
        self._tokenizer, config = load_tokenizer(model_dir)
        self.dimension = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        weights = load_file(str(model_dir / "model.safetensors"))
        prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
        self._w = {k[len(prefix) :]: v.float() for k, v in weights.items()}

    def _linear(self, x, name: str):
        return self._torch.nn.functional.linear(
            x, self._w[f"{name}.weight"], self._w[f"{name}.bias"]
        )

    def _norm(self, x, name: str):
        return self._torch.nn.functional.layer_norm(
            x, (self.dimension,), self._w[f"{name}.weight"], self._w[f"{name}.bias"], self._eps
        )

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        with self._torch.inference_mode():
            return encode_sorted(texts, self.dimension, batch_size, self._encode_batch)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        encodings = self._tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.float32)
        types = torch.tensor([e.type_ids for e in encodings], dtype=torch.long)
        return self.forward(ids, mask, types).numpy()

    def forward(self, ids, mask, types):
        """Token ids, attention mask and token types (batch x length) to unit vectors.

        Plain tensor code, so ``index.onnx_export`` can trace this same function."""
        torch, functional = self._torch, self._torch.nn.functional
        mask = mask.to(torch.float32)
        batch, length = ids.shape
        w = self._w
        positions = torch.arange(length)
        x = (
            functional.embedding(ids, w["embeddings.word_embeddings.weight"])
            + w["embeddings.position_embeddings.weight"][positions]
            + functional.embedding(types, w["embeddings.token_type_embeddings.weight"])
        )
        x = self._norm(x, "embeddings.LayerNorm")
        additive = ((1.0 - mask) * torch.finfo(torch.float32).min)[:, None, None, :]
        head_dim = self.dimension // self._heads

        def split(t):
            return t.view(batch, length, self._heads, head_dim).transpose(1, 2)

        for layer in range(self._layers):
            p = f"encoder.layer.{layer}"
            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            context = functional.scaled_dot_product_attention(q, k, v, attn_mask=additive)
            context = context.transpose(1, 2).reshape(batch, length, self.dimension)
            x = self._norm(
                self._linear(context, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            hidden = functional.gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._norm(self._linear(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        summed = (x * mask[:, :, None]).sum(dim=1)
        pooled = summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)
        return functional.normalize(pooled, p=2, dim=1)
