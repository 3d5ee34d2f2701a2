"""Search: the index of one build — FAISS vectors (exact or HNSW), the sentences' BM25,
building with reuse of an earlier build, persistence, and one builder at a time."""
