"""Every evaluation answer as JSON, one line each, to diff two runs byte for byte.

Usage: ``python -m bench.answer_dump [--backend B] [--build-backend B] [--onnx-dir DIR]
[--exact] > answers.jsonl``, then ``diff`` two dumps.

Every question of every set of ``bench.evaluate`` (``bench/eval`` and ``bench/dev``) is
asked of an engine over that set's articles; a question that names its article (the
multi-article set) is asked a second time with that article as the filter. Each line is
the answer as ``python -m bot ask --json`` prints it (quotes with attribution, article,
paragraph and the score to 4 decimals), plus the "More" quotes and the abstention reason.
``--exact`` adds every score at full precision (for runs that must be bit-identical, such
as the same backend before and after a refactor; two backends differ in the last digits).

``--build-backend`` builds each index with another backend than the one that answers: a
backend switch on a deployment whose index is already on disk (the index is not rebuilt
because both backends share the model's fingerprint).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

from bench.evaluate import SETS, _load
from index.encoding.factory import load_encoder
from index.engine import Engine, EngineConfig
from index.errors import EngineError
from index.models import Answer


def answer_record(answer: Answer, exact: bool) -> dict:
    record = {
        **answer.to_dict(),
        "more": [q.to_dict() for q in answer.more],
        "reason": answer.reason,
    }
    if exact:
        record["scores"] = [repr(q.score) for q in (*answer.quotes, *answer.more)]
    return record


def dump(encoder, builder, exact: bool, out) -> int:
    """Write one JSON line per answer; returns how many were written."""
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, (articles_dir, questions_path, _)) in enumerate(SETS.items()):
            index_dir = Path(tmp) / str(number)
            if builder is not encoder:
                Engine(
                    EngineConfig(articles_dir=articles_dir, index_dir=index_dir),
                    encoder_factory=lambda spec: builder,
                ).start()
            engine = Engine(
                EngineConfig(articles_dir=articles_dir, index_dir=index_dir),
                encoder_factory=lambda spec: encoder,
            )
            engine.start()
            for item in _load(questions_path):
                filters = [None] + ([item["article"]] if item.get("article") else [])
                for article in filters:
                    try:
                        record = answer_record(engine.ask(item["question"], article), exact)
                    except EngineError as exc:
                        record = {"question": item["question"], "error": str(exc)}
                    line = {"set": name, "filter": article, **record}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                    count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="torch", help="EMBEDDING_BACKEND that answers")
    parser.add_argument("--build-backend", help="EMBEDDING_BACKEND that builds (default: same)")
    parser.add_argument("--onnx-dir", type=Path, help="ONNX export cache (default var/onnx)")
    parser.add_argument("--exact", action="store_true", help="add full-precision scores")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    def load(backend: str):
        return load_encoder(backend=backend, onnx_dir=args.onnx_dir)

    encoder = load(args.backend)
    builder = encoder
    if args.build_backend and args.build_backend != args.backend:
        builder = load(args.build_backend)
    count = dump(encoder, builder, args.exact, sys.stdout)
    print(f"{count} answers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
