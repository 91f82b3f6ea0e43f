"""Messages that are not commands: questions as free text, channel posts, stickers and photos."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from handlers.addressing import command_of, strip_mention
from handlers.commands import COMMAND_CALLBACKS, answer_question
from handlers.replies import reply
from handlers.state import state


async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question as plain text: any text in private, a mention or a reply in groups (the
    gatekeeper has already dropped the rest), a mention in a channel."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = message.text
    if message.chat.type != ChatType.PRIVATE:
        question = strip_mention(question, context.bot.username)
    await answer_question(update, context, question, explicit=False)


async def channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A channel post that names the bot. CommandHandler does not see channel posts, so
    commands are dispatched here."""
    message = update.effective_message
    if message is None:
        return
    command = command_of(message)
    if command is None:
        await free_text(update, context)
    elif command.name in COMMAND_CALLBACKS:
        await COMMAND_CALLBACKS[command.name](update, context)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have (private chats only)."""
    message = update.effective_message
    command = command_of(message) if message else None
    name = f"/{command.name}" if command else "that command"
    await reply(update, context, f"I don't know {escape(name)}. /help lists what I can do.")


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice message… in a private chat: a short hint."""
    examples = state(context).kb.examples()[:1]
    hint = "I can only read text. Send me a question"
    hint += f", for example:\n• {escape(examples[0])}" if examples else " (see /help)."
    await reply(update, context, hint)
