"""Logging for the bot: one stderr handler, quiet HTTP loggers, secrets redacted everywhere."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

from telegram.error import NetworkError

REDACTED = "[REDACTED]"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Replaces secrets (the bot token) in a record's message, traceback and stack.

    Attached to a handler, it sees the records of every logger that reaches that handler.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # without regard to case: python-telegram-bot changes the case of error descriptions
        alternatives = "|".join(re.escape(s) for s in secrets if s)
        self._pattern = re.compile(alternatives, re.IGNORECASE) if alternatives else None
        self._formatter = logging.Formatter()

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern else text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class NetworkTracebacksAtDebug(logging.Filter):
    """Below DEBUG, a network failure is one line, not a traceback: python-telegram-bot logs
    every failed Bot API call with the whole httpx/httpcore chain (about 90 lines), which
    says nothing the message does not. The start-up failure is dropped altogether: `qabot
    run` says it in its own one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, NetworkError):
            return True
        if "Bootstrap" in record.getMessage():
            return False
        record.msg = f"{record.getMessage()}: {exc}"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


class _StderrHandler(logging.StreamHandler):
    """The handler `configure_logging` installs (so a second call replaces it)."""


def configure_logging(level: str, secrets: Iterable[str] = ()) -> logging.Handler:
    """Log to stderr at `level`, redacting `secrets`; returns the installed handler."""
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    if logging.getLevelName(level) != logging.DEBUG:
        handler.addFilter(NetworkTracebacksAtDebug())
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # At INFO, httpx logs every request URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return handler
