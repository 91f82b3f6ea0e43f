"""Sending a reply: split to Telegram's limit, quoted in groups, edited when the question is."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.render import split_message
from handlers.state import state

log = logging.getLogger(__name__)


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
            await context.bot.edit_message_text(
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
                await message.reply_text(chunk, reply_markup=markup if last else None)
            return
    quote = message.chat.type != ChatType.PRIVATE
    first = None
    for number, chunk in enumerate(chunks, 1):
        last = number == len(chunks)
        sent = await message.reply_text(
            chunk, reply_markup=markup if last else None, do_quote=quote and number == 1
        )
        first = first or sent
    if first is not None:
        replies[key] = first.message_id
