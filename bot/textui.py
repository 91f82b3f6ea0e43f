"""Plain-text rendering for the terminal: answers, visit tables, progress and `qabot chat`."""

from __future__ import annotations

import sys
from dataclasses import asdict

from tqdm import tqdm

from knowledge import Answer, KnowledgeBase, Visit, parse_visit_filter
from knowledge.aliases import AliasBook
from knowledge.aliases import ask as ask_with_aliases
from knowledge.commands import COMMANDS
from knowledge.i18n import phrase


def render_answer(answer: Answer) -> str:
    """An answer as plain text: the quote, then its sources; framing in the asker's language."""
    lines = [answer.text]
    if answer.abstained:
        if answer.suggestions:
            ask = phrase("you_could_ask", answer.lang)
            lines.append(f"{ask} " + " | ".join(answer.suggestions))
        return "\n".join(lines)
    if phrase("in_english", answer.lang):
        lines.insert(0, phrase("in_english", answer.lang))
    for source in answer.sources:
        where = f"{source.article} › {source.section}" if source.section else source.article
        lines.append(f"— {where} ({source.url})" if source.url else f"— {where}")
    return "\n".join(lines)


def render_visits(visits: list[Visit]) -> str:
    if not visits:
        return "No visits match."
    header = ("Date", "Guest", "Host", "Place")
    rows = [(v.date, v.guest, v.host, v.place) for v in visits]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def visit_json(visit: Visit) -> dict:
    return asdict(visit)


def help_text() -> str:
    lines = ["Ask me anything about the articles I know, or use a command:"]
    lines += [f"/{name} — {description}" for name, description in COMMANDS]
    return "\n".join(lines)


def chat(kb: KnowledgeBase, book: AliasBook | None = None) -> int:
    """An interactive loop that answers like the Telegram bot does (taught questions too)."""
    print("qabot chat — type a question, /help for commands, Ctrl-D to leave.")
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            print()
            return 0
        if line:
            print(reply(kb, line, book))


def reply(kb: KnowledgeBase, line: str, book: AliasBook | None = None) -> str:
    """The reply to one chat line: a command or a question."""
    command, _, rest = line.partition(" ")
    if command in ("/help", "/start"):
        return help_text()
    if command == "/visits":
        return render_visits(kb.visits(parse_visit_filter(rest)))
    if command == "/sources":
        return "\n".join(
            f"{a.title} ({a.url})\n  " + "\n  ".join(a.sections) for a in kb.articles()
        )
    if command == "/search":
        facts = kb.search(rest)
        return "\n".join(f"• {f.text} — {f.section or f.article}" for f in facts) or "No match."
    if command == "/ask":
        line = rest
    elif command.startswith("/"):
        return "Unknown command. " + help_text()
    return render_answer(ask_with_aliases(kb, line, book))


class progress:  # noqa: N801 - used like a function
    """A progress bar shown only when there are many files and a terminal to show it on."""

    def __init__(self, total: int):
        self.bar = tqdm(total=total, unit="article", disable=total < 5 or not sys.stderr.isatty())

    def step(self, _title: str) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()
