"""Gatekeeping (handler group -1): drop updates the bot must stay silent on."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.addressing import is_addressed

log = logging.getLogger(__name__)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop handling messages from bots, the bot's own inline answers, and group or channel
    messages that are not meant for this bot (no command for it, no @mention, no reply to it).

    Inline queries and button presses always pass.
    """
    message = (
        update.message or update.edited_message or update.channel_post or update.edited_channel_post
    )
    if message is None:
        return
    sender = message.from_user
    if (sender and sender.is_bot) or (message.via_bot and message.via_bot.id == context.bot.id):
        raise ApplicationHandlerStop
    if message.chat.type == ChatType.PRIVATE:
        return
    if message.text is None or not is_addressed(message, context.bot):
        log.debug("Not addressed to me, ignoring message in chat %s", message.chat_id)
        raise ApplicationHandlerStop
