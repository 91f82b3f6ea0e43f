"""Inline keyboard buttons. Their data holds everything needed, nothing is kept on the
server, so a button works after a restart and on any replica:

- `f:<fact id>`: "did you mean" — show that fact;
- `vp:<page>:<filter>`: a page of /visits, the filter as text (`vp:1:2000-2010 putin`);
- `sp:<page>`: a page of /sources.

Every datum is checked (type, range, length); anything else gets a short notice.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import N_, translator
from bot.sending import answer_query
from handlers.commands import articles_of, sources_page, visits_page
from handlers.language import user_language
from handlers.render import render_answer
from handlers.replies import as_plain_text, unparsable
from handlers.state import state
from knowledge import VisitFilterError, filter_text, parse_visit_filter

log = logging.getLogger(__name__)

MAX_PAGE = 9999
MAX_FACT_ID = 2**63 - 1
CALLBACK_PATTERN = r"^(f:[1-9]\d{0,18}|vp:\d{1,4}:[ -~]{0,56}|sp:\d{1,4})$"
EXPIRED = N_("This list has changed: send the command again.")
GONE = N_("That fact is no longer in the knowledge base.")
STALE = N_("This button no longer works: send the command again.")


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what the button stands for, in place of the message that carries it."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        notice = await _press(query, context, user_language(update))
    finally:
        await answer_query(query, notice)  # always, or the button keeps spinning


def parse_callback(data: str) -> tuple[str, int, str] | None:
    """(kind, number, filter text) for data this version sends; None for anything else."""
    if not re.fullmatch(CALLBACK_PATTERN, data or ""):
        return None
    kind, number, *rest = data.split(":", 2)
    value = int(number)
    if (kind == "f" and value > MAX_FACT_ID) or (kind != "f" and value > MAX_PAGE):
        return None
    return kind, value, rest[0] if rest else ""


async def _press(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, lang: str) -> str | None:
    """Edit the message for the pressed button; returns a notice to show, if any."""
    t = translator(lang)
    parsed = parse_callback(query.data or "")
    if parsed is None:
        return t.gettext(STALE)
    kind, number, words = parsed
    kb = state(context).kb
    markup: InlineKeyboardMarkup | None = None
    if kind == "f":
        answer = await asyncio.to_thread(kb.answer_fact, number)
        if answer is None:
            return t.gettext(GONE)
        text = render_answer(answer, context.bot.username, lang=lang)
    elif kind == "sp":
        text, markup = sources_page(await articles_of(context), number, lang)
    else:
        try:
            flt = parse_visit_filter(words)
        except VisitFilterError:
            return t.gettext(STALE)
        if filter_text(flt) != words:  # not a filter this bot wrote
            return t.gettext(STALE)
        page = await asyncio.to_thread(visits_page, kb, flt, number, lang)
        if page is None:
            return t.gettext(EXPIRED)
        text, markup = page
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return None
        if not unparsable(exc):  # e.g. too old to edit, or gone: say so instead
            log.info("Could not edit the message under a button: %s", exc)
            return t.gettext(STALE)
        await query.edit_message_text(as_plain_text(text), reply_markup=markup, parse_mode=None)
    return None


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data the bot does not know (another version, or forged): say so."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, translator(user_language(update)).gettext(STALE))
