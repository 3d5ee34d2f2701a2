"""The sentence-transformers backend: any local sentence-transformers model, offline.

The factory uses it for model layouts the lean backends do not run (other pooling, other
architectures) and for ``EMBEDDING_BACKEND=sentence-transformers``. Importing the library
costs ~7.7 s here (transformers, scikit-learn, SciPy), hence the lean torch backend.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np

from index.encoding.model_files import ModelFiles
from index.errors import ModelError

log = logging.getLogger(__name__)

BATCH_SIZE = 64
# Set before the Hugging Face libraries are imported (they read them once, on import):
# never reach the hub, never draw progress bars. An operator's own value wins.
_LIBRARY_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


class SentenceTransformerEncoder:
    """Encoder backed by a local sentence-transformers model, loaded offline."""

    def __init__(self, files: ModelFiles) -> None:
        self.name = files.name
        self.fingerprint = files.fingerprint
        for key, value in _LIBRARY_DEFAULTS.items():
            os.environ.setdefault(key, value)
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()

            self._model = SentenceTransformer(str(files.path), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many types for a bad model directory
            raise ModelError(f"cannot load the embedding model from {files.path}: {exc}") from exc
        get_dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if not dimension:
            raise ModelError(f"the model in {files.path} does not report an embedding dimension")
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=BATCH_SIZE,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
