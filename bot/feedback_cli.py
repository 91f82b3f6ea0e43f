"""`qabot feedback`, `qabot teach`, `qabot aliases` and `qabot forget`: curation without Telegram.

They read the feedback store (`QABOT_FEEDBACK_DB`, or `--feedback-db`) and the knowledge base
(`QABOT_DB`, or `--db`), and print plain text (or CSV).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from knowledge import KnowledgeBase, ensure_knowledge_base
from knowledge.aliases import AliasBook, statuses
from knowledge.feedback import (
    DEFAULT_DAYS,
    FeedbackError,
    SQLiteFeedbackStore,
    default_feedback_path,
    fact_hash,
)

TEXT_WIDTH = 90


def register(sub: argparse._SubParsersAction, db_option) -> None:
    """Add the curation subcommands to the `qabot` parser."""

    def store_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--feedback-db",
            type=Path,
            help=f"feedback store (default: {default_feedback_path()})",
        )

    p = sub.add_parser("feedback", help="unanswered questions and disputed facts")
    p.add_argument("--days", type=_days, default=DEFAULT_DAYS, help="look back this many days")
    p.add_argument("--csv", action="store_true", help="one CSV row per question or fact")
    db_option(p)
    store_option(p)
    p.set_defaults(handler=cmd_feedback)

    p = sub.add_parser("teach", help="answer a question (and close variants) with a fact")
    p.add_argument("question")
    p.add_argument("fact_id", type=_id, metavar="FACT_ID")
    db_option(p)
    store_option(p)
    p.set_defaults(handler=cmd_teach)

    p = sub.add_parser("aliases", help="list the taught questions")
    db_option(p)
    store_option(p)
    p.set_defaults(handler=cmd_aliases)

    p = sub.add_parser("forget", help="delete a taught question")
    p.add_argument("alias_id", type=_id, metavar="ID")
    store_option(p)
    p.set_defaults(handler=cmd_forget)


def _days(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", value) or not 1 <= int(value) <= 3650:
        raise argparse.ArgumentTypeError(f"must be a whole number of days (1-3650), not {value!r}")
    return int(value)


def _id(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,40}", value):
        raise argparse.ArgumentTypeError(f"must be a number, not {value!r}")
    return int(value)


def _fits(number: int) -> bool:
    """Can SQLite hold this id? (A longer one names nothing.)"""
    return number < 2**63


def _store(args) -> SQLiteFeedbackStore:
    return SQLiteFeedbackStore.open(args.feedback_db or default_feedback_path())


def _kb(args) -> KnowledgeBase:
    return KnowledgeBase.open(ensure_knowledge_base(args.db))


def _short(text: str, width: int = TEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _current_text(kb: KnowledgeBase, fact_id: int, digest: str) -> str | None:
    """The text of the fact voted on, if the knowledge base still holds it under that id."""
    fact = kb.fact(fact_id)
    return fact.text if fact is not None and fact_hash(fact.text) == digest else None


def alias_book(path: Path | None = None) -> AliasBook | None:
    """The taught aliases, for `qabot ask` and `qabot chat`; None when there is no store yet
    (asking never creates one) or it cannot be read."""
    path = path or default_feedback_path()
    if not path.exists():
        return None
    try:
        store = SQLiteFeedbackStore.open(path)
    except FeedbackError as exc:
        print(f"qabot: {exc}; answering without taught questions", file=sys.stderr)
        return None
    try:
        return AliasBook(store.aliases(), store.aliases_version())
    finally:
        store.close()


def cmd_feedback(args) -> int:
    with _kb(args) as kb:
        store = _store(args)
        try:
            unanswered = store.unanswered(args.days, limit=50)
            disputed = store.disputed(args.days, limit=50)
        finally:
            store.close()
        if args.csv:
            out = csv.writer(sys.stdout, lineterminator="\n")
            out.writerow(["kind", "count", "question", "fact_id", "fact", "down", "up", "chosen"])
            for group in unanswered:
                for question in (group.question, *group.variants):
                    out.writerow(["unanswered", group.count, question, "", "", "", "", ""])
            for item in disputed:
                text = _current_text(kb, item.fact_id, item.fact_hash) or ""
                chosen = " ".join(f"{fact_id}x{n}" for fact_id, n in item.chosen)
                for question in item.questions:
                    out.writerow(
                        ["disputed", item.down, question, item.fact_id, text, item.down, item.up,
                         chosen]
                    )  # fmt: skip
            return 0
        print(f"Unanswered in the last {args.days} days:")
        for group in unanswered:
            print(f"  {group.count:>4} × {_short(group.question)}")
            for variant in group.variants[:3]:
                print(f"         ~ {_short(variant)}")
        if not unanswered:
            print("  none")
        print(f"\nFacts voted 👎 in the last {args.days} days:")
        for item in disputed:
            text = _current_text(kb, item.fact_id, item.fact_hash)
            text = text or "(no longer in the knowledge base)"
            print(f"  fact {item.fact_id}: 👎 {item.down} 👍 {item.up}  {_short(text)}")
            for question in item.questions:
                print(f"         ? {_short(question)}")
            for fact_id, count in item.chosen:
                print(f"         → fact {fact_id} chosen instead {count}×")
        if not disputed:
            print("  none")
    return 0


def cmd_teach(args) -> int:
    with _kb(args) as kb:
        fact = kb.fact(args.fact_id) if _fits(args.fact_id) else None
        if fact is None:
            print(
                f"qabot: there is no fact {args.fact_id} in the knowledge base "
                "(find one with: qabot ask --json, or /search in Telegram)",
                file=sys.stderr,
            )
            return 1
        store = _store(args)
        try:
            alias = store.teach(args.question, fact.id, fact_hash(fact.text))
        except ValueError:
            print("qabot: the question has no words", file=sys.stderr)
            return 2
        finally:
            store.close()
    print(f"alias {alias.id}: “{alias.question}” → fact {fact.id}: {_short(fact.text)}")
    return 0


def cmd_aliases(args) -> int:
    with _kb(args) as kb:
        store = _store(args)
        try:
            aliases = store.aliases()
        finally:
            store.close()
        if not aliases:
            print('No taught questions yet: qabot teach "QUESTION" FACT_ID')
            return 0
        for status in statuses(kb, aliases):
            alias = status.alias
            if status.fact_id is None:
                where = f"⚠️ fact {alias.fact_id} is gone from the knowledge base: not applied"
            else:
                fact = kb.fact(status.fact_id)
                moved = f" (was {alias.fact_id})" if status.moved else ""
                where = f"fact {status.fact_id}{moved}: {_short(fact.text if fact else '', 60)}"
            print(f"{alias.id:>4}  “{alias.question}” → {where}")
    return 0


def cmd_forget(args) -> int:
    store = _store(args)
    try:
        gone = store.forget(args.alias_id) if _fits(args.alias_id) else False
    finally:
        store.close()
    if not gone:
        print(f"qabot: there is no alias {args.alias_id} (see qabot aliases)", file=sys.stderr)
        return 1
    print(f"forgot alias {args.alias_id}")
    return 0
