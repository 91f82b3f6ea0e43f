"""Sending safely: which failures may be retried, and which Telegram refusals to shrug off.

A message must never go out twice. After a timeout or a dropped connection the request may
have reached Telegram, and the message may be in the chat already: such a send is not tried
again. Only failures that show the request never arrived (the connection was refused, no
connection was free) or an answer from Telegram (a 5xx) are retried.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest, NetworkError, TimedOut

log = logging.getLogger(__name__)

# Bot API methods that would do their work twice if repeated (sendChatAction is harmless).
REPEATS_HARM = frozenset(
    {"forwardMessage", "forwardMessages", "copyMessage", "copyMessages", "sendMediaGroup"}
)
# What python-telegram-bot says when the request never left this machine.
NEVER_SENT = ("httpx.ConnectError", "Pool timeout", "httpx.ConnectTimeout")


def repeats_harm(endpoint: str) -> bool:
    """Would calling `endpoint` twice send two messages?"""
    return endpoint in REPEATS_HARM or (
        endpoint.startswith("send") and endpoint != "sendChatAction"
    )


def may_have_arrived(exc: NetworkError) -> bool:
    """Could the failed request have reached Telegram (and been carried out)?

    False for refusals with an answer (400, 5xx) and for requests that never left
    (connection refused, connect or pool timeout); True for a timeout while waiting for the
    answer and for a connection lost after the request was written.
    """
    if isinstance(exc, BadRequest):
        return False
    cause = exc.__cause__
    text = f"{exc.message} {type(cause).__name__ if cause else ''}"
    if any(mark in text or mark.removeprefix("httpx.") in text for mark in NEVER_SENT):
        return False
    return isinstance(exc, TimedOut) or exc.message.startswith("httpx.")


def _says(exc: BadRequest, *phrases: str) -> bool:
    message = exc.message.lower()
    return any(phrase in message for phrase in phrases)


def reply_target_gone(exc: BadRequest) -> bool:
    """The message being replied to was deleted."""
    return _says(exc, "message to be replied not found", "replied message not found")


def query_too_old(exc: BadRequest) -> bool:
    """A button press or inline query answered too late (Telegram forgets them quickly)."""
    return _says(exc, "query is too old", "query id is invalid")


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press; a press answered too late is only logged."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        if not query_too_old(exc):
            raise
        log.info("A button press was answered too late: %s", exc)
