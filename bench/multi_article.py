"""Answer quality with several articles in one index: alone, together, together + filter.

Usage: ``python -m bench.multi_article [--set NAME ...]``.

Every question set of ``bench.evaluate`` is run three ways on the same model:

- alone: its article is the only one indexed (the README's figures);
- together: all the sets' articles in one index, no filter (``/ask question:``);
- filtered: the same index, filtered to the set's article (``/ask question: article:``).

Besides hit@1 / hit@3 / abstention it counts "foreign": on-topic questions whose first
quote comes from another article (only possible without the filter).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from bench.evaluate import SETS, Scores, _load, _score_answer
from index.encoding.base import Encoder
from index.encoding.factory import load_encoder
from index.engine import Engine, EngineConfig
from index.parsing.ingest import discover


def _engine(articles_dir: Path, index_dir: Path, encoder: Encoder) -> Engine:
    engine = Engine(
        EngineConfig(articles_dir=articles_dir, index_dir=index_dir),
        encoder_factory=lambda spec: encoder,
    )
    engine.start()
    return engine


def run(names: list[str], encoder: Encoder) -> list[tuple[str, str, Scores, int]]:
    rows: list[tuple[str, str, Scores, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        combined = Path(tmp) / "articles"
        combined.mkdir()
        own: dict[str, str] = {}
        for name in names:
            (path,) = discover(SETS[name][0])  # one article per set
            own[name] = path.name
            if not (combined / path.name).exists():
                shutil.copy(path, combined / path.name)
        together = _engine(combined, Path(tmp) / "together", encoder)
        for name in names:
            items = _load(SETS[name][1])
            alone = _engine(SETS[name][0], Path(tmp) / f"alone-{name}", encoder)
            for mode, engine, article in (
                ("alone", alone, None),
                ("together", together, None),
                ("filtered", together, own[name]),
            ):
                scores, foreign = Scores(), 0
                answers = engine.ask_many([i["question"] for i in items], [article] * len(items))
                for item, answer in zip(items, answers, strict=True):
                    _score_answer(scores, item, answer.answered, [q.text for q in answer.quotes])
                    if not item.get("off_topic") and answer.quotes:
                        foreign += answer.quotes[0].article_id != own[name]
                rows.append((name, mode, scores, foreign))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="default: all")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    names = args.set or [n for n in SETS if n != "dev-kyiv"]  # dev-kyiv shares kyiv's article
    rows = run(names, load_encoder())
    print(
        "| set | index | questions | hit@1 | hit@3 | abstain (off-topic) | false abstain "
        "| foreign first quote |"
    )
    print("|" + "---|" * 8)
    for name, mode, scores, foreign in rows:
        row = scores.row()
        print(
            f"| {name} | {mode} | {row['questions']} | {row['hit@1']:.2f} | {row['hit@3']:.2f} "
            f"| {row['abstain (off-topic)']:.2f} | {row['false abstain']:.2f} "
            f"| {foreign}/{scores.on_topic} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
