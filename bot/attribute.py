"""``python -m bot attribute [--json] FILE...``: who said what in article files.

With ``--json``, one object per sentence, per line: ``{"article", "start", "end", "text",
"speaker", "role", "cue", "channel", "kind"}``, offsets into the file as it is on disk
(see ``index.parsing.attribute_files``). Without it, a readable listing of the attributed
sentences. Every file is read first: if any cannot be used, each such file gets one
``error:`` line and nothing else is printed (exit 1).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from index.errors import ArticleError
from index.parsing.attribute_files import FileAttribution, attribute_file

log = logging.getLogger(__name__)


def run(files: list[str], as_json: bool) -> int:
    """Attribute ``files`` and print them; 0 on success, 1 if any file is unusable."""
    logging.basicConfig(level=logging.ERROR)  # problems are the one-line errors below
    results: list[FileAttribution] = []
    failed = False
    for name in files:
        try:
            results.append(attribute_file(Path(name)))
        except ArticleError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
    if failed:
        return 1
    for result in results:
        if as_json:
            _print_json(result)
        else:
            _print_listing(result)
    return 0


def _print_json(result: FileAttribution) -> None:
    for sentence in result.sentences:
        record = {
            "article": result.path,
            "start": sentence.start,
            "end": sentence.end,
            "text": sentence.text,
            **sentence.attribution.to_dict(),
        }
        print(json.dumps(record, ensure_ascii=False))


def _print_listing(result: FileAttribution) -> None:
    attributed = [s for s in result.sentences if not s.attribution.is_narration]
    print(f"{result.path} — {result.title}")
    print(f"{len(result.sentences)} sentences, {len(attributed)} attributed")
    for sentence in attributed:
        a = sentence.attribution
        who = a.speaker or "(unresolved source)"
        if a.role:
            who += f", {a.role}"
        how = " ".join(part for part in (a.cue, a.channel) if part)
        text = " ".join(sentence.text.split())
        print(f"  ¶{sentence.paragraph} [{a.kind}] {who} — {how}: {text}")
    print()
