"""Command line: ``python -m bot {ask,reindex,chat,run}``.

Logging is configured here, once. Every error the user can fix is printed as one line
on stderr with a non-zero exit; nothing here can damage an index already built.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from bot.render import render_text
from bot.settings import Settings, SettingsError, configure_logging
from index.engine import Engine
from index.errors import EngineError
from index.retrieval import validate_question

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
    sub.add_parser("reindex", help="rebuild the index from ARTICLES_DIR")
    sub.add_parser("chat", help="ask questions interactively in the terminal")
    sub.add_parser("run", help="start the Discord bot (or the terminal chat with no token)")
    sub.add_parser(
        "export-onnx", help="export the model for EMBEDDING_BACKEND=onnx (into ONNX_DIR)"
    )
    return parser


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_ask(engine: Engine, questions: list[str], as_json: bool) -> int:
    for question in questions:  # validate all first: a bad one means no partial output
        validate_question(question)
    engine.start()
    answers = engine.ask_many(questions)
    for answer in answers:
        if as_json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            print(f"Q: {answer.question}\n{render_text(answer)}\n")
    return 0


def cmd_reindex(engine: Engine) -> int:
    report = engine.reindex()
    print(
        f"indexed {report.articles} article(s): {report.paragraphs} paragraphs, "
        f"{report.sentences} sentences in {report.seconds:.2f} s"
    )
    return 0


def cmd_chat(engine: Engine, intro: str | None = None) -> int:
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
    from index.onnx_export import export_model

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


def cmd_run(engine: Engine, settings: Settings) -> int:
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
    from bot.client import run_bot  # imports discord only when it is needed

    return run_bot(settings, engine)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load()
    except SettingsError as exc:
        return _fail(f"invalid settings:\n{exc}", EXIT_USAGE)
    configure_logging(settings.log_level if args.command == "run" else "WARNING")
    engine = Engine(settings.engine)
    try:
        if args.command == "ask":
            return cmd_ask(engine, args.questions, args.json)
        if args.command == "reindex":
            return cmd_reindex(engine)
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
