"""The lean torch backend: BERT + mean pooling + L2 normalisation, without sentence-transformers.

Importing sentence-transformers pulls in transformers, scikit-learn and SciPy: about 7.7 s
on this project's 2-core machine before the first question. The models this bot uses by
default (all-MiniLM-L6-v2 and its kin) are a plain BERT encoder followed by mean pooling
and L2 normalisation, so this module runs exactly that with torch and the ``tokenizers``
library only, from the same files (``model.safetensors``, ``tokenizer.json``).
``tests/index/encoding/test_torch_bert.py`` checks that its vectors match
sentence-transformers' (cosine >= 0.9999). Other layouts are served by ``sbert``.

``forward`` is plain tensor code so that ``onnx_export`` can trace this same function.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from index.encoding.base import encode_sorted
from index.encoding.model_files import ModelFiles, load_tokenizer
from index.errors import ModelError

log = logging.getLogger(__name__)

BATCH_SIZE = 64


class TorchBertEncoder:
    """BERT forward pass + mean pooling + L2 normalisation, in inference mode on the CPU.

    Only for folders ``model_files.is_bert_mean_pooling`` accepts (the factory checks)."""

    def __init__(self, files: ModelFiles) -> None:
        import torch
        from safetensors.torch import load_file

        self._torch = torch
        self.name = files.name
        self.fingerprint = files.fingerprint
        try:
            self.tokenizer, config = load_tokenizer(files.path)
            self.dimension = int(config["hidden_size"])
            self._heads = int(config["num_attention_heads"])
            self._layers = int(config["num_hidden_layers"])
            self._eps = float(config.get("layer_norm_eps", 1e-12))
            weights = load_file(str(files.path / "model.safetensors"))
        except Exception as exc:  # bad weights, config or tokenizer files
            raise ModelError(f"cannot load the embedding model from {files.path}: {exc}") from exc
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

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        with self._torch.inference_mode():
            return encode_sorted(texts, self.dimension, batch_size, self._encode_batch)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        encodings = self.tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.float32)
        types = torch.tensor([e.type_ids for e in encodings], dtype=torch.long)
        return self.forward(ids, mask, types).numpy()

    def forward(self, ids, mask, types):
        """Token ids, attention mask and token types (batch x length) to unit vectors."""
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
