"""Which FAISS index serves a table of vectors: exact up to a size, approximate above.

Up to ``EXACT_MAX_VECTORS`` rows a table is an exact ``IndexFlatIP`` (the bundled article
and any small corpus keep exact search). Above it, brute force costs more per question
than the rest of the answer, so the table becomes an HNSW graph over flat storage
(``IndexHNSWFlat``): the graph finds the neighbours approximately, but the stored vectors
are exact, so the dense features the ranker computes from them (``VectorIndex.rows``)
are unchanged. The numbers below were set by ``python -m bench.ann_tune`` on real
MiniLM embeddings of the generated news corpus (docs/benchmarks.md shows every
candidate measured).

Loading maps the file instead of reading it (``IO_FLAG_MMAP_IFC``): in faiss 1.15 that
flag maps the flat codes of ``IndexFlat``, of HNSW's storage and of IVF lists, so
processes serving the same build share one copy in the page cache (HNSW's graph links
are still read into each process).
"""

from __future__ import annotations

import logging

import faiss
import numpy as np

log = logging.getLogger(__name__)

#: Largest table searched exactly. Measured (bench/ann_tune.py, one thread, a shared
#: 2-core machine): exact search takes 2-4 ms at 10k MiniLM vectors, 7-19 ms at 20k and
#: 15 ms at 100k, against 1-2 ms for HNSW; up to 10k it costs less than embedding the
#: question, so small corpora stay exact.
EXACT_MAX_VECTORS = 10_000
#: HNSW links per node. At 100k real vectors M=16 reached only 0.935 recall@10 at
#: efSearch 512; M=32 reaches 0.989 (docs/benchmarks.md).
HNSW_M = 32
#: Candidate list while building: 128 gained 0.02-0.05 recall over 64 for 1.7x the
#: build time; M=48 with 200 gained 0.004 more for another 1.9x (78 s at 100k).
HNSW_EF_CONSTRUCTION = 128
#: Candidate list while searching (never below the k asked for). Recall falls as the
#: table grows (efSearch 256: 0.990 at 20k vectors, 0.970 at 100k); 512 gives 0.989 at
#: 100k for 1.7 ms a search (target: >= 0.95 and < 20 ms).
HNSW_EF_SEARCH = 512
#: Flags for ``faiss.read_index``: memory-map the vectors instead of copying them.
MMAP_FLAGS = faiss.IO_FLAG_MMAP_IFC


def kind_for(rows: int) -> str:
    """The index type for a table of ``rows`` vectors."""
    return "flat" if rows <= EXACT_MAX_VECTORS else "hnsw"


def new_index(dimension: int, rows: int) -> faiss.Index:
    """An empty index of the right type for ``rows`` inner-product (cosine) vectors."""
    if kind_for(rows) == "flat":
        return faiss.IndexFlatIP(dimension)
    index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def build(vectors: np.ndarray) -> faiss.Index:
    """An index over ``vectors`` (rows in order), of the type ``kind_for`` chooses."""
    index = new_index(vectors.shape[1], len(vectors))
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    log.debug("built %s index over %d vectors", kind_of(index), len(vectors))
    return index


def prepare(index: faiss.Index) -> faiss.Index:
    """Set the search-time parameters on a loaded index."""
    hnsw = getattr(index, "hnsw", None)
    if hnsw is not None:
        hnsw.efSearch = HNSW_EF_SEARCH
    return index


def kind_of(index: faiss.Index) -> str:
    """``flat`` or ``hnsw`` (``other`` for a type this module never writes)."""
    if isinstance(index, faiss.IndexFlat):
        return "flat"
    if isinstance(index, faiss.IndexHNSW):
        return "hnsw"
    return "other"
