"""Command line: ``python -m bot {ask,reindex,add,remove,speakers,quotes,chat,run,attribute}``.

Logging is configured here, once. Every error the user can fix is printed as one line
on stderr with a non-zero exit; nothing here can damage an index already built.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.engine_api import EngineAPI
from bot.render.answer import render_text
from bot.settings import Settings, SettingsError, configure_logging
from index.engine import Engine, ReindexReport
from index.errors import EngineError, InvalidQuestion
from index.parsing.upload import MAX_UPLOAD_BYTES
from index.retrieval.retriever import validate_question

log = logging.getLogger(__name__)

EXIT_USAGE = 2
EXIT_ERROR = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Answer questions about news articles with exact, attributed quotes.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one or more questions in the terminal")
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument("--json", action="store_true", help="one JSON object per question, per line")
    ask.add_argument("--article", metavar="ID", help="answer from this article only (id or title)")
    sub.add_parser("reindex", help="rebuild the index from ARTICLES_DIR")
    add = sub.add_parser(
        "add", help="add (or replace) an article file (.txt .md .html) and rebuild"
    )
    add.add_argument("file", metavar="FILE")
    remove = sub.add_parser("remove", help="remove an article from ARTICLES_DIR and rebuild")
    remove.add_argument("article", metavar="ARTICLE")
    speakers = sub.add_parser("speakers", help="list everyone the articles quote or cite")
    speakers.add_argument("--article", metavar="ID", help="only this article's sources")
    quotes = sub.add_parser("quotes", help="everything one source said, verbatim, in order")
    quotes.add_argument("speaker", metavar="SPEAKER")
    quotes.add_argument("--article", metavar="ID", help="only in this article")
    sub.add_parser("chat", help="ask questions interactively in the terminal")
    sub.add_parser("run", help="start the Discord bot (or the terminal chat with no token)")
    sub.add_parser(
        "export-onnx", help="export the model for EMBEDDING_BACKEND=onnx (into ONNX_DIR)"
    )
    attribute = sub.add_parser("attribute", help="who said what in article files (no index)")
    attribute.add_argument("files", nargs="+", metavar="FILE")
    attribute.add_argument("--json", action="store_true", help="one JSON object per sentence")
    return parser


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_ask(
    engine: EngineAPI, questions: list[str], as_json: bool, article: str | None = None
) -> int:
    """Answer each question in order. A question that is refused (empty, too long, no
    letters) gets its own line (``{"question", "error"}`` with ``--json``) and one line
    on stderr; the others are still answered, and the exit status is then 1."""
    refusals: dict[int, str] = {}
    for i, question in enumerate(questions):
        try:
            validate_question(question)
        except InvalidQuestion as exc:
            refusals[i] = exc.message
    asked = [q for i, q in enumerate(questions) if i not in refusals]
    answers = iter(())
    if asked:
        engine.start()
        answers = iter(engine.ask_many(asked, None if article is None else [article] * len(asked)))
    for i, question in enumerate(questions):
        if i in refusals:
            print(f"error: question {i + 1}: {refusals[i]}", file=sys.stderr)
            if as_json:
                print(json.dumps({"question": question, "error": refusals[i]}, ensure_ascii=False))
            else:
                print(f"Q: {question}\n{refusals[i]}\n")
            continue
        answer = next(answers)
        if as_json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            print(f"Q: {answer.question}\n{render_text(answer)}\n")
    return EXIT_ERROR if refusals else 0


def cmd_reindex(engine: EngineAPI) -> int:
    report = engine.reindex(wait=True)  # after a build running elsewhere, not refused
    print(f"indexed {report.summary()}")
    return 0


def _print_report(verb: str, report: ReindexReport) -> None:
    print(f"{verb}; indexed {report.summary()}")


def cmd_add(engine: EngineAPI, file: str) -> int:
    path = Path(file)
    try:
        if not path.is_file():
            return _fail(f"{file}: no such file")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return _fail(f"{path.name}: the file is too large (the limit is 2 MB)")
        data = path.read_bytes()
    except OSError as exc:
        return _fail(f"{file}: cannot read it ({exc.strerror or exc})")
    engine.start(allow_stale=True)
    report = engine.add_article(path.name, data)
    _print_report(f"added {path.name}", report)
    return 0


def cmd_remove(engine: EngineAPI, article: str) -> int:
    engine.start(allow_stale=True)
    report = engine.remove_article(article)
    _print_report(f"removed {article}", report)
    return 0


def cmd_speakers(engine: EngineAPI, article: str | None) -> int:
    engine.start()
    for speaker in engine.speakers(article):
        role = f" ({speaker.roles[0]})" if speaker.roles else ""
        where = ", ".join(article_id for article_id, _ in speaker.articles)
        print(f"{speaker.sentences:3d}  {speaker.name}{role} — {where}")
    return 0


def cmd_quotes(engine: EngineAPI, speaker: str, article: str | None) -> int:
    engine.start()
    quotes = engine.quotes_by(speaker, article)
    if not quotes:
        return _fail(f"no sentences attributed to '{speaker}'; see `python -m bot speakers`")
    for quote in quotes:
        print(f"“{quote.text}”\n   ({quote.article_title}, paragraph {quote.paragraph})")
    return 0


def cmd_chat(engine: EngineAPI, intro: str | None = None) -> int:
    if intro:
        print(intro)
    engine.start()
    titles = ", ".join(title for _, title in engine.info().articles)
    print(f"Ask about: {titles}\nType a question, or 'quit'.")
    while True:
        try:
            question = input("? ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.lower() in {"quit", "exit", "q"}:
            return 0
        if not question:
            continue
        try:
            print(render_text(engine.ask(question)) + "\n")
        except EngineError as exc:
            print(f"! {exc}")


def cmd_export_onnx(settings: Settings) -> int:
    from index.encoding.factory import export_model

    report = export_model(settings.embedding_model, settings.onnx_dir)
    print(
        f"exported {report.path} in {report.seconds:.1f} s "
        f"(min cosine to the torch encoder {report.min_cosine:.6f})"
    )
    return 0


NO_TOKEN = """No DISCORD_TOKEN is set, so the bot cannot log in to Discord yet.
To connect it: create an application at https://discord.com/developers/applications,
copy its bot token into a file named .env here (see .env.example), and run `make run` again.
Meanwhile, here are the same answers in the terminal."""


def cmd_run(engine: EngineAPI, settings: Settings) -> int:
    if not settings.discord_token:
        if not sys.stdin.isatty():
            print(NO_TOKEN.splitlines()[0], file=sys.stderr)
            print(
                "Add DISCORD_TOKEN to .env (see .env.example); "
                "`python -m bot chat` works without it.",
                file=sys.stderr,
            )
            return EXIT_ERROR
        return cmd_chat(engine, intro=NO_TOKEN)
    from bot.run import run_bot  # imports discord only when it is needed

    return run_bot(settings, engine)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "attribute":  # reads files only: no settings, no index, no model
        from bot.attribute import run

        return run(args.files, args.json)
    try:
        settings = Settings.load()
    except SettingsError as exc:
        return _fail(f"invalid settings:\n{exc}", EXIT_USAGE)
    configure_logging(settings.log_level if args.command == "run" else "WARNING")
    engine = Engine(settings.engine)
    try:
        if args.command == "ask":
            return cmd_ask(engine, args.questions, args.json, args.article)
        if args.command == "reindex":
            return cmd_reindex(engine)
        if args.command == "add":
            return cmd_add(engine, args.file)
        if args.command == "remove":
            return cmd_remove(engine, args.article)
        if args.command == "speakers":
            return cmd_speakers(engine, args.article)
        if args.command == "quotes":
            return cmd_quotes(engine, args.speaker, args.article)
        if args.command == "chat":
            return cmd_chat(engine)
        if args.command == "export-onnx":
            return cmd_export_onnx(settings)
        return cmd_run(engine, settings)
    except EngineError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
