"""Dense vector search with FAISS: normalised embeddings in an inner-product index.

With L2-normalised vectors, inner product is cosine similarity. Row ``i`` of the index
is item ``i`` of whatever table the caller keeps beside it. Small tables are exact
(``IndexFlatIP``); large ones approximate (see ``index/search/ann.py``), always over exact
stored vectors.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexCorrupt
from index.search import ann

# Queries are tiny; one thread keeps FAISS from fighting torch for the machine's cores.
faiss.omp_set_num_threads(1)


def write_error(exc: RuntimeError, path: Path) -> Exception:
    """The ``OSError`` behind a FAISS write failure, found by its strerror text in the
    message ("write error in …: 4051 != 115200 (No space left on device)", "could not open
    … for writing: Read-only file system"); the ``RuntimeError`` itself when the message
    names no system error (a FAISS bug, not the disk)."""
    text = str(exc)
    for code in sorted(errno.errorcode):
        reason = os.strerror(code)
        if f"({reason})" in text or text.endswith(f": {reason}"):
            return OSError(code, reason, str(path))
    return exc


class VectorIndex:
    """A cosine-similarity index over normalised vectors (exact ``IndexFlatIP`` by default)."""

    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        self.dimension = dimension
        self._index = index if index is not None else faiss.IndexFlatIP(dimension)

    @classmethod
    def build(cls, dimension: int, vectors: np.ndarray) -> VectorIndex:
        """An index over ``vectors``, exact or approximate by size (``ann.kind_for``)."""
        if vectors.size and (vectors.ndim != 2 or vectors.shape[1] != dimension):
            raise ValueError(f"expected vectors of shape (n, {dimension}), got {vectors.shape}")
        return cls(dimension, ann.build(vectors.reshape(-1, dimension)))

    @property
    def kind(self) -> str:
        """``flat`` (exact) or ``hnsw`` (approximate)."""
        return ann.kind_of(self._index)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        if vectors.size == 0:
            return
        if vectors.ndim != 2 or vectors.shape[1] != self.dimension:
            raise ValueError(
                f"expected vectors of shape (n, {self.dimension}), got {vectors.shape}"
            )
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for each query row; ids are -1 where fewer exist."""
        k = max(1, min(k, len(self))) if len(self) else 1
        if len(self) == 0:
            n = queries.shape[0]
            return np.zeros((n, 1), dtype=np.float32), -np.ones((n, 1), dtype=np.int64)
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def rows(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of the given row ids, in that order."""
        if not ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def reconstruct_all(self) -> np.ndarray:
        if len(self) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_n(0, len(self))

    def stored_bytes(self) -> int:
        """About how many bytes ``save`` writes: the vectors (float32), plus for HNSW its
        graph (levels, offsets and neighbour lists). Within a kilobyte of the file size
        for both kinds; used to check for free space before a build is written."""
        size = 1024 + len(self) * self.dimension * 4
        hnsw = getattr(self._index, "hnsw", None)
        if hnsw is not None:
            size += hnsw.levels.size() * 4 + hnsw.offsets.size() * 8 + hnsw.neighbors.size() * 4
        return size

    def save(self, path: Path) -> None:
        """Write the index to ``path``. A failed write (full disk, no permission, I/O error)
        is an ``OSError`` with its errno, not the C++ ``RuntimeError`` FAISS raises."""
        try:
            faiss.write_index(self._index, str(path))
        except RuntimeError as exc:
            raise write_error(exc, path) from exc

    @classmethod
    def load(
        cls, path: Path, dimension: int, expected_rows: int, *, mmap: bool = False
    ) -> VectorIndex:
        """Read an index file; with ``mmap`` its vectors are mapped, not copied (shared)."""
        try:
            index = faiss.read_index(str(path), ann.MMAP_FLAGS if mmap else 0)
        except Exception as exc:  # faiss raises RuntimeError with C++ text
            raise IndexCorrupt(f"cannot read {path.name}: {exc}") from exc
        if index.d != dimension or index.ntotal != expected_rows:
            raise IndexCorrupt(
                f"{path.name} has {index.ntotal} vectors of dimension {index.d}, "
                f"expected {expected_rows} of dimension {dimension}"
            )
        return cls(dimension, ann.prepare(index))
