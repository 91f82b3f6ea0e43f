"""Plain-text rendering for the terminal: answers, visit tables, progress and `qabot chat`."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import asdict

from tqdm import tqdm

from knowledge import Answer, KnowledgeBase, Visit, VisitFilterError, parse_visit_filter, thresholds
from knowledge.aliases import AliasBook
from knowledge.aliases import ask as ask_with_aliases
from knowledge.commands import COMMANDS
from knowledge.i18n import phrase

from .examples import examples
from .i18n import translator
from .phrases import filter_hint, filter_problem, no_visits

HISTORY_LENGTH = 500


def render_answer(answer: Answer, alternatives: bool = False) -> str:
    """An answer as plain text: the quote, then its sources; framing in the asker's language.
    With `alternatives`, an unsure answer ends with what else it could be ("did you mean")."""
    lines = [answer.text]
    if answer.abstained:
        if answer.alternatives:
            lines.append(phrase("did_you_mean", answer.lang))
            lines += [f"  [{alt.fact_id}] {alt.text}" for alt in answer.alternatives]
        if answer.suggestions:
            ask = phrase("you_could_ask", answer.lang)
            lines.append(f"{ask} " + " | ".join(answer.suggestions))
        return "\n".join(lines)
    if phrase("in_english", answer.lang):
        lines.insert(0, phrase("in_english", answer.lang))
    for source in answer.sources:
        where = f"{source.article} › {source.section}" if source.section else source.article
        lines.append(f"— {where} ({source.url})" if source.url else f"— {where}")
    unsure = answer.confidence < thresholds.of(answer.route).unsure
    if alternatives and unsure and answer.alternatives:
        lines.append(phrase("did_you_mean", answer.lang))
        lines += [f"  {n}. {alt.text}" for n, alt in enumerate(answer.alternatives[:3], 1)]
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


def welcome(kb: KnowledgeBase) -> str:
    """What /start says in the chat: what qabot does, and questions to try."""
    lines = [
        "Hello! I answer questions about encyclopedia articles: I quote the article and name "
        "the section, or tell you when I don't know.",
    ]
    found = examples(kb, "en")[:3]
    if found:
        lines += ["Try asking:"] + [f"  • {e}" for e in found]
    lines.append("/help lists everything I can do.")
    return "\n".join(lines)


def _history() -> None:
    """Line editing and history (arrow keys) through the standard readline module, with
    the history kept in ~/.local/share/qabot/chat_history when possible."""
    try:
        import readline
    except ImportError:  # not on every platform: plain input() still works
        return
    import atexit
    import os
    from pathlib import Path

    root = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    path = Path(root) / "qabot" / "chat_history"
    readline.set_history_length(HISTORY_LENGTH)
    with contextlib.suppress(OSError):
        readline.read_history_file(path)

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass

    atexit.register(save)


def chat(kb: KnowledgeBase, book: AliasBook | None = None) -> int:
    """An interactive loop that answers like the Telegram bot does (taught questions too)."""
    if sys.stdin.isatty():
        _history()
    print("qabot chat — type a question, /help for commands, Ctrl-D to leave.")
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            print()
            return 0
        if line:
            print(reply(kb, line, book))


def visits_reply(kb: KnowledgeBase, words: str) -> str:
    """/visits in the chat: the table, or why nothing is listed (as the bot says it)."""
    t = translator("en")
    try:
        flt = parse_visit_filter(words)
    except VisitFilterError as exc:
        return f"{filter_problem(exc, t)} {filter_hint(t, None)}"
    found = kb.visits(flt)
    return render_visits(found) if found else no_visits(flt, t)


def reply(kb: KnowledgeBase, line: str, book: AliasBook | None = None) -> str:
    """The reply to one chat line: a command or a question."""
    command, _, rest = line.partition(" ")
    command = command.split("@")[0]
    if command == "/start":
        return welcome(kb)
    if command == "/help":
        return help_text()
    if command == "/visits":
        return visits_reply(kb, rest)
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
    return render_answer(ask_with_aliases(kb, line, book), alternatives=True)


class progress:  # noqa: N801 - used like a function
    """A progress bar shown only when there are many files and a terminal to show it on."""

    def __init__(self, total: int):
        self.bar = tqdm(total=total, unit="article", disable=total < 5 or not sys.stderr.isatty())

    def step(self, _title: str) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


class embedding_progress:  # noqa: N801 - used like a function
    """A progress bar for the facts being embedded, when there are many and a terminal."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(
                total=total,
                unit="fact",
                desc="embedding",
                disable=total < 64 or not sys.stderr.isatty(),
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
