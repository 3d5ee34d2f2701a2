"""Sentence encoders: one protocol, one factory, one module per backend.

- ``base``: the ``Encoder`` protocol every backend (and every test fake) implements, and
  the length-sorted batching the backends share;
- ``model_files``: which model (the bundled all-MiniLM-L6-v2 or a local folder), its
  sha256 pins and their verification, its layout and its tokenizer;
- ``torch_bert``: the lean BERT + mean-pooling encoder on torch;
- ``sbert``: sentence-transformers, for every other model layout;
- ``onnx_runtime``: ONNX Runtime serving an exported graph (imports neither torch nor
  the exporter);
- ``onnx_export``: traces ``torch_bert`` to ONNX, checks it against torch, caches it;
- ``factory``: ``load_encoder`` picks the backend and exports the ONNX graph when it is
  missing, stale or damaged.

Imports run one way: ``factory`` -> backends and ``onnx_export`` -> ``model_files`` ->
``base``. Nothing here reads the environment: settings arrive as arguments (from
``bot/settings.py`` through ``EngineConfig``).
"""
