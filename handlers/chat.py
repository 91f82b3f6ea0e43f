"""Messages that are not commands: questions as free text or captions, channel posts,
stickers and photos, commands the bot does not have, and being added to a group."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

from bot.i18n import translator
from handlers.addressing import command_of, strip_mention
from handlers.commands import COMMAND_CALLBACKS, answer_question, examples_of
from handlers.language import user_language
from handlers.render import escape
from handlers.replies import reply
from handlers.state import state

log = logging.getLogger(__name__)


async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question as plain text (or a photo's caption): any text in private, a mention or a
    reply in groups (the gatekeeper has already dropped the rest), a mention in a channel."""
    message = update.effective_message
    if message is None:
        return
    question = message.text if message.text is not None else message.caption
    if question is None:
        return
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
    """A command the bot does not have (private chats only). One of its own commands
    addressed to another bot (`/visits@otherbot`) can only be meant for this one: run it."""
    message = update.effective_message
    command = command_of(message) if message else None
    if command is not None and command.target and command.name in COMMAND_CALLBACKS:
        await COMMAND_CALLBACKS[command.name](update, context)
        return
    t = translator(user_language(update))
    name = f"/{command.name}" if command else "/?"
    text = t.gettext("I don't know {command}. /help lists what I can do.").format(command=name)
    await reply(update, context, escape(text))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo without caption, voice message… in a private chat: a short hint."""
    lang = user_language(update)
    t = translator(lang)
    found = (await examples_of(context, lang))[:1]
    if found:
        hint = t.gettext("I can only read text. Send me a question, for example:")
        text = f"{escape(hint)}\n• {escape(found[0])}"
    else:
        text = escape(t.gettext("I can only read text. Send me a question (see /help)."))
    await reply(update, context, text)


def greeting(username: str, lang: str) -> str:
    """What the bot says once when it is added to a group: how to ask it there."""
    t = translator(lang)
    lines = [
        t.gettext(
            "<b>Hello!</b> I answer questions about encyclopedia articles, quoting the source."
        ),
        "",
        escape(t.gettext("To ask me here:")),
        f"• /ask@{escape(username)} " + escape(t.gettext("and your question")),
        "• " + escape(t.gettext("mention @{bot} in a message").format(bot=username)),
        "• " + escape(t.gettext("or reply to one of my messages.")),
    ]
    return "\n".join(lines)


async def added_to_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to a group: greet once, saying how to ask."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    was = change.old_chat_member.status
    now = change.new_chat_member.status
    outside = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    inside = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    if was not in outside or now not in inside:
        return
    greeted = state(context).greeted
    if change.chat.id in greeted:
        return
    greeted[change.chat.id] = True
    text = greeting(context.bot.username, user_language(update))
    await context.bot.send_message(change.chat.id, text)
