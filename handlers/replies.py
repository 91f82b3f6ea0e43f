"""Sending a reply: split to Telegram's limit, quoted in groups, edited when the question is."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import N_, translator
from bot.sending import reply_target_gone
from handlers.render import split_message
from handlers.state import state

log = logging.getLogger(__name__)


TAG = re.compile(r"<[^>]*>")
QUESTION_CHANGED = N_("The question was edited; this answer no longer applies.")


def as_plain_text(text: str) -> str:
    """The HTML of a reply as the plain text it shows: tags dropped, entities unescaped."""
    return html.unescape(TAG.sub("", text))


def unparsable(exc: BadRequest) -> bool:
    """Telegram refused the HTML ("can't parse entities")."""
    return "can't parse entities" in exc.message.lower() or "can't find end" in exc.message.lower()


async def send_text(
    message: Message, text: str, markup: InlineKeyboardMarkup | None, quote: bool | None
) -> Message:
    """Reply to `message` with HTML `text`; as plain text if Telegram cannot parse it, and
    without the reply link if the question was deleted meanwhile."""
    try:
        return await message.reply_text(text, reply_markup=markup, do_quote=quote)
    except BadRequest as exc:
        if quote is not False and reply_target_gone(exc):
            log.info("The question was deleted; answering without the reply link: %s", exc)
            return await send_text(message, text, markup, quote=False)
        if not unparsable(exc):
            raise
        log.warning("Telegram could not parse a reply, sending it as plain text: %s", exc)
        return await message.reply_text(
            as_plain_text(text), reply_markup=markup, do_quote=quote, parse_mode=None
        )


async def edit_text(context: ContextTypes.DEFAULT_TYPE, text: str, **kwargs: Any) -> None:
    """Edit a message to HTML `text`; as plain text if Telegram cannot parse it."""
    try:
        await context.bot.edit_message_text(text, **kwargs)
    except BadRequest as exc:
        if not unparsable(exc):
            raise
        log.warning("Telegram could not parse an edit, sending it as plain text: %s", exc)
        await context.bot.edit_message_text(as_plain_text(text), parse_mode=None, **kwargs)


def is_edit(update: Update) -> bool:
    return update.edited_message is not None or update.edited_channel_post is not None


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer the update's message with `text` (HTML).

    A long text goes out as several messages, the keyboard under the last one. When the
    update is an edited question that was answered before, the earlier answer is edited
    instead of sending a new one.
    """
    message = update.effective_message
    if message is None:
        return
    chunks = split_message(text)
    replies = state(context).replies
    key = (message.chat_id, message.message_id)
    earlier = replies.get(key) if is_edit(update) else None
    if earlier is not None:
        try:
            await edit_text(
                context,
                chunks[0],
                chat_id=message.chat_id,
                message_id=earlier,
                reply_markup=markup if len(chunks) == 1 else None,
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            # e.g. the earlier answer was deleted: answer afresh below
            log.info("Could not edit answer %s in chat %s: %s", earlier, message.chat_id, exc)
        else:
            for number, chunk in enumerate(chunks[1:], 2):
                last = number == len(chunks)
                await send_text(message, chunk, markup if last else None, quote=None)
            return
    quote = message.chat.type != ChatType.PRIVATE
    first = None
    for number, chunk in enumerate(chunks, 1):
        last = number == len(chunks)
        sent = await send_text(message, chunk, markup if last else None, quote and number == 1)
        if first is None:  # answered: from now on an error must not bring an apology
            first = replies[key] = sent.message_id


async def retract(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str = "en") -> None:
    """An edited question no longer gets an answer (no longer a mention, or a weak match):
    delete the earlier answer, or, if Telegram will not, edit it to say the question changed."""
    message = update.effective_message
    if message is None or not is_edit(update):
        return
    earlier = state(context).replies.pop((message.chat_id, message.message_id), None)
    if earlier is None:
        return
    try:
        await context.bot.delete_message(message.chat_id, earlier)
        return
    except TelegramError as exc:  # e.g. older than 48 hours
        log.info("Could not delete answer %s in chat %s: %s", earlier, message.chat_id, exc)
    text = f"<i>{translator(lang).gettext(QUESTION_CHANGED)}</i>"
    try:
        await edit_text(context, text, chat_id=message.chat_id, message_id=earlier)
    except TelegramError as exc:
        log.info("Could not edit answer %s in chat %s: %s", earlier, message.chat_id, exc)
