"""Gatekeeping (handler group -1): drop updates the bot must stay silent on, and floods."""

from __future__ import annotations

import logging
import math

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import N_, translator
from bot.sending import answer_query
from handlers.addressing import from_another_bot, is_addressed, sender_key
from handlers.language import user_language
from handlers.replies import is_edit, retract
from handlers.state import state

log = logging.getLogger(__name__)

FLOOD_NOTICE = N_(
    "You are sending messages faster than I can answer. Please wait {seconds} seconds; "
    "until then I will not reply."
)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop handling messages from bots, the bot's own inline answers, and group or channel
    messages that are not meant for this bot (no command for it, no @mention, no reply to it);
    then apply the flood limit to what is left, inline queries and button presses included.
    """
    if update.inline_query or update.callback_query:
        await _flood_limit(update, context, update.effective_user.id)  # type: ignore[union-attr]
        return
    message = (
        update.message or update.edited_message or update.channel_post or update.edited_channel_post
    )
    if message is None:
        return
    if from_another_bot(message) or (message.via_bot and message.via_bot.id == context.bot.id):
        raise ApplicationHandlerStop
    text = message.text if message.text is not None else message.caption
    if message.chat.type != ChatType.PRIVATE and (
        text is None or not is_addressed(message, context.bot)
    ):
        log.debug("Not addressed to me, ignoring message in chat %s", message.chat_id)
        if is_edit(update):  # an edit took the mention away: take the answer away too
            await retract(update, context, user_language(update))
        raise ApplicationHandlerStop
    await _flood_limit(update, context, sender_key(message))


async def _flood_limit(update: Update, context: ContextTypes.DEFAULT_TYPE, who: int) -> None:
    """Count a message meant for the bot; past the limit, one notice, then silence."""
    shared = state(context)
    if who in shared.admins:
        return
    verdict = shared.flood.check(who)
    if verdict == "ok":
        return
    shared.stats.flood_refused += 1
    log.info("Flood limit: ignoring an update from %s (%s)", who, verdict)
    seconds = max(1, math.ceil(shared.flood.wait(who)))
    notice = translator(user_language(update)).gettext(FLOOD_NOTICE).format(seconds=seconds)
    if update.callback_query is not None:  # the button stops spinning, with the notice
        await answer_query(update.callback_query, notice if verdict == "notice" else None)
        raise ApplicationHandlerStop
    message = update.effective_message
    if verdict == "notice" and message is not None and update.inline_query is None:
        await message.reply_text(
            notice,
            do_quote=message.chat.type != ChatType.PRIVATE,
        )
    raise ApplicationHandlerStop
