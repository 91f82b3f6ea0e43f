"""Inline keyboard buttons: "did you mean" (`f:<fact id>`) and visits pages (`v:<key>:<page>`)."""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.commands import visits_sources
from handlers.render import page_count, render_answer, render_visits, split_message, visits_keyboard
from handlers.replies import as_plain_text, unparsable
from handlers.state import state

log = logging.getLogger(__name__)

CALLBACK_PATTERN = r"^(f:\d{1,18}|v:\d{1,18}:\d{1,9})$"  # ids that fit SQLite integers
EXPIRED = "This list has expired: send /visits again."
GONE = "That fact is no longer in the knowledge base."
STALE = "This button no longer works: send the command again."


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what the button stands for, in place of the message that carries it."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        notice = await _press(query, context)
    finally:
        await query.answer(notice)  # always, or the button keeps spinning


async def _press(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Edit the message for the pressed button; returns a notice to show, if any.

    The handler is registered with CALLBACK_PATTERN; data that does not match it anyway
    (python-telegram-bot passes a query with empty data through) gets the stale notice.
    """
    if not re.fullmatch(CALLBACK_PATTERN, query.data or ""):
        return STALE
    kind, *numbers = (query.data or "").split(":")
    kb = state(context).kb
    if kind == "f":
        answer = kb.answer_fact(int(numbers[0]))
        if answer is None:
            return GONE
        text = render_answer(answer, context.bot.username)
        markup = None
    else:
        key, page = int(numbers[0]), int(numbers[1])
        flt = state(context).visit_lists.get(key)
        if flt is None:
            return EXPIRED
        found = kb.visits(flt)
        if not found:
            return EXPIRED
        pages = page_count(len(found))
        page = min(page, pages - 1)
        text = render_visits(found, flt, page, visits_sources(context, found))
        markup = visits_keyboard(key, page, pages)
    text = split_message(text)[0]
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return None
        if not unparsable(exc):  # e.g. too old to edit, or gone: say so instead
            log.info("Could not edit the message under a button: %s", exc)
            return STALE
        await query.edit_message_text(as_plain_text(text), reply_markup=markup, parse_mode=None)
    return None


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data the bot does not know (another version, or forged): say so."""
    if update.callback_query is not None:
        await update.callback_query.answer(STALE)
