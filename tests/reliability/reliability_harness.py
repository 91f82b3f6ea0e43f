"""Shared by the reliability tests: the production app over a fake Bot API, and a checker
for Telegram's HTML."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from fake_bot_api import TOKEN
from telegram.constants import MessageLimit
from telegram.ext import Application
from telegram_fakes import Harness, harness

QABOT = Path(sys.executable).parent / "qabot"


def run_qabot(
    home: Path, base_url: str, db: Path, timeout: float, **env: str
) -> subprocess.CompletedProcess:
    """`qabot run` in `home` with only the two required settings, the base and `env`."""
    return subprocess.run(
        [str(QABOT), "run"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": base_url,
            "QABOT_DB": str(db),
            **env,
        },
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# What Telegram's HTML parse mode accepts (core.telegram.org/bots/api#html-style).
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}
NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


class TelegramHtmlChecker(HTMLParser):
    """Collects every way a text would be refused or shown wrong by Telegram."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.path):
                self.problems.append(f"bad href {href!r}")
            if re.search(r"[\s<>\"]", href):
                self.problems.append(f"unescaped href {href!r}")
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            self.problems.append("span without class tg-spoiler")
        if tag in self.stack and tag != "blockquote":
            self.problems.append(f"<{tag}> inside <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.problems.append(f"raw {char!r} in {data[:40]!r}")
        self.plain.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.problems.append(f"entity &{name};")
        self.plain.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.plain.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declaration")


def markup_problems(text: str) -> list[str]:
    """[] when `text` is valid Telegram HTML that fits one message; else what is wrong."""
    checker = TelegramHtmlChecker()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    if checker.rawdata:  # left unparsed: an unterminated tag
        problems.append(f"unparsed {checker.rawdata[:40]!r}")
    if checker.stack:
        problems.append(f"unclosed {checker.stack}")
    plain = "".join(checker.plain)
    if not plain.strip():
        problems.append("empty message")
    if len(plain.encode("utf-16-le")) // 2 > MessageLimit.MAX_TEXT_LENGTH:
        problems.append("longer than 4096")
    return problems


def unthrottle(app: Application) -> None:
    """Lift the overall limit of 30 messages a second (Telegram's, not the fake's) so that a
    long run is quick; the per-group limit stays."""
    from aiolimiter import AsyncLimiter

    limiter = app.bot.rate_limiter
    limiter._base_limiter = AsyncLimiter(max_rate=100_000, time_period=1)  # type: ignore[union-attr]


# The same harness as tests/test_handlers.py, under the names these tests use.
Bot = Harness
bot_over = harness
