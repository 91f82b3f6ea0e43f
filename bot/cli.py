"""The `qabot` command line: ingest, ask, visits, chat, eval, run, and curation."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from knowledge import (
    ArticleParseError,
    KnowledgeBase,
    KnowledgeBaseError,
    VisitFilterError,
    build_knowledge_base,
    default_db_path,
    ensure_knowledge_base,
    make_visit_filter,
)
from knowledge.aliases import ask as ask_with_aliases
from knowledge.feedback import FeedbackError
from knowledge.parser import MAX_ARTICLE_BYTES, MAX_BYTES_ENV, max_article_bytes
from knowledge.store import stale_notice

from . import feedback_cli, textui
from .i18n import translator
from .phrases import filter_problem, no_visits

log = logging.getLogger("qabot")


class CommandError(Exception):
    """A command that cannot do what was asked: printed as one line, exit code 1."""


def main(argv: list[str] | None = None) -> int:
    load_dotenv(".env", override=False)  # QABOT_DB and the bot's settings; the environment wins
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except (KnowledgeBaseError, ArticleParseError, CommandError, FeedbackError) as exc:
        print(f"qabot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # every command error is one line; LOG_LEVEL=DEBUG shows more
        if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
            raise
        print(f"qabot: {type(exc).__name__}: {exc} (LOG_LEVEL=DEBUG shows where)", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qabot", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    def db_option(p):
        p.add_argument("--db", type=Path, help=f"knowledge base (default: {default_db_path()})")

    p = sub.add_parser("ingest", help="load article files into the knowledge base")
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="article files (none: rebuild the base from the articles it holds)",
    )
    db_option(p)
    p.add_argument(
        "--replace",
        action="store_true",
        help="build from these files only (default: keep the articles already there)",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help='link articles to URL + title ("" for no link; default: Wikipedia); '
        "a URL: line in an article's infobox wins",
    )
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="report and skip files that cannot be parsed (default: stop)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --replace: overwrite the --db file even if it is not a qabot knowledge base",
    )
    p.add_argument(
        "--max-bytes",
        type=_positive_int,
        metavar="N",
        help=f"refuse article files bigger than N bytes (default: ${MAX_BYTES_ENV} or "
        f"{MAX_ARTICLE_BYTES:,})",
    )
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question (or one per line from stdin)")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer")
    db_option(p)
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("visits", help="list high-level visits")
    p.add_argument("--year", type=int, help="visits in this year")
    p.add_argument("--from", dest="year_from", type=int, help="visits in or after this year")
    p.add_argument("--to", dest="year_to", type=int, help="visits in or before this year")
    p.add_argument("--person")
    p.add_argument("--place")
    p.add_argument("--json", action="store_true")
    db_option(p)
    p.set_defaults(handler=cmd_visits)

    p = sub.add_parser("chat", help="an interactive session with the same answers as the bot")
    db_option(p)
    p.set_defaults(handler=cmd_chat)

    p = sub.add_parser("eval", help="score the engine on an evaluation file (JSON lines)")
    p.add_argument("file", type=Path)
    p.add_argument("--calibration", action="store_true", help="print accuracy by confidence")
    p.add_argument(
        "--plot",
        type=Path,
        default=Path("reliability.png"),
        help="with --calibration: where to save the reliability diagram (default: %(default)s)",
    )
    db_option(p)
    p.set_defaults(handler=cmd_eval)

    feedback_cli.register(sub, db_option)  # feedback, teach, aliases, forget

    p = sub.add_parser("run", help="serve Telegram (polling, or a webhook if WEBHOOK_URL is set)")
    p.set_defaults(handler=cmd_run)
    return parser


def _positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of bytes, not {text!r}")
    return int(text)


def _open(args) -> KnowledgeBase:
    path = ensure_knowledge_base(args.db)
    notice = stale_notice(path)
    if notice:
        print(f"qabot: {notice}", file=sys.stderr)
    return KnowledgeBase.open(path)


def cmd_ingest(args) -> int:
    db_path = args.db or default_db_path()
    try:
        max_bytes = args.max_bytes or max_article_bytes()
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.replace and not args.files:
        raise CommandError("--replace needs the article files to build from")
    if not args.replace:
        ensure_knowledge_base(args.db)
    progress = textui.progress(len(args.files))
    embedding = textui.embedding_progress()
    try:
        result = build_knowledge_base(
            args.files,
            db_path,
            keep_existing=not args.replace,
            skip_bad=args.skip_bad,
            progress=progress.step,
            embed_progress=embedding.update,
            base_url=args.base_url,
            force=args.force,
            max_bytes=max_bytes,
            on_wait=_say_waiting,
        )
    finally:
        progress.close()
        embedding.close()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in result.skipped:
        print(f"skipped {problem}", file=sys.stderr)
    for report in result.articles:
        print(
            f"{report.title}: {report.sections} sections, {report.facts} facts, "
            f"{report.visits} visits"
        )
    print(f"knowledge base: {db_path}")
    return 1 if result.skipped and not result.articles else 0


def _say_waiting(path: Path) -> None:
    print(f"qabot: another ingest is writing {path}; waiting for it to finish", file=sys.stderr)


def cmd_ask(args) -> int:
    with _open(args) as kb:
        if args.question:
            questions = [" ".join(args.question)]
        else:
            if sys.stdin.isatty():
                print(
                    "qabot ask: reading questions from stdin, one per line (Ctrl-D to end); "
                    'or give one: qabot ask "When did Putin visit Algiers?"',
                    file=sys.stderr,
                )
            questions = (line.rstrip("\n") for line in sys.stdin)
        book = feedback_cli.alias_book()  # taught questions answer as taught
        for question in questions:
            answer = ask_with_aliases(kb, question, book)
            if args.json:
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
            else:
                print(textui.render_answer(answer), flush=True)
    return 0


def cmd_visits(args) -> int:
    if args.year and (args.year_from or args.year_to):
        print("qabot: use either --year or --from/--to, not both", file=sys.stderr)
        return 2
    year_from = args.year if args.year is not None else args.year_from
    year_to = args.year if args.year is not None else args.year_to
    t = translator("en")
    try:  # the same checks as /visits in Telegram: years in range, swapped when backwards
        flt = make_visit_filter(year_from, year_to, person=args.person, place=args.place)
    except VisitFilterError as exc:
        print(f"qabot: {filter_problem(exc, t)}", file=sys.stderr)
        return 2
    with _open(args) as kb:
        visits = kb.visits(flt)
    if args.json:
        for visit in visits:
            print(json.dumps(textui.visit_json(visit), ensure_ascii=False))
    elif visits:
        print(textui.render_visits(visits))
    else:
        print(no_visits(flt, t))
    return 0


def cmd_chat(args) -> int:
    with _open(args) as kb:
        return textui.chat(kb, feedback_cli.alias_book())


def cmd_eval(args) -> int:
    from .evaluate import evaluate, load_cases

    try:
        cases = load_cases(args.file)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise CommandError(f"cannot read the evaluation file {args.file}: {reason}") from None
    with _open(args) as kb:
        return evaluate(
            kb, cases, calibration=args.calibration, plot=args.plot if args.calibration else None
        )


def cmd_run(args) -> int:
    from .app import run_bot

    return run_bot()


if __name__ == "__main__":
    sys.exit(main())
