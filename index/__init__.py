"""Answer engine: ingest articles, attribute quotes, embed, index and retrieve.

This package never imports discord: the bot only renders what it returns. Importing it
is cheap; the embedding model loads only when an ``Engine`` needs it.
"""

import os

# torch and faiss each bring an OpenMP runtime. With the default busy-wait policy their
# idle threads spin against each other on a 2-core machine and a 25 ms query embedding
# can take 500 ms (measured: bench/benchmark.py, p95). Idle threads must sleep instead.
# This has to be set before either library starts its thread pool, i.e. on import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
